/**
 * A WebSocket client that survives its connection: when the socket closes (a node restart,
 * a proxy cut, a network blip) it reconnects with backoff and resubscribes every
 * subscription from the block after the last one it delivered, so a handler sees each block
 * of its topic once, in height order, across any number of cuts. Every subscription is made
 * with an explicit `fromHeight` (the head's next block when none is given), so there is
 * always a height to resume from. Calls made while it is down fail at once with
 * NodeUnreachableError; `close()` ends it for good.
 */
import { SovError } from '../../core/index.js';
import { NodeUnreachableError, SovSocket, type Notification } from './client.js';

export type Topic = 'newBlocks' | 'account' | 'events' | 'alerts';
export interface SubscribeFilter {
  address?: string;
  module?: string;
  name?: string;
  institution?: string;
  account?: string;
  rule?: string;
}

export interface ResilientOptions {
  apiKey?: string;
  /** First and largest wait between reconnection attempts (default 200 ms and 5 s; doubling). */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Told of each state change: `down` (the socket closed; `attempt` counts tries), `up` (reconnected and resubscribed). */
  onState?: (state: 'down' | 'up', info: { attempt: number; error?: string }) => void;
}

interface Sub {
  readonly topic: Topic;
  readonly filter: SubscribeFilter;
  readonly handler: (n: Notification) => void;
  /** The next height to deliver. */
  next: number;
  /** Its id on the current connection. */
  remote: string | null;
}

const heightOf = (r: unknown): number | undefined => {
  const o = r as { height?: unknown; header?: { height?: unknown } } | null;
  const h = o?.height ?? o?.header?.height;
  return typeof h === 'number' ? h : undefined;
};

export class ResilientSocket {
  private socket: SovSocket | null = null;
  private readonly subs = new Map<string, Sub>();
  private seq = 0;
  private closed = false;
  private reconnecting: Promise<void> | null = null;

  private constructor(
    readonly url: string,
    private readonly opts: ResilientOptions,
  ) {}

  static async connect(url: string, opts: ResilientOptions = {}): Promise<ResilientSocket> {
    const r = new ResilientSocket(url, opts);
    await r.open();
    return r;
  }

  private async open(): Promise<void> {
    let s: SovSocket;
    try {
      s = await SovSocket.connect(this.url, this.opts.apiKey ? { apiKey: this.opts.apiKey } : {});
    } catch (e) {
      throw new NodeUnreachableError(this.url, (e as Error)?.message ?? String(e));
    }
    this.socket = s;
    s.ws.once('close', () => {
      if (this.socket === s) this.socket = null;
      if (!this.closed) void this.reconnect();
    });
    for (const sub of this.subs.values()) await this.attach(sub, s);
  }

  /** Subscribe `sub` on socket `s` from its next height. */
  private async attach(sub: Sub, s: SovSocket): Promise<void> {
    sub.remote = null;
    sub.remote = await s.subscribe(sub.topic, { ...sub.filter, fromHeight: sub.next }, (n) => {
      if (n.error) return sub.handler(n);
      const h = heightOf(n.result);
      if (h !== undefined) {
        if (h < sub.next) return; // delivered before the cut
        sub.next = h + 1;
      }
      sub.handler(n);
    });
  }

  private reconnect(): Promise<void> {
    this.reconnecting ??= (async () => {
      let delay = this.opts.minDelayMs ?? 200;
      for (let attempt = 1; !this.closed; attempt++) {
        this.opts.onState?.('down', { attempt });
        try {
          await this.open();
          this.opts.onState?.('up', { attempt });
          return;
        } catch (e) {
          this.opts.onState?.('down', { attempt, error: (e as Error).message });
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, this.opts.maxDelayMs ?? 5_000);
        }
      }
    })().finally(() => {
      this.reconnecting = null;
    });
    return this.reconnecting;
  }

  private live(): SovSocket {
    if (this.closed) throw new SovError('RPC_CLOSED', 'the socket was closed');
    if (this.socket === null) throw new NodeUnreachableError(this.url, 'reconnecting');
    return this.socket;
  }

  call<T = unknown>(method: string, params: unknown[] | Record<string, unknown> = []): Promise<T> {
    return this.live().call<T>(method, params);
  }

  /**
   * Subscribe to `topic` from `fromHeight` (default: the head's next block); `handler` gets
   * each block's notification once, in height order, across reconnections. Returns a local
   * id for unsubscribe.
   */
  async subscribe(topic: Topic, filter: SubscribeFilter & { fromHeight?: number }, handler: (n: Notification) => void): Promise<string> {
    const s = this.live();
    const { fromHeight, ...rest } = filter;
    const next = fromHeight ?? (await s.status()).height + 1;
    const id = `r${++this.seq}`;
    const sub: Sub = { topic, filter: rest, handler, next, remote: null };
    this.subs.set(id, sub);
    try {
      await this.attach(sub, s);
    } catch (e) {
      // The connection went down meanwhile: the reconnection attaches it; anything else is the caller's.
      if (this.closed || this.socket === s) {
        this.subs.delete(id);
        throw e;
      }
    }
    return id;
  }

  async unsubscribe(id: string): Promise<boolean> {
    const sub = this.subs.get(id);
    if (sub === undefined) return false;
    this.subs.delete(id);
    if (this.socket !== null && sub.remote !== null) await this.socket.unsubscribe(sub.remote).catch(() => false);
    return true;
  }

  /** Close for good: no reconnection. */
  async close(): Promise<void> {
    this.closed = true;
    const s = this.socket;
    this.socket = null;
    if (s !== null) await s.close();
  }
}
