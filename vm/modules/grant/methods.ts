/**
 * The grant module's methods: issue a grant, spend from it at an account of its category,
 * reclaim what is left after the expiry.
 */
import { addressField, amount, encode, equalBytes, str, struct, uint } from '../../../core/index.js';
import { fail } from '../../errors.js';
import { event, method } from '../../module.js';
import type { TxContext } from '../../context.js';
import { escrowAddress, nextId } from '../../lib/ids.js';
import { getAccount, requireActive } from '../account/accounts.js';
import { Role } from '../gov/records.js';
import { requireRole } from '../gov/roles.js';
import { currencyCode, type Currency } from '../money/records.js';
import { getCurrency, liveCurrency } from '../money/currencies.js';
import { credit, debit } from '../money/ledger.js';
import { GrantKeys, GrantSchema, type Grant } from './records.js';

export const IssueGrantArgs = struct('GrantIssue', { currency: currencyCode, holder: addressField, amount, category: str(32), expiresAt: uint });
export const SpendGrantArgs = struct('GrantSpend', { id: uint, to: addressField, amount, memo: str(140) });
export const GrantIdArgs = struct('GrantId', { id: uint });
export const GrantIdResult = struct('GrantIdResult', { id: uint });
export const GrantEvent = struct('GrantEvent', { id: uint, currency: currencyCode, account: addressField, amount, remaining: amount });

export const GrantEvents = {
  issued: event('grant', 'issued', GrantEvent, 'funds granted to a holder (account)'),
  spent: event('grant', 'spent', GrantEvent, 'the holder paid from the grant (account: the payee)'),
  reclaimed: event('grant', 'reclaimed', GrantEvent, 'the rest returned to the grantor (account)'),
};

async function getGrant(ctx: TxContext, id: number): Promise<Grant> {
  const g = await ctx.get(GrantSchema, GrantKeys.grant(id));
  if (g === undefined) fail('GRANT_NOT_FOUND', `no grant ${id}`);
  return g;
}

/**
 * Open a grant of `amt` (already debited from wherever it came) for `holder`: the funds go to
 * the grant's escrow, spendable at accounts of `category` until `expiresAt`, and what is left
 * after returns to `grantor`. The public-finance module pays purpose-bound benefits this way.
 */
export async function openGrant(ctx: TxContext, cur: Currency, grantor: Uint8Array, holder: Uint8Array, category: string, expiresAt: number, amt: bigint): Promise<number> {
  const id = await nextId(ctx, GrantKeys.grantSeq());
  await fundGrant(ctx, cur, id, grantor, holder, category, expiresAt, amt);
  return id;
}

/** Grant `id` (a fresh id) of `amt`: its escrow credited, its record written, its event. */
async function fundGrant(ctx: TxContext, cur: Currency, id: number, grantor: Uint8Array, holder: Uint8Array, category: string, expiresAt: number, amt: bigint): Promise<void> {
  await credit(ctx, cur, escrowAddress('grant', id), null, amt, { limits: false, waterfall: false });
  ctx.put(GrantSchema, GrantKeys.grant(id), { id, currency: cur.code, grantor, holder, category, expiresAt, remaining: amt });
  ctx.emit(GrantEvents.issued, { id, currency: cur.code, account: holder, amount: amt, remaining: amt });
}

