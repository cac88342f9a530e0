/**
 * Model-based property test of the state tree: random sequences of writes, deletes, no-op
 * writes, commits, reads at old versions, proofs, prunes and reopens, checked step by step
 * against an in-memory map per version; and the same content gives the same root whatever
 * the order and batching of the writes that produced it.
 */
import t, { type Test } from 'tap';
import { equalBytes } from '../../core/index.js';
import { Rng } from '../../test/index.js';
import { LevelKV, MemoryKV, StateTree, StateErrorCodes, computeRoot, keyHashOf, verifyProof, encodeProof, type KV, type StateWrite } from '../index.js';
import { codeOf, hex, tempDir, utf } from './helpers.js';

type Model = Map<string, [Uint8Array, Uint8Array]>;
const rootOf = (m: Model): Uint8Array => computeRoot([...m.values()]);

async function runModel(tt: Test, seed: number, steps: number, useLevel: boolean, native: boolean): Promise<void> {
  const rng = new Rng(seed);
  const dir = tempDir(tt);
  let kv: KV = useLevel ? await LevelKV.open(dir) : new MemoryKV();
  let tree = await StateTree.open(kv, { cacheNodes: rng.int(2) === 0 ? 8 : 100_000, native });
  const pool = Array.from({ length: 400 }, (_, i) => utf(`key-${seed}-${i}-${'x'.repeat(i % 7)}`));
  const versions: Model[] = [new Map()];
  let oldest = 0;
  for (let step = 0; step < steps; step++) {
    const r = rng.int(100);
    const head = versions.length - 1;
    if (r < 45) {
      const cur: Model = new Map(versions[head]!);
      const n = rng.int(60);
      const writes: StateWrite[] = [];
      const used = new Set<number>();
      for (let i = 0; i < n; i++) {
        const k = rng.int(pool.length);
        if (used.has(k)) continue;
        used.add(k);
        const key = pool[k]!;
        const existing = cur.get(hex(key));
        const kind = rng.int(10);
        if (kind < 3) {
          writes.push({ key, value: null });
          cur.delete(hex(key));
        } else if (kind === 3 && existing) {
          writes.push({ key, value: existing[1] });
        } else {
          const value = rng.bytes(rng.int(3) === 0 ? 0 : rng.int(80));
          writes.push({ key, value });
          cur.set(hex(key), [key, value]);
        }
      }
      const root = await tree.commit(writes);
      versions.push(cur);
      tt.ok(equalBytes(root, rootOf(cur)), `seed ${seed} step ${step}: root after commit ${head + 1}`);
    } else if (r < 80) {
      const h = oldest + rng.int(head - oldest + 1);
      const key = rng.bool(0.8) ? pool[rng.int(pool.length)]! : rng.bytes(1 + rng.int(40));
      const expect = versions[h]!.get(hex(key))?.[1] ?? null;
      const got = await tree.get(key, h);
      if (!(expect === null ? got === null : got !== null && equalBytes(got, expect))) tt.fail(`seed ${seed} step ${step}: get at ${h}`);
      const { value, rootHash, proof } = await tree.prove(key, h);
      const ok = (expect === null ? value === null : value !== null && equalBytes(value, expect)) && equalBytes(rootHash, rootOf(versions[h]!));
      if (!ok || !verifyProof(rootHash, key, value, encodeProof(proof))) tt.fail(`seed ${seed} step ${step}: proof at ${h}`);
    } else if (r < 87) {
      if (head > oldest) {
        const keep = oldest + 1 + rng.int(head - oldest);
        await tree.prune(keep);
        oldest = keep;
        tt.equal(tree.oldest, keep, 'oldest moved');
        if (keep > 0) tt.equal(await codeOf(tree.get(pool[0]!, keep - 1)), StateErrorCodes.STATE_PRUNED, 'pruned height refused');
        for (let h = keep; h <= head; h++) tt.ok(equalBytes(await tree.rootAt(h), rootOf(versions[h]!)), `root of ${h} kept`);
      }
    } else if (r < 93) {
      if (useLevel) {
        await kv.close();
        kv = await LevelKV.open(dir);
      }
      tree = await StateTree.open(kv, { cacheNodes: 1000, native });
      tt.equal(tree.height, head, 'reopened at the head');
      tt.equal(tree.oldest, oldest, 'reopened with the same window');
    } else {
      const h = oldest + rng.int(head - oldest + 1);
      tt.ok(equalBytes(await tree.recomputeRoot(h), rootOf(versions[h]!)), `recomputed root of ${h}`);
    }
  }
  tt.equal(await codeOf(tree.get(pool[0]!, versions.length)), StateErrorCodes.STATE_MISSING_HEIGHT, 'height above the head refused');
  await kv.close();
}

