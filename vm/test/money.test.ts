/**
 * Sovereign money: two-tier mint and burn, transfers with memo and reference, every limit
 * (holding, per transaction, rolling daily and annual windows, bank limits), the waterfall,
 * pause, batch payouts with per-recipient results, seizure, tier policies; and each
 * rejection with its code. Supply equals the sum of balances after every test.
 */
import t from 'tap';
import { addressFromPublicKey, decode, encode, MAX_AMOUNT, sha256, utf8 } from '../../core/index.js';
import { AccountSchema, Keys, money, VmCodes, account } from '../index.js';
import { addr, Chain, DAY, failsWith, genesisDoc, HOUR, K, key, ok, UNIT, type Asserts } from './harness.js';

const pay = (c: Chain, from: typeof K.bob, to: Uint8Array, amount: bigint, currency = 'DCASH') =>
  c.tx(from, 'money', 'transfer', money.TransferArgs, { currency, to, amount, memo: 'lunch', reference: 'INV-1' });

async function invariant(t: Asserts, c: Chain): Promise<void> {
  for (const code of ['DCASH', 'USDX']) t.equal(c.sumBalances(code), await c.supply(code), `${code}: supply == sum of balances`);
}

t.test('two-tier issuance: the central bank mints to banks, banks burn on return', async (t) => {
  const c = await Chain.create();
  const s0 = await c.supply();
  const r = await c.run(c.tx(K.cb, 'money', 'mint', money.MintArgs, { currency: 'DCASH', to: addr(K.bankA), amount: 1_000n * UNIT, reference: 'OMO-1' }));
  ok(t, r);
  t.equal(await c.supply(), s0 + 1_000n * UNIT);
  t.equal(r.events[0]?.name, 'minted');
  failsWith(t, await c.run(c.tx(K.bankA, 'money', 'mint', money.MintArgs, { currency: 'DCASH', to: addr(K.bankA), amount: 1n, reference: '' })), 'NOT_ISSUER');
  failsWith(t, await c.run(c.tx(K.cb, 'money', 'mint', money.MintArgs, { currency: 'DCASH', to: addr(K.alice), amount: 1n, reference: '' })), 'NOT_A_BANK', 'minting goes to banks only');
  failsWith(t, await c.run(c.tx(K.cb, 'money', 'mint', money.MintArgs, { currency: 'DCASH', to: addr(K.bankA), amount: 0n, reference: '' })), 'ZERO_AMOUNT');
  failsWith(t, await c.run(c.tx(K.cb, 'money', 'mint', money.MintArgs, { currency: 'NOPE', to: addr(K.bankA), amount: 1n, reference: '' })), 'UNKNOWN_CURRENCY');
  failsWith(t, await c.run(c.tx(K.cb, 'money', 'mint', money.MintArgs, { currency: 'DCASH', to: addr(K.bankA), amount: MAX_AMOUNT, reference: '' })), 'AMOUNT_OVERFLOW');
  ok(t, await c.run(c.tx(K.bankA, 'money', 'burn', money.BurnArgs, { currency: 'DCASH', amount: 500n * UNIT, reference: 'return' })));
  t.equal(await c.supply(), s0 + 500n * UNIT);
  failsWith(t, await c.run(c.tx(K.bankA, 'money', 'burn', money.BurnArgs, { currency: 'DCASH', amount: 10n ** 12n * UNIT, reference: '' })), 'INSUFFICIENT_FUNDS');
  failsWith(t, await c.run(c.tx(K.alice, 'money', 'burn', money.BurnArgs, { currency: 'DCASH', amount: 1n, reference: '' })), 'NOT_AUTHORIZED');
  failsWith(t, await c.run(c.tx(K.cb, 'money', 'mint', money.MintArgs, { currency: 'USDX', to: addr(K.bankA), amount: 1n, reference: '' })), 'NOT_ISSUER', 'the stablecoin is its issuer\'s');
  ok(t, await c.run(c.tx(K.issuer, 'money', 'mint', money.MintArgs, { currency: 'USDX', to: addr(K.bankB), amount: 10_000n * UNIT, reference: '' })), 'within reserves');
  failsWith(t, await c.run(c.tx(K.issuer, 'money', 'mint', money.MintArgs, { currency: 'USDX', to: addr(K.bankB), amount: 1n, reference: '' })), 'RESERVE_EXCEEDED');
  await invariant(t, c);
});

