/**
 * State proofs: the format, and the pure verifier a wallet runs. A proof walks from the root
 * to where `key` lives or would live:
 *   StateProof = [levels, leaf|nil]
 *   levels     = one [bitmap u16, siblings] per internal node on the path, root first;
 *                siblings = the hashes of the node's other present children, in nibble order
 *   leaf       = [keyHash, valueHash] of a different key's leaf found where `key` would be
 *                (an absence proof), or nil.
 * Presence: the path ends at key's leaf, recomputed from the value given to `verifyProof`.
 * Absence: the path ends at another key's leaf, or at a node whose bitmap lacks the key's
 * nibble, or the tree is empty (no levels, root = H("state-empty")).
 * `verifyProof` needs no database, never throws, and depends on core's hashing only.
 */
import { bytes32, decode, encode, equalBytes, list, optional, struct, u16, type Infer } from '../core/index.js';
import { EMPTY_ROOT, MAX_DEPTH, innerHashOf, keyHashOf, leafHashOf, nibble, valueHashOf } from './hashing.js';
import { popcount16 } from './node.js';

export const ProofLevelSchema = struct('ProofLevel', { bitmap: u16, siblings: list(bytes32, 16) });
export const ProofLeafSchema = struct('ProofLeaf', { keyHash: bytes32, valueHash: bytes32 });
export const StateProofSchema = struct('StateProof', { levels: list(ProofLevelSchema, MAX_DEPTH), leaf: optional(ProofLeafSchema) });
export type StateProof = Infer<typeof StateProofSchema>;

/** Upper bound of an encoded proof (64 levels of 15 siblings, plus headers). */
export const MAX_PROOF_BYTES = 64 * (16 * 34 + 8) + 80;

export const encodeProof = (p: StateProof): Uint8Array => encode(StateProofSchema, p);
export const decodeProof = (b: Uint8Array): StateProof => decode(StateProofSchema, b, MAX_PROOF_BYTES);

/**
 * True iff `proof` shows that, in the tree with root `root`, `key` holds `value` (or is
 * absent, when `value` is null). Malformed input of any kind gives false.
 */
export function verifyProof(root: Uint8Array, key: Uint8Array, value: Uint8Array | null, proof: Uint8Array | StateProof): boolean {
  try {
    if (!(root instanceof Uint8Array) || root.length !== 32 || !(key instanceof Uint8Array) || key.length === 0) return false;
    if (value !== null && !(value instanceof Uint8Array)) return false;
    const p = proof instanceof Uint8Array ? decodeProof(proof) : decodeProof(encodeProof(proof));
    const kh = keyHashOf(key);
    const d = p.levels.length;
    let cur: Uint8Array | null;
    if (value !== null) {
      if (p.leaf !== null) return false;
      cur = leafHashOf(kh, valueHashOf(value));
    } else if (p.leaf !== null) {
      const other = p.leaf.keyHash;
      if (equalBytes(other, kh)) return false;
      for (let i = 0; i < d; i++) if (nibble(other, i) !== nibble(kh, i)) return false;
      cur = leafHashOf(other, p.leaf.valueHash);
    } else {
      if (d === 0) return equalBytes(root, EMPTY_ROOT);
      cur = null;
    }
    for (let i = d - 1; i >= 0; i--) {
      const { bitmap, siblings } = p.levels[i]!;
      const n = nibble(kh, i);
      const present = (bitmap >> n) & 1;
      const count = popcount16(bitmap);
      if (count === 0) return false;
      if (cur !== null ? present === 0 || siblings.length !== count - 1 : present === 1 || siblings.length !== count) return false;
      const packed = new Uint8Array(count * 32);
      let s = 0;
      let r = 0;
      for (let m = 0; m < 16; m++) {
        if (((bitmap >> m) & 1) === 0) continue;
        packed.set(m === n && cur !== null ? cur : siblings[s++]!, r * 32);
        r++;
      }
      cur = innerHashOf(bitmap, packed);
    }
    return cur !== null && equalBytes(cur, root);
  } catch {
    return false;
  }
}
