/**
 * Schemas: typed descriptions of every value the codec encodes. A schema converts a value to
 * its wire form (what msgpackr packs) and back, checking types, ranges and lengths on both
 * sides, with the field path in every error. Structs encode as arrays in the order their
 * fields are declared; that order is part of the protocol (docs/encoding.md).
 *
 * Integer forms on the wire (msgpackr's, fixed by PACKR_OPTIONS in codec.ts):
 * - `u8`/`u32`: the shortest msgpack unsigned integer;
 * - `uint` (a safe JS integer, heights, times, nonces): shortest form below 2^32, int64 above;
 * - `u64`/`amount` (bigint): int64 (0xd3) below 2^63, uint64 (0xcf) below 2^64, and msgpackr's
 *   bigint extension (type 0x42) above; `amount` is bounded by 2^128 - 1.
 */
import { CodecError, ErrorCodes } from './errors.js';
import { plainBytes } from './bytes.js';

/**
 * What a schema describes, for tools that walk it (the SDK's JSON conversion, the CLI's
 * argument help): never used on the encode/decode path.
 */
export type Shape =
  | { readonly kind: 'int' }
  | { readonly kind: 'bigint' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'bytes'; readonly length?: number; readonly max?: number }
  | { readonly kind: 'string'; readonly maxBytes: number }
  | { readonly kind: 'optional'; readonly inner: Schema<unknown> }
  | { readonly kind: 'list'; readonly inner: Schema<unknown>; readonly maxItems: number }
  | { readonly kind: 'struct'; readonly fields: readonly (readonly [string, Schema<unknown>])[] };

export interface Schema<T> {
  readonly name: string;
  readonly shape: Shape;
  /** Check `value` and return its wire form. */
  toWire(value: T, path: string): unknown;
  /** Check a decoded wire value and return the typed value. */
  fromWire(wire: unknown, path: string): T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

/**
 * The schemas built by this module: read with FAST_READ as the path, each accepts from
 * canonical-read.ts only wire values that re-encode to the very bytes they were read from,
 * so a value read that way needs no re-encode check. A schema made anywhere else is never
 * in it (its `fromWire` could accept a form its `toWire` does not write).
 */
const ownSchemas = new WeakSet<Schema<unknown>>();

/** Record `s` as fast-decodable when every schema it is made of is. */
function ownIf<S extends Schema<any>>(s: S, parts: readonly Schema<any>[]): S { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (parts.every((p) => ownSchemas.has(p))) ownSchemas.add(s);
  return s;
}

/** True when `decode` may take the fast path for `schema` (codec.ts). */
export function fastDecodable(schema: Schema<unknown>): boolean {
  return ownSchemas.has(schema);
}

/**
 * The path to pass for speed: structs and lists then skip building their children's paths.
 * codec.ts passes it first and, when that throws, runs again with the schema's name, so
 * every error still names the field's full path.
 */
export const NO_PATH = '\u0000';
/**
 * The path codec.ts passes to `fromWire` for a value from its fast reader. Like NO_PATH it
 * builds no paths; on top of that, the integer schemas refuse a wire form that would not
 * re-encode to itself (a bigint field's value as a plain number, a small value of a
 * number field as an int64), and codec.ts then decodes the bytes the full way, which
 * refuses them as before.
 */
export const FAST_READ = '\u0001';
const childPath = (path: string, k: string): string => (path === NO_PATH || path === FAST_READ ? path : `${path}.${k}`);
/** Thrown by a schema reading in FAST_READ mode at a form only the full path may judge. */
const notFast = (): Error => new Error('not on the fast path');

const wrongType = (path: string, expected: string, got: unknown): CodecError =>
  new CodecError(ErrorCodes.CODEC_WRONG_TYPE, `${path}: expected ${expected}, got ${describe(got)}`, { path, expected });

const outOfRange = (path: string, what: string): CodecError =>
  new CodecError(ErrorCodes.CODEC_OUT_OF_RANGE, `${path}: ${what}`, { path });

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Uint8Array) return 'bytes';
  return typeof v;
}

