/**
 * The tree's hot-path hashing: the same digests as core's `hashOf` (SHA-256 over the domain
 * prefix and the parts), computed in reusable scratch buffers, with each digest taken as a
 * latin1 string and copied into a shared slab (node:crypto's Buffer output allocates an
 * external ArrayBuffer per digest, which costs about twice the hashing itself in time and
 * garbage collection). `allocBytes` is that slab allocator, also used for node bytes: many
 * small Uint8Arrays each with its own backing store make V8 collect garbage far more often.
 * Proof verification does not use this file (hashing.ts with core's hashOf is the
 * reference; the model tests compare the two on every commit).
 */
import { hash } from 'node:crypto';
import { domainPrefix } from '../core/index.js';
import { StateDomain } from './hashing.js';

const SLAB = 256 * 1024;
let slab = new Uint8Array(SLAB);
let used = 0;

/** `n` zeroed bytes carved from a shared slab (a fresh array when n is large). */
export function allocBytes(n: number): Uint8Array {
  if (n > 4096) return new Uint8Array(n);
  if (used + n > slab.length) {
    slab = new Uint8Array(SLAB);
    used = 0;
  }
  const out = slab.subarray(used, used + n);
  used += n;
  return out;
}

let scratch = new Uint8Array(4096);
/**
 * Views of `scratch`'s first n bytes, by n (n <= VIEW_MAX): a hash input is a view, and a
 * fresh `subarray` per digest was, with the copies' views, half of what a commit allocated.
 */
const VIEW_MAX = 4096;
let views: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(VIEW_MAX + 1);

function ensure(n: number): void {
  if (scratch.length < n) {
    scratch = new Uint8Array(Math.max(n, scratch.length * 2));
    views = new Array<Uint8Array | undefined>(VIEW_MAX + 1);
  }
}

/** `scratch`'s first n bytes. */
function input(n: number): Uint8Array {
  if (n > VIEW_MAX) return scratch.subarray(0, n);
  return (views[n] ??= scratch.subarray(0, n));
}

/** SHA-256 of `input` written into `out` at `at`. */
function digestInto(input: Uint8Array, out: Uint8Array, at: number): void {
  const s = hash('sha256', input, 'binary'); // 'binary' = latin1: one char per byte
  for (let i = 0; i < 32; i++) out[at + i] = s.charCodeAt(i);
}

/** SHA-256 of `input` as 32 fresh bytes. */
function digest(input: Uint8Array): Uint8Array {
  const out = allocBytes(32);
  digestInto(input, out, 0);
  return out;
}

const KEY = domainPrefix(StateDomain.KEY);
const VALUE = domainPrefix(StateDomain.VALUE);
const LEAF = domainPrefix(StateDomain.LEAF);
const INNER = domainPrefix(StateDomain.INNER);
/** LEAF prefix | keyHash | valueHash: the leaf hash input, filled in place. */
const leafInput = new Uint8Array(LEAF.length + 64);
leafInput.set(LEAF, 0);

/** `keyHashOf(key)`. */
export function hashKey(key: Uint8Array): Uint8Array {
  const n = KEY.length + key.length;
  ensure(n);
  scratch.set(KEY, 0);
  scratch.set(key, KEY.length);
  return digest(input(n));
}

/** `leafHashOf(kh, valueHashOf(value))`. */
export function hashLeaf(kh: Uint8Array, value: Uint8Array): Uint8Array {
  const n = VALUE.length + value.length;
  ensure(n);
  scratch.set(VALUE, 0);
  scratch.set(value, VALUE.length);
  digestInto(input(n), leafInput, LEAF.length + 32);
  leafInput.set(kh, LEAF.length);
  return digest(leafInput);
}

/**
 * `innerHashOf(bitmap, hashes)` over stored node bytes, whose bytes 2.. are the bitmap and
 * then the `count` child hashes (contiguous).
 */
export function hashInner(node: Uint8Array, count: number): Uint8Array {
  const n = INNER.length + 2 + count * 32;
  // The whole node is copied 2 bytes early (no view of its middle), over the prefix's last two
  // bytes, which are then written back: the input is prefix | bitmap | hashes.
  ensure(INNER.length - 2 + node.length);
  scratch.set(node, INNER.length - 2);
  scratch.set(INNER, 0);
  return digest(input(n));
}
