/**
 * The balance ledger every module moves funds through: debits and credits with all the
 * limits, offered to the other modules by money. A debit checks the account is active, the
 * balance, and the spender's limits: for a person or business the KYC tier's
 * per-transaction, daily and annual limits (rolling windows of block time, kept in buckets:
 * daily_window_* / annual_window_* params); for an institution the central bank's daily
 * outflow limit for that bank, if one is set. A credit checks the account is active,
 * overflow, and the holding limit: the tier's for a customer (with the waterfall: the excess
 * goes to the account's bank, with an event telling the bank to credit the linked account;
 * without a link the credit is refused), the bank limit's maxReserve for a bank. Escrow
 * addresses (locks, grants) have no account and no limits. Zero balances are deleted, so
 * state holds only what exists.
 *
 * Every debit and credit that passes these checks is then put to the modules' debit and
 * credit hooks (module.ts), in module-name order, before it is written: a hook that throws
 * refuses it.
 */
import { MAX_AMOUNT, toHex } from '../../../core/index.js';
import { fail, VmError } from '../../errors.js';
import type { TxContext } from '../../context.js';
import { chainMaybe, mapMaybe, type MaybePromise } from '../../state.js';
import type { Movement } from '../../module.js';
import { AccountKind, type Account } from '../account/records.js';
import { getAccount, requireActive } from '../account/accounts.js';
import { BalanceSchema, BankLimitSchema, MoneyKeys, UsageSchema, type Currency, type TierPolicy, type UsageBucket } from './records.js';
import { MoneyEvents } from './events.js';

const hex = toHex;

export function balanceOf(ctx: TxContext, addr: Uint8Array, code: string): MaybePromise<bigint> {
  return mapMaybe(ctx.get(BalanceSchema, MoneyKeys.balance(addr, code)), (b) => b?.amount ?? 0n);
}

function putBalance(ctx: TxContext, addr: Uint8Array, code: string, v: bigint): void {
  if (v === 0n) ctx.delete(MoneyKeys.balance(addr, code));
  else ctx.put(BalanceSchema, MoneyKeys.balance(addr, code), { amount: v });
}

/** Put a movement to the modules' debit or credit hooks, in order; at once when there are none. */
function policy(ctx: TxContext, kind: 'debit' | 'credit', currency: string, account: Uint8Array, amount: bigint, acct: Account | null): MaybePromise<void> {
  const hooks = ctx.hooks[kind];
  if (hooks.length === 0) return;
  const m: Movement = { currency, account, amount, escrow: acct === null };
  return (async () => {
    for (const h of hooks) await h.run(ctx, m);
  })();
}

/** The policy of KYC tier `tier` in `cur` (TIER_NOT_ALLOWED when it has none). */
export function tierPolicy(cur: Currency, tier: number): TierPolicy {
  const p = tier >= 1 ? cur.tiers[tier - 1] : undefined;
  if (p === undefined) fail('TIER_NOT_ALLOWED', `${cur.code} has no policy for KYC tier ${tier}`, { tier });
  return p;
}

/**
 * The KYC tier whose limits apply to `acct` now: its own, as the modules' tier hooks leave it
 * (the credentials module's: that of its valid KYC credential). At once when no module has one.
 */
export function effectiveTier(ctx: TxContext, addr: Uint8Array, acct: Account): MaybePromise<number> {
  const hooks = ctx.hooks.tier;
  if (hooks.length === 0) return acct.tier;
  return (async () => {
    let tier = acct.tier;
    for (const h of hooks) tier = await h.run(ctx, addr, acct, tier);
    return tier;
  })();
}

/** Integer division of non-negative safe integers, exactly (no floating-point rounding). */
export function idiv(a: number, b: number): number {
  return (a - (a % b)) / b;
}

/** Buckets still inside the window at bucket `now`, and their sum. */
function window(buckets: readonly UsageBucket[], now: number, n: number): { kept: UsageBucket[]; sum: bigint } {
  const kept: UsageBucket[] = [];
  let sum = 0n;
  for (const b of buckets) {
    if (b.index > now - n && b.index <= now) {
      kept.push(b);
      sum += b.amount;
    }
  }
  return { kept, sum };
}

