/**
 * The ledger store: block store round trips (blocks, certificates, hash lookups, txs,
 * receipts), account indexes with paging both ways, refusals that write nothing
 * (wrong root or height, duplicate tx, stale prepare), pruning window, reopen, and a
 * corrupted node detected as STATE_CORRUPT.
 */
import t from 'tap';
import { equalBytes, hashOf, Domain } from '../../core/index.js';
import { LedgerStore, StateErrorCodes, type TxRef } from '../index.js';
import { account, blockBodyFor, codeOf, commitFor, makeBlock, tempDir, utf, writesFor } from './helpers.js';

const SEED = 3;

async function commitHeight(store: LedgerStore, h: number): Promise<void> {
  const p = await store.prepare(writesFor(SEED, h));
  const { txs, results } = blockBodyFor(SEED, h);
  const block = makeBlock(h, p.rootHash, txs);
  await store.commit(p, { block, commit: commitFor(block), results });
}

t.test('blocks, txs, receipts, events and account indexes', async (tt) => {
  const dir = tempDir(tt);
  let store = await LedgerStore.open({ path: dir, pruneWindow: 3, sync: false });
  for (let h = 1; h <= 8; h++) await commitHeight(store, h);
  await store.close();
  store = await LedgerStore.open({ path: dir, pruneWindow: 3, sync: false });
  tt.equal(store.height, 8, 'reopened at 8');
  for (let h = 1; h <= 8; h++) {
    const b = await store.blocks.getBlock(h);
    tt.equal(b.height, h);
    tt.equal(await store.blocks.heightOf(b.hash), h, 'by hash');
    tt.ok(equalBytes((await store.blocks.getCommit(h)).blockHash, b.hash), 'certificate');
    const { txs } = blockBodyFor(SEED, h);
    for (let i = 0; i < txs.length; i++) {
      const got = await store.blocks.getTx(hashOf(Domain.TX, txs[i]!));
      tt.same(got && { h: got.height, i: got.index, tx: got.tx, r: got.receipt }, { h, i, tx: txs[i], r: utf(`receipt/${h}/${i}`) }, `tx ${h}/${i}`);
    }
  }
  tt.equal(await store.blocks.getTx(new Uint8Array(32)), null, 'unknown tx');
  tt.equal(await codeOf(store.blocks.getBlock(9)), StateErrorCodes.STATE_MISSING_HEIGHT, 'no block above the head');

  // Account 0 is in every tx 0 (one per block) and more; page through both ways.
  const all: TxRef[] = [];
  let next: TxRef | null = null;
  do {
    const page: Awaited<ReturnType<typeof store.blocks.txsByAccount>> = await store.blocks.txsByAccount(account(0), { limit: 3, ...(next ? { after: next } : {}) });
    all.push(...page.items.map(({ height, index }) => ({ height, index })));
    next = page.next;
  } while (next);
  const expected: TxRef[] = [];
  for (let h = 1; h <= 8; h++) {
    const { results } = blockBodyFor(SEED, h);
    results.forEach((r, i) => {
      if (r.accounts.some((a) => equalBytes(a, account(0)))) expected.push({ height: h, index: i });
    });
  }
  tt.same(all, expected, 'ascending pages give every tx of the account once');
  const desc: TxRef[] = [];
  next = null;
  do {
    const page: Awaited<ReturnType<typeof store.blocks.txsByAccount>> = await store.blocks.txsByAccount(account(0), { limit: 2, order: 'desc', ...(next ? { after: next } : {}) });
    desc.push(...page.items.map(({ height, index }) => ({ height, index })));
    next = page.next;
  } while (next);
  tt.same(desc, expected.slice().reverse(), 'descending pages too');
  tt.equal(await codeOf(store.blocks.txsByAccount(new Uint8Array(0))), StateErrorCodes.STATE_INVALID_INPUT, 'empty account refused');
  tt.equal(await codeOf(store.blocks.txsByAccount(account(0), { limit: 0 })), StateErrorCodes.STATE_INVALID_INPUT, 'bad page size refused');

  // Pruning window of 3: heights 6..8 readable, older pruned.
  tt.equal(store.state.oldest, 6);
  tt.equal(await codeOf(store.get(utf('k/1'), 5)), StateErrorCodes.STATE_PRUNED, 'pruned height');
  tt.ok(equalBytes(await store.verifyHeight(6), await store.state.rootAt(6)), 'oldest kept height verifies');
  await store.close();
});

