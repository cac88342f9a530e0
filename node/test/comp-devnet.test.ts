/**
 * The Regulatory OS is deterministic on a 4-validator devnet (real processes): the same
 * history gives the same decisions on every node, and after a restart. The council grants
 * the central bank the regulator role; it puts a customer on a list and registers seven rules
 * of every kind (a velocity flag on countOut, a refusal of large amounts, a hold, a refusal by
 * list with inList, a flag on sumPair, a shadow rule, and a rule that divides by zero on one
 * amount); a fixed mixed workload of transfers between the customers is sent through the four
 * nodes in turn. Each payment's outcome is what a small model of the rules predicts (refused by
 * the named rule, or checked with each rule's decision, its alerts, shadow decision, rule error
 * and hold), so the workload is known to have produced every kind of decision; the regulator
 * releases one hold and the commercial bank refuses another. Then every node agrees, at every
 * height: the block (hash, header with its state and results roots, transactions), and every
 * transaction with its receipt and events, as sov_getTransaction serves them; comp_rules,
 * comp_alerts (by each rule, each account, the bank) and comp_holds (all, and by bank) answer
 * the same on every node (the regulator's API key is configured on each), and comp's state
 * records read at one common height are the same bytes. Then validator 3 is killed (SIGKILL),
 * more payments are committed without it, it is started again and catches up, and more
 * payments and hold decisions go through it; the same comparisons hold for every height, on
 * all four nodes. A payment that raises two alerts is listed twice under its payer, payee and bank (the
 * index keys end with the entry's position in its transaction).
 */
import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode, decodeAddress, fromHex, toHex, type KeyPair, type Schema, type Tx } from '../../core/index.js';
import { ActionKind, buildTx, hashSecret, makeAction, SovClient, type BlockView, type SubmitView, type TxView } from '../../rpc/index.js';
import { comp, gov } from '../../vm/index.js';
import { Devnet } from '../../test/devnet.js';
import { waitFor } from '../../test/index.js';

const NODES = 4;
const REGULATOR_SECRET = 'sov_comp-devnet-regulator-secret';

const net = Devnet.create({ validators: NODES, blockIntervalMs: 200, accounts: 6 });
const m = net.manifest;
/** Nodes that exited without the test stopping them, each with the end of its log (a crash shows there). */
const exits: string[] = [];
const killing = new Set<number>();
function watch(i: number): void {
  net.procs[i]?.once('exit', (code, signal) => {
    if (!killing.has(i)) exits.push(`node ${i} exited (code ${code}, signal ${signal}): ${readFileSync(net.logPath(i), 'utf8').split('\n').slice(-12).join('\n')}`);
  });
}
t.teardown(async () => {
  for (const e of exits) t.comment(e);
  for (let i = 0; i < NODES; i++) killing.add(i);
  await net.stop();
});
// The regulator's API key on every node (read when the node starts).
for (let i = 0; i < NODES; i++) {
  writeFileSync(join(m.nodes[i]!.home, 'rpc-keys.toml'), `[[key]]\nname = "regulator"\nsha256 = "${hashSecret(REGULATOR_SECRET)}"\nroles = ["regulator"]\n`);
  net.setConfig(i, 'rpc', 'api_keys_file', '"rpc-keys.toml"');
}
const clients = m.nodes.map((n) => new SovClient(n.rpc_url, { timeoutMs: 90_000 }));
const regulators = m.nodes.map((n) => new SovClient(n.rpc_url, { apiKey: REGULATOR_SECRET, timeoutMs: 30_000 }));
const ALL = [0, 1, 2, 3];

const keys = Object.fromEntries(net.accountKeys().map((a) => [a.name, a]));
const cb = keys['Central Bank']!;
const bank = keys['Commercial Bank']!;
/** customer-1 .. customer-6, by index 0 .. 5. */
const customers = Array.from({ length: 6 }, (_, i) => keys[`customer-${i + 1}`]!);
const raw = (a: string) => decodeAddress(a, m.address_prefix);
const CUR = m.currency.code;
/** customer-6 is on the sanctions list: payments to it are refused. */
const SANCTIONED = 5;

// ---- the rules, and a model of what they decide ---------------------------------------

