/**
 * Taxes at the moment of payment (module tax): a tax authority registers rules; a taxed
 * transfer's receipt shows gross, tax and net and the balances move exactly (the payer
 * paying on top, or the payee withheld); payout items taxed by a payroll rule (base 1);
 * category filters; a rule activated at height h applies at h and not at h - 1; retirement;
 * only a tax authority (granted by governance) registers; the monthly totals in state; a
 * held payment's withheld tax; the calendar months; and a seeded property loop: supply is
 * the sum of balances and every taxed payment's parties and treasuries add up exactly.
 * (Exemptions by a real SD-JWT credential: node/test/tax-exemption.test.ts, which may use the
 * SDK.)
 */
import t from 'tap';
import { decode, type Infer, type KeyPair } from '../../core/index.js';
import { ActionKind, comp, gov, makeAction, money, Role, tax, VmCodes, type ProposalAction, type Receipt } from '../index.js';
import { Rng } from '../../test/index.js';
import { addr, Chain, failsWith, genesisDoc, key, K, ok, T0, UNIT, type Asserts } from './harness.js';

const TAXMAN = key('tax-office');
const TREASURY = addr(TAXMAN);
type RuleArgs = Infer<typeof tax.RegisterRuleArgs>;

/** The harness genesis with a Tax Office holding the tax_authority role (its account is the treasury). */
async function taxChain(params: { name: string; value: number }[] = []): Promise<Chain> {
  const base = genesisDoc();
  return Chain.create(genesisDoc({ params, institutions: [...base.institutions, { name: 'Tax Office', keys: [TAXMAN.publicKey], threshold: 1, roles: Role.TAX_AUTHORITY | Role.AGENCY }] }));
}

/** VAT: 15% on top of payments to `food` accounts (the shop), paid by the payer. */
function vat(c: Chain, over: Partial<RuleArgs> = {}): RuleArgs {
  return {
    name: 'VAT', currency: 'DCASH', rateBps: 1500, base: tax.TaxBase.PAYMENT, payer: tax.TaxPayer.PAYER, appliesTo: { types: [], payeeCategory: 'food', payerCategory: '' },
    treasury: TREASURY, exemptTypes: [], activationHeight: c.height + 2, legalRef: 'VAT Act s.1', ...over,
  };
}
const register = (c: Chain, args: RuleArgs, k: KeyPair = TAXMAN) => c.run(c.tx(k, 'tax', 'register_rule', tax.RegisterRuleArgs, args));
async function registered(tt: Asserts, c: Chain, args: RuleArgs): Promise<number> {
  const r = await register(c, args);
  ok(tt, r, `register ${args.name}`);
  while (c.height + 1 < args.activationHeight) await c.block([]);
  return decode(tax.RuleIdResult, r.result).id;
}
const pay = (c: Chain, from: KeyPair, to: KeyPair | Uint8Array, amount: bigint) =>
  c.tx(from, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: to instanceof Uint8Array ? to : addr(to), amount, memo: '', reference: '' });
const payout = (c: Chain, from: KeyPair, items: [KeyPair, bigint][]) =>
  c.tx(from, 'money', 'payout', money.PayoutArgs, { currency: 'DCASH', items: items.map(([k, amount]) => ({ to: addr(k), amount })), memo: 'salaries', reference: '' });
const withheld = (r: Receipt) => r.events.filter((e) => e.module === 'tax' && e.name === 'withheld').map((e) => decode(tax.WithheldEvent, e.data));
async function balances(c: Chain, ...who: (KeyPair | Uint8Array)[]): Promise<bigint[]> {
  return Promise.all(who.map((w) => c.balance(w)));
}
async function supplyHolds(tt: Asserts, c: Chain): Promise<void> {
  tt.equal(await c.supply(), c.sumBalances('DCASH'), 'supply is the sum of balances');
}
async function total(c: Chain, taxpayer: KeyPair, rule: number, period = 202601) {
  const raw = await c.state.get(tax.TaxKeys.total(addr(taxpayer), period, rule));
  return raw === undefined ? undefined : decode(tax.TaxTotalSchema, raw);
}

