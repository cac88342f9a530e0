/**
 * Crash test: a child process commits heights in a loop and is killed with SIGKILL at
 * random moments (60 times, chosen by a seeded RNG after the child reports progress). After
 * every kill the store reopens at the last reported height or the one after it, whole: its
 * root recomputed from its leaves equals the stored root, the block's stateRoot and the
 * model's root, and nothing of the next height (block, transactions) is there. The child
 * prunes (state window 6, blocks 5): after every kill the oldest version and block are those
 * of the height reopened at, the oldest kept readable and nothing below it left. While the
 * child holds the store, opening it here fails with STATE_LOCKED.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { equalBytes, hashOf, Domain, toHex } from '../../core/index.js';
import { Rng } from '../../test/index.js';
import { LedgerStore, Prefix, StateErrorCodes, computeRoot } from '../index.js';
import { blockBodyFor, codeOf, tempDir, writesFor } from './helpers.js';

const CHILD = join(fileURLToPath(new URL('.', import.meta.url)), 'crash-child.js');
const SEED = 9;
const KILLS = 60;

/** Model state after height h. */
function modelRoot(h: number): Uint8Array {
  const m = new Map<string, [Uint8Array, Uint8Array]>();
  for (let i = 1; i <= h; i++) {
    for (const w of writesFor(SEED, i)) {
      if (w.value === null) m.delete(toHex(w.key));
      else m.set(toHex(w.key), [w.key, w.value]);
    }
  }
  return computeRoot([...m.values()]);
}

t.test('SIGKILL at random moments never leaves a half-written height', async (tt) => {
  const dir = tempDir(tt, 'sov-crash-');
  const rng = new Rng(SEED);
  let lastReported = 0;
  for (let round = 0; round < KILLS; round++) {
    const target = 1 + rng.int(6);
    const child = spawn(process.execPath, [CHILD, dir, String(SEED)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let seen = 0;
    let buf = '';
    let lockChecked: Promise<string> | null = null;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) {
          lastReported = Math.max(lastReported, Number(l));
          seen++;
          if (round === 0 && lockChecked === null) lockChecked = codeOf(LedgerStore.open({ path: dir }));
          if (seen === target) {
            child.kill('SIGKILL');
            resolve();
          }
        }
      });
      void exited.then(() => resolve());
    });
    const code = await exited;
    if (seen < target) tt.fail(`child exited early (${code}): ${stderr}`);
    if (lockChecked !== null) tt.equal(await lockChecked, StateErrorCodes.STATE_LOCKED, 'a second opener gets STATE_LOCKED');

    const store = await LedgerStore.open({ path: dir, sync: false });
    const h = store.height;
    if (h !== lastReported && h !== lastReported + 1) tt.fail(`round ${round}: reopened at ${h}, last reported ${lastReported}`);
    const root = await store.verifyHeight(h);
    if (!equalBytes(root, modelRoot(h))) tt.fail(`round ${round}: root of ${h} differs from the model`);
    const block = await store.blocks.getBlock(h);
    if (!equalBytes(block.header.stateRoot, root)) tt.fail(`round ${round}: block ${h} stateRoot`);
    tt.equal(await codeOf(store.blocks.getBlock(h + 1)), StateErrorCodes.STATE_MISSING_HEIGHT, `round ${round}: no block ${h + 1}`);
    for (const tx of blockBodyFor(SEED, h + 1).txs) {
      if ((await store.blocks.getTx(hashOf(Domain.TX, tx))) !== null) tt.fail(`round ${round}: a tx of ${h + 1} is indexed`);
    }
    for (const tx of blockBodyFor(SEED, h).txs) {
      if ((await store.blocks.getTx(hashOf(Domain.TX, tx)))?.height !== h) tt.fail(`round ${round}: a tx of ${h} is missing`);
    }
    // Pruning landed with its height: the oldest block and version are the height's, whole.
    const oldestBlock = Math.max(1, h - 5 + 1);
    if (store.oldestBlock !== oldestBlock) tt.fail(`round ${round}: oldest block ${store.oldestBlock} at ${h}, not ${oldestBlock}`);
    if (store.oldestState !== Math.max(0, h - 6 + 1)) tt.fail(`round ${round}: oldest version ${store.oldestState} at ${h}`);
    if ((await store.blocks.getBlock(oldestBlock)).height !== oldestBlock) tt.fail(`round ${round}: oldest block unreadable`);
    if (oldestBlock > 1 && (await codeOf(store.blocks.getBlock(oldestBlock - 1))) !== StateErrorCodes.STATE_PRUNED) tt.fail(`round ${round}: block below the oldest not pruned`);
    for await (const [k] of store.kv.iterate({ gte: Uint8Array.of(Prefix.BLOCK), lt: Uint8Array.of(Prefix.BLOCK + 1) })) {
      if (Number(new DataView(k.buffer, k.byteOffset + 1, 8).getBigUint64(0)) < oldestBlock) tt.fail(`round ${round}: a block below the oldest is left`);
    }
    if (store.oldestState > 0) await store.verifyHeight(store.oldestState);
    lastReported = h;
    await store.close();
  }
  tt.ok(lastReported >= KILLS, `committed ${lastReported} heights across ${KILLS} kills`);
});
