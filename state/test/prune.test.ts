/**
 * Pruning of state versions and blocks (LedgerStore pruneWindow / blockWindow):
 * - after N commits only the last W state versions and the last B blocks are readable; older
 *   ones are STATE_PRUNED naming the oldest kept (state: `what` 'state', blocks: 'block'), and
 *   with them go their certificates, block-hash entries, transaction locations, receipts,
 *   account-index and module-index entries;
 * - under steady commits the store's key count and bytes level off (measured, beside an
 *   archive store whose counts keep growing);
 * - the prune deletes ride in the commit's one batch: a batch that fails leaves the previous
 *   height whole with its oldest heights, and reopening gives the same oldest heights;
 * - a store that kept everything and starts pruning catches up at most 16 heights a commit,
 *   and the index entries of heights committed without a prune list are kept, a read that
 *   follows one to its pruned block answering STATE_PRUNED.
 */
import t from 'tap';
import { equalBytes, hashOf, Domain, toHex } from '../../core/index.js';
import { LedgerStore, MemoryKV, PRUNE_BLOCKS_PER_COMMIT, Prefix, StateErrorCodes, computeRoot, type BlockRecord, type KV, type KVOp, type KVRange } from '../index.js';
import { account, commitFor, makeBlock, utf, writesFor } from './helpers.js';

const SEED = 21;
const INDEX_ID = 0x07;

/** Transactions of height h with results naming two accounts and one module index entry each. */
function bodyFor(h: number): { txs: Uint8Array[]; results: BlockRecord['results'] } {
  const n = 1 + (h % 3);
  const txs = Array.from({ length: n }, (_, i) => utf(`ptx/${h}/${i}`));
  const results = txs.map((_, i) => ({
    receipt: utf(`receipt/${h}/${i}`),
    accounts: [account(i), account(3 + ((h + i) % 5))],
    indexes: [{ key: Uint8Array.of(INDEX_ID, (h + i) % 4), value: utf(`ix/${h}/${i}`) }],
  }));
  return { txs, results };
}

/** Block hashes by height, as committed. */
const hashes = new Map<number, Uint8Array>();

async function commitHeight(store: LedgerStore, h: number): Promise<void> {
  const p = await store.prepare(writesFor(SEED, h));
  const { txs, results } = bodyFor(h);
  const block = makeBlock(h, p.rootHash, txs);
  await store.commit(p, { block, commit: commitFor(block), results });
  hashes.set(h, block.hash);
}

/** The model's value of key k after height h. */
function modelValue(k: string, h: number): Uint8Array | null {
  let v: Uint8Array | null = null;
  for (let i = 1; i <= h; i++) for (const w of writesFor(SEED, i)) if (toHex(w.key) === toHex(utf(k))) v = w.value;
  return v;
}

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

/** The error a promise rejects with (code and meta), or null. */
async function failure(p: Promise<unknown>): Promise<{ code: string; meta: Record<string, unknown>; message: string } | null> {
  try {
    await p;
    return null;
  } catch (e) {
    const x = e as { code?: string; meta?: Record<string, unknown>; message: string };
    return { code: x.code ?? 'untyped', meta: x.meta ?? {}, message: x.message };
  }
}

/** Keys of the store by prefix byte, and all keys and bytes (keys + values). */
async function census(kv: KV): Promise<{ keys: number; bytes: number; byPrefix: Map<number, number> }> {
  let keys = 0;
  let bytes = 0;
  const byPrefix = new Map<number, number>();
  for await (const [k, v] of kv.iterate({})) {
    keys++;
    bytes += k.length + v.length;
    byPrefix.set(k[0]!, (byPrefix.get(k[0]!) ?? 0) + 1);
  }
  return { keys, bytes, byPrefix };
}

