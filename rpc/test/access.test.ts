/**
 * Access control over real HTTP and WebSocket against a stub facade: roles on methods, API
 * keys in both header forms and the WebSocket query parameter, unknown keys refused (401),
 * rate limits per key and per address counting each call of a batch or message and
 * recovering after the refill (an injected clock: no sleeps), the connection cap per
 * address; and the limiter's per-address table staying bounded under many addresses.
 */
import t from 'tap';
import { connect, type Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import {
  AccessControl, buildRegistry, hashSecret, HttpRpcServer, RateLimiter, RpcCodes, WsRpcServer, type ApiKey, type NodeFacade, type RpcContext,
} from '../index.js';
import { SovClient, SovSocket, RpcCallError } from '../client/index.js';
import { waitFor } from '../../test/index.js';

const H = '0x' + 'ab'.repeat(32);
const facade = {
  status: async () => ({ chainId: 'c', moniker: 'm', nodeId: 'n', height: 3, blockHash: H, stateRoot: H, time: 1, peers: 1, validator: null, syncing: false }),
  head: () => 3,
  onHead: () => () => undefined,
  peers: async () => [{ id: '12D3KooWpeer', address: '/ip4/10.0.0.2/tcp/26656', role: 'validator', direction: 'outbound' }],
  mempool: async () => ({ count: 2, bytes: 300, maxTxs: 50_000, maxBytes: 1 << 28, maxPerAccount: 1000 }),
} as unknown as NodeFacade;

const key = (name: string, secret: string, roles: ApiKey['roles'], rateLimit?: ApiKey['rateLimit']): ApiKey => ({
  name, hash: Buffer.from(hashSecret(secret), 'hex'), roles, ...(rateLimit ? { rateLimit } : {}),
});
const BANK = 'sov_bank-secret';
const ADMIN = 'sov_admin-secret';
const SLOW = 'sov_slow-secret';
let now = 0;
/** Advance the limiter's clock far enough that every bucket is full again. */
const refill = () => (now += 3_600_000);
const limiter = new RateLimiter({ perAddress: { perSecond: 10, burst: 5 }, perKey: { perSecond: 0, burst: 1 }, maxAddresses: 1000, now: () => now });
const access = new AccessControl({
  keys: [key('bank-a', BANK, ['bank']), key('ops', ADMIN, ['admin']), key('slow', SLOW, ['bank'], { perSecond: 1, burst: 3 })],
  limiter,
});

const registry = buildRegistry('0.1.0');
const http = new HttpRpcServer<RpcContext>(registry, (_req, caller) => ({ facade, caller, access }), {
  host: '127.0.0.1', port: 0, maxBodyBytes: 64 * 1024, maxBatch: 20, corsOrigins: [], maxConnections: 100, maxConnectionsPerAddress: 40, access,
});
const wss = new WsRpcServer(registry, facade, () => '00', { maxConnections: 50, maxMessageBytes: 64 * 1024, maxBatch: 20, maxQueuedBytes: 1 << 20, maxSubscriptions: 4, corsOrigins: [] });
let url = '';
let wsUrl = '';
t.before(async () => {
  await http.start();
  wss.attach(http);
  url = `http://127.0.0.1:${http.port}/`;
  wsUrl = `ws://127.0.0.1:${http.port}/`;
});
t.teardown(async () => {
  await wss.stop();
  await http.stop();
});

type Reply = { id?: unknown; result?: unknown; error?: { code: number; message: string; data?: { retryAfterMs?: number; roles?: string[] } } };
const post = async (body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Reply & Reply[] };
};
const req = (method: string, id: number | string = 1) => ({ jsonrpc: '2.0', id, method, params: [] });
const bearer = (s: string): Record<string, string> => ({ authorization: `Bearer ${s}` });
/** The error `p` rejects with (fails the test when it resolves). */
const failure = async (p: Promise<unknown>): Promise<Record<string, unknown>> => {
  try {
    await p;
  } catch (e) {
    return e as Record<string, unknown>;
  }
  throw new Error('expected a rejection');
};

const open = (u: string, headers?: Record<string, string>): Promise<WebSocket> => new Promise((resolve, reject) => {
  const s = new WebSocket(u, headers ? { headers } : {});
  s.once('open', () => resolve(s));
  s.once('unexpected-response', (_r, res: IncomingMessage) => reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode })));
  s.once('error', reject);
});
const ask = (s: WebSocket, msg: unknown): Promise<Reply & Reply[]> => new Promise((r) => {
  s.once('message', (d) => r(JSON.parse(d.toString())));
  s.send(JSON.stringify(msg));
});