t.test('transfers and their refusals', async (t) => {
  const c = await Chain.create();
  const r = await c.run(pay(c, K.bob, addr(K.carol), 100n * UNIT));
  ok(t, r);
  const ev = decode(money.TransferEvent, r.events[0]!.data);
  t.match(ev, { currency: 'DCASH', amount: 100n * UNIT, memo: 'lunch', reference: 'INV-1' });
  t.equal(await c.balance(K.carol), 100n * UNIT);
  failsWith(t, await c.run(pay(c, K.carol, addr(K.bob), 200n * UNIT)), 'INSUFFICIENT_FUNDS');
  failsWith(t, await c.run(pay(c, K.bob, addr(K.bob), UNIT)), 'SELF_TRANSFER');
  failsWith(t, await c.run(pay(c, K.bob, addr(key('ghost')), UNIT)), 'ACCOUNT_NOT_FOUND');
  failsWith(t, await c.run(pay(c, K.bob, addr(K.carol), 0n)), 'ZERO_AMOUNT');
  failsWith(t, await c.run(pay(c, K.bob, addr(K.carol), UNIT, 'XYZ')), 'UNKNOWN_CURRENCY');
  failsWith(t, await c.run(pay(c, K.bob, addr(K.carol), UNIT, 'USDX')), 'INSUFFICIENT_FUNDS');
  await invariant(t, c);
});

t.test('tier limits: per transaction, holding (no link: refused), daily and annual rolling windows', async (t) => {
  const c = await Chain.create();
  // carol: tier 1 (hold 1000, per tx 500, daily 800, annual 5000), no linked account.
  ok(t, await c.run(pay(c, K.dave, addr(K.carol), 1_000n * UNIT)));
  failsWith(t, await c.run(pay(c, K.dave, addr(K.carol), 1n)), 'HOLDING_LIMIT', 'a full tier-1 wallet without a link refuses credit');
  failsWith(t, await c.run(pay(c, K.carol, addr(K.dave), 501n * UNIT)), 'PER_TX_LIMIT');
  ok(t, await c.run(pay(c, K.carol, addr(K.dave), 500n * UNIT)));
  ok(t, await c.run(pay(c, K.carol, addr(K.dave), 300n * UNIT), HOUR));
  failsWith(t, await c.run(pay(c, K.carol, addr(K.dave), 1n), HOUR), 'DAILY_LIMIT', '800 spent within 24 hours');
  ok(t, await c.run(pay(c, K.carol, addr(K.dave), 1n), 23 * HOUR), 'the window rolls: the first spend left it');
  // Annual: 5000 over a rolling year.
  let spent = 800n * UNIT + 1n;
  for (let d = 0; spent + 800n * UNIT <= 5_000n * UNIT; d++) {
    ok(t, await c.run(pay(c, K.dave, addr(K.carol), 800n * UNIT), DAY));
    ok(t, await c.run(pay(c, K.carol, addr(K.dave), 500n * UNIT), HOUR));
    ok(t, await c.run(pay(c, K.carol, addr(K.dave), 300n * UNIT), HOUR));
    spent += 800n * UNIT;
  }
  ok(t, await c.run(pay(c, K.dave, addr(K.carol), 800n * UNIT), DAY));
  const left = 5_000n * UNIT - spent;
  failsWith(t, await c.run(pay(c, K.carol, addr(K.dave), left + 1n)), 'ANNUAL_LIMIT');
  ok(t, await c.run(pay(c, K.carol, addr(K.dave), left)));
  failsWith(t, await c.run(pay(c, K.carol, addr(K.dave), 1n), DAY), 'ANNUAL_LIMIT', 'still inside the year');
  ok(t, await c.run(pay(c, K.carol, addr(K.dave), 1n), 366 * DAY), 'a year later the window has rolled');
  await invariant(t, c);
});

t.test('the waterfall: the excess over the holding limit goes to the linked bank', async (t) => {
  const c = await Chain.create();
  // alice: tier 1, holds 500, linked to A-IBAN-0001 at bank A.
  const bank0 = await c.balance(K.bankA);
  const r = await c.run(pay(c, K.dave, addr(K.alice), 700n * UNIT));
  ok(t, r);
  t.equal(await c.balance(K.alice), 1_000n * UNIT, 'filled to the limit');
  t.equal(await c.balance(K.bankA), bank0 + 200n * UNIT, 'the excess went to her bank');
  const wf = r.events.find((e) => e.name === 'waterfall')!;
  t.match(decode(money.WaterfallEvent, wf.data), { linkedRef: 'A-IBAN-0001', amount: 200n * UNIT });
  ok(t, await c.run(pay(c, K.dave, addr(K.alice), 50n * UNIT)), 'a full wallet diverts all');
  t.equal(await c.balance(K.alice), 1_000n * UNIT);
  await invariant(t, c);
});

