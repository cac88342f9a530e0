/**
 * JSON-RPC over HTTP POST: bounded bodies (refused as soon as they pass the limit, from the
 * Content-Length header when there is one), slow clients cut off by request and header
 * timeouts, a connection cap, and CORS for the configured origins. Any other method or path
 * gets a plain HTTP error. The server never crashes on a request: every failure is a
 * JSON-RPC error or an HTTP status.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RpcCodes, RpcError } from './errors.js';
import { errorResponse, handleJsonRpc } from './jsonrpc.js';
import type { MethodRegistry } from './registry.js';

export interface HttpRpcOptions {
  host: string;
  port: number;
  maxBodyBytes: number;
  maxBatch: number;
  corsOrigins: readonly string[];
  maxConnections?: number;
  /** Whole-request deadline for a client (slow senders are cut off). */
  requestTimeoutMs?: number;
}

export class HttpRpcServer<C> {
  private server: Server | null = null;

  constructor(
    private readonly registry: MethodRegistry<C>,
    private readonly context: (req: IncomingMessage) => C,
    private readonly opts: HttpRpcOptions,
  ) {}

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
      (req, res) => void this.handle(req, res),
    );
    server.keepAliveTimeout = 5_000;
    server.maxConnections = this.opts.maxConnections ?? 1000;
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    this.server = server;
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
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
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

  private send(res: ServerResponse, status: number, body: unknown, close = false): void {
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(close ? { connection: 'close' } : {}) });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      this.cors(req, res);
      if (req.method === 'OPTIONS') {
        res.writeHead(204).end();
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST, OPTIONS' }).end();
        return;
      }
      const declared = Number(req.headers['content-length'] ?? NaN);
      const tooLarge = (): void => {
        this.send(res, 413, errorResponse(null, new RpcError(RpcCodes.REQUEST_TOO_LARGE, `request body exceeds ${this.opts.maxBodyBytes} bytes`)), true);
        req.destroy();
      };
      if (Number.isFinite(declared) && declared > this.opts.maxBodyBytes) return tooLarge();
      const chunks: Buffer[] = [];
      let size = 0;
      let aborted = false;
      // Node's own requestTimeout does not cover a body that stalls once the handler runs.
      const deadline = setTimeout(() => req.socket.destroy(), this.opts.requestTimeoutMs ?? 30_000);
      try {
        for await (const chunk of req) {
          size += (chunk as Buffer).length;
          if (size > this.opts.maxBodyBytes) {
            aborted = true;
            break;
          }
          chunks.push(chunk as Buffer);
        }
      } finally {
        clearTimeout(deadline);
      }
      if (aborted) return tooLarge();
      const out = await handleJsonRpc(this.registry, this.context(req), Buffer.concat(chunks).toString('utf8'), this.opts.maxBatch);
      if (out === null) res.writeHead(204).end();
      else this.send(res, 200, out);
    } catch {
      // The client went away mid-request, or a socket error: nothing to answer.
      if (!res.headersSent) res.writeHead(500).end();
    }
  }
}
