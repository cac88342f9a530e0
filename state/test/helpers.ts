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

import { Rng } from '../../test/index.js';
import type { BlockRecord, StateWrite } from '../index.js';

export { makeBlock, commitFor } from '../../test/index.js';

/** Account i of a small test population (20 bytes). */
export const account = (i: number): Uint8Array => {
  const a = new Uint8Array(20);
  a[0] = 0xac;
  a[19] = i;
  return a;
};

/** The deterministic writes of height h in a run with `seed` (keys from a pool of 300). */
export function writesFor(seed: number, h: number): StateWrite[] {
  const rng = new Rng(seed * 100_003 + h);
  const n = 10 + rng.int(60);
  const used = new Set<number>();
  const out: StateWrite[] = [];
  for (let i = 0; i < n; i++) {
    const k = rng.int(300);
    if (used.has(k)) continue;
    used.add(k);
    out.push({ key: utf(`k/${k}`), value: rng.bool(0.2) ? null : utf(`v/${h}/${rng.u32()}`) });
  }
  return out;
}

/** The deterministic transactions of height h (opaque bytes) and their results. */
export function blockBodyFor(seed: number, h: number): { txs: Uint8Array[]; results: BlockRecord['results'] } {
  const n = 1 + (h % 4);
  const txs = Array.from({ length: n }, (_, i) => utf(`tx/${seed}/${h}/${i}`));
  const results = txs.map((_, i) => ({
    receipt: utf(`receipt/${h}/${i}`),
    accounts: [account(i), account((h + i) % 7)],
  }));
  return { txs, results };
}
