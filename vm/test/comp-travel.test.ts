/**
 * The Travel Rule in the state machine (module comp): institutions publish travel keys; a
 * regulator's travel rule (action 3) refuses a payment above its threshold unless it is sent
 * with travel_transfer and its envelope is addressed to the payee's bank's and a
 * regulator's current keys; the envelope's digest is committed in the receipt; malformed
 * envelopes, missing recipients and rotated keys are refused with their reasons; a shadow
 * travel rule records what it would have decided. (The envelopes here are well-formed JWE
 * objects with placeholder ciphertext: the ledger never decrypts; rpc/test/travel-rule.test.ts
 * seals and opens real ones.)
 */
import t from 'tap';
import { decode, sha256, utf8, type KeyPair, type Schema } from '../../core/index.js';
import { comp, money, type Receipt } from '../index.js';
import { addr, Chain, failsWith, K, ok, UNIT } from './harness.js';

const NO_SCOPE = { currencies: [], types: [], institutions: [] };
const pk = (seed: string) => sha256(utf8(`travel-key/${seed}`));
const kid = (inst: KeyPair, seed: string) => comp.travelKid(addr(inst), pk(seed));
const B64 = 'AAAA';
/** A JWE in General JSON serialization to `kids` (placeholder bytes). */
const envelope = (kids: string[], extra: Record<string, unknown> = {}) =>
  utf8(JSON.stringify({ protected: 'eyJlbmMiOiJBMjU2R0NNIn0', iv: B64, ciphertext: B64, tag: B64, recipients: kids.map((k) => ({ header: { alg: 'ECDH-ES+A256KW', kid: k, epk: {} }, encrypted_key: B64 })), ...extra }));
const transfer = (to: KeyPair, amount: bigint) => ({ currency: 'DCASH', to: addr(to), amount, memo: '', reference: 'inv-7' });
const pay = (c: Chain, from: KeyPair, to: KeyPair, amount: bigint) => c.tx(from, 'money', 'transfer', money.TransferArgs, transfer(to, amount));
const travelPay = (c: Chain, from: KeyPair, to: KeyPair, amount: bigint, env: Uint8Array) => c.tx(from, 'comp', 'travel_transfer', comp.TravelTransferArgs, { transfer: transfer(to, amount), envelope: env });
const events = <T>(r: Receipt, spec: { name: string; schema: Schema<T> }): T[] => r.events.filter((e) => e.module === 'comp' && e.name === spec.name).map((e) => decode(spec.schema, e.data));

async function setup(shadow = false): Promise<Chain> {
  const c = await Chain.create();
  ok(t, await c.run(c.tx(K.bankB, 'comp', 'set_travel_key', comp.SetTravelKeyArgs, { publicKey: pk('bank-b') })), 'bank B publishes its key');
  ok(t, await c.run(c.tx(K.reg, 'comp', 'set_travel_key', comp.SetTravelKeyArgs, { publicKey: pk('reg') })), 'the regulator publishes its key');
  ok(t, await c.run(c.tx(K.reg, 'comp', 'register_rule', comp.RegisterRuleArgs, {
    name: 'travel', version: 1, source: 'tx.amount >= 100000', scope: NO_SCOPE, action: comp.RuleAction.TRAVEL_RULE, severity: 1, activation: c.height + 1, shadow, legalRef: 'FATF R.16',
  })), 'a travel rule at 1,000.00');
  return c;
}

t.test('a travel rule: refused without an envelope, through with one to the bank and a regulator', async (tt) => {
  const c = await setup();
  ok(tt, await c.run(pay(c, K.bob, K.dave, 999n * UNIT)), 'below the threshold: a plain transfer');
  const plain = await c.run(pay(c, K.bob, K.dave, 1_000n * UNIT));
  failsWith(tt, plain, 'TRAVEL_RULE_REQUIRED', 'at the threshold without an envelope');
  tt.match(plain.message, /travel rule travel@1: the payment carries no travel-rule envelope/);

  const env = envelope([kid(K.bankB, 'bank-b'), kid(K.reg, 'reg')]);
  const before = await c.balance(K.dave);
  const r = await c.run(travelPay(c, K.bob, K.dave, 1_000n * UNIT, env));
  ok(tt, r, 'with an envelope to bank B (dave\'s bank) and the regulator');
  tt.equal(await c.balance(K.dave), before + 1_000n * UNIT, 'paid');
  const [data] = events(r, comp.TravelEvents.travel_data);
  tt.same([Buffer.from(data!.digest).toString('hex'), data!.recipients, data!.amount], [Buffer.from(sha256(env)).toString('hex'), [kid(K.bankB, 'bank-b'), kid(K.reg, 'reg')], 1_000n * UNIT], 'its digest and recipients committed');
  tt.same(events(r, comp.TravelEvents.travel_rule).map((e) => e.rule), ['travel@1'], 'the rule is satisfied');
  tt.same(events(r, comp.HookEvents.checked), [{ rules: ['travel@1'], decisions: [comp.Decision.TRAVEL] }]);
  ok(tt, await c.run(travelPay(c, K.bob, K.dave, 10n * UNIT, envelope([kid(K.reg, 'reg')]))), 'below the threshold any envelope does');
});

