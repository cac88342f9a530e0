/**
 * The ramp module's methods: virtual accounts, reserve attestations, on-ramp deposits and
 * off-ramp redemptions with their payout results.
 */
import { equalBytes, addressField, amount, bool, encode, optional, str, struct, toHex, uint } from '../../../core/index.js';
import { fail } from '../../errors.js';
import { event, method } from '../../module.js';
import type { TxContext } from '../../context.js';
import { nextId } from '../../lib/ids.js';
import { getAccount } from '../account/accounts.js';
import { Role } from '../gov/records.js';
import { hasRole, requireRole } from '../gov/roles.js';
import { currencyCode, CurrencyKind, CurrencySchema, MoneyKeys, type Currency } from '../money/records.js';
import { getCurrency, liveCurrency, supplyAfter } from '../money/currencies.js';
import { credit, debit } from '../money/ledger.js';
import { mintTo } from '../money/methods.js';
import { PayoutSchema, PayoutStatus, RampKeys, UsedReferenceSchema, VirtualAccountSchema } from './records.js';
import { getReserve, putReserve } from './reserve.js';

const hex = toHex;
const bankAccountId = str(64);
const bankRef = str(64);

export const LinkArgs = struct('RampLink', { bankAccountId, account: addressField });
export const UnlinkArgs = struct('RampUnlink', { bankAccountId });
export const AttestArgs = struct('RampAttest', { currency: currencyCode, amount, reference: str(64) });
export const DepositArgs = struct('RampDeposit', { currency: currencyCode, amount, bankRef, to: optional(addressField), bankAccountId });
export const RedeemArgs = struct('RampRedeem', { currency: currencyCode, amount, bank: addressField, bankAccountId });
export const PayoutResultArgs = struct('RampPayoutResult', { id: uint, ok: bool, reason: str(128) });
export const RampIdResult = struct('RampIdResult', { id: uint });

export const VirtualEvent = struct('VirtualEvent', { bank: addressField, bankAccountId, account: addressField, linked: bool });
export const AttestEvent = struct('AttestEvent', { currency: currencyCode, amount, reference: str(64), by: addressField });
export const DepositEvent = struct('DepositEvent', { currency: currencyCode, bank: addressField, bankRef, account: addressField, amount });
export const PayoutRequestedEvent = struct('PayoutRequested', { id: uint, currency: currencyCode, holder: addressField, bank: addressField, bankAccountId, amount });
export const PayoutSettledEvent = struct('PayoutSettled', { id: uint, ok: bool, reason: str(128) });

export const RampEvents = {
  virtual_linked: event('ramp', 'virtual_linked', VirtualEvent, "a bank's account id mapped to a ledger account"),
  virtual_unlinked: event('ramp', 'virtual_unlinked', VirtualEvent, 'a mapping removed'),
  reserves_attested: event('ramp', 'reserves_attested', AttestEvent, "a stablecoin's reserves attested"),
  deposited: event('ramp', 'deposited', DepositEvent, 'a deposit the bank attests, minted to the account'),
  payout_requested: event('ramp', 'payout_requested', PayoutRequestedEvent, "a holder's redemption: what the bank's core system pays out"),
  payout_settled: event('ramp', 'payout_settled', PayoutSettledEvent, 'the bank reported the payout paid or failed'),
};
const E = RampEvents;

async function stablecoin(ctx: TxContext, code: string): Promise<Currency> {
  const cur = await liveCurrency(ctx, code);
  if (cur.kind !== CurrencyKind.STABLECOIN) fail('WRONG_CURRENCY_KIND', `${code} is not a stablecoin`);
  return cur;
}