const { REFUSE, FLAG, HOLD } = comp.RuleAction;
/** What the model keeps of the history: each payer's payments and each pair's sum (refused ones do not count). */
interface History { out: Map<number, number>; pair: Map<string, bigint> }
interface Payment { from: number; to: number; amount: bigint }
interface RuleSpec { name: string; source: string; action: number; severity: number; shadow: boolean; holds: (p: Payment, h: History) => boolean | 'error' }

/** In name order: the order the payment hook runs them in. */
const RULES: RuleSpec[] = [
  { name: 'divzero', source: 'tx.amount / (tx.amount - 777) > 1000000', action: FLAG, severity: 1, shadow: false, holds: (p) => (p.amount === 777n ? 'error' : false) },
  { name: 'large', source: 'tx.amount >= 20000000', action: REFUSE, severity: 3, shadow: false, holds: (p) => p.amount >= 20_000_000n },
  { name: 'pair', source: 'sumPair(from.address, to.address, 86400000) >= 1500000', action: FLAG, severity: 2, shadow: false, holds: (p, h) => (h.pair.get(`${p.from}>${p.to}`) ?? 0n) >= 1_500_000n },
  { name: 'review', source: 'tx.amount >= 5000000', action: HOLD, severity: 2, shadow: false, holds: (p) => p.amount >= 5_000_000n },
  { name: 'sanctions', source: 'inList("sanctions", to.address)', action: REFUSE, severity: 3, shadow: false, holds: (p) => p.to === SANCTIONED },
  { name: 'shadow-big', source: 'tx.amount >= 1000000', action: REFUSE, severity: 1, shadow: true, holds: (p) => p.amount >= 1_000_000n },
  { name: 'velocity', source: 'countOut(from.address, 3600000) > 3', action: FLAG, severity: 1, shadow: false, holds: (p, h) => (h.out.get(p.from) ?? 0) > 3 },
];
const id = (r: RuleSpec) => `${r.name}@1`;

/** A payment's outcome as its receipt shows it. */
interface Outcome {
  refused: string | null;
  /** The `checked` event: each rule's decision (0 pass, 1 refuse, 2 flag, 3 hold, 4 error; +8 shadow). */
  decisions: number[];
  alerts: string[];
  shadow: number[];
  errors: string[];
  held: string | null;
}

const history: History = { out: new Map(), pair: new Map() };
/** What the rules decide about `p` after the history so far (then the history includes it). */
function predict(p: Payment): Outcome {
  const o: Outcome = { refused: null, decisions: [], alerts: [], shadow: [], errors: [], held: null };
  for (const r of RULES) {
    const v = r.holds(p, history);
    const d = v === 'error' ? comp.Decision.ERROR : v ? r.action + 1 : comp.Decision.PASS;
    o.decisions.push(r.shadow ? d + comp.SHADOW_BIT : d);
    if (d === comp.Decision.ERROR) o.errors.push(id(r));
    if (r.shadow) o.shadow.push(d);
    else if (d === comp.Decision.REFUSE) o.refused ??= id(r);
    else if (d === comp.Decision.HOLD) o.held ??= id(r);
    else if (d === comp.Decision.FLAG) o.alerts.push(id(r));
  }
  // A refused payment is a failure receipt with no events, and the rules never see it.
  if (o.refused !== null) return { refused: o.refused, decisions: [], alerts: [], shadow: [], errors: [], held: null };
  history.out.set(p.from, (history.out.get(p.from) ?? 0) + 1);
  history.pair.set(`${p.from}>${p.to}`, (history.pair.get(`${p.from}>${p.to}`) ?? 0n) + p.amount);
  return o;
}

const events = <T>(v: TxView, name: string, schema: Schema<T>): T[] =>
  v.receipt.events.filter((e) => e.module === 'comp' && e.name === name).map((e) => decode(schema, fromHex(e.data)));

/** A payment's outcome as its receipt shows it. */
function outcomeOf(v: TxView): Outcome {
  if (v.receipt.status === 'failed') {
    const refused = v.receipt.codeName === 'COMPLIANCE_REFUSED' ? (/refused by rule (\S+)/.exec(v.receipt.message)?.[1] ?? '?') : `${v.receipt.codeName}: ${v.receipt.message}`;
    return { refused, decisions: [], alerts: [], shadow: [], errors: [], held: null };
  }
  const checked = events(v, 'checked', comp.CheckedEvent);
  return {
    refused: null,
    decisions: checked.length === 1 && checked[0]!.rules.join() === RULES.map(id).join() ? [...checked[0]!.decisions] : [-1, checked.length],
    alerts: events(v, 'alert', comp.AlertEvent).map((a) => a.rule),
    shadow: events(v, 'shadow_decision', comp.ShadowDecisionEvent).map((s) => s.decision),
    errors: events(v, 'rule_error', comp.RuleErrorEvent).map((e) => e.rule),
    held: events(v, 'held', comp.HeldEvent)[0]?.rule ?? null,
  };
}

