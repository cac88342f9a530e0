/**
 * Compact blocks: a receiver rebuilds the proposer's exact block bytes from its mempool,
 * asks for what it lacks, accepts a transaction only under its hash, and refuses a skeleton
 * or hash list that does not match the signed proposal.
 */
import t from 'tap';
import { Block, equalBytes, toHex, txRootOf, type Proposal } from '../../../core/index.js';
import { txHashOf } from '../../../state/index.js';
import { CompactAssembler, compactOf, ASK_ALL_AFTER_MS, type CompactProposal } from '../compact.js';
import { decodeMessage, encodeMessage } from '../wire.js';

const ZERO32 = new Uint8Array(32);
// About the size of a signed transfer.
const txs = Array.from({ length: 50 }, (_, i) => new Uint8Array([0x93, i, i * 3 % 256, 7, ...new Array(180 + (i % 13)).fill(i)]));

function blockOf(items: Uint8Array[], height = 5): Block {
  return Block.fromData({
    header: {
      version: 1, chainId: 'test-chain', height, time: 1000, lastBlockHash: ZERO32, lastCommitHash: ZERO32, txRoot: txRootOf(items.map(txHashOf)),
      txCount: items.length, stateRoot: ZERO32, resultsRoot: ZERO32, validatorsHash: ZERO32, nextValidatorsHash: ZERO32, evidenceHash: ZERO32,
      proposer: new Uint8Array(20),
    },
    txs: items, lastCommit: null, evidence: [],
  });
}
const proposalOf = (b: Block, round = 0): Proposal => ({ height: b.height, round, polRound: null, blockHash: b.hash, proposer: new Uint8Array(20), signature: new Uint8Array(64) });
const mempoolOf = (items: Uint8Array[]) => {
  const m = new Map(items.map((x) => [toHex(txHashOf(x)), x]));
  return { txBytes: (hex: string) => m.get(hex) };
};
/** What the wire gives the receiver. */
const overWire = (c: CompactProposal): CompactProposal => {
  const m = decodeMessage(encodeMessage('compact', c));
  if (m.kind !== 'compact') throw new Error('not compact');
  return m.body;
};

t.test('a receiver holding every transaction rebuilds the exact block', async (tt) => {
  const b = blockOf(txs);
  const c = overWire(compactOf(proposalOf(b), b));
  tt.ok(encodeMessage('compact', c).length < b.bytes.length, 'the compact form is smaller than the block');
  const r = new CompactAssembler(mempoolOf(txs)).add('P', c, 0);
  tt.equal(r.kind, 'whole');
  if (r.kind === 'whole') {
    tt.ok(equalBytes(r.block, b.bytes), 'the same bytes the proposer built');
    tt.equal(r.fetched, 0);
    tt.equal(r.decoded.bytes, r.block, 'handed over decoded: the very bytes consensus gets');
    tt.ok(equalBytes(r.decoded.hash, b.hash), 'with the block\'s hash');
    tt.same(r.decoded.txHashes().map((h) => toHex(h)), txs.map((x) => toHex(txHashOf(x))), 'and its transactions\' hashes');
  }
  tt.equal(new CompactAssembler(mempoolOf(txs)).add('P', overWire(compactOf(proposalOf(blockOf([])), blockOf([]))), 0).kind, 'whole', 'an empty block too');
});

t.test('missing transactions are asked for, and accepted only under their hashes', async (tt) => {
  const b = blockOf(txs);
  const held = txs.filter((_, i) => i % 7 !== 3);
  const missing = txs.filter((_, i) => i % 7 === 3);
  const a = new CompactAssembler(mempoolOf(held));
  const r = a.add('P', overWire(compactOf(proposalOf(b), b)), 0);
  tt.equal(r.kind, 'missing');
  if (r.kind !== 'missing') return;
  tt.same(r.hashes.map(toHex).sort(), missing.map((x) => toHex(txHashOf(x))).sort(), 'exactly the ones not held');
  tt.equal(a.add('P', overWire(compactOf(proposalOf(b), b)), 0).kind, 'known', 'the same proposal again is known');
  // A forged transaction in the answer is not taken for a missing one.
  const forged = missing.map((x) => Uint8Array.from(x, (v, i) => (i === 1 ? v ^ 1 : v)));
  tt.same(a.addTxs(forged), [], 'forged bytes complete nothing');
  tt.same(a.addTxs(missing.slice(1)), [], 'not yet: one still missing');
  tt.equal(a.waiting, 1);
  const done = a.addTxs(missing.slice(0, 1));
  tt.equal(done.length, 1, 'complete with the last one');
  tt.ok(equalBytes(done[0]!.block, b.bytes), 'the proposer\'s exact bytes');
  tt.equal(done[0]!.fetched, 1);
  tt.equal(a.waiting, 0);
});