// Both updates: the native one (when built; else these runs repeat the JavaScript one) and tree.ts.
for (const native of [true, false]) {
  const how = native ? 'native update' : 'JavaScript update';
  t.test(`random operations against a model (LevelDB, reopens, ${how})`, async (tt) => {
    for (const seed of [1, 2]) await runModel(tt, seed, 250, true, native);
  });

  t.test(`random operations against a model (memory, ${how})`, async (tt) => {
    for (const seed of [3, 4, 5]) await runModel(tt, seed, 250, false, native);
  });
}

t.test('same content, same root, whatever the order and batching', async (tt) => {
  const rng = new Rng(77);
  const entries = Array.from({ length: 600 }, (_, i) => [utf(`acct/${i}`), rng.bytes(1 + rng.int(40))] as [Uint8Array, Uint8Array]);
  const want = computeRoot(entries);
  for (let trial = 0; trial < 4; trial++) {
    const tree = await StateTree.open(new MemoryKV(), { cacheNodes: trial * 50 });
    const order = rng.shuffle(entries.slice());
    // Write junk first and delete it later, and write some keys twice with a stale value.
    const junk = Array.from({ length: 50 }, (_, i) => utf(`junk/${trial}/${i}`));
    await tree.commit(junk.map((key) => ({ key, value: rng.bytes(8) })));
    let i = 0;
    while (i < order.length) {
      const n = 1 + rng.int(150);
      const batch = order.slice(i, i + n);
      await tree.commit(batch.map(([key]) => ({ key, value: rng.bytes(4) })));
      await tree.commit(batch.map(([key, value]) => ({ key, value })));
      i += n;
    }
    await tree.commit(junk.map((key) => ({ key, value: null })));
    tt.ok(equalBytes(tree.rootHash, want), `trial ${trial}: same root`);
  }
  const empty = await StateTree.open(new MemoryKV());
  await empty.commit([{ key: utf('a'), value: utf('1') }]);
  await empty.commit([{ key: utf('a'), value: null }]);
  tt.ok(equalBytes(empty.rootHash, computeRoot([])), 'deleting everything gives the empty root');
});

/** Internal nodes of the tree holding `keys`: one at every key-hash prefix that two or more keys share. */
function internalNodeCount(keys: readonly Uint8Array[]): number {
  const prefixes = new Map<string, number>();
  for (const k of keys) {
    const h = hex(keyHashOf(k));
    for (let d = 0; d < 64; d++) prefixes.set(`${d}:${h.slice(0, d)}`, (prefixes.get(`${d}:${h.slice(0, d)}`) ?? 0) + 1);
  }
  let n = 0;
  for (const c of prefixes.values()) if (c >= 2) n++;
  return n;
}

for (const native of [true, false]) t.test(`the head nodes kept in memory: counted exactly, and within the limit (${native ? 'native' : 'JavaScript'} update)`, async (tt) => {
  const rng = new Rng(5);
  const keys = Array.from({ length: 3000 }, (_, i) => utf(`k/${i}`));
  const live = new Set<number>();
  const big = await StateTree.open(new MemoryKV(), { cacheNodes: 1_000_000, native });
  const small = await StateTree.open(new MemoryKV(), { cacheNodes: 60, native });
  let within = true;
  let least = Infinity;
  for (let round = 0; round < 40; round++) {
    const writes: StateWrite[] = [];
    const used = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const k = rng.int(keys.length);
      if (used.has(k)) continue;
      used.add(k);
      const del = live.has(k) && rng.int(4) === 0;
      writes.push({ key: keys[k]!, value: del ? null : rng.bytes(8) });
      if (del) live.delete(k);
      else live.add(k);
    }
    await big.commit(writes);
    await small.commit(writes);
    if (small.cachedNodes > 60) within = false;
    if (big.cachedNodes > 60) least = Math.min(least, small.cachedNodes);
  }
  tt.equal(big.cachedNodes, internalNodeCount([...live].map((i) => keys[i]!)), 'every internal node of the head, each counted once');
  tt.ok(within, 'never more than the limit after a commit');
  // Half the limit is kept at a trim, part of a level included: whole levels alone kept 17 (1 + 16).
  tt.ok(least >= 24, `a tree larger than the limit keeps most of it filled (${least} of 60 at least)`);
  tt.ok(equalBytes(big.rootHash, small.rootHash), 'same root either way');
  for (const i of [...live].slice(0, 50)) tt.ok(equalBytes((await small.get(keys[i]!))!, (await big.get(keys[i]!))!), `read ${i} through the small cache`);
  tt.ok(small.cachedNodes <= 60, `reads between commits keep to the limit too (${small.cachedNodes})`);
});
