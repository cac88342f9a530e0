/**
 * JSON-RPC over HTTP against a stub facade: each method, and hostile requests answered with
 * the right error while the server keeps serving.
 */
import t from 'tap';
import { connect } from 'node:net';
import { buildRegistry, errorResponse, HttpRpcServer, RpcCodes, RpcError, SerializedResult, type NodeFacade, type RpcContext } from '../index.js';
import { encodeAddress, SovError } from '../../core/index.js';
import { waitFor } from '../../test/index.js';

const H = '0x' + 'ab'.repeat(32);
const facade: NodeFacade = {
  status: async () => ({ chainId: 'c', addressPrefix: 'sov', moniker: 'm', nodeId: 'n', height: 3, blockHash: H, stateRoot: H, time: 1, peers: 2, validator: null, syncing: false }),
  blockByHeight: async (h) => (h > 3 ? null : {
    hash: H, txs: [], lastCommit: null, commit: null,
    header: { version: 1, chainId: 'c', height: h, time: 1, lastBlockHash: H, lastCommitHash: H, txRoot: H, txCount: 0, stateRoot: H, resultsRoot: H, validatorsHash: H, nextValidatorsHash: H, evidenceHash: H, proposer: '0x00' },
  }),
  blockHeightOf: async (hash) => (Buffer.from(hash).toString('hex') === 'ab'.repeat(32) ? 2 : null),
  submitTx: async (tx) => ({ hash: '0x' + Buffer.from(tx).toString('hex').padEnd(64, '0').slice(0, 64), status: 'pending', height: null, code: null, message: null }),
  account: async (a) => (a === 'sov1known' ? { address: a, nonce: 4, balances: {} } : null),
  head: () => 3,
  txByHash: async (h) => (h !== H ? null : {
    hash: H, height: 2, index: 0, tx: '0x01', signer: 'sov1known', nonce: 0, module: 'money', method: 'transfer', args: null,
    receipt: { status: 'ok', code: 0, codeName: null, message: '', work: 1, events: [], result: '0x' },
  }),
  commitByHeight: async (h) => (h > 3 ? null : { height: h, round: 0, blockHash: H, signatures: [] }),
  validators: async () => ({ height: 3, totalPower: 1, validators: [{ address: 'sov1v', publicKey: H, power: 1, nodeKey: H }] }),
  // A head read of the council comes back as ready-made JSON text, like the node's cached head records.
  record: (q, h) => (q.kind === 'council' && h === undefined
    ? new SerializedResult(`{"kind":"council","key":"0x11","height":3,"value":{"members":["a\\"b"]},"raw":"0x00"}`)
    : Promise.resolve({ kind: q.kind, key: '0x10', height: h ?? 3, value: null, raw: null })),
  txsByAccount: async () => ({ items: [], next: null }),
  eventsByAccount: async () => ({ items: [], next: null }),
  activity: async () => null,
  indexScan: async () => ({ items: [], next: null }),
  txAt: async () => null,
  onHead: () => () => undefined,
  peers: async () => [],
  mempool: async () => ({ count: 0, bytes: 0, maxTxs: 1, maxBytes: 1, maxPerAccount: 1 }),
};

const registry = buildRegistry('0.1.0');
const server = new HttpRpcServer<RpcContext>(registry, () => ({ facade }), { host: '127.0.0.1', port: 0, maxBodyBytes: 1024 * 1024, maxBatch: 100, corsOrigins: ['https://wallet.example'], requestTimeoutMs: 1500 });
let url = '';
t.before(async () => {
  await server.start();
  url = `http://127.0.0.1:${server.port}/`;
});
t.teardown(() => server.stop());

const post = async (body: string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
};
/** Every method this file called over HTTP, and what it answered with a result. */
const answered = new Set<string>();
const called = new Set<string>();
const call = async (method: string, params?: unknown) => {
  const json = (await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method, ...(params !== undefined ? { params } : {}) }))).json;
  called.add(method);
  if (json && 'result' in json) answered.add(method);
  return json;
};

