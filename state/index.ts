/**
 * state/: the authenticated, versioned key-value state over LevelDB (a Jellyfish-style
 * sparse Merkle tree with proofs), the block store and its indexes, snapshots, and the
 * atomic per-height commit. This file is the folder's whole public surface.
 */
export * from './errors.js';
export type { KV, KVOp, KVRange } from './kv.js';
export { MemoryKV } from './kv.js';
export { LevelKV } from './level-kv.js';
export { Prefix, MAX_ACCOUNT_BYTES } from './keys.js';
export { EMPTY_ROOT, MAX_DEPTH, StateDomain, computeRoot, innerHashOf, keyHashOf, leafHashOf, valueHashOf } from './hashing.js';
export { MAX_KEY_BYTES, MAX_VALUE_BYTES, type StateWrite } from './tree.js';
export { StateProofSchema, decodeProof, encodeProof, verifyProof, MAX_PROOF_BYTES, type StateProof } from './proof.js';
export { StateTree, STATE_FORMAT, PRUNE_VERSIONS_PER_BATCH, type PreparedVersion, type StagedCommit, type StateTreeOptions } from './store.js';
export { nativeUnavailable } from './native-tree.js';
export { exportSnapshot, importSnapshot, SnapshotHeaderSchema, SnapshotChunkSchema, SNAPSHOT_CHUNK_ENTRIES } from './snapshot.js';
export { BlockReader, PRUNE_BLOCKS_PER_COMMIT, MAX_PAGE, MAX_RECEIPT_BYTES, txHashOf, type BlockRecord, type TxResult, type Page, type TxRef, type IndexRange, type IndexCursor, type IndexItem } from './blocks.js';
export { LedgerStore, type LedgerOptions } from './ledger.js';
export { SnapshotImporter, ProofChunkSchema, STATE_SYNC_CHUNK_ENTRIES, MAX_PROOF_CHUNK_ENTRIES, checkProofChunk, exportProofChunks, leftRootOf, type ProofChunk, type SnapshotTarget } from './snapshot-import.js';
