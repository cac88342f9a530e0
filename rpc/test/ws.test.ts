/**
 * JSON-RPC over WebSocket against a stub facade with a fake chain: calls, hostile messages,
 * the connection cap with 1,000 idle WebSockets open (HTTP and WebSocket calls still served),
 * and subscriptions delivering every block once, in order, when replaying and live.
 */
import t from 'tap';
import WebSocket from 'ws';
import { buildRegistry, HttpRpcServer, RpcCodes, WsRpcServer, type BlockActivity, type NodeFacade, type RpcContext } from '../index.js';
import { SovClient, SovSocket, type Notification } from '../client/index.js';
import { waitFor } from '../../test/index.js';

const H = '0x' + 'ab'.repeat(32);
let head = 10;
const listeners = new Set<(h: number) => void>();
const activity = (h: number): BlockActivity => ({
  block: {
    hash: H, txs: [], lastCommit: null, commit: null,
    header: { version: 1, chainId: 'c', height: h, time: h, lastBlockHash: H, lastCommitHash: H, txRoot: H, txCount: 0, stateRoot: H, resultsRoot: H, validatorsHash: H, nextValidatorsHash: H, evidenceHash: H, proposer: '0x00' },
  },
  txs: h % 2 === 0 ? [{ hash: H, index: 0, signer: 'sov1alice', status: 'ok', code: 0, events: [{ module: 'money', name: 'transfer', data: '0x' + '11'.repeat(20), fields: null }] }] : [],
});
const facade = {
  status: async () => ({ chainId: 'c', addressPrefix: 'sov', moniker: 'm', nodeId: 'n', height: head, blockHash: H, stateRoot: H, time: 1, peers: 0, validator: null, syncing: false }),
  head: () => head,
  activity: async (h: number) => (h <= head ? activity(h) : null),
  onHead: (l: (h: number) => void) => {
    listeners.add(l);
    return () => listeners.delete(l);
  },
} as unknown as NodeFacade;
const advance = (n: number) => {
  for (let i = 0; i < n; i++) {
    head++;
    for (const l of listeners) l(head);
  }
};

const registry = buildRegistry('0.1.0');
const http = new HttpRpcServer<RpcContext>(registry, () => ({ facade }), { host: '127.0.0.1', port: 0, maxBodyBytes: 64 * 1024, maxBatch: 10, corsOrigins: [], maxConnections: 50 });
const ws = new WsRpcServer(registry, facade, (a) => (a === 'sov1bob' ? '11'.repeat(20) : '22'.repeat(20)), {
  maxConnections: 1000, maxMessageBytes: 64 * 1024, maxBatch: 10, maxQueuedBytes: 1 << 20, maxSubscriptions: 4, corsOrigins: [],
});
let url = '';
t.before(async () => {
  await http.start();
  ws.attach(http);
  url = `ws://127.0.0.1:${http.port}/`;
});
t.teardown(async () => {
  await ws.stop();
  await http.stop();
});

const raw = (): Promise<WebSocket> => new Promise((resolve, reject) => {
  const s = new WebSocket(url);
  s.once('open', () => resolve(s));
  s.once('error', reject);
});
const next = (s: WebSocket): Promise<{ id?: number; result?: unknown; error?: { code: number } }> => new Promise((r) => s.once('message', (d) => r(JSON.parse(d.toString()))));

t.test('calls and hostile messages over WebSocket', async (tt) => {
  const s = await raw();
  s.send('{"jsonrpc":"2.0","id":1,"method":"sov_status"}');
  tt.equal(((await next(s)).result as { height: number }).height, head);
  s.send('{"jsonrpc":"2.0",');
  tt.equal((await next(s)).error?.code, RpcCodes.PARSE_ERROR, 'invalid JSON');
  s.send('{"jsonrpc":"2.0","id":2,"method":"nope"}');
  tt.equal((await next(s)).error?.code, RpcCodes.METHOD_NOT_FOUND);
  s.send(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'sov_subscribe', params: ['events'] }));
  tt.equal((await next(s)).error?.code, RpcCodes.INVALID_PARAMS, 'events need a module');
  s.send('['.repeat(10_000) + ']'.repeat(10_000));
  tt.equal((await next(s)).error?.code, RpcCodes.INVALID_REQUEST, 'deep nesting');
  const closed = new Promise<number>((r) => s.once('close', (code) => r(code)));
  s.send('"' + 'x'.repeat(100 * 1024) + '"');
  tt.equal(await closed, 1009, 'an oversized message closes the connection');
  const sock = await SovSocket.connect(url);
  for (let i = 0; i < 4; i++) await sock.subscribe('newBlocks', {}, () => undefined);
  await tt.rejects(sock.subscribe('newBlocks', {}, () => undefined), 'a fifth subscription is refused');
  await sock.close();
});

t.test('1,000 idle WebSockets: the next one is refused, calls are still served', async (tt) => {
  const idle: WebSocket[] = [];
  for (let i = 0; i < 1000; i += 100) idle.push(...(await Promise.all(Array.from({ length: 100 }, raw))));
  await waitFor(() => ws.connections === 1000, '1000 connections', 10_000, 20);
  await tt.rejects(raw(), 'connection 1,001 is refused');
  const t0 = Date.now();
  tt.equal((await new SovClient(`http://127.0.0.1:${http.port}/`).status()).height, head, 'HTTP still served');
  const s = idle[0]!;
  s.send('{"jsonrpc":"2.0","id":1,"method":"sov_status"}');
  tt.ok((await next(s)).result, 'an open WebSocket is still served');
  tt.ok(Date.now() - t0 < 2000, 'promptly');
  await Promise.all(idle.map((x) => new Promise((r) => (x.once('close', r), x.close()))));
  await waitFor(() => ws.connections === 0, 'all closed', 10_000, 20);
});

t.test('subscriptions replay from a height, then go live, each block once and in order', async (tt) => {
  const sock = await SovSocket.connect(url);
  const heights: number[] = [];
  const bob: number[] = [];
  const events: number[] = [];
  await sock.subscribe('newBlocks', { fromHeight: 3 }, (n: Notification) => heights.push((n.result as { header: { height: number } }).header.height));
  await sock.subscribe('account', { address: 'sov1bob', fromHeight: 1 }, (n) => bob.push((n.result as { height: number }).height));
  await sock.subscribe('events', { module: 'money', fromHeight: 1 }, (n) => events.push((n.result as { height: number }).height));
  advance(5);
  setTimeout(() => advance(5), 20);
  await waitFor(() => heights.at(-1) === 20 && events.at(-1) === 20, 'live blocks', 5000, 10);
  tt.same(heights, Array.from({ length: 18 }, (_, i) => i + 3), 'blocks 3..20');
  const even = Array.from({ length: 10 }, (_, i) => 2 * (i + 1));
  tt.same(bob, even, 'account activity found in event data');
  tt.same(events, even, 'events by module');
  await sock.close();
});