function intSchema(name: string, max: number): Schema<number> {
  const check = (v: unknown, path: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw wrongType(path, name, v);
    if (v < 0 || v > max) throw outOfRange(path, `${v} is outside 0..${max}`);
    return v;
  };
  // A 64-bit wire integer in range decodes, and the re-encoding check then rejects it as
  // non-minimal (NON_CANONICAL), which is what it is.
  const fromWire = (w: unknown, path: string): number => {
    if (path === FAST_READ && typeof w !== 'number') throw notFast();
    return check(typeof w === 'bigint' && w >= 0n && w <= BigInt(max) ? Number(w) : w, path);
  };
  return ownIf({ name, shape: { kind: 'int' }, toWire: check, fromWire }, []);
}

export const u8: Schema<number> = intSchema('u8', 0xff);
export const u16: Schema<number> = intSchema('u16', 0xffff);
export const u32: Schema<number> = intSchema('u32', 0xffff_ffff);

/** A non-negative safe integer (< 2^53): heights, rounds, times in ms, nonces. */
export const uint: Schema<number> = ownIf<Schema<number>>({
  name: 'uint',
  shape: { kind: 'int' },
  toWire(v, path) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw wrongType(path, 'uint', v);
    if (v < 0) throw outOfRange(path, `${v} is negative`);
    return v <= 0xffff_ffff ? v : BigInt(v);
  },
  fromWire(w, path) {
    if (typeof w === 'number') {
      if (!Number.isSafeInteger(w)) throw wrongType(path, 'uint', w);
      if (w < 0) throw outOfRange(path, `${w} is negative`);
      return w;
    }
    if (typeof w === 'bigint') {
      // An int64 on the wire is canonical only above 2^32 - 1 (below, the shortest uint form is).
      if (path === FAST_READ && w <= 0xffff_ffffn) throw notFast();
      if (w < 0n || w > BigInt(Number.MAX_SAFE_INTEGER)) throw outOfRange(path, `${w} is outside 0..2^53-1`);
      return Number(w);
    }
    throw wrongType(path, 'uint', w);
  },
}, []);

function bigSchema(name: string, max: bigint): Schema<bigint> {
  return ownIf<Schema<bigint>>({
    name,
    shape: { kind: 'bigint' },
    toWire(v, path) {
      if (typeof v !== 'bigint') throw wrongType(path, name + ' (bigint)', v);
      if (v < 0n || v > max) throw outOfRange(path, `${v} is outside 0..${max}`);
      return v;
    },
    fromWire(w, path) {
      let v: bigint;
      // Every bigint is written as int64 (or wider): a plain number here is a shorter form.
      if (path === FAST_READ && typeof w !== 'bigint') throw notFast();
      if (typeof w === 'bigint') v = w;
      else if (typeof w === 'number' && Number.isSafeInteger(w)) v = BigInt(w);
      else throw wrongType(path, name, w);
      if (v < 0n || v > max) throw outOfRange(path, `${v} is outside 0..${max}`);
      return v;
    },
  }, []);
}

export const MAX_U64 = (1n << 64n) - 1n;
export const MAX_AMOUNT = (1n << 128n) - 1n;
export const u64: Schema<bigint> = bigSchema('u64', MAX_U64);
/** An amount in minor units: a bigint in 0..2^128-1. */
export const amount: Schema<bigint> = bigSchema('amount', MAX_AMOUNT);

export const bool: Schema<boolean> = ownIf<Schema<boolean>>({
  name: 'bool',
  shape: { kind: 'bool' },
  toWire(v, path) {
    if (typeof v !== 'boolean') throw wrongType(path, 'bool', v);
    return v;
  },
  fromWire(w, path) {
    if (typeof w !== 'boolean') throw wrongType(path, 'bool', w);
    return w;
  },
}, []);

/** Bytes of exactly `length`, or of at most `max` when `length` is undefined. */
export function bytes(opts: { length?: number; max?: number }): Schema<Uint8Array> {
  const name = opts.length !== undefined ? `bytes${opts.length}` : `bytes(<=${opts.max})`;
  const check = (v: unknown, path: string): Uint8Array => {
    if (!(v instanceof Uint8Array)) throw wrongType(path, name, v);
    if (opts.length !== undefined && v.length !== opts.length) {
      throw new CodecError(ErrorCodes.CODEC_BAD_LENGTH, `${path}: expected ${opts.length} bytes, got ${v.length}`, { path });
    }
    if (opts.max !== undefined && v.length > opts.max) {
      throw new CodecError(ErrorCodes.CODEC_BAD_LENGTH, `${path}: ${v.length} bytes exceeds ${opts.max}`, { path });
    }
    return v;
  };
  const shape: Shape = opts.length !== undefined ? { kind: 'bytes', length: opts.length } : { kind: 'bytes', ...(opts.max !== undefined ? { max: opts.max } : {}) };
  return ownIf({ name, shape, toWire: check, fromWire: (w, path) => plainBytes(check(w, path)) }, []);
}