t.test('refusals write nothing', async (tt) => {
  const store = await LedgerStore.open({ path: tempDir(tt), sync: false });
  await commitHeight(store, 1);
  const p = await store.prepare(writesFor(SEED, 2));
  const { txs, results } = blockBodyFor(SEED, 2);
  const wrongRoot = makeBlock(2, new Uint8Array(32), txs);
  tt.equal(await codeOf(store.commit(p, { block: wrongRoot, commit: commitFor(wrongRoot), results })), StateErrorCodes.STATE_BLOCK_MISMATCH, 'wrong stateRoot');
  const wrongHeight = makeBlock(3, p.rootHash, txs);
  tt.equal(await codeOf(store.commit(p, { block: wrongHeight, commit: commitFor(wrongHeight), results })), StateErrorCodes.STATE_BLOCK_MISMATCH, 'wrong height');
  const good = makeBlock(2, p.rootHash, txs);
  tt.equal(await codeOf(store.commit(p, { block: good, commit: commitFor(wrongRoot), results })), StateErrorCodes.STATE_BLOCK_MISMATCH, 'certificate of another block');
  tt.equal(await codeOf(store.commit(p, { block: good, commit: commitFor(good), results: results.slice(1) })), StateErrorCodes.STATE_BLOCK_MISMATCH, 'missing results');
  const dup = makeBlock(2, p.rootHash, [blockBodyFor(SEED, 1).txs[0]!]);
  tt.equal(await codeOf(store.commit(p, { block: dup, commit: commitFor(dup), results: results.slice(0, 1) })), StateErrorCodes.STATE_DUPLICATE_TX, 'tx already included');
  tt.equal(store.height, 1, 'still at 1');
  tt.equal(await codeOf(store.blocks.getBlock(2)), StateErrorCodes.STATE_MISSING_HEIGHT, 'nothing of 2 written');
  const badAccount = results.map((r, i) => (i === 0 ? { ...r, accounts: [account(1), 'x' as unknown as Uint8Array, account(1)] } : r));
  tt.equal(await codeOf(store.commit(p, { block: good, commit: commitFor(good), results: badAccount })), StateErrorCodes.STATE_INVALID_INPUT, 'an account that is not bytes');
  const emptyAccount = results.map((r, i) => (i === 0 ? { ...r, accounts: [account(2), new Uint8Array(0)] } : r));
  tt.equal(await codeOf(store.commit(p, { block: good, commit: commitFor(good), results: emptyAccount })), StateErrorCodes.STATE_INVALID_INPUT, 'an empty account');
  await store.commit(p, { block: good, commit: commitFor(good), results });
  tt.equal(await codeOf(store.commit(p, { block: good, commit: commitFor(good), results })), StateErrorCodes.STATE_CONFLICT, 'a stale prepare');
  tt.equal(await codeOf(store.prepare([{ key: utf('a'), value: null }, { key: utf('a'), value: utf('1') }])), StateErrorCodes.STATE_INVALID_INPUT, 'duplicate key');
  tt.equal(await codeOf(store.prepare([{ key: new Uint8Array(0), value: null }])), StateErrorCodes.STATE_INVALID_INPUT, 'empty key');
  await store.close();
  tt.equal(await codeOf(store.get(utf('k/1'))), StateErrorCodes.STATE_CLOSED, 'closed store');
});

t.test('a corrupted node is STATE_CORRUPT, not a wrong answer', async (tt) => {
  const store = await LedgerStore.open({ path: tempDir(tt), sync: false, cacheNodes: 0 });
  for (let h = 1; h <= 3; h++) await commitHeight(store, h);
  let damaged = 0;
  for await (const [k, v] of store.kv.iterate({ gte: Uint8Array.of(0x4e), lt: Uint8Array.of(0x4f) })) {
    const bad = v.slice();
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0x55;
    await store.kv.batch([{ type: 'put', key: k, value: bad }]);
    damaged++;
  }
  tt.ok(damaged > 0, 'nodes damaged');
  const results = await Promise.all(Array.from({ length: 30 }, (_, i) => codeOf(store.get(utf(`k/${i}`)))));
  tt.ok(results.every((c) => c === StateErrorCodes.STATE_CORRUPT), 'every read refuses');
  tt.equal(await codeOf(store.verifyHeight(3)), StateErrorCodes.STATE_CORRUPT, 'verification refuses');
  await store.close();
});
