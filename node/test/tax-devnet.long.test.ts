/**
 * A tax rule activated at height h applies from h on every node and not before, on a
 * 4-validator devnet (real processes). The Commercial Bank makes customer-5 a merchant
 * (account.set_category); four other customers pay it continuously, each one transfer at a
 * time (the next sent once the last is committed), through the four nodes in turn, while the
 * testnet's Tax Office (tax_authority from genesis) registers a VAT of 17.5% on transfers to
 * merchants, withheld from the payee, in force from h = the current height + 40. The payments
 * go on until a height past h. Then, over each node's own RPC: every transfer's receipt at a
 * height below h has no tax.withheld event and the merchant got the whole amount; every one
 * at h or above has exactly one, with tax = floor(amount * 1750 / 10000), gross = the amount,
 * net = gross - tax, the merchant the taxpayer and the Tax Office the treasury; every node
 * serves the same receipts (events' bytes included) and the same block at each of those
 * heights; at each such height the merchant's and the treasury's balances moved by exactly
 * what that block's transfers say; and at one common height the treasury's balance record and
 * the merchant's tax total are the same bytes on all four nodes and equal the sum of the taxes
 * in the receipts. Payments land just before h and at h or just after (asserted).
 */
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { decode, decodeAddress, fromHex, type KeyPair, type Tx } from '../../core/index.js';
import { buildTx, SovClient, type BlockView, type SubmitView, type TxView } from '../../rpc/index.js';
import { tax } from '../../vm/index.js';
import { Devnet } from '../../test/devnet.js';
import { waitFor } from '../../test/index.js';

const NODES = 4;
const ALL = [0, 1, 2, 3];
/** Blocks between the rule's registration and its activation: ample for it to be committed first on a busy machine. */
const LEAD = 40;
/** The payments go on until one of each payer is committed at h + PAST or above. */
const PAST = 6;
/** 17.5%: with the amounts below the floor of the tax matters. */
const RATE_BPS = 1750;

const net = Devnet.create({ validators: NODES, blockIntervalMs: 200, accounts: 5 });
const m = net.manifest;
/** Nodes that exited without the test stopping them, each with the end of its log. */
const exits: string[] = [];
let stopping = false;
function watch(i: number): void {
  net.procs[i]?.once('exit', (code, signal) => {
    if (!stopping) exits.push(`node ${i} exited (code ${code}, signal ${signal}): ${readFileSync(net.logPath(i), 'utf8').split('\n').slice(-12).join('\n')}`);
  });
}
t.teardown(async () => {
  for (const e of exits) t.comment(e);
  stopping = true;
  await net.stop();
});
const clients = m.nodes.map((n) => new SovClient(n.rpc_url, { timeoutMs: 90_000 }));

const keys = Object.fromEntries(net.accountKeys().map((a) => [a.name, a]));
const office = keys['Tax Office']!;
const bank = keys['Commercial Bank']!;
const payers = [1, 2, 3, 4].map((i) => keys[`customer-${i}`]!);
const merchant = keys['customer-5']!;
const raw = (a: string) => decodeAddress(a, m.address_prefix);
const CUR = m.currency.code;

// ---- sending ----------------------------------------------------------------------------

const nonces = new Map<string, number>();
async function nextNonce(who: { address: string }): Promise<number> {
  const n = nonces.get(who.address) ?? (await clients[0]!.getAccount(who.address)).nonce;
  nonces.set(who.address, n + 1);
  return n;
}

async function txOf(who: { address: string; keys: KeyPair }, module: string, method: string, args: unknown, via = 0): Promise<Tx> {
  const h = await net.height(via);
  if (h < 0) throw new Error(`node ${via} does not answer`);
  return buildTx({ chainId: m.chain_id, keys: [who.keys], nonce: await nextNonce(who), expiry: h + 500 }, module, method, args);
}

