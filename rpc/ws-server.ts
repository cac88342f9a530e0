/**
 * JSON-RPC over WebSocket at the HTTP server's address, with subscriptions. Every message is
 * a JSON-RPC request or batch, answered like HTTP (same registry, limits and errors).
 * A subscription is a cursor (the next height to deliver) and a filter: it reads committed
 * blocks from the facade in height order, from the store when behind and as each commit
 * arrives when caught up, so a client resuming with `fromHeight` gets every block exactly
 * once, in order. A client that reads slowly is not buffered for: delivery pauses while its
 * socket holds more than `maxQueuedBytes`, and resumes from the cursor. Limits: connections,
 * message size, subscriptions and in-flight calls per connection; idle clients cost a socket
 * and a heartbeat ping. Access control is the HTTP server's: the upgrade request's API key
 * (headers, or the `api_key` query parameter) names the caller for the connection's life, an
 * unknown key is refused with 401, and every call of every message takes a rate-limit token.
 * The `alerts` topic reads each block's compliance alerts and holds through comp-query.ts
 * (sov_subscribe has checked the caller may follow them).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AccessControl, ApiKey, Caller } from './access.js';
import { isPrunedError, prunedError, RpcCodes, RpcError } from './errors.js';
import { compQueriesOf } from './comp-query.js';
import type { BlockActivity, NodeFacade } from './facade.js';
import { errorResponse, handleJsonRpc, responseJson, type CallGate } from './jsonrpc.js';
import { PUBLIC_CALLER, type HttpRpcServer } from './http-server.js';
import type { RpcContext } from './methods/chain.js';
import type { SubscribeFilter, Subscriptions, Topic } from './methods/subscribe.js';
import type { MethodRegistry } from './registry.js';

export interface WsRpcOptions {
  maxConnections: number;
  maxMessageBytes: number;
  maxBatch: number;
  /** Bytes a connection may have queued before subscription delivery pauses (and calls are refused). */
  maxQueuedBytes: number;
  maxSubscriptions: number;
  maxInFlight?: number;
  corsOrigins: readonly string[];
  /** Also accept upgrades whose Origin is this server's own (the console's pages, served here: `[rpc] console`). */
  allowSameOrigin?: boolean;
  heartbeatMs?: number;
}

interface Sub {
  id: string;
  topic: Topic;
  filter: SubscribeFilter;
  addrHex: string | null;
  next: number;
  running: boolean;
  again: boolean;
  timer: NodeJS.Timeout | null;
  closed: boolean;
}

/** Does the 0x-hex `data` contain the byte string `needle` (hex, no 0x) at a byte boundary? */
function hexContains(data: string, needle: string): boolean {
  for (let i = data.indexOf(needle, 2); i >= 0; i = data.indexOf(needle, i + 1)) if (i % 2 === 0) return true;
  return false;
}

/** The notification payload of one block for `sub`, or null when nothing in it matches. */
function payload(sub: Sub, a: BlockActivity, facade: NodeFacade): unknown {
  const h = a.block.header.height;
  if (sub.topic === 'newBlocks') return a.block;
  if (sub.topic === 'alerts') return compQueriesOf(facade).blockAlerts(a, sub.filter);
  if (sub.topic === 'account') {
    const txs = a.txs.filter((t) => t.signer === sub.filter.address || (sub.addrHex !== null && t.events.some((e) => hexContains(e.data, sub.addrHex!))));
    return txs.length ? { height: h, blockHash: a.block.hash, txs } : null;
  }
  const events = a.txs.flatMap((t) => t.events.map((e, event) => ({ txHash: t.hash, index: t.index, event, ...e })))
    .filter((e) => e.module === sub.filter.module && (sub.filter.name === undefined || e.name === sub.filter.name));
  return events.length ? { height: h, blockHash: a.block.hash, events } : null;
}

export class WsRpcServer {
  private wss: WebSocketServer | null = null;
  private readonly conns = new Set<WebSocket>();
  /** The API key each keyed connection was opened with. */
  private readonly keyOf = new Map<WebSocket, ApiKey>();
  private heartbeat: NodeJS.Timeout | null = null;
  /** Recent blocks' activity, shared by every subscriber (they read the same heights). */
  private readonly cache = new Map<number, Promise<BlockActivity | null>>();
  private unHead: (() => void) | null = null;
  private readonly onHeadHooks = new Set<() => void>();
  private nextId = 1;
  private access: AccessControl | undefined;

