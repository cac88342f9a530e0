/**
 * Bank ramps: virtual accounts, on-ramp deposits with unique bank references and the
 * reserve check, reserve attestation, off-ramp redemptions with payout results (a failed
 * payout returns the tokens).
 */
import t from 'tap';
import { decode } from '../../core/index.js';
import { Keys, ramp, ReserveSchema, PayoutSchema, PayoutStatus, account } from '../index.js';
import { addr, Chain, failsWith, K, key, ok, UNIT } from './harness.js';

const dep = (c: Chain, bankRef: string, amount: bigint, to: Uint8Array | null, bankAccountId = '', by = K.bankA, currency = 'USDX') =>
  c.tx(by, 'ramp', 'deposit', ramp.DepositArgs, { currency, amount, bankRef, to, bankAccountId });

async function reserve(c: Chain) {
  return decode(ReserveSchema, (await c.state.get(Keys.reserve('USDX')))!);
}

t.test('virtual accounts map a bank\'s account ids to ledger accounts', async (t) => {
  const c = await Chain.create();
  const link = (id: string, to: Uint8Array, by = K.bankA) => c.tx(by, 'ramp', 'link_virtual', ramp.LinkArgs, { bankAccountId: id, account: to });
  ok(t, await c.run(link('DE89370400440532013000', addr(K.bob))));
  failsWith(t, await c.run(link('DE89370400440532013000', addr(K.alice))), 'VIRTUAL_ACCOUNT_EXISTS');
  ok(t, await c.run(link('DE89370400440532013000', addr(K.alice), K.bankB)), 'ids are per bank');
  failsWith(t, await c.run(link('X', addr(key('ghost')))), 'ACCOUNT_NOT_FOUND');
  failsWith(t, await c.run(link('X', addr(K.bob), K.alice)), 'NOT_AUTHORIZED');
  ok(t, await c.run(dep(c, 'UETR-1', 100n * UNIT, null, 'DE89370400440532013000')), 'deposit through the virtual account');
  t.equal(await c.balance(K.bob, 'USDX'), 100n * UNIT);
  ok(t, await c.run(c.tx(K.bankA, 'ramp', 'unlink_virtual', ramp.UnlinkArgs, { bankAccountId: 'DE89370400440532013000' })));
  failsWith(t, await c.run(c.tx(K.bankA, 'ramp', 'unlink_virtual', ramp.UnlinkArgs, { bankAccountId: 'DE89370400440532013000' })), 'VIRTUAL_ACCOUNT_NOT_FOUND');
  failsWith(t, await c.run(dep(c, 'UETR-2', UNIT, null, 'DE89370400440532013000')), 'VIRTUAL_ACCOUNT_NOT_FOUND');
});

t.test('on-ramp: unique bank references, reserves never exceeded', async (t) => {
  const c = await Chain.create();
  // Genesis: 10,000 USDX supply, 20,000 attested.
  const r = await c.run(dep(c, 'e2e-0001', 5_000n * UNIT, addr(K.bob)));
  ok(t, r);
  t.equal(await c.balance(K.bob, 'USDX'), 5_000n * UNIT);
  t.equal(await c.supply('USDX'), 15_000n * UNIT);
  t.equal((await reserve(c)).depositsInFlight, 5_000n * UNIT);
  failsWith(t, await c.run(dep(c, 'e2e-0001', UNIT, addr(K.bob))), 'REFERENCE_USED');
  ok(t, await c.run(dep(c, 'e2e-0001', UNIT, addr(K.bob), '', K.bankB)), 'another bank\'s reference space');
  failsWith(t, await c.run(dep(c, 'e2e-0002', UNIT, addr(K.bob), '', K.bankA, 'DCASH')), 'WRONG_CURRENCY_KIND');
  failsWith(t, await c.run(dep(c, 'e2e-0003', UNIT, addr(K.bob), '', K.alice)), 'NOT_AUTHORIZED');
  failsWith(t, await c.run(dep(c, 'e2e-0004', 0n, addr(K.bob))), 'ZERO_AMOUNT');
  // Attest reserves below supply: no further mint.
  failsWith(t, await c.run(c.tx(K.bankA, 'ramp', 'attest_reserves', ramp.AttestArgs, { currency: 'USDX', amount: 0n, reference: '' })), 'NOT_AUTHORIZED');
  failsWith(t, await c.run(c.tx(K.reg, 'ramp', 'attest_reserves', ramp.AttestArgs, { currency: 'DCASH', amount: 0n, reference: '' })), 'WRONG_CURRENCY_KIND');
  ok(t, await c.run(c.tx(K.reg, 'ramp', 'attest_reserves', ramp.AttestArgs, { currency: 'USDX', amount: 14_000n * UNIT, reference: 'audit Q1' })));
  t.match(await reserve(c), { attested: 14_000n * UNIT, depositsInFlight: 0n });
  failsWith(t, await c.run(dep(c, 'e2e-0005', UNIT, addr(K.bob))), 'RESERVE_EXCEEDED', 'supply 15,000.01 > reserves 14,000');
  failsWith(t, await c.run(dep(c, 'e2e-0005', UNIT, addr(K.bob))), 'RESERVE_EXCEEDED', 'the reference was not consumed by the failed deposit');
  ok(t, await c.run(c.tx(K.reg, 'ramp', 'attest_reserves', ramp.AttestArgs, { currency: 'USDX', amount: 16_000n * UNIT, reference: 'audit Q2' })));
  ok(t, await c.run(dep(c, 'e2e-0005', UNIT, addr(K.bob))));
  failsWith(t, await c.run(dep(c, 'e2e-0006', 2_000n * UNIT, addr(K.carol))), 'HOLDING_LIMIT', 'tier limits apply to on-ramp credits');
});

