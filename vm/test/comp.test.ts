/**
 * The Regulatory OS in the ledger (module comp): a regulator registers rules (each refusal
 * with its code), changes their status; a payment is refused naming the rule, flagged (an
 * alert, and it goes through), held then released or refused by an officer (supply stays
 * the sum of balances, escrow included), or only recorded by a shadow rule; scope and
 * activation height are respected; two chains given the same blocks agree byte for byte.
 */
import t from 'tap';
import { concatBytes, decode, sha256, toHex, type Infer, type KeyPair, type Schema } from '../../core/index.js';
import { comp, money, type Receipt } from '../index.js';
import { addr, Chain, failsWith, genesisDoc, K, ok, UNIT, type Asserts } from './harness.js';

type RuleArgs = Infer<typeof comp.RegisterRuleArgs>;
const NO_SCOPE = { currencies: [], types: [], institutions: [] };

function ruleTx(c: Chain, name: string, source: string, over: Partial<RuleArgs> = {}, signer: KeyPair = K.reg) {
  return c.tx(signer, 'comp', 'register_rule', comp.RegisterRuleArgs, {
    name, version: 1, source, scope: NO_SCOPE, action: 0, severity: 1, activation: c.height + 1, shadow: false, legalRef: 'AML Act s.5', ...over,
  });
}
const pay = (c: Chain, from: KeyPair, to: KeyPair, amount: bigint, currency = 'DCASH') =>
  c.tx(from, 'money', 'transfer', money.TransferArgs, { currency, to: addr(to), amount, memo: '', reference: '' });
function events<T>(r: Receipt, spec: { name: string; schema: Schema<T> }): T[] {
  return r.events.filter((e) => e.module === 'comp' && e.name === spec.name).map((e) => decode(spec.schema, e.data));
}
async function supplyHolds(tt: Asserts, c: Chain, code = 'DCASH'): Promise<void> {
  tt.equal(await c.supply(code), c.sumBalances(code), `${code}: supply is the sum of balances, escrow included`);
}
const E = comp.HookEvents;

t.test('registration: a regulator registers a rule once; each refusal with its code', async (tt) => {
  const c = await Chain.create(genesisDoc({ params: [{ name: 'max_rule_cost', value: 80 }] }));
  const r = await c.run(ruleTx(c, 'big', 'tx.amount > 10000'));
  ok(tt, r);
  tt.same(decode(comp.RuleResult, r.result).rule, 'big@1');
  const stored = decode(comp.RuleSchema, (await c.state.get(comp.CompKeys.rule('big@1')))!);
  tt.same([stored.status, stored.action, stored.cost > 0, stored.legalRef], [0, 0, true, 'AML Act s.5']);
  failsWith(tt, await c.run(ruleTx(c, 'x', 'tx.amount > 1', {}, K.bankA)), 'NOT_AUTHORIZED', 'not a regulator');
  const bad = await c.run(ruleTx(c, 'x', 'tx.amount >'));
  failsWith(tt, bad, 'RULE_INVALID', 'a syntax error');
  tt.match(bad.message, /RULE_PARSE/, "the rule language's message");
  failsWith(tt, await c.run(ruleTx(c, 'x', 'tx.amount')), 'RULE_INVALID', 'not a bool');
  failsWith(tt, await c.run(ruleTx(c, 'x', 'nosuch.field > 1')), 'RULE_INVALID', 'an unknown name');
  failsWith(tt, await c.run(ruleTx(c, 'x', 'countOut(from.address, 1000) > 1 && sumOut(from.address, 1000) > 1')), 'RULE_OVER_BUDGET');
  failsWith(tt, await c.run(ruleTx(c, 'big', 'tx.amount > 1')), 'RULE_EXISTS', 'id@version once');
  ok(tt, await c.run(ruleTx(c, 'big', 'tx.amount > 1', { version: 2 })), 'a new version');
  ok(tt, await c.run(ruleTx(c, 'travel', 'tx.amount > 1', { action: 3, shadow: true })), 'a travel rule (in shadow here)');
  failsWith(tt, await c.run(ruleTx(c, 'x', 'tx.amount > 1', { action: 4 })), 'BAD_RULE', 'an unknown action');
  failsWith(tt, await c.run(ruleTx(c, 'x', 'tx.amount > 1', { activation: 1 })), 'BAD_RULE', 'activation below the current height');
  failsWith(tt, await c.run(ruleTx(c, 'x', 'tx.amount > 1', { scope: { ...NO_SCOPE, types: ['mint'] } })), 'BAD_RULE', 'an unknown payment type');
  failsWith(tt, await c.run(ruleTx(c, 'x', 'tx.amount > 1', { scope: { ...NO_SCOPE, institutions: [addr(K.reg)] } })), 'BAD_RULE', 'a scope institution that is not a bank');
  const idx = decode(comp.InForceListSchema, (await c.state.get(comp.CompKeys.inForce()))!);
  tt.same(idx.rules.map((x) => `${x.name}@${x.version}`), ['big@1', 'big@2', 'travel@1'], 'the rules in force, sorted');
});