t.test('each method answers', async (tt) => {
  tt.equal((await call('sov_status')).result.height, 3);
  tt.equal((await call('sov_getBlock', [2])).result.header.height, 2);
  tt.equal((await call('sov_getBlock', { height: 3 })).result.header.height, 3, 'params by name');
  tt.equal((await call('sov_getBlock', [9])).error.code, RpcCodes.NOT_FOUND);
  tt.equal((await call('sov_getBlockByHash', [H])).result.header.height, 2, 'a block by hash');
  tt.equal((await call('sov_getBlockByHash', ['0x' + 'cd'.repeat(32)])).error.code, RpcCodes.NOT_FOUND, 'an unknown hash');
  tt.equal((await call('sov_getBlockByHash', ['0xabc'])).error.code, RpcCodes.INVALID_PARAMS, 'not a hash');
  tt.equal((await call('sov_sendTransaction', ['0x0102'])).result.status, 'pending');
  tt.equal((await call('sov_getAccount', ['sov1known'])).result.nonce, 4);
  tt.equal((await call('sov_getAccount', ['sov1unknown'])).error.code, RpcCodes.NOT_FOUND);
  tt.equal((await call('sov_getTransaction', [H])).result.height, 2);
  tt.equal((await call('sov_getTransaction', ['0x' + '00'.repeat(32)])).error.code, RpcCodes.NOT_FOUND);
  tt.equal((await call('sov_getCommit', [2])).result.height, 2);
  tt.equal((await call('sov_getCommit', [4])).error.code, RpcCodes.NOT_FOUND);
  tt.equal((await call('sov_getValidators')).result.totalPower, 1);
  tt.equal((await call('sov_getRecord', [{ kind: 'council' }, 2])).result.height, 2);
  tt.equal((await call('sov_getRecord', [{ kind: 'nope' }])).error.code, RpcCodes.INVALID_PARAMS, 'unknown record kind');
  tt.equal((await call('sov_getRecord', [{ kind: 'balance', address: 'sov1x', extra: 1 }])).error.code, RpcCodes.INVALID_PARAMS, 'unknown record field');
  tt.same((await call('sov_getAccountTransactions', { address: 'sov1known', limit: 10 })).result, { items: [], next: null });
  // cred_proofs over the stub's record reads (which carry no proofs): an internal error, answered as one.
  tt.equal((await call('cred_proofs', { issuer: 'sov1x', batch: 0, index: 0 })).error.code, RpcCodes.INTERNAL_ERROR, 'cred_proofs needs proven reads');
  tt.equal((await call('cred_proofs', { issuer: 'sov1x', batch: 5, index: 1 })).error.code, RpcCodes.INVALID_PARAMS, 'an index before its batch');
  tt.match((await call('cred_verify', { package: { format: 'vc', credential: {}, inclusion: { position: 0, count: 1, path: [] } } })).result, { valid: false, code: 'CRED_MALFORMED' }, 'cred_verify: a credential naming no place in a ledger');
  tt.equal((await call('cred_verify', { package: { format: 'vc' } })).error.code, RpcCodes.INVALID_PARAMS, 'cred_verify: a package without its parts');
  // The data-exchange reads over a stub with no index entries and no records.
  const agency = encodeAddress('sov', new Uint8Array(20).fill(7));
  tt.equal((await call('xchg_getRecord', { sender: agency, seq: 0 })).result, null, 'xchg_getRecord: no such record');
  tt.equal((await call('xchg_getRecord', { sender: 'sov1nope', seq: 0 })).error.code, RpcCodes.INVALID_PARAMS, 'xchg_getRecord: not an address');
  tt.equal((await call('xchg_getReceipt', { sender: agency, seq: 0 })).error.code, RpcCodes.NOT_FOUND, 'xchg_getReceipt: no such record');
  tt.same((await call('xchg_listRecords', { by: 'agency', agency })).result, { items: [], next: null, height: 3 }, 'xchg_listRecords: an empty page');
  tt.equal((await call('xchg_listRecords', { by: 'pair', sender: agency })).error.code, RpcCodes.INVALID_PARAMS, 'xchg_listRecords: a pair needs both');
  tt.equal((await call('xchg_listRecords', { by: 'agency', agency, cursor: 'junk' })).error.code, RpcCodes.INVALID_PARAMS, 'xchg_listRecords: a broken cursor');
  tt.equal((await call('xchg_getDocument', { id: 1 })).error.code, RpcCodes.NOT_FOUND, 'xchg_getDocument: no such document');
  tt.same((await call('xchg_findDocuments', { digest: H })).result, { ids: [] }, 'xchg_findDocuments: none');
  // The Regulatory OS reads over a stub with no rules in force (comp_alerts and comp_holds are role-gated: below).
  tt.same((await call('comp_rules')).result, { rules: [], height: 3 }, 'comp_rules: none in force');
  // The tax reads answer with proofs, which the stub's record reads do not carry: an internal error; bad params before that.
  tt.equal((await call('tax_rules', {})).error.code, RpcCodes.INTERNAL_ERROR, 'tax_rules needs proven reads');
  tt.equal((await call('tax_rules', { currency: 'dcash' })).error.code, RpcCodes.INVALID_PARAMS, 'tax_rules: not a currency code');
  tt.equal((await call('tax_totals', { taxpayer: agency, period: 202601 })).error.code, RpcCodes.INTERNAL_ERROR, 'tax_totals needs proven reads');
  tt.equal((await call('tax_totals', { taxpayer: agency, period: 202613 })).error.code, RpcCodes.INVALID_PARAMS, 'tax_totals: not a month');
  tt.equal((await call('tax_totals', { taxpayer: 'sov1nope' })).error.code, RpcCodes.INVALID_PARAMS, 'tax_totals: not an address');
  // The recorded equivocations answer with proofs too: an internal error over the stub; bad params before that.
  tt.equal((await call('evid_equivocations', {})).error.code, RpcCodes.INTERNAL_ERROR, 'evid_equivocations needs proven reads');
  tt.equal((await call('evid_equivocations', { from: 5, to: 4 })).error.code, RpcCodes.INVALID_PARAMS, 'evid_equivocations: from above to');
  tt.equal((await call('evid_equivocations', { validator: 'sov1nope' })).error.code, RpcCodes.INVALID_PARAMS, 'evid_equivocations: not an address');
  // Programs: the stub has none (a report of none is null; a row's proofs need proven reads); no payment in its index.
  tt.equal((await call('prog_getReport', { program: 1 })).result, null, 'prog_getReport: no such program');
  tt.equal((await call('prog_getRow', { program: 1, row: 0 })).error.code, RpcCodes.INTERNAL_ERROR, 'prog_getRow needs proven reads');
  tt.equal((await call('prog_getRow', { program: -1, row: 0 })).error.code, RpcCodes.INVALID_PARAMS, 'prog_getRow: not a program id');
  tt.same((await call('prog_listPayments', { by: 'program', program: 1 })).result?.items, [], 'prog_listPayments: none');
  tt.equal((await call('prog_listPayments', { by: 'beneficiary' })).error.code, RpcCodes.INVALID_PARAMS, 'prog_listPayments: by beneficiary needs one');
  tt.same((await call('sov_getAccountEvents', { address: 'sov1known', limit: 5, order: 'asc' })).result, { items: [], next: null });
  tt.equal((await call('sov_getAccountEvents', { address: 'sov1known', limit: 0 })).error.code, RpcCodes.INVALID_PARAMS, 'limit out of range');
  // Role-gated methods refuse a public caller (access.test.ts runs them with API keys);
  // subscriptions need a WebSocket (ws.test.ts, devnet-rpc.test.ts).
  for (const m of registry.list().filter((x) => x.roles?.length)) tt.equal((await call(m.name)).error.code, RpcCodes.UNAUTHORIZED, `${m.name} refuses a public caller`);
  tt.ok((await call('sov_whoami')).result, 'sov_whoami');
  tt.equal((await call('sov_subscribe', { topic: 'newBlocks' })).error.code, RpcCodes.INVALID_REQUEST, 'subscribe needs a WebSocket');
  tt.equal((await call('sov_unsubscribe', ['0x01'])).error.code, RpcCodes.INVALID_REQUEST, 'unsubscribe needs a WebSocket');
  const doc = (await call('rpc.discover')).result;
  const names = doc.methods.map((m: { name: string }) => m.name);
  for (const m of registry.list()) tt.ok(names.includes(m.name), `${m.name} in the OpenRPC document`);
  tt.ok(doc.methods.every((m: { result: { schema: unknown } }) => m.result.schema), 'every method has a result schema');
  for (const m of registry.list()) tt.ok(called.has(m.name), `${m.name} was called over HTTP`);
  const public_ = registry.list().filter((m) => !m.roles?.length && !['sov_subscribe', 'sov_unsubscribe', 'cred_proofs', 'xchg_getReceipt', 'xchg_getDocument', 'tax_rules', 'tax_totals', 'prog_getRow', 'evid_equivocations'].includes(m.name));
  for (const m of public_) tt.ok(answered.has(m.name), `${m.name} answered with a result`);
});

