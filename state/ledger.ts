/**
 * LedgerStore: the node's one database. It owns the state tree and the block store over a
 * single KV and commits a height atomically: the height's tree nodes, leaves, root record,
 * stale list, pruning deletes, block, commit certificate, tx locations, receipts, events,
 * account indexes and the metadata record (head height, root) go into ONE batch. A crash at
 * any instant therefore reopens at the last committed height, whole.
 *
 * Pruning: `pruneWindow` keeps that many state versions readable, `blockWindow` that many
 * blocks (with their certificates, transaction locations, receipts and index entries); both
 * prune inside the commit's batch, at most 16 heights a commit each, so a height is pruned
 * whole or not at all, and a store that starts pruning a long chain catches up gradually.
 *
 * Flow: `prepare(writes)` computes the next height's root without writing (the proposer
 * puts it in the header); `commit(prepared, {block, commit, results})` checks that the
 * block is for that height and carries that root, and writes everything.
 */
import { Block, CommitSchema, encode, equalBytes, type Commit } from '../core/index.js';
import type { KV } from './kv.js';
import { LevelKV } from './level-kv.js';
import { StateError, StateErrorCodes, corrupt, invalidInput } from './errors.js';
import { StateTree, type PreparedVersion } from './store.js';
import { BlockReader, PRUNE_BLOCKS_PER_COMMIT, blockOps, blockPruneOps, type BlockRecord } from './blocks.js';
import { blockHashKey, blockKey, blocksOldestKey, commitKey, readU64, writeU64 } from './keys.js';
import { SnapshotImporter, type SnapshotTarget } from './snapshot-import.js';
import { exportSnapshot, importSnapshot } from './snapshot.js';
import type { StateWrite } from './tree.js';

export interface LedgerOptions {
  /** Directory of the LevelDB database (or give `kv`). */
  readonly path?: string;
  readonly kv?: KV;
  /** Keep this many most recent state versions readable (null: keep all). */
  readonly pruneWindow?: number | null;
  /**
   * Keep this many most recent blocks, with their certificates, transaction locations,
   * receipts and index entries (null: keep all, an archive of blocks). The head's block and
   * certificate are always kept.
   */
  readonly blockWindow?: number | null;
  /** Internal tree nodes kept in memory. */
  readonly cacheNodes?: number;
  /** Make each commit durable before it resolves (fsync). Default true. */
  readonly sync?: boolean;
}

export class LedgerStore {
  readonly blocks: BlockReader;
  /** State versions kept from pruning while something reads them whole (a snapshot being made), with a count each. */
  private readonly pins = new Map<number, number>();
  /** The oldest block kept, and what it becomes once the batch being written lands. */
  private blocksOldest: number;
  private blocksPruningTo: number;

  private constructor(
    readonly kv: KV,
    readonly state: StateTree,
    private readonly opts: LedgerOptions,
    blocksOldest: number,
  ) {
    this.blocksOldest = blocksOldest;
    this.blocksPruningTo = blocksOldest;
    this.blocks = new BlockReader(kv, () => this.state.height, () => this.blocksOldest, () => this.blocksPruningTo);
  }

  /** The oldest block kept (1 unless blocks were pruned), read at open. */
  private static async readBlocksOldest(kv: KV, head: number): Promise<number> {
    const b = await kv.get(blocksOldestKey());
    if (b === undefined) return 1;
    if (b.length !== 8) throw corrupt('the oldest-block record is malformed');
    const h = readU64(b, 0);
    if (h < 1 || h > Math.max(1, head)) throw corrupt(`the oldest block kept (${h}) is not between 1 and the head ${head}`, { oldest: h, head });
    return h;
  }

  private static async openKV(opts: LedgerOptions): Promise<KV> {
    if (opts.kv) return opts.kv;
    if (typeof opts.path !== 'string' || opts.path === '') throw invalidInput('a ledger store needs a path or a kv');
    return LevelKV.open(opts.path);
  }

