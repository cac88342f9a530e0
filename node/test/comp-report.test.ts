/**
 * Monitoring and reporting of the Regulatory OS end to end on a real node (in this process):
 * the `alerts` subscription delivers each compliance alert and hold once, in order, replayed
 * from a past height and then live, with its filters (institution, account, rule); it and
 * `events` of module comp refuse the public and a bank's key for another institution.
 * comp_report's figures equal the payments the test sent over two UTC days: counts, values
 * per currency and side, alerts by rule and severity, holds released, refused and still
 * held. A bank's key bound to its institution reads its own report and alerts and is
 * refused another's.
 *
 * The node's clock: Date.now is shifted (before the node starts) so that the chain runs ten
 * minutes before a UTC midnight, and shifted forward past it between the two days, so the
 * payments fall in two calendar days. Block time is the proposer's Date.now (node/chain/app.ts).
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAddress } from '../../core/index.js';
import { ActionKind, hashSecret, makeAction, RpcCallError, RpcCodes, SovClient, SovSocket, type Notification } from '../../rpc/index.js';
import { comp, gov } from '../../vm/index.js';
import { waitFor } from '../../test/index.js';
import { ConfigError } from '../ops/config.js';
import { apiKeyEntry, parseApiKeys } from '../ops/rpc-keys.js';
import { inProcessChain, type Account } from './in-process-chain.js';

const DAY = 86_400_000;
const realNow = Date.now;
let shift = 0;
Date.now = () => realNow() + shift;
const nextMidnight = (): number => Math.floor(Date.now() / DAY) * DAY + DAY;
/** Move the clock forward to `at`. */
const moveTo = (at: number): void => {
  if (at > Date.now()) shift += at - Date.now();
};
t.teardown(() => {
  Date.now = realNow;
});
// Ten minutes before a midnight (the next but one if the next is too close).
moveTo(nextMidnight() - 10 * 60_000 < realNow() + 60_000 ? nextMidnight() + DAY - 10 * 60_000 : nextMidnight() - 10 * 60_000);

const REGULATOR = 'sov_comp-report-regulator';
const BANK = 'sov_comp-report-bank';
const OTHER_BANK = 'sov_comp-report-other-bank';
const UNBOUND_BANK = 'sov_comp-report-unbound-bank';

const chain = inProcessChain(t, (net) => {
  const addr = (name: string): string => net.manifest.accounts.find((a) => a.name === name)!.address;
  const key = (name: string, secret: string, roles: string, institution?: string): string =>
    `[[key]]\nname = "${name}"\nsha256 = "${hashSecret(secret)}"\nroles = ${roles}\n${institution ? `institution = "${institution}"\n` : ''}`;
  writeFileSync(join(net.manifest.nodes[0]!.home, 'rpc-keys.toml'), [
    key('regulator', REGULATOR, '["regulator"]'),
    key('commercial-bank', BANK, '["bank"]', addr('Commercial Bank')),
    key('central-bank-as-bank', OTHER_BANK, '["bank"]', addr('Central Bank')),
    key('unbound-bank', UNBOUND_BANK, '["bank"]'),
  ].join('\n'));
  net.setConfig(0, 'rpc', 'api_keys_file', '"rpc-keys.toml"');
});
const { manifest: m, client, send } = chain;
const url = m.nodes[0]!.rpc_url;
const regulator = new SovClient(url, { apiKey: REGULATOR });
const bankKey = new SovClient(url, { apiKey: BANK });
const otherBankKey = new SovClient(url, { apiKey: OTHER_BANK });
const unboundBankKey = new SovClient(url, { apiKey: UNBOUND_BANK });

const cb = chain.accounts['Central Bank']!;
const bank = chain.accounts['Commercial Bank']!;
const tax = chain.accounts['Tax Office']!;
const welfare = chain.accounts['Welfare Agency']!;
const c1 = chain.accounts['customer-1']!;
const c2 = chain.accounts['customer-2']!;
const c3 = chain.accounts['customer-3']!;
const raw = (a: string) => decodeAddress(a, m.address_prefix);
const DEV = m.currency.code;
const XDEV = 'XDEV';

