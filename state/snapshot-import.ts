/**
 * Snapshots for state sync: chunks that each prove themselves, and an importer that checks
 * every chunk as it comes, so a bad chunk is refused at once (and can be asked of another
 * peer) instead of failing the whole snapshot at its end.
 *
 *   ProofChunk = [[[key, value], ...], proof]
 * Chunk i of the snapshot of version h holds the entries i*E .. i*E+E-1 of h in key-hash order
 * (E = the snapshot's chunk size; only the last chunk may hold fewer), and `proof` is h's
 * state proof (proof.ts) of the chunk's LAST key.
 *
 * Why one chunk at a time is enough: the importer adds the chunk's entries to its partial
 * tree (every key up to the chunk's last one), then checks that (a) the proof shows the last
 * key holding the last value under the trusted root, and (b) the partial tree's root equals
 * the "left root" rebuilt from the proof: the tree made of the last key's leaf and every
 * sibling on its path that lies LEFT of the path (those subtrees hold only smaller keys, so
 * they are complete in the partial tree). The left root is the root of exactly the trusted
 * state's entries up to the last key; the partial root is that of the entries imported; equal
 * hashes mean equal sets. So a changed, dropped, injected or reordered entry, a wrong proof or
 * a chunk from another place fails at that chunk. Nothing of a refused chunk is written (its
 * update is computed, checked, and only then written), so the import goes on from the chunk
 * before. After the last chunk the partial root is the trusted root itself.
 *
 * The import marker (keys.ts IMPORT) is written first and removed with the metadata in the
 * last batch: a crash mid-import leaves a store that the next open wipes.
 */
import { bytes, compareBytes, decode, encode, equalBytes, list, struct, type Infer } from '../core/index.js';
import type { KVOp } from './kv.js';
import { StateError, StateErrorCodes } from './errors.js';
import { innerHashOf, keyHashOf, leafHashOf, nibble, valueHashOf } from './hashing.js';
import { importKey } from './keys.js';
import { StateProofSchema, verifyProof, type StateProof } from './proof.js';
import type { StateTree } from './store.js';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES, rootHashOf, type StateWrite } from './tree.js';
import type { Entry } from './node.js';

/** Entries per chunk unless the snapshot says otherwise. */
export const STATE_SYNC_CHUNK_ENTRIES = 2000;
/** Most entries a chunk may hold (any snapshot's chunk size is at most this). */
export const MAX_PROOF_CHUNK_ENTRIES = 10_000;

export const ProofChunkSchema = struct('ProofChunk', {
  entries: list(struct('ProofChunkEntry', { key: bytes({ max: MAX_KEY_BYTES }), value: bytes({ max: MAX_VALUE_BYTES }) }), MAX_PROOF_CHUNK_ENTRIES),
  proof: StateProofSchema,
});
export type ProofChunk = Infer<typeof ProofChunkSchema>;

/** What a snapshot is, as offered: the version, its root, how many chunks of how many entries. */
export interface SnapshotTarget {
  readonly height: number;
  readonly rootHash: Uint8Array;
  readonly chunks: number;
  readonly chunkEntries: number;
}

/**
 * The chunks of version `h` (ProofChunk bytes, in order), each with the proof of its last
 * key. Reads version h while it runs: keep it from being pruned meanwhile.
 */
export async function* exportProofChunks(tree: StateTree, h: number, chunkEntries = STATE_SYNC_CHUNK_ENTRIES): AsyncGenerator<{ bytes: Uint8Array; entries: number }> {
  if (!Number.isSafeInteger(chunkEntries) || chunkEntries < 1 || chunkEntries > MAX_PROOF_CHUNK_ENTRIES) throw new RangeError(`chunk size ${chunkEntries}`);
  for await (const chunk of tree.entries(h, chunkEntries)) {
    const last = chunk[chunk.length - 1]!;
    const { value, proof } = await tree.prove(last[0], h);
    if (value === null || !equalBytes(value, last[1])) throw new StateError(StateErrorCodes.STATE_CORRUPT, 'a snapshot chunk\'s last key does not prove its value');
    yield { bytes: encode(ProofChunkSchema, { entries: chunk.map(([key, v]) => ({ key, value: v })), proof }), entries: chunk.length };
  }
}

