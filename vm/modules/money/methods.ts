/**
 * The money module's methods: two-tier issuance, transfers, batch payouts, tier policies,
 * bank limits, pause and seizure.
 */
import { equalBytes, addressField, amount, bool, encode, list, optional, str, struct, u8, u32, toHex, type Infer } from '../../../core/index.js';
import { fail, VmError } from '../../errors.js';
import { method, type Levy, type Payment, type PaymentDecision } from '../../module.js';
import type { MaybePromise } from '../../state.js';
import type { TxContext } from '../../context.js';
import { AccountKind, AccountKeys, AccountSchema, type Account } from '../account/records.js';
import { getAccount, requireActive } from '../account/accounts.js';
import { Role } from '../gov/records.js';
import { hasRole, requireRole } from '../gov/roles.js';
import { checkReserve } from '../ramp/reserve.js';
import { BankLimitSchema, currencyCode, CurrencyKind, CurrencySchema, MoneyKeys, TierPolicySchema, type Currency } from './records.js';
import { getCurrency, liveCurrency, supplyAfter } from './currencies.js';
import { credit, debit } from './ledger.js';
import { MoneyEvents as E } from './events.js';

const hex = toHex;
const memo = str(140);
const reference = str(64);
const legalRef = str(128);

export const TransferArgs = struct('Transfer', { currency: currencyCode, to: addressField, amount, memo, reference });
export const PayoutItem = struct('PayoutItem', { to: addressField, amount });
export const PayoutArgs = struct('Payout', { currency: currencyCode, items: list(PayoutItem, 10_000), memo, reference });
export const MintArgs = struct('Mint', { currency: currencyCode, to: addressField, amount, reference });
export const BurnArgs = struct('Burn', { currency: currencyCode, amount, reference });
export const SetTierPolicyArgs = struct('SetTierPolicy', { currency: currencyCode, tier: u8, policy: TierPolicySchema });
export const SetBankLimitArgs = struct('SetBankLimit', { currency: currencyCode, bank: addressField, maxReserve: optional(amount), dailyOut: optional(amount) });
export const PauseArgs = struct('Pause', { currency: currencyCode, paused: bool, legalRef });
export const SeizeArgs = struct('Seize', { currency: currencyCode, from: addressField, to: addressField, amount, legalRef });
/** A batch payout's receipt result: one code per recipient (0 paid), and the total paid. */
export const PayoutResult = struct('PayoutResult', { codes: list(u32, 10_000), paid: amount });

export type TransferArgs = Infer<typeof TransferArgs>;

function positive(a: bigint): void {
  if (a === 0n) fail('ZERO_AMOUNT', 'amount must be positive');
}

/** The issuer of `cur`, or the central bank for any currency (emergency powers). */
async function requireIssuerOrCentralBank(ctx: TxContext, cur: Currency): Promise<void> {
  if (equalBytes(cur.issuer, ctx.signer)) return;
  if (await hasRole(ctx, ctx.signer, Role.CENTRAL_BANK)) return;
  fail('NOT_ISSUER', `${hex(ctx.signer)} is neither the issuer of ${cur.code} nor the central bank`);
}

async function setSupply(ctx: TxContext, code: string, delta: bigint): Promise<bigint> {
  const cur = await getCurrency(ctx, code);
  const supply = supplyAfter(cur, delta);
  ctx.put(CurrencySchema, MoneyKeys.currency(code), { ...cur, supply });
  return supply;
}

/** Mint `amt` of `code` to `to` (limits apply), keeping supply == sum of balances. */
export async function mintTo(ctx: TxContext, cur: Currency, to: Uint8Array, amt: bigint): Promise<bigint> {
  if (cur.kind === CurrencyKind.STABLECOIN) await checkReserve(ctx, cur, amt);
  const supply = await setSupply(ctx, cur.code, amt);
  await credit(ctx, cur, to, await getAccount(ctx, to), amt, { limits: true, waterfall: true });
  return supply;
}

const CREDIT_FAILS = ['ACCOUNT_NOT_FOUND', 'ACCOUNT_FROZEN', 'ACCOUNT_CLOSED', 'TIER_NOT_ALLOWED', 'HOLDING_LIMIT', 'BANK_LIMIT', 'AMOUNT_OVERFLOW'];
const DEBIT_FAILS = ['ACCOUNT_FROZEN', 'ACCOUNT_CLOSED', 'INSUFFICIENT_FUNDS', 'TIER_NOT_ALLOWED', 'PER_TX_LIMIT', 'DAILY_LIMIT', 'ANNUAL_LIMIT', 'BANK_LIMIT'];