t.test('a taxed transfer: the payer pays the tax on top; the receipt shows gross, tax and net', async (tt) => {
  const c = await taxChain();
  const id = await registered(tt, c, vat(c));
  const before = await balances(c, K.dave, K.shop, TREASURY);
  const r = await c.run(pay(c, K.dave, K.shop, 100n * UNIT));
  ok(tt, r);
  tt.same(withheld(r), [{ rule: id, taxpayer: addr(K.dave), treasury: TREASURY, payer: addr(K.dave), payee: addr(K.shop), currency: 'DCASH', gross: 11_500n, tax: 1_500n, net: 10_000n }]);
  const after = await balances(c, K.dave, K.shop, TREASURY);
  tt.same(after.map((b, i) => b - before[i]!), [-11_500n, 10_000n, 1_500n], 'payer -gross, payee +net, treasury +tax');
  tt.same(await total(c, K.dave, id), { currency: 'DCASH', gross: 11_500n, tax: 1_500n, count: 1 }, "the payer's total for January 2026");
  // The money event still says what was paid to the payee: the amount.
  const tr = r.events.find((e) => e.module === 'money' && e.name === 'transfer')!;
  tt.equal(decode(money.TransferEvent, tr.data).amount, 10_000n);
  // Not the category: no tax, no event.
  const plain = await c.run(pay(c, K.dave, K.bob, 100n * UNIT));
  ok(tt, plain);
  tt.same(withheld(plain), [], 'a payee outside the category pays no VAT');
  ok(tt, await c.run(pay(c, K.dave, K.shop, 33n)));
  tt.same(await total(c, K.dave, id), { currency: 'DCASH', gross: 11_500n + 37n, tax: 1_504n, count: 2 }, 'floor(33 * 15%) = 4, added to the total');
  // A payment of 6 minor units: 15% is 0.9, floored to 0: untaxed, no event.
  const tiny = await c.run(pay(c, K.dave, K.shop, 6n));
  tt.same(withheld(tiny), [], 'a zero tax is no tax');
  await supplyHolds(tt, c);
  // The payer's funds and limits cover the tax too.
  failsWith(tt, await c.run(pay(c, K.alice, K.shop, 450n * UNIT)), 'INSUFFICIENT_FUNDS', '450.00 + 67.50 is more than her 500.00');
  ok(tt, await c.run(pay(c, K.dave, K.bob, 1_000n * UNIT)), 'bob now holds 6,100.00');
  failsWith(tt, await c.run(pay(c, K.bob, K.shop, 4_400n * UNIT)), 'PER_TX_LIMIT', "4,400.00 + 660.00 is over bob's per-transaction limit of 5,000.00");
  ok(tt, await c.run(pay(c, K.bob, K.shop, 4_300n * UNIT)), '4,300.00 + 645.00 is within it');
});

t.test('the payee pays: withheld from what it receives; several payee taxes never exceed the amount', async (tt) => {
  const c = await taxChain();
  const id = await registered(tt, c, vat(c, { name: 'withholding', payer: tax.TaxPayer.PAYEE, rateBps: 1000 }));
  const before = await balances(c, K.dave, K.shop, TREASURY);
  const r = await c.run(pay(c, K.dave, K.shop, 100n * UNIT));
  ok(tt, r);
  tt.same(withheld(r), [{ rule: id, taxpayer: addr(K.shop), treasury: TREASURY, payer: addr(K.dave), payee: addr(K.shop), currency: 'DCASH', gross: 10_000n, tax: 1_000n, net: 9_000n }]);
  const after = await balances(c, K.dave, K.shop, TREASURY);
  tt.same(after.map((b, i) => b - before[i]!), [-10_000n, 9_000n, 1_000n]);
  tt.same(await total(c, K.shop, id), { currency: 'DCASH', gross: 10_000n, tax: 1_000n, count: 1 }, "the payee's total");
  tt.equal(await total(c, K.dave, id), undefined, 'none for the payer');
  // Two more payee rules at 60% each (a second treasury: the ministry): the last is capped at what is left.
  const id2 = await registered(tt, c, vat(c, { name: 'levy-a', payer: tax.TaxPayer.PAYEE, rateBps: 6000 }));
  const id3 = await registered(tt, c, vat(c, { name: 'levy-b', payer: tax.TaxPayer.PAYEE, rateBps: 6000, treasury: addr(K.ministry) }));
  const b2 = await balances(c, K.dave, K.shop, TREASURY, K.ministry);
  const r2 = await c.run(pay(c, K.dave, K.shop, 1_000n));
  ok(tt, r2);
  tt.same(withheld(r2).map((w) => [w.rule, w.tax, w.net]), [[id, 100n, 900n], [id2, 600n, 400n], [id3, 300n, 700n]], 'in id order; the last capped at 300');
  const a2 = await balances(c, K.dave, K.shop, TREASURY, K.ministry);
  tt.same(a2.map((b, i) => b - b2[i]!), [-1_000n, 0n, 700n, 300n], 'the payee keeps nothing; two treasuries credited');
  await supplyHolds(tt, c);
});

