/**
 * Paths for tests, which run compiled from dist/: the repository root and its files.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'core'))) return dir;
    dir = resolve(dir, '..');
  }
  throw new Error('repository root not found');
}

export const REPO_ROOT = findRoot();
export const repoPath = (...parts: string[]): string => join(REPO_ROOT, ...parts);
