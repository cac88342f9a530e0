/**
 * Module `ramp`: banks' on- and off-ramps for stablecoins, and virtual accounts.
 * - A commercial bank maps its own account identifiers to ledger accounts (virtual accounts).
 * - On-ramp: a bank attests a customer's deposit, citing its own reference for it (ISO 20022
 *   UETR or end-to-end id); the stablecoin is minted to the customer's ledger account (given
 *   directly or through the bank's virtual account id). A bank's reference is usable once.
 * - Off-ramp: a holder burns tokens asking a bank to pay them out to a bank account; the
 *   `payout_requested` event is what the bank's core system acts on; the bank reports the
 *   result, and on failure the tokens come back to the holder.
 * - A regulator or the central bank attests each stablecoin's reserves (reserve.ts).
 */
import { equalBytes, addressField, amount, bool, encode, optional, str, struct, uint } from '../../core/index.js';
import { fail } from '../errors.js';
import { Keys } from '../keys.js';
import { method, type ModuleDef } from '../module.js';
import {
  currencyCode, CurrencyKind, CurrencySchema, PayoutSchema, PayoutStatus, Role, UsedReferenceSchema, VirtualAccountSchema, type Currency,
} from '../records.js';
import type { TxContext } from '../context.js';
import { getAccount, getCurrency, hasRole, hex, liveCurrency, nextId, requireRole } from './common.js';
import { credit, debit, supplyAfter } from './ledger.js';
import { mintTo } from './money.js';
import { getReserve, putReserve } from './reserve.js';

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

async function stablecoin(ctx: TxContext, code: string): Promise<Currency> {
  const cur = await liveCurrency(ctx, code);
  if (cur.kind !== CurrencyKind.STABLECOIN) fail('WRONG_CURRENCY_KIND', `${code} is not a stablecoin`);
  return cur;
}