/** Heights (8-byte big-endian after the prefix) of every key under `prefix`. */
async function heightsUnder(kv: KV, prefix: number): Promise<number[]> {
  const out: number[] = [];
  for await (const [k] of kv.iterate({ gte: Uint8Array.of(prefix), lt: Uint8Array.of(prefix + 1) })) {
    out.push(Number(new DataView(k.buffer, k.byteOffset + 1, 8).getBigUint64(0)));
  }
  return out;
}

/** A KV over another that survives close (to reopen), records batches, and can refuse the next batch. */
class TestKV implements KV {
  batches: KVOp[][] = [];
  failNext = false;
  constructor(readonly inner: MemoryKV) {}
  get(key: Uint8Array) {
    return this.inner.get(key);
  }
  getMany(keys: readonly Uint8Array[]) {
    return this.inner.getMany(keys);
  }
  async batch(ops: readonly KVOp[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw Object.assign(new Error('injected write failure'), { code: 'STATE_WRITE_FAILED' });
    }
    this.batches.push([...ops]);
    await this.inner.batch(ops);
  }
  iterate(range: KVRange) {
    return this.inner.iterate(range);
  }
  async close(): Promise<void> {}
}

t.test('with windows, only the last W state versions and B blocks are readable; older ones name the oldest kept', async (tt) => {
  const W = 5;
  const B = 4;
  const N = 40;
  const store = await LedgerStore.open({ kv: new MemoryKV(), pruneWindow: W, blockWindow: B, sync: false });
  for (let h = 1; h <= N; h++) await commitHeight(store, h);
  const oldestState = N - W + 1;
  const oldestBlock = N - B + 1;
  tt.equal(store.oldestState, oldestState, 'state: the last W versions');
  tt.equal(store.oldestBlock, oldestBlock, 'blocks: the last B');
  tt.equal(store.blocks.oldest, oldestBlock, 'the block reader says so too');

  // State.
  for (let h = oldestState; h <= N; h++) {
    for (const k of ['k/1', 'k/77', 'k/250']) tt.same(await store.get(utf(k), h), modelValue(k, h), `${k} at ${h}`);
  }
  tt.ok(equalBytes(await store.verifyHeight(oldestState), modelRoot(oldestState)), 'the oldest kept version verifies against the model');
  for (const h of [1, oldestState - 1]) {
    const f = await failure(store.get(utf('k/1'), h));
    tt.equal(f?.code, StateErrorCodes.STATE_PRUNED, `state at ${h} pruned`);
    tt.same(f?.meta, { what: 'state', height: h, oldest: oldestState }, 'naming the oldest version kept');
    tt.match(f?.message, new RegExp(`oldest kept: ${oldestState}`));
    tt.equal((await failure(store.prove(utf('k/1'), h)))?.code, StateErrorCodes.STATE_PRUNED, 'proofs too');
  }

  // Blocks, certificates, receipts, transactions.
  for (let h = oldestBlock; h <= N; h++) {
    const b = await store.blocks.getBlock(h);
    tt.equal(b.height, h);
    tt.equal(await store.blocks.heightOf(b.hash), h);
    tt.equal((await store.blocks.getCommit(h)).height, h);
    const { txs } = bodyFor(h);
    for (let i = 0; i < txs.length; i++) {
      tt.equal((await store.blocks.getTx(hashOf(Domain.TX, txs[i]!)))?.height, h, `tx ${h}/${i}`);
      tt.same(await store.blocks.getReceipt(h, i), utf(`receipt/${h}/${i}`));
    }
  }
  for (const h of [1, 17, oldestBlock - 1]) {
    for (const [what, p] of [['block', store.blocks.getBlock(h)], ['commit', store.blocks.getCommit(h)], ['receipt', store.blocks.getReceipt(h, 0)]] as const) {
      const f = await failure(p);
      tt.equal(f?.code, StateErrorCodes.STATE_PRUNED, `${what} ${h} pruned`);
      tt.same(f?.meta, { what: 'block', height: h, oldest: oldestBlock }, 'naming the oldest block kept');
    }
    tt.equal(await store.blocks.getTx(hashOf(Domain.TX, bodyFor(h).txs[0]!)), null, `the location of a tx of ${h} is gone`);
    tt.equal(await store.blocks.heightOf(hashes.get(h)!), null, `the block-hash entry of ${h} is gone`);
  }
  tt.equal((await failure(store.blocks.getBlock(N + 1)))?.code, StateErrorCodes.STATE_MISSING_HEIGHT, 'above the head is still missing, not pruned');

  // Nothing of a pruned height is left in the store.
  const kv = store.kv;
  for (const p of [Prefix.BLOCK, Prefix.COMMIT, Prefix.RECEIPT, Prefix.BLOCK_PRUNE]) {
    const hs = await heightsUnder(kv, p);
    tt.ok(hs.length > 0 && hs.every((h) => h >= oldestBlock), `prefix ${String.fromCharCode(p)}: only kept heights (${Math.min(...hs)}..${Math.max(...hs)})`);
  }
  const c = await census(kv);
  let keptTxs = 0;
  for (let h = oldestBlock; h <= N; h++) keptTxs += bodyFor(h).txs.length;
  tt.equal(c.byPrefix.get(Prefix.TX), keptTxs, 'one transaction location per kept transaction');
  tt.equal(c.byPrefix.get(Prefix.BLOCK_HASH), B, 'one block-hash entry per kept block');
  tt.equal(c.byPrefix.get(Prefix.ACCOUNT_TX), keptTxs * 2, 'account entries of kept transactions only');
  tt.equal(c.byPrefix.get(Prefix.MODULE_INDEX), keptTxs, 'module index entries of kept transactions only');

  // Account pages: kept history, in both orders; a cursor into pruned history is refused.
  const expected: { height: number; index: number }[] = [];
  for (let h = oldestBlock; h <= N; h++) bodyFor(h).results.forEach((r, i) => r.accounts.some((a) => equalBytes(a, account(0))) && expected.push({ height: h, index: i }));
  const asc = await store.blocks.txsByAccount(account(0), { limit: 1000 });
  tt.same(asc.items.map(({ height, index }) => ({ height, index })), expected, 'ascending: the kept transactions');
  const desc = await store.blocks.txsByAccount(account(0), { limit: 1000, order: 'desc' });
  tt.same(desc.items.map(({ height, index }) => ({ height, index })), expected.slice().reverse(), 'descending too');
  const stale = await failure(store.blocks.txsByAccount(account(0), { after: { height: 10, index: 0 } }));
  tt.equal(stale?.code, StateErrorCodes.STATE_PRUNED, 'an ascending cursor below the oldest block');
  tt.equal(stale?.meta.oldest, oldestBlock);
  tt.equal((await failure(store.blocks.txsByAccount(account(0), { after: { height: oldestBlock - 1, index: 0 }, order: 'desc' })))?.code, StateErrorCodes.STATE_PRUNED, 'a descending one');
  const edge = await store.blocks.txsByAccount(account(0), { after: { height: oldestBlock - 1, index: 0xffffffff }, limit: 1000 });
  tt.same(edge.items.map(({ height, index }) => ({ height, index })), expected, 'a cursor just before the oldest block is whole');
  const idx = await store.blocks.scanIndex({ prefix: Uint8Array.of(INDEX_ID), limit: 1000 });
  tt.ok(idx.items.length === keptTxs && idx.items.every((i) => i.height >= oldestBlock), 'module index: entries of kept blocks only');
  await store.close();
});

