/**
 * The six monitoring typologies as registered rules on a running chain: structuring,
 * velocity, rapid pass-through, round amounts, new and dormant accounts, sanctions list and
 * high-risk jurisdiction. Each catches its pattern (an alert, or a refusal) and lets the
 * ordinary traffic around it through quietly.
 */
import t from 'tap';
import { addressFromPublicKey, decode, keyPairFromSecret, sha256, toHex, utf8, type KeyPair, type Schema } from '../../core/index.js';
import { account, comp, money, type Receipt } from '../index.js';
import { addr, Chain, DAY, failsWith, HOUR, K, ok, UNIT } from './harness.js';

const NO_SCOPE = { currencies: [], types: [], institutions: [] };
const ruleTx = (c: Chain, name: string, source: string, action: number) =>
  c.tx(K.reg, 'comp', 'register_rule', comp.RegisterRuleArgs, { name, version: 1, source, scope: NO_SCOPE, action, severity: 1, activation: c.height + 1, shadow: false, legalRef: 'AML Act' });
const pay = (c: Chain, from: KeyPair, to: KeyPair, amount: bigint) => c.tx(from, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(to), amount, memo: '', reference: '' });
const events = <T>(r: Receipt, spec: { name: string; schema: Schema<T> }): T[] => r.events.filter((e) => e.module === 'comp' && e.name === spec.name).map((e) => decode(spec.schema, e.data));

const alerts = (r: Receipt) => events(r, comp.HookEvents.alert).map((a) => a.rule);

async function chainWith(name: string, source: string, action = 1): Promise<Chain> {
  const c = await Chain.create();
  ok(t, await c.run(ruleTx(c, name, source, action)), `register ${name}`);
  return c;
}

t.test('structuring: a fourth payment just under 100.00 in a day', async (tt) => {
  const c = await chainWith('structuring', 'countOutBetween(from.address, 86400000, 9000, 10000) >= 3');
  for (let i = 0; i < 2; i++) tt.same(alerts(await c.run(pay(c, K.dave, K.shop, 95n * UNIT), HOUR)), [], `payment ${i + 1}: quiet`);
  tt.same(alerts(await c.run(pay(c, K.dave, K.shop, 50n * UNIT), HOUR)), [], 'an ordinary amount: quiet, and not counted');
  tt.same(alerts(await c.run(pay(c, K.dave, K.shop, 95n * UNIT), HOUR)), [], 'the third just under: quiet');
  tt.same(alerts(await c.run(pay(c, K.dave, K.shop, 95n * UNIT), HOUR)), ['structuring@1'], 'the fourth: caught');
  tt.same(alerts(await c.run(pay(c, K.bob, K.shop, 95n * UNIT), HOUR)), [], 'someone else: quiet');
  tt.same(alerts(await c.run(pay(c, K.dave, K.shop, 95n * UNIT), 2 * DAY)), [], 'two days later: quiet');
});

t.test('velocity: more than five payments in an hour', async (tt) => {
  const c = await chainWith('velocity', 'countOut(from.address, 3600000) > 5');
  for (let i = 0; i < 5; i++) tt.same(alerts(await c.run(pay(c, K.dave, K.shop, UNIT), 60_000)), [], `payment ${i + 1}: quiet`);
  tt.same(alerts(await c.run(pay(c, K.dave, K.shop, UNIT), 60_000)), [], 'the sixth: five before it');
  tt.same(alerts(await c.run(pay(c, K.dave, K.shop, UNIT), 60_000)), ['velocity@1'], 'the seventh: caught');
  tt.same(alerts(await c.run(pay(c, K.bob, K.shop, UNIT), 60_000)), [], 'another payer: quiet');
  tt.same(alerts(await c.run(pay(c, K.dave, K.shop, UNIT), 3 * HOUR)), [], 'hours later: quiet');
});

t.test('rapid pass-through: most of what came in within the hour goes out', async (tt) => {
  const c = await chainWith('pass-through', 'sumIn(from.address, 3600000) >= 100000 && tx.amount >= sumIn(from.address, 3600000) * 9 / 10');
  tt.same(alerts(await c.run(pay(c, K.bob, K.shop, 1_400n * UNIT))), [], 'nothing came in: quiet');
  ok(tt, await c.run(pay(c, K.dave, K.bob, 1_500n * UNIT)));
  tt.same(alerts(await c.run(pay(c, K.bob, K.shop, 500n * UNIT))), [], 'a third of it: quiet');
  tt.same(alerts(await c.run(pay(c, K.bob, K.shop, 1_400n * UNIT))), ['pass-through@1'], 'almost all of it: caught');
});

t.test('round amounts', async (tt) => {
  const c = await chainWith('round', 'tx.amount % 100000 == 0 && tx.amount >= 1000000');
  tt.same(alerts(await c.run(pay(c, K.dave, K.shop, 10_000n * UNIT))), ['round@1'], '10,000.00: caught');
  tt.same(alerts(await c.run(pay(c, K.dave, K.shop, 10_000n * UNIT + 1n))), [], '10,000.01: quiet');
  tt.same(alerts(await c.run(pay(c, K.dave, K.shop, 1_000n * UNIT))), [], 'round but small: quiet');
});