t.test('a result given as JSON text is sent as that JSON, alone and in a batch', async (tt) => {
  const view = { kind: 'council', key: '0x11', height: 3, value: { members: ['a"b'] }, raw: '0x00' };
  tt.same((await call('sov_getRecord', [{ kind: 'council' }])).result, view);
  const batch = (await post(JSON.stringify([
    { jsonrpc: '2.0', id: 'x', method: 'sov_getRecord', params: [{ kind: 'council' }] },
    { jsonrpc: '2.0', id: 2, method: 'sov_getRecord', params: [{ kind: 'council' }, 2] },
    { jsonrpc: '2.0', id: 3, method: 'sov_nope' },
  ]))).json;
  tt.same(batch[0], { jsonrpc: '2.0', id: 'x', result: view });
  tt.same(batch[1].result, { kind: 'council', key: '0x10', height: 2, value: null, raw: null });
  tt.equal(batch[2].error.code, RpcCodes.METHOD_NOT_FOUND);
  tt.same(JSON.parse(JSON.stringify({ r: new SerializedResult('[1,{"a":null}]') })), { r: [1, { a: null }] }, 'JSON.stringify of it gives the same JSON');
});

t.test('bad requests get the right JSON-RPC error', async (tt) => {
  tt.equal((await post('{"jsonrpc":"2.0",')).json.error.code, RpcCodes.PARSE_ERROR, 'invalid JSON');
  tt.equal((await call('sov_nope')).error.code, RpcCodes.METHOD_NOT_FOUND, 'unknown method');
  tt.equal((await call('sov_getBlock', ['two'])).error.code, RpcCodes.INVALID_PARAMS, 'wrong type');
  tt.equal((await call('sov_getBlock', [])).error.code, RpcCodes.INVALID_PARAMS, 'missing param');
  tt.equal((await call('sov_getBlock', [1, 2])).error.code, RpcCodes.INVALID_PARAMS, 'too many params');
  tt.equal((await call('sov_getBlock', { height: 1, extra: 1 })).error.code, RpcCodes.INVALID_PARAMS, 'unknown named param');
  tt.equal((await call('sov_getBlock', [0])).error.code, RpcCodes.INVALID_PARAMS, 'out of range');
  tt.equal((await call('sov_sendTransaction', ['0xzz'])).error.code, RpcCodes.INVALID_PARAMS, 'bad hex');
  tt.equal((await post('{"jsonrpc":"1.0","id":1,"method":"sov_status"}')).json.error.code, RpcCodes.INVALID_REQUEST, 'wrong version');
  tt.equal((await post('{"jsonrpc":"2.0","id":{},"method":"sov_status"}')).json.error.code, RpcCodes.INVALID_REQUEST, 'bad id');
  tt.equal((await post('"hello"')).json.error.code, RpcCodes.INVALID_REQUEST, 'not an object');
  tt.equal((await post('[]')).json.error.code, RpcCodes.INVALID_REQUEST, 'empty batch');
  tt.equal((await post('['.repeat(100_000) + ']'.repeat(100_000))).json.error.code, RpcCodes.INVALID_REQUEST, 'deeply nested JSON');
  const notif = await post('{"jsonrpc":"2.0","method":"sov_status"}');
  tt.equal(notif.status, 204, 'a notification gets no body');
  const batch = await post(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'sov_status' }, { jsonrpc: '2.0', id: 2, method: 'nope' }, 5]));
  tt.same(batch.json.map((r: { id: number; error?: { code: number } }) => [r.id, r.error?.code ?? null]), [[1, null], [2, RpcCodes.METHOD_NOT_FOUND], [null, RpcCodes.INVALID_REQUEST]]);
  const big = JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'sov_status' })));
  tt.equal((await post(big)).json.error.code, RpcCodes.BATCH_TOO_LARGE, 'batch over the limit');
  const huge = JSON.stringify(Array.from({ length: 100_000 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'sov_status' })));
  const r = await post(huge);
  tt.equal(r.status, 413, 'a 100,000-call batch is refused by size');
  tt.equal(r.json.error.code, RpcCodes.REQUEST_TOO_LARGE);
  const tenMiB = await post('"' + 'x'.repeat(10 * 1024 * 1024) + '"');
  tt.equal(tenMiB.status, 413, '10 MiB body');
  tt.equal((await fetch(url)).status, 405, 'GET');
  tt.equal((await call('sov_status')).result.height, 3, 'still serving');
});

