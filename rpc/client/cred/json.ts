/**
 * The JSON ground every format of the credential library stands on: a check that a value is
 * plain JSON (what JSON.parse can produce: no undefined, functions, bigints, class instances,
 * NaN or lone surrogates; nested at most MAX_JSON_DEPTH deep), RFC 8785 JCS through the
 * `canonicalize` package (only ever on checked values, so its throws never escape), strict
 * base64url (no padding, no stray characters, canonical trailing bits: one string per byte
 * sequence, so digests of compact strings cannot be varied without changing the bytes), and
 * the XML Schema dateTimeStamp form of `created` and `validFrom`. Bad input is a CredError
 * (CRED_MALFORMED), never a crash.
 */
import canonicalize from 'canonicalize';
import { base64url } from 'multiformats/bases/base64';
import { sha256Utf8 } from '../../../core/index.js';
import { credFail } from './errors.js';

/** The deepest nesting of arrays and objects accepted anywhere. */
export const MAX_JSON_DEPTH = 64;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface JsonCheckOptions {
  /** Object keys refused at any depth (e.g. SD-JWT's `_sd` and `...` inside claim values). */
  forbidKeys?: readonly string[];
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const n = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (n < 0xdc00 || n > 0xdfff) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/** Throw CRED_MALFORMED unless `value` is plain JSON; `what` names it in the message. */
export function assertJson(value: unknown, what: string, opts: JsonCheckOptions = {}): asserts value is JsonValue {
  // The path to where a check failed, built only then (from the keys and indexes on the way down).
  const trail: (string | number)[] = [];
  const where = (): string => trail.reduce<string>((p, k) => (typeof k === 'number' ? `${p}[${k}]` : `${p}.${k}`), '$');
  const fail = (message: (path: string) => string, meta: Record<string, unknown> = {}): never => {
    const path = where();
    return credFail('CRED_MALFORMED', `${what}: ${message(path)}`, { path, ...meta });
  };
  const walk = (v: unknown, depth: number): void => {
    if (v === null || typeof v === 'boolean') return;
    if (typeof v === 'string') {
      if (hasLoneSurrogate(v)) fail((p) => `a string with a lone surrogate at ${p}`);
      return;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail((p) => `a number that is not finite at ${p}`);
      return;
    }
    if (typeof v !== 'object') return fail((p) => `a ${typeof v} is not JSON (at ${p})`);
    if (depth >= MAX_JSON_DEPTH) fail(() => `nested deeper than ${MAX_JSON_DEPTH}`);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        trail.push(i);
        walk(v[i], depth + 1);
        trail.pop();
      }
      return;
    }
    if (!isPlainObject(v)) fail((p) => `a ${(v as object).constructor?.name ?? 'non-plain'} object is not JSON (at ${p})`);
    for (const key of Object.keys(v)) {
      if (hasLoneSurrogate(key)) fail((p) => `a key with a lone surrogate at ${p}`);
      if (opts.forbidKeys?.includes(key)) fail((p) => `the key ${JSON.stringify(key)} is reserved (at ${p})`, { key });
      trail.push(key);
      walk((v as Record<string, unknown>)[key], depth + 1);
      trail.pop();
    }
  };
  walk(value, 0);
}

/** Throw CRED_MALFORMED unless `value` is a plain JSON object. */
export function assertJsonObject(value: unknown, what: string, opts?: JsonCheckOptions): asserts value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) credFail('CRED_MALFORMED', `${what} must be a JSON object`);
  assertJson(value, what, opts);
}

/** RFC 8785 canonical JSON of a value already checked with assertJson. */
export function jcs(value: JsonValue): string {
  let out: string | undefined;
  try {
    out = canonicalize(value);
  } catch (e) {
    credFail('CRED_MALFORMED', `not canonicalizable JSON: ${(e as Error).message}`);
  }
  if (out === undefined) credFail('CRED_MALFORMED', 'not canonicalizable JSON');
  return out;
}

/** SHA-256 of the UTF-8 of a string (JCS text, a compact JWT). */
export function sha256Text(text: string): Uint8Array {
  return sha256Utf8(text);
}

/** Parse JSON text into a checked value; CRED_MALFORMED if it is not JSON. */
export function parseJson(text: string, what: string, opts?: JsonCheckOptions): JsonValue {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    credFail('CRED_MALFORMED', `${what} is not JSON`);
  }
  assertJson(v, what, opts);
  return v;
}

const B64URL_RE = /^[A-Za-z0-9_-]*$/;

/** base64url without padding. */
export function b64urlEncode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Strict base64url decoding (no padding, canonical last character); CRED_MALFORMED otherwise. */
export function b64urlDecode(text: string, what: string): Uint8Array {
  if (typeof text !== 'string' || !B64URL_RE.test(text)) credFail('CRED_MALFORMED', `${what} is not base64url`);
  try {
    return base64url.baseDecode(text);
  } catch {
    return credFail('CRED_MALFORMED', `${what} is not canonical base64url`);
  }
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes to text, refusing invalid sequences. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    return credFail('CRED_MALFORMED', `${what} is not UTF-8`);
  }
}

const DATE_TIME_STAMP_RE = /^(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;

/** An XML Schema dateTimeStamp (a date-time with a time zone), as Data Integrity requires of `created`. */
export function isDateTimeStamp(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const m = DATE_TIME_STAMP_RE.exec(s);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 24 || minute > 59 || second > 59) return false;
  if (hour === 24 && (minute !== 0 || second !== 0 || (m[7] !== undefined && /[1-9]/.test(m[7])))) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day > days) return false;
  if (m[9] !== undefined && (Number(m[9]) > 14 || Number(m[10]) > 59)) return false;
  return true;
}

/** Define an own enumerable property (safe for a key such as `__proto__`). */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
