/**
 * The native tree update against tree.ts, the reference: the same writes give the same
 * ops, byte for byte and in the same order (node records whole or delta, leaf records, root
 * record, stale list), whatever is in native memory (small cache limits force the loading
 * path, reopens start from the root alone), with prepared versions that are never written in
 * between. And its SHA-256 (SHA extensions and portable) against node:crypto.
 */
import { createHash } from 'node:crypto';
import t from 'tap';
import { Rng } from '../../test/index.js';
import { MemoryKV, StateTree, StateErrorCodes, type KVOp, type StateWrite } from '../index.js';
import { nativeModule, nativeUnavailable } from '../native-tree.js';
import { codeOf, hex, utf } from './helpers.js';

const mod = nativeModule();
if (mod === null) {
  // CI builds the module and requires it (SOV_REQUIRE_NATIVE=1 in .ci/run).
  t.comment(`native module unavailable: ${nativeUnavailable()}`);
  if (process.env.SOV_REQUIRE_NATIVE === '1') t.fail('the native module is required here');
} else {
  t.test('sha256: SHA extensions and portable agree with node:crypto', async (tt) => {
    const rng = new Rng(7);
    tt.comment(`SHA extensions on this CPU: ${mod.hasShaNi()}`);
    let bad = 0;
    for (let n = 0; n < 300; n++) {
      const b = rng.bytes(n);
      const want = createHash('sha256').update(b).digest('hex');
      if (hex(mod.sha256(b, false)) !== want || hex(mod.sha256(b, true)) !== want) bad++;
    }
    const big = rng.bytes(100_000);
    if (hex(mod.sha256(big, false)) !== createHash('sha256').update(big).digest('hex')) bad++;
    tt.equal(bad, 0, 'every digest matches');
  });

  const opsHex = (ops: readonly KVOp[]): string[] => ops.map((o) => `${o.type} ${hex(o.key)} ${o.type === 'put' ? hex(o.value) : ''}`);

  t.test('the native update writes what tree.ts writes', async (tt) => {
    for (let seed = 1; seed <= 6; seed++) {
      const rng = new Rng(seed * 101);
      const kvJs = new MemoryKV();
      const kvNative = new MemoryKV();
      const js = await StateTree.open(kvJs, { native: false });
      let nat = await StateTree.open(kvNative, { native: true, cacheNodes: [4, 40, 1_000_000][seed % 3]! });
      tt.ok(nat.nativeUpdates && !js.nativeUpdates, 'one tree of each kind');
      const pool = Array.from({ length: 3000 }, (_, i) => utf(`k${seed}-${i}`));
      const live = new Set<number>();
      let mismatches = 0;
      for (let step = 0; step < 40; step++) {
        const writes: StateWrite[] = [];
        const used = new Set<number>();
        const n = step === 0 ? 2000 : rng.int(300);
        for (let i = 0; i < n; i++) {
          const k = rng.int(pool.length);
          if (used.has(k)) continue;
          used.add(k);
          const kind = rng.int(10);
          if (kind < 3) {
            writes.push({ key: pool[k]!, value: null });
            live.delete(k);
          } else if (kind === 3) {
            writes.push({ key: pool[k]!, value: utf(`v${k}`) }); // often a no-op rewrite
            live.add(k);
          } else {
            writes.push({ key: pool[k]!, value: rng.bytes(rng.int(3) === 0 ? 0 : rng.int(100)) });
            live.add(k);
          }
        }
        if (rng.int(4) === 0) await nat.prepare(writes.slice(0, writes.length >> 1)); // prepared, never written
        const pj = await js.prepare(writes);
        const pn = await nat.prepare(writes);
        const sj = await js.stage(pj, Math.max(0, js.height - 5));
        const sn = await nat.stage(pn, Math.max(0, nat.height - 5));
        const a = opsHex(sj.ops);
        const b = opsHex(sn.ops);
        if (hex(pj.rootHash) !== hex(pn.rootHash) || a.length !== b.length || a.some((x, i) => x !== b[i])) {
          mismatches++;
          tt.fail(`seed ${seed} step ${step}: ops differ (${a.length} vs ${b.length})`);
        }
        await kvJs.batch(sj.ops);
        sj.finish();
        await kvNative.batch(sn.ops);
        sn.finish();
        if (rng.int(8) === 0) {
          nat = await StateTree.open(kvNative, { native: true, cacheNodes: rng.int(2) === 0 ? 4 : 1_000_000 });
        }
      }
      tt.equal(mismatches, 0, `seed ${seed}: 40 versions, the same ops`);
      tt.equal(hex(await nat.rootAt(nat.height)), hex(await js.rootAt(js.height)), `seed ${seed}: same head root`);
      const sample = [...live].slice(0, 50);
      let same = 0;
      for (const k of sample) {
        const x = await nat.get(pool[k]!);
        const y = await js.get(pool[k]!);
        if (x !== null && y !== null && hex(x) === hex(y)) same++;
      }
      tt.equal(same, sample.length, `seed ${seed}: reads agree`);
    }
  });

  t.test('native: a key written twice is refused with the same error', async (tt) => {
    const tree = await StateTree.open(new MemoryKV(), { native: true });
    const writes = [{ key: utf('a'), value: utf('1') }, { key: utf('b'), value: null }, { key: utf('a'), value: utf('2') }];
    tt.equal(await codeOf(tree.prepare(writes)), StateErrorCodes.STATE_INVALID_INPUT);
    await tt.rejects(tree.prepare(writes), /write 2: key written twice/);
    tt.equal(await codeOf(tree.prepare([{ key: new Uint8Array(0), value: null }])), StateErrorCodes.STATE_INVALID_INPUT);
  });

  t.test('native: updates in flight together, one committed, the other refused, no damage', async (tt) => {
    const kv = new MemoryKV();
    let tree = await StateTree.open(kv, { native: true });
    const keys = Array.from({ length: 2000 }, (_, i) => utf(`c${i}`));
    await tree.commit(keys.map((key, i) => ({ key, value: utf(`v${i}`) })));
    // Reopened with a tiny cache: every update has to read nodes, so the two interleave.
    tree = await StateTree.open(kv, { native: true, cacheNodes: 2 });
    const a = tree.prepare(keys.slice(0, 500).map((key) => ({ key, value: utf('a') })));
    const b = tree.prepare(keys.slice(250, 900).map((key) => ({ key, value: null })));
    const [pa, pb] = await Promise.all([a, b]);
    const s = await tree.stage(pb);
    await kv.batch(s.ops);
    s.finish();
    tt.equal(await codeOf(tree.stage(pa)), StateErrorCodes.STATE_CONFLICT, 'the other is refused');
    const again = await tree.prepare(keys.slice(0, 500).map((key) => ({ key, value: utf('a') })));
    const s2 = await tree.stage(again);
    await kv.batch(s2.ops);
    s2.finish();
    let ok = 0;
    for (let i = 0; i < keys.length; i += 7) {
      const v = await tree.get(keys[i]!);
      const want = i < 500 ? 'a' : i < 900 ? null : `v${i}`;
      if ((v === null ? null : new TextDecoder().decode(v)) === want) ok++;
    }
    tt.equal(ok, Math.ceil(keys.length / 7), 'every value as committed');
    tt.equal(hex(await tree.recomputeRoot(tree.height)), hex(tree.rootHash), 'the head root recomputes from its leaves');
  });

  t.test('native: memory stays within the cache limit after commits', async (tt) => {
    const tree = await StateTree.open(new MemoryKV(), { native: true, cacheNodes: 50 });
    for (let v = 0; v < 10; v++) {
      const writes: StateWrite[] = [];
      for (let i = 0; i < 500; i++) writes.push({ key: utf(`m${i}`), value: utf(`${v}-${i}`) });
      await tree.commit(writes);
      tt.ok(tree.cachedNodes <= 50, `after commit ${v + 1}: ${tree.cachedNodes} nodes in memory`);
    }
  });
}