t.test('a body not declared JSON is refused with 415 (a browser sends text/plain and forms across origins unasked)', async (tt) => {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sov_status' });
  for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx']) {
    const r = await post(body, { 'content-type': type });
    tt.equal(r.status, 415, type);
    tt.equal(r.json.error.code, RpcCodes.INVALID_REQUEST, `${type}: a JSON-RPC error naming the content type`);
    tt.match(r.json.error.message, /content type must be application\/json/);
  }
  const none = await fetch(url, { method: 'POST', body: new Blob([body]) });
  tt.equal(none.status, 415, 'no content type at all');
  for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/json-rpc', 'application/jsonrequest']) {
    tt.equal((await post(body, { 'content-type': type })).json.result.height, 3, `${type} is served`);
  }
});

t.test("error messages never echo a caller's control, bidi or lone-surrogate characters raw", async (tt) => {
  for (const method of ['sov_\u202egnp.exe', 'a\nb\u001b[31m', 'x\ud800y', 'z\u2066\u2069\u061c\u0085']) {
    const name = JSON.stringify(method);
    const res = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method }));
    const msg = res.json.error.message as string;
    tt.equal(res.json.error.code, RpcCodes.METHOD_NOT_FOUND);
    tt.notOk(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]/.test(msg), `${name}: no raw character in ${JSON.stringify(msg)}`);
    tt.ok(msg.includes('\\u'), `${name}: shown as an escape`);
  }
  // Any error a handler throws (here a facade's message echoing a caller's text) is escaped on its way out.
  const e = errorResponse(7, new RpcError(RpcCodes.NOT_FOUND, 'no account sov1\u202e\u0000'));
  tt.equal(e.error!.message, 'no account sov1\\u202e\\u0000');
  tt.equal(errorResponse(7, new SovError('X', 'bad \u2028 line')).error!.message, 'bad \\u2028 line', 'a typed error from below the RPC layer too');
});

