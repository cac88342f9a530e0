/**
 * The Regulatory OS queries end to end on a real node (in this process): governance grants
 * the central bank the regulator role; it registers a flag rule and a hold rule; payments
 * between customers trigger them; comp_alerts lists each alert once, in order, across pages,
 * by account (payer or payee), by rule and by bank, in a time range; comp_holds lists the
 * holds by bank and status; comp_rules lists the rules in force. Alerts and holds answer only
 * an API key with the regulator role.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAddress } from '../../core/index.js';
import { ActionKind, hashSecret, makeAction, RpcCallError, RpcCodes, SovClient } from '../../rpc/index.js';
import { comp, gov } from '../../vm/index.js';
import { waitFor } from '../../test/index.js';
import { inProcessChain } from './in-process-chain.js';

const REGULATOR_SECRET = 'sov_comp-rpc-regulator-secret';
const BANK_SECRET = 'sov_comp-rpc-bank-secret';

// API keys: one with the regulator role, one with the bank role (read when the node starts).
const chain = inProcessChain(t, (net) => {
  writeFileSync(join(net.manifest.nodes[0]!.home, 'rpc-keys.toml'), [
    `[[key]]\nname = "regulator"\nsha256 = "${hashSecret(REGULATOR_SECRET)}"\nroles = ["regulator"]\n`,
    `[[key]]\nname = "bank"\nsha256 = "${hashSecret(BANK_SECRET)}"\nroles = ["bank"]\n`,
  ].join('\n'));
  net.setConfig(0, 'rpc', 'api_keys_file', '"rpc-keys.toml"');
});
const { manifest: m, client, send } = chain;
const url = m.nodes[0]!.rpc_url;
const regulator = new SovClient(url, { apiKey: REGULATOR_SECRET });
const bankKey = new SovClient(url, { apiKey: BANK_SECRET });

const cb = chain.accounts['Central Bank']!;
const bank = chain.accounts['Commercial Bank']!;
const c1 = chain.accounts['customer-1']!;
const c2 = chain.accounts['customer-2']!;
const c3 = chain.accounts['customer-3']!;
const raw = (a: string) => decodeAddress(a, m.address_prefix);
const CUR = m.currency.code;

const ok = async (p: ReturnType<typeof send>, what: string) => {
  const r = await p;
  t.equal(r.status, 'committed', `${what}${r.message ? `: ${r.message}` : ''}`);
  return r;
};
const pay = (from: typeof c1, to: typeof c1, amount: bigint) => send(from, 'money', 'transfer', { currency: CUR, to: raw(to.address), amount, memo: '', reference: '' });

interface Alert { rule: string; severity: number; from: string; to: string; amount: string; currency: string; time: number; height: number; tx: { hash: string; index: number; event: number } }
interface Hold { id: number; from: string; to: string; amount: string; rule: string; fromBank: string | null; toBank: string | null; status: string; reason: string }
interface Page<T> { items: T[]; next: string | null; height: number }

/** The RPC error code a call fails with (null if it succeeds). */
async function codeOf(p: Promise<unknown>): Promise<number | null> {
  try {
    await p;
    return null;
  } catch (e) {
    if (e instanceof RpcCallError) return e.rpcCode;
    throw e;
  }
}

/** Every item of a query, page by page. */
async function all<T>(method: string, q: Record<string, unknown>, c: SovClient = regulator): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let pages = 1; pages < 100; pages++) {
    const r = await c.call<Page<T>>(method, { ...q, ...(cursor ? { cursor } : {}) });
    items.push(...r.items);
    if (r.next === null) return { items, pages };
    cursor = r.next;
  }
  throw new Error('too many pages');
}