t.test('status: active <-> shadow, retired is final; only a regulator', async (tt) => {
  const c = await Chain.create();
  ok(tt, await c.run(ruleTx(c, 'big', 'tx.amount > 10000')));
  const st = (id: string, status: number, k: KeyPair = K.reg) => c.run(c.tx(k, 'comp', 'set_rule_status', comp.SetRuleStatusArgs, { id, status, legalRef: 'L' }));
  failsWith(tt, await st('big@1', 1, K.bankA), 'NOT_AUTHORIZED');
  failsWith(tt, await st('big@9', 1), 'RULE_NOT_FOUND');
  failsWith(tt, await st('big@1', 0), 'BAD_RULE_STATUS', 'no change');
  failsWith(tt, await st('big@1', 3), 'BAD_RULE_STATUS', 'an unknown status');
  ok(tt, await st('big@1', 1));
  ok(tt, await c.run(pay(c, K.bob, K.carol, 200n * UNIT)), 'shadow: not enforced');
  ok(tt, await st('big@1', 0));
  failsWith(tt, await c.run(pay(c, K.bob, K.carol, 200n * UNIT)), 'COMPLIANCE_REFUSED', 'active again');
  ok(tt, await st('big@1', 2));
  failsWith(tt, await st('big@1', 0), 'BAD_RULE_STATUS', 'retired is final');
  tt.equal(await c.state.get(comp.CompKeys.inForce()), undefined, 'no rule in force');
  ok(tt, await c.run(pay(c, K.bob, K.carol, 200n * UNIT)), 'retired: not enforced');
});

t.test('refuse names the rule; an ordinary payment passes with the decision recorded', async (tt) => {
  const c = await Chain.create();
  ok(tt, await c.run(ruleTx(c, 'big', 'tx.amount > 10000')));
  const r = await c.run(pay(c, K.bob, K.carol, 200n * UNIT));
  failsWith(tt, r, 'COMPLIANCE_REFUSED');
  tt.match(r.message, /big@1/, 'the message names the rule');
  tt.equal(await c.balance(K.carol), 0n, 'nothing moved');
  const p = await c.run(pay(c, K.bob, K.carol, 50n * UNIT));
  ok(tt, p);
  tt.same(events(p, E.checked), [{ rules: ['big@1'], decisions: [0] }]);
  tt.equal(await c.balance(K.carol), 50n * UNIT);
  // A payout: the refused recipient alone fails, with the code.
  const po = await c.run(c.tx(K.bob, 'money', 'payout', money.PayoutArgs, { currency: 'DCASH', items: [{ to: addr(K.carol), amount: 200n * UNIT }, { to: addr(K.dave), amount: 10n * UNIT }], memo: '', reference: '' }));
  ok(tt, po);
  const res = decode(money.PayoutResult, po.result);
  tt.equal(res.codes[0], 1208, 'COMPLIANCE_REFUSED for the first recipient');
  tt.same([res.codes[1], res.paid], [0, 10n * UNIT]);
  await supplyHolds(tt, c);
});

t.test('flag: an alert, and the payment goes through', async (tt) => {
  const c = await Chain.create();
  ok(tt, await c.run(ruleTx(c, 'watch', 'tx.amount >= 10000', { action: 1, severity: 3 })));
  const r = await c.run(pay(c, K.bob, K.carol, 100n * UNIT));
  ok(tt, r);
  tt.same(events(r, E.alert), [{ rule: 'watch@1', severity: 3, from: addr(K.bob), to: addr(K.carol), amount: 100n * UNIT, currency: 'DCASH' }]);
  tt.same(events(r, E.checked)[0]!.decisions, [2]);
  tt.equal(await c.balance(K.carol), 100n * UNIT);
  tt.same(events(await c.run(pay(c, K.bob, K.carol, 99n * UNIT)), E.alert), [], 'below: no alert');
});