t.test('a malformed currency code is invalid params, not an absent record', async (tt) => {
  for (const currency of ['dev', 'DEV ', 'DEV\u0000', 'D', '1DEV', 'ABCDEFGHIJKLM']) {
    const r = await call('sov_getRecord', [{ kind: 'balance', address: 'sov1x', currency }]);
    tt.equal(r.error?.code, RpcCodes.INVALID_PARAMS, JSON.stringify(currency));
  }
  tt.equal((await call('sov_getRecord', [{ kind: 'currency', currency: 'DEV' }])).result.kind, 'currency', 'a well-formed code is served');
});

t.test('CORS only for configured origins', async (tt) => {
  const ok = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sov_status' }), { origin: 'https://wallet.example' });
  tt.equal(ok.headers.get('access-control-allow-origin'), 'https://wallet.example');
  const other = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sov_status' }), { origin: 'https://evil.example' });
  tt.equal(other.headers.get('access-control-allow-origin'), null);
});

t.test('a slow client that never finishes is cut off; others are served meanwhile', async (tt) => {
  const sock = connect(server.port, '127.0.0.1');
  let closed = false;
  sock.on('close', () => (closed = true));
  sock.on('error', () => undefined);
  // Read what comes: Node's own request timeout may answer 408 before closing, and a paused
  // socket with unread data never emits 'end' or 'close'.
  sock.on('data', () => undefined);
  sock.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"jsonrpc":');
  tt.equal((await call('sov_status')).result.height, 3, 'served while the slow client waits');
  await waitFor(() => closed, 'the slow connection to be closed', 20_000);
  tt.ok(closed);
});

t.test('the probes: GET /health while serving, GET /ready from the node\'s readiness', async (tt) => {
  const health = await fetch(`${url}health`);
  tt.equal(health.status, 200, '/health');
  tt.same(await health.json(), { status: 'ok' });
  tt.equal((await fetch(`${url}ready`)).status, 200, '/ready without a readiness function answers as /health');
  let state = { ready: false, reason: 'no peer linked', height: 5, peers: 0, syncing: false };
  const probed = new HttpRpcServer<RpcContext>(registry, () => ({ facade }), {
    host: '127.0.0.1', port: 0, maxBodyBytes: 1024, maxBatch: 1, corsOrigins: [], ready: async () => state,
  });
  await probed.start();
  try {
    const base = `http://127.0.0.1:${probed.port}/`;
    const not = await fetch(`${base}ready`);
    tt.equal(not.status, 503, 'not ready: 503');
    tt.match(await not.json(), { status: 'not ready', reason: 'no peer linked', peers: 0 });
    state = { ready: true, reason: null as unknown as string, height: 6, peers: 3, syncing: false };
    const yes = await fetch(`${base}ready`);
    tt.equal(yes.status, 200, 'ready: 200');
    tt.match(await yes.json(), { status: 'ready', height: 6, peers: 3 });
    tt.equal((await fetch(`${base}other`)).status, 405, 'another GET path is still refused');
  } finally {
    await probed.stop();
  }
});
