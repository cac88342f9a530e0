/**
 * JSON-RPC over HTTP POST: bounded bodies (refused as soon as they pass the limit, from the
 * Content-Length header when there is one), slow clients cut off by request and header
 * timeouts, connection caps (in all and per address), and CORS for the configured origins.
 * With access control, a request presenting an unknown API key gets 401, and one whose
 * caller has no token left gets 429 before its body is read; each further call of a batch
 * takes a token too. A body that is not declared JSON (Content-Type application/json, or
 * application/json-rpc / jsonrequest) gets 415, as geth answers: browsers send text/plain
 * and form posts across origins unasked. GET /health and GET /ready are the liveness and readiness
 * probes. With a console (`[rpc] console`), GET and HEAD under /console/ serve its static files
 * (docs/console.md): only the files found when the server was built, by exact path (no
 * traversal possible), with their content types, an ETag (a revalidated request gets 304) and
 * a Content-Security-Policy that lets the pages load only their own files and talk only to
 * this address. Any other method or path gets a plain HTTP error. The server never
 * crashes on a request: every failure is a JSON-RPC error or an HTTP status.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo, Socket } from 'node:net';
import type { AccessControl, Caller } from './access.js';
import { RpcCodes, RpcError } from './errors.js';
import { errorResponse, handleJsonRpc, rateLimited, responseJson, type CallGate, type JsonRpcResponse, type MaybePromise } from './jsonrpc.js';
import type { MethodRegistry } from './registry.js';

export interface HttpRpcOptions {
  host: string;
  port: number;
  maxBodyBytes: number;
  maxBatch: number;
  corsOrigins: readonly string[];
  maxConnections?: number;
  /** Most open connections (HTTP and WebSocket) from one remote address; 0 or absent: no cap. Trusted proxies are exempt. */
  maxConnectionsPerAddress?: number;
  /** API keys, roles and rate limits; absent: every caller is public and unlimited. */
  access?: AccessControl;
  /** Whole-request deadline for a client (slow senders are cut off). */
  requestTimeoutMs?: number;
  /** Readiness for GET /ready (GET /health answers while the server serves); absent: /ready answers as /health. */
  ready?: () => Promise<Readiness>;
  /** The console's files, served under /console/ (ConsoleFiles.load); absent: none. */
  console?: ConsoleFiles;
}

/** What GET /ready reports: ready (HTTP 200) or not (503), with why and the figures it judged. */
export interface Readiness {
  ready: boolean;
  reason: string | null;
  height: number;
  peers: number;
  syncing: boolean;
}

export const PUBLIC_CALLER = (req: IncomingMessage): Caller => ({ key: null, roles: [], address: req.socket.remoteAddress ?? 'unknown' });