// ---- sending ----------------------------------------------------------------------------

const nonces = new Map<string, number>();
async function nextNonce(who: { address: string }): Promise<number> {
  const n = nonces.get(who.address) ?? (await clients[0]!.getAccount(who.address)).nonce;
  nonces.set(who.address, n + 1);
  return n;
}

async function txOf(who: { address: string; keys: KeyPair }, module: string, method: string, args: unknown): Promise<Tx> {
  const h = await net.height(0);
  return buildTx({ chainId: m.chain_id, keys: [who.keys], nonce: await nextNonce(who), expiry: h + 500 }, module, method, args);
}
const payTx = (p: Payment) => txOf(customers[p.from]!, 'money', 'transfer', { currency: CUR, to: raw(customers[p.to]!.address), amount: p.amount, memo: '', reference: '' });

/** Submit every transaction at once, the k-th through node via[k mod via.length], and wait for each to be in a block. */
async function submitAll(txs: Tx[], via: number[]): Promise<SubmitView[]> {
  return Promise.all(txs.map(async (tx, k) => {
    const node = via[k % via.length]!;
    const c = clients[node]!;
    const r = await c.sendTransaction(tx, true).catch((e: Error) => {
      throw new Error(`node ${node}: submitting transaction ${k}: ${e.message} (${String((e.cause as Error | undefined)?.message ?? '')})`);
    });
    if (r.status !== 'pending') return r;
    let found: SubmitView | null = null;
    await waitFor(async () => {
      const v = await c.getTransaction(r.hash).catch(() => null);
      if (v !== null) found = { hash: r.hash, status: v.receipt.status === 'ok' ? 'committed' : 'failed', height: v.height, code: v.receipt.code, message: v.receipt.message };
      return v !== null;
    }, `transaction ${k} (${r.hash}) in a block`, 60_000, 250);
    return found!;
  }));
}

/** Send the payments (the k-th through node via[k mod via.length]) and check each outcome against the model. */
async function pay(tt: Test, what: string, payments: Payment[], via: number[]): Promise<number> {
  const expected = payments.map(predict);
  const txs: Tx[] = [];
  for (const p of payments) txs.push(await payTx(p));
  const sent = await submitAll(txs, via);
  const last = Math.max(...sent.map((s) => s.height ?? 0));
  // Each was committed on the node it was sent through; node 0 may be a block behind.
  await net.waitHeight(0, last, 30_000);
  const views = await Promise.all(sent.map((s) => clients[0]!.getTransaction(s.hash)));
  tt.same(views.map(outcomeOf), expected, `${what}: each of ${payments.length} payments decided as the rules say`);
  return last;
}

async function ok(tt: Test, what: string, txs: Tx[], via: number[]): Promise<number> {
  const sent = await submitAll(txs, via);
  sent.forEach((r, k) => tt.equal(r.status, 'committed', `${what} ${k}${r.message ? `: ${r.message}` : ''}`));
  return Math.max(...sent.map((s) => s.height ?? 0));
}

// ---- what every node must agree on ------------------------------------------------------

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

/** The first few differences between node 0's answer and the others', as "what: node i differs". */
function differences(what: string, answers: unknown[], out: string[]): void {
  const a0 = JSON.stringify(answers[0]);
  answers.forEach((a, i) => {
    if (i > 0 && JSON.stringify(a) !== a0 && out.length < 10) out.push(`${what}: node ${ALL[i]} differs (${JSON.stringify(a).slice(0, 300)} / node 0 ${a0.slice(0, 300)})`);
  });
}

/**
 * Heights 1..top on every node: the block (hash, header, transactions, and the previous
 * height's certificate the block carries; each node's own certificate of the block may hold
 * other signatures), and each transaction with its receipt. Returns node 0's transactions.
 */