t.test('under steady commits the key count and bytes level off (beside an archive store)', async (tt) => {
  const W = 20;
  const heights = 1000;
  const archiveKV = new MemoryKV();
  const pruned = await LedgerStore.open({ kv: new MemoryKV(), pruneWindow: W, blockWindow: W, sync: false });
  const archive = await LedgerStore.open({ kv: archiveKV, sync: false });
  const samples: { h: number; pruned: { keys: number; bytes: number }; archive: { keys: number } }[] = [];
  for (let h = 1; h <= heights; h++) {
    await commitHeight(pruned, h);
    await commitHeight(archive, h);
    if (h % 100 === 0) {
      const p = await census(pruned.kv);
      samples.push({ h, pruned: { keys: p.keys, bytes: p.bytes }, archive: { keys: archiveKV.size } });
    }
  }
  tt.comment(samples.map((s) => `h ${s.h}: pruned ${s.pruned.keys} keys ${s.pruned.bytes} B, archive ${s.archive.keys} keys`).join('\n'));
  // After warm-up (the windows full, the key pool of 300 written over) the pruned store's size
  // moves only with the live state (about a fifth of the writes are deletes): every sample stays
  // within 25% of the first after warm-up, and the last is no larger than it by more than that;
  // the archive grows by about the same every height.
  const after = samples.filter((s) => s.h >= 200);
  const base = after[0]!.pruned;
  const most = { keys: Math.max(...after.map((s) => s.pruned.keys)), bytes: Math.max(...after.map((s) => s.pruned.bytes)) };
  const least = { keys: Math.min(...after.map((s) => s.pruned.keys)), bytes: Math.min(...after.map((s) => s.pruned.bytes)) };
  tt.ok(most.keys <= base.keys * 1.25 && least.keys >= base.keys * 0.75, `keys from 200 to ${heights} stay within ${least.keys}..${most.keys} (at 200: ${base.keys})`);
  tt.ok(most.bytes <= base.bytes * 1.25 && least.bytes >= base.bytes * 0.75, `bytes stay within ${least.bytes}..${most.bytes} (at 200: ${base.bytes})`);
  const first = after[0]!.archive;
  const last = after[after.length - 1]!.archive;
  tt.ok(last.keys > first.keys * 4, `the archive grows (${first.keys} -> ${last.keys} keys)`);
  tt.ok(after[after.length - 1]!.pruned.keys * 10 < last.keys, 'and ends over ten times larger');
  await pruned.close();
  await archive.close();
});

