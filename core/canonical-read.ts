/**
 * The fast path of canonical decoding: one pass over the bytes that builds the wire value
 * (what msgpackr's unpack gives) and accepts only the forms msgpackr's pack writes, so a
 * value read here needs neither the structure scan nor the re-encode comparison.
 *
 * It reads only the simple forms, each in its shortest encoding: nil, false, true, positive
 * fixint, uint 8/16/32, non-negative int64 (0xd3, how every bigint below 2^63 is written),
 * str, bin and arrays (with valid UTF-8, lengths inside the input, nesting shallower than
 * the scan's limit), and the value must end exactly at the end of the input. For anything
 * else (a longer form than needed, negative or floating-point numbers, maps, extensions,
 * uint64, truncation, trailing bytes, bad UTF-8) it returns GIVE_UP, and the caller runs the
 * full path, which then fails or succeeds exactly as it always has (with its own error).
 *
 * That a value read here re-encodes to the same bytes is the schema's part: codec.ts reads
 * it with core's own schemas in their FAST_READ mode (schema.ts), which refuse the integer
 * forms a field does not write (a bigint field's value as a fixint, a number field's as an
 * int64 below 2^32); a refusal, too, sends the bytes down the full path.
 */
import { isUtf8 } from './platform.js';

export const GIVE_UP: unique symbol = Symbol('give up');

/** Below the scan's nesting limit (codec.ts MAX_DEPTH), so everything read here also passes the scan. */
const MAX_NESTING = 30;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

let src: Uint8Array = new Uint8Array(0);
let pos = 0;
let end = 0;
let failed = false;

/** Whether byte strings are read as views into the input (`readCanonicalWire`'s `alias`). */
let aliasBins = false;

/**
 * The wire value of `bytes` if it is one value in the simple canonical forms, else GIVE_UP.
 * Byte strings are copies, or with `alias` views into `bytes` (for a caller that keeps
 * `bytes` unchanged as long as the value lives, and holds on to all of it anyway).
 */
export function readCanonicalWire(bytes: Uint8Array, alias = false): unknown {
  aliasBins = alias;
  src = bytes;
  pos = 0;
  end = bytes.length;
  failed = false;
  let v: unknown;
  try {
    v = read(0);
  } catch {
    failed = true;
  } finally {
    src = EMPTY;
  }
  return failed || pos !== end ? GIVE_UP : v;
}

const EMPTY = new Uint8Array(0);

function fail(): null {
  failed = true;
  pos = end;
  return null;
}

function uintAt(n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + src[pos + i]!;
  pos += n;
  return v;
}

function readString(n: number): string | null {
  if (n > end - pos) return fail();
  const start = pos;
  pos += n;
  let ascii = true;
  for (let i = start; i < pos; i++) {
    if (src[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    if (n <= 64) {
      let s = '';
      for (let i = start; i < pos; i++) s += String.fromCharCode(src[i]!);
      return s;
    }
    return utf8Decoder.decode(src.subarray(start, pos));
  }
  const part = src.subarray(start, pos);
  if (!isUtf8(part)) return fail();
  return utf8Decoder.decode(part);
}

function readBin(n: number): Uint8Array | null {
  if (n > end - pos) return fail();
  // A copy, as msgpackr's unpack gives with copyBuffers (the value outlives the input),
  // unless the caller asked for views.
  const out = aliasBins ? src.subarray(pos, pos + n) : src.slice(pos, pos + n);
  pos += n;
  return out;
}

function readArray(n: number, depth: number): unknown[] | null {
  // Each element takes at least one byte: a count beyond the input is a lie.
  if (n > end - pos || depth >= MAX_NESTING) return fail();
  const out = new Array<unknown>(n);
  for (let i = 0; i < n && !failed; i++) out[i] = read(depth + 1);
  return out;
}

function read(depth: number): unknown {
  if (pos >= end) return fail();
  const b = src[pos++]!;
  if (b < 0x80) return b;
  if (b >= 0x90 && b <= 0x9f) return readArray(b & 0x0f, depth);
  if (b >= 0xa0 && b <= 0xbf) return readString(b & 0x1f);
  switch (b) {
    case 0xc0: return null;
    case 0xc2: return false;
    case 0xc3: return true;
    case 0xc4: return pos + 1 <= end ? readBin(uintAt(1)) : fail();
    case 0xc5: { if (pos + 2 > end) return fail(); const n = uintAt(2); return n < 0x100 ? fail() : readBin(n); }
    case 0xc6: { if (pos + 4 > end) return fail(); const n = uintAt(4); return n < 0x1_0000 ? fail() : readBin(n); }
    case 0xcc: { if (pos + 1 > end) return fail(); const v = uintAt(1); return v < 0x80 ? fail() : v; }
    case 0xcd: { if (pos + 2 > end) return fail(); const v = uintAt(2); return v < 0x100 ? fail() : v; }
    case 0xce: { if (pos + 4 > end) return fail(); const v = uintAt(4); return v < 0x1_0000 ? fail() : v; }
    case 0xd3: {
      // int64, non-negative: how msgpackr writes every bigint below 2^63 (and so `uint` its
      // values above 2^32 - 1). Read as a bigint, as msgpackr reads it; whether the form is
      // the field's own is the schema's to say (FAST_READ in schema.ts).
      if (pos + 8 > end || src[pos]! >= 0x80) return fail();
      const hi = uintAt(4);
      const lo = uintAt(4);
      return (BigInt(hi) << 32n) | BigInt(lo);
    }
    case 0xd9: { if (pos + 1 > end) return fail(); const n = uintAt(1); return n < 0x20 ? fail() : readString(n); }
    case 0xda: { if (pos + 2 > end) return fail(); const n = uintAt(2); return n < 0x100 ? fail() : readString(n); }
    case 0xdb: { if (pos + 4 > end) return fail(); const n = uintAt(4); return n < 0x1_0000 ? fail() : readString(n); }
    case 0xdc: { if (pos + 2 > end) return fail(); const n = uintAt(2); return n < 0x10 ? fail() : readArray(n, depth); }
    case 0xdd: { if (pos + 4 > end) return fail(); const n = uintAt(4); return n < 0x1_0000 ? fail() : readArray(n, depth); }
    default: return fail();
  }
}
