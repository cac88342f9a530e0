/**
 * Pruning on a real node (in this process), through the RPC: a node that kept everything
 * (an archive) is restarted with `[storage] retain_state = 8` and `retain_blocks = 8`; it
 * catches up pruning within a few commits, and from then on every read of a pruned height
 * answers PRUNED (-32009) naming the oldest height kept: blocks, certificates, state records
 * (with and without proofs), validator sets, account pages continuing into pruned history,
 * comp_backtest, an exchange record whose index entry (written while it kept everything)
 * names a pruned block; a transaction of a pruned block is NOT_FOUND saying which blocks are
 * kept. Recent heights keep answering. What is committed while pruning goes whole with its
 * block (index entries included): a query through such an entry finds nothing rather than
 * failing.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAddress } from '../../core/index.js';
import { errorResponse, hashSecret, RpcCallError, RpcCodes, SovClient, xchgBatch, payloadDigest, type XchgRecordInput } from '../../rpc/index.js';
import type { Devnet } from '../../test/devnet.js';
import { waitFor } from '../../test/index.js';
import { loadHome, SovNode } from '../node.js';
import { silentLogger } from '../ops/log.js';
import { inProcessChain } from './in-process-chain.js';

const REGULATOR_SECRET = 'sov_prune-rpc-regulator-secret';
const RETAIN = 8;
let devnet: Devnet | undefined;
const chain = inProcessChain(t, (net) => {
  devnet = net;
  writeFileSync(join(net.manifest.nodes[0]!.home, 'rpc-keys.toml'), `[[key]]\nname = "regulator"\nsha256 = "${hashSecret(REGULATOR_SECRET)}"\nroles = ["regulator"]\n`);
  net.setConfig(0, 'rpc', 'api_keys_file', '"rpc-keys.toml"');
});
const { manifest: m, client, send } = chain;
const tax = chain.accounts['Tax Office']!;
const welfare = chain.accounts['Welfare Agency']!;
const raw = (a: string) => decodeAddress(a, m.address_prefix);
const regulator = new SovClient(m.nodes[0]!.rpc_url, { apiKey: REGULATOR_SECRET });

let restarted: SovNode | null = null;
t.teardown(async () => {
  await restarted?.stop();
});

/** The RPC error a call answers (code, message, data), or null when it succeeds. */
async function rpcError(p: Promise<unknown>): Promise<{ code: number; message: string; data: Record<string, unknown> } | null> {
  try {
    await p;
    return null;
  } catch (e) {
    if (!(e instanceof RpcCallError)) throw e;
    return { code: e.rpcCode, message: e.message, data: (e.data ?? {}) as Record<string, unknown> };
  }
}

const records = (n: number, from: number): XchgRecordInput[] =>
  Array.from({ length: n }, (_, k) => ({ payload: payloadDigest(`statement ${from + k}`), purpose: 'income', legalBasis: 'Act 90/2003 art. 12', time: 1_700_000_000_000 + from + k }));