t.test('payout items: a payroll rule (base 1) withholds from each item; transfers untouched', async (tt) => {
  const c = await taxChain();
  const id = await registered(tt, c, vat(c, { name: 'payroll', base: tax.TaxBase.PAYOUT_ITEM, payer: tax.TaxPayer.PAYEE, rateBps: 2000, appliesTo: { types: ['payout'], payeeCategory: '', payerCategory: '' } }));
  const before = await balances(c, K.dave, K.bob, K.carol, TREASURY);
  const r = await c.run(payout(c, K.dave, [[K.bob, 1_000n * UNIT], [K.carol, 100n * UNIT]]));
  ok(tt, r);
  const res = decode(money.PayoutResult, r.result);
  tt.same([res.codes, res.paid], [[0, 0], 1_100n * UNIT]);
  tt.same(withheld(r).map((w) => [w.taxpayer, w.gross, w.tax, w.net]), [[addr(K.bob), 100_000n, 20_000n, 80_000n], [addr(K.carol), 10_000n, 2_000n, 8_000n]]);
  const after = await balances(c, K.dave, K.bob, K.carol, TREASURY);
  tt.same(after.map((b, i) => b - before[i]!), [-110_000n, 80_000n, 8_000n, 22_000n]);
  tt.same(await total(c, K.bob, id), { currency: 'DCASH', gross: 100_000n, tax: 20_000n, count: 1 });
  const tr = await c.run(pay(c, K.dave, K.bob, 10n * UNIT));
  tt.same(withheld(tr), [], 'a transfer is no payout item');
  // A recipient that fails keeps its tax out too; the payer pays on-top levies with the items.
  const id2 = await registered(tt, c, vat(c, { name: 'payout-fee', rateBps: 100, appliesTo: { types: ['payout'], payeeCategory: '', payerCategory: '' } }));
  const b2 = await balances(c, K.dave, K.bob, TREASURY);
  const r2 = await c.run(payout(c, K.dave, [[K.bob, 1_000n], [key('nobody'), 500n]]));
  ok(tt, r2);
  tt.same(decode(money.PayoutResult, r2.result).codes, [0, VmCodes.ACCOUNT_NOT_FOUND], 'the unknown recipient fails alone (ACCOUNT_NOT_FOUND)');
  tt.same(withheld(r2).map((w) => [w.rule, w.taxpayer, w.tax]), [[id, addr(K.bob), 200n], [id2, addr(K.dave), 10n]], 'the failed item left no tax event');
  const a2 = await balances(c, K.dave, K.bob, TREASURY);
  tt.same(a2.map((b, i) => b - b2[i]!), [-1_010n, 800n, 210n], 'payer: items plus its 1% fee; payee: less 20%');
  await supplyHolds(tt, c);
});

t.test('filters: payment type and payer category', async (tt) => {
  const c = await taxChain();
  await registered(tt, c, vat(c, { name: 'b2c', appliesTo: { types: ['transfer'], payeeCategory: '', payerCategory: 'food' } }));
  ok(tt, await c.run(pay(c, K.dave, K.shop, 200n * UNIT)));
  tt.same(withheld(await c.run(pay(c, K.shop, K.bob, 10n * UNIT))).map((w) => w.taxpayer), [addr(K.shop)], 'a payer of the category pays');
  tt.same(withheld(await c.run(pay(c, K.dave, K.bob, 10n * UNIT))), [], 'another payer does not');
  tt.same(withheld(await c.run(payout(c, K.shop, [[K.bob, 1_000n]]))), [], 'nor a payout, when the rule names transfers');
});

