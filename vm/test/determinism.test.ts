/**
 * Determinism: two independent stores fed the same blocks produce byte-identical write
 * sets, receipts and (stand-in) roots after every block; a store rebuilt from a copy of the
 * state at some height (a restart) and fed the remaining blocks reaches the same root; and
 * a replay from genesis reaches it too.
 */
import t from 'tap';
import { equalBytes, toHex, type Tx } from '../../core/index.js';
import { commitBlock, MemoryState, receiptBytes, type BlockResult } from '../index.js';
import { Chain, CHAIN, T0 } from './harness.js';
import { Workload } from './scenario.js';

function digest(r: BlockResult): string {
  const parts = [toHex(r.resultsRoot)];
  for (const rc of r.receipts) parts.push(toHex(receiptBytes(rc)));
  for (const w of r.writes) parts.push(toHex(w.key) + '=' + (w.value === null ? 'del' : toHex(w.value)));
  for (const j of r.rejected) parts.push(`${j.index}:${j.code}`);
  for (const u of r.validatorUpdates) parts.push(`${toHex(u.publicKey)}:${u.power}`);
  return parts.join('|');
}

t.test('two stores, same blocks: identical bytes; restart and replay reach the same root', async (t) => {
  const a = await Chain.create();
  const b = await Chain.create();
  t.same(a.state.root(), b.state.root(), 'same genesis root');
  const w = new Workload(42, a);
  const blocks: Tx[][] = [];
  const roots: Uint8Array[] = [];
  let same = true;
  let snapshot: MemoryState | null = null;
  for (let i = 0; i < 25; i++) {
    const txs = await w.block(10);
    blocks.push(txs);
    const ra = await a.block(txs, 6_000);
    const rb = await b.block(txs, 6_000);
    if (digest(ra) !== digest(rb)) same = false;
    roots.push(a.state.root());
    if (!equalBytes(roots[i]!, b.state.root())) same = false;
    if (i === 11) {
      snapshot = new MemoryState();
      snapshot.apply(a.state.entries().map(([key, value]) => ({ key, value })));
    }
  }
  t.ok(same, 'every block: same receipts, writes, rejections, validator updates and root');
  // Restart from the copy taken after block 12.
  const restarted = Chain.at(snapshot!, 12, a.time - 13 * 6_000);
  for (let i = 12; i < blocks.length; i++) await restarted.block(blocks[i]!, 6_000);
  t.same(restarted.state.root(), roots[roots.length - 1], 'restart from a copy of the state: same root');
  // Replay from genesis.
  const replay = await Chain.create();
  for (const txs of blocks) await replay.block(txs, 6_000);
  t.same(replay.state.root(), a.state.root(), 'replay: same root');
  // The workload did real work.
  t.ok(a.state.size > 40);
});

t.test('commitBlock: execute and commit, returning the store\'s root', async (t) => {
  const a = await Chain.create();
  const b = await Chain.create();
  const w = new Workload(9, a);
  for (let h = 1; h <= 5; h++) {
    const txs = await w.block(8);
    const ctx = { chainId: CHAIN, height: h, time: T0 + h * 5_000, proposer: new Uint8Array(20) };
    const ra = await commitBlock(a.state, ctx, txs);
    const rb = await commitBlock(b.state, ctx, txs.map((x) => x.bytes));
    t.same(ra.stateRoot, rb.stateRoot, `height ${h}: same root from objects and from bytes`);
    t.same(ra.stateRoot, a.state.root());
    t.same(ra.receiptHashes, rb.receiptHashes);
    a.height = h;
    a.time = ctx.time;
  }
});
