/**
 * Batch anchoring: the Merkle tree over a batch of credential digests whose root the ledger
 * anchors, with every item's inclusion path. It is core's tree (core/hash.ts: RFC 6962 shape,
 * leaves hashed under the merkle-leaf domain and inner nodes under merkle-inner), built once
 * bottom-up (pair left to right; an odd last node moves up unchanged, which is the same tree
 * as RFC 6962's split at the largest power of two), keeping every level, so the root and all
 * n paths cost O(n log n) hashes together where core's `merkleProof` rebuilds subtrees on every
 * call. The root is core `merkleRoot(items)`, and each path is the one core `merkleProof` gives
 * and core `verifyMerkleProof(root, item, index, size, path)` accepts (leaf upwards). A batch
 * holds 1 to MAX_BATCH_ITEMS digests of 32 bytes (CRED_BATCH_INVALID otherwise). A path
 * authenticates the size only through its shape (item 12 of 37 and of 38 have the same path),
 * so the anchor record, not the path, must fix the batch's size.
 */
import { Domain, HASH_LENGTH, hashOf, verifyMerkleProof } from '../../../core/index.js';
import { credFail } from './errors.js';

/** The most digests in one anchored batch. */
export const MAX_BATCH_ITEMS = 10_000;

export interface AnchorBatch {
  /** The Merkle root (core merkleRoot of the items). */
  readonly root: Uint8Array;
  readonly size: number;
  /** The inclusion path of the item at `index` (sibling hashes from the leaf up). */
  path(index: number): Uint8Array[];
  /** Every item's path, in item order. */
  paths(): Uint8Array[][];
}

/** Build the tree of a batch of 32-byte credential digests. */
export function buildAnchorBatch(digests: readonly Uint8Array[]): AnchorBatch {
  if (!Array.isArray(digests) || digests.length === 0 || digests.length > MAX_BATCH_ITEMS) {
    credFail('CRED_BATCH_INVALID', `a batch holds 1 to ${MAX_BATCH_ITEMS} digests`, { size: Array.isArray(digests) ? digests.length : undefined });
  }
  digests.forEach((d, i) => {
    if (!(d instanceof Uint8Array) || d.length !== HASH_LENGTH) credFail('CRED_BATCH_INVALID', `item ${i} is not a ${HASH_LENGTH}-byte digest`, { index: i });
  });
  const levels: Uint8Array[][] = [digests.map((d) => hashOf(Domain.MERKLE_LEAF, d))];
  for (let level = levels[0]!; level.length > 1; ) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(hashOf(Domain.MERKLE_INNER, level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    levels.push(next);
    level = next;
  }
  const size = digests.length;
  const path = (index: number): Uint8Array[] => {
    if (!Number.isInteger(index) || index < 0 || index >= size) credFail('CRED_BATCH_INVALID', `index ${index} is outside the batch of ${size}`, { index, size });
    const out: Uint8Array[] = [];
    let i = index;
    for (let l = 0; l < levels.length - 1; l++) {
      const level = levels[l]!;
      const sibling = i ^ 1;
      if (sibling < level.length) out.push(level[sibling]!); // else the last odd node moves up as is
      i >>= 1;
    }
    return out;
  };
  return {
    root: levels[levels.length - 1]![0]!,
    size,
    path,
    paths: () => Array.from({ length: size }, (_, i) => path(i)),
  };
}

/** Check that `digest` is item `index` of an anchored batch of `size` with this root (core verifyMerkleProof). */
export function verifyAnchorPath(root: Uint8Array, digest: Uint8Array, index: number, size: number, path: readonly Uint8Array[]): boolean {
  return verifyMerkleProof(root, digest, index, size, path);
}