t.test('a public caller reads, and gets UNAUTHORIZED on admin methods', async (tt) => {
  refill();
  const ok = await post(req('sov_status'));
  tt.equal(ok.status, 200);
  tt.equal((ok.json.result as { height: number }).height, 3);
  for (const m of ['admin_peers', 'admin_mempool', 'admin_rpcAccess']) {
    const r = await post(req(m));
    tt.equal(r.json.error?.code, RpcCodes.UNAUTHORIZED, `${m} refused to the public`);
    tt.same(r.json.error?.data?.roles, ['admin']);
  }
  const who = (await post(req('sov_whoami'))).json.result as { key: string | null; roles: string[]; rateLimit: unknown };
  tt.same([who.key, who.roles, who.rateLimit], [null, [], { perSecond: 10, burst: 5 }]);
  refill();
  const doc = (await new SovClient(url).discover()) as unknown as { methods: { name: string; 'x-roles'?: string[] }[] };
  tt.same(doc.methods.find((m) => m.name === 'admin_peers')?.['x-roles'], ['admin'], 'roles in the OpenRPC document');
});

t.test('a bank key reads but cannot call admin methods; an admin key can; both header forms', async (tt) => {
  refill();
  tt.equal((await post(req('sov_status'), bearer(BANK))).json.result !== undefined, true, 'bank reads');
  tt.equal((await post(req('admin_peers'), bearer(BANK))).json.error?.code, RpcCodes.UNAUTHORIZED, 'bank: Bearer, admin_peers refused');
  tt.equal((await post(req('admin_mempool'), { 'x-api-key': BANK })).json.error?.code, RpcCodes.UNAUTHORIZED, 'bank: x-api-key, admin_mempool refused');
  tt.same((await post(req('sov_whoami'), { 'x-api-key': BANK })).json.result, { key: 'bank-a', roles: ['bank'], address: '127.0.0.1', rateLimit: { perSecond: 0, burst: 1 } });
  const peers = (await post(req('admin_peers'), bearer(ADMIN))).json.result as { role: string }[];
  tt.equal(peers[0]?.role, 'validator', 'admin: Bearer, admin_peers');
  tt.same((await post(req('admin_mempool'), { 'x-api-key': ADMIN })).json.result, { count: 2, bytes: 300, maxTxs: 50_000, maxBytes: 1 << 28, maxPerAccount: 1000 }, 'admin: x-api-key');
  const acc = (await post(req('admin_rpcAccess'), bearer(ADMIN))).json.result as { keys: Record<string, unknown>[] };
  tt.same(acc.keys.map((k) => k.name), ['bank-a', 'ops', 'slow']);
  tt.notOk(JSON.stringify(acc).includes(hashSecret(ADMIN)), 'no hash is ever shown');
  const sdk = new SovClient(url, { apiKey: ADMIN });
  tt.equal((await sdk.call<unknown[]>('admin_peers')).length, 1, 'the SDK sends its apiKey');
  tt.equal((await failure(new SovClient(url, { apiKey: BANK }).call('admin_peers'))).rpcCode, RpcCodes.UNAUTHORIZED, 'SDK error carries the code');
});

t.test('a key that matches nothing: HTTP 401, WebSocket upgrade refused', async (tt) => {
  refill();
  const tries: Record<string, string>[] = [bearer('sov_wrong'), { 'x-api-key': 'sov_wrong' }, { authorization: 'Basic Zm9vOmJhcg==' }, { authorization: `Bearer ${BANK}`, 'x-api-key': ADMIN }];
  for (const h of tries) {
    const r = await post(req('sov_status'), h);
    tt.equal(r.status, 401, `401 for ${JSON.stringify(h)}`);
    tt.equal(r.json.error?.code, RpcCodes.UNAUTHORIZED, 'with a JSON-RPC error body');
  }
  await tt.rejects(new SovClient(url, { apiKey: 'sov_wrong' }).status(), RpcCallError);
  tt.equal((await failure(open(wsUrl, bearer('sov_wrong')))).status, 401, 'upgrade with a wrong header key');
  tt.equal((await failure(open(wsUrl, { 'x-api-key': 'sov_wrong' }))).status, 401, 'upgrade with a wrong x-api-key');
  tt.equal((await failure(open(`${wsUrl}?api_key=sov_wrong`))).status, 401, 'upgrade with a wrong query key');
  await tt.rejects(SovSocket.connect(wsUrl, { apiKey: 'sov_wrong' }), 'the SDK socket is refused too');
});

