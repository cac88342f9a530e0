/**
 * The node's own files (the consensus WAL, the epochs file) fail to write with a typed error:
 * a full disk (or quota) is NODE_DISK_FULL, anything else NODE_WRITE_FAILED. Either stops
 * consensus; the node resumes from its last committed height once restarted.
 */
import { SovError } from '../core/index.js';

export function writeFailure(e: unknown, what: string, path: string): SovError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new SovError('NODE_DISK_FULL', `the disk is full: cannot write ${what} at ${path}`, { path, cause: code }, 'ignore');
  }
  return new SovError('NODE_WRITE_FAILED', `cannot write ${what} at ${path}: ${(e as Error).message}`, { path, cause: code ?? null }, 'ignore');
}

/** Operator advice logged beside a fatal error, when there is any. */
export function fatalHint(code: string | undefined): string | undefined {
  if (code?.endsWith('DISK_FULL')) return 'free space on the disk holding the data directory, then start the node again: it resumes from its last committed height';
  if (code?.endsWith('WRITE_FAILED')) return 'check the disk holding the data directory, then start the node again: it resumes from its last committed height';
  return undefined;
}
