/**
 * The consensus write-ahead log on disk: records framed as
 *   [length u32 BE][crc32 u32 BE][record bytes]
 * appended to `wal.log` in the node's data directory. `append(record, true)` returns only
 * after fdatasync (used for our own signed messages, before they leave the node); other
 * records are written at once and synced by the next synced append or `sync()`.
 *
 * Opening reads every whole record; a torn tail (a crash mid-append: short frame or bad
 * checksum at the end) is cut off, so the log is always a clean sequence of records. A bad
 * checksum before the tail is corruption and a typed error, never silently skipped.
 * `truncateTo(records)` rewrites the log (atomically: temp file, fsync, rename) to the
 * given records, which the node uses after each committed height to keep the log short.
 */
import { closeSync, existsSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { replaceFileAtomic, writeFailure } from '../ops/disk.js';
import { NodeError } from '../errors.js';

const HEADER = 8;
export const MAX_WAL_RECORD_BYTES = 80 * 1024 * 1024;

export class WalCorruptError extends NodeError {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super('WAL_CORRUPT', message, meta);
  }
}

function frame(record: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER + record.length);
  out.writeUInt32BE(record.length, 0);
  out.writeUInt32BE(crc32(record), 4);
  out.set(record, HEADER);
  return out;
}

export class WalFile {
  private fd: number;
  private dirty = false;
  /** The file's length: where the next record starts (kept here, not asked of the disk per append). */
  private length: number;

  private constructor(
    readonly path: string,
    readonly records: Uint8Array[],
  ) {
    this.fd = openSync(path, 'a');
    this.length = fstatSync(this.fd).size;
  }

  /** Open (or create) the WAL in `dir`; returns it with the records found. */
  static open(dir: string): WalFile {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'wal.log');
    const records: Uint8Array[] = [];
    if (existsSync(path)) {
      const buf = readFileSync(path);
      let pos = 0;
      while (pos < buf.length) {
        if (buf.length - pos < HEADER) break; // torn header
        const len = buf.readUInt32BE(pos);
        const sum = buf.readUInt32BE(pos + 4);
        if (len > MAX_WAL_RECORD_BYTES) {
          throw new WalCorruptError(`WAL record at byte ${pos} claims ${len} bytes`, { offset: pos });
        }
        if (buf.length - pos - HEADER < len) break; // torn body
        const rec = buf.subarray(pos + HEADER, pos + HEADER + len);
        if (crc32(rec) !== sum) {
          if (pos + HEADER + len === buf.length) break; // torn last record
          throw new WalCorruptError(`WAL record at byte ${pos} fails its checksum`, { offset: pos });
        }
        records.push(new Uint8Array(rec));
        pos += HEADER + len;
      }
      if (pos < buf.length) {
        const fd = openSync(path, 'r+');
        try {
          ftruncateSync(fd, pos);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      }
    }
    return new WalFile(path, records);
  }

  /**
   * Append one record. A write that fails (a full disk: NODE_DISK_FULL, else
   * NODE_WRITE_FAILED) is cut back off, so the log stays a clean sequence of whole records.
   */
  append(record: Uint8Array, sync: boolean): void {
    if (record.length > MAX_WAL_RECORD_BYTES) throw new WalCorruptError(`WAL record of ${record.length} bytes is too large`);
    const f = frame(record);
    let off = 0;
    try {
      while (off < f.length) off += writeSync(this.fd, f, off, f.length - off);
    } catch (e) {
      if (off > 0) {
        try {
          ftruncateSync(this.fd, this.length);
        } catch {
          // a torn tail left behind is cut when the log is next opened
        }
      }
      throw writeFailure(e, 'the consensus WAL', this.path);
    }
    this.length += f.length;
    this.dirty = true;
    if (sync) this.sync();
  }

  sync(): void {
    if (!this.dirty) return;
    try {
      fdatasyncSync(this.fd);
    } catch (e) {
      throw writeFailure(e, 'the consensus WAL', this.path);
    }
    this.dirty = false;
  }

  /** Replace the whole log by `records`, atomically (on failure the old log stays in force). */
  truncateTo(records: readonly Uint8Array[]): void {
    replaceFileAtomic(this.path, Buffer.concat(records.map(frame)), 'the consensus WAL');
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
    this.length = fstatSync(this.fd).size;
    this.dirty = false;
  }

  get sizeBytes(): number {
    return this.length;
  }

  close(): void {
    this.sync();
    closeSync(this.fd);
  }
}