t.test('WebSocket: keys by header or by api_key query parameter', async (tt) => {
  refill();
  const pub = await open(wsUrl);
  tt.equal((await ask(pub, req('admin_peers'))).error?.code, RpcCodes.UNAUTHORIZED, 'public socket');
  pub.close();
  const byHeader = await open(wsUrl, { 'x-api-key': ADMIN });
  tt.ok(Array.isArray((await ask(byHeader, req('admin_peers'))).result), 'x-api-key on the upgrade');
  byHeader.close();
  const byQuery = await open(`${wsUrl}?api_key=${encodeURIComponent(ADMIN)}`);
  tt.ok(Array.isArray((await ask(byQuery, req('admin_peers'))).result), 'api_key query parameter');
  byQuery.close();
  const bank = await open(`${wsUrl}?api_key=${encodeURIComponent(BANK)}`);
  tt.equal((await ask(bank, req('admin_mempool'))).error?.code, RpcCodes.UNAUTHORIZED, 'bank socket');
  bank.close();
  const sdk = await SovSocket.connect(wsUrl, { apiKey: ADMIN });
  tt.equal((await sdk.call<{ key: string }>('sov_whoami')).key, 'ops', 'SovSocket sends its apiKey');
  await sdk.close();
});

t.test('a key over its rate: RATE_LIMITED with retryAfterMs, HTTP 429, recovers after the refill', async (tt) => {
  refill();
  for (let i = 0; i < 3; i++) tt.equal((await post(req('sov_status'), bearer(SLOW))).status, 200, `call ${i + 1} of the burst`);
  const r = await post(req('sov_status', 7), bearer(SLOW));
  tt.equal(r.status, 429, 'the fourth is refused');
  tt.equal(r.json.error?.code, RpcCodes.RATE_LIMITED);
  tt.equal(r.json.error?.data?.retryAfterMs, 1000, 'one token comes back in a second');
  tt.equal(r.headers.get('retry-after'), '1');
  tt.equal((await post(req('sov_status'), bearer(BANK))).status, 200, 'other keys are not affected');
  now += 999;
  tt.equal((await post(req('sov_status'), bearer(SLOW))).status, 429, 'not before the token is back');
  now += 1;
  tt.equal((await post(req('sov_status'), bearer(SLOW))).status, 200, 'served again after the refill');
});

t.test('each call of a batch counts', async (tt) => {
  refill();
  const batch = Array.from({ length: 5 }, (_, i) => req('sov_status', i));
  const r = await post(batch, bearer(SLOW));
  tt.equal(r.status, 200, 'some calls ran');
  tt.same(r.json.map((x) => x.error?.code ?? 'ok'), ['ok', 'ok', 'ok', RpcCodes.RATE_LIMITED, RpcCodes.RATE_LIMITED], 'burst of 3: calls 4 and 5 refused');
  tt.same(r.json.map((x) => x.id), [0, 1, 2, 3, 4], 'refusals keep their ids');
  tt.equal((await post(req('sov_status'), bearer(SLOW))).status, 429, 'the bucket is empty');
  refill();
  const pub = await post(Array.from({ length: 7 }, (_, i) => req('sov_status', i)));
  tt.equal(pub.json.filter((x) => x.error?.code === RpcCodes.RATE_LIMITED).length, 2, 'a public address (burst 5) too');
  refill();
  const s = await open(wsUrl, bearer(SLOW));
  const m = await ask(s, Array.from({ length: 4 }, (_, i) => req('sov_status', i)));
  tt.same(m.map((x) => x.error?.code ?? 'ok'), ['ok', 'ok', 'ok', RpcCodes.RATE_LIMITED], 'a WebSocket message: each call counts');
  const one = await ask(s, req('sov_status', 'x'));
  tt.same([one.id, one.error?.code], ['x', RpcCodes.RATE_LIMITED], 'the next message is refused');
  now += 1000;
  tt.ok((await ask(s, req('sov_status', 'y'))).result, 'and served after the refill');
  s.close();
});

t.test('connections per address are capped', async (tt) => {
  const socks: Socket[] = [];
  let closed = 0;
  for (let i = 0; i < 45; i++) {
    const s = connect(http.port, '127.0.0.1');
    s.on('error', () => undefined);
    s.on('close', () => closed++);
    socks.push(s);
  }
  await waitFor(() => closed >= 5, 'the connections past the cap to be closed', 10_000);
  await waitFor(() => http.connections === 40, '40 connections held', 10_000);
  tt.equal(http.connections, 40);
  for (const s of socks) s.destroy();
  await waitFor(() => http.connections === 0, 'all closed', 10_000);
  refill();
  tt.equal((await post(req('sov_status'))).status, 200, 'served afterwards');
});

