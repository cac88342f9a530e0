/**
 * State snapshots: export the whole state at a height as a stream of canonical chunks, and
 * import it into a fresh store, which then holds that height (and no older one).
 *   chunk 0:  SnapshotHeader = [format, height, rootHash]
 *   chunk 1+: SnapshotChunk  = [[[key, value], ...]]   entries in strictly increasing keyHash
 * Import checks every chunk's encoding and order, rebuilds the tree, and accepts the result
 * only if it reproduces the header's root; otherwise it deletes everything it wrote and
 * throws STATE_SNAPSHOT_INVALID. A crash during import leaves a marker that the next open
 * clears, so a half-imported store never looks like a committed one. The root in the header
 * is only as trustworthy as its source: callers check it against a committed block header.
 */
import { bytes, bytes32, compareBytes, decode, encode, isSovError, list, struct, u8, uint, type Infer } from '../core/index.js';
import type { KV } from './kv.js';
import { StateError, StateErrorCodes } from './errors.js';
import { keyHashOf } from './hashing.js';
import { importKey } from './keys.js';
import { StateTree, STATE_FORMAT, type StateTreeOptions } from './store.js';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES, rootHashOf, type StateWrite } from './tree.js';
import { sameHash, type Entry } from './node.js';

export const SNAPSHOT_CHUNK_ENTRIES = 1000;
const MAX_CHUNK_ENTRIES = 10_000;

export const SnapshotHeaderSchema = struct('SnapshotHeader', { format: u8, height: uint, rootHash: bytes32 });
export const SnapshotEntrySchema = struct('SnapshotEntry', { key: bytes({ max: MAX_KEY_BYTES }), value: bytes({ max: MAX_VALUE_BYTES }) });
export const SnapshotChunkSchema = struct('SnapshotChunk', { entries: list(SnapshotEntrySchema, MAX_CHUNK_ENTRIES) });
export type SnapshotHeader = Infer<typeof SnapshotHeaderSchema>;

/** The snapshot of version `height`: the header chunk, then entry chunks. */
export async function* exportSnapshot(tree: StateTree, height: number, chunkEntries = SNAPSHOT_CHUNK_ENTRIES): AsyncGenerator<Uint8Array> {
  const rootHash = await tree.rootAt(height);
  yield encode(SnapshotHeaderSchema, { format: STATE_FORMAT, height, rootHash });
  for await (const chunk of tree.entries(height, Math.min(chunkEntries, MAX_CHUNK_ENTRIES))) {
    yield encode(SnapshotChunkSchema, { entries: chunk.map(([key, value]) => ({ key, value })) });
  }
}

const invalid = (message: string, meta: Record<string, unknown> = {}): StateError =>
  new StateError(StateErrorCodes.STATE_SNAPSHOT_INVALID, message, meta);

/**
 * Import a snapshot into `kv`, which must hold no committed height. Returns the opened tree
 * at the snapshot's height. Throws STATE_SNAPSHOT_INVALID (and leaves `kv` empty) for a
 * malformed, reordered, truncated or tampered snapshot.
 */
export async function importSnapshot(kv: KV, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: StateTreeOptions = {}): Promise<StateTree> {
  const tree = await StateTree.open(kv, opts);
  if (tree.height !== 0) throw new StateError(StateErrorCodes.STATE_NOT_EMPTY, `the store already holds height ${tree.height}`, { height: tree.height });
  return tree.runSerial(async () => {
    await kv.batch([{ type: 'put', key: importKey(), value: new Uint8Array(0) }], { sync: true });
    let header: SnapshotHeader | null = null;
    let root: Entry | null = null;
    let last: Uint8Array | null = null;
    let count = 0;
    try {
      for await (const raw of chunks) {
        if (!(raw instanceof Uint8Array)) throw invalid('a snapshot chunk is not bytes');
        if (header === null) {
          header = decode(SnapshotHeaderSchema, raw, 1024);
          if (header.format !== STATE_FORMAT) throw invalid(`unknown snapshot format ${header.format}`);
          if (header.height < 1) throw invalid('a snapshot is of a height of at least 1');
          continue;
        }
        const { entries } = decode(SnapshotChunkSchema, raw);
        const writes: StateWrite[] = [];
        for (const { key, value } of entries) {
          if (key.length === 0) throw invalid('empty key in the snapshot');
          const kh = keyHashOf(key);
          if (last !== null && compareBytes(last, kh) >= 0) throw invalid('snapshot entries are not in increasing key-hash order', { index: count });
          last = kh;
          writes.push({ key, value });
          count++;
        }
        if (writes.length > 0) root = await tree.importChunk(root, header.height, writes);
      }
      if (header === null) throw invalid('empty snapshot (no header)');
      if (!sameHash(rootHashOf(root), header.rootHash)) throw invalid('the snapshot does not reproduce its root', { height: header.height, entries: count });
    } catch (e) {
      await tree.importFinish(null, 0, false);
      if (e instanceof StateError && e.code !== StateErrorCodes.STATE_SNAPSHOT_INVALID) throw e;
      if (e instanceof StateError || isSovError(e)) throw e instanceof StateError ? e : invalid(`malformed snapshot: ${e.message}`, { cause: e.code });
      throw e;
    }
    await tree.importFinish(root, header.height, true);
    return tree;
  });
}