t.test('activation at height h applies from h, not at h - 1; retirement from its height; the rules record', async (tt) => {
  const c = await taxChain();
  const h = c.height + 4;
  const r = await register(c, vat(c, { activationHeight: h }));
  ok(tt, r);
  const id = decode(tax.RuleIdResult, r.result).id;
  while (c.height < h - 2) await c.block([]);
  const early = await c.run(pay(c, K.dave, K.shop, 1_000n));
  tt.equal(c.height, h - 1);
  tt.same(withheld(early), [], 'not at h - 1');
  const first = await c.run(pay(c, K.dave, K.shop, 1_000n));
  tt.equal(c.height, h);
  tt.same(withheld(first).map((w) => w.tax), [150n], 'at h');
  // Retire from height h + 4: still taxed at h + 3, not at h + 4.
  failsWith(tt, await c.run(c.tx(TAXMAN, 'tax', 'retire_rule', tax.RetireRuleArgs, { id, atHeight: c.height + 1, legalRef: 'VAT repeal' })), 'TAX_RULE_INVALID', 'a retirement height not above the current');
  ok(tt, await c.run(c.tx(TAXMAN, 'tax', 'retire_rule', tax.RetireRuleArgs, { id, atHeight: h + 4, legalRef: 'VAT repeal' })));
  tt.equal(c.height, h + 2);
  tt.same(withheld(await c.run(pay(c, K.dave, K.shop, 1_000n))).map((w) => w.tax), [150n], 'at h + 3');
  tt.same(withheld(await c.run(pay(c, K.dave, K.shop, 1_000n))), [], 'not from the retirement height h + 4');
  tt.equal(c.height, h + 4);
  failsWith(tt, await c.run(c.tx(TAXMAN, 'tax', 'retire_rule', tax.RetireRuleArgs, { id, atHeight: c.height + 5, legalRef: 'again' })), 'TAX_RULE_RETIRED');
  failsWith(tt, await c.run(c.tx(TAXMAN, 'tax', 'retire_rule', tax.RetireRuleArgs, { id: 99, atHeight: c.height + 5, legalRef: '' })), 'TAX_RULE_NOT_FOUND');
  const stored = decode(tax.TaxRuleSchema, (await c.state.get(tax.TaxKeys.rule(id)))!);
  tt.same([stored.retireHeight, stored.retireLegalRef, stored.rateBps], [h + 4, 'VAT repeal', 1500]);
  // The retired rule leaves the currency's record at the next registration.
  const id2 = await registered(tt, c, vat(c, { rateBps: 2000 }));
  const list = decode(tax.TaxRuleListSchema, (await c.state.get(tax.TaxKeys.rules('DCASH')))!);
  tt.same(list.rules.map((x) => x.id), [id2], 'only the new rule is in force');
  // A rule retired before it activates leaves at once.
  const late = await register(c, vat(c, { activationHeight: c.height + 10 }));
  const id3 = decode(tax.RuleIdResult, late.result).id;
  ok(tt, await c.run(c.tx(TAXMAN, 'tax', 'retire_rule', tax.RetireRuleArgs, { id: id3, atHeight: c.height + 5, legalRef: 'withdrawn' })));
  tt.same(decode(tax.TaxRuleListSchema, (await c.state.get(tax.TaxKeys.rules('DCASH')))!).rules.map((x) => x.id), [id2]);
});