/** Submit through node `via` and wait for the transaction's block (polling when the node answers pending). */
async function submit(tx: Tx, via: number, what: string): Promise<SubmitView> {
  const c = clients[via]!;
  const r = await c.sendTransaction(tx, true).catch((e: Error) => {
    throw new Error(`node ${via}: submitting ${what}: ${e.message} (${String((e.cause as Error | undefined)?.message ?? '')})`);
  });
  if (r.status !== 'pending') return r;
  let found: SubmitView | null = null;
  await waitFor(async () => {
    const v = await c.getTransaction(r.hash).catch(() => null);
    if (v !== null) found = { hash: r.hash, status: v.receipt.status === 'ok' ? 'committed' : 'failed', height: v.height, code: v.receipt.code, message: v.receipt.message };
    return v !== null;
  }, `${what} (${r.hash}) in a block`, 60_000, 200);
  return found!;
}

async function ok(tt: Test, what: string, tx: Tx, via: number): Promise<SubmitView> {
  const r = await submit(tx, via, what);
  tt.equal(r.status, 'committed', `${what}${r.message ? `: ${r.message}` : ''}`);
  if (r.status !== 'committed' || r.height === null) throw new Error(`${what} was not committed: ${r.message ?? r.status}`);
  return r;
}

interface Sent { payer: number; amount: bigint; hash: string; height: number }

/** Every node at height h at least; returns the lowest height among them. */
async function settle(h: number): Promise<number> {
  for (const i of ALL) await net.waitHeight(i, h, 90_000);
  return Math.min(...(await Promise.all(ALL.map((i) => net.height(i)))));
}

/** Run `f` on 0 .. n-1, `width` at a time. */
async function inParallel<T>(n: number, width: number, f: (k: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(n);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) {
      const k = next++;
      out[k] = await f(k);
    }
  }));
  return out;
}

/** The first few differences between node 0's answer and the others'. */
function differences(what: string, answers: unknown[], out: string[]): void {
  const a0 = JSON.stringify(answers[0]);
  answers.forEach((a, i) => {
    if (i > 0 && JSON.stringify(a) !== a0 && out.length < 10) out.push(`${what}: node ${ALL[i]} differs (${JSON.stringify(a).slice(0, 300)} / node 0 ${a0.slice(0, 300)})`);
  });
}

const balanceAt = async (i: number, address: string, height: number): Promise<{ raw: string | null; amount: bigint }> => {
  const r = await clients[i]!.getRecord({ kind: 'balance', address, currency: CUR }, { height });
  return { raw: r.raw, amount: BigInt((r.value as { amount: string } | null)?.amount ?? '0') };
};

const withheldOf = (v: TxView) => v.receipt.events.filter((e) => e.module === 'tax' && e.name === 'withheld').map((e) => decode(tax.WithheldEvent, fromHex(e.data)));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// ---- the test ---------------------------------------------------------------------------

const timings: string[] = [];
const t0 = Date.now();
const lap = (what: string) => timings.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
t.teardown(() => {
  t.comment(`timings (since start): ${timings.join(', ')}`);
});

t.before(async () => {
  net.startAll();
  ALL.forEach(watch);
  for (let i = 0; i < NODES; i++) await net.waitHeight(i, 2, 60_000);
  lap('devnet up');
});