export const bytes32: Schema<Uint8Array> = bytes({ length: 32 });

/** A UTF-8 string of at most `maxBytes` bytes, optionally matching `pattern`. */
export function str(maxBytes: number, pattern?: RegExp): Schema<string> {
  const name = `str(<=${maxBytes})`;
  const check = (v: unknown, path: string): string => {
    if (typeof v !== 'string') throw wrongType(path, 'string', v);
    if (v.length > maxBytes || Buffer.byteLength(v, 'utf8') > maxBytes) {
      throw new CodecError(ErrorCodes.CODEC_BAD_LENGTH, `${path}: string longer than ${maxBytes} bytes`, { path });
    }
    if (pattern && !pattern.test(v)) throw outOfRange(path, `"${v.slice(0, 64)}" does not match ${pattern}`);
    return v;
  };
  return ownIf({ name, shape: { kind: 'string', maxBytes }, toWire: check, fromWire: check }, []);
}

/** `null` on the wire (msgpack nil) for an absent value. */
export function optional<T>(inner: Schema<T>): Schema<T | null> {
  return ownIf<Schema<T | null>>({
    name: `optional(${inner.name})`,
    shape: { kind: 'optional', inner: inner as Schema<unknown> },
    toWire: (v, path) => (v === null ? null : inner.toWire(v, path)),
    fromWire: (w, path) => (w === null ? null : inner.fromWire(w, path)),
  }, [inner]);
}

export function list<T>(inner: Schema<T>, maxItems: number): Schema<readonly T[]> {
  const name = `list(${inner.name})`;
  const each = (v: unknown, path: string, f: (x: unknown, p: string) => unknown): unknown[] => {
    if (!Array.isArray(v)) throw wrongType(path, 'array', v);
    if (v.length > maxItems) {
      throw new CodecError(ErrorCodes.CODEC_BAD_LENGTH, `${path}: ${v.length} items exceeds ${maxItems}`, { path });
    }
    const out = new Array<unknown>(v.length);
    if (path === NO_PATH || path === FAST_READ) for (let i = 0; i < v.length; i++) out[i] = f(v[i], path);
    else for (let i = 0; i < v.length; i++) out[i] = f(v[i], `${path}[${i}]`);
    return out;
  };
  return ownIf<Schema<readonly T[]>>({
    name,
    shape: { kind: 'list', inner: inner as Schema<unknown>, maxItems },
    toWire: (v, path) => each(v, path, (x, p) => inner.toWire(x as T, p)),
    fromWire: (w, path) => each(w, path, (x, p) => inner.fromWire(x, p)) as T[],
  }, [inner]);
}

type Fields = Record<string, Schema<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type StructOf<F extends Fields> = { readonly [K in keyof F]: Infer<F[K]> };

/**
 * An object encoded as an array of its fields, in the order they are declared in `fields`
 * (string keys keep insertion order in JavaScript; that order is the protocol).
 */
export function struct<F extends Fields>(name: string, fields: F): Schema<StructOf<F>> {
  const entries = Object.entries(fields);
  const n = entries.length;
  return ownIf<Schema<StructOf<F>>>({
    name,
    shape: { kind: 'struct', fields: entries as [string, Schema<unknown>][] },
    toWire(v, path) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw wrongType(path, name, v);
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const [k, s] = entries[i]!;
        out[i] = s.toWire((v as Record<string, unknown>)[k], childPath(path, k));
      }
      return out;
    },
    fromWire(w, path) {
      if (!Array.isArray(w)) throw wrongType(path, `${name} (array of ${n})`, w);
      if (w.length !== n) {
        throw new CodecError(ErrorCodes.CODEC_BAD_LENGTH, `${path}: ${name} has ${n} fields, got ${w.length}`, { path });
      }
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const [k, s] = entries[i]!;
        out[k] = s.fromWire(w[i], childPath(path, k));
      }
      return out as StructOf<F>;
    },
  }, entries.map(([, s]) => s));
}

/** A schema whose name differs (for error paths), otherwise the same. */
export function named<T>(name: string, s: Schema<T>): Schema<T> {
  return ownIf({ name, shape: s.shape, toWire: s.toWire, fromWire: s.fromWire }, [s]);
}