t.test('dormant account: silent for 180 days, then a large payment', async (tt) => {
  const c = await chainWith('dormant', 'from.lastActive > 0 && tx.time - from.lastActive > 15552000000 && tx.amount > 50000');
  ok(tt, await c.run(pay(c, K.bob, K.dave, UNIT)));
  ok(tt, await c.run(pay(c, K.dave, K.shop, UNIT)));
  tt.same(alerts(await c.run(pay(c, K.bob, K.dave, 600n * UNIT), 200 * DAY)), ['dormant@1'], 'bob after 200 days: caught');
  tt.same(alerts(await c.run(pay(c, K.bob, K.dave, 600n * UNIT), DAY)), [], 'bob again the next day: quiet');
});

t.test('new account: opened days ago, a large payment', async (tt) => {
  const c = await chainWith('new-account', 'from.opened > 0 && tx.time - from.opened < 604800000 && tx.amount > 100000');
  // Dave is seen (first payment since the rule), then pays large eight days later: an old account.
  ok(tt, await c.run(pay(c, K.dave, K.shop, UNIT)));
  tt.same(alerts(await c.run(pay(c, K.dave, K.shop, 2_000n * UNIT), 8 * DAY)), [], 'an account seen eight days ago: quiet');
  const fresh: KeyPair = keyPairFromSecret(sha256(utf8('comp/fresh')));
  const r = await c.run(c.tx(K.bankB, 'account', 'open', account.OpenArgs, { keys: [fresh.publicKey], threshold: 1, kind: 2, tier: 3, linkedRef: null, category: '' }));
  ok(tt, r);
  ok(tt, await c.run(pay(c, K.dave, fresh, 3_000n * UNIT)), 'funded');
  tt.same(alerts(await c.run(pay(c, fresh, K.shop, 2_000n * UNIT), 2 * DAY)), ['new-account@1'], 'two days after it was first seen: caught');
  tt.same(alerts(await c.run(pay(c, fresh, K.shop, 500n * UNIT), DAY)), [], 'a small payment: quiet');
  tt.equal(toHex(addressFromPublicKey(fresh.publicKey)), toHex(addr(fresh)));
});

t.test('sanctions list and high-risk jurisdiction: refused', async (tt) => {
  const c = await chainWith('sanctions', 'inList("sanctions", to.address) || to.jurisdiction in ["XX", "YY"]', 0);
  ok(tt, await c.run(c.tx(K.reg, 'comp', 'update_list', comp.UpdateListArgs, { list: 'sanctions', add: [toHex(addr(K.carol))], remove: [], legalRef: 'UN 1267' })));
  failsWith(tt, await c.run(c.tx(K.reg, 'comp', 'update_list', comp.UpdateListArgs, { list: 'sanctions', add: [], remove: [], legalRef: '' })), 'BAD_LIST');
  failsWith(tt, await c.run(c.tx(K.bankA, 'comp', 'set_jurisdiction', comp.SetJurisdictionArgs, { account: addr(K.shop), jurisdiction: 'XX', legalRef: '' })), 'NOT_AUTHORIZED', "not the shop's bank");
  ok(tt, await c.run(c.tx(K.bankB, 'comp', 'set_jurisdiction', comp.SetJurisdictionArgs, { account: addr(K.shop), jurisdiction: 'XX', legalRef: 'KYC file' })), "the shop's bank");
  const r = await c.run(pay(c, K.dave, K.carol, UNIT));
  failsWith(tt, r, 'COMPLIANCE_REFUSED', 'a listed payee');
  tt.match(r.message, /sanctions@1/);
  failsWith(tt, await c.run(pay(c, K.dave, K.shop, UNIT)), 'COMPLIANCE_REFUSED', 'a payee in XX');
  ok(tt, await c.run(pay(c, K.dave, K.bob, UNIT)), 'a clean payee');
  ok(tt, await c.run(c.tx(K.reg, 'comp', 'update_list', comp.UpdateListArgs, { list: 'sanctions', add: [], remove: [toHex(addr(K.carol))], legalRef: 'delisted' })));
  ok(tt, await c.run(pay(c, K.dave, K.carol, UNIT)), 'delisted');
});

t.test('the shipped templates: each fills in, compiles within the default budget and registers', async (tt) => {
  const c = await Chain.create();
  for (const ty of comp.TYPOLOGIES) {
    const src = comp.typologySource(ty.name);
    const r = await c.run(ruleTx(c, `tpl-${ty.name}`, src, ty.action));
    ok(tt, r, `${ty.name}: ${src}`);
  }
  tt.match(comp.typologySource('velocity', { count: 42n, window: 60_000n }), /countOut\(from\.address, 60000\) >= 42/, 'parameters replace the defaults');
  tt.throws(() => comp.typologySource('velocity', { cnt: 1n }), { name: 'TypologyError', message: 'typology velocity has no parameter "cnt"; it has window, count' }, 'an unknown parameter is refused');
  tt.throws(() => comp.typologySource('nope'), /no typology "nope"; there are structuring/, 'an unknown typology names the ones there are');
});
