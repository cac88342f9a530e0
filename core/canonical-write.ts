/**
 * The fast path of canonical encoding, the mirror of canonical-read.ts: one pass over a wire
 * value (what a schema's toWire gives) that writes exactly the bytes msgpackr's pack writes
 * with the project's configuration (codec.ts PACKR_OPTIONS), for the simple forms only, and
 * returns WRITE_GIVE_UP for anything else; the caller then encodes with msgpackr, which stays
 * the definition of the format. msgpackr's pack goes through its extension machinery for
 * every byte array (a closure and several objects per field); records and receipts are
 * mostly byte fields, so this path costs a fraction of it.
 *
 * Written here: null, booleans, integers 0 .. 2^32-1 (positive fixint up to 0x7f, then
 * uint 8/16/32), bigints in the int64 range (always int64, 0xd3, eight bytes), strings of
 * ASCII characters (fixstr, str 8/16/32 by length), Uint8Arrays and Buffers (bin 8/16/32)
 * and plain arrays (fixarray, array 16/32). Given up: negative or fractional numbers and
 * integers from 2^32 (msgpackr writes those as signed forms or doubles), bigints outside
 * int64 (msgpackr's bigint extension), non-ASCII strings (msgpackr encodes short and long
 * strings differently when they hold lone surrogates), undefined, other typed arrays,
 * objects. core/test/canonical-write.test.ts compares the two byte for byte.
 *
 * The result is a Buffer view of a shared slab, as msgpackr's own results are views of its
 * buffer: off V8's heap (so LevelDB's binding takes it without a copy) and cheap to make.
 */
export const WRITE_GIVE_UP: unique symbol = Symbol('give up writing');

const SLAB_BYTES = 64 * 1024;
/** Results larger than this get their own buffer instead of a piece of the slab. */
const OWN_BUFFER_BYTES = 4096;

let out = new Uint8Array(64 * 1024);
let view = new DataView(out.buffer);
let pos = 0;
let gaveUp = false;

let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let slabUsed = 0;

function room(n: number): void {
  if (pos + n <= out.length) return;
  let size = out.length * 2;
  while (size < pos + n) size *= 2;
  const bigger = new Uint8Array(size);
  bigger.set(out.subarray(0, pos));
  out = bigger;
  view = new DataView(out.buffer);
}

function giveUp(): void {
  gaveUp = true;
}

function header(n: number, fix: number, fixMax: number, c8: number | null, c16: number, c32: number): void {
  room(5);
  if (n <= fixMax) out[pos++] = fix | n;
  else if (c8 !== null && n < 0x100) {
    out[pos++] = c8;
    out[pos++] = n;
  } else if (n < 0x10000) {
    out[pos++] = c16;
    out[pos++] = n >> 8;
    out[pos++] = n & 0xff;
  } else {
    out[pos++] = c32;
    view.setUint32(pos, n);
    pos += 4;
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_END = 2n ** 63n;

function write(v: unknown): void {
  if (gaveUp) return;
  switch (typeof v) {
    case 'number':
      if (v >>> 0 !== v) return giveUp();
      room(5);
      if (v < 0x80) out[pos++] = v;
      else if (v < 0x100) {
        out[pos++] = 0xcc;
        out[pos++] = v;
      } else if (v < 0x10000) {
        out[pos++] = 0xcd;
        out[pos++] = v >> 8;
        out[pos++] = v & 0xff;
      } else {
        out[pos++] = 0xce;
        view.setUint32(pos, v);
        pos += 4;
      }
      return;
    case 'bigint':
      if (v < INT64_MIN || v >= INT64_END) return giveUp();
      room(9);
      out[pos++] = 0xd3;
      view.setBigInt64(pos, v);
      pos += 8;
      return;
    case 'string': {
      const n = v.length;
      // ASCII: one byte per character, so the length is known before the header.
      header(n, 0xa0, 0x1f, 0xd9, 0xda, 0xdb);
      room(n);
      for (let i = 0; i < n; i++) {
        const c = v.charCodeAt(i);
        if (c >= 0x80) return giveUp();
        out[pos++] = c;
      }
      return;
    }
    case 'boolean':
      room(1);
      out[pos++] = v ? 0xc3 : 0xc2;
      return;
    case 'object': {
      if (v === null) {
        room(1);
        out[pos++] = 0xc0;
        return;
      }
      const ctor = (v as object).constructor;
      if (ctor === Array) {
        const a = v as unknown[];
        header(a.length, 0x90, 0x0f, null, 0xdc, 0xdd);
        for (let i = 0; i < a.length && !gaveUp; i++) write(a[i]);
        return;
      }
      if (ctor === Uint8Array || ctor === Buffer) {
        const b = v as Uint8Array;
        header(b.length, 0, -1, 0xc4, 0xc5, 0xc6);
        room(b.length);
        out.set(b, pos);
        pos += b.length;
        return;
      }
      return giveUp();
    }
    default:
      return giveUp();
  }
}

/** msgpackr's encoding of `wire` (PACKR_OPTIONS), or WRITE_GIVE_UP for a form not written here. */
export function writeCanonicalWire(wire: unknown): Uint8Array | typeof WRITE_GIVE_UP {
  pos = 0;
  gaveUp = false;
  write(wire);
  if (gaveUp) return WRITE_GIVE_UP;
  const n = pos;
  if (n > OWN_BUFFER_BYTES) return Buffer.from(out.subarray(0, n));
  if (slabUsed + n > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabUsed = 0;
  }
  const result = slab.subarray(slabUsed, slabUsed + n);
  result.set(out.subarray(0, n));
  slabUsed += n;
  return result;
}
