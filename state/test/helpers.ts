/**
 * Helpers for the state tests: temporary store directories under os.tmpdir() (removed at
 * teardown), and byte utilities.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { toHex } from '../../core/index.js';

/** A fresh directory, removed when `t` ends. */
export function tempDir(t: Test, name = 'sov-state-'): string {
  const dir = mkdtempSync(join(tmpdir(), name));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const hex = toHex;
export const utf = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The error code of what `p` rejects with, or 'resolved'. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return (e as { code?: string }).code ?? `untyped: ${(e as Error).message}`;
  }
}