t.test('only a tax authority registers; governance grants the role; each refusal with its code', async (tt) => {
  const c = await taxChain([{ name: 'max_tax_rules', value: 2 }]);
  failsWith(tt, await register(c, vat(c), K.bankA), 'NOT_AUTHORIZED', 'a bank');
  failsWith(tt, await register(c, vat(c), K.reg), 'NOT_AUTHORIZED', 'the regulator, before the grant');
  const propose = async (action: ProposalAction) => {
    const r = await c.run(c.tx(K.cb, 'gov', 'propose', gov.ProposeArgs, { action, reason: 'the regulator collects a levy' }));
    const { id } = decode(gov.IdResult, r.result);
    ok(tt, await c.run(c.tx(K.reg, 'gov', 'approve', gov.ApproveArgs, { id, reason: 'agreed' })));
  };
  await propose(makeAction(ActionKind.GRANT_ROLE, { institution: addr(K.reg), role: Role.TAX_AUTHORITY }));
  ok(tt, await register(c, vat(c), K.reg), 'the regulator, once granted tax_authority');
  const bad = async (over: Partial<RuleArgs>, what: string, code: 'TAX_RULE_INVALID' | 'UNKNOWN_CURRENCY' = 'TAX_RULE_INVALID') => failsWith(tt, await register(c, vat(c, over)), code, what);
  await bad({ rateBps: 0 }, 'a zero rate');
  await bad({ rateBps: 10_001 }, 'over 100%');
  await bad({ base: 2 }, 'an unknown base');
  await bad({ payer: 2 }, 'an unknown payer');
  await bad({ appliesTo: { types: ['mint'], payeeCategory: '', payerCategory: '' } }, 'an unknown payment type');
  await bad({ appliesTo: { types: ['payout', 'payout'], payeeCategory: '', payerCategory: '' } }, 'a type twice');
  await bad({ base: 1, appliesTo: { types: ['transfer'], payeeCategory: '', payerCategory: '' } }, 'a payout-item rule on transfers');
  await bad({ treasury: addr(K.alice) }, 'a treasury that is a person');
  await bad({ treasury: addr(key('nobody')) }, 'a treasury with no account');
  await bad({ exemptTypes: ['charity', 'charity'] }, 'an exempt type twice');
  await bad({ name: ' ' }, 'no name');
  await bad({ activationHeight: c.height + 1 }, 'activation at the current height');
  await bad({ currency: 'NOPE' }, 'an unknown currency', 'UNKNOWN_CURRENCY');
  ok(tt, await register(c, vat(c)), 'a second rule');
  failsWith(tt, await register(c, vat(c)), 'TAX_RULES_FULL', 'max_tax_rules 2');
  ok(tt, await register(c, vat(c, { currency: 'USDX' })), 'the cap is per currency');
  failsWith(tt, await c.run(c.tx(K.bankA, 'tax', 'retire_rule', tax.RetireRuleArgs, { id: 1, atHeight: c.height + 5, legalRef: '' })), 'NOT_AUTHORIZED');
});

t.test('a held payment: the escrow keeps the net, and its release pays the payee the net', async (tt) => {
  const c = await taxChain();
  await registered(tt, c, vat(c, { payer: tax.TaxPayer.PAYEE, rateBps: 1000 }));
  ok(tt, await c.run(c.tx(K.reg, 'comp', 'register_rule', comp.RegisterRuleArgs, {
    name: 'review', version: 1, source: 'tx.amount >= 20000', scope: { currencies: [], types: [], institutions: [] }, action: 2, severity: 1, activation: c.height + 1, shadow: false, legalRef: 'AML',
  })));
  const before = await balances(c, K.dave, K.shop, TREASURY);
  const r = await c.run(pay(c, K.dave, K.shop, 300n * UNIT));
  ok(tt, r);
  tt.same(withheld(r).map((w) => [w.tax, w.net]), [[3_000n, 27_000n]], 'taxed at the moment of payment');
  tt.equal(await c.balance(comp.holdEscrow(1)), 27_000n, 'the escrow holds the net');
  await supplyHolds(tt, c);
  ok(tt, await c.run(c.tx(K.reg, 'comp', 'release_hold', comp.HoldDecisionArgs, { id: 1, reason: 'fine' })));
  const after = await balances(c, K.dave, K.shop, TREASURY, comp.holdEscrow(1));
  tt.same(after.map((b, i) => b - (before[i] ?? 0n)), [-30_000n, 27_000n, 3_000n, 0n]);
  await supplyHolds(tt, c);
});

t.test('calendar months from block time, by integer arithmetic', async (tt) => {
  tt.equal(tax.periodOf(T0), 202601);
  tt.equal(tax.periodOf(T0 - 1), 202512);
  tt.equal(tax.periodOf(0), 197001);
  const rng = new Rng(2026);
  for (let i = 0; i < 2000; i++) {
    const ms = rng.int(2 ** 31) * 2000 + rng.int(2000); // up to about 2106
    const d = new Date(ms);
    const want = d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;
    if (tax.periodOf(ms) !== want) {
      tt.fail(`periodOf(${ms}) = ${tax.periodOf(ms)}, not ${want}`);
      break;
    }
    const { start, end } = tax.periodBounds(want);
    if (start !== Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) || end !== Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) || !(start <= ms && ms < end)) {
      tt.fail(`periodBounds(${want}) = ${start}..${end}`);
      break;
    }
  }
  tt.same(tax.civilFromDays(tax.daysFromCivil(2024, 2, 29)), { year: 2024, month: 2, day: 29 }, 'a leap day round-trips');
  tt.same(tax.periodBounds(210002), { start: Date.UTC(2100, 1, 1), end: Date.UTC(2100, 2, 1) }, '2100 is no leap year');
  tt.same([tax.isPeriod(202613), tax.isPeriod(202600), tax.isPeriod(196912), tax.isPeriod(202612)], [false, false, false, true]);
});

