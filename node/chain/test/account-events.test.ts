/**
 * An account's events, read through the account index and the receipts: paging oldest first
 * and newest first, at every page size from 1, gives each event of the account's transactions
 * exactly once and in order; a cursor resumes inside a transaction; a transaction cursor
 * (no event) resumes after it; a page that reaches its scan bound returns a cursor past what
 * it read, and following it still gives everything.
 */
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode, equalBytes } from '../../../core/index.js';
import { commitFor, makeBlock } from '../../../test/index.js';
import { LedgerStore } from '../../../state/index.js';
import { ReceiptSchema, ReceiptStatus } from '../../../vm/index.js';
import { accountEvents, type AccountEvent, type EventCursor } from '../account-events.js';

const utf = (s: string): Uint8Array => new TextEncoder().encode(s);
const account = (i: number): Uint8Array => Uint8Array.from({ length: 20 }, (_, k) => (k === 0 ? 0xac : k === 19 ? i : 0));
const ME = account(1);

function tempDir(tt: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'sov-events-'));
  tt.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Heights 1..12: tx i of height h has (h + i) % 4 events; ME is in it when (h * 3 + i) % 2 === 0. */
async function fill(store: LedgerStore): Promise<{ height: number; index: number; event: number }[]> {
  const expected: { height: number; index: number; event: number }[] = [];
  for (let h = 1; h <= 12; h++) {
    const n = 1 + (h % 5);
    const txs = Array.from({ length: n }, (_, i) => utf(`tx/${h}/${i}`));
    const results = txs.map((_, i) => {
      const events = Array.from({ length: (h + i) % 4 }, (_, j) => ({ module: 'money', name: 'transfer', data: utf(`ev/${h}/${i}/${j}`) }));
      const mine = (h * 3 + i) % 2 === 0;
      if (mine) events.forEach((_, j) => expected.push({ height: h, index: i, event: j }));
      const receipt = encode(ReceiptSchema, { txHash: new Uint8Array(32).fill(i), status: ReceiptStatus.OK, code: 0, message: '', work: 1, events, result: new Uint8Array(0) });
      return { receipt, accounts: mine ? [account(0), ME] : [account(2)] };
    });
    const p = await store.prepare([{ key: utf(`k/${h}`), value: utf(`v/${h}`) }]);
    const block = makeBlock(h, p.rootHash, txs);
    await store.commit(p, { block, commit: commitFor(block), results });
  }
  return expected;
}

async function all(store: LedgerStore, limit: number, order: 'asc' | 'desc', maxScan?: number): Promise<AccountEvent[]> {
  const out: AccountEvent[] = [];
  let after: EventCursor | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const r = await accountEvents(store.blocks, ME, { limit, order, ...(after ? { after } : {}) }, maxScan);
    out.push(...r.items);
    if (r.next === null) return out;
    after = r.next;
  }
  throw new Error('paging did not end');
}

t.test('paging both ways gives every event of the account once, in order', async (tt) => {
  const store = await LedgerStore.open({ path: tempDir(tt), sync: false });
  tt.teardown(() => store.close());
  const expected = await fill(store);
  tt.ok(expected.length > 15, `${expected.length} events of the account`);
  const key = (e: { height: number; index: number; event: number }): string => `${e.height}/${e.index}/${e.event}`;
  for (const limit of [1, 2, 3, 7, 100]) {
    const asc = await all(store, limit, 'asc');
    tt.same(asc.map(key), expected.map(key), `ascending, ${limit} a page`);
    tt.ok(asc.every((e) => equalBytes(e.data.data, utf(`ev/${e.height}/${e.index}/${e.event}`))), 'each with its own data');
    const desc = await all(store, limit, 'desc');
    tt.same(desc.map(key), expected.map(key).reverse(), `descending, ${limit} a page`);
  }
  // A scan bound smaller than the account's transactions: short pages, nothing lost.
  for (const maxScan of [1, 2, 5]) {
    tt.same((await all(store, 4, 'asc', maxScan)).map(key), expected.map(key), `ascending, reading ${maxScan} transactions a page`);
    tt.same((await all(store, 4, 'desc', maxScan)).map(key), expected.map(key).reverse(), `descending, reading ${maxScan} transactions a page`);
  }
  // A transaction cursor (no event) resumes after that transaction.
  const firstTx = expected[0]!;
  const r = await accountEvents(store.blocks, ME, { after: { height: firstTx.height, index: firstTx.index }, limit: 1000 });
  tt.same(r.items.map(key), expected.filter((e) => e.height !== firstTx.height || e.index !== firstTx.index).map(key), 'after a transaction');
  tt.same((await accountEvents(store.blocks, account(5), {})).items, [], 'an account with no transactions has no events');
  for (const limit of [0, -1, 1.5, 1001]) {
    await tt.rejects(accountEvents(store.blocks, ME, { limit }), { code: 'STATE_INVALID_INPUT' }, `a page of ${limit} refused`);
  }
});