t.test('what an envelope must be', async (tt) => {
  const c = await setup();
  const fails = async (env: Uint8Array, code: 'TRAVEL_RULE_REQUIRED' | 'BAD_TRAVEL_ENVELOPE', why: RegExp, what: string) => {
    const r = await c.run(travelPay(c, K.bob, K.dave, 2_000n * UNIT, env));
    failsWith(tt, r, code, what);
    tt.match(r.message, why, what);
  };
  await fails(envelope([kid(K.reg, 'reg')]), 'TRAVEL_RULE_REQUIRED', /not addressed to the current travel key of the payee's bank/, 'no recipient for the payee\'s bank');
  await fails(envelope([kid(K.bankB, 'bank-b')]), 'TRAVEL_RULE_REQUIRED', /not addressed to a regulator/, 'no regulator');
  await fails(envelope([kid(K.bankA, 'bank-a'), kid(K.reg, 'reg')]), 'TRAVEL_RULE_REQUIRED', /payee's bank/, "the payer's bank instead of the payee's");
  await fails(envelope([kid(K.bankB, 'old'), kid(K.reg, 'reg')]), 'TRAVEL_RULE_REQUIRED', /payee's bank/, 'a key bank B never published');
  await fails(utf8('not json'), 'BAD_TRAVEL_ENVELOPE', /not UTF-8 JSON/, 'not JSON');
  await fails(utf8('[1]'), 'BAD_TRAVEL_ENVELOPE', /not a JSON object/, 'an array');
  await fails(utf8(JSON.stringify({ iv: B64 })), 'BAD_TRAVEL_ENVELOPE', /base64url "protected"/, 'no protected header');
  await fails(envelope([]), 'BAD_TRAVEL_ENVELOPE', /1 to 8 recipients/, 'no recipients');
  await fails(envelope(Array.from({ length: 9 }, (_, i) => kid(K.reg, `k${i}`))), 'BAD_TRAVEL_ENVELOPE', /1 to 8 recipients/, 'nine recipients');
  await fails(envelope(['bank-b']), 'BAD_TRAVEL_ENVELOPE', /not a travel key's/, 'a kid of another form');
  await fails(envelope([kid(K.reg, 'reg'), kid(K.reg, 'reg')]), 'BAD_TRAVEL_ENVELOPE', /twice/, 'a kid twice');
  await fails(Uint8Array.of(0xff, 0xfe), 'BAD_TRAVEL_ENVELOPE', /not UTF-8/, 'not UTF-8');

  // Bank B rotates its key: envelopes to the old one no longer do.
  ok(tt, await c.run(c.tx(K.bankB, 'comp', 'set_travel_key', comp.SetTravelKeyArgs, { publicKey: pk('bank-b-2') })), 'bank B rotates its key');
  await fails(envelope([kid(K.bankB, 'bank-b'), kid(K.reg, 'reg')]), 'TRAVEL_RULE_REQUIRED', /payee's bank/, 'the rotated key');
  ok(tt, await c.run(travelPay(c, K.bob, K.dave, 2_000n * UNIT, envelope([kid(K.bankB, 'bank-b-2'), kid(K.reg, 'reg')]))), 'the new key');
  failsWith(tt, await c.run(c.tx(K.alice, 'comp', 'set_travel_key', comp.SetTravelKeyArgs, { publicKey: pk('alice') })), 'NOT_AUTHORIZED', 'a customer publishes no travel key');
});

t.test('a shadow travel rule records what it would have decided', async (tt) => {
  const c = await setup(true);
  const r = await c.run(pay(c, K.bob, K.dave, 1_000n * UNIT));
  ok(tt, r, 'not enforced');
  tt.same(events(r, comp.HookEvents.shadow_decision).map((e) => e.decision), [comp.Decision.REFUSE], 'it would have refused');
  const r2 = await c.run(travelPay(c, K.bob, K.dave, 1_000n * UNIT, envelope([kid(K.bankB, 'bank-b'), kid(K.reg, 'reg')])));
  tt.same(events(r2, comp.HookEvents.shadow_decision).map((e) => e.decision), [comp.Decision.TRAVEL], 'it would have let this through');
});
