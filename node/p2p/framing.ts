/**
 * Length-prefixed frames on a byte stream: each frame is a 4-byte big-endian length and that
 * many bytes. The decoder takes chunks as they arrive and returns whole frames; a frame
 * longer than the limit is a protocol violation (the peer is dropped), found from the
 * header alone, before any of its body is buffered.
 */
import { NodeError } from '../errors.js';

export const FRAME_HEADER_BYTES = 4;

export class FrameError extends NodeError {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super('P2P_BAD_FRAME', message, meta, 'reject');
  }
}

export function encodeFrame(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, FRAME_HEADER_BYTES);
  return out;
}

/** Concatenate several bodies as frames into one buffer (one write on the wire). */
export function encodeFrames(bodies: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const b of bodies) n += FRAME_HEADER_BYTES + b.length;
  const out = new Uint8Array(n);
  const view = new DataView(out.buffer);
  let o = 0;
  for (const b of bodies) {
    view.setUint32(o, b.length);
    out.set(b, o + FRAME_HEADER_BYTES);
    o += FRAME_HEADER_BYTES + b.length;
  }
  return out;
}

export class FrameDecoder {
  private chunks: Uint8Array[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes held waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Set once an oversized frame header was seen; the stream is unusable after it. */
  error: FrameError | null = null;

  /**
   * Add a chunk; return every frame it completes. On an oversized frame header, `error` is
   * set and the frames before it are still returned; later pushes return nothing.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.error) return [];
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Uint8Array[] = [];
    while (this.buffered >= FRAME_HEADER_BYTES) {
      const header = this.peek(FRAME_HEADER_BYTES);
      const len = new DataView(header.buffer, header.byteOffset, 4).getUint32(0);
      if (len > this.maxFrameBytes) {
        this.error = new FrameError(`frame of ${len} bytes exceeds the limit of ${this.maxFrameBytes}`, { length: len });
        this.chunks = [];
        this.buffered = 0;
        break;
      }
      if (this.buffered < FRAME_HEADER_BYTES + len) break;
      this.take(FRAME_HEADER_BYTES);
      frames.push(this.take(len));
    }
    return frames;
  }

  private peek(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    return this.gather(n, false);
  }

  private take(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const first = this.chunks[0]!;
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return first.slice(0, n);
    }
    if (first.length === n) {
      this.chunks.shift();
      this.buffered -= n;
      return first.slice();
    }
    return this.gather(n, true);
  }

  private gather(n: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(n);
    let o = 0;
    let i = 0;
    while (o < n) {
      const c = this.chunks[i]!;
      const k = Math.min(c.length, n - o);
      out.set(c.subarray(0, k), o);
      o += k;
      if (consume) {
        if (k === c.length) {
          this.chunks.shift();
        } else {
          this.chunks[0] = c.subarray(k);
        }
      } else {
        i++;
      }
    }
    if (consume) this.buffered -= n;
    return out;
  }
}