async function compareChain(tt: Test, top: number): Promise<TxView[]> {
  const diffs: string[] = [];
  const blocks = await inParallel(top, 8, async (k) => {
    const h = k + 1;
    const bs = await Promise.all(ALL.map((i) => clients[i]!.getBlock(h)));
    differences(`block ${h}`, bs.map((b: BlockView) => ({ hash: b.hash, header: b.header, txs: b.txs, lastCommit: b.lastCommit })), diffs);
    return bs[0]!;
  });
  const hashes = blocks.flatMap((b) => b.txs);
  const txs = await inParallel(hashes.length, 8, async (k) => {
    const vs = await Promise.all(ALL.map((i) => clients[i]!.getTransaction(hashes[k]!)));
    differences(`transaction ${hashes[k]} (height ${vs[0]!.height})`, vs, diffs);
    return vs[0]!;
  });
  tt.same(diffs, [], `all four nodes: the same ${top} blocks (hashes, state and results roots) and the same ${hashes.length} transactions with their receipts and events`);
  return txs;
}

interface Page<T> { items: T[]; next: string | null; height: number }
/** Every item of a comp query on node i, page by page (the answer's head height left out: it moves on). */
async function all(i: number, method: string, q: Record<string, unknown>): Promise<unknown[]> {
  const items: unknown[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const r = await regulators[i]!.call<Page<unknown>>(method, { ...q, limit: 7, ...(cursor ? { cursor } : {}) });
    items.push(...r.items);
    if (r.next === null) return items;
    cursor = r.next;
  }
  throw new Error(`${method}: too many pages`);
}

/** The comp queries' answers of node i. */
async function compAnswers(i: number): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  out.rules = (await clients[i]!.call<{ rules: unknown[] }>('comp_rules', {})).rules;
  for (const r of RULES) out[`alerts of rule ${id(r)}`] = await all(i, 'comp_alerts', { by: 'rule', rule: id(r) });
  for (const c of [...customers, bank]) out[`alerts of ${c.name}`] = await all(i, 'comp_alerts', { by: 'account', account: c.address, order: 'desc' });
  out['alerts of the bank'] = await all(i, 'comp_alerts', { by: 'institution', institution: bank.address });
  out.holds = await all(i, 'comp_holds', {});
  out['holds of the bank'] = await all(i, 'comp_holds', { institution: bank.address });
  out['holds held'] = await all(i, 'comp_holds', { status: 'held' });
  return out;
}

/** comp's state records at height h on node i: the rules in force, each hold, each customer's activity. */
async function compRecords(i: number, h: number, holds: number): Promise<unknown[]> {
  const qs: Record<string, unknown>[] = [{ kind: 'comp_in_force' }, { kind: 'comp_hold_seq' }];
  for (let k = 1; k <= holds; k++) qs.push({ kind: 'comp_hold', id: k });
  for (const c of customers) qs.push({ kind: 'comp_activity', address: c.address });
  return Promise.all(qs.map((q) => clients[i]!.getRecord(q as never, { height: h })));
}

/** Everything compared across the nodes; returns node 0's transactions and comp answers. */
async function compareAll(tt: Test, lastHeight: number): Promise<{ txs: TxView[]; answers: Record<string, unknown> }> {
  const top = await settle(lastHeight);
  const txs = await compareChain(tt, top);
  const answers = await Promise.all(ALL.map(compAnswers));
  const diffs: string[] = [];
  for (const k of Object.keys(answers[0]!)) differences(k, answers.map((a) => a[k]), diffs);
  tt.same(diffs, [], 'comp_rules, comp_alerts and comp_holds answer the same on every node');
  const holds = (answers[0]!.holds as unknown[]).length;
  const records = await Promise.all(ALL.map((i) => compRecords(i, top, holds)));
  const rdiffs: string[] = [];
  differences(`comp records at height ${top}`, records, rdiffs);
  tt.same(rdiffs, [], `comp's state records at height ${top} are the same on every node (${records[0]!.length} records)`);
  return { txs, answers: answers[0]! };
}

