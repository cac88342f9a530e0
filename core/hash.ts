/**
 * SHA-256 with domain separation. Every hash in the protocol is
 * `SHA-256(utf8("sov/" + domain) || 0x00 || data)`, with one domain per use, so a digest of
 * one kind can never be passed off as another. Also: Merkle roots and inclusion proofs over
 * lists (RFC 6962 shape: split at the largest power of two below n), used for tx and receipt
 * roots. node:crypto's one-shot `hash` is the implementation (about 3x @noble/hashes here);
 * in a browser bundle, @noble/hashes (platform.ts, platform-browser.ts).
 */
import { concatBytes, equalBytes, utf8 } from './bytes.js';
import { sha256 } from './platform.js';

export { sha256, sha256Utf8 } from './platform.js';

export const Domain = {
  TX: 'tx',
  TX_SIGN: 'tx-sign',
  HEADER: 'header',
  VOTE: 'vote',
  PROPOSAL: 'proposal',
  COMMIT: 'commit',
  EVIDENCE: 'evidence',
  VALIDATORS: 'validators',
  ADDRESS: 'address',
  MERKLE_LEAF: 'merkle-leaf',
  MERKLE_INNER: 'merkle-inner',
  MERKLE_EMPTY: 'merkle-empty',
  STATE_LEAF: 'state-leaf',
  STATE_INNER: 'state-inner',
  RECEIPT: 'receipt',
  GENESIS: 'genesis',
  SIGN: 'sign',
  /** A data-exchange record (vm xchg): the item of its batch's Merkle tree. */
  XCHG_RECORD: 'xchg-record',
} as const;
export type Domain = (typeof Domain)[keyof typeof Domain];

const prefixCache = new Map<string, Uint8Array>();
export function domainPrefix(domain: string): Uint8Array {
  let p = prefixCache.get(domain);
  if (!p) {
    p = concatBytes(utf8('sov/' + domain), new Uint8Array([0]));
    prefixCache.set(domain, p);
  }
  return p;
}

/** Reused for hash inputs up to its size: no allocation per hash (hashing is synchronous). */
const scratch = new Uint8Array(16 * 1024);

/** SHA-256 over the domain prefix and the concatenation of `parts`. */
export function hashOf(domain: Domain | string, ...parts: Uint8Array[]): Uint8Array {
  const prefix = domainPrefix(domain);
  let n = prefix.length;
  for (const p of parts) n += p.length;
  if (n > scratch.length) return sha256(concatBytes(prefix, ...parts));
  scratch.set(prefix, 0);
  let o = prefix.length;
  for (const p of parts) {
    scratch.set(p, o);
    o += p.length;
  }
  return sha256(scratch.subarray(0, n));
}

export const HASH_LENGTH = 32;

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function leafHash(item: Uint8Array): Uint8Array {
  return hashOf(Domain.MERKLE_LEAF, item);
}
function innerHash(l: Uint8Array, r: Uint8Array): Uint8Array {
  return hashOf(Domain.MERKLE_INNER, l, r);
}

/** Merkle root of an ordered list of byte strings (each is hashed as a leaf). */
export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return hashOf(Domain.MERKLE_EMPTY);
  let level = items.map(leafHash);
  // Bottom-up over the RFC 6962 tree: pair left to right; an odd last node moves up as is.
  // This gives the same root as the recursive largest-power-of-two split.
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(innerHash(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

/** Audit path for `index` (sibling hashes from the leaf up). */
export function merkleProof(items: readonly Uint8Array[], index: number): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= items.length) throw new RangeError('merkleProof: index out of range');
  const path: Uint8Array[] = [];
  const rec = (lo: number, hi: number): Uint8Array => {
    if (hi - lo === 1) return leafHash(items[lo]!);
    const k = largestPowerOfTwoBelow(hi - lo);
    const mid = lo + k;
    if (index < mid) {
      const left = rec(lo, mid);
      path.push(subtreeRoot(items, mid, hi));
      return left;
    }
    const right = rec(mid, hi);
    path.push(subtreeRoot(items, lo, mid));
    return right;
  };
  rec(0, items.length);
  return path;
}

function subtreeRoot(items: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  return merkleRoot(items.slice(lo, hi));
}

/** Check that `item` is at `index` of a list of `size` items whose Merkle root is `root`. */
export function verifyMerkleProof(root: Uint8Array, item: Uint8Array, index: number, size: number, path: readonly Uint8Array[]): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return false;
  // RFC 9162 section 2.1.3.2 verification.
  let fn = index;
  let sn = size - 1;
  let r = leafHash(item);
  for (const p of path) {
    if (p.length !== HASH_LENGTH || sn === 0) return false;
    if ((fn & 1) === 1 || fn === sn) {
      r = innerHash(p, r);
      if ((fn & 1) === 0) {
        while ((fn & 1) === 0 && fn !== 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      }
    } else {
      r = innerHash(r, p);
    }
    fn >>>= 1;
    sn >>>= 1;
  }
  return sn === 0 && equalBytes(r, root);
}