t.test('limiter: the per-address table stays bounded under many addresses', async (tt) => {
  let clock = 0;
  const l = new RateLimiter({ perAddress: { perSecond: 1, burst: 2 }, perKey: { perSecond: 0, burst: 1 }, maxAddresses: 1000, now: () => clock });
  let most = 0;
  let refused = 0;
  for (let i = 0; i < 100_000; i++) {
    if (l.takeForAddress(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 1).granted !== 1) refused++;
    most = Math.max(most, l.addressCount);
    if (i % 1000 === 0) clock += 1;
  }
  tt.equal(refused, 0, 'each new address gets its burst');
  tt.equal(most, 1000, `100,000 addresses, at most 1,000 held`);
  // A drained address keeps its state while the table has room.
  const small = new RateLimiter({ perAddress: { perSecond: 1, burst: 2 }, perKey: { perSecond: 0, burst: 1 }, maxAddresses: 3, now: () => clock });
  tt.same(small.takeForAddress('a', 5), { granted: 2, retryAfterMs: 1000 });
  small.takeForAddress('b', 1);
  tt.equal(small.takeForAddress('a', 1).granted, 0, 'a is still drained');
  clock += 5000;
  small.takeForAddress('c', 1);
  small.takeForAddress('d', 1);
  tt.equal(small.addressCount, 2, 'idle entries (a, b) are dropped as new ones come');
  tt.same(small.takeForAddress('a', 5).granted, 2, 'an idle address comes back with a full bucket');
  small.takeForAddress('e', 1);
  tt.equal(small.addressCount, 3, 'at the cap');
  small.takeForAddress('f', 1);
  tt.equal(small.addressCount, 3, 'past the cap the least recently used active entry goes');
  tt.equal(small.takeForAddress('a', 1).granted, 0, 'the recently used one (a) is kept, still drained');
  const unlimited = new RateLimiter({ perAddress: { perSecond: 0, burst: 1 }, perKey: { perSecond: 0, burst: 1 }, maxAddresses: 1, now: () => clock });
  for (let i = 0; i < 100; i++) unlimited.takeForAddress(String(i), 10);
  tt.equal(unlimited.addressCount, 0, 'no limit: nothing tracked');
});

t.test('behind a trusted proxy the client is the last untrusted X-Forwarded-For hop', async (tt) => {
  const ac = new AccessControl({ keys: [], trustedProxies: ['10.0.0.1', '10.0.0.2'] });
  const fake = (remote: string, xff?: string) => ({ socket: { remoteAddress: remote }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as IncomingMessage;
  tt.equal(ac.clientAddress(fake('10.0.0.1', '203.0.113.9, 198.51.100.7, 10.0.0.2')), '198.51.100.7');
  tt.equal(ac.clientAddress(fake('10.0.0.1')), '10.0.0.1', 'no header: the proxy itself');
  tt.equal(ac.clientAddress(fake('192.0.2.5', '203.0.113.9')), '192.0.2.5', 'an untrusted peer cannot claim an address');
});

t.test('replacing the keys: an unchanged key stays in force, a changed or removed one does not', (tt) => {
  const a = key('a', 'sov_a', ['bank']);
  const b = key('b', 'sov_b', ['regulator'], { perSecond: 5, burst: 10 });
  const c = key('c', 'sov_c', ['admin']);
  const ac = new AccessControl({ keys: [a, b, c] });
  ac.replaceKeys([key('a', 'sov_a', ['bank']), key('b', 'sov_b', ['regulator'], { perSecond: 6, burst: 10 }), key('d', 'sov_d', [])]);
  tt.ok(ac.isCurrent(a), 'same name, secret, roles and rate: still in force');
  tt.notOk(ac.isCurrent(b), 'its rate changed');
  tt.notOk(ac.isCurrent(c), 'removed');
  tt.equal(ac.findKey('sov_a'), a, 'the unchanged key is the same object');
  tt.equal(ac.findKey('sov_c'), null, 'a removed secret matches nothing');
  tt.equal(ac.findKey('sov_d')?.name, 'd', 'a new key is found');
  ac.replaceKeys([key('a', 'sov_other', ['bank'])]);
  tt.notOk(ac.isCurrent(a), 'same name, another secret');
  tt.same(ac.describeKeys().map((k) => k.name), ['a']);
  tt.end();
});
