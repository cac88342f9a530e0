/**
 * The console's static files as the RPC HTTP server serves them (rpc/http-server.ts,
 * ConsoleFiles), without a chain: content types, the security headers, ETag revalidation,
 * HEAD, /console redirected to /console/, only files found at load time served (traversal in
 * any spelling finds nothing), JSON-RPC POST untouched, and a server without a console
 * answering GET /console/ as before (405). A WebSocket upgrade from the console's own origin is
 * accepted only with allowSameOrigin (the node sets it with the console); other origins stay
 * refused unless listed in cors_origins. Also: the built console (dist/console) holds the
 * pages and the SDK bundle, and `[rpc] console` is off by default and on in testnet homes.
 */
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { buildRegistry, ConsoleFiles, CONSOLE_DIR, HttpRpcServer, WsRpcServer, type NodeFacade, type RpcContext } from '../../rpc/index.js';
import { defaultConfig, renderConfig, parseConfig } from '../ops/config.js';

const dir = mkdtempSync(join(tmpdir(), 'sov-console-static-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'pages'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
writeFileSync(join(dir, 'app.js'), 'export {};');
writeFileSync(join(dir, 'pages', 'home.js'), 'export const x = 1;');
writeFileSync(join(dir, 'console.css'), 'body{}');
writeFileSync(join(dir, 'notes.bin'), 'not served: unknown type');
writeFileSync(join(dir, '.hidden.js'), 'not served: hidden');
writeFileSync(join(tmpdir(), 'sov-console-outside.js'), 'outside');

/** A raw HTTP request (fetch would normalise the path). */
function get(port: number, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function server(console?: ConsoleFiles): Promise<HttpRpcServer<RpcContext>> {
  const s = new HttpRpcServer<RpcContext>(buildRegistry('0.0.0-test'), () => ({}) as unknown as RpcContext, { host: '127.0.0.1', port: 0, maxBodyBytes: 1 << 20, maxBatch: 10, corsOrigins: [], ...(console ? { console } : {}) });
  await s.start();
  t.teardown(() => s.stop());
  return s;
}

t.test('serving the console', async (tt) => {
  const s = await server(ConsoleFiles.load(dir, { 'genesis.json': '{"chain_id":"x"}' }));
  const p = s.port;
  const index = await get(p, '/console/');
  tt.equal(index.status, 200, 'GET /console/');
  tt.equal(index.headers['content-type'], 'text/html; charset=utf-8', 'index.html as HTML');
  tt.match(String(index.headers['content-security-policy']), /default-src 'none'; script-src 'self'/, 'a content security policy');
  tt.equal(index.headers['x-content-type-options'], 'nosniff', 'nosniff');
  tt.equal(index.headers['cache-control'], 'no-cache', 'revalidated each time');
  tt.equal((await get(p, '/console/app.js')).headers['content-type'], 'text/javascript; charset=utf-8', 'a module as JavaScript');
  tt.equal((await get(p, '/console/pages/home.js')).body, 'export const x = 1;', 'a file in a folder');
  tt.equal((await get(p, '/console/console.css')).headers['content-type'], 'text/css; charset=utf-8', 'CSS');
  const g = await get(p, '/console/genesis.json?x=1');
  tt.same([g.status, g.headers['content-type'], g.body], [200, 'application/json', '{"chain_id":"x"}'], 'the genesis given as text (a query string ignored)');
  const etag = String(index.headers.etag);
  tt.equal((await get(p, '/console/', 'GET', { 'if-none-match': etag })).status, 304, 'the same ETag: 304');
  const head = await get(p, '/console/app.js', 'HEAD');
  tt.same([head.status, head.body, head.headers['content-length']], [200, '', '10'], 'HEAD: headers only');
  const redirect = await get(p, '/console');
  tt.same([redirect.status, redirect.headers.location], [301, '/console/'], '/console redirects to /console/');
  for (const path of ['/console/../package.json', '/console/%2e%2e/sov-console-outside.js', '/console/..%2fsov-console-outside.js', '/console//etc/passwd', '/console/pages/../app.js', '/console/notes.bin', '/console/.hidden.js', '/console/nothing.js', '/console/pages/']) {
    tt.equal((await get(p, path)).status, 404, `${path}: 404`);
  }
  const rpc = await fetch(`http://127.0.0.1:${p}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'rpc.discover', params: [] }) });
  tt.equal(rpc.status, 200, 'JSON-RPC POST still answers');
});

t.test('without a console, or with an unbuilt one', async (tt) => {
  const off = await server();
  tt.equal((await get(off.port, '/console/')).status, 405, 'no console: GET answers 405 as before');
  const unbuilt = await server(ConsoleFiles.load(join(dir, 'no-such-dir')));
  const r = await get(unbuilt.port, '/console/');
  tt.equal(r.status, 404, 'an unbuilt console: 404');
  tt.match(r.body, /not built.*npm run build/, 'saying how to build it');
});

t.test('the built console and its config key', async (tt) => {
  for (const f of ['index.html', 'app.js', 'conn.js', 'ui.js', 'chart.js', 'console.css', 'sdk.js', 'pages/home.js', 'pages/account.js', 'pages/regulator.js']) tt.ok(existsSync(join(CONSOLE_DIR, f)), `dist/console/${f} built`);
  tt.equal(defaultConfig().rpc.console, false, '[rpc] console is off by default');
  tt.equal(parseConfig(renderConfig({ rpc: { console: true } })).rpc.console, true, 'and can be turned on');
});

t.test('WebSocket upgrades from the console\'s own origin', async (tt) => {
  const open = (port: number, origin: string): Promise<number> => new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { origin } });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
  for (const allowSameOrigin of [false, true]) {
    const s = await server(ConsoleFiles.load(dir));
    const ws = new WsRpcServer(buildRegistry('0.0.0-test'), { onHead: () => () => undefined } as unknown as NodeFacade, (a) => a, {
      maxConnections: 10, maxMessageBytes: 1 << 20, maxBatch: 10, maxQueuedBytes: 1 << 20, maxSubscriptions: 4, corsOrigins: [], allowSameOrigin,
    });
    ws.attach(s);
    tt.teardown(() => ws.stop());
    tt.equal(await open(s.port, `http://127.0.0.1:${s.port}`), allowSameOrigin ? 101 : 403, `its own origin: ${allowSameOrigin ? 'accepted' : 'refused'} with allowSameOrigin ${allowSameOrigin}`);
    tt.equal(await open(s.port, 'http://evil.example'), 403, 'another origin: refused');
  }
});
