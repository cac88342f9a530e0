/**
 * The snapshots this node serves to state-syncing peers, as files in `<data_dir>/snapshots`:
 *   <height>/manifest.bin   [format, height, rootHash, chunks, chunkEntries, entries]
 *   <height>/chunk-<i>.bin  ProofChunk i (state/snapshot-import.ts): entries and the proof of the last
 * Every `[statesync] snapshot_interval` heights the committed height's state is written out
 * (not while the node catches up from far behind: 20 heights or more) in the background (the version is pinned against pruning meanwhile; consensus goes on and
 * is never waited for), into `.tmp-<height>` renamed into place when whole, so a crash leaves
 * no half snapshot (the next start deletes `.tmp-*`). The newest `snapshot_keep` are kept.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bytes32, decode, encode, struct, toHex, u32, u8, uint, type Infer } from '../../core/index.js';
import { exportProofChunks, STATE_FORMAT, type LedgerStore } from '../../state/index.js';
import type { Logger } from '../ops/log.js';

export const ManifestSchema = struct('SnapshotManifest', { format: u8, height: uint, rootHash: bytes32, chunks: u32, chunkEntries: u32, entries: uint });
export type SnapshotInfo = Infer<typeof ManifestSchema>;

export interface SnapshotStoreOptions {
  dir: string;
  ledger: LedgerStore;
  log: Logger;
  /** Make a snapshot every this many heights (0: never). */
  interval: number;
  /** Keep this many newest snapshots. */
  keep: number;
  /** Entries per chunk. */
  chunkEntries: number;
  /** True while the node catches up (no snapshots of heights passed on the way). */
  syncing?: () => boolean;
}

export class SnapshotStore {
  private snapshots: SnapshotInfo[] = [];
  private making: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly opts: SnapshotStoreOptions) {
    mkdirSync(opts.dir, { recursive: true });
    for (const name of readdirSync(opts.dir)) {
      const path = join(opts.dir, name);
      if (name.startsWith('.tmp-')) {
        rmSync(path, { recursive: true, force: true });
        continue;
      }
      if (!/^[0-9]+$/.test(name)) continue;
      try {
        this.snapshots.push(decode(ManifestSchema, new Uint8Array(readFileSync(join(path, 'manifest.bin')))));
      } catch (e) {
        opts.log.warn({ path, err: (e as Error).message }, 'an unreadable snapshot is deleted');
        rmSync(path, { recursive: true, force: true });
      }
    }
    this.snapshots.sort((a, b) => b.height - a.height);
  }

  /** The snapshots served, newest first. */
  list(): readonly SnapshotInfo[] {
    return this.snapshots;
  }

  /** True while a snapshot is being written. */
  get busy(): boolean {
    return this.making !== null;
  }

  /** After each commit: start a snapshot of `height` when it is due (and none is being made). */
  onCommitted(height: number): void {
    const { interval } = this.opts;
    if (interval <= 0 || height % interval !== 0 || this.making !== null || this.stopped || this.opts.syncing?.() === true) return;
    if (this.snapshots.some((s) => s.height === height)) return;
    this.making = this.make(height)
      .then(() => undefined, (e: unknown) => void this.opts.log.warn({ height, err: (e as Error).message }, 'a state snapshot could not be made'))
      .finally(() => (this.making = null));
  }

  /** Write the snapshot of `height` now (tests and onCommitted). */
  async make(height: number): Promise<SnapshotInfo | null> {
    const { ledger, dir, log } = this.opts;
    if (!ledger.pinState(height)) throw new Error(`state version ${height} is not held`);
    const tmp = join(dir, `.tmp-${height}`);
    const started = Date.now();
    try {
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp, { recursive: true });
      let chunks = 0;
      let entries = 0;
      for await (const c of exportProofChunks(ledger.state, height, this.opts.chunkEntries)) {
        if (this.stopped) return null;
        await writeFile(join(tmp, `chunk-${chunks}.bin`), c.bytes);
        chunks++;
        entries += c.entries;
      }
      if (chunks === 0) return null; // an empty state: nothing to serve
      const info: SnapshotInfo = { format: STATE_FORMAT, height, rootHash: await ledger.state.rootAt(height), chunks, chunkEntries: this.opts.chunkEntries, entries };
      await writeFile(join(tmp, 'manifest.bin'), encode(ManifestSchema, info));
      await syncDir(tmp);
      renameSync(tmp, join(dir, String(height)));
      this.snapshots = [info, ...this.snapshots.filter((s) => s.height !== height)].sort((a, b) => b.height - a.height);
      for (const old of this.snapshots.slice(this.opts.keep)) rmSync(join(dir, String(old.height)), { recursive: true, force: true });
      this.snapshots = this.snapshots.slice(0, this.opts.keep);
      log.info({ height, chunks, entries, root: toHex(info.rootHash).slice(0, 16), ms: Date.now() - started }, 'state snapshot made');
      return info;
    } finally {
      ledger.unpinState(height);
      if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
    }
  }

  /** Part `part` (of at most `partBytes`) of chunk `index` of the snapshot of `height`, or null when not served. */
  async readPart(height: number, index: number, part: number, partBytes: number): Promise<{ bytes: Uint8Array; parts: number } | null> {
    const s = this.snapshots.find((x) => x.height === height);
    if (!s || index >= s.chunks) return null;
    let all: Uint8Array;
    try {
      all = new Uint8Array(await readFile(join(this.opts.dir, String(height), `chunk-${index}.bin`)));
    } catch {
      return null; // deleted meanwhile (a newer one replaced it)
    }
    const parts = Math.max(1, Math.ceil(all.length / partBytes));
    if (part >= parts) return null;
    return { bytes: all.subarray(part * partBytes, Math.min(all.length, (part + 1) * partBytes)), parts };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.making;
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // some file systems refuse fsync on a directory
  } finally {
    await fh.close();
  }
}