/** The comp queries list each alert and hold of the committed receipts once (none of a refused payment). */
function listsMatch(tt: Test, txs: TxView[], answers: Record<string, unknown>): void {
  const alerts = txs.flatMap((v) => events(v, 'alert', comp.AlertEvent));
  const byRule = RULES.reduce((k, r) => k + (answers[`alerts of rule ${id(r)}`] as unknown[]).length, 0);
  tt.equal(byRule, alerts.length, `comp_alerts lists the ${alerts.length} alerts of the receipts, by rule`);
  tt.equal((answers['alerts of the bank'] as unknown[]).length, alerts.length, 'and by bank (every customer is its)');
  const of = (c: { address: string }) => alerts.filter((a) => toHex(a.from) === toHex(raw(c.address)) || toHex(a.to) === toHex(raw(c.address))).length;
  tt.same(customers.map((c) => (answers[`alerts of ${c.name}`] as unknown[]).length), customers.map(of), 'and by account, payer or payee');
  tt.equal((answers.holds as unknown[]).length, txs.flatMap((v) => events(v, 'held', comp.HeldEvent)).length, 'comp_holds lists every hold');
}

/** How many of each decision the committed transactions show. */
function tally(txs: TxView[]): Record<string, number> {
  const n: Record<string, number> = { refused: 0, checked: 0, alert: 0, held: 0, shadow_decision: 0, rule_error: 0, hold_released: 0, hold_refused: 0 };
  for (const v of txs) {
    if (v.receipt.codeName === 'COMPLIANCE_REFUSED') n.refused!++;
    for (const e of v.receipt.events) if (e.module === 'comp' && e.name in n) n[e.name]!++;
  }
  return n;
}

interface HoldItem { id: number; status: string; amount: string }

// ---- the tests --------------------------------------------------------------------------

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

t.test('every node decides a mixed workload the same way', async (tt) => {
  // The council grants the regulator role; the central bank lists customer-6 and registers the rules, in force a few
  // blocks on (time enough for all nine to be committed first: a rule registered past its activation height is refused).
  const h0 = await net.height(0);
  const activation = h0 + 20;
  const setup: Tx[] = [
    await txOf(cb, 'gov', 'propose', { action: makeAction(ActionKind.GRANT_ROLE, { institution: raw(cb.address), role: gov.Role.REGULATOR }), reason: 'the central bank supervises' }),
    await txOf(cb, 'comp', 'update_list', { list: 'sanctions', add: [toHex(raw(customers[SANCTIONED]!.address))], remove: [], legalRef: 'UN 1267' }),
  ];
  for (const r of RULES) {
    setup.push(await txOf(cb, 'comp', 'register_rule', {
      name: r.name, version: 1, source: r.source, scope: { currencies: [CUR], types: [], institutions: [] }, action: r.action, severity: r.severity, activation, shadow: r.shadow, legalRef: 'AML Act s.5',
    }));
  }
  await ok(tt, 'setup transaction', setup, ALL);
  await settle(activation);
  lap('rules in force');

  // Phase 1, through the four nodes in turn. Per payer the order is its nonces, so the outcomes do not depend on how the payers interleave.
  const c = (from: number, to: number, amount: bigint): Payment => ({ from: from - 1, to: to - 1, amount });
  const phase1: Payment[] = [
    // customer-1: six small payments, the fifth and sixth after four in the hour (velocity).
    c(1, 2, 2000n), c(1, 3, 2100n), c(1, 4, 2200n), c(1, 5, 2300n), c(1, 2, 2400n), c(1, 3, 2500n),
    // customer-2: a large amount (refused), a held one, enough for velocity, then to the listed customer-6: velocity
    // holds too, but the refusal wins, and the alert goes with the reverted payment.
    c(2, 3, 25_000_000n), c(2, 1, 8_000_000n), c(2, 4, 3000n), c(2, 5, 3100n), c(2, 1, 3200n), c(2, 3, 3300n), c(2, 6, 4000n),
    // customer-3: to the list (refused), held, the amount that divides by zero (a rule error), large (refused).
    c(3, 6, 10_000n), c(3, 4, 6_000_000n), c(3, 1, 777n), c(3, 2, 30_000_000n),
    // customer-4: held, then small.
    c(4, 5, 5_500_000n), c(4, 1, 4000n),
    // customer-5 pays customer-3 15,000.00 and more in a day (sumPair), then a fifth payment (velocity too).
    c(5, 3, 1_000_000n), c(5, 3, 1_000_000n), c(5, 3, 100_000n), c(5, 3, 200_000n), c(5, 3, 300n),
    // customer-6 may pay; it may not be paid.
    c(6, 1, 5000n), c(6, 2, 5100n),
  ];
  let last = await pay(tt, 'phase 1', phase1, ALL);
  lap('phase 1 committed');

  // The regulator releases the first hold; the commercial bank refuses the second (through other nodes).
  const holds = (await all(0, 'comp_holds', {})) as HoldItem[];
  tt.same(holds.map((h) => [h.status, h.amount].join(' ')).sort(), ['held 5500000', 'held 6000000', 'held 8000000'], 'three payments held');
  last = Math.max(last, await ok(tt, 'hold decision', [
    await txOf(cb, 'comp', 'release_hold', { id: holds[0]!.id, reason: 'checked the invoice' }),
    await txOf(bank, 'comp', 'refuse_hold', { id: holds[1]!.id, reason: 'no source of funds' }),
  ], [1, 2]));

  const { txs, answers } = await compareAll(tt, last);
  lap('phase 1 compared');
  const n = tally(txs);
  tt.comment(`decisions in ${txs.length} transactions: ${JSON.stringify(n)}`);
  for (const k of Object.keys(n)) tt.ok(n[k]! > 0, `the workload produced ${k}`);
  listsMatch(tt, txs, answers);
  tt.same((answers.rules as { id: string; status: string }[]).map((r) => `${r.id} ${r.status}`), RULES.map((r) => `${id(r)} ${r.shadow ? 'shadow' : 'active'}`), 'the rules in force, in the order they run');
  tt.same((answers.holds as HoldItem[]).map((h) => h.status), ['released', 'refused', 'held'], 'one hold released, one refused, one still held');
  tt.ok((answers['alerts of rule velocity@1'] as unknown[]).length >= 3 && (answers['alerts of rule pair@1'] as unknown[]).length >= 3, 'velocity and pair alerts listed');
  tt.same(exits, [], 'no node exited');
});