t.test('off-ramp: burn, payout event, bank result; a failed payout returns the tokens', async (t) => {
  const c = await Chain.create();
  ok(t, await c.run(dep(c, 'in-1', 1_000n * UNIT, addr(K.bob))));
  const redeem = (amount: bigint, bank = addr(K.bankA)) => c.tx(K.bob, 'ramp', 'redeem', ramp.RedeemArgs, { currency: 'USDX', amount, bank, bankAccountId: 'BOB-IBAN' });
  const r = await c.run(redeem(300n * UNIT));
  ok(t, r);
  const { id } = decode(ramp.RampIdResult, r.result);
  t.match(decode(ramp.PayoutRequestedEvent, r.events.find((e) => e.name === 'payout_requested')!.data), { id, bankAccountId: 'BOB-IBAN', amount: 300n * UNIT });
  t.equal(await c.balance(K.bob, 'USDX'), 700n * UNIT);
  t.equal(await c.supply('USDX'), 10_700n * UNIT, 'burned');
  t.equal((await reserve(c)).payoutsInFlight, 300n * UNIT);
  failsWith(t, await c.run(redeem(UNIT, addr(K.alice))), 'NOT_A_BANK');
  failsWith(t, await c.run(redeem(10_000n * UNIT)), 'INSUFFICIENT_FUNDS');
  const result = (pid: number, okd: boolean, by = K.bankA) => c.tx(by, 'ramp', 'payout_result', ramp.PayoutResultArgs, { id: pid, ok: okd, reason: okd ? '' : 'account closed' });
  failsWith(t, await c.run(result(id, false, K.bankB)), 'NOT_PAYOUT_BANK');
  failsWith(t, await c.run(result(99, false)), 'PAYOUT_NOT_FOUND');
  // The holder is frozen meanwhile: the returned tokens still come back.
  ok(t, await c.run(c.tx(K.reg, 'account', 'freeze', account.FreezeArgs, { account: addr(K.bob), legalRef: 'x' })));
  ok(t, await c.run(result(id, false)));
  t.equal(await c.balance(K.bob, 'USDX'), 1_000n * UNIT, 'returned');
  t.equal(await c.supply('USDX'), 11_000n * UNIT);
  t.equal(decode(PayoutSchema, (await c.state.get(Keys.payout(id)))!).status, PayoutStatus.FAILED);
  failsWith(t, await c.run(result(id, true)), 'PAYOUT_SETTLED');
  ok(t, await c.run(c.tx(K.reg, 'account', 'unfreeze', account.FreezeArgs, { account: addr(K.bob), legalRef: 'x' })));
  const r2 = await c.run(redeem(100n * UNIT));
  const id2 = decode(ramp.RampIdResult, r2.result).id;
  t.equal(id2, id + 1);
  const att = (await reserve(c)).attested;
  ok(t, await c.run(result(id2, true)));
  t.match(await reserve(c), { attested: att - 100n * UNIT, payoutsInFlight: 0n }, 'a paid payout leaves the reserve');
  t.equal(c.sumBalances('USDX'), await c.supply('USDX'));
});