t.test('bank limits set by the central bank', async (t) => {
  const c = await Chain.create();
  const bankA = addr(K.bankA);
  const limit = (maxReserve: bigint | null, dailyOut: bigint | null, by = K.cb, bank = bankA) =>
    c.tx(by, 'money', 'set_bank_limit', money.SetBankLimitArgs, { currency: 'DCASH', bank, maxReserve, dailyOut });
  failsWith(t, await c.run(limit(1n, 1n, K.reg)), 'NOT_AUTHORIZED');
  failsWith(t, await c.run(limit(1n, 1n, K.cb, addr(K.alice))), 'NOT_A_BANK');
  ok(t, await c.run(limit(1_000_001n * UNIT, 1_000n * UNIT)));
  failsWith(t, await c.run(c.tx(K.cb, 'money', 'mint', money.MintArgs, { currency: 'DCASH', to: bankA, amount: 2n * UNIT, reference: '' })), 'BANK_LIMIT', 'reserve cap');
  ok(t, await c.run(pay(c, K.bankA, addr(K.dave), 1_000n * UNIT)));
  failsWith(t, await c.run(pay(c, K.bankA, addr(K.dave), 1n)), 'BANK_LIMIT', 'daily outflow');
  ok(t, await c.run(limit(null, null)));
  ok(t, await c.run(pay(c, K.bankA, addr(K.dave), 1n)), 'limits lifted');
  await invariant(t, c);
});

t.test('pause by the central bank or issuer', async (t) => {
  const c = await Chain.create();
  const pause = (by: typeof K.cb, paused: boolean, currency = 'DCASH') => c.tx(by, 'money', 'pause', money.PauseArgs, { currency, paused, legalRef: 'emergency act s.4' });
  failsWith(t, await c.run(pause(K.bankA, true)), 'NOT_ISSUER');
  ok(t, await c.run(pause(K.cb, true)));
  failsWith(t, await c.run(pay(c, K.bob, addr(K.alice), UNIT)), 'CURRENCY_PAUSED');
  ok(t, await c.run(pause(K.cb, true, 'USDX')), 'the central bank may pause any currency');
  ok(t, await c.run(pause(K.issuer, false, 'USDX')));
  ok(t, await c.run(pause(K.cb, false)));
  ok(t, await c.run(pay(c, K.bob, addr(K.alice), UNIT)));
});

t.test('tier policies set by the issuer', async (t) => {
  const c = await Chain.create();
  const pol = { holdingLimit: 10n * UNIT, perTxLimit: null, dailyLimit: null, annualLimit: null };
  failsWith(t, await c.run(c.tx(K.bankA, 'money', 'set_tier_policy', money.SetTierPolicyArgs, { currency: 'DCASH', tier: 1, policy: pol })), 'NOT_ISSUER');
  failsWith(t, await c.run(c.tx(K.cb, 'money', 'set_tier_policy', money.SetTierPolicyArgs, { currency: 'DCASH', tier: 6, policy: pol })), 'UNKNOWN_TIER');
  ok(t, await c.run(c.tx(K.cb, 'money', 'set_tier_policy', money.SetTierPolicyArgs, { currency: 'DCASH', tier: 2, policy: pol })));
  failsWith(t, await c.run(pay(c, K.dave, addr(K.bob), UNIT)), 'HOLDING_LIMIT', 'bob (tier 2) is now over the new limit');
  ok(t, await c.run(c.tx(K.bankA, 'account', 'set_tier', account.SetTierArgs, { account: addr(K.bob), tier: 4 })));
  failsWith(t, await c.run(pay(c, K.dave, addr(K.bob), UNIT)), 'TIER_NOT_ALLOWED', 'no policy for tier 4: DCASH not allowed');
  ok(t, await c.run(c.tx(K.cb, 'money', 'set_tier_policy', money.SetTierPolicyArgs, { currency: 'DCASH', tier: 4, policy: { ...pol, holdingLimit: null } })));
  ok(t, await c.run(pay(c, K.dave, addr(K.bob), UNIT)));
});

