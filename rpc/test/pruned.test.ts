/**
 * A pruned height, from whichever read meets it (a facade method, a module query reading a
 * receipt through txAt, a WebSocket subscription), answers PRUNED (-32009) with a message and
 * `data` naming the oldest height kept; never INVALID_PARAMS or INTERNAL_ERROR.
 */
import t from 'tap';
import { SovError } from '../../core/index.js';
import { StateError, StateErrorCodes, pruned as statePruned } from '../../state/index.js';
import { buildRegistry, errorResponse, handleJsonRpc, isPrunedError, prunedError, RpcCodes, type NodeFacade, type RpcContext } from '../index.js';

t.test('STATE_PRUNED answers PRUNED naming the oldest height kept', async (tt) => {
  const block = statePruned('block', 5, 120);
  tt.ok(isPrunedError(block), 'recognised by its code');
  tt.notOk(isPrunedError(new StateError(StateErrorCodes.STATE_MISSING_HEIGHT, 'above the head')), 'a missing height is not');
  const r = errorResponse(7, block);
  tt.equal(r.error?.code, RpcCodes.PRUNED);
  tt.equal(RpcCodes.PRUNED, -32009);
  tt.same(r.error?.data, { code: 'STATE_PRUNED', what: 'block', height: 5, oldest: 120 });
  tt.match(r.error?.message, /block 5 is pruned \(oldest kept: 120\): this node keeps blocks from height 120 on; an archive node keeps every height/);
  const state = prunedError(statePruned('state', 3, 40));
  tt.same(state.data, { code: 'STATE_PRUNED', what: 'state', height: 3, oldest: 40 });
  tt.match(state.message, /state versions from height 40/);
  // Any SovError with the state layer's code (the client bundle matches it without importing state/).
  tt.equal(errorResponse(1, new SovError('STATE_PRUNED', 'gone', { what: 'block', height: 1, oldest: 2 })).error?.code, RpcCodes.PRUNED);
  tt.equal(errorResponse(1, new SovError('STATE_INVALID_INPUT', 'bad')).error?.code, RpcCodes.INVALID_PARAMS, 'other typed errors unchanged');
});

t.test('a facade read that meets a pruned height: the method answers PRUNED', async (tt) => {
  const gone = (): Promise<never> => Promise.reject(statePruned('block', 2, 50));
  const facade = {
    head: () => 60,
    blockByHeight: gone,
    commitByHeight: gone,
    txByHash: gone,
    txsByAccount: () => Promise.reject(statePruned('block', 2, 50, 'the page continues from height 2, but blocks below 50 are pruned here (oldest kept: 50)')),
    record: () => Promise.reject(statePruned('state', 2, 51)),
  } as unknown as NodeFacade;
  const registry = buildRegistry('0.0.0');
  const call = async (method: string, params: unknown): Promise<{ code: number; data: { oldest: number; what: string } }> => {
    const out = (await handleJsonRpc<RpcContext>(registry, { facade }, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), 10)) as { error: { code: number; data: { oldest: number; what: string } } };
    return out.error;
  };
  for (const [method, params] of [['sov_getBlock', [2]], ['sov_getCommit', [2]], ['sov_getTransaction', ['0x' + '11'.repeat(32)]]] as const) {
    const e = await call(method, params);
    tt.equal(e.code, RpcCodes.PRUNED, method);
    tt.same([e.data.what, e.data.oldest], ['block', 50], `${method}: names the oldest block kept`);
  }
  const page = await call('sov_getAccountTransactions', { address: 'sov1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq', after: { height: 2, index: 0 } });
  tt.equal(page.code, RpcCodes.PRUNED, 'an account page continuing into pruned history');
  const rec = await call('sov_getRecord', { query: { kind: 'account', address: 'sov1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq' }, height: 2 });
  tt.equal(rec.code, RpcCodes.PRUNED, 'sov_getRecord');
  tt.same([rec.data.what, rec.data.oldest], ['state', 51]);
});
