/**
 * The canonical codec: every byte string that is hashed, signed, stored or sent is produced
 * here. It is msgpackr with one fixed configuration (`PACKR_OPTIONS`), driven by a schema
 * (see schema.ts) that turns objects into arrays in a documented field order.
 *
 * Decoding accepts only the canonical form. Before msgpackr sees a byte, `scanStructure`
 * walks the message and rejects truncation, trailing bytes, excessive nesting, lengths that
 * overrun the buffer, invalid UTF-8, and every msgpack type we never write (maps, floats,
 * extensions other than msgpackr's bigint extension). After msgpackr decodes and the schema
 * checks types and ranges, the value is encoded again and must equal the input byte for
 * byte: that rejects every non-minimal integer, length prefix or bigint form. So each value
 * has exactly one byte form, and every accepted input re-encodes to itself.
 * For core's own schemas a fast path (canonical-read.ts, then the schema in its FAST_READ
 * mode) gets the same answer in one pass over the bytes, without the scan, msgpackr or the
 * re-encoding; it hands anything unusual to the full path. Encoding has the same kind of
 * fast path (canonical-write.ts): the simple forms written directly, byte for byte what
 * msgpackr writes, and msgpackr for everything else.
 * The wire format is specified in docs/encoding.md and pinned by core/test/vectors/codec.json.
 */
import { Packr } from 'msgpackr';
import { CodecError, ErrorCodes } from './errors.js';
import { isUtf8 } from './platform.js';
import { equalBytes, plainBytes } from './bytes.js';
import { fastDecodable, FAST_READ, NO_PATH, type Schema } from './schema.js';
import { GIVE_UP, readCanonicalWire } from './canonical-read.js';
import { WRITE_GIVE_UP, writeCanonicalWire } from './canonical-write.js';

/** The one msgpackr configuration of the project. Changing any of it is a hard fork. */
export const PACKR_OPTIONS = Object.freeze({
  useRecords: false,
  moreTypes: false,
  structuredClone: false,
  bundleStrings: false,
  int64AsType: 'bigint' as const,
  useBigIntExtension: true,
  copyBuffers: true,
  encodeUndefinedAsNil: false,
});

const packr = new Packr({ ...PACKR_OPTIONS });

/** msgpackr's extension type for bigints beyond 64 bits. */
const BIGINT_EXT_TYPE = 0x42;
const MAX_BIGINT_EXT_BYTES = 64;
export const MAX_DEPTH = 32;
/** Default cap on one decoded message. Callers pass tighter caps where they know better. */
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

/** Encode a wire value (arrays, strings, bytes, numbers, bigints, booleans, null). */
export function packWire(wire: unknown): Uint8Array {
  const fast = writeCanonicalWire(wire);
  return fast !== WRITE_GIVE_UP ? fast : packr.pack(wire);
}

/** Encode `value` canonically under `schema`. Throws CodecError for a value the schema refuses. */
export function encode<T>(schema: Schema<T>, value: T): Uint8Array {
  return packWire(toWire(schema, value));
}

/** `schema.toWire` without building field paths; a refused value is checked again with them, for the error. */
function toWire<T>(schema: Schema<T>, value: T): unknown {
  try {
    return schema.toWire(value, NO_PATH);
  } catch {
    return schema.toWire(value, schema.name);
  }
}

/** `schema.fromWire` the same way. */
function fromWire<T>(schema: Schema<T>, wire: unknown): T {
  try {
    return schema.fromWire(wire, NO_PATH);
  } catch {
    return schema.fromWire(wire, schema.name);
  }
}

/**
 * Decode bytes that must be the canonical encoding of a `schema` value. Every failure is a
 * CodecError with a stable code; nothing else is thrown for any input.
 */
export function decode<T>(schema: Schema<T>, bytes: Uint8Array, maxBytes: number = DEFAULT_MAX_BYTES): T {
  return decodeWith(schema, bytes, maxBytes, false);
}

