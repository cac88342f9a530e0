/**
 * The node's own files (the consensus WAL, the epochs file): replaced atomically, and failing
 * to write with a typed error: a full disk (or quota) is NODE_DISK_FULL, anything else
 * NODE_WRITE_FAILED. Either stops consensus; the node resumes from its last committed height
 * once restarted.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SovError } from '../../core/index.js';
import { NodeError } from '../errors.js';

export function writeFailure(e: unknown, what: string, path: string): SovError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new NodeError('NODE_DISK_FULL', `the disk is full: cannot write ${what} at ${path}`, { path, cause: code }, 'ignore');
  }
  return new NodeError('NODE_WRITE_FAILED', `cannot write ${what} at ${path}: ${(e as Error).message}`, { path, cause: code ?? null }, 'ignore');
}

/** Operator advice logged beside a fatal error, when there is any. */
export function fatalHint(code: string | undefined): string | undefined {
  if (code?.endsWith('DISK_FULL')) return 'free space on the disk holding the data directory, then start the node again: it resumes from its last committed height';
  if (code?.endsWith('WRITE_FAILED')) return 'check the disk holding the data directory, then start the node again: it resumes from its last committed height';
  return undefined;
}

/**
 * Replace the file at `path` by `bytes` atomically: a temporary file, fsynced, renamed over it,
 * and the directory fsynced. On failure the old file stays in force, the temporary file is
 * removed, and the error is typed (`what` names the file in its message).
 */
export function replaceFileAtomic(path: string, bytes: Uint8Array, what: string): void {
  const tmp = path + '.tmp';
  try {
    const fd = openSync(tmp, 'w');
    try {
      let o = 0;
      while (o < bytes.length) o += writeSync(fd, bytes, o, bytes.length - o);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    const dir = openSync(dirname(path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch (e) {
    rmSync(tmp, { force: true });
    throw writeFailure(e, what, path);
  }
}
