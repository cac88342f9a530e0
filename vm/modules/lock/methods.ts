/**
 * The lock module's methods: create, claim, release and refund a conditional payment.
 */
import { addressField, amount, bytes, bytes32, encode, equalBytes, optional, sha256, struct, toHex, u8, uint } from '../../../core/index.js';
import { fail } from '../../errors.js';
import { event, method } from '../../module.js';
import type { TxContext } from '../../context.js';
import { escrowAddress, nextId } from '../../lib/ids.js';
import { getAccount, requireActive } from '../account/accounts.js';
import { currencyCode } from '../money/records.js';
import { getCurrency, liveCurrency } from '../money/currencies.js';
import { credit, debit } from '../money/ledger.js';
import { LockKeys, LockKind, LockSchema, LockStatus, type Lock } from './records.js';

export const CreateLockArgs = struct('LockCreate', {
  kind: u8, currency: currencyCode, payee: addressField, amount, arbiter: optional(addressField), hashlock: optional(bytes32), expiresAt: uint,
});
export const ClaimArgs = struct('LockClaim', { id: uint, preimage: bytes({ max: 256 }) });
export const LockIdArgs = struct('LockId', { id: uint });
export const LockIdResult = struct('LockIdResult', { id: uint });
export const LockEvent = struct('LockEvent', { id: uint, kind: u8, currency: currencyCode, payer: addressField, payee: addressField, amount, status: u8 });

export const LockEvents = {
  created: event('lock', 'created', LockEvent, 'funds locked for a payee'),
  released: event('lock', 'released', LockEvent, 'a lock paid to its payee'),
  refunded: event('lock', 'refunded', LockEvent, 'a lock returned to its payer'),
};

async function openLock(ctx: TxContext, id: number): Promise<Lock> {
  const l = await ctx.get(LockSchema, LockKeys.lock(id));
  if (l === undefined) fail('LOCK_NOT_FOUND', `no lock ${id}`);
  if (l.status !== LockStatus.OPEN) fail('LOCK_SETTLED', `lock ${id} is settled`);
  return l;
}

async function settle(ctx: TxContext, l: Lock, toPayee: boolean): Promise<void> {
  const cur = await getCurrency(ctx, l.currency);
  await debit(ctx, cur, escrowAddress('lock', l.id), null, l.amount, { limits: false });
  if (toPayee) await credit(ctx, cur, l.payee, await getAccount(ctx, l.payee), l.amount, { limits: true, waterfall: true });
  else await credit(ctx, cur, l.payer, await getAccount(ctx, l.payer), l.amount, { limits: false, waterfall: false, force: true });
  const status = toPayee ? LockStatus.RELEASED : LockStatus.REFUNDED;
  ctx.put(LockSchema, LockKeys.lock(l.id), { ...l, status });
  ctx.emit(toPayee ? LockEvents.released : LockEvents.refunded, { id: l.id, kind: l.kind, currency: l.currency, payer: l.payer, payee: l.payee, amount: l.amount, status });
}

function notExpired(ctx: TxContext, l: Lock): void {
  if (ctx.block.time > l.expiresAt) fail('LOCK_EXPIRED', `lock ${l.id} expired at ${l.expiresAt}`);
}