function addTo(kept: UsageBucket[], now: number, amt: bigint): UsageBucket[] {
  const last = kept[kept.length - 1];
  if (last !== undefined && last.index === now) kept[kept.length - 1] = { index: now, amount: last.amount + amt };
  else kept.push({ index: now, amount: amt });
  return kept;
}

/**
 * Record `amt` spent by `addr` in `code`, refusing it past the daily or annual limit.
 * Synchronous when the usage record is at hand (the common case within a block): the hot
 * path of a transfer then takes no promise turn (debit and credit are built the same way).
 */
function spend(ctx: TxContext, addr: Uint8Array, code: string, amt: bigint, daily: bigint | null, annual: bigint | null): MaybePromise<void> {
  if (daily === null && annual === null) return;
  const key = MoneyKeys.usage(addr, code);
  return mapMaybe(ctx.get(UsageSchema, key), (got) => {
    const u = got ?? { daily: [], annual: [] };
    const p = ctx.params;
    const dNow = idiv(ctx.block.time, idiv(p.daily_window_ms, p.daily_window_buckets));
    const aNow = idiv(ctx.block.time, idiv(p.annual_window_ms, p.annual_window_buckets));
    const d = window(u.daily, dNow, p.daily_window_buckets);
    const a = window(u.annual, aNow, p.annual_window_buckets);
    if (daily !== null && d.sum + amt > daily) fail('DAILY_LIMIT', `${hex(addr)} would spend ${d.sum + amt} ${code} in the daily window; the limit is ${daily}`);
    if (annual !== null && a.sum + amt > annual) fail('ANNUAL_LIMIT', `${hex(addr)} would spend ${a.sum + amt} ${code} in the annual window; the limit is ${annual}`);
    ctx.put(UsageSchema, key, { daily: addTo(d.kept, dNow, amt), annual: addTo(a.kept, aNow, amt) });
  });
}

/** A bank's daily outflow limit, if the central bank set one, applied to `amt`. */
async function spendBank(ctx: TxContext, addr: Uint8Array, code: string, amt: bigint): Promise<void> {
  const bl = await ctx.get(BankLimitSchema, MoneyKeys.bankLimit(addr, code));
  if (bl?.dailyOut == null) return;
  try {
    await spend(ctx, addr, code, amt, bl.dailyOut, null);
  } catch (e) {
    if (e instanceof VmError && e.code === 'DAILY_LIMIT') fail('BANK_LIMIT', `bank ${hex(addr)}: ${e.message}`);
    throw e;
  }
}

export interface DebitOptions {
  /** Apply the spender's limits (false for seizure and returns). */
  readonly limits: boolean;
  /** Debit even a frozen account (seizure). */
  readonly force?: boolean;
}

/** Take `amt` from `addr`; `acct` null for an escrow address. Failures are thrown (synchronously when nothing was awaited). */
export function debit(ctx: TxContext, cur: Currency, addr: Uint8Array, acct: Account | null, amt: bigint, opts: DebitOptions): MaybePromise<void> {
  if (acct !== null && !opts.force) requireActive(acct, addr);
  return chainMaybe(balanceOf(ctx, addr, cur.code), (bal) => {
    if (bal < amt) fail('INSUFFICIENT_FUNDS', `${hex(addr)} holds ${bal} ${cur.code}, needs ${amt}`, { balance: bal.toString() });
    const done = (): MaybePromise<void> => mapMaybe(policy(ctx, 'debit', cur.code, addr, amt, acct), () => putBalance(ctx, addr, cur.code, bal - amt));
    if (acct === null || !opts.limits) return done();
    if (acct.kind === AccountKind.INSTITUTION) return spendBank(ctx, addr, cur.code, amt).then(done);
    return chainMaybe(effectiveTier(ctx, addr, acct), (tier) => {
      const pol = tierPolicy(cur, tier);
      if (pol.perTxLimit !== null && amt > pol.perTxLimit) fail('PER_TX_LIMIT', `${amt} ${cur.code} exceeds the tier ${tier} per-transaction limit ${pol.perTxLimit}`);
      return chainMaybe(spend(ctx, addr, cur.code, amt, pol.dailyLimit, pol.annualLimit), done);
    });
  });
}