t.test('prune deletes ride in the commit batch: a failed batch leaves the height whole, and reopening keeps the oldest heights', async (tt) => {
  const inner = new MemoryKV();
  const kv = new TestKV(inner);
  let store = await LedgerStore.open({ kv, pruneWindow: 3, blockWindow: 4, sync: false });
  for (let h = 1; h <= 12; h++) await commitHeight(store, h);
  const batch = kv.batches[kv.batches.length - 1]!;
  const dels = batch.filter((o) => o.type === 'del');
  tt.ok(dels.some((o) => o.key[0] === Prefix.BLOCK) && dels.some((o) => o.key[0] === Prefix.ROOT), 'the commit batch of 12 deletes block 8 and state version 9');
  tt.ok(batch.some((o) => o.type === 'put' && o.key[0] === Prefix.BLOCK) && batch.some((o) => o.type === 'put' && o.key[0] === Prefix.BLOCKS_OLDEST), 'beside block 12 and the oldest-block record');

  // Height 13's batch fails: nothing of it, its pruning included, is applied.
  const before = await census(inner);
  kv.failNext = true;
  const p = await store.prepare(writesFor(SEED, 13));
  const { txs, results } = bodyFor(13);
  const block = makeBlock(13, p.rootHash, txs);
  tt.ok(await failure(store.commit(p, { block, commit: commitFor(block), results })), 'the commit of 13 fails');
  tt.equal(store.height, 12);
  tt.equal(store.oldestBlock, 9, 'still the oldest block of 12');
  tt.equal(store.oldestState, 10);
  tt.same((await store.blocks.getBlock(9)).height, 9, 'block 9 still readable');
  tt.same(await census(inner), before, 'the store holds exactly what it held');
  await store.close();

  store = await LedgerStore.open({ kv, pruneWindow: 3, blockWindow: 4, sync: false });
  tt.equal(store.height, 12, 'reopened at 12');
  tt.equal(store.oldestBlock, 9, 'oldest block 9 read back');
  tt.equal(store.oldestState, 10, 'oldest version 10 read back');
  tt.equal((await failure(store.blocks.getBlock(8)))?.code, StateErrorCodes.STATE_PRUNED);
  tt.ok(equalBytes(await store.verifyHeight(10), modelRoot(10)), 'version 10 verifies');
  for (let h = 13; h <= 20; h++) await commitHeight(store, h);
  tt.equal(store.oldestBlock, 17);
  tt.equal(store.oldestState, 18);
  await store.close();

  // Opened without windows, the store still refuses what was pruned, and prunes no more.
  store = await LedgerStore.open({ kv, sync: false });
  tt.equal(store.oldestBlock, 17);
  await commitHeight(store, 21);
  tt.equal(store.oldestBlock, 17, 'no window: nothing more pruned');
  tt.equal((await failure(store.blocks.getCommit(16)))?.code, StateErrorCodes.STATE_PRUNED);
  await store.close();
});