export const rampMethods = {
  link_virtual: method(LinkArgs, 'a commercial bank maps one of its account ids to a ledger account (ids are per bank)', async (ctx, a) => {
    await requireRole(ctx, Role.COMMERCIAL_BANK);
    await getAccount(ctx, a.account);
    const key = RampKeys.virtualAccount(ctx.signer, a.bankAccountId);
    if ((await ctx.get(VirtualAccountSchema, key)) !== undefined) fail('VIRTUAL_ACCOUNT_EXISTS', `bank account id "${a.bankAccountId}" is mapped`);
    ctx.put(VirtualAccountSchema, key, a);
    ctx.emit(E.virtual_linked, { bank: ctx.signer, bankAccountId: a.bankAccountId, account: a.account, linked: true });
  }, { roles: Role.COMMERCIAL_BANK, fails: ['NOT_AUTHORIZED', 'ACCOUNT_NOT_FOUND', 'VIRTUAL_ACCOUNT_EXISTS'] }),
  unlink_virtual: method(UnlinkArgs, 'a commercial bank removes one of its mappings', async (ctx, a) => {
    await requireRole(ctx, Role.COMMERCIAL_BANK);
    const key = RampKeys.virtualAccount(ctx.signer, a.bankAccountId);
    const v = await ctx.get(VirtualAccountSchema, key);
    if (v === undefined) fail('VIRTUAL_ACCOUNT_NOT_FOUND', `bank account id "${a.bankAccountId}" is not mapped`);
    ctx.delete(key);
    ctx.emit(E.virtual_unlinked, { bank: ctx.signer, bankAccountId: a.bankAccountId, account: v.account, linked: false });
  }, { roles: Role.COMMERCIAL_BANK, fails: ['NOT_AUTHORIZED', 'VIRTUAL_ACCOUNT_NOT_FOUND'] }),
  attest_reserves: method(AttestArgs, "a regulator or the central bank attests a stablecoin's reserves", async (ctx, a) => {
    await requireRole(ctx, Role.REGULATOR | Role.CENTRAL_BANK);
    const cur = await getCurrency(ctx, a.currency);
    if (cur.kind !== CurrencyKind.STABLECOIN) fail('WRONG_CURRENCY_KIND', `${a.currency} is not a stablecoin`);
    const r = await getReserve(ctx, a.currency);
    putReserve(ctx, a.currency, { ...r, attested: a.amount, depositsInFlight: 0n, attestedAt: ctx.block.time });
    ctx.emit(E.reserves_attested, { ...a, by: ctx.signer });
  }, { roles: Role.REGULATOR | Role.CENTRAL_BANK, fails: ['NOT_AUTHORIZED', 'UNKNOWN_CURRENCY', 'WRONG_CURRENCY_KIND'] }),
  deposit: method(DepositArgs, 'a commercial bank mints a stablecoin against a deposit it attests, citing its unique reference (to: the account, or null to use the bank account id)', async (ctx, a) => {
    if (a.amount === 0n) fail('ZERO_AMOUNT', 'amount must be positive');
    await requireRole(ctx, Role.COMMERCIAL_BANK);
    const cur = await stablecoin(ctx, a.currency);
    const refKey = RampKeys.bankRef(ctx.signer, a.bankRef);
    if ((await ctx.get(UsedReferenceSchema, refKey)) !== undefined) fail('REFERENCE_USED', `bank reference "${a.bankRef}" was already used`);
    let to = a.to;
    if (to === null) {
      const v = await ctx.get(VirtualAccountSchema, RampKeys.virtualAccount(ctx.signer, a.bankAccountId));
      if (v === undefined) fail('VIRTUAL_ACCOUNT_NOT_FOUND', `bank account id "${a.bankAccountId}" is not mapped`);
      to = v.account;
    }
    ctx.put(UsedReferenceSchema, refKey, { height: ctx.block.height, txHash: ctx.txHash });
    const r = await getReserve(ctx, a.currency);
    putReserve(ctx, a.currency, { ...r, depositsInFlight: r.depositsInFlight + a.amount });
    await mintTo(ctx, cur, to, a.amount);
    ctx.emit(E.deposited, { currency: a.currency, bank: ctx.signer, bankRef: a.bankRef, account: to, amount: a.amount });
  }, { roles: Role.COMMERCIAL_BANK, fails: ['ZERO_AMOUNT', 'NOT_AUTHORIZED', 'UNKNOWN_CURRENCY', 'CURRENCY_PAUSED', 'WRONG_CURRENCY_KIND', 'REFERENCE_USED', 'VIRTUAL_ACCOUNT_NOT_FOUND', 'RESERVE_EXCEEDED'] }),
  redeem: method(RedeemArgs, 'a holder burns a stablecoin for a fiat payout by a commercial bank; result: [payout id]', async (ctx, a) => {
    if (a.amount === 0n) fail('ZERO_AMOUNT', 'amount must be positive');
    const cur = await stablecoin(ctx, a.currency);
    if (!(await hasRole(ctx, a.bank, Role.COMMERCIAL_BANK))) fail('NOT_A_BANK', `${hex(a.bank)} is not a commercial bank`);
    await debit(ctx, cur, ctx.signer, await getAccount(ctx, ctx.signer), a.amount, { limits: true });
    ctx.put(CurrencySchema, MoneyKeys.currency(a.currency), { ...cur, supply: supplyAfter(cur, -a.amount) });
    const r = await getReserve(ctx, a.currency);
    putReserve(ctx, a.currency, { ...r, payoutsInFlight: r.payoutsInFlight + a.amount });
    const id = await nextId(ctx, RampKeys.payoutSeq());
    ctx.put(PayoutSchema, RampKeys.payout(id), {
      id, currency: a.currency, holder: ctx.signer, bank: a.bank, bankAccountId: a.bankAccountId, amount: a.amount, status: PayoutStatus.PENDING,
    });
    ctx.emit(E.payout_requested, { id, currency: a.currency, holder: ctx.signer, bank: a.bank, bankAccountId: a.bankAccountId, amount: a.amount });
    return encode(RampIdResult, { id });
  }, { fails: ['ZERO_AMOUNT', 'WRONG_CURRENCY_KIND', 'NOT_A_BANK', 'INSUFFICIENT_FUNDS'], result: RampIdResult }),
  payout_result: method(PayoutResultArgs, "the payout's bank reports it paid or failed (failed: the tokens return)", async (ctx, a) => {
    const p = await ctx.get(PayoutSchema, RampKeys.payout(a.id));
    if (p === undefined) fail('PAYOUT_NOT_FOUND', `no payout ${a.id}`);
    if (!equalBytes(p.bank, ctx.signer)) fail('NOT_PAYOUT_BANK', `payout ${a.id} is for bank ${hex(p.bank)}`);
    if (p.status !== PayoutStatus.PENDING) fail('PAYOUT_SETTLED', `payout ${a.id} is settled`);
    const r = await getReserve(ctx, p.currency);
    if (a.ok) {
      putReserve(ctx, p.currency, { ...r, payoutsInFlight: r.payoutsInFlight - p.amount, attested: r.attested > p.amount ? r.attested - p.amount : 0n });
    } else {
      putReserve(ctx, p.currency, { ...r, payoutsInFlight: r.payoutsInFlight - p.amount });
      const cur = await getCurrency(ctx, p.currency);
      ctx.put(CurrencySchema, MoneyKeys.currency(p.currency), { ...cur, supply: supplyAfter(cur, p.amount) });
      // The holder held these tokens a moment ago: returned outside the holding limits.
      await credit(ctx, cur, p.holder, await getAccount(ctx, p.holder), p.amount, { limits: false, waterfall: false, force: true });
    }
    ctx.put(PayoutSchema, RampKeys.payout(a.id), { ...p, status: a.ok ? PayoutStatus.PAID : PayoutStatus.FAILED });
    ctx.emit(E.payout_settled, a);
  }, { fails: ['PAYOUT_NOT_FOUND', 'NOT_PAYOUT_BANK', 'PAYOUT_SETTLED'] }),
};