export class HttpRpcServer<C> {
  private server: Server | null = null;
  private readonly perAddress = new Map<string, number>();
  private readonly bodyDeadlines = new Set<PendingBody>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly registry: MethodRegistry<C>,
    private readonly context: (req: IncomingMessage, caller: Caller) => C,
    private readonly opts: HttpRpcOptions,
  ) {}

  /** The access control (the WebSocket endpoint shares it). */
  get access(): AccessControl | undefined {
    return this.opts.access;
  }

  /** Open connections, HTTP and upgraded. */
  get connections(): number {
    let n = 0;
    for (const c of this.perAddress.values()) n += c;
    return n;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** The underlying server (the WebSocket endpoint attaches to it). */
  get httpServer(): Server | null {
    return this.server;
  }

  start(): Promise<void> {
    const requestTimeout = this.opts.requestTimeoutMs ?? 30_000;
    const server = createServer(
      // Node checks these deadlines every connectionsCheckingInterval (30 s by default).
      { requestTimeout, headersTimeout: Math.min(10_000, requestTimeout), connectionsCheckingInterval: Math.min(1000, requestTimeout) },
      (req, res) => this.handle(req, res),
    );
    server.keepAliveTimeout = 5_000;
    server.maxConnections = this.opts.maxConnections ?? 1000;
    server.on('connection', (socket: Socket) => this.countConnection(socket));
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    this.server = server;
    this.sweeper = setInterval(() => this.sweepDeadlines(), Math.max(10, Math.min(1000, Math.floor(requestTimeout / 4))));
    this.sweeper.unref();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private countConnection(socket: Socket): void {
    const addr = socket.remoteAddress ?? 'unknown';
    const n = (this.perAddress.get(addr) ?? 0) + 1;
    const cap = this.opts.maxConnectionsPerAddress ?? 0;
    if (cap > 0 && n > cap && !this.opts.access?.opts.trustedProxies?.includes(addr)) {
      socket.destroy();
      return;
    }
    this.perAddress.set(addr, n);
    socket.once('close', () => {
      const left = (this.perAddress.get(addr) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(addr);
      else this.perAddress.set(addr, left);
    });
  }

  private cors(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (origin && (this.opts.corsOrigins.includes('*') || this.opts.corsOrigins.includes(origin))) {
      res.setHeader('access-control-allow-origin', this.opts.corsOrigins.includes('*') ? '*' : origin);
      res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
      res.setHeader('access-control-allow-headers', 'content-type, authorization, x-api-key');
      res.setHeader('vary', 'origin');
    }
  }

  private send(res: ServerResponse, status: number, body: JsonRpcResponse | JsonRpcResponse[], close = false, headers: Record<string, string> = {}): void {
    if (res.headersSent) return;
    const text = responseJson(body);
    // Headers as a flat list: Node writes them as given, without building a header map.
    const list = ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(text))];
    if (close) list.push('connection', 'close');
    for (const k in headers) list.push(k, headers[k]!);
    res.writeHead(status, list);
    res.end(text);
  }

  /**
   * Read the request body as text and pass it to `done`: 'too-large' past the limit (reading
   * stops there), null when the request ends otherwise (client gone, or cut off: Node's own
   * requestTimeout does not cover a body that stalls once the handler runs, so the deadline
   * sweep does). Callbacks, not a promise: the common request costs no microtask hop.
   */
  private readBody(req: IncomingMessage, done: (body: string | 'too-large' | null) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (v: string | 'too-large' | null): void => {
      this.bodyDeadlines.delete(pending);
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('close', onClose);
      req.removeListener('error', onClose);
      done(v);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > this.opts.maxBodyBytes) return finish('too-large');
      chunks.push(chunk);
    };
    const onEnd = (): void => finish((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString('utf8'));
    const onClose = (): void => finish(null);
    const pending: PendingBody = {
      due: Date.now() + (this.opts.requestTimeoutMs ?? 30_000),
      expire: () => {
        finish(null);
        req.destroy();
        req.socket?.destroy();
      },
    };
    this.bodyDeadlines.add(pending);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onClose);
  }

  /** Cut off the requests whose body is overdue (one timer for all, not one per request). */
  private sweepDeadlines(): void {
    const now = Date.now();
    for (const p of this.bodyDeadlines) {
      if (p.due > now) continue;
      this.bodyDeadlines.delete(p);
      try {
        p.expire();
      } catch {
        // the socket is already gone
      }
    }
  }

  /**
   * The probes, as Besu and CometBFT have them: GET /health answers 200 while this server
   * serves (liveness); GET /ready answers 200 when the node is synced and peered (or alone in
   * its validator set), 503 with the reason otherwise (readiness). No access control: they
   * reveal only what sov_status does.
   */
  private probe(path: string, res: ServerResponse): void {
    const json = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    if (path === '/health' || this.opts.ready === undefined) {
      json(200, { status: 'ok' });
      return;
    }
    this.opts.ready().then(
      (r) => json(r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', ...r }),
      (e: unknown) => json(503, { status: 'not ready', reason: `status unavailable: ${(e as Error).message}` }),
    );
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      this.cors(req, res);
      if (req.method === 'OPTIONS') {
        res.writeHead(204).end();
        return;
      }
      if (req.method === 'GET' && (req.url === '/health' || req.url === '/ready')) {
        this.probe(req.url, res);
        return;
      }
      if ((req.method === 'GET' || req.method === 'HEAD') && this.opts.console && req.url !== undefined && (req.url === '/console' || req.url.startsWith('/console/'))) {
        this.opts.console.serve(req, res);
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST, OPTIONS' }).end();
        return;
      }
      if (!isJsonContentType(req.headers['content-type'])) {
        // As geth and others do: a browser may send a text/plain or form POST to any origin
        // without asking first (no CORS preflight); a JSON body is never one of those.
        this.send(res, 415, errorResponse(null, new RpcError(RpcCodes.INVALID_REQUEST, `content type must be application/json, got ${req.headers['content-type'] === undefined ? 'none' : JSON.stringify(req.headers['content-type'].slice(0, 64))}`)), true);
        req.destroy();
        return;
      }
      const access = this.opts.access;
      let caller = PUBLIC_CALLER(req);
      let gate: CallGate = { roles: [] };
      if (access) {
        const who = access.identify(req, false);
        if (!who.ok) {
          this.send(res, 401, errorResponse(null, new RpcError(RpcCodes.UNAUTHORIZED, 'unknown API key')), true, { 'www-authenticate': 'Bearer' });
          return;
        }
        // The first call's token is taken before the body is read: a caller with none left costs no parsing.
        const first = access.admit(who, 1);
        if (first.granted === 0) {
          const retry = { 'retry-after': String(Math.ceil(first.retryAfterMs / 1000)) };
          this.send(res, 429, errorResponse(null, rateLimited(first.retryAfterMs)), true, retry);
          return;
        }
        caller = who.caller;
        gate = { roles: who.caller.roles, admit: (n) => access.admit(who, n), prepaid: 1 };
      }
      const declared = Number(req.headers['content-length'] ?? NaN);
      const tooLarge = (): void => {
        this.send(res, 413, errorResponse(null, new RpcError(RpcCodes.REQUEST_TOO_LARGE, `request body exceeds ${this.opts.maxBodyBytes} bytes`)), true);
        req.destroy();
      };
      if (Number.isFinite(declared) && declared > this.opts.maxBodyBytes) return tooLarge();
      this.readBody(req, (body) => {
        // Runs from the request's events: nothing may throw out of here.
        try {
          if (body === 'too-large') return tooLarge();
          if (body === null) return; // the client went away, or was cut off by the deadline
          this.answer(res, handleJsonRpc(this.registry, this.context(req, caller), body, this.opts.maxBatch, gate));
        } catch {
          this.failed(res);
        }
      });
    } catch {
      this.failed(res);
    }
  }

  private answer(res: ServerResponse, out: MaybePromise<JsonRpcResponse | JsonRpcResponse[] | null>): void {
    if (out instanceof Promise) {
      out.then((o) => this.answer(res, o), () => this.failed(res));
      return;
    }
    try {
      if (out === null) res.writeHead(204).end();
      else this.send(res, 200, out);
    } catch {
      this.failed(res);
    }
  }

  /** The client went away mid-request, or a socket error: nothing more to answer. */
  private failed(res: ServerResponse): void {
    try {
      if (!res.headersSent) res.writeHead(500).end();
    } catch {
      // the socket is gone
    }
  }
}