t.test('a VAT activated at height h taxes every transfer from h on, on every node, and none before', async (tt) => {
  // customer-5 becomes a merchant: its bank sets its category.
  await ok(tt, 'the bank makes customer-5 a merchant', await txOf(bank, 'account', 'set_category', { account: raw(merchant.address), category: 'merchant' }, 1), 1);
  const start = await ok(tt, 'a first payment (before any rule)', await txOf(payers[0]!, 'money', 'transfer', { currency: CUR, to: raw(merchant.address), amount: 1_000n, memo: '', reference: '' }, 2), 2);
  const base = start.height! - 1;
  await settle(start.height!);
  const merchant0 = await balanceAt(0, merchant.address, base);
  const treasury0 = await balanceAt(0, office.address, base);
  tt.equal(treasury0.raw, null, 'the treasury (the Tax Office) holds no DEV before any tax');
  const sent: Sent[] = [{ payer: 0, amount: 1_000n, hash: start.hash, height: start.height! }];

  // The payers pay the merchant continuously, each one transfer at a time, through the nodes in turn.
  let until = Number.POSITIVE_INFINITY; // h + PAST, once h is known
  const deadline = Date.now() + 240_000;
  let count = 0;
  const payer = async (p: number): Promise<void> => {
    let lastHeight = 0;
    for (let k = 0; lastHeight < until; k++) {
      if (Date.now() > deadline) throw new Error(`payer ${p}: no payment at height ${until} or above within the deadline (last at ${lastHeight})`);
      const via = (p + k) % NODES;
      const amount = 10_000n + BigInt(p * 1_009 + (count++ % 97) * 37);
      const tx = await txOf(payers[p]!, 'money', 'transfer', { currency: CUR, to: raw(merchant.address), amount, memo: `invoice ${p}-${k}`, reference: '' }, via);
      const r = await submit(tx, via, `payment ${p}-${k}`);
      if (r.status !== 'committed' || r.height === null) throw new Error(`payment ${p}-${k} through node ${via}: ${r.status} ${r.message ?? ''}`);
      sent.push({ payer: p, amount, hash: r.hash, height: r.height });
      lastHeight = r.height;
    }
  };
  const paying = Promise.all(payers.map((_, p) => payer(p)));
  paying.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile

  // Meanwhile the Tax Office registers the VAT, in force LEAD blocks on.
  const h = (await net.height(3)) + LEAD;
  const reg = await ok(tt, `the Tax Office registers a ${RATE_BPS / 100}% VAT on transfers to merchants, from height ${h}`, await txOf(office, 'tax', 'register_rule', {
    name: 'VAT', currency: CUR, rateBps: RATE_BPS, base: tax.TaxBase.PAYMENT, payer: tax.TaxPayer.PAYEE,
    appliesTo: { types: ['transfer'], payeeCategory: 'merchant', payerCategory: '' }, treasury: raw(office.address), exemptTypes: [], activationHeight: h, legalRef: 'VAT Act s.1',
  }, 3), 3);
  tt.ok(reg.height! < h, `registered at height ${reg.height}, ${h - reg.height!} blocks before its activation`);
  const regView = await clients[3]!.getTransaction(reg.hash);
  const registered = regView.receipt.events.find((e) => e.module === 'tax' && e.name === 'rule_registered');
  const ruleId = Number((registered?.fields as { id?: number } | null)?.id);
  tt.ok(ruleId >= 1, `rule ${ruleId}`);
  tt.equal((registered?.fields as { activationHeight?: number } | null)?.activationHeight, h, 'its activation height as asked');
  lap('rule registered');
  until = h + PAST;
  await paying;
  lap(`payments to height ${h + PAST} committed (${sent.length})`);

  // The boundary is covered closely on both sides.
  const before = sent.filter((s) => s.height < h);
  const after = sent.filter((s) => s.height >= h);
  const lastBefore = Math.max(...before.map((s) => s.height));
  const firstAfter = Math.min(...after.map((s) => s.height));
  tt.comment(`${sent.length} payments: ${before.length} at heights ${Math.min(...before.map((s) => s.height))}..${lastBefore}, ${after.length} at ${firstAfter}..${Math.max(...after.map((s) => s.height))}; h = ${h}; at h - 1: ${before.filter((s) => s.height === h - 1).length}, at h: ${after.filter((s) => s.height === h).length}`);
  tt.ok(before.length > 0 && lastBefore <= h - 1 && lastBefore >= h - 2, `a payment at h - 1 or h - 2 (the last before h at ${lastBefore})`);
  tt.ok(after.length > 0 && firstAfter >= h && firstAfter <= h + 1, `a payment at h or h + 1 (the first from h on at ${firstAfter})`);

  // Every node, over its own RPC: the receipts, the blocks, the balances.
  const top = await settle(Math.max(...sent.map((s) => s.height)));
  const diffs: string[] = [];
  const problems: string[] = [];
  const note = (s: string) => {
    if (problems.length < 20) problems.push(s);
  };
  await inParallel(sent.length, 8, async (k) => {
    const s = sent[k]!;
    const vs = await Promise.all(ALL.map((i) => clients[i]!.getTransaction(s.hash)));
    differences(`transaction ${s.hash} (height ${s.height})`, vs, diffs);
    vs.forEach((v, i) => {
      const at = `node ${i}: payment ${s.hash} at height ${v.height}`;
      if (v.height !== s.height) note(`${at}: committed at ${s.height} says its sender`);
      if (v.receipt.status !== 'ok') note(`${at}: ${v.receipt.codeName} ${v.receipt.message}`);
      const transfer = v.receipt.events.filter((e) => e.module === 'money' && e.name === 'transfer');
      if (transfer.length !== 1 || (transfer[0]!.fields as { amount?: string } | null)?.amount !== String(s.amount)) note(`${at}: no money.transfer event of ${s.amount}`);
      const w = withheldOf(v);
      if (v.height < h) {
        if (w.length !== 0 || v.receipt.events.some((e) => e.module === 'tax')) note(`${at}: taxed before h = ${h}`);
        return;
      }
      const tax1 = (s.amount * BigInt(RATE_BPS)) / 10_000n;
      const want = { rule: ruleId, taxpayer: hex(raw(merchant.address)), treasury: hex(raw(office.address)), payer: hex(raw(payers[s.payer]!.address)), payee: hex(raw(merchant.address)), currency: CUR, gross: s.amount, tax: tax1, net: s.amount - tax1 };
      const got = w.map((x) => ({ ...x, taxpayer: hex(x.taxpayer), treasury: hex(x.treasury), payer: hex(x.payer), payee: hex(x.payee) }));
      if (got.length !== 1 || JSON.stringify(got[0], (_, x: unknown) => (typeof x === 'bigint' ? String(x) : x)) !== JSON.stringify(want, (_, x: unknown) => (typeof x === 'bigint' ? String(x) : x))) {
        note(`${at}: withheld ${JSON.stringify(got, (_, x: unknown) => (typeof x === 'bigint' ? String(x) : x))}, not one of ${tax1} of ${s.amount}`);
      } else if (got[0]!.gross !== got[0]!.net + got[0]!.tax) note(`${at}: gross is not net + tax`);
    });
  });
  tt.same(problems, [], `every node: the ${before.length} payments below h untaxed, the ${after.length} from h on taxed exactly once at ${RATE_BPS} bps (gross = amount = net + tax)`);
  tt.same(diffs, [], `every node serves the same ${sent.length} transactions with their receipts and events`);

  // The same block at each height with a payment, at h - 1 and h, and at the registration's.
  const heights = [...new Set([...sent.map((s) => s.height), reg.height!, h - 1, h])].sort((a, b) => a - b);
  const bdiffs: string[] = [];
  const blocks = await inParallel(heights.length, 8, async (k) => {
    const bs = await Promise.all(ALL.map((i) => clients[i]!.getBlock(heights[k]!)));
    differences(`block ${heights[k]}`, bs.map((b: BlockView) => ({ hash: b.hash, header: b.header, txs: b.txs, lastCommit: b.lastCommit })), bdiffs);
    return bs[0]!;
  });
  tt.same(bdiffs, [], `every node: the same block (hash, header, transactions) at each of ${heights.length} heights`);
  const inBlocks = new Set(blocks.flatMap((b) => b.txs));
  tt.ok(sent.every((s) => inBlocks.has(s.hash)), 'each payment is in the block its receipt names');

  // At each height with payments: the merchant got the amount below h and the net from h on; the treasury the taxes.
  const payHeights = [...new Set(sent.map((s) => s.height))].sort((a, b) => a - b);
  const moved: string[] = [];
  await inParallel(payHeights.length, 4, async (k) => {
    const H = payHeights[k]!;
    const here = sent.filter((s) => s.height === H);
    const taxes = H < h ? 0n : here.reduce((a, s) => a + (s.amount * BigInt(RATE_BPS)) / 10_000n, 0n);
    const received = here.reduce((a, s) => a + s.amount, 0n) - taxes;
    for (const i of ALL) {
      const [m1, m0, t1, t0b] = await Promise.all([balanceAt(i, merchant.address, H), balanceAt(i, merchant.address, H - 1), balanceAt(i, office.address, H), balanceAt(i, office.address, H - 1)]);
      if (m1.amount - m0.amount !== received || t1.amount - t0b.amount !== taxes) {
        if (moved.length < 10) moved.push(`node ${i} height ${H}: merchant +${m1.amount - m0.amount} (expected +${received}), treasury +${t1.amount - t0b.amount} (expected +${taxes})`);
      }
    }
  });
  tt.same(moved, [], `every node: at each of ${payHeights.length} heights the merchant got the whole amount below h and amount - tax from h on, the treasury the taxes`);

  // At one common height: the treasury's balance, the merchant's, and its tax totals, the same bytes everywhere, equal to the receipts' sums.
  const common = await settle(top);
  const taxSum = after.reduce((a, s) => a + (s.amount * BigInt(RATE_BPS)) / 10_000n, 0n);
  const paidSum = sent.reduce((a, s) => a + s.amount, 0n);
  const treasuries = await Promise.all(ALL.map((i) => balanceAt(i, office.address, common)));
  tt.ok(treasuries.every((b) => b.raw !== null && b.raw === treasuries[0]!.raw), `the treasury's balance record at height ${common}: the same bytes on all four nodes`);
  tt.same(treasuries.map((b) => b.amount), ALL.map(() => taxSum), `and it is the sum of the ${after.length} taxes in the receipts (${taxSum})`);
  const merchants = await Promise.all(ALL.map((i) => balanceAt(i, merchant.address, common)));
  tt.ok(merchants.every((b) => b.raw === merchants[0]!.raw), `the merchant's balance record at height ${common}: the same bytes on all four nodes`);
  tt.same(merchants.map((b) => b.amount), ALL.map(() => merchant0.amount + paidSum - taxSum), 'and it is what it held, plus the payments, less the taxes');

  // The merchant's totals under the rule, by month of block time (a run at the turn of a month has two).
  const byPeriod = new Map<number, { gross: bigint; tax: bigint; count: number }>();
  const timeOf = new Map(blocks.map((b) => [b.header.height, b.header.time]));
  for (const s of after) {
    const p = tax.periodOf(timeOf.get(s.height)!);
    const x = byPeriod.get(p) ?? { gross: 0n, tax: 0n, count: 0 };
    byPeriod.set(p, { gross: x.gross + s.amount, tax: x.tax + (s.amount * BigInt(RATE_BPS)) / 10_000n, count: x.count + 1 });
  }
  for (const [period, want] of byPeriod) {
    const rs = await Promise.all(ALL.map((i) => clients[i]!.getRecord({ kind: 'tax_total', taxpayer: merchant.address, period, taxRule: ruleId }, { height: common })));
    tt.ok(rs.every((r) => r.raw !== null && r.raw === rs[0]!.raw), `the merchant's tax total for ${period} at height ${common}: the same bytes on all four nodes`);
    const v = rs[0]!.value as { gross: string; tax: string; count: number } | null;
    tt.same(v && [v.gross, v.tax, v.count], [String(want.gross), String(want.tax), want.count], `and it adds up the ${want.count} taxed payments of the month`);
  }
  lap('compared on every node');
  tt.same(exits, [], 'no node exited');
});