t.test('a node serves transactions of blocks it holds, and of its mempool, in bounded responses', async (tt) => {
  const b = blockOf(txs);
  const proposer = new CompactAssembler(mempoolOf([]));
  proposer.remember(b);
  const asked = [txHashOf(txs[3]!), txHashOf(txs[10]!), new Uint8Array(32).fill(9)];
  const served = proposer.serve(asked);
  tt.same(served, [[txs[3], txs[10]]], 'the two it holds, not the unknown one');
  const peer = new CompactAssembler(mempoolOf([txs[4]!]));
  tt.same(peer.serve([txHashOf(txs[4]!)]), [[txs[4]]], 'from the mempool too');
  const big = Array.from({ length: 3 }, (_, i) => new Uint8Array(3 * 1024 * 1024).fill(i));
  const bigServer = new CompactAssembler(mempoolOf(big));
  tt.equal(bigServer.serve(big.map(txHashOf)).length, 3, '9 MiB answered in messages of at most 4 MiB');
});

t.test('after ASK_ALL_AFTER_MS a proposal still missing transactions is asked of every peer, once', async (tt) => {
  const b = blockOf(txs);
  const a = new CompactAssembler(mempoolOf(txs.slice(1)));
  a.add('P', overWire(compactOf(proposalOf(b), b)), 1000);
  tt.same(a.overdue(1000 + ASK_ALL_AFTER_MS - 1), [], 'not yet');
  const o = a.overdue(1000 + ASK_ALL_AFTER_MS);
  tt.equal(o.length, 1);
  tt.equal(o[0]!.from, 'P');
  tt.same(o[0]!.hashes.map(toHex), [toHex(txHashOf(txs[0]!))]);
  tt.same(a.overdue(1000 + 10 * ASK_ALL_AFTER_MS), [], 'once');
});

t.test('skeletons and hash lists that do not match the signed proposal are refused', async (tt) => {
  const b = blockOf(txs);
  const good = compactOf(proposalOf(b), b);
  const fresh = () => new CompactAssembler(mempoolOf(txs));
  const refuse = (c: CompactProposal, why: RegExp, what: string) => {
    const r = fresh().add('P', c, 0);
    tt.equal(r.kind, 'refused', what);
    if (r.kind === 'refused') tt.match(r.reason, why, what);
  };
  refuse({ ...good, txHashes: good.txHashes.slice(1) }, /txRoot and txCount/, 'a hash dropped');
  refuse({ ...good, txHashes: [...good.txHashes].reverse() }, /txRoot/, 'hashes reordered');
  refuse({ ...good, txHashes: [new Uint8Array(32), ...good.txHashes.slice(1)] }, /txRoot/, 'a hash replaced');
  refuse({ ...good, proposal: { ...good.proposal, blockHash: new Uint8Array(32).fill(1) } }, /not the proposed block/, 'a skeleton of another block');
  const other = blockOf(txs, 6);
  refuse({ ...good, skeleton: compactOf(proposalOf(other), other).skeleton }, /not the proposed block/, 'another height\'s skeleton');
  refuse({ ...good, skeleton: b.bytes }, /carries transactions|not the proposed/, 'a skeleton with its transactions in it');
  refuse({ ...good, skeleton: new Uint8Array([1, 2, 3]) }, /does not decode/, 'garbage');
  // A block naming one transaction twice (a valid header over a duplicate list) is refused when it cannot be filled.
  const dup = blockOf([txs[0]!, txs[0]!]);
  const r = new CompactAssembler(mempoolOf([])).add('P', compactOf(proposalOf(dup), dup), 0);
  tt.equal(r.kind, 'refused', 'a transaction twice');
});

t.test('a re-proposal of a block completed before is whole at once', async (tt) => {
  const b = blockOf(txs);
  const a = new CompactAssembler(mempoolOf(txs.slice(1)));
  a.add('P', compactOf(proposalOf(b), b), 0);
  a.addTxs([txs[0]!]);
  // Its transactions have left the mempool since (committed elsewhere, say); round 1 re-proposes it.
  const a2 = a as unknown as { source: { txBytes: (h: string) => Uint8Array | undefined } };
  a2.source.txBytes = () => undefined;
  const r = a.add('Q', compactOf(proposalOf(b, 1), b), 0);
  tt.equal(r.kind, 'whole', 'from the recent blocks it holds');
});
