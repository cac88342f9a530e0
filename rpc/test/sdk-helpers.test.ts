/**
 * The SDK's helpers without a node: amounts parsed and formatted by decimals (and refused
 * when malformed), the trusted validator set from genesis JSON (and every way it is refused),
 * and the client's typed errors: a node that cannot be reached, one that does not answer in
 * time, and one that answers a batch with something else than a list.
 */
import t from 'tap';
import { createServer, type Server } from 'node:http';
import { createServer as tcpServer } from 'node:net';
import { generateKeyPair, toHex } from '../../core/index.js';
import { formatAmount, GenesisTrustError, NodeUnreachableError, parseAmount, RpcTimeoutError, SovClient, trustGenesis } from '../client/sdk.js';

t.test('amounts by decimals', async (tt) => {
  tt.equal(parseAmount('12.34', 2), 1234n);
  tt.equal(parseAmount('12', 2), 1200n);
  tt.equal(parseAmount('0.5', 2), 50n);
  tt.equal(parseAmount('1_000.00', 2), 100000n);
  tt.equal(parseAmount('7', 0), 7n);
  for (const bad of ['12.345', '-1', '1e3', '', '.5', '1.', 'abc']) tt.throws(() => parseAmount(bad, 2), { code: 'RPC_BAD_AMOUNT' }, `"${bad}" refused`);
  tt.equal(formatAmount(1234n, 2), '12.34');
  tt.equal(formatAmount(5n, 2), '0.05');
  tt.equal(formatAmount(0n, 2), '0.00');
  tt.equal(formatAmount(-1234n, 2), '-12.34');
  tt.equal(formatAmount(42n, 0), '42');
  for (const n of [0n, 1n, 99n, 100n, 123456789n]) tt.equal(parseAmount(formatAmount(n, 3), 3), n, `${n} round-trips`);
});

t.test('the trusted validator set from genesis JSON', async (tt) => {
  const a = generateKeyPair();
  const b = generateKeyPair();
  const doc = (validators: unknown, over: Record<string, unknown> = {}) => JSON.stringify({ chain_id: 'c-1', address_prefix: 'sov', validators, ...over });
  const trust = await trustGenesis({ json: doc([{ public_key: toHex(a.publicKey), power: 3 }, { public_key: toHex(b.publicKey), power: 1 }]) });
  tt.same([trust.chainId, trust.addressPrefix, trust.validators.validators.length, trust.validators.totalPower], ['c-1', 'sov', 2, 4]);
  const refused = async (json: string, why: RegExp) => tt.rejects(trustGenesis({ json }), why);
  await refused('{', /not a readable JSON genesis/);
  await refused(doc([], {}), /no validators/);
  await refused(doc([{ public_key: 'ab', power: 1 }]), /validators\[0\]\.public_key is not 32 bytes of hex/);
  await refused(doc([{ public_key: toHex(a.publicKey), power: 0 }]), /power is not a positive integer/);
  await refused(doc([{ public_key: toHex(a.publicKey), power: 1 }, { public_key: toHex(a.publicKey), power: 1 }]), /appears twice/);
  await refused(doc([{ public_key: toHex(a.publicKey), power: 1 }], { chain_id: 5 }), /no chain_id/);
  await tt.rejects(trustGenesis({ path: '/nonexistent/genesis.json' }), GenesisTrustError);
});

t.test('typed errors: unreachable, no answer in time, a broken batch reply', async (tt) => {
  const closed = tcpServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((r) => closed.close(() => r()));
  await tt.rejects(new SovClient(`http://127.0.0.1:${port}`).status(), NodeUnreachableError, 'nothing listening: unreachable');

  const silent = tcpServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  tt.teardown(() => silent.close());
  const e = await new SovClient(`http://127.0.0.1:${(silent.address() as { port: number }).port}`, { timeoutMs: 300 }).status().catch((x: unknown) => x);
  tt.ok(e instanceof RpcTimeoutError, 'no answer: a timeout');
  tt.match((e as Error).message, /sov_status: no answer from .* within 300 ms/);

  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'batches are off' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  tt.teardown(() => server.close());
  await tt.rejects(new SovClient(`http://127.0.0.1:${(server.address() as { port: number }).port}`).batch([{ method: 'sov_status', params: [] }]), { rpcCode: -32600, message: /batches are off/ });
});
