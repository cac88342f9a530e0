/**
 * Small byte helpers used everywhere: hex in and out (0x-prefixed at the edges), comparison,
 * concatenation. Inputs from the outside world are checked and fail with a typed error.
 */
import { FormatError, ErrorCodes } from './errors.js';
import { decodeHex } from './platform.js';

/** Node's native hex encoder, which takes any Uint8Array (no Buffer view made per call). */
const hexSlice = (Buffer.prototype as unknown as { hexSlice?: (this: Uint8Array, start: number, end: number) => string }).hexSlice;

export function toHex(bytes: Uint8Array): string {
  if (hexSlice !== undefined) return hexSlice.call(bytes, 0, bytes.length);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** `0x`-prefixed lower-case hex, the form used at the RPC boundary. */
export function to0x(bytes: Uint8Array): string {
  return '0x' + toHex(bytes);
}

/** Parse hex (with or without `0x`); `expectedLength` in bytes, when given, is enforced. */
export function fromHex(hex: string, expectedLength?: number): Uint8Array {
  const body = typeof hex === 'string' && hex.startsWith('0x') ? hex.slice(2) : hex;
  // The decoder stops at the first pair that is not hex, so a whole decode is the check.
  const decoded = typeof body === 'string' && body.length % 2 === 0 ? decodeHex(body) : null;
  if (decoded === null || decoded.length * 2 !== body.length) {
    throw new FormatError(ErrorCodes.HEX_INVALID, 'not an even-length hex string', { value: String(hex).slice(0, 80) });
  }
  const out = new Uint8Array(decoded);
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new FormatError(ErrorCodes.HEX_INVALID, `expected ${expectedLength} bytes, got ${out.length}`, {
      expected: expectedLength,
      actual: out.length,
    });
  }
  return out;
}

/** Byte equality (not constant-time: secrets are compared with node:crypto's timingSafeEqual). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  // Hashes, keys and addresses: a loop beats making a Buffer view for a native compare.
  if (n > 64) return Buffer.from(a.buffer, a.byteOffset, n).equals(b);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic order, then length: the byte order of sorted sets and keys. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const encoder = new TextEncoder();
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** A plain Uint8Array view (not a Buffer subclass) over the same memory. */
export function plainBytes(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