interface PendingBody {
  readonly due: number;
  readonly expire: () => void;
}

/** The media types a JSON-RPC body may be sent as (parameters such as charset aside). */
const JSON_TYPES = new Set(['application/json', 'application/json-rpc', 'application/jsonrequest']);

export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const semi = header.indexOf(';');
  return JSON_TYPES.has((semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase());
}

/** One file of the console, held in memory. */
interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};

/** The pages may load their own files only, and connect only to this origin (HTTP and WebSocket: 'self' covers ws: there). */
const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Where the build writes the console (scripts/build-console.mjs): dist/console beside dist/rpc. */
export const CONSOLE_DIR = fileURLToPath(new URL('../console/', import.meta.url));

/**
 * The console's static files, read once from `dir` (at most 64 files of known types, 4 MiB
 * each), plus `extra` files given as text (the node's genesis.json, the pages' trust anchor).
 * A path is served only if it is one of these, so `..` and encoded tricks find nothing.
 */
export class ConsoleFiles {
  private constructor(private readonly files: ReadonlyMap<string, StaticFile>, readonly missing: string | null) {}

  static load(dir: string = CONSOLE_DIR, extra: Record<string, string> = {}): ConsoleFiles {
    const files = new Map<string, StaticFile>();
    const add = (path: string, body: Buffer): void => {
      const type = CONTENT_TYPES[extname(path)];
      if (type === undefined || files.size >= 64 || body.length > 4 * 1024 * 1024) return;
      files.set(path, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
    };
    const walk = (d: string, prefix: string, depth: number): void => {
      for (const name of readdirSync(d).sort()) {
        if (name.startsWith('.')) continue;
        const p = join(d, name);
        if (statSync(p).isDirectory()) {
          if (depth < 3) walk(p, `${prefix}${name}/`, depth + 1);
        } else add(`${prefix}${name}`, readFileSync(p));
      }
    };
    let missing: string | null = null;
    try {
      walk(dir, '', 0);
    } catch (e) {
      missing = `${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
    if (missing === null && !files.has('index.html')) missing = `${dir} has no index.html`;
    for (const [path, text] of Object.entries(extra)) add(path, Buffer.from(text, 'utf8'));
    return new ConsoleFiles(files, missing);
  }

  /** Answer a GET or HEAD for /console or /console/...: the file, 304, a redirect to /console/, or 404. */
  serve(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/console/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === '/console') {
      res.writeHead(301, { location: '/console/', 'content-length': '0' }).end();
      return;
    }
    const name = path === '/console/' ? 'index.html' : path.slice('/console/'.length);
    const file = this.files.get(name);
    const common = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'content-security-policy': CONSOLE_CSP };
    if (file === undefined) {
      const text = this.missing !== null && name === 'index.html' ? `the console is not built (${this.missing}): run npm run build\n` : 'not found\n';
      res.writeHead(404, { ...common, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text);
      return;
    }
    // Revalidated each time (names carry no hash): a rebuilt console is picked up on reload, an unchanged one costs a 304.
    const headers = { ...common, 'content-type': file.type, etag: file.etag, 'cache-control': 'no-cache' };
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(file.body.length) }).end(req.method === 'HEAD' ? undefined : file.body);
  }
}