export const rampModule = {
  name: 'ramp',
  methods: {
    link_virtual: method(LinkArgs, 'a commercial bank maps one of its account ids to a ledger account', async (ctx, a) => {
      await requireRole(ctx, Role.COMMERCIAL_BANK);
      await getAccount(ctx, a.account);
      const key = Keys.virtual(ctx.signer, a.bankAccountId);
      if ((await ctx.get(VirtualAccountSchema, key)) !== undefined) fail('VIRTUAL_ACCOUNT_EXISTS', `bank account id "${a.bankAccountId}" is mapped`);
      ctx.put(VirtualAccountSchema, key, a);
      ctx.emit('ramp', 'virtual_linked', VirtualEvent, { bank: ctx.signer, bankAccountId: a.bankAccountId, account: a.account, linked: true });
    }),
    unlink_virtual: method(UnlinkArgs, 'a commercial bank removes one of its mappings', async (ctx, a) => {
      await requireRole(ctx, Role.COMMERCIAL_BANK);
      const key = Keys.virtual(ctx.signer, a.bankAccountId);
      const v = await ctx.get(VirtualAccountSchema, key);
      if (v === undefined) fail('VIRTUAL_ACCOUNT_NOT_FOUND', `bank account id "${a.bankAccountId}" is not mapped`);
      ctx.delete(key);
      ctx.emit('ramp', 'virtual_unlinked', VirtualEvent, { bank: ctx.signer, bankAccountId: a.bankAccountId, account: v.account, linked: false });
    }),
    attest_reserves: method(AttestArgs, "a regulator or the central bank attests a stablecoin's reserves", async (ctx, a) => {
      await requireRole(ctx, Role.REGULATOR | Role.CENTRAL_BANK);
      const cur = await getCurrency(ctx, a.currency);
      if (cur.kind !== CurrencyKind.STABLECOIN) fail('WRONG_CURRENCY_KIND', `${a.currency} is not a stablecoin`);
      const r = await getReserve(ctx, a.currency);
      putReserve(ctx, a.currency, { ...r, attested: a.amount, depositsInFlight: 0n, attestedAt: ctx.block.time });
      ctx.emit('ramp', 'reserves_attested', AttestEvent, { ...a, by: ctx.signer });
    }),
    deposit: method(DepositArgs, 'a commercial bank mints a stablecoin against a deposit it attests, citing its unique reference', async (ctx, a) => {
      if (a.amount === 0n) fail('ZERO_AMOUNT', 'amount must be positive');
      await requireRole(ctx, Role.COMMERCIAL_BANK);
      const cur = await stablecoin(ctx, a.currency);
      const refKey = Keys.bankRef(ctx.signer, a.bankRef);
      if ((await ctx.get(UsedReferenceSchema, refKey)) !== undefined) fail('REFERENCE_USED', `bank reference "${a.bankRef}" was already used`);
      let to = a.to;
      if (to === null) {
        const v = await ctx.get(VirtualAccountSchema, Keys.virtual(ctx.signer, a.bankAccountId));
        if (v === undefined) fail('VIRTUAL_ACCOUNT_NOT_FOUND', `bank account id "${a.bankAccountId}" is not mapped`);
        to = v.account;
      }
      ctx.put(UsedReferenceSchema, refKey, { height: ctx.block.height, txHash: ctx.txHash });
      const r = await getReserve(ctx, a.currency);
      putReserve(ctx, a.currency, { ...r, depositsInFlight: r.depositsInFlight + a.amount });
      await mintTo(ctx, cur, to, a.amount);
      ctx.emit('ramp', 'deposited', DepositEvent, { currency: a.currency, bank: ctx.signer, bankRef: a.bankRef, account: to, amount: a.amount });
    }),
    redeem: method(RedeemArgs, 'a holder burns a stablecoin for a fiat payout by a commercial bank', async (ctx, a) => {
      if (a.amount === 0n) fail('ZERO_AMOUNT', 'amount must be positive');
      const cur = await stablecoin(ctx, a.currency);
      if (!(await hasRole(ctx, a.bank, Role.COMMERCIAL_BANK))) fail('NOT_A_BANK', `${hex(a.bank)} is not a commercial bank`);
      await debit(ctx, cur, ctx.signer, await getAccount(ctx, ctx.signer), a.amount, { limits: true });
      ctx.put(CurrencySchema, Keys.currency(a.currency), { ...cur, supply: supplyAfter(cur, -a.amount) });
      const r = await getReserve(ctx, a.currency);
      putReserve(ctx, a.currency, { ...r, payoutsInFlight: r.payoutsInFlight + a.amount });
      const id = await nextId(ctx, Keys.payoutSeq());
      ctx.put(PayoutSchema, Keys.payout(id), {
        id, currency: a.currency, holder: ctx.signer, bank: a.bank, bankAccountId: a.bankAccountId, amount: a.amount, status: PayoutStatus.PENDING,
      });
      ctx.emit('ramp', 'payout_requested', PayoutRequestedEvent, { id, currency: a.currency, holder: ctx.signer, bank: a.bank, bankAccountId: a.bankAccountId, amount: a.amount });
      return encode(RampIdResult, { id });
    }),
    payout_result: method(PayoutResultArgs, "the payout's bank reports it paid or failed (failed: the tokens return)", async (ctx, a) => {
      const p = await ctx.get(PayoutSchema, Keys.payout(a.id));
      if (p === undefined) fail('PAYOUT_NOT_FOUND', `no payout ${a.id}`);
      if (!equalBytes(p.bank, ctx.signer)) fail('NOT_PAYOUT_BANK', `payout ${a.id} is for bank ${hex(p.bank)}`);
      if (p.status !== PayoutStatus.PENDING) fail('PAYOUT_SETTLED', `payout ${a.id} is settled`);
      const r = await getReserve(ctx, p.currency);
      if (a.ok) {
        putReserve(ctx, p.currency, { ...r, payoutsInFlight: r.payoutsInFlight - p.amount, attested: r.attested > p.amount ? r.attested - p.amount : 0n });
      } else {
        putReserve(ctx, p.currency, { ...r, payoutsInFlight: r.payoutsInFlight - p.amount });
        const cur = await getCurrency(ctx, p.currency);
        ctx.put(CurrencySchema, Keys.currency(p.currency), { ...cur, supply: supplyAfter(cur, p.amount) });
        // The holder held these tokens a moment ago: returned outside the holding limits.
        await credit(ctx, cur, p.holder, await getAccount(ctx, p.holder), p.amount, { limits: false, waterfall: false, force: true });
      }
      ctx.put(PayoutSchema, Keys.payout(a.id), { ...p, status: a.ok ? PayoutStatus.PAID : PayoutStatus.FAILED });
      ctx.emit('ramp', 'payout_settled', PayoutSettledEvent, a);
    }),
  },
} satisfies ModuleDef;