/**
 * The root of the tree holding the leaf `leafHash` of key hash `kh` and every subtree LEFT
 * of its path in `proof` (the siblings whose nibble is below the path's): the root of the
 * proven tree's entries up to and including that key. A leaf alone in its subtree sits as
 * high as it can (tree.ts), an internal node with one child stays.
 */
export function leftRootOf(proof: StateProof, kh: Uint8Array, leafHash: Uint8Array): Uint8Array {
  let cur = leafHash;
  let lone = true;
  for (let i = proof.levels.length - 1; i >= 0; i--) {
    const { bitmap, siblings } = proof.levels[i]!;
    const n = nibble(kh, i);
    const left: Uint8Array[] = [];
    let mask = 0;
    let s = 0;
    for (let m = 0; m < 16; m++) {
      if (((bitmap >> m) & 1) === 0 || m === n) continue;
      if (m < n) {
        left.push(siblings[s]!);
        mask |= 1 << m;
      }
      s++;
    }
    if (left.length === 0 && lone) continue;
    lone = false;
    const packed = new Uint8Array((left.length + 1) * 32);
    left.forEach((h, j) => packed.set(h, j * 32));
    packed.set(cur, left.length * 32);
    cur = innerHashOf(mask | (1 << n), packed);
  }
  return cur;
}

const refused = (index: number, reason: string, meta: Record<string, unknown> = {}): StateError =>
  new StateError(StateErrorCodes.STATE_SNAPSHOT_INVALID, `snapshot chunk ${index} refused: ${reason}`, { chunk: index, reason, ...meta });

/**
 * The checks of one chunk that need no tree (its encoding, order, size and proof), for a
 * chunk just received. Returns it decoded; throws STATE_SNAPSHOT_INVALID.
 */
export function checkProofChunk(target: SnapshotTarget, index: number, raw: Uint8Array): ProofChunk {
  let chunk: ProofChunk;
  try {
    chunk = decode(ProofChunkSchema, raw);
  } catch (e) {
    throw refused(index, `malformed: ${(e as Error).message}`);
  }
  const n = chunk.entries.length;
  if (n === 0 || n > target.chunkEntries) throw refused(index, `${n} entries (a chunk holds 1..${target.chunkEntries})`);
  if (index < target.chunks - 1 && n !== target.chunkEntries) throw refused(index, `${n} entries, not ${target.chunkEntries} (only the last chunk holds fewer)`);
  let prev: Uint8Array | null = null;
  for (const { key } of chunk.entries) {
    if (key.length === 0) throw refused(index, 'an empty key');
    const kh = keyHashOf(key);
    if (prev !== null && compareBytes(prev, kh) >= 0) throw refused(index, 'entries not in increasing key-hash order');
    prev = kh;
  }
  const last = chunk.entries[n - 1]!;
  if (!verifyProof(target.rootHash, last.key, last.value, chunk.proof)) throw refused(index, 'the proof of its last entry does not verify against the snapshot root');
  return chunk;
}

/**
 * Imports a snapshot chunk by chunk into an empty state tree, checking each (see the file's
 * docblock). Chunks go in in order; `add` of a bad chunk throws STATE_SNAPSHOT_INVALID (meta
 * `chunk`, `reason`) and changes nothing, so the caller asks another peer for it.
 */
export class SnapshotImporter {
  private root: Entry | null = null;
  private lastKh: Uint8Array | null = null;
  private next = 0;
  private count = 0;
  private closed = false;

  private constructor(private readonly tree: StateTree, readonly target: SnapshotTarget) {}