t.test('hold, then release or refuse by an officer; supply stays the sum of balances', async (tt) => {
  const c = await Chain.create();
  ok(tt, await c.run(ruleTx(c, 'review', 'tx.amount >= 20000', { action: 2 })));
  const bob0 = await c.balance(K.bob);
  const r = await c.run(pay(c, K.bob, K.carol, 300n * UNIT));
  ok(tt, r);
  const [held] = events(r, E.held);
  tt.same([held!.id, held!.rule, held!.amount], [1, 'review@1', 300n * UNIT]);
  tt.same(held!.escrow, comp.holdEscrow(1));
  tt.equal(await c.balance(comp.holdEscrow(1)), 300n * UNIT, 'the funds wait at the escrow');
  tt.equal(await c.balance(K.carol), 0n, 'not paid yet');
  tt.equal(await c.balance(K.bob), bob0 - 300n * UNIT);
  tt.same(events(r, E.checked)[0]!.decisions, [3]);
  await supplyHolds(tt, c);
  const decide = (m: string, id: number, k: KeyPair) => c.run(c.tx(k, 'comp', m, comp.HoldDecisionArgs, { id, reason: 'checked the invoice' }));
  failsWith(tt, await decide('release_hold', 1, K.alice), 'NOT_HOLD_OFFICER', 'a customer');
  failsWith(tt, await decide('release_hold', 1, K.cb), 'NOT_HOLD_OFFICER', 'the central bank is not an officer of the hold');
  failsWith(tt, await decide('release_hold', 9, K.reg), 'HOLD_NOT_FOUND');
  const rel = await decide('release_hold', 1, K.bankB);
  ok(tt, rel, "the payee's bank releases");
  tt.equal(events(rel, E.hold_released)[0]!.reason, 'checked the invoice');
  tt.equal(await c.balance(K.carol), 300n * UNIT);
  tt.equal(await c.balance(comp.holdEscrow(1)), 0n);
  failsWith(tt, await decide('refuse_hold', 1, K.reg), 'HOLD_SETTLED');
  await supplyHolds(tt, c);
  const h1 = decode(comp.HoldSchema, (await c.state.get(comp.CompKeys.hold(1)))!);
  tt.same([h1.status, h1.decidedBy, h1.reason], [comp.HoldStatus.RELEASED, addr(K.bankB), 'checked the invoice']);

  const bob1 = await c.balance(K.bob);
  ok(tt, await c.run(pay(c, K.bob, K.dave, 250n * UNIT)));
  tt.equal(await c.balance(K.bob), bob1 - 250n * UNIT);
  const ref = await decide('refuse_hold', 2, K.reg);
  ok(tt, ref, 'the regulator refuses');
  tt.equal(events(ref, E.hold_refused).length, 1);
  tt.equal(await c.balance(K.bob), bob1, 'the payer has its funds back');
  tt.equal(await c.balance(comp.holdEscrow(2)), 0n);
  await supplyHolds(tt, c);
  // A payout recipient held: the rest paid; the payer's bank may release.
  const po = await c.run(c.tx(K.bob, 'money', 'payout', money.PayoutArgs, { currency: 'DCASH', items: [{ to: addr(K.carol), amount: 200n * UNIT }, { to: addr(K.dave), amount: 10n * UNIT }], memo: '', reference: '' }));
  ok(tt, po);
  tt.same(events(po, E.held).map((h) => h.id), [3]);
  ok(tt, await decide('release_hold', 3, K.bankA), "the payer's bank releases");
  tt.equal(await c.balance(K.carol), 500n * UNIT);
  await supplyHolds(tt, c);
});

t.test('shadow mode records without enforcing', async (tt) => {
  const c = await Chain.create();
  ok(tt, await c.run(ruleTx(c, 'big', 'tx.amount > 10000', { shadow: true })));
  ok(tt, await c.run(ruleTx(c, 'hold-all', 'tx.amount > 0', { action: 2, shadow: true })));
  const r = await c.run(pay(c, K.bob, K.carol, 200n * UNIT));
  ok(tt, r, 'not refused, not held');
  tt.same(events(r, E.shadow_decision).map((e) => ({ rule: e.rule, decision: e.decision })), [{ rule: 'big@1', decision: 1 }, { rule: 'hold-all@1', decision: 3 }]);
  tt.same(events(r, E.checked), [{ rules: ['big@1', 'hold-all@1'], decisions: [9, 11] }]);
  tt.equal(events(r, E.held).length, 0);
  tt.equal(await c.balance(K.carol), 200n * UNIT);
});