t.test('a store that kept everything starts pruning: bounded catch-up, index entries without a prune list kept', async (tt) => {
  const kv = new TestKV(new MemoryKV());
  let store = await LedgerStore.open({ kv, sync: false });
  const N = 100;
  for (let h = 1; h <= N; h++) await commitHeight(store, h);
  tt.equal((await heightsUnder(kv, Prefix.BLOCK_PRUNE)).length, 0, 'an archive writes no prune lists');
  await store.close();

  store = await LedgerStore.open({ kv, blockWindow: 10, sync: false });
  const target = (h: number): number => h - 10 + 1;
  let h = N;
  const seen: number[] = [];
  while (store.oldestBlock < target(h)) {
    const was = store.oldestBlock;
    await commitHeight(store, ++h);
    tt.ok(store.oldestBlock - was <= PRUNE_BLOCKS_PER_COMMIT, `commit ${h} pruned ${store.oldestBlock - was} heights (at most ${PRUNE_BLOCKS_PER_COMMIT})`);
    seen.push(store.oldestBlock);
  }
  tt.ok(seen.length >= Math.floor((N - 10) / PRUNE_BLOCKS_PER_COMMIT), `caught up over ${seen.length} commits`);
  tt.equal(store.oldestBlock, target(h), 'then the window');
  await commitHeight(store, ++h);
  tt.equal(store.oldestBlock, target(h), 'and one a commit');

  // Heights 1..N were committed without prune lists: their module index entries stay, and a
  // read that follows one to its block is STATE_PRUNED; account pages start at the oldest block.
  const idx = await store.blocks.scanIndex({ prefix: Uint8Array.of(INDEX_ID), limit: 1000 });
  const legacy = idx.items.filter((i) => i.height < store.oldestBlock);
  tt.ok(legacy.length > 0 && legacy.every((i) => i.height <= N), 'index entries of heights without a prune list are kept');
  tt.ok(idx.items.every((i) => i.height <= N || i.height >= store.oldestBlock), 'those of heights with one went with their blocks');
  const f = await failure(store.blocks.getReceipt(legacy[0]!.height, legacy[0]!.index));
  tt.equal(f?.code, StateErrorCodes.STATE_PRUNED, 'following one to its receipt: pruned');
  tt.equal(f?.meta.oldest, store.oldestBlock);
  const page = await store.blocks.txsByAccount(account(0), { limit: 1000 });
  tt.ok(page.items.length > 0 && page.items.every((i) => i.height >= store.oldestBlock), 'account pages serve kept heights only');
  tt.equal(await store.blocks.getTx(hashOf(Domain.TX, bodyFor(5).txs[0]!)), null, 'transaction locations of pruned legacy blocks are gone');
  await store.close();
});

t.test('bad windows are refused', async (tt) => {
  for (const blockWindow of [0, -1, 1.5]) {
    tt.equal((await failure(LedgerStore.open({ kv: new MemoryKV(), blockWindow })))?.code, StateErrorCodes.STATE_INVALID_INPUT, `blockWindow ${blockWindow}`);
  }
});