t.test('property: after random taxed payments, supply is the sum of balances and every payment adds up', async (tt) => {
  const c = await taxChain();
  const ids = [
    await registered(tt, c, vat(c)), // 15% VAT on top, payments to the shop
    await registered(tt, c, vat(c, { name: 'stamp', rateBps: 700, payer: tax.TaxPayer.PAYEE, appliesTo: { types: [], payeeCategory: '', payerCategory: '' } })), // 7% withheld from every payment
    await registered(tt, c, vat(c, { name: 'payroll', base: 1, rateBps: 2500, payer: tax.TaxPayer.PAYEE, treasury: addr(K.ministry), appliesTo: { types: ['payout'], payeeCategory: '', payerCategory: '' } })),
  ];
  const people = [K.alice, K.bob, K.carol, K.dave, K.shop];
  // The banks too: a credit over alice's holding limit goes on to her bank (the waterfall).
  const banks = [K.bankA, K.bankB];
  const treasuries = [TREASURY, addr(K.ministry)];
  const rng = new Rng(7);
  const sum = async (): Promise<bigint> => (await balances(c, ...people, ...banks, ...treasuries)).reduce((a, b) => a + b, 0n);
  const total0 = await sum();
  let taxedPayments = 0;
  let taxSum = 0n;
  for (let i = 0; i < 120; i++) {
    const from = rng.pick(people);
    const amount = BigInt(1 + rng.int(300_00));
    const before = await balances(c, ...people, ...banks, ...treasuries);
    let r: Receipt;
    if (rng.int(4) === 0) {
      const tos = [rng.pick(people), rng.pick(people)].filter((p) => p !== from);
      if (tos.length === 0) continue;
      r = await c.run(payout(c, from, tos.map((to) => [to, BigInt(1 + rng.int(100_00))])));
    } else {
      const to = rng.pick(people.filter((p) => p !== from));
      r = await c.run(pay(c, from, to, amount));
    }
    const after = await balances(c, ...people, ...banks, ...treasuries);
    const ws = withheld(r);
    if (r.status !== 0) {
      tt.same(after, before, `payment ${i} failed (${r.message}): nothing moved`);
      continue;
    }
    taxedPayments += ws.length > 0 ? 1 : 0;
    // Each treasury gained exactly the taxes levied to it.
    for (const [j, tr] of treasuries.entries()) {
      const levied = ws.filter((w) => Buffer.from(w.treasury).equals(Buffer.from(tr))).reduce((a, w) => a + w.tax, 0n);
      tt.equal(after[people.length + banks.length + j]! - before[people.length + banks.length + j]!, levied, `payment ${i}: treasury ${j} +${levied}`);
      taxSum += levied;
    }
    for (const w of ws) {
      tt.equal(w.gross, w.net + w.tax, `payment ${i}: gross = net + tax`);
      tt.ok(ids.includes(w.rule));
    }
    tt.equal(after.reduce((a, b) => a + b, 0n), before.reduce((a, b) => a + b, 0n), `payment ${i}: payer, payees and treasuries add up`);
  }
  tt.equal(await sum(), total0, 'the funding, beneficiaries and treasuries still hold what they held');
  tt.ok(taxedPayments > 20, `${taxedPayments} taxed payments`);
  tt.equal(await c.balance(TREASURY) + (await c.balance(K.ministry)), taxSum, 'the treasuries hold exactly the taxes');
  await supplyHolds(tt, c);
  // The totals add up to the taxes too.
  let totals = 0n;
  for (const who of people) for (const id of ids) totals += (await total(c, who, id))?.tax ?? 0n;
  tt.equal(totals, taxSum, "the taxpayers' monthly totals sum to the taxes levied");
});