/**
 * Put a payment to the modules' payment hooks (module.ts), in module-name order: a hook that
 * throws refuses it; the first that holds it decides where the funds go; every hook's levies
 * apply, in that order.
 */
async function paymentDecision(ctx: TxContext, p: Payment): Promise<PaymentDecision> {
  let hold: Uint8Array | undefined;
  let levies: Levy[] | undefined;
  const hooks = ctx.hooks.payment;
  for (let i = 0; i < hooks.length; i++) {
    const r = hooks[i]!.run(ctx, p);
    const d = r instanceof Promise ? await r : r;
    if (d === undefined) continue;
    if (hold === undefined && d.hold !== undefined) hold = d.hold;
    if (d.levies !== undefined && d.levies.length > 0) (levies ??= []).push(...d.levies);
  }
  if (levies === undefined) return hold === undefined ? undefined : { hold };
  return hold === undefined ? { levies } : { hold, levies };
}

/** A payment's levies split by who bears them: on top of the amount (the payer), withheld from it (the payee). */
interface LevySplit {
  readonly onTop: bigint;
  readonly withheld: bigint;
}
const NO_LEVIES: LevySplit = { onTop: 0n, withheld: 0n };

function splitLevies(levies: readonly Levy[] | undefined, amt: bigint): LevySplit {
  if (levies === undefined) return NO_LEVIES;
  let onTop = 0n;
  let withheld = 0n;
  for (const l of levies) {
    if (l.amount < 0n) fail('BAD_LEVY', `a payment hook levied a negative amount (${l.amount})`);
    if (l.payee) withheld += l.amount;
    else onTop += l.amount;
  }
  if (withheld > amt) fail('BAD_LEVY', `levies withhold ${withheld} from a payment of ${amt}`);
  return { onTop, withheld };
}

/**
 * Credit each levy to its account (a treasury: an institution's account). No holding or
 * bank limits (what a treasury takes in is the law's, not a customer's) and even a frozen
 * treasury is credited (force): a freeze stops its outflows, not the taxes owed to it; the
 * modules' credit hooks still see each credit. Synchronous while the state is at hand.
 */
function payLevies(ctx: TxContext, cur: Currency, levies: readonly Levy[], from = 0): MaybePromise<void> {
  for (let i = from; i < levies.length; i++) {
    const l = levies[i]!;
    if (l.amount === 0n) continue;
    const next = i + 1;
    const g = getAccount(ctx, l.to);
    const step = (acct: Account): MaybePromise<void> => {
      const r = credit(ctx, cur, l.to, acct, l.amount, { limits: false, waterfall: false, force: true });
      return r instanceof Promise ? r.then(() => payLevies(ctx, cur, levies, next)) : undefined;
    };
    if (g instanceof Promise) return g.then((acct) => step(acct) ?? payLevies(ctx, cur, levies, next));
    const r = step(g);
    if (r instanceof Promise) return r;
  }
  return undefined;
}

