/**
 * The `ws` package's API as far as the SDK uses it (client.ts, resilient-socket.ts), over
 * the platform's own WebSocket: a bundler building for the browser takes this file for
 * `ws` (package.json "browser"), whose own browser build only throws. Node keeps `ws`.
 * A browser sends no headers on a WebSocket's upgrade, so a socket with an `apiKey` cannot
 * be opened from one (SovClient over HTTP sends it).
 */
import { SovError } from '../../core/index.js';

type Event = 'open' | 'message' | 'close' | 'error';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

export default class BrowserWebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  private readonly socket: WebSocket;

  constructor(url: string, opts: { headers?: Record<string, string> } = {}) {
    if (opts.headers !== undefined && Object.keys(opts.headers).length > 0) {
      throw new SovError('RPC_WS_HEADERS', 'a browser cannot send headers (an apiKey) on a WebSocket; use SovClient over HTTP for authenticated calls');
    }
    this.socket = new globalThis.WebSocket(url);
  }

  get readyState(): number {
    return this.socket.readyState;
  }

  on(event: Event, listener: Listener): this {
    return this.listen(event, listener, false);
  }

  once(event: Event, listener: Listener): this {
    return this.listen(event, listener, true);
  }

  /** Listeners get what `ws` gives: a message's data, a close's code and reason, an Error. */
  private listen(event: Event, listener: Listener, once: boolean): this {
    const handler = (e: { data?: unknown; code?: number; reason?: string }) => {
      if (event === 'message') listener(e.data);
      else if (event === 'close') listener(e.code, e.reason);
      else if (event === 'error') listener(new Error('WebSocket error'));
      else listener();
    };
    this.socket.addEventListener(event, handler as never, { once });
    return this;
  }

  /** As `ws`: an error to `cb` when the socket is not open (a browser's would drop the data unsaid). */
  send(data: string, cb?: (err?: Error) => void): void {
    if (this.socket.readyState !== BrowserWebSocket.OPEN) {
      cb?.(new Error(`WebSocket is not open: readyState ${this.socket.readyState}`));
      return;
    }
    try {
      this.socket.send(data);
    } catch (e) {
      cb?.(e as Error);
      return;
    }
    cb?.();
  }

  close(): void {
    this.socket.close();
  }
}
