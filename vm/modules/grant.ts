/**
 * Module `grant`: purpose-bound, expiring funds (a welfare grant). An agency, the central
 * bank or an issuer moves funds from its own balance into a grant for a holder: spendable
 * only at accounts of the grant's category, until the expiry (block time); after it,
 * anyone may return what is left to the grantor. The funds sit at the grant's escrow address,
 * so supply stays the sum of balances.
 */
import { addressField, amount, encode, equalBytes, str, struct, uint } from '../../core/index.js';
import { fail } from '../errors.js';
import { Keys } from '../keys.js';
import { method, type ModuleDef } from '../module.js';
import { currencyCode, GrantSchema, Role, type Grant } from '../records.js';
import type { TxContext } from '../context.js';
import { escrowAddress, getAccount, getCurrency, liveCurrency, nextId, requireActive, requireRole } from './common.js';
import { credit, debit } from './ledger.js';

export const IssueGrantArgs = struct('GrantIssue', { currency: currencyCode, holder: addressField, amount, category: str(32), expiresAt: uint });
export const SpendGrantArgs = struct('GrantSpend', { id: uint, to: addressField, amount, memo: str(140) });
export const GrantIdArgs = struct('GrantId', { id: uint });
export const GrantIdResult = struct('GrantIdResult', { id: uint });
export const GrantEvent = struct('GrantEvent', { id: uint, currency: currencyCode, account: addressField, amount, remaining: amount });

async function getGrant(ctx: TxContext, id: number): Promise<Grant> {
  const g = await ctx.get(GrantSchema, Keys.grant(id));
  if (g === undefined) fail('GRANT_NOT_FOUND', `no grant ${id}`);
  return g;
}

export const grantModule = {
  name: 'grant',
  methods: {
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
      const id = await nextId(ctx, Keys.grantSeq());
      await debit(ctx, cur, ctx.signer, await getAccount(ctx, ctx.signer), a.amount, { limits: true });
      await credit(ctx, cur, escrowAddress('grant', id), null, a.amount, { limits: false, waterfall: false });
      ctx.put(GrantSchema, Keys.grant(id), { id, currency: a.currency, grantor: ctx.signer, holder: a.holder, category: a.category, expiresAt: a.expiresAt, remaining: a.amount });
      ctx.emit('grant', 'issued', GrantEvent, { id, currency: a.currency, account: a.holder, amount: a.amount, remaining: a.amount });
      return encode(GrantIdResult, { id });
    }),
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
      ctx.put(GrantSchema, Keys.grant(g.id), { ...g, remaining });
      ctx.emit('grant', 'spent', GrantEvent, { id: g.id, currency: g.currency, account: a.to, amount: a.amount, remaining });
    }),
    reclaim: method(GrantIdArgs, 'anyone, after the expiry: what is left returns to the grantor', async (ctx, a) => {
      const g = await getGrant(ctx, a.id);
      if (ctx.block.time <= g.expiresAt) fail('GRANT_NOT_EXPIRED', `grant ${a.id} runs until ${g.expiresAt}`);
      if (g.remaining === 0n) fail('ZERO_AMOUNT', `grant ${a.id} has nothing left`);
      const cur = await getCurrency(ctx, g.currency);
      await debit(ctx, cur, escrowAddress('grant', g.id), null, g.remaining, { limits: false });
      await credit(ctx, cur, g.grantor, await getAccount(ctx, g.grantor), g.remaining, { limits: false, waterfall: false, force: true });
      ctx.put(GrantSchema, Keys.grant(g.id), { ...g, remaining: 0n });
      ctx.emit('grant', 'reclaimed', GrantEvent, { id: g.id, currency: g.currency, account: g.grantor, amount: g.remaining, remaining: 0n });
    }),
  },
} satisfies ModuleDef;