const ok = async (p: ReturnType<typeof send>, what: string) => {
  const r = await p;
  t.equal(r.status, 'committed', `${what}${r.message ? `: ${r.message}` : ''}`);
  return r;
};
const pay = (from: Account, to: Account, amount: bigint, currency = DEV) => ok(send(from, 'money', 'transfer', { currency, to: raw(to.address), amount, memo: '', reference: '' }), `${from.name} pays ${to.name} ${amount} ${currency}`);
const propose = (action: ReturnType<typeof makeAction>, reason: string) => ok(send(cb, 'gov', 'propose', { action, reason }), reason);

/** The RPC error a call fails with (null if it succeeds). */
async function errorOf(p: Promise<unknown>): Promise<{ code: number; message: string } | null> {
  try {
    await p;
    return null;
  } catch (e) {
    if (e instanceof RpcCallError) return { code: e.rpcCode, message: e.message };
    throw e;
  }
}

interface Alert { rule: string; severity: number; from: string; to: string; amount: string; currency: string; time: number; height: number; tx: { hash: string; index: number; event: number } }
interface Held { id: number; rule: string; from: string; to: string; amount: string; currency: string; time: number; height: number; tx: { hash: string; index: number; event: number } }
interface AlertBlock { height: number; blockHash: string; time: number; alerts: Alert[]; holds: Held[] }
interface Tally { count: number; value: string }
interface Period {
  start: number; end: number;
  payments: { count: number; currencies: { currency: string; paying: Tally; paid: Tally; both: Tally }[] };
  alerts: { count: number; byRule: { rule: string; count: number }[]; bySeverity: { severity: number; count: number }[] };
  holds: { opened: number; released: number; refused: number; held: number };
}
interface Report { institution: string; from: number; to: number; period: string; height: number; periods: Period[] }

/** A subscription to `alerts` and the blocks it delivered. */
async function follow(sock: SovSocket, filter: Record<string, string>, fromHeight: number): Promise<AlertBlock[]> {
  const got: AlertBlock[] = [];
  // SovSocket.subscribe's types name the first three topics; the call passes any through.
  await sock.subscribe('alerts' as 'events', { ...filter, fromHeight }, (n: Notification) => got.push(n.result as AlertBlock));
  return got;
}

const NONE = { count: 0, value: '0' };
const tally = (count: number, value: bigint): Tally => ({ count, value: value.toString() });

