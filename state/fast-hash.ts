/**
 * The tree's hot-path hashing: the same digests as core's `hashOf` (SHA-256 over the domain
 * prefix and the parts), computed in one reusable scratch buffer so that hashing a node
 * allocates nothing but its 32-byte digest. Also a slab allocator for node bytes: many
 * small Uint8Arrays each with its own backing store make V8 collect garbage far more often.
 * Proof verification does not use this file (hashing.ts with core's hashOf is the
 * reference; the model tests compare the two on every commit).
 */
import { hash } from 'node:crypto';
import { domainPrefix } from '../core/index.js';

let scratch = new Uint8Array(4096);

function ensure(n: number): void {
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
}

const digest = (n: number): Uint8Array => {
  const d = hash('sha256', scratch.subarray(0, n), 'buffer') as unknown as Uint8Array;
  return new Uint8Array(d.buffer, d.byteOffset, 32);
};

/** `hashOf(domain, a)`. */
export function hash1(domain: string, a: Uint8Array): Uint8Array {
  const p = domainPrefix(domain);
  const n = p.length + a.length;
  ensure(n);
  scratch.set(p, 0);
  scratch.set(a, p.length);
  return digest(n);
}

/** `hashOf(domain, a, b)`. */
export function hash2(domain: string, a: Uint8Array, b: Uint8Array): Uint8Array {
  const p = domainPrefix(domain);
  const n = p.length + a.length + b.length;
  ensure(n);
  scratch.set(p, 0);
  scratch.set(a, p.length);
  scratch.set(b, p.length + a.length);
  return digest(n);
}

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