t.test('a validator killed and restarted answers the same for every height', async (tt) => {
  killing.add(3);
  await net.kill(3);
  killing.delete(3);
  lap('node 3 killed');
  const c = (from: number, to: number, amount: bigint): Payment => ({ from: from - 1, to: to - 1, amount });
  // Phase 2a, without node 3: it must take these blocks from its peers.
  let last = await pay(tt, 'phase 2a (node 3 down)', [
    c(1, 2, 1500n), c(1, 6, 1600n), c(5, 3, 5000n), c(2, 4, 9_000_000n), c(3, 1, 777n), c(6, 2, 21_000_000n),
  ], [0, 1, 2]);
  net.start(3);
  watch(3);
  await net.waitHeight(3, last, 90_000);
  lap('node 3 restarted and caught up');

  // Phase 2b, with node 3 back, half of it through node 3; the hold decisions too.
  last = Math.max(last, await pay(tt, 'phase 2b (node 3 back)', [
    c(4, 2, 7000n), c(6, 3, 6_000_000n), c(4, 2, 8000n), c(1, 5, 1_200_000n), c(4, 3, 9000n), c(5, 6, 100n),
  ], [3, 0, 3, 1]));
  await net.waitHeight(3, last, 30_000);
  const held = ((await all(3, 'comp_holds', { status: 'held' })) as HoldItem[]).sort((a, b) => a.id - b.id);
  tt.same(held.slice(1).map((h) => h.amount), ['9000000', '6000000'], "node 3 lists the holds still held: phase 1's third and phase 2's two");
  tt.equal(held.length, 3, 'three held');
  last = Math.max(last, await ok(tt, 'hold decision through node 3', [
    await txOf(cb, 'comp', 'release_hold', { id: held[0]!.id, reason: 'cleared' }),
    await txOf(bank, 'comp', 'refuse_hold', { id: held[1]!.id, reason: 'refused by the bank' }),
  ], [3]));

  const { txs, answers } = await compareAll(tt, last);
  lap('phase 2 compared');
  const n = tally(txs);
  tt.comment(`decisions in ${txs.length} transactions: ${JSON.stringify(n)}`);
  listsMatch(tt, txs, answers);
  tt.same((answers.holds as HoldItem[]).map((h) => h.status), ['released', 'refused', 'released', 'refused', 'held'], 'the holds as decided');
  // Node 3 signs blocks again.
  const me = toHex(raw((m.nodes[3] as unknown as { validator_address: string }).validator_address));
  await waitFor(async () => {
    const b = await clients[0]!.getBlock(await net.height(0));
    return (b.commit?.signatures ?? []).some((s) => s.validator.replace(/^0x/, '') === me);
  }, 'the restarted validator signing commits again', 60_000, 200);
  tt.pass('the restarted validator votes again');
  tt.same(exits, [], 'no node exited but the one killed');
});