export const grantMethods = {
  issue: method(IssueGrantArgs, 'an agency, the central bank or an issuer grants purpose-bound funds from its balance', async (ctx, a) => {
    await requireRole(ctx, Role.AGENCY | Role.CENTRAL_BANK | Role.ISSUER);
    if (a.amount === 0n) fail('ZERO_AMOUNT', 'amount must be positive');
    if (a.category === '') fail('CATEGORY_MISMATCH', 'a grant needs a category');
    if (a.expiresAt <= ctx.block.time || a.expiresAt > ctx.block.time + ctx.params.max_lock_ms) {
      fail('BAD_LOCK', `expiry must be after block time and at most ${ctx.params.max_lock_ms} ms ahead`);
    }
    const cur = await liveCurrency(ctx, a.currency);
    const holder = await getAccount(ctx, a.holder);
    requireActive(holder, a.holder);
    const id = await nextId(ctx, GrantKeys.grantSeq());
    await debit(ctx, cur, ctx.signer, await getAccount(ctx, ctx.signer), a.amount, { limits: true });
    await fundGrant(ctx, cur, id, ctx.signer, a.holder, a.category, a.expiresAt, a.amount);
    return encode(GrantIdResult, { id });
  }, { roles: Role.AGENCY | Role.CENTRAL_BANK | Role.ISSUER, fails: ['NOT_AUTHORIZED', 'ZERO_AMOUNT', 'CATEGORY_MISMATCH', 'BAD_LOCK', 'UNKNOWN_CURRENCY', 'CURRENCY_PAUSED', 'ACCOUNT_NOT_FOUND', 'ACCOUNT_FROZEN', 'INSUFFICIENT_FUNDS'], result: GrantIdResult }),
  spend: method(SpendGrantArgs, "the holder pays from a grant to an account of the grant's category", async (ctx, a) => {
    const g = await getGrant(ctx, a.id);
    if (!equalBytes(g.holder, ctx.signer)) fail('NOT_GRANT_HOLDER', `grant ${a.id} is not yours`);
    if (ctx.block.time > g.expiresAt) fail('GRANT_EXPIRED', `grant ${a.id} expired at ${g.expiresAt}`);
    if (a.amount === 0n) fail('ZERO_AMOUNT', 'amount must be positive');
    if (a.amount > g.remaining) fail('INSUFFICIENT_FUNDS', `grant ${a.id} has ${g.remaining} left`);
    requireActive(await getAccount(ctx, ctx.signer), ctx.signer);
    const cur = await liveCurrency(ctx, g.currency);
    const to = await getAccount(ctx, a.to);
    if (to.category !== g.category) fail('CATEGORY_MISMATCH', `grant ${a.id} is spendable only at "${g.category}" accounts`);
    await debit(ctx, cur, escrowAddress('grant', g.id), null, a.amount, { limits: false });
    await credit(ctx, cur, a.to, to, a.amount, { limits: true, waterfall: true });
    const remaining = g.remaining - a.amount;
    ctx.put(GrantSchema, GrantKeys.grant(g.id), { ...g, remaining });
    ctx.emit(GrantEvents.spent, { id: g.id, currency: g.currency, account: a.to, amount: a.amount, remaining });
  }, { fails: ['GRANT_NOT_FOUND', 'NOT_GRANT_HOLDER', 'GRANT_EXPIRED', 'ZERO_AMOUNT', 'INSUFFICIENT_FUNDS', 'CATEGORY_MISMATCH', 'ACCOUNT_FROZEN'] }),
  reclaim: method(GrantIdArgs, 'anyone, after the expiry: what is left returns to the grantor', async (ctx, a) => {
    const g = await getGrant(ctx, a.id);
    if (ctx.block.time <= g.expiresAt) fail('GRANT_NOT_EXPIRED', `grant ${a.id} runs until ${g.expiresAt}`);
    if (g.remaining === 0n) fail('ZERO_AMOUNT', `grant ${a.id} has nothing left`);
    const cur = await getCurrency(ctx, g.currency);
    await debit(ctx, cur, escrowAddress('grant', g.id), null, g.remaining, { limits: false });
    await credit(ctx, cur, g.grantor, await getAccount(ctx, g.grantor), g.remaining, { limits: false, waterfall: false, force: true });
    ctx.put(GrantSchema, GrantKeys.grant(g.id), { ...g, remaining: 0n });
    ctx.emit(GrantEvents.reclaimed, { id: g.id, currency: g.currency, account: g.grantor, amount: g.remaining, remaining: 0n });
  }, { fails: ['GRANT_NOT_FOUND', 'GRANT_NOT_EXPIRED', 'ZERO_AMOUNT'] }),
};
