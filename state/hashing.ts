/**
 * The hashes that define the state commitment, and nothing else: this file (with proof.ts)
 * is all a wallet needs to check a state proof, and it depends only on core's hashing.
 *
 * - keyHash   = H("state-key", key): a key's position, 64 nibbles from the root down;
 * - valueHash = H("state-value", value);
 * - leaf      = H("state-leaf", keyHash || valueHash);
 * - inner     = H("state-inner", bitmap (u16 big-endian, bit n = child n present) ||
 *               the present children's hashes in nibble order);
 * - the empty tree's root is H("state-empty").
 * `computeRoot` rebuilds the root of a key set from scratch (the tree's shape is a function
 * of the key set: a leaf sits at the shallowest depth where no other key shares its prefix).
 */
import { Domain, hashOf, compareBytes } from '../core/index.js';

export const StateDomain = {
  KEY: 'state-key',
  VALUE: 'state-value',
  LEAF: Domain.STATE_LEAF,
  INNER: Domain.STATE_INNER,
  EMPTY: 'state-empty',
} as const;

/** Nibbles in a key hash: the tree's maximum depth. */
export const MAX_DEPTH = 64;

export const EMPTY_ROOT: Uint8Array = hashOf(StateDomain.EMPTY);

export const keyHashOf = (key: Uint8Array): Uint8Array => hashOf(StateDomain.KEY, key);
export const valueHashOf = (value: Uint8Array): Uint8Array => hashOf(StateDomain.VALUE, value);
export const leafHashOf = (keyHash: Uint8Array, valueHash: Uint8Array): Uint8Array => hashOf(StateDomain.LEAF, keyHash, valueHash);

/** Inner node hash from its bitmap and the concatenated hashes of its present children. */
export function innerHashOf(bitmap: number, packedChildHashes: Uint8Array): Uint8Array {
  return hashOf(StateDomain.INNER, Uint8Array.of(bitmap >>> 8, bitmap & 0xff), packedChildHashes);
}

/** Nibble `i` (0 = most significant) of a 32-byte hash. */
export function nibble(h: Uint8Array, i: number): number {
  const b = h[i >> 1]!;
  return i & 1 ? b & 0x0f : b >> 4;
}

/** Root of the tree holding exactly `entries` (keys distinct). Pure; for checks and tests. */
export function computeRoot(entries: Iterable<readonly [Uint8Array, Uint8Array]>): Uint8Array {
  const leaves: { kh: Uint8Array; hash: Uint8Array }[] = [];
  for (const [k, v] of entries) {
    const kh = keyHashOf(k);
    leaves.push({ kh, hash: leafHashOf(kh, valueHashOf(v)) });
  }
  leaves.sort((a, b) => compareBytes(a.kh, b.kh));
  for (let i = 1; i < leaves.length; i++) {
    if (compareBytes(leaves[i - 1]!.kh, leaves[i]!.kh) === 0) throw new RangeError('computeRoot: duplicate key');
  }
  if (leaves.length === 0) return EMPTY_ROOT;
  const build = (lo: number, hi: number, depth: number): Uint8Array => {
    if (hi - lo === 1) return leaves[lo]!.hash;
    let bitmap = 0;
    const hashes: Uint8Array[] = [];
    let i = lo;
    while (i < hi) {
      const n = nibble(leaves[i]!.kh, depth);
      let j = i + 1;
      while (j < hi && nibble(leaves[j]!.kh, depth) === n) j++;
      bitmap |= 1 << n;
      hashes.push(build(i, j, depth + 1));
      i = j;
    }
    const packed = new Uint8Array(hashes.length * 32);
    hashes.forEach((h, k) => packed.set(h, k * 32));
    return innerHashOf(bitmap, packed);
  };
  return build(0, leaves.length, 0);
}
