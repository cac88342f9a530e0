/**
 * State keys. A record's key is one prefix byte followed by its key fields: addresses 20
 * bytes, ids 8-byte big-endian, digests 32 bytes (SHA-256 of a UTF-8 text), and at most one
 * variable-length field (UTF-8 text), always last, so no two records can share a key.
 * `record` declares a record kind (a module owns each, vm/modules/NAME/records.ts) and
 * builds its key function from the fields; the registry derives the one table of every
 * prefix (docs/vm.md) and refuses two kinds on one prefix.
 */
import { sha256, utf8, type Schema } from '../core/index.js';
import type { KeyArgs, KeyField, RecordSpec } from './module.js';

const ADDRESS_BYTES = 20;

/** `n` as 8 bytes big-endian; a safe non-negative integer without BigInt (keys are built on every state access), anything else through it (and its range checks). */
export function u64be(n: bigint | number): Uint8Array {
  const out = new Uint8Array(8);
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) {
    const hi = Math.floor(n / 0x1_0000_0000);
    const lo = n - hi * 0x1_0000_0000;
    out[0] = hi >>> 24; out[1] = (hi >>> 16) & 0xff; out[2] = (hi >>> 8) & 0xff; out[3] = hi & 0xff;
    out[4] = lo >>> 24; out[5] = (lo >>> 16) & 0xff; out[6] = (lo >>> 8) & 0xff; out[7] = lo & 0xff;
    return out;
  }
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/** `n` (0..2^32-1) as 4 bytes big-endian: a sequence number in an index key. */
export function u32be(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

const textCache = new Map<string, Uint8Array>();
/** utf8 of a key's text field; currency codes repeat, so their bytes are kept (bounded). */
function text(s: string): Uint8Array {
  let b = textCache.get(s);
  if (b === undefined) {
    b = utf8(s);
    if (textCache.size < 4096) textCache.set(s, b);
  }
  return b;
}

const hashCache = new Map<string, Uint8Array>();
/** SHA-256 of a key's hashed text field (list and purpose names repeat: kept, bounded). */
function hashedText(s: string): Uint8Array {
  let b = hashCache.get(s);
  if (b === undefined) {
    b = sha256(utf8(s));
    if (hashCache.size < 4096) hashCache.set(s, b);
  }
  return b;
}

type Part = (v: unknown) => Uint8Array;

/** How a key field's value becomes bytes (one function per field, chosen once). */
function partOf(f: KeyField): Part {
  switch (f.kind) {
    case 'address':
      return (v) => {
        const a = v as Uint8Array;
        if (!(a instanceof Uint8Array) || a.length !== ADDRESS_BYTES) throw new TypeError(`key field ${f.name}: an address is 20 bytes`);
        return a;
      };
    case 'id':
      return (v) => u64be(v as number);
    case 'text':
      return (v) => text(v as string);
    default:
      return (v) => hashedText(v as string);
  }
}

function join1(prefix: number, a: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + a.length);
  out[0] = prefix;
  out.set(a, 1);
  return out;
}

function join2(prefix: number, a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + a.length + b.length);
  out[0] = prefix;
  out.set(a, 1);
  out.set(b, 1 + a.length);
  return out;
}

function join3(prefix: number, a: Uint8Array, b: Uint8Array, c: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + a.length + b.length + c.length);
  out[0] = prefix;
  out.set(a, 1);
  out.set(b, 1 + a.length);
  out.set(c, 1 + a.length + b.length);
  return out;
}

function joinAll(prefix: number, parts: readonly Uint8Array[]): Uint8Array {
  let n = 1;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  out[0] = prefix;
  let at = 1;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The most key fields a record may have. */
const MAX_KEY_FIELDS = 4;

/** The key function of a record with `fields` (0 to 4 of them), in one allocation a key. */
function keyBuilder(prefix: number, fields: readonly KeyField[]): (...args: unknown[]) => Uint8Array {
  const parts = fields.map(partOf);
  const [p0, p1, p2] = parts;
  switch (fields.length) {
    case 0:
      return () => Uint8Array.of(prefix);
    case 1:
      return (a: unknown) => join1(prefix, p0!(a));
    case 2:
      return (a: unknown, b: unknown) => join2(prefix, p0!(a), p1!(b));
    case 3:
      return (a: unknown, b: unknown, c: unknown) => join3(prefix, p0!(a), p1!(b), p2!(c));
    default:
      if (fields.length > MAX_KEY_FIELDS) throw new Error(`a record key has at most ${MAX_KEY_FIELDS} fields`);
      return (...args: unknown[]) => {
        if (args.length !== parts.length) throw new Error(`record 0x${prefix.toString(16)}: ${parts.length} key fields, ${args.length} given`);
        return joinAll(prefix, parts.map((p, i) => p(args[i])));
      };
  }
}

/** Declare a record kind: its prefix byte (a literal), key fields in order, value schema and meaning. */
export function record<T, const F extends readonly KeyField[]>(prefix: number, key: F, schema: Schema<T>, doc: string): RecordSpec<T, F> {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 0xff) throw new Error(`record prefix ${prefix} is not a byte`);
  key.forEach((f, i) => {
    if (f.kind === 'text' && i !== key.length - 1) throw new Error(`record 0x${prefix.toString(16)}: a text key field (${f.name}) must be last`);
  });
  return { prefix, key, schema, doc, keyOf: keyBuilder(prefix, key) as unknown as (...args: KeyArgs<F>) => Uint8Array };
}

/** The key fields of `key` as a readable pattern, e.g. `0x21 | address | currency (utf8)` (docs). */
export function keyPattern(r: RecordSpec<unknown, readonly KeyField[]>): string {
  const hex = `0x${r.prefix.toString(16).padStart(2, '0')}`;
  const parts = r.key.map((f) => (f.kind === 'text' ? `${f.name} (utf8)` : f.kind === 'hashedText' ? `sha256(${f.name})` : f.kind === 'id' ? `${f.name} u64` : f.name));
  return [hex, ...parts].join(' \\| ');
}