  private static checkOpts(opts: LedgerOptions): void {
    const w = opts.pruneWindow;
    if (w !== undefined && w !== null && (!Number.isSafeInteger(w) || w < 1)) throw invalidInput('pruneWindow is a positive integer or null');
    const b = opts.blockWindow;
    if (b !== undefined && b !== null && (!Number.isSafeInteger(b) || b < 1)) throw invalidInput('blockWindow is a positive integer or null');
  }

  /** Open (or create) the store. A store held by another process is STATE_LOCKED. */
  static async open(opts: LedgerOptions): Promise<LedgerStore> {
    LedgerStore.checkOpts(opts);
    const kv = await LedgerStore.openKV(opts);
    try {
      const state = await StateTree.open(kv, { cacheNodes: opts.cacheNodes });
      return new LedgerStore(kv, state, opts, await LedgerStore.readBlocksOldest(kv, state.height));
    } catch (e) {
      if (!opts.kv) await kv.close();
      throw e;
    }
  }

  /** Open a fresh store from a state snapshot (it then holds that height, without blocks below). */
  static async fromSnapshot(opts: LedgerOptions, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<LedgerStore> {
    LedgerStore.checkOpts(opts);
    const kv = await LedgerStore.openKV(opts);
    try {
      const state = await importSnapshot(kv, chunks, { cacheNodes: opts.cacheNodes });
      return new LedgerStore(kv, state, opts, 1);
    } catch (e) {
      if (!opts.kv) await kv.close();
      throw e;
    }
  }

  get height(): number {
    return this.state.height;
  }
  get rootHash(): Uint8Array {
    return this.state.rootHash;
  }
  /** The oldest state version still readable (0 unless versions were pruned). */
  get oldestState(): number {
    return this.state.oldest;
  }
  /** The oldest block still held (1 unless blocks were pruned; a store imported from a snapshot holds none up to its height). */
  get oldestBlock(): number {
    return this.blocksOldest;
  }

  /** Compute the next height's state from `writes` (nothing is written). */
  prepare(writes: readonly StateWrite[]): Promise<PreparedVersion> {
    return this.state.prepare(writes);
  }

  /** Write height `prepared.height`: state, block, certificate, results, indexes, metadata, in one batch. */
  async commit(prepared: PreparedVersion, rec: BlockRecord): Promise<void> {
    await this.state.runSerial(async () => {
      if (prepared.baseHeight !== this.state.height || !equalBytes(prepared.baseRootHash, this.state.rootHash)) {
        throw new StateError(StateErrorCodes.STATE_CONFLICT, `prepared on height ${prepared.baseHeight}, but the head is ${this.state.height}`);
      }
      const h = prepared.height;
      const bw = this.opts.blockWindow;
      const bops = await blockOps(this.kv, h, rec, prepared.rootHash, { pruneList: bw !== undefined && bw !== null });
      // Blocks below h - bw + 1 go, at most PRUNE_BLOCKS_PER_COMMIT heights in this batch.
      let blocksOldest = this.blocksOldest;
      if (bw !== undefined && bw !== null && h - bw + 1 > blocksOldest) {
        const to = Math.min(h - bw + 1, blocksOldest + PRUNE_BLOCKS_PER_COMMIT);
        await blockPruneOps(this.kv, blocksOldest, to, bops);
        const v = new Uint8Array(8);
        writeU64(v, 0, to);
        bops.push({ type: 'put', key: blocksOldestKey(), value: v });
        blocksOldest = to;
      }
      const w = this.opts.pruneWindow;
      let keepFrom = w ? Math.max(0, h - w + 1) : undefined;
      for (const p of this.pins.keys()) if (keepFrom !== undefined && p < keepFrom) keepFrom = Math.max(this.state.oldest, p);
      const staged = await this.state.stage(prepared, keepFrom);
      this.blocksPruningTo = blocksOldest;
      try {
        await this.kv.batch([...bops, ...staged.ops], { sync: this.opts.sync ?? true });
      } catch (e) {
        this.blocksPruningTo = this.blocksOldest;
        throw e;
      }
      staged.finish();
      this.blocksOldest = blocksOldest;
    });
  }

  /**
   * Keep state version `h` from being pruned until `unpin` (a snapshot is being made of it).
   * False when it is pruned already.
   */
  pinState(h: number): boolean {
    if (h < this.state.oldest || h > this.state.height) return false;
    this.pins.set(h, (this.pins.get(h) ?? 0) + 1);
    return true;
  }

  unpinState(h: number): void {
    const n = this.pins.get(h) ?? 0;
    if (n <= 1) this.pins.delete(h);
    else this.pins.set(h, n - 1);
  }

  /** Start a state sync into this store, which must be empty (snapshot-import.ts). */
  beginStateSync(target: SnapshotTarget): Promise<SnapshotImporter> {
    return SnapshotImporter.begin(this.state, target);
  }

  /**
   * End a state sync: the imported state becomes height h, stored in one batch with block h
   * and its commit certificate (checked to be for that block and root; their trust is the
   * caller's), and the store holds blocks from h on: a read of an older block is
   * STATE_PRUNED. Block h's receipts and index entries are not part of a snapshot: reads of
   * them are STATE_MISSING_HEIGHT.
   */
  async finishStateSync(importer: SnapshotImporter, block: Block, commit: Commit): Promise<void> {
    const h = importer.target.height;
    if (!(block instanceof Block) || block.height !== h || !equalBytes(block.header.stateRoot, importer.target.rootHash)) {
      throw new StateError(StateErrorCodes.STATE_BLOCK_MISMATCH, `the block is not block ${h} with the snapshot's state root`, { height: h });
    }
    if (commit.height !== h || !equalBytes(commit.blockHash, block.hash)) throw new StateError(StateErrorCodes.STATE_BLOCK_MISMATCH, `the commit certificate is not for block ${h}`, { height: h });
    const hb = new Uint8Array(8);
    writeU64(hb, 0, h);
    await importer.finish([
      { type: 'put', key: blockKey(h), value: block.bytes },
      { type: 'put', key: commitKey(h), value: encode(CommitSchema, commit) },
      { type: 'put', key: blockHashKey(block.hash), value: hb },
      { type: 'put', key: blocksOldestKey(), value: hb },
    ]);
    this.blocksOldest = h;
    this.blocksPruningTo = h;
  }

  /** Read `key` at height h (default: the head). */
  get(key: Uint8Array, h?: number): Promise<Uint8Array | null> {
    return this.state.get(key, h);
  }

  prove(key: Uint8Array, h?: number): ReturnType<StateTree['prove']> {
    return this.state.prove(key, h);
  }

  exportSnapshot(h: number): AsyncGenerator<Uint8Array> {
    return exportSnapshot(this.state, h);
  }

  /**
   * Full check of height h: its root recomputed from its leaves must equal the stored root
   * and, when the block is held, the block's stateRoot. Throws STATE_CORRUPT otherwise.
   */
  async verifyHeight(h: number): Promise<Uint8Array> {
    const stored = await this.state.rootAt(h);
    const again = await this.state.recomputeRoot(h);
    if (!equalBytes(stored, again)) throw new StateError(StateErrorCodes.STATE_CORRUPT, `height ${h}: the root recomputed from its leaves differs`, { height: h });
    if (h > 0) {
      let block = null;
      try {
        block = await this.blocks.getBlock(h);
      } catch (e) {
        if (!(e instanceof StateError && (e.code === StateErrorCodes.STATE_MISSING_HEIGHT || e.code === StateErrorCodes.STATE_PRUNED))) throw e;
      }
      if (block && !equalBytes(block.header.stateRoot, stored)) throw new StateError(StateErrorCodes.STATE_CORRUPT, `height ${h}: block stateRoot differs from the state`, { height: h });
    }
    return stored;
  }

  async close(): Promise<void> {
    await this.state.close();
  }
}
