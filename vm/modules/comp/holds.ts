/**
 * Held payments: a hold rule parks a payment's funds at the hold's escrow address (money
 * credits it instead of the payee; records.ts holdEscrow), so supply stays the sum of
 * balances. A compliance officer decides, with a reason: a regulator, or the commercial bank
 * of the payer or of the payee. `release_hold` pays the payee from the escrow (the payee's
 * holding limits apply then: a release they refuse fails, and the officer may refuse the
 * hold instead); `refuse_hold` returns the funds to the payer (even a frozen one, with no
 * limits: they were its own).
 */
import { str, struct, toHex, uint } from '../../../core/index.js';
import { fail } from '../../errors.js';
import { method, type Payment } from '../../module.js';
import type { TxContext } from '../../context.js';
import { nextId } from '../../lib/ids.js';
import { AccountKind, type Account } from '../account/records.js';
import { getAccount } from '../account/accounts.js';
import { Role } from '../gov/records.js';
import { hasRole } from '../gov/roles.js';
import { getCurrency } from '../money/currencies.js';
import { balanceOf, credit, debit } from '../money/ledger.js';
import { CompIndexes, CompIndexKey, CompKeys, distinct, holdEscrow, HoldSchema, HoldStatus, type Hold } from './records.js';
import { u64be } from '../../keys.js';
import { HookEvents as E } from './events.js';

export const HoldDecisionArgs = struct('CompHoldDecision', { id: uint, reason: str(256) });

/** The bank whose customer an account is: its opening bank; an institution is its own. */
export function bankOf(addr: Uint8Array, acct: Account | undefined): Uint8Array | null {
  if (acct === undefined) return null;
  if (acct.bank !== null) return acct.bank;
  return acct.kind === AccountKind.INSTITUTION ? addr : null;
}

/** Record a hold of payment `p` by rule `rule`; returns the escrow address its funds go to. */
export async function openHold(ctx: TxContext, p: Payment, rule: string, fromBank: Uint8Array | null, toBank: Uint8Array | null): Promise<Uint8Array> {
  const id = await nextId(ctx, CompKeys.holdSeq());
  const escrow = holdEscrow(id);
  const h: Hold = {
    id, type: p.type, from: p.from, to: p.to, currency: p.currency, amount: p.amount, rule, fromBank, toBank, status: HoldStatus.HELD, reason: '', decidedBy: null,
    height: ctx.block.height, decidedHeight: 0,
  };
  ctx.put(HoldSchema, CompKeys.hold(id), h);
  ctx.emit(E.held, { id, rule, from: p.from, to: p.to, amount: p.amount, currency: p.currency, escrow });
  for (const b of distinct([fromBank, toBank])) ctx.index(CompIndexes.holdInstitution, CompIndexKey.holdInstitution(b, ctx.block.time, ctx.indexEntries.length), u64be(id));
  return escrow;
}

/** The open hold `id`, if the signer may decide it. */
async function decidable(ctx: TxContext, id: number): Promise<Hold> {
  const h = await ctx.get(HoldSchema, CompKeys.hold(id));
  if (h === undefined) fail('HOLD_NOT_FOUND', `no hold ${id}`);
  if (h.status !== HoldStatus.HELD) fail('HOLD_SETTLED', `hold ${id} is ${h.status === HoldStatus.RELEASED ? 'released' : 'refused'} already`);
  const me = toHex(ctx.signer);
  const ownBank = [h.fromBank, h.toBank].some((b) => b !== null && toHex(b) === me) && (await hasRole(ctx, ctx.signer, Role.COMMERCIAL_BANK));
  if (!ownBank && !(await hasRole(ctx, ctx.signer, Role.REGULATOR))) fail('NOT_HOLD_OFFICER', `${me} is neither a regulator nor the bank of the payer or payee of hold ${id}`);
  return h;
}

/**
 * Pay out what the hold's escrow holds: the payment's amount, less any tax withheld from the
 * payee when the payment was made (module tax levies at the moment of payment; the escrow
 * was credited the net).
 */
async function settle(ctx: TxContext, h: Hold, release: boolean, reason: string): Promise<void> {
  const cur = await getCurrency(ctx, h.currency);
  const escrow = holdEscrow(h.id);
  const held = await balanceOf(ctx, escrow, h.currency);
  if (held > 0n) {
    await debit(ctx, cur, escrow, null, held, { limits: false });
    if (release) await credit(ctx, cur, h.to, await getAccount(ctx, h.to), held, { limits: true, waterfall: true });
    else await credit(ctx, cur, h.from, await getAccount(ctx, h.from), held, { limits: false, waterfall: false, force: true });
  }
  const status = release ? HoldStatus.RELEASED : HoldStatus.REFUSED;
  ctx.put(HoldSchema, CompKeys.hold(h.id), { ...h, status, reason, decidedBy: ctx.signer, decidedHeight: ctx.block.height });
  ctx.emit(release ? E.hold_released : E.hold_refused, { id: h.id, from: h.from, to: h.to, amount: held, currency: h.currency, by: ctx.signer, reason });
}

export const holdMethods = {
  release_hold: method(HoldDecisionArgs, "a regulator, or the bank of the payer or payee, releases a held payment to its payee (the payee's limits apply), with a reason", async (ctx, a) => {
    await settle(ctx, await decidable(ctx, a.id), true, a.reason);
  }, { fails: ['HOLD_NOT_FOUND', 'HOLD_SETTLED', 'NOT_HOLD_OFFICER', 'ACCOUNT_FROZEN', 'ACCOUNT_CLOSED', 'HOLDING_LIMIT', 'TIER_NOT_ALLOWED', 'BANK_LIMIT'] }),
  refuse_hold: method(HoldDecisionArgs, 'a regulator, or the bank of the payer or payee, refuses a held payment: its funds return to the payer, with a reason', async (ctx, a) => {
    await settle(ctx, await decidable(ctx, a.id), false, a.reason);
  }, { fails: ['HOLD_NOT_FOUND', 'HOLD_SETTLED', 'NOT_HOLD_OFFICER'] }),
};