t.test('batch payouts: a result per recipient, failures stay with the payer', async (t) => {
  const c = await Chain.create();
  const recipients = Array.from({ length: 50 }, (_, i) => key(`payee-${i}`));
  const open = recipients.map((k) => c.tx(K.bankB, 'account', 'open', account.OpenArgs, { keys: [k.publicKey], threshold: 1, kind: 2, tier: 2, linkedRef: null, category: '' }));
  const ob = await c.block(open);
  t.equal(ob.receipts.filter((r) => r.status === 0).length, 50);
  ok(t, await c.run(c.tx(K.reg, 'account', 'freeze', account.FreezeArgs, { account: addr(recipients[3]!), legalRef: 'x' })));
  const items = [
    ...recipients.map((k) => ({ to: addr(k), amount: 10n * UNIT })),
    { to: addr(key('ghost')), amount: UNIT },
    { to: addr(K.carol), amount: 2_000n * UNIT },
    { to: addr(K.dave), amount: 0n },
  ];
  const before = await c.balance(K.bankA);
  const r = await c.run(c.tx(K.bankA, 'money', 'payout', money.PayoutArgs, { currency: 'DCASH', items, memo: 'welfare May', reference: 'WF-2026-05' }));
  ok(t, r);
  const res = decode(money.PayoutResult, r.result);
  t.equal(res.codes.length, items.length, 'one result per recipient');
  t.equal(res.codes[3], VmCodes.ACCOUNT_FROZEN);
  t.equal(res.codes[50], VmCodes.ACCOUNT_NOT_FOUND);
  t.equal(res.codes[51], VmCodes.HOLDING_LIMIT);
  t.equal(res.codes[52], VmCodes.ZERO_AMOUNT);
  t.equal(res.codes.filter((x) => x === 0).length, 49);
  t.equal(res.paid, 490n * UNIT);
  t.equal(await c.balance(K.bankA), before - 490n * UNIT, 'the payer paid only what was credited');
  t.equal(await c.balance(recipients[3]!), 0n);
  t.equal(decode(money.PayoutEvent, r.events[r.events.length - 1]!.data).failed, 4);
  failsWith(t, await c.run(c.tx(K.carol, 'money', 'payout', money.PayoutArgs, { currency: 'DCASH', items: [{ to: addr(K.bob), amount: UNIT }], memo: '', reference: '' })), 'INSUFFICIENT_FUNDS');
  failsWith(t, await c.run(c.tx(K.bankA, 'money', 'payout', money.PayoutArgs, { currency: 'DCASH', items: [], memo: '', reference: '' })), 'ZERO_AMOUNT');
  await invariant(t, c);
});

t.test('batch payout to 10,000 distinct accounts fits one transaction; more is refused', async (t) => {
  const c = await Chain.create();
  // 10,000 customer accounts loaded as records (as a snapshot would; their keys never sign).
  const recipients: Uint8Array[] = [];
  const writes = [];
  for (let i = 0; i < 10_000; i++) {
    const pk = sha256(utf8(`payee-${i}`));
    const a = addressFromPublicKey(pk);
    recipients.push(a);
    writes.push({ key: Keys.account(a), value: encode(AccountSchema, { keys: [pk], threshold: 1, nonce: 0, kind: 2, status: 0, tier: 1, bank: addr(K.bankB), linkedRef: i % 10 === 0 ? 'L' : null, category: '' }) });
  }
  c.state.apply(writes);
  const items = recipients.map((to, i) => ({ to, amount: i % 1000 === 1 ? 2_000n * UNIT : 3n * UNIT }));
  const r = await c.run(c.tx(K.bankA, 'money', 'payout', money.PayoutArgs, { currency: 'DCASH', items, memo: 'welfare', reference: 'W-1' }));
  ok(t, r);
  const res = decode(money.PayoutResult, r.result);
  t.equal(res.codes.length, 10_000, 'a result per recipient');
  t.equal(res.codes.filter((x) => x === VmCodes.HOLDING_LIMIT).length, 10, 'over-limit credits without a link are refused one by one');
  t.equal(res.paid, 9_990n * 3n * UNIT);
  t.ok(r.work <= 2_000_000, `within the default work budget (${r.work})`);
  await invariant(t, c);
  const c2 = await Chain.create(genesisDoc({ params: [{ name: 'max_payout_recipients', value: 10 }] }));
  failsWith(t, await c2.run(c2.tx(K.bankA, 'money', 'payout', money.PayoutArgs, { currency: 'DCASH', items: items.slice(0, 11), memo: '', reference: '' })), 'TOO_MANY_RECIPIENTS');
});

t.test('seizure with a legal reference, even from a frozen account', async (t) => {
  const c = await Chain.create();
  ok(t, await c.run(c.tx(K.reg, 'account', 'freeze', account.FreezeArgs, { account: addr(K.dave), legalRef: 'case 9' })));
  const seize = (by: typeof K.cb, amount: bigint, to = addr(K.ministry)) =>
    c.tx(by, 'money', 'seize', money.SeizeArgs, { currency: 'DCASH', from: addr(K.dave), to, amount, legalRef: 'court order 9/2026' });
  failsWith(t, await c.run(seize(K.bankB, UNIT)), 'NOT_AUTHORIZED');
  failsWith(t, await c.run(seize(K.reg, UNIT, addr(K.bob))), 'BAD_ACCOUNT_KIND');
  failsWith(t, await c.run(seize(K.reg, 10n ** 9n * UNIT)), 'INSUFFICIENT_FUNDS');
  const r = await c.run(seize(K.reg, 1_000n * UNIT));
  ok(t, r);
  t.equal(await c.balance(K.ministry), 1_000n * UNIT);
  t.match(decode(money.SeizeEvent, r.events[0]!.data), { legalRef: 'court order 9/2026' });
  await invariant(t, c);
});
