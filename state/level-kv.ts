/**
 * The LevelDB implementation of the KV interface, over `level` (classic-level on Node).
 * Keys and values are Uint8Array ('view' encoding). Opening maps LevelDB's lock error (the
 * directory is held by another process, or another handle in this one) to a typed
 * `STATE_LOCKED` error, and any other open failure to `STATE_OPEN_FAILED`.
 */
import { Level } from 'level';
import type { KV, KVOp, KVRange } from './kv.js';
import { StateError, StateErrorCodes } from './errors.js';

type Db = Level<Uint8Array, Uint8Array>;

/**
 * LevelDB's write buffer (memtable) size. LevelDB's default of 4 MiB flushes a node's
 * memtable every few seconds under load, and with keys spread over the whole key space
 * (hashes) each flush soon triggers a level-1 to level-2 compaction that rewrites most of
 * level 2: in bench:devnet that background work was about 10% of a node's CPU. 32 MiB cuts
 * flushes (and those rewrites) eightfold. At most two are held in memory at once, and
 * reopening after a crash replays at most this much log.
 */
export const LEVEL_WRITE_BUFFER_BYTES = 32 * 1024 * 1024;

function codeOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

export class LevelKV implements KV {
  private constructor(
    private readonly db: Db,
    readonly path: string,
  ) {}

  /**
   * Open (creating if missing) the LevelDB at `path`. `compression` (Snappy on each table
   * block) defaults to LevelDB's own default, on.
   */
  static async open(path: string, opts: { compression?: boolean } = {}): Promise<LevelKV> {
    const db: Db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view', writeBufferSize: LEVEL_WRITE_BUFFER_BYTES, compression: opts.compression ?? true });
    try {
      await db.open();
    } catch (e) {
      const cause = (e as { cause?: unknown }).cause;
      if (codeOf(cause) === 'LEVEL_LOCKED' || codeOf(e) === 'LEVEL_LOCKED') {
        throw new StateError(StateErrorCodes.STATE_LOCKED, `the store at ${path} is already open in another process`, { path });
      }
      throw new StateError(StateErrorCodes.STATE_OPEN_FAILED, `cannot open the store at ${path}: ${(cause as Error | undefined)?.message ?? (e as Error).message}`, { path });
    }
    return new LevelKV(db, path);
  }

  /**
   * A failed batch write, typed: a full disk (LevelDB's "No space left on device") is
   * STATE_DISK_FULL, any other I/O error STATE_WRITE_FAILED. LevelDB applies a batch whole or
   * not at all, and refuses every later write until the store is reopened.
   */
  private writeFailed(e: unknown): never {
    const cause = (e as { cause?: unknown }).cause;
    const text = `${(e as Error).message ?? ''} ${(cause as Error | undefined)?.message ?? ''}`;
    if (/no space left on device|ENOSPC|disk quota exceeded|EDQUOT/i.test(text)) {
      throw new StateError(StateErrorCodes.STATE_DISK_FULL, `the disk is full: cannot write the store at ${this.path}`, { path: this.path });
    }
    if (codeOf(e) === 'LEVEL_IO_ERROR' || codeOf(cause) === 'LEVEL_IO_ERROR') {
      throw new StateError(StateErrorCodes.STATE_WRITE_FAILED, `cannot write the store at ${this.path}: ${text.trim()}`, { path: this.path });
    }
    return this.wrap(e);
  }

  private wrap(e: unknown): never {
    if (codeOf(e) === 'LEVEL_DATABASE_NOT_OPEN') throw new StateError(StateErrorCodes.STATE_CLOSED, 'the store is closed', { path: this.path });
    throw e;
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      // Synchronous: a point read served from LevelDB's caches takes ~2 us this way, against
      // ~40 us of thread-pool round trip for the async form (which only pays off for reads
      // that go to disk, rare for a node's working set).
      return this.db.getSync(key);
    } catch (e) {
      return this.wrap(e);
    }
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    if (keys.length === 0) return [];
    try {
      return await this.db.getMany(keys as Uint8Array[]);
    } catch (e) {
      return this.wrap(e);
    }
  }

  async batch(ops: readonly KVOp[], opts: { sync?: boolean } = {}): Promise<void> {
    if (ops.length === 0) return;
    try {
      // The chained batch hands each op straight to LevelDB's WriteBatch; the array form
      // clones and re-encodes every op in JavaScript first (several times slower here).
      const b = this.db.batch();
      for (const op of ops) {
        if (op.type === 'put') b.put(op.key, op.value);
        else b.del(op.key);
      }
      await b.write({ sync: opts.sync ?? false });
    } catch (e) {
      this.writeFailed(e);
    }
  }

  async *iterate(range: KVRange): AsyncIterable<[Uint8Array, Uint8Array]> {
    const opts: { gte?: Uint8Array; lt?: Uint8Array; reverse?: boolean; limit?: number } = {};
    if (range.gte !== undefined) opts.gte = range.gte;
    if (range.lt !== undefined) opts.lt = range.lt;
    if (range.reverse) opts.reverse = true;
    if (range.limit !== undefined) opts.limit = range.limit;
    let it;
    try {
      it = this.db.iterator(opts);
    } catch (e) {
      return this.wrap(e);
    }
    try {
      while (true) {
        const entries = await it.nextv(256);
        if (entries.length === 0) break;
        for (const [k, v] of entries) yield [k, v];
      }
    } catch (e) {
      this.wrap(e);
    } finally {
      await it.close();
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