t.test('the alerts stream and the periodic reports', async (tt) => {
  // Set up without rules (nothing is indexed yet): the regulator role, a second currency in c1's hands.
  await propose(makeAction(ActionKind.GRANT_ROLE, { institution: raw(cb.address), role: gov.Role.REGULATOR }), 'the council grants the central bank the regulator role');
  const tier = { holdingLimit: null, perTxLimit: null, dailyLimit: null, annualLimit: null };
  await propose(makeAction(ActionKind.REGISTER_CURRENCY, { code: XDEV, decimals: 2, issuer: raw(cb.address), kind: 1, tiers: [tier, tier] }), 'a second currency');
  await ok(send(cb, 'money', 'mint', { currency: XDEV, to: raw(bank.address), amount: 10_000_000n, reference: '' }), 'minted to the bank');
  await pay(bank, c1, 6_000_000n, XDEV);

  const h0 = (await client.status()).height;
  const rule = (name: string, source: string, action: number, severity: number) => ({
    name, version: 1, source, scope: { currencies: [], types: [], institutions: [] }, action, severity, activation: h0 + 40, shadow: false, legalRef: 'AML Act s.5',
  });
  await ok(send(cb, 'comp', 'register_rule', rule('large', 'tx.amount >= 100000', comp.RuleAction.FLAG, 2)), 'a flag rule');
  await ok(send(cb, 'comp', 'register_rule', rule('huge', 'tx.amount >= 1000000', comp.RuleAction.FLAG, 4)), 'a second flag rule');
  await ok(send(cb, 'comp', 'register_rule', rule('review', 'tx.amount >= 5000000', comp.RuleAction.HOLD, 3)), 'a hold rule');
  await waitFor(async () => (await client.status()).height >= h0 + 40, 'the rules active', 30_000);
  const from = (await client.status()).height + 1;
  const firstTime = (await client.status()).time!;

  // Day 1. The rules run in order of name: huge, large, review.
  await pay(c1, c2, 150_000n); //                       bank both;         large
  await pay(c1, tax, 2_000_000n); //                    bank paying, tax paid; huge, large
  await pay(c1, c2, 50_000n, XDEV); //                  bank both
  await pay(c1, c3, 6_000_000n); //                     bank both;         huge, large; held: hold 1
  await pay(c3, c1, 99n); //                            bank both
  await pay(c1, c2, 5_000_000n, XDEV); //               bank both;         huge, large; held: hold 2
  await ok(send(cb, 'comp', 'refuse_hold', { id: 2, reason: 'no invoice' }), 'hold 2 refused');
  const day1 = Math.floor((await client.status()).time! / DAY) * DAY;
  tt.equal(Math.floor(firstTime / DAY) * DAY, day1, 'day 1 within one UTC day');

  // Subscriptions from a past height: day 1 is replayed from the store, day 2 arrives live.
  const reg = await SovSocket.connect(url, { apiKey: REGULATOR });
  const bankSock = await SovSocket.connect(url, { apiKey: BANK });
  const all = await follow(reg, {}, from);
  const ofC2 = await follow(reg, { account: c2.address }, from);
  const ofHuge = await follow(reg, { rule: 'huge@1' }, from);
  const ofTax = await follow(reg, { institution: tax.address }, from);
  const ofBank = await follow(bankSock, { institution: bank.address }, from);
  await waitFor(() => all.length >= 4, 'day 1 replayed', 20_000);

  // Day 2, after midnight.
  moveTo(nextMidnight() + 1000);
  await waitFor(async () => (await client.status()).time! >= day1 + DAY, 'a block of day 2', 20_000);
  await pay(tax, c2, 500_000n); //                      bank paid, tax paying; large
  await pay(c2, c1, 40_000n, XDEV); //                  bank both
  await pay(c3, c2, 7_000_000n); //                     bank both;         huge, large; held: hold 3
  await ok(send(cb, 'comp', 'release_hold', { id: 1, reason: 'checked the invoice' }), 'hold 1 released');
  await pay(tax, welfare, 100_000n); //                 tax paying, welfare paid; large
  const to = (await client.status()).time!;

  // Every alert and hold once, in order; each filter picks its own.
  const sig = (b: AlertBlock[]) => b.flatMap((x) => [...x.alerts.map((a) => `${a.rule} ${a.amount}`), ...x.holds.map((h) => `hold ${h.id} ${h.amount}`)]);
  const expectAll = [
    'large@1 150000', 'huge@1 2000000', 'large@1 2000000', 'huge@1 6000000', 'large@1 6000000', 'hold 1 6000000', 'huge@1 5000000', 'large@1 5000000', 'hold 2 5000000',
    'large@1 500000', 'huge@1 7000000', 'large@1 7000000', 'hold 3 7000000', 'large@1 100000',
  ];
  await waitFor(() => sig(all).length >= expectAll.length && sig(ofBank).length >= expectAll.length - 1, 'the stream to catch up', 20_000);
  await new Promise((r) => setTimeout(r, 300)); // anything extra would show
  tt.same(sig(all), expectAll, 'every alert and hold, in order, once');
  const heights = all.map((b) => b.height);
  tt.ok(heights.every((h, i) => i === 0 || h > heights[i - 1]!), 'one notification per block, in height order');
  tt.equal(new Set(all.flatMap((b) => b.alerts.map((a) => `${a.tx.hash}:${a.tx.event}`))).size, 11, 'no alert twice');
  tt.same(sig(ofC2), ['large@1 150000', 'huge@1 5000000', 'large@1 5000000', 'hold 2 5000000', 'large@1 500000', 'huge@1 7000000', 'large@1 7000000', 'hold 3 7000000'], 'filter account: payer or payee');
  tt.same(sig(ofHuge), ['huge@1 2000000', 'huge@1 6000000', 'huge@1 5000000', 'huge@1 7000000'], 'filter rule');
  tt.same(sig(ofTax), ['huge@1 2000000', 'large@1 2000000', 'large@1 500000', 'large@1 100000'], 'filter institution: either party its customer');
  tt.same(sig(ofBank), expectAll.slice(0, -1), "a bank's key follows its own institution");
  const held1 = all.flatMap((b) => b.holds).find((h) => h.id === 1)!;
  tt.same([held1.rule, held1.from, held1.to, held1.currency], ['review@1', c1.address, c3.address, DEV], 'a hold as its held event');
  // The stream's alerts are comp_alerts' items.
  const byInst = await regulator.call<{ items: Alert[] }>('comp_alerts', { by: 'institution', institution: bank.address });
  tt.same(ofBank.flatMap((b) => b.alerts), byInst.items, 'the same alerts as comp_alerts, field for field');
  await Promise.all([reg.close(), bankSock.close()]);

  // Who may follow alerts: the regulator; a bank's key for its own institution only.
  const pub = await SovSocket.connect(url);
  const other = await SovSocket.connect(url, { apiKey: OTHER_BANK });
  const sub = (s: SovSocket, topic: string, filter: Record<string, string>) => errorOf(s.subscribe(topic as 'events', filter, () => undefined));
  tt.equal((await sub(pub, 'alerts', {}))?.code, RpcCodes.UNAUTHORIZED, 'the public may not follow alerts');
  tt.equal((await sub(pub, 'events', { module: 'comp' }))?.code, RpcCodes.UNAUTHORIZED, 'nor comp events');
  tt.match((await sub(pub, 'events', { module: 'comp' }))?.message, /regulator/, 'saying why');
  tt.equal(await sub(pub, 'events', { module: 'money' }), null, 'other events stay public');
  const wrong = await sub(other, 'alerts', { institution: bank.address });
  tt.equal(wrong?.code, RpcCodes.UNAUTHORIZED, "a bank's key for another institution is refused");
  tt.match(wrong?.message, /own institution only/, 'saying why');
  tt.equal((await sub(other, 'alerts', {}))?.code, RpcCodes.UNAUTHORIZED, 'and must name its own');
  tt.equal(await sub(other, 'alerts', { institution: cb.address }), null, 'its own institution it may follow');
  tt.equal((await sub(other, 'events', { module: 'comp' }))?.code, RpcCodes.UNAUTHORIZED, 'comp events are for the regulator');
  tt.equal((await sub(pub, 'alerts', { address: c1.address }))?.code, RpcCodes.INVALID_PARAMS, 'a filter the topic does not take');
  await Promise.all([pub.close(), other.close()]);

  // The reports, by day: what was sent.
  const q = { institution: bank.address, from: firstTime, to, period: 'day' };
  const r = await regulator.call<Report>('comp_report', q);
  tt.same(r.periods.map((p) => [p.start, p.end]), [[day1, day1 + DAY], [day1 + DAY, day1 + 2 * DAY]], 'two UTC days');
  tt.ok(r.height >= (await client.status()).height - 1, 'at the latest height');
  const [d1, d2] = r.periods as [Period, Period];
  tt.same(d1.payments, {
    count: 6,
    currencies: [
      { currency: DEV, paying: tally(1, 2_000_000n), paid: NONE, both: tally(3, 150_000n + 6_000_000n + 99n) },
      { currency: XDEV, paying: NONE, paid: NONE, both: tally(2, 5_050_000n) },
    ],
  }, 'day 1: payments per currency and side');
  tt.same(d1.alerts, { count: 7, byRule: [{ rule: 'huge@1', count: 3 }, { rule: 'large@1', count: 4 }], bySeverity: [{ severity: 2, count: 4 }, { severity: 4, count: 3 }] }, 'day 1: alerts');
  tt.same(d1.holds, { opened: 2, released: 1, refused: 1, held: 0 }, 'day 1: holds and their outcomes now');
  tt.same(d2.payments, {
    count: 3,
    currencies: [
      { currency: DEV, paying: NONE, paid: tally(1, 500_000n), both: tally(1, 7_000_000n) },
      { currency: XDEV, paying: NONE, paid: NONE, both: tally(1, 40_000n) },
    ],
  }, 'day 2');
  tt.same(d2.alerts, { count: 3, byRule: [{ rule: 'huge@1', count: 1 }, { rule: 'large@1', count: 2 }], bySeverity: [{ severity: 2, count: 2 }, { severity: 4, count: 1 }] });
  tt.same(d2.holds, { opened: 1, released: 0, refused: 0, held: 1 });

  const taxReport = await regulator.call<Report>('comp_report', { ...q, institution: tax.address });
  tt.same(taxReport.periods.map((p) => [p.payments, p.alerts.count]), [
    [{ count: 1, currencies: [{ currency: DEV, paying: NONE, paid: tally(1, 2_000_000n), both: NONE }] }, 2],
    [{ count: 2, currencies: [{ currency: DEV, paying: tally(2, 600_000n), paid: NONE, both: NONE }] }, 2],
  ], "the tax office's report");

  // Weeks (from Monday) and months (UTC calendar): the same totals.
  for (const period of ['week', 'month']) {
    const p = (await regulator.call<Report>('comp_report', { ...q, period })).periods;
    const starts = p.map((x) => new Date(x.start));
    tt.ok(starts.every((d) => (period === 'week' ? d.getUTCDay() === 1 : d.getUTCDate() === 1) && d.getUTCHours() === 0), `${period}s start on ${period === 'week' ? 'Monday' : 'the 1st'}, UTC`);
    tt.same([p.reduce((n, x) => n + x.payments.count, 0), p.reduce((n, x) => n + x.alerts.count, 0), p.reduce((n, x) => n + x.holds.opened, 0)], [9, 10, 3], `by ${period}: the same totals`);
  }

  // A bank's key bound to its institution reads its own report, and no other's.
  const mine = await bankKey.call<Report>('comp_report', q);
  tt.same({ ...mine, height: r.height }, r, "the bank's key reads its own report");
  const refused = await errorOf(bankKey.call('comp_report', { ...q, institution: tax.address }));
  tt.equal(refused?.code, RpcCodes.UNAUTHORIZED, 'and is refused another institution\'s');
  tt.match(refused?.message, new RegExp(`own institution only \\(${bank.address}\\)`), 'saying why');
  tt.equal((await errorOf(otherBankKey.call('comp_report', q)))?.code, RpcCodes.UNAUTHORIZED, "a bank's key for another institution is refused");
  tt.match((await errorOf(unboundBankKey.call('comp_report', q)))?.message, /bound to none/, 'a bank key bound to no institution is refused, saying why');
  tt.equal((await errorOf(client.call('comp_report', q)))?.code, RpcCodes.UNAUTHORIZED, 'the public is refused');
  tt.equal((await bankKey.call<{ items: Alert[] }>('comp_alerts', { by: 'institution', institution: bank.address })).items.length, 10, "the bank's key reads its own alerts");
  tt.equal((await errorOf(bankKey.call('comp_alerts', { by: 'account', account: c1.address })))?.code, RpcCodes.UNAUTHORIZED, 'by institution only');
  tt.equal((await bankKey.call<{ items: unknown[] }>('comp_holds', { institution: bank.address })).items.length, 3, 'and its own holds');
  tt.equal((await errorOf(bankKey.call('comp_holds', {})))?.code, RpcCodes.UNAUTHORIZED, 'not every hold');

  // Bounded work.
  const big = await errorOf(regulator.call('comp_report', { ...q, from: 0, to: 367 * DAY }));
  tt.equal(big?.code, RpcCodes.INVALID_PARAMS, 'a range over 366 days is refused');
  tt.match(big?.message, /at most 366 days/);
  tt.equal((await errorOf(regulator.call('comp_report', { ...q, from: to, to: firstTime })))?.code, RpcCodes.INVALID_PARAMS, 'from after to');
});

t.test("the keys file's institution: a bank's key bound to an address", async (tt) => {
  const sha256 = hashSecret('sov_x');
  const entry = apiKeyEntry({ name: 'b', sha256, roles: ['bank'], institution: bank.address });
  tt.same(parseApiKeys(entry)[0]!.institution, bank.address, 'written and read back');
  tt.equal(parseApiKeys(apiKeyEntry({ name: 'b', sha256, roles: ['bank'] }))[0]!.institution, undefined, 'optional');
  const problem = (text: string): string => {
    try {
      parseApiKeys(text);
      return '';
    } catch (e) {
      tt.type(e, ConfigError);
      return (e as Error).message;
    }
  };
  tt.match(problem(apiKeyEntry({ name: 'b', sha256, roles: ['bank'], institution: 'sov1nope' })), /institution must be an address/, 'not an address');
  tt.match(problem(apiKeyEntry({ name: 'b', sha256, roles: ['bank'], institution: bank.address.slice(0, -1) + (bank.address.endsWith('q') ? 'p' : 'q') })), /institution must be an address/, 'a bad checksum');
  tt.match(problem(apiKeyEntry({ name: 'r', sha256, roles: ['regulator'], institution: bank.address })), /with the bank role/, 'only on a bank key');
});
