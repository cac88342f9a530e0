/**
 * Reading untrusted parsed data (TOML or JSON) field by field. Each reader checks one field,
 * records a problem at its path when it is missing or wrong, and returns a fallback so that
 * checking goes on and every problem of a file is found in one pass. Unknown keys are
 * problems too (a misspelt key must not be silently ignored).
 */
import { CURRENCY_CODE_RE } from '../vm/index.js';
import { decodeAddress, isValidPublicKey, MAX_AMOUNT } from '../core/index.js';
import { at, type Problems } from './errors.js';

export type Obj = Record<string, unknown>;

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : v instanceof Date ? 'a date' : typeof v);

export class FieldReader {
  constructor(readonly problems: Problems) {}

  /** `v` as a table/object, reporting keys outside `allowed`; null when it is not one. */
  table(v: unknown, path: string, allowed: readonly string[]): Obj | null {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date) {
      this.problems.add(path, `must be a table, got ${typeName(v)}`);
      return null;
    }
    for (const k of Object.keys(v)) if (!allowed.includes(k)) this.problems.add(at(path, k), 'unknown key');
    return v as Obj;
  }

  /** An array of tables under `key` (missing: empty). */
  tables(o: Obj, key: string | number, path: string, max: number): unknown[] {
    const v = o[key as string];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.problems.add(at(path, key), `must be a list, got ${typeName(v)}`);
      return [];
    }
    if (v.length > max) this.problems.add(at(path, key), `at most ${max} entries, got ${v.length}`);
    return v;
  }

  str(o: Obj, key: string | number, path: string, opts: { re?: RegExp; what?: string; max?: number; optional?: boolean } = {}): string {
    const v = o[key as string];
    const p = at(path, key);
    if (v === undefined) {
      if (!opts.optional) this.problems.add(p, 'missing');
      return '';
    }
    if (typeof v !== 'string') {
      this.problems.add(p, `must be a string, got ${typeName(v)}`);
      return '';
    }
    if (opts.max !== undefined && Buffer.byteLength(v, 'utf8') > opts.max) this.problems.add(p, `longer than ${opts.max} bytes`);
    else if (opts.re && !opts.re.test(v)) this.problems.add(p, `"${v.slice(0, 64)}" is not ${opts.what ?? `a match for ${opts.re}`}`);
    return v;
  }

  /** A name: 1..64 bytes, no leading or trailing space, no control characters. */
  name(o: Obj, key: string | number, path: string): string {
    return this.str(o, key, path, { re: NAME_RE, what: 'a name (1..64 characters, no leading/trailing space)', max: 64 });
  }

  int(o: Obj, key: string | number, path: string, min: number, max: number, dflt?: number): number {
    const v = o[key as string];
    const p = at(path, key);
    if (v === undefined) {
      if (dflt !== undefined) return dflt;
      this.problems.add(p, 'missing');
      return min;
    }
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      this.problems.add(p, `must be an integer, got ${typeName(v)}`);
      return min;
    }
    if (v < min || v > max) this.problems.add(p, `${v} is out of range ${min}..${max}`);
    return v;
  }

  /**
   * A token amount in minor units: a decimal string, 0..2^128-1 (docs/genesis.md). A TOML or
   * JSON number is refused, integer or not: a float loses digits silently and a bare
   * integer is one edit away from one, so amounts are never numbers.
   */
  amount(o: Obj, key: string | number, path: string, opts: { optional?: boolean; positive?: boolean } = {}): bigint | null {
    const v = o[key as string];
    const p = at(path, key);
    if (v === undefined || v === null || v === 'none') {
      if (!opts.optional) this.problems.add(p, v === undefined ? 'missing' : '"none" is not allowed here');
      return null;
    }
    const form = `an amount in minor units as a decimal string, e.g. "1000"${opts.optional ? ', or "none"' : ''}`;
    if (typeof v === 'number' || typeof v === 'bigint') {
      this.problems.add(p, `must be ${form}, got the ${Number.isInteger(v) || typeof v === 'bigint' ? 'bare integer' : 'number'} ${String(v)} (write it in quotes)`);
      return opts.optional ? null : 0n;
    }
    if (typeof v !== 'string' || !/^(0|[1-9][0-9]*)$/.test(v)) {
      this.problems.add(p, `must be ${form}${typeof v === 'string' ? `, got "${v.slice(0, 64)}"` : `, got ${typeName(v)}`}`);
      return opts.optional ? null : 0n;
    }
    // Longer than any amount: no need to parse all of it to say so.
    if (v.length > 39 || BigInt(v) > MAX_AMOUNT) {
      this.problems.add(p, `${v.length > 48 ? `a ${v.length}-digit number` : v} exceeds the largest amount, 2^128 - 1 (${MAX_AMOUNT})`);
      return opts.optional ? null : 0n;
    }
    const n = BigInt(v);
    if (opts.positive && n === 0n) this.problems.add(p, 'must be above zero');
    return n;
  }

  /** A hex string of `length` bytes ("" allowed when `optional`: returns null). */
  hex(o: Obj, key: string | number, path: string, length: number, opts: { optional?: boolean } = {}): string | null {
    const v = o[key as string];
    const p = at(path, key);
    if (v === undefined || v === null || v === '') {
      if (!opts.optional) this.problems.add(p, 'missing');
      return null;
    }
    if (typeof v !== 'string' || !new RegExp(`^(0x)?[0-9a-fA-F]{${length * 2}}$`).test(v)) {
      this.problems.add(p, `must be ${length} bytes of hex`);
      return null;
    }
    return v.replace(/^0x/, '').toLowerCase();
  }

  /** An Ed25519 public key in hex that is valid under the network's rule. */
  publicKey(o: Obj, key: string | number, path: string, opts: { optional?: boolean } = {}): string | null {
    const h = this.hex(o, key, path, 32, opts);
    if (h !== null && !isValidPublicKey(Buffer.from(h, 'hex'))) {
      this.problems.add(at(path, key), 'not a valid Ed25519 public key');
      return null;
    }
    return h;
  }

  /** A list of public keys (1..max unless `allowEmpty`). */
  publicKeys(o: Obj, key: string | number, path: string, max: number, opts: { allowEmpty?: boolean } = {}): string[] {
    const v = o[key as string];
    const p = at(path, key);
    if (v === undefined && opts.allowEmpty) return [];
    if (!Array.isArray(v)) {
      this.problems.add(p, v === undefined ? 'missing' : `must be a list of hex public keys, got ${typeName(v)}`);
      return [];
    }
    if (v.length === 0 && !opts.allowEmpty) this.problems.add(p, 'needs at least one key');
    if (v.length > max) this.problems.add(p, `at most ${max} keys`);
    const out: string[] = [];
    v.forEach((_, i) => {
      const k = this.publicKey(v as unknown as Obj, i, p);
      if (k !== null) {
        if (out.includes(k)) this.problems.add(at(p, i), 'repeats an earlier key');
        out.push(k);
      }
    });
    return out;
  }

  strings(o: Obj, key: string | number, path: string, opts: { optional?: boolean } = {}): string[] {
    const v = o[key as string];
    const p = at(path, key);
    if (v === undefined && opts.optional) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
      this.problems.add(p, v === undefined ? 'missing' : 'must be a list of strings');
      return [];
    }
    return v as string[];
  }

  currency(o: Obj, key: string | number, path: string): string {
    return this.str(o, key, path, { re: CURRENCY_CODE_RE, what: 'a currency code (2..12 of A-Z 0-9, starting with a letter)' });
  }

  /** A bech32m address with `prefix`, as 20 bytes (null when bad). */
  address(o: Obj, key: string | number, path: string, prefix: string): Uint8Array | null {
    const s = this.str(o, key, path);
    if (s === '') return null;
    try {
      return decodeAddress(s, prefix);
    } catch (e) {
      this.problems.add(at(path, key), (e as Error).message);
      return null;
    }
  }
}

export const NAME_RE = /^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u;