export const moneyMethods = {
  transfer: method(TransferArgs, 'any active account pays another', async (ctx, a) => {
    positive(a.amount);
    if (equalBytes(a.to, ctx.signer)) fail('SELF_TRANSFER', 'cannot pay yourself');
    // The most frequent transaction: each step is awaited only when it did not complete at
    // once (state this block already read is at hand), which saves a promise turn per step.
    const c = liveCurrency(ctx, a.currency);
    const cur = c instanceof Promise ? await c : c;
    const f = getAccount(ctx, ctx.signer);
    const from = f instanceof Promise ? await f : f;
    const t = getAccount(ctx, a.to);
    const to = t instanceof Promise ? await t : t;
    requireActive(to, a.to);
    const decision = ctx.hooks.payment.length === 0 ? undefined : await paymentDecision(ctx, { type: 'transfer', currency: a.currency, from: ctx.signer, to: a.to, amount: a.amount, memo: a.memo });
    const hold = decision?.hold;
    const levies = decision?.levies;
    // Levies (taxes): the payer's on top of the amount in its one debit; the payee's withheld from its credit.
    const split = splitLevies(levies, a.amount);
    const d = debit(ctx, cur, ctx.signer, from, a.amount + split.onTop, { limits: true });
    if (d instanceof Promise) await d;
    // A held payment goes to the holding module's escrow; the payee's limits apply when it is released.
    const net = a.amount - split.withheld;
    if (net > 0n) {
      const r = hold === undefined ? credit(ctx, cur, a.to, to, net, { limits: true, waterfall: true }) : credit(ctx, cur, hold, null, net, { limits: false, waterfall: false });
      if (r instanceof Promise) await r;
    }
    if (levies !== undefined) {
      const l = payLevies(ctx, cur, levies);
      if (l instanceof Promise) await l;
    }
    ctx.emit(E.transfer, { currency: a.currency, from: ctx.signer, to: a.to, amount: a.amount, memo: a.memo, reference: a.reference });
  }, { fails: ['ZERO_AMOUNT', 'SELF_TRANSFER', 'UNKNOWN_CURRENCY', 'CURRENCY_PAUSED', 'BAD_LEVY', ...DEBIT_FAILS, ...CREDIT_FAILS] }),
  payout: method(PayoutArgs, 'any active account pays many (payroll, welfare); a result per recipient', async (ctx, a) => {
    if (a.items.length === 0) fail('ZERO_AMOUNT', 'a payout needs a recipient');
    if (a.items.length > ctx.params.max_payout_recipients) fail('TOO_MANY_RECIPIENTS', `at most ${ctx.params.max_payout_recipients} recipients`);
    const cur = await liveCurrency(ctx, a.currency);
    const from = await getAccount(ctx, ctx.signer);
    requireActive(from, ctx.signer);
    const codes: number[] = [];
    let paid = 0n;
    // Levies on the payer (on top of the items' amounts), debited with them.
    let onTop = 0n;
    for (const it of a.items) {
      ctx.meter.charge(ctx.params.cost_recipient, 'a payout recipient');
      try {
        if (it.amount === 0n) fail('ZERO_AMOUNT', 'amount must be positive');
        if (equalBytes(it.to, ctx.signer)) fail('SELF_TRANSFER', 'cannot pay yourself');
        onTop += await ctx.nested(async () => {
          const acct = await ctx.get(AccountSchema, AccountKeys.account(it.to));
          if (acct === undefined) fail('ACCOUNT_NOT_FOUND', `no account ${hex(it.to)}`);
          const decision = ctx.hooks.payment.length === 0 ? undefined : await paymentDecision(ctx, { type: 'payout', currency: a.currency, from: ctx.signer, to: it.to, amount: it.amount, memo: a.memo });
          const split = splitLevies(decision?.levies, it.amount);
          const net = it.amount - split.withheld;
          if (net > 0n) {
            if (decision?.hold === undefined) await credit(ctx, cur, it.to, acct, net, { limits: true, waterfall: true });
            else await credit(ctx, cur, decision.hold, null, net, { limits: false, waterfall: false });
          }
          if (decision?.levies !== undefined) await payLevies(ctx, cur, decision.levies);
          return split.onTop;
        });
        codes.push(0);
        paid += it.amount;
      } catch (e) {
        if (!(e instanceof VmError) || e.code === 'OUT_OF_WORK') throw e;
        codes.push(e.num);
      }
    }
    // The payer pays what was credited (and its levies), under its funds and limits, or the whole batch fails.
    if (paid + onTop > 0n) await debit(ctx, cur, ctx.signer, from, paid + onTop, { limits: true });
    const failed = codes.filter((c) => c !== 0).length;
    ctx.emit(E.payout, { currency: a.currency, from: ctx.signer, recipients: a.items.length, failed, paid, memo: a.memo, reference: a.reference });
    return encode(PayoutResult, { codes, paid });
  }, { fails: ['TOO_MANY_RECIPIENTS', 'ZERO_AMOUNT', 'UNKNOWN_CURRENCY', 'CURRENCY_PAUSED', 'BAD_LEVY', ...DEBIT_FAILS], result: PayoutResult }),
  mint: method(MintArgs, "the currency's issuer mints to a commercial bank's reserve account", async (ctx, a) => {
    positive(a.amount);
    const cur = await liveCurrency(ctx, a.currency);
    if (!equalBytes(cur.issuer, ctx.signer)) fail('NOT_ISSUER', `${hex(ctx.signer)} is not the issuer of ${a.currency}`);
    if (!(await hasRole(ctx, a.to, Role.COMMERCIAL_BANK))) fail('NOT_A_BANK', `${hex(a.to)} is not a commercial bank`);
    const supply = await mintTo(ctx, cur, a.to, a.amount);
    ctx.emit(E.minted, { currency: a.currency, account: a.to, amount: a.amount, supply, reference: a.reference });
  }, { fails: ['ZERO_AMOUNT', 'UNKNOWN_CURRENCY', 'CURRENCY_PAUSED', 'NOT_ISSUER', 'NOT_A_BANK', 'RESERVE_EXCEEDED', 'AMOUNT_OVERFLOW', 'BANK_LIMIT'] }),
  burn: method(BurnArgs, 'a commercial bank returns (burns) money from its reserve account', async (ctx, a) => {
    positive(a.amount);
    await requireRole(ctx, Role.COMMERCIAL_BANK);
    const cur = await liveCurrency(ctx, a.currency);
    await debit(ctx, cur, ctx.signer, await getAccount(ctx, ctx.signer), a.amount, { limits: false });
    const supply = await setSupply(ctx, a.currency, -a.amount);
    ctx.emit(E.burned, { currency: a.currency, account: ctx.signer, amount: a.amount, supply, reference: a.reference });
  }, { roles: Role.COMMERCIAL_BANK, fails: ['ZERO_AMOUNT', 'NOT_AUTHORIZED', 'UNKNOWN_CURRENCY', 'CURRENCY_PAUSED', 'INSUFFICIENT_FUNDS'] }),
  set_tier_policy: method(SetTierPolicyArgs, 'the issuer (or the central bank) sets the limits of a KYC tier', async (ctx, a) => {
    const cur = await getCurrency(ctx, a.currency);
    await requireIssuerOrCentralBank(ctx, cur);
    if (a.tier < 1 || a.tier > ctx.params.max_tier || a.tier > cur.tiers.length + 1) {
      fail('UNKNOWN_TIER', `tier must be 1..${Math.min(ctx.params.max_tier, cur.tiers.length + 1)}`);
    }
    const tiers = [...cur.tiers];
    tiers[a.tier - 1] = a.policy;
    ctx.put(CurrencySchema, MoneyKeys.currency(a.currency), { ...cur, tiers });
    ctx.emit(E.tier_policy, { currency: a.currency, tier: a.tier, by: ctx.signer });
  }, { fails: ['UNKNOWN_CURRENCY', 'NOT_ISSUER', 'UNKNOWN_TIER'] }),
  set_bank_limit: method(SetBankLimitArgs, "the central bank sets a commercial bank's limits in a currency (both null removes them)", async (ctx, a) => {
    await requireRole(ctx, Role.CENTRAL_BANK);
    await getCurrency(ctx, a.currency);
    if (!(await hasRole(ctx, a.bank, Role.COMMERCIAL_BANK))) fail('NOT_A_BANK', `${hex(a.bank)} is not a commercial bank`);
    if (a.maxReserve === null && a.dailyOut === null) ctx.delete(MoneyKeys.bankLimit(a.bank, a.currency));
    else ctx.put(BankLimitSchema, MoneyKeys.bankLimit(a.bank, a.currency), { maxReserve: a.maxReserve, dailyOut: a.dailyOut });
    ctx.emit(E.bank_limit, a);
  }, { roles: Role.CENTRAL_BANK, fails: ['NOT_AUTHORIZED', 'UNKNOWN_CURRENCY', 'NOT_A_BANK'] }),
  pause: method(PauseArgs, 'the central bank (any currency) or the issuer pauses or resumes a currency', async (ctx, a) => {
    const cur = await getCurrency(ctx, a.currency);
    await requireIssuerOrCentralBank(ctx, cur);
    ctx.put(CurrencySchema, MoneyKeys.currency(a.currency), { ...cur, paused: a.paused });
    ctx.emit(E.paused, { currency: a.currency, paused: a.paused, legalRef: a.legalRef, by: ctx.signer });
  }, { fails: ['UNKNOWN_CURRENCY', 'NOT_ISSUER'] }),
  seize: method(SeizeArgs, 'a regulator or the central bank seizes funds (even frozen) to an institution account, citing a legal reference', async (ctx, a) => {
    positive(a.amount);
    await requireRole(ctx, Role.REGULATOR | Role.CENTRAL_BANK);
    if (equalBytes(a.from, a.to)) fail('SELF_TRANSFER', 'from and to are the same account');
    const cur = await getCurrency(ctx, a.currency);
    const from = await getAccount(ctx, a.from);
    const to = await getAccount(ctx, a.to);
    if (to.kind !== AccountKind.INSTITUTION) fail('BAD_ACCOUNT_KIND', 'seized funds go to an institution account');
    await debit(ctx, cur, a.from, from, a.amount, { limits: false, force: true });
    await credit(ctx, cur, a.to, to, a.amount, { limits: true, waterfall: false });
    ctx.emit(E.seized, { ...a, by: ctx.signer });
  }, { roles: Role.REGULATOR | Role.CENTRAL_BANK, fails: ['ZERO_AMOUNT', 'NOT_AUTHORIZED', 'SELF_TRANSFER', 'UNKNOWN_CURRENCY', 'ACCOUNT_NOT_FOUND', 'BAD_ACCOUNT_KIND', 'INSUFFICIENT_FUNDS', ...CREDIT_FAILS] }),
};