t.test('alerts, holds and rules through the comp queries; the regulator role gates them', async (tt) => {
  await ok(send(cb, 'gov', 'propose', { action: makeAction(ActionKind.GRANT_ROLE, { institution: raw(cb.address), role: gov.Role.REGULATOR }), reason: 'the central bank supervises' }), 'the council grants the central bank the regulator role');
  const h0 = (await client.status()).height;
  // Far enough ahead for both registrations to land first, however busy the machine (50 ms blocks).
  const activation = h0 + 40;
  const rule = (name: string, source: string, action: number, severity: number) => ({
    name, version: 1, source, scope: { currencies: [CUR], types: [], institutions: [] }, action, severity, activation, shadow: false, legalRef: 'AML Act s.5',
  });
  await ok(send(cb, 'comp', 'register_rule', rule('large', 'tx.amount >= 100000', comp.RuleAction.FLAG, 2)), 'a flag rule');
  await ok(send(cb, 'comp', 'register_rule', rule('review', 'tx.amount >= 5000000', comp.RuleAction.HOLD, 3)), 'a hold rule');
  await waitFor(async () => (await client.status()).height >= activation, 'the rules active', 30_000);

  // Flagged: c1 -> c2 three times, c2 -> c3 twice; below the threshold: c3 -> c1; held (and flagged): c1 -> c3 twice.
  const flagged: [typeof c1, typeof c1, bigint][] = [[c1, c2, 100_000n], [c1, c2, 200_000n], [c2, c3, 300_000n], [c1, c2, 400_000n], [c2, c3, 500_000n]];
  const heights: number[] = [];
  for (const [f, to, a] of flagged) heights.push((await ok(pay(f, to, a), `a flagged payment of ${a}`)).height!);
  await ok(pay(c3, c1, 99_999n), 'a payment below the threshold');
  const held1 = await ok(pay(c1, c3, 6_000_000n), 'a held payment');
  await ok(pay(c1, c3, 7_000_000n), 'another held payment');

  // The role gate: the public and a bank key are refused.
  for (const [c, who] of [[client, 'the public'], [bankKey, 'a bank key']] as const) {
    for (const method of ['comp_alerts', 'comp_holds']) {
      tt.equal(await codeOf(c.call(method, method === 'comp_alerts' ? { by: 'account', account: c1.address } : {})), RpcCodes.UNAUTHORIZED, `${method} refuses ${who}`);
    }
  }

  // By account: c1 is payer or payee of three flagged payments and both held ones (hold rule 'review' does not flag).
  const byC1 = await all<Alert>('comp_alerts', { by: 'account', account: c1.address, limit: 2 });
  tt.same(byC1.items.map((a) => a.amount), ['100000', '200000', '400000', '6000000', '7000000'], "c1's alerts in order, once each");
  tt.equal(byC1.pages, 3, 'in pages of 2');
  const first = byC1.items[0]!;
  tt.same([first.rule, first.severity, first.from, first.to, first.currency, first.height], ['large@1', 2, c1.address, c2.address, CUR, heights[0]]);
  const tx = await client.call<{ hash: string; height: number; index: number; receipt: { events: { module: string; name: string }[] } }>('sov_getTransaction', [first.tx.hash]);
  tt.same([tx.height, tx.index], [first.height, first.tx.index], "the alert's transaction");
  tt.same([tx.receipt.events[first.tx.event]?.module, tx.receipt.events[first.tx.event]?.name], ['comp', 'alert'], 'the event it names is the alert');
  const blk = await client.call<{ header: { time: number } }>('sov_getBlock', [first.height]);
  tt.equal(first.time, blk.header.time, 'the block time');
  const byC3 = await all<Alert>('comp_alerts', { by: 'account', account: c3.address });
  tt.same(byC3.items.map((a) => a.amount), ['300000', '500000', '6000000', '7000000'], "c3's alerts, as payee");
  tt.same((await all<Alert>('comp_alerts', { by: 'account', account: c1.address, order: 'desc' })).items.map((a) => a.amount), ['7000000', '6000000', '400000', '200000', '100000'], 'newest first');

  // By rule, with a time range.
  const byRule = await all<Alert>('comp_alerts', { by: 'rule', rule: 'large@1', limit: 3 });
  tt.equal(byRule.items.length, 7, 'every alert of the rule');
  tt.equal(byRule.pages, 3);
  tt.same((await all<Alert>('comp_alerts', { by: 'rule', rule: 'review@1' })).items, [], 'a hold rule raises no alert');
  const mid = byRule.items[2]!.time;
  const ranged = (await all<Alert>('comp_alerts', { by: 'rule', rule: 'large@1', from: mid, to: mid })).items;
  tt.ok(ranged.length >= 1 && ranged.every((a) => a.time === mid), 'a time range, both ends inclusive');
  tt.ok(ranged.some((a) => a.amount === '300000'));
  tt.same((await all<Alert>('comp_alerts', { by: 'rule', rule: 'large@1', from: byRule.items[6]!.time + 1 })).items, [], 'after the last');

  // By bank: every customer is the commercial bank's; each alert once, though both parties are its customers.
  const byBank = await all<Alert>('comp_alerts', { by: 'institution', institution: bank.address, limit: 4 });
  tt.same(byBank.items.map((a) => a.amount), byRule.items.map((a) => a.amount), "the bank's customers' alerts, once each");
  tt.same((await all<Alert>('comp_alerts', { by: 'institution', institution: cb.address })).items, [], 'none for the central bank');
  tt.equal(await codeOf(regulator.call('comp_alerts', { by: 'rule' })), RpcCodes.INVALID_PARAMS, 'by rule needs a rule');
  tt.equal(await codeOf(regulator.call('comp_alerts', { by: 'account', account: c1.address, cursor: 'junk' })), RpcCodes.INVALID_PARAMS, 'a broken cursor');

  // Holds: by bank and status, and all by id; then one released.
  const holds = await all<Hold>('comp_holds', { institution: bank.address, limit: 1 });
  tt.same(holds.items.map((h) => [h.id, h.amount, h.rule, h.status, h.from, h.to, h.fromBank, h.toBank]), [
    [1, '6000000', 'review@1', 'held', c1.address, c3.address, bank.address, bank.address],
    [2, '7000000', 'review@1', 'held', c1.address, c3.address, bank.address, bank.address],
  ], "the bank's holds, once each");
  tt.equal(holds.pages, 2, 'in pages of 1');
  tt.ok(held1.height, 'held at a height');
  await ok(send(cb, 'comp', 'release_hold', { id: 1, reason: 'checked the invoice' }), 'the regulator releases hold 1');
  tt.same((await all<Hold>('comp_holds', { institution: bank.address, status: 'held' })).items.map((h) => h.id), [2], 'still held');
  const released = (await all<Hold>('comp_holds', { institution: bank.address, status: 'released' })).items;
  tt.same(released.map((h) => [h.id, h.reason]), [[1, 'checked the invoice']], 'released, with the reason');
  tt.same((await all<Hold>('comp_holds', { limit: 1 })).items.map((h) => [h.id, h.status]), [[1, 'released'], [2, 'held']], 'every hold by id');
  tt.same((await all<Hold>('comp_holds', { status: 'refused' })).items, [], 'none refused');
  tt.same((await all<Hold>('comp_holds', { institution: cb.address })).items, [], 'none for the central bank');

  // The rules in force: public.
  const rules = await client.call<{ rules: { id: string; source: string; scope: { currencies: string[] }; action: string; status: string; severity: number; activation: number; registeredBy: string }[] }>('comp_rules', {});
  tt.same(rules.rules.map((r) => [r.id, r.source, r.scope.currencies, r.action, r.status, r.severity, r.activation, r.registeredBy]), [
    ['large@1', 'tx.amount >= 100000', [CUR], 'flag', 'active', 2, activation, cb.address],
    ['review@1', 'tx.amount >= 5000000', [CUR], 'hold', 'active', 3, activation, cb.address],
  ], 'the rules in force, in the order they run');
});