export interface CreditOptions {
  /** Apply the receiver's holding limits (false for returns of funds the account held). */
  readonly limits: boolean;
  /** Send the excess over a holding limit to the linked bank instead of refusing. */
  readonly waterfall: boolean;
  /** Credit even a frozen account (funds returning to it). */
  readonly force?: boolean;
}

export interface CreditResult {
  /** Credited to the account itself. */
  readonly credited: bigint;
  /** Sent on to the account's bank by the waterfall. */
  readonly diverted: bigint;
}

/** Give `amt` to `addr`; `acct` null for an escrow address. Failures are thrown (synchronously when nothing was awaited). */
export function credit(ctx: TxContext, cur: Currency, addr: Uint8Array, acct: Account | null, amt: bigint, opts: CreditOptions): MaybePromise<CreditResult> {
  if (acct !== null && !opts.force) requireActive(acct, addr);
  return chainMaybe(balanceOf(ctx, addr, cur.code), (bal): MaybePromise<CreditResult> => {
    if (bal + amt > MAX_AMOUNT) fail('AMOUNT_OVERFLOW', `balance of ${hex(addr)} would overflow`);
    const write = (): MaybePromise<CreditResult> => mapMaybe(policy(ctx, 'credit', cur.code, addr, amt, acct), (): CreditResult => {
      putBalance(ctx, addr, cur.code, bal + amt);
      return { credited: amt, diverted: 0n };
    });
    if (acct === null || !opts.limits) return write();
    if (acct.kind === AccountKind.INSTITUTION) return creditBank(ctx, cur, addr, acct, amt, bal);
    return chainMaybe(effectiveTier(ctx, addr, acct), (tier) => {
      const hold = tierPolicy(cur, tier).holdingLimit;
      if (hold !== null && bal + amt > hold) return waterfall(ctx, cur, addr, acct, tier, amt, bal, hold, opts);
      return write();
    });
  });
}

/** A credit to a bank, under the central bank's maxReserve for it, if set. */
async function creditBank(ctx: TxContext, cur: Currency, addr: Uint8Array, acct: Account, amt: bigint, bal: bigint): Promise<CreditResult> {
  const bl = await ctx.get(BankLimitSchema, MoneyKeys.bankLimit(addr, cur.code));
  if (bl?.maxReserve != null && bal + amt > bl.maxReserve) fail('BANK_LIMIT', `bank ${hex(addr)} would hold ${bal + amt} ${cur.code}; its limit is ${bl.maxReserve}`);
  await policy(ctx, 'credit', cur.code, addr, amt, acct);
  putBalance(ctx, addr, cur.code, bal + amt);
  return { credited: amt, diverted: 0n };
}

/** A credit past a customer's holding limit `hold`: the excess goes to its bank (or the credit is refused). */
async function waterfall(ctx: TxContext, cur: Currency, addr: Uint8Array, acct: Account, tier: number, amt: bigint, bal: bigint, hold: bigint, opts: CreditOptions): Promise<CreditResult> {
  if (!opts.waterfall || acct.linkedRef === null || acct.bank === null) {
    fail('HOLDING_LIMIT', `${hex(addr)} would hold ${bal + amt} ${cur.code}; the tier ${tier} limit is ${hold}`);
  }
  const keep = hold > bal ? hold - bal : 0n;
  const excess = amt - keep;
  const bank = acct.bank;
  await credit(ctx, cur, bank, await getAccount(ctx, bank), excess, { limits: true, waterfall: false });
  ctx.emit(MoneyEvents.waterfall, { currency: cur.code, account: addr, bank, linkedRef: acct.linkedRef, amount: excess });
  if (keep > 0n) {
    await policy(ctx, 'credit', cur.code, addr, keep, acct);
    putBalance(ctx, addr, cur.code, bal + keep);
  }
  return { credited: keep, diverted: excess };
}