/**
 * `decode` for bytes the caller keeps, unchanged, for as long as the value lives (a Tx or a
 * Block keeps the bytes it was decoded from): the value's byte fields may be views into
 * `bytes` instead of copies. Never for a buffer that is reused, or much larger than what
 * the value keeps (a view holds the whole buffer in memory).
 */
export function decodeOwned<T>(schema: Schema<T>, bytes: Uint8Array, maxBytes: number = DEFAULT_MAX_BYTES): T {
  return decodeWith(schema, bytes, maxBytes, true);
}

function decodeWith<T>(schema: Schema<T>, bytes: Uint8Array, maxBytes: number, alias: boolean): T {
  if (!(bytes instanceof Uint8Array)) {
    throw new CodecError(ErrorCodes.CODEC_WRONG_TYPE, `${schema.name}: input is not a byte array`);
  }
  if (bytes.length > maxBytes) {
    throw new CodecError(ErrorCodes.CODEC_TOO_LARGE, `${schema.name}: ${bytes.length} bytes exceeds the limit of ${maxBytes}`, {
      size: bytes.length,
      limit: maxBytes,
    });
  }
  if (fastDecodable(schema)) {
    // One pass that accepts only shortest forms (canonical-read.ts), read by the schema in
    // FAST_READ mode; anything either refuses, valid or not, takes the full path below and
    // gets exactly the answer it always got.
    const fast = readCanonicalWire(plainBytes(bytes), alias);
    if (fast !== GIVE_UP) {
      try {
        return schema.fromWire(fast, FAST_READ);
      } catch {
        // the full path decides, and names the field in its error
      }
    }
  }
  return decodeFull(schema, bytes);
}

/** @internal `decode` without its fast path (the reference the fast path is tested against). */
export function decodeFull<T>(schema: Schema<T>, bytes: Uint8Array): T {
  scanStructure(bytes, schema.name);
  let wire: unknown;
  try {
    // A plain Uint8Array in (not a Buffer): msgpackr then hands out bin fields as plain
    // subarrays, which the schema keeps as they are instead of wrapping each again.
    wire = packr.unpack(plainBytes(bytes));
  } catch (e) {
    throw new CodecError(ErrorCodes.CODEC_NON_CANONICAL, `${schema.name}: msgpack decoding failed: ${(e as Error).message}`);
  }
  const value = fromWire(schema, wire);
  let again: Uint8Array;
  try {
    again = packr.pack(toWire(schema, value));
  } catch (e) {
    if (e instanceof CodecError) throw e;
    throw new CodecError(ErrorCodes.CODEC_NON_CANONICAL, `${schema.name}: value does not re-encode: ${(e as Error).message}`);
  }
  if (!equalBytes(again, bytes)) {
    throw new CodecError(ErrorCodes.CODEC_NON_CANONICAL, `${schema.name}: not the canonical encoding`);
  }
  return value;
}

/**
 * Decode bytes this node wrote itself (its own state records, read back from its own
 * store): the schema still checks every type and range, but the structure scan and the
 * re-encode comparison are skipped. Never for bytes from a peer, a client or a file.
 */
export function decodeTrusted<T>(schema: Schema<T>, bytes: Uint8Array): T {
  const plain = plainBytes(bytes);
  const fast = readCanonicalWire(plain);
  if (fast !== GIVE_UP) return fromWire(schema, fast);
  let wire: unknown;
  try {
    wire = packr.unpack(plain);
  } catch (e) {
    throw new CodecError(ErrorCodes.CODEC_NON_CANONICAL, `${schema.name}: stored record does not decode: ${(e as Error).message}`);
  }
  return fromWire(schema, wire);
}

/**
 * Walk one msgpack value starting at 0 and require it to end exactly at `bytes.length`.
 * Only the types the codec writes are allowed. Linear in the number of headers; never
 * allocates per element, so a hostile length cannot make the decoder allocate.
 */
