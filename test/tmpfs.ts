/**
 * A small tmpfs for disk-full tests, and a way to fill it. Mounting needs privileges (root in
 * a container that allows it); `mountTmpfs` returns null where it cannot, and the tests that
 * need it are skipped, saying why.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  readonly dir: string;
  unmount(): void;
}

export function mountTmpfs(sizeMb: number): Tmpfs | null {
  const dir = mkdtempSync(join(tmpdir(), 'sov-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    unmount: () => {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Fill the file system holding `dir` with one file, to the last block; returns its path. */
export function fillDisk(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  try {
    for (const size of [1024 * 1024, 4096, 512]) {
      const chunk = Buffer.alloc(size, 0xab);
      try {
        // Bounded (1 GiB), in case `dir` is not the small tmpfs it should be.
        for (let i = 0; i < 2 ** 30 / size; i++) writeSync(fd, chunk);
      } catch {
        // ENOSPC: go on with smaller writes
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}