t.test('scope: currency, payment type and bank', async (tt) => {
  const c = await Chain.create();
  ok(tt, await c.run(ruleTx(c, 'usdx-only', 'true', { scope: { ...NO_SCOPE, currencies: ['USDX'] } })));
  ok(tt, await c.run(ruleTx(c, 'payouts', 'true', { scope: { ...NO_SCOPE, types: ['payout'] } })));
  ok(tt, await c.run(ruleTx(c, 'bank-b', 'true', { action: 1, scope: { ...NO_SCOPE, institutions: [addr(K.bankB)] } })));
  const inside = await c.run(pay(c, K.bob, K.alice, 10n * UNIT));
  ok(tt, inside, 'DCASH transfer between bank A customers: no rule in scope');
  tt.same(events(inside, E.checked), [], 'nothing ran');
  const toB = await c.run(pay(c, K.bob, K.carol, 10n * UNIT));
  ok(tt, toB, "to a bank B customer: the payee's bank is in scope");
  tt.same(events(toB, E.checked), [{ rules: ['bank-b@1'], decisions: [2] }]);
  failsWith(tt, await c.run(pay(c, K.bankA, K.bob, 10n * UNIT, 'USDX')), 'COMPLIANCE_REFUSED', 'USDX: in scope');
  const po = await c.run(c.tx(K.bob, 'money', 'payout', money.PayoutArgs, { currency: 'DCASH', items: [{ to: addr(K.alice), amount: UNIT }], memo: '', reference: '' }));
  tt.equal(decode(money.PayoutResult, po.result).codes[0], 1208, 'a payout: in scope');
});

t.test('activation height', async (tt) => {
  const c = await Chain.create();
  ok(tt, await c.run(ruleTx(c, 'later', 'tx.amount > 10000', { activation: c.height + 3 })));
  ok(tt, await c.run(pay(c, K.bob, K.carol, 200n * UNIT)), 'height +2: not yet');
  failsWith(tt, await c.run(pay(c, K.bob, K.carol, 200n * UNIT)), 'COMPLIANCE_REFUSED', 'height +3: in force');
});

t.test('a rule that errors is treated as not holding, with an event', async (tt) => {
  const c = await Chain.create();
  ok(tt, await c.run(ruleTx(c, 'div', 'tx.amount / (tx.amount - 1000) > 0')));
  const r = await c.run(pay(c, K.bob, K.carol, 1000n));
  ok(tt, r);
  tt.equal(events(r, E.rule_error)[0]!.rule, 'div@1');
  tt.same(events(r, E.checked)[0]!.decisions, [4]);
});