export function scanStructure(bytes: Uint8Array, what = 'value'): void {
  const end = bytes.length;
  let pos = 0;
  // Explicit stack of remaining element counts, so depth is bounded without recursion.
  const remaining: number[] = [];
  const need = (n: number): void => {
    if (pos + n > end) {
      throw new CodecError(ErrorCodes.CODEC_TRUNCATED, `${what}: truncated at byte ${pos}`, { offset: pos });
    }
  };
  const readUint = (n: number): number => {
    need(n);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + bytes[pos + i]!;
    pos += n;
    return v;
  };
  const checkUtf8 = (len: number): void => {
    need(len);
    if (!isUtf8(bytes.subarray(pos, pos + len))) {
      throw new CodecError(ErrorCodes.CODEC_INVALID_UTF8, `${what}: string at byte ${pos} is not valid UTF-8`, { offset: pos });
    }
    pos += len;
  };
  const forbidden = (b: number): never => {
    throw new CodecError(ErrorCodes.CODEC_FORBIDDEN_TYPE, `${what}: msgpack type 0x${b.toString(16)} at byte ${pos - 1} is not allowed`, {
      offset: pos - 1,
    });
  };
  const ext = (len: number): void => {
    need(1);
    const type = bytes[pos++]!;
    if (type !== BIGINT_EXT_TYPE || len > MAX_BIGINT_EXT_BYTES) forbidden(0xc7);
    need(len);
    pos += len;
  };
  const openArray = (count: number): void => {
    if (count > end - pos) {
      throw new CodecError(ErrorCodes.CODEC_TRUNCATED, `${what}: array of ${count} elements overruns the input`, { offset: pos });
    }
    if (count > 0) {
      if (remaining.length >= MAX_DEPTH) {
        throw new CodecError(ErrorCodes.CODEC_TOO_DEEP, `${what}: nesting deeper than ${MAX_DEPTH}`, { offset: pos });
      }
      remaining.push(count);
    }
  };

  let values = 1; // values still to read at the top level
  while (values > 0 || remaining.length > 0) {
    // Consume one value slot.
    if (remaining.length > 0) {
      const top = remaining.length - 1;
      remaining[top]!--;
    } else {
      values--;
    }
    need(1);
    const b = bytes[pos++]!;
    if (b <= 0x7f || b >= 0xe0) {
      // fixint
    } else if (b >= 0x90 && b <= 0x9f) openArray(b & 0x0f);
    else if (b >= 0xa0 && b <= 0xbf) checkUtf8(b & 0x1f);
    else if (b >= 0x80 && b <= 0x8f) forbidden(b);
    else {
      switch (b) {
        case 0xc0:
        case 0xc2:
        case 0xc3:
          break;
        case 0xc4: { const n = readUint(1); need(n); pos += n; break; }
        case 0xc5: { const n = readUint(2); need(n); pos += n; break; }
        case 0xc6: { const n = readUint(4); need(n); pos += n; break; }
        case 0xc7: ext(readUint(1)); break;
        case 0xcc: case 0xd0: need(1); pos += 1; break;
        case 0xcd: case 0xd1: need(2); pos += 2; break;
        case 0xce: case 0xd2: need(4); pos += 4; break;
        case 0xcf: case 0xd3: need(8); pos += 8; break;
        case 0xd4: ext(1); break;
        case 0xd5: ext(2); break;
        case 0xd6: ext(4); break;
        case 0xd7: ext(8); break;
        case 0xd8: ext(16); break;
        case 0xd9: checkUtf8(readUint(1)); break;
        case 0xda: checkUtf8(readUint(2)); break;
        case 0xdb: checkUtf8(readUint(4)); break;
        case 0xdc: openArray(readUint(2)); break;
        case 0xdd: openArray(readUint(4)); break;
        default: forbidden(b); // c1, c8, c9 (large ext), ca, cb (floats), de, df (maps)
      }
    }
    // Close every array whose last element this was (a just-opened array is never empty here).
    while (remaining.length > 0 && remaining[remaining.length - 1] === 0) remaining.pop();
  }
  if (pos !== end) {
    throw new CodecError(ErrorCodes.CODEC_TRAILING_BYTES, `${what}: ${end - pos} trailing bytes after the value`, { offset: pos });
  }
}