  constructor(
    private readonly registry: MethodRegistry<RpcContext>,
    private readonly facade: NodeFacade,
    /** Decode a bech32m address to hex (no 0x), for matching it inside event data; throws if invalid. */
    private readonly addressHex: (address: string) => string,
    private readonly opts: WsRpcOptions,
  ) {}

  get connections(): number {
    return this.conns.size;
  }

  /** Attach to a started HTTP RPC server: upgrades on any path become JSON-RPC WebSockets. */
  attach(http: HttpRpcServer<RpcContext>): void {
    const server = http.httpServer;
    if (!server) throw new Error('start the HTTP server before attaching WebSockets');
    this.access = http.access;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.opts.maxMessageBytes, perMessageDeflate: false });
    // Upgraded sockets still count against the HTTP server's connection cap.
    server.maxConnections += this.opts.maxConnections;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.unHead = this.facade.onHead(() => {
      for (const f of this.onHeadHooks) f();
    });
    this.heartbeat = setInterval(() => this.beat(), this.opts.heartbeatMs ?? 30_000);
    this.heartbeat.unref();
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.unHead?.();
    for (const ws of this.conns) ws.terminate();
    this.conns.clear();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
    this.wss = null;
  }

  private refuse(socket: Duplex, status: string): void {
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const wss = this.wss;
    if (!wss) return this.refuse(socket, '503 Service Unavailable');
    const origin = req.headers.origin;
    const sameOrigin = this.opts.allowSameOrigin === true && req.headers.host !== undefined && (origin === `http://${req.headers.host}` || origin === `https://${req.headers.host}`);
    if (origin && !sameOrigin && !this.opts.corsOrigins.includes('*') && !this.opts.corsOrigins.includes(origin)) return this.refuse(socket, '403 Forbidden');
    if (this.conns.size >= this.opts.maxConnections) return this.refuse(socket, '503 Service Unavailable');
    let who: { caller: Caller; apiKey: ApiKey | null } = { caller: PUBLIC_CALLER(req), apiKey: null };
    if (this.access) {
      const id = this.access.identify(req, true);
      if (!id.ok) return this.refuse(socket, '401 Unauthorized');
      who = id;
    }
    wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, who));
  }

  private beat(): void {
    for (const ws of this.conns) {
      const w = ws as WebSocket & { alive?: boolean };
      if (w.alive === false) {
        ws.terminate();
        continue;
      }
      w.alive = false;
      ws.ping();
    }
  }

  private activity(h: number): Promise<BlockActivity | null> {
    let p = this.cache.get(h);
    if (!p) {
      p = this.facade.activity(h);
      p.catch(() => this.cache.delete(h));
      this.cache.set(h, p);
      if (this.cache.size > 256) this.cache.delete(this.cache.keys().next().value!);
    }
    return p;
  }

  /** Close the connections opened with an API key no longer in force (after a reload); returns how many. */
  closeRevoked(): number {
    let n = 0;
    for (const [ws, key] of this.keyOf) {
      if (this.access?.isCurrent(key)) continue;
      ws.close(1008, 'API key revoked or changed');
      this.keyOf.delete(ws);
      n++;
    }
    return n;
  }

  private serve(ws: WebSocket, who: { caller: Caller; apiKey: ApiKey | null }): void {
    this.conns.add(ws);
    if (who.apiKey) this.keyOf.set(ws, who.apiKey);
    const subs = new Map<string, Sub>();
    let inFlight = 0;
    const w = ws as WebSocket & { alive?: boolean };
    w.alive = true;
    ws.on('pong', () => (w.alive = true));

    const sendText = (text: string): void => {
      if (ws.readyState === ws.OPEN) ws.send(text);
    };
    const send = (msg: unknown): void => sendText(JSON.stringify(msg));
    const pump = async (sub: Sub): Promise<void> => {
      if (sub.running) {
        sub.again = true;
        return;
      }
      sub.running = true;
      try {
        do {
          sub.again = false;
          while (!sub.closed && sub.next <= this.facade.head()) {
            if (ws.bufferedAmount > this.opts.maxQueuedBytes) {
              // The client reads slowly: hold the cursor and look again later.
              sub.timer ??= setTimeout(() => {
                sub.timer = null;
                void pump(sub);
              }, 100);
              return;
            }
            const a = await this.activity(sub.next);
            if (sub.closed) return;
            const p = a ? payload(sub, a, this.facade) : null;
            const result = p instanceof Promise ? await p : p;
            if (sub.closed) return;
            if (result !== null) send({ jsonrpc: '2.0', method: 'sov_subscription', params: { subscription: sub.id, result } });
            sub.next++;
          }
        } while (sub.again && !sub.closed);
      } catch (e) {
        // A store error (e.g. a pruned or missing height): end this subscription, tell the client
        // (a pruned height as PRUNED, naming the oldest kept).
        sub.closed = true;
        subs.delete(sub.id);
        const pruned = isPrunedError(e) ? prunedError(e) : null;
        const error = pruned !== null
          ? { code: pruned.rpcCode, message: `subscription ended at height ${sub.next}: ${pruned.message}`, data: pruned.data }
          : { code: RpcCodes.UNAVAILABLE, message: `subscription ended at height ${sub.next}` };
        send({ jsonrpc: '2.0', method: 'sov_subscription', params: { subscription: sub.id, error } });
      } finally {
        sub.running = false;
      }
    };
    const wake = (): void => {
      for (const s of subs.values()) void pump(s);
    };
    this.onHeadHooks.add(wake);

    const host: Subscriptions = {
      subscribe: (topic, filter, fromHeight) => {
        if (subs.size >= this.opts.maxSubscriptions) throw new RpcError(RpcCodes.RATE_LIMITED, `at most ${this.opts.maxSubscriptions} subscriptions per connection`);
        let addrHex: string | null = null;
        if (filter.address) {
          try {
            addrHex = this.addressHex(filter.address);
          } catch (e) {
            throw new RpcError(RpcCodes.INVALID_PARAMS, `bad address: ${(e as Error).message}`);
          }
        }
        const id = '0x' + (this.nextId++).toString(16);
        const sub: Sub = { id, topic, filter, addrHex, next: fromHeight ?? this.facade.head() + 1, running: false, again: false, timer: null, closed: false };
        subs.set(id, sub);
        // After the reply to sov_subscribe has been sent.
        setImmediate(() => void pump(sub));
        return id;
      },
      unsubscribe: (id) => {
        const s = subs.get(id);
        if (!s) return false;
        s.closed = true;
        if (s.timer) clearTimeout(s.timer);
        subs.delete(id);
        return true;
      },
    };
    const ctx: RpcContext = { facade: this.facade, subscriptions: host, caller: who.caller, ...(this.access ? { access: this.access } : {}) };
    const access = this.access;
    const gate: CallGate = { roles: who.caller.roles, ...(access ? { admit: (n: number) => access.admit(who, n) } : {}) };

    ws.on('message', (data, isBinary) => {
      if (who.apiKey && access && !access.isCurrent(who.apiKey)) {
        ws.close(1008, 'API key revoked or changed');
        return;
      }
      if (ws.bufferedAmount > this.opts.maxQueuedBytes || inFlight >= (this.opts.maxInFlight ?? 64)) {
        send(errorResponse(null, new RpcError(RpcCodes.RATE_LIMITED, 'too many calls in flight on this connection')));
        return;
      }
      const text = isBinary ? '' : (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8');
      inFlight++;
      void Promise.resolve()
        .then(() => handleJsonRpc(this.registry, ctx, text, this.opts.maxBatch, gate))
        .then((out) => {
          if (out !== null) sendText(responseJson(out));
        })
        .catch(() => send(errorResponse(null, new RpcError(RpcCodes.INTERNAL_ERROR, 'internal error'))))
        .finally(() => inFlight--);
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      this.conns.delete(ws);
      this.keyOf.delete(ws);
      this.onHeadHooks.delete(wake);
      for (const s of subs.values()) {
        s.closed = true;
        if (s.timer) clearTimeout(s.timer);
      }
      subs.clear();
    });
  }
}
