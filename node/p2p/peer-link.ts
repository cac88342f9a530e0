/**
 * One framed, batched, bounded message channel over a libp2p stream.
 *
 * Sending: messages are queued and written together on the next turn of the event loop, as
 * one buffer of up to `maxBatchBytes` (one small write per message costs ~30,000 writes/s on
 * this machine; coalesced, over 500,000 messages/s). When the stream asks for a drain, we
 * wait for its 'drain' event. We cap what we buffer ourselves (`maxQueuedBytes`): libp2p's
 * own queue does not push back reliably (@libp2p/utils 7.4.1's onDrain resolves at once after
 * the first drain), so a peer that cannot keep up is disconnected rather than allowed to grow
 * our memory without bound.
 *
 * Receiving: chunks are cut into frames (framing.ts); an oversized frame aborts the stream.
 */
import type { Stream } from '@libp2p/interface';
import { encodeFrames, FrameDecoder } from './framing.js';
import type { SovError } from '../../core/index.js';
import { NodeError } from '../errors.js';

export interface PeerLinkOptions {
  /** Largest frame accepted from the peer. */
  maxFrameBytes: number;
  /** Most bytes this side may hold queued for the peer before the link is dropped. */
  maxQueuedBytes: number;
  /** Largest single write. */
  maxBatchBytes: number;
  onFrame(frame: Uint8Array): void;
  onClose(reason: SovError | null): void;
}

export class LinkOverflowError extends NodeError {
  constructor(queued: number) {
    super('P2P_SEND_OVERFLOW', `the peer does not read fast enough: ${queued} bytes queued`, { queued }, 'ignore');
  }
}

type StreamChunk = Uint8Array | { subarray(): Uint8Array };

export class PeerLink {
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private scheduled = false;
  private waitingDrain = false;
  private closed = false;
  private readonly decoder: FrameDecoder;

  constructor(
    readonly stream: Stream,
    private readonly opts: PeerLinkOptions,
  ) {
    this.decoder = new FrameDecoder(opts.maxFrameBytes);
    stream.addEventListener('message', (ev) => this.receive((ev as unknown as { data: StreamChunk }).data));
    stream.addEventListener('drain', () => {
      this.waitingDrain = false;
      this.schedule();
    });
    stream.addEventListener('close', () => this.finish(null));
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  get queued(): number {
    return this.queuedBytes;
  }

  /** Queue one message. Returns false (and drops the link) if the peer is too far behind. */
  send(body: Uint8Array): boolean {
    if (this.closed) return false;
    this.queue.push(body);
    this.queuedBytes += body.length + 4;
    if (this.queuedBytes > this.opts.maxQueuedBytes) {
      this.abort(new LinkOverflowError(this.queuedBytes));
      return false;
    }
    this.schedule();
    return true;
  }

  /** Drop the link now, discarding what is queued. */
  abort(reason: SovError | null): void {
    if (this.closed) return;
    this.finish(reason); // first: aborting may emit 'close' synchronously
    try {
      this.stream.abort(reason ?? new Error('link closed'));
    } catch {
      // already closing
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    try {
      await this.stream.close();
    } catch {
      // the remote may already be gone
    }
    this.opts.onClose(null);
  }

  private receive(data: StreamChunk): void {
    if (this.closed) return;
    const chunk = data instanceof Uint8Array ? data : data.subarray();
    for (const f of this.decoder.push(chunk)) {
      if (this.closed) return;
      this.opts.onFrame(f);
    }
    if (this.decoder.error) this.abort(this.decoder.error);
  }

  private schedule(): void {
    if (this.scheduled || this.waitingDrain || this.closed || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (!this.closed && !this.waitingDrain && this.queue.length > 0) {
      const batch: Uint8Array[] = [];
      let bytes = 0;
      while (this.queue.length > 0 && (batch.length === 0 || bytes + this.queue[0]!.length + 4 <= this.opts.maxBatchBytes)) {
        const m = this.queue.shift()!;
        batch.push(m);
        bytes += m.length + 4;
      }
      this.queuedBytes -= bytes;
      let ok: boolean;
      try {
        ok = this.stream.send(encodeFrames(batch));
      } catch (e) {
        this.abort(new NodeError('P2P_SEND_FAILED', `send failed: ${(e as Error).message}`, {}, 'ignore'));
        return;
      }
      if (!ok) this.waitingDrain = true;
    }
  }

  private finish(reason: SovError | null): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.opts.onClose(reason);
  }
}