  /** Start importing `target` into `tree`, which must hold no committed height (else STATE_NOT_EMPTY). */
  static async begin(tree: StateTree, target: SnapshotTarget): Promise<SnapshotImporter> {
    if (tree.height !== 0) throw new StateError(StateErrorCodes.STATE_NOT_EMPTY, `the store already holds height ${tree.height}`, { height: tree.height });
    const { height, rootHash, chunks, chunkEntries } = target;
    if (!Number.isSafeInteger(height) || height < 1) throw new StateError(StateErrorCodes.STATE_INVALID_INPUT, 'a snapshot is of a height of at least 1');
    if (!(rootHash instanceof Uint8Array) || rootHash.length !== 32) throw new StateError(StateErrorCodes.STATE_INVALID_INPUT, 'a snapshot root is 32 bytes');
    if (!Number.isSafeInteger(chunks) || chunks < 1) throw new StateError(StateErrorCodes.STATE_INVALID_INPUT, 'a snapshot has at least one chunk');
    if (!Number.isSafeInteger(chunkEntries) || chunkEntries < 1 || chunkEntries > MAX_PROOF_CHUNK_ENTRIES) throw new StateError(StateErrorCodes.STATE_INVALID_INPUT, `bad chunk size ${chunkEntries}`);
    await tree.runSerial(() => tree.kv.batch([{ type: 'put', key: importKey(), value: new Uint8Array(0) }], { sync: true }));
    return new SnapshotImporter(tree, target);
  }

  /** The index of the chunk `add` takes next. */
  get nextChunk(): number {
    return this.next;
  }
  /** Entries imported so far. */
  get entries(): number {
    return this.count;
  }
  /** True once the imported entries reproduce the snapshot's root (every chunk is in). */
  get complete(): boolean {
    return this.next > 0 && equalBytes(rootHashOf(this.root), this.target.rootHash);
  }

  /** Check chunk `index` (it must be `nextChunk`) and, when it holds, write it. */
  add(index: number, raw: Uint8Array): Promise<void> {
    return this.tree.runSerial(async () => {
      if (this.closed) throw new StateError(StateErrorCodes.STATE_CLOSED, 'the snapshot import is finished');
      if (index !== this.next) throw refused(index, `out of order (chunk ${this.next} is next)`);
      if (index >= this.target.chunks) throw refused(index, `beyond the snapshot's ${this.target.chunks} chunks`);
      if (this.complete) throw refused(index, 'the snapshot is complete already');
      const chunk = checkProofChunk(this.target, index, raw);
      const firstKh = keyHashOf(chunk.entries[0]!.key);
      if (this.lastKh !== null && compareBytes(this.lastKh, firstKh) >= 0) throw refused(index, 'its first entry does not follow the previous chunk\'s last');
      const writes: StateWrite[] = chunk.entries.map(({ key, value }) => ({ key, value }));
      const u = await this.tree.prepareImportChunk(this.root, this.target.height, writes);
      const last = chunk.entries[chunk.entries.length - 1]!;
      const lastKh = keyHashOf(last.key);
      const expected = leftRootOf(chunk.proof, lastKh, leafHashOf(lastKh, valueHashOf(last.value)));
      if (!equalBytes(u.rootHash, expected)) throw refused(index, 'its entries are not exactly the state\'s entries up to its last key');
      if (index === this.target.chunks - 1 && !equalBytes(u.rootHash, this.target.rootHash)) throw refused(index, 'the last chunk does not complete the snapshot root');
      this.root = await this.tree.writeImportChunk(u);
      this.lastKh = lastKh;
      this.count += chunk.entries.length;
      this.next++;
    });
  }

  /**
   * Make the imported version the tree's head, in one batch with `extra` (what else belongs to
   * that height, e.g. its block) and the end of the import marker.
   */
  finish(extra: readonly KVOp[] = []): Promise<void> {
    return this.tree.runSerial(async () => {
      if (this.closed) throw new StateError(StateErrorCodes.STATE_CLOSED, 'the snapshot import is finished');
      if (!this.complete) throw new StateError(StateErrorCodes.STATE_SNAPSHOT_INVALID, `the snapshot is incomplete (${this.next} of ${this.target.chunks} chunks)`, { chunks: this.next });
      this.closed = true;
      await this.tree.importFinish(this.root, this.target.height, true, extra);
    });
  }

  /** Give up: delete everything imported (the store is empty again). */
  abort(): Promise<void> {
    return this.tree.runSerial(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.tree.importFinish(null, 0, false);
    });
  }
}