export const lockMethods = {
  create: method(CreateLockArgs, 'any active account locks funds for a payee', async (ctx, a) => {
    if (a.amount === 0n) fail('ZERO_AMOUNT', 'amount must be positive');
    if (equalBytes(a.payee, ctx.signer)) fail('SELF_TRANSFER', 'cannot lock funds for yourself');
    const cur = await liveCurrency(ctx, a.currency);
    const payee = await getAccount(ctx, a.payee);
    requireActive(payee, a.payee);
    const shapeOk =
      (a.kind === LockKind.CLAIM && a.arbiter === null && a.hashlock === null) ||
      (a.kind === LockKind.ESCROW && a.arbiter !== null && a.hashlock === null) ||
      (a.kind === LockKind.HTLC && a.arbiter === null && a.hashlock !== null);
    if (!shapeOk) fail('BAD_LOCK', 'CLAIM takes neither arbiter nor hash lock, ESCROW an arbiter, HTLC a hash lock');
    if (a.arbiter !== null) {
      if (equalBytes(a.arbiter, ctx.signer) || equalBytes(a.arbiter, a.payee)) fail('BAD_LOCK', 'the arbiter must be a third party');
      await getAccount(ctx, a.arbiter);
    }
    if (a.expiresAt <= ctx.block.time || a.expiresAt > ctx.block.time + ctx.params.max_lock_ms) {
      fail('BAD_LOCK', `expiry must be after block time and at most ${ctx.params.max_lock_ms} ms ahead`);
    }
    const id = await nextId(ctx, LockKeys.lockSeq());
    await debit(ctx, cur, ctx.signer, await getAccount(ctx, ctx.signer), a.amount, { limits: true });
    await credit(ctx, cur, escrowAddress('lock', id), null, a.amount, { limits: false, waterfall: false });
    const l: Lock = { id, kind: a.kind, currency: a.currency, payer: ctx.signer, payee: a.payee, amount: a.amount, arbiter: a.arbiter, hashlock: a.hashlock, expiresAt: a.expiresAt, status: LockStatus.OPEN };
    ctx.put(LockSchema, LockKeys.lock(id), l);
    ctx.emit(LockEvents.created, { id, kind: a.kind, currency: a.currency, payer: ctx.signer, payee: a.payee, amount: a.amount, status: LockStatus.OPEN });
    return encode(LockIdResult, { id });
  }, { fails: ['ZERO_AMOUNT', 'SELF_TRANSFER', 'UNKNOWN_CURRENCY', 'CURRENCY_PAUSED', 'ACCOUNT_NOT_FOUND', 'ACCOUNT_FROZEN', 'BAD_LOCK', 'INSUFFICIENT_FUNDS'], result: LockIdResult }),
  claim: method(ClaimArgs, 'the payee claims a CLAIM lock; anyone with the preimage releases an HTLC', async (ctx, a) => {
    const l = await openLock(ctx, a.id);
    notExpired(ctx, l);
    if (l.kind === LockKind.CLAIM) {
      if (!equalBytes(l.payee, ctx.signer)) fail('NOT_LOCK_PARTY', `only the payee may claim lock ${l.id}`);
    } else if (l.kind === LockKind.HTLC) {
      if (!equalBytes(sha256(a.preimage), l.hashlock!)) fail('BAD_PREIMAGE', `the preimage does not open lock ${l.id}`);
    } else fail('NOT_LOCK_PARTY', `escrow lock ${l.id} is released by its arbiter`);
    await settle(ctx, l, true);
  }, { fails: ['LOCK_NOT_FOUND', 'LOCK_SETTLED', 'LOCK_EXPIRED', 'NOT_LOCK_PARTY', 'BAD_PREIMAGE'] }),
  release: method(LockIdArgs, "an ESCROW lock's arbiter releases it to the payee", async (ctx, a) => {
    const l = await openLock(ctx, a.id);
    notExpired(ctx, l);
    if (l.kind !== LockKind.ESCROW || !equalBytes(l.arbiter!, ctx.signer)) fail('NOT_LOCK_PARTY', `${toHex(ctx.signer)} is not the arbiter of lock ${l.id}`);
    await settle(ctx, l, true);
  }, { fails: ['LOCK_NOT_FOUND', 'LOCK_SETTLED', 'LOCK_EXPIRED', 'NOT_LOCK_PARTY'] }),
  refund: method(LockIdArgs, 'anyone after expiry; the payee or an escrow arbiter at any time: funds return to the payer', async (ctx, a) => {
    const l = await openLock(ctx, a.id);
    const party = equalBytes(l.payee, ctx.signer) || (l.kind === LockKind.ESCROW && equalBytes(l.arbiter!, ctx.signer));
    if (!party && ctx.block.time <= l.expiresAt) fail('LOCK_NOT_EXPIRED', `lock ${l.id} runs until ${l.expiresAt}`);
    await settle(ctx, l, false);
  }, { fails: ['LOCK_NOT_FOUND', 'LOCK_SETTLED', 'LOCK_NOT_EXPIRED'] }),
};