t.test('an archive restarted with retain windows answers PRUNED for what it no longer keeps', async (tt) => {
  // While it keeps everything: an exchange batch (a transaction with module index entries).
  const sent = await send(tax, 'xchg', 'send', xchgBatch(raw(tax.address), raw(welfare.address), 0, records(3, 0)).args);
  tt.equal(sent.status, 'committed', 'a batch committed');
  const hx = sent.height!;
  tt.ok(await client.xchgGetRecord(tax.address, 1), 'its record is served');
  await waitFor(async () => (await client.status()).height >= hx + 3, 'a few blocks more', 30_000);

  // Restart with retain windows.
  await chain.node().stop();
  devnet!.setConfig(0, 'storage', 'retain_state', String(RETAIN));
  devnet!.setConfig(0, 'storage', 'retain_blocks', String(RETAIN));
  restarted = new SovNode(await loadHome(m.nodes[0]!.home, silentLogger()));
  await restarted.start();
  const node = restarted;
  await waitFor(async () => node.ledger.oldestBlock > hx + 2 && node.ledger.oldestState > hx + 2, 'pruning past the batch', 60_000);
  const head = node.ledger.height;
  tt.ok(head - node.ledger.oldestBlock < RETAIN + 16, `caught up: head ${head}, oldest block ${node.ledger.oldestBlock}`);

  /** `height`: the height asked for (a range: at most it, as an events cursor reads from just before its transaction). */
  const pruned = async (what: string, p: Promise<unknown>, kind: 'state' | 'block', height: number | [number, number]): Promise<void> => {
    const e = await rpcError(p);
    tt.equal(e?.code, RpcCodes.PRUNED, `${what}: PRUNED`);
    tt.equal(e?.data.code, 'STATE_PRUNED', `${what}: data.code`);
    tt.equal(e?.data.what, kind, `${what}: data.what`);
    const [lo, hi] = typeof height === 'number' ? [height, height] : height;
    tt.ok((e?.data.height as number) >= lo && (e?.data.height as number) <= hi, `${what}: data.height ${String(e?.data.height)}`);
    const oldest = e?.data.oldest as number;
    const kept = kind === 'state' ? node.ledger.oldestState : node.ledger.oldestBlock;
    tt.ok(oldest > hi && oldest <= kept, `${what}: data.oldest ${oldest} is the oldest kept (now ${kept})`);
    tt.match(e?.message, new RegExp(`oldest kept: ${oldest}`), `${what}: the message names it`);
  };
  await pruned('sov_getBlock', client.getBlock(hx), 'block', hx);
  await pruned('sov_getBlock 1', client.getBlock(1), 'block', 1);
  await pruned('sov_getCommit', client.getCommit(hx), 'block', hx);
  await pruned('sov_getRecord', client.getRecord({ kind: 'account', address: tax.address }, { height: hx }), 'state', hx);
  await pruned('sov_getRecord with a proof', client.getRecord({ kind: 'account', address: tax.address }, { height: hx, prove: true }), 'state', hx);
  await pruned('sov_getValidators', client.getValidators(hx), 'state', hx);
  await pruned('sov_getAccountTransactions past a cursor', client.getAccountTransactions(tax.address, { after: { height: hx, index: 0 } }), 'block', hx);
  await pruned('sov_getAccountEvents past a cursor', client.getAccountEvents(tax.address, { after: { height: hx, index: 0, event: 0 } }), 'block', [hx - 1, hx]);
  await pruned('comp_backtest', regulator.call('comp_backtest', { source: 'tx.amount >= 3000000', action: 'flag', from: hx, to: hx + 1 }), 'state', hx - 1);
  // The batch's index entries were written before the node pruned (no prune list): kept, and
  // following one to its block answers PRUNED (the receipt read through txAt).
  await pruned('xchg_getRecord', client.xchgGetRecord(tax.address, 1), 'block', hx);
  const viaTxAt = await node.facade.txAt(hx, 0).then(() => null, (e: unknown) => e);
  tt.equal((viaTxAt as { code?: string }).code, 'STATE_PRUNED', 'the facade\'s txAt (xchg, comp, prog queries) rejects with STATE_PRUNED');
  tt.equal(errorResponse(1, viaTxAt).error?.code, RpcCodes.PRUNED, 'which the RPC answers as PRUNED');

  const tx = await rpcError(client.getTransaction(sent.hash));
  tt.equal(tx?.code, RpcCodes.NOT_FOUND, 'a transaction of a pruned block: its location is gone, NOT_FOUND');
  tt.match(tx?.message, /in the blocks this node keeps \(from height \d+/, 'saying which blocks are kept');
  tt.ok((tx?.data.oldestBlock as number) > hx, 'data.oldestBlock');

  // Recent heights answer.
  const now = node.ledger.height;
  tt.equal((await client.getBlock(now - 1)).header.height, now - 1, 'a recent block');
  tt.equal((await client.getRecord({ kind: 'account', address: tax.address }, { height: now - 1, prove: true })).height, now - 1, 'a recent record with its proof');
  const page = await client.getAccountTransactions(tax.address);
  tt.ok(page.items.every((i) => i.height >= node.ledger.oldestBlock - 16), 'account pages list kept heights only');
  const events = await client.getAccountEvents(tax.address, { order: 'desc' });
  tt.ok(Array.isArray(events.items), 'account events answer');

  // A batch committed while pruning goes whole with its block, index entries included.
  const later = await send(tax, 'xchg', 'send', xchgBatch(raw(tax.address), raw(welfare.address), 3, records(2, 3)).args);
  tt.equal(later.status, 'committed');
  tt.ok(await client.xchgGetRecord(tax.address, 4), 'served while its block is kept');
  await waitFor(async () => node.ledger.oldestBlock > later.height!, 'its block pruned', 60_000);
  const gone = await rpcError(client.xchgGetRecord(tax.address, 4));
  tt.ok(gone === null || gone.code === RpcCodes.NOT_FOUND || gone.code === RpcCodes.PRUNED, `then no internal error (${gone ? gone.code : 'null'})`);
  await pruned('sov_getBlock of it', client.getBlock(later.height!), 'block', later.height!);
});