t.test("the node-side index entries: an alert's and a hold's; none for a refused payment or recipient", async (tt) => {
  const c = await Chain.create();
  ok(tt, await c.run(ruleTx(c, 'watch', 'tx.amount >= 10000', { action: 1 })));
  ok(tt, await c.run(ruleTx(c, 'review', 'tx.amount >= 20000', { action: 2 })));
  ok(tt, await c.run(ruleTx(c, 'big', 'tx.amount >= 50000')));
  const r = await c.block([
    pay(c, K.bob, K.carol, 100n * UNIT),
    pay(c, K.alice, K.bob, 300n * UNIT),
    pay(c, K.bob, K.carol, 600n * UNIT),
    c.tx(K.bob, 'money', 'payout', money.PayoutArgs, { currency: 'DCASH', items: [{ to: addr(K.carol), amount: 600n * UNIT }, { to: addr(K.dave), amount: 100n * UNIT }], memo: '', reference: '' }),
  ]);
  ok(tt, r.receipts[0]!);
  ok(tt, r.receipts[1]!);
  failsWith(tt, r.receipts[2]!, 'COMPLIANCE_REFUSED');
  ok(tt, r.receipts[3]!);
  const T = c.time;
  const hex = (es: readonly { key: Uint8Array; value: Uint8Array }[]) => es.map((e) => [toHex(e.key), toHex(e.value)]);
  const entry = (id: number, k: Uint8Array, v: Uint8Array) => [toHex(concatBytes(new Uint8Array([id]), k)), toHex(v)];
  const I = comp.CompIndexes;
  const noSeq = (k: Uint8Array) => k.subarray(0, k.length - 4);
  /** Each expected entry's key ends with its position among the transaction's entries (u32). */
  const seqd = (es: string[][]) => es.map(([k, v], i) => [k! + i.toString(16).padStart(8, '0'), v!]);
  const Key = comp.CompIndexKey;
  const u64 = (n: number) => Uint8Array.from(Buffer.from(n.toString(16).padStart(16, '0'), 'hex'));
  const alertAt = (i: number) => {
    const at = r.receipts[i]!.events.findIndex((e) => e.module === 'comp' && e.name === 'alert');
    tt.ok(at >= 0, `transaction ${i} raised an alert`);
    return comp.u16be(at);
  };
  const alertEntries = (from: KeyPair, to: KeyPair, banks: KeyPair[], at: Uint8Array) => [
    entry(I.alertAccount.id, noSeq(Key.alertAccount(addr(from), T, 0)), at),
    entry(I.alertAccount.id, noSeq(Key.alertAccount(addr(to), T, 0)), at),
    entry(I.alertRule.id, concatBytes(sha256(new TextEncoder().encode('watch@1')), u64(T)), at),
    ...banks.map((b) => entry(I.alertInstitution.id, noSeq(Key.alertInstitution(addr(b), T, 0)), at)),
  ];
  const paid = (from: KeyPair, to: KeyPair, amount: bigint, held = false) => {
    const f = addr(from === K.alice || from === K.bob ? K.bankA : K.bankB);
    const tb = addr(to === K.alice || to === K.bob ? K.bankA : K.bankB);
    const p = { amount, currency: 'DCASH' };
    return toHex(f) === toHex(tb)
      ? [entry(I.paymentInstitution.id, noSeq(Key.paymentInstitution(f, T, 0)), comp.paymentEntry(3, held, p))]
      : [entry(I.paymentInstitution.id, noSeq(Key.paymentInstitution(f, T, 0)), comp.paymentEntry(1, held, p)), entry(I.paymentInstitution.id, noSeq(Key.paymentInstitution(tb, T, 0)), comp.paymentEntry(2, held, p))];
  };
  tt.same(hex(r.indexes[0]!), seqd([...alertEntries(K.bob, K.carol, [K.bankA, K.bankB], alertAt(0)), ...paid(K.bob, K.carol, 100n * UNIT)]), 'an alert: by payer, payee, rule, and each bank; the payment in both banks\' reports');
  tt.same(hex(r.indexes[1]!), seqd([
    ...alertEntries(K.alice, K.bob, [K.bankA], alertAt(1)),
    entry(I.holdInstitution.id, noSeq(Key.holdInstitution(addr(K.bankA), T, 0)), u64(1)),
    ...paid(K.alice, K.bob, 300n * UNIT, true),
  ]), 'both parties of one bank: one entry for it; a hold by its bank, with its id; the held payment in its report, once');
  tt.same(r.indexes[2], [], 'a refused payment adds none');
  tt.same(hex(r.indexes[3]!), seqd([
    ...alertEntries(K.bob, K.dave, [K.bankA, K.bankB], alertAt(3)),
    ...paid(K.bob, K.dave, 100n * UNIT),
  ]), 'a payout: the refused recipient adds none');
  tt.same(comp.readPaymentEntry(comp.paymentEntry(2, true, { amount: 10n ** 30n, currency: 'DCASH' })), { side: 2, held: true, amount: 10n ** 30n, currency: 'DCASH' }, 'an entry reads back');
});

t.test('determinism: two chains given the same blocks agree on state roots and receipts', async (tt) => {
  const a = await Chain.create();
  const b = await Chain.create();
  const blocks = [
    [ruleTx(a, 'velocity', 'countOut(from.address, 3600000) > 2', { action: 1 }), ruleTx(a, 'review', 'tx.amount >= 30000', { action: 2 })],
    [pay(a, K.bob, K.carol, 10n * UNIT), pay(a, K.dave, K.shop, 400n * UNIT), pay(a, K.bob, K.alice, 5n * UNIT)],
    [pay(a, K.bob, K.carol, 10n * UNIT), pay(a, K.bob, K.carol, 11n * UNIT), c_release(a)],
  ];
  const digest: string[][] = [[], []];
  for (const [i, ch] of [a, b].entries()) {
    for (const txs of blocks) {
      const r = await ch.block(txs);
      digest[i]!.push(toHex(sha256(concatBytes(r.resultsRoot, ...r.receiptBytes))), toHex(ch.state.root()));
    }
  }
  tt.same(digest[0], digest[1]);
  tt.equal(await a.balance(K.shop), 400n * UNIT, 'the held payment was released');
});
function c_release(c: Chain) {
  return c.tx(K.reg, 'comp', 'release_hold', comp.HoldDecisionArgs, { id: 1, reason: 'ok' });
}
