/**
 * The payment hook: taxes at the moment of payment. Every payment (a transfer, each payout
 * item) reads its currency's rules in force once (one record, `tax_rules`; none: nothing else
 * happens). A rule taxes the payment when it is in force at the block's height (activated,
 * not retired), names the payment's type (or none), takes payout items only if its base is
 * 1, and the payee's and payer's account categories match its filters (read only when a
 * rule filters on them). Its tax is floor(amount * rateBps / 10,000); a payee's taxes never
 * exceed the amount (each is capped at what the payee's earlier ones left). A taxpayer (the
 * payer or the payee, per rule) that claimed an exemption of one of the rule's exempt
 * credential types, still in good standing (cred requireStanding: validity, revocation,
 * suspension, the issuer's accreditation), pays none (event `exempted`). Otherwise the rule
 * levies its tax to its treasury (money credits it in the same transaction: module.ts Levy),
 * emits `withheld` (gross, tax, net) and adds to the taxpayer's total for the month and rule
 * (one read and one write; a node-side index entry when the total is new). Rules run in id
 * order.
 */
import type { TxContext } from '../../context.js';
import { VmError } from '../../errors.js';
import type { Levy, Payment, PaymentDecision } from '../../module.js';
import { chainMaybe, mapMaybe, type MaybePromise } from '../../state.js';
import { AccountKeys, AccountSchema, type Account } from '../account/records.js';
import { requireStanding } from '../cred/presentation.js';
import { BPS, ExemptionsSchema, inForceAt, TaxBase, TaxIndexes, TaxKeys, TaxPayer, taxTotalIndexKey, TaxRuleListSchema, TaxTotalSchema, type Exemption, type TaxRule } from './records.js';
import { TaxEvents as E } from './events.js';
import { periodOf } from './period.js';

const BPS_N = BigInt(BPS);

/** Whether rule `r` (in force) takes a payment of this type, before any category check. */
function takes(r: TaxRule, p: Payment): boolean {
  if (r.base === TaxBase.PAYOUT_ITEM && p.type !== 'payout') return false;
  const types = r.appliesTo.types;
  return types.length === 0 || types.includes(p.type);
}

/** The period of the latest block time asked (a block's payments share it). */
let lastTime = -1;
let lastPeriod = 0;
function period(time: number): number {
  if (time !== lastTime) {
    lastPeriod = periodOf(time);
    lastTime = time;
  }
  return lastPeriod;
}

/** The payment hook (module.ts ModuleHooks.payment): synchronous while the currency has no rule that takes the payment. */
export function taxPayment(ctx: TxContext, p: Payment): MaybePromise<PaymentDecision> {
  return chainMaybe(ctx.get(TaxRuleListSchema, TaxKeys.rules(p.currency)), (list): MaybePromise<PaymentDecision> => {
    if (list === undefined) return undefined;
    const h = ctx.block.height;
    let live: TaxRule[] | undefined;
    for (const r of list.rules) if (inForceAt(r, h) && takes(r, p)) (live ??= []).push(r);
    return live === undefined ? undefined : levy(ctx, p, live);
  });
}

/** An account's category as a filter reads it ("" when absent); synchronous while the record is at hand. */
function categoryOf(ctx: TxContext, addr: Uint8Array): MaybePromise<string> {
  return mapMaybe(ctx.get(AccountSchema, AccountKeys.account(addr)), (a: Account | undefined) => a?.category ?? '');
}

/** The exemptions `taxpayer` claimed of one of `r`'s exempt types (usually none: then at once, with no promise). */
function claimedFor(ctx: TxContext, taxpayer: Uint8Array, r: TaxRule): MaybePromise<Exemption[] | null> {
  return mapMaybe(ctx.get(ExemptionsSchema, TaxKeys.exemption(taxpayer)), (ex) => {
    if (ex === undefined) return null;
    const hit = ex.items.filter((e) => r.exemptTypes.includes(e.typeId));
    return hit.length === 0 ? null : hit;
  });
}

/** The first of `claimed` still in good standing (its type), or null. */
async function standing(ctx: TxContext, claimed: readonly Exemption[]): Promise<string | null> {
  for (const e of claimed) {
    try {
      await requireStanding(ctx, { issuer: e.issuer, index: e.index, validUntil: e.validUntil, typeId: e.typeId });
      return e.typeId;
    } catch (err) {
      // Not in good standing (expired, revoked, suspended, issuer no longer accredited): not exempt. Running out of work is no answer.
      if (!(err instanceof VmError) || err.code === 'OUT_OF_WORK') throw err;
    }
  }
  return null;
}

/** Add a taxed payment to the taxpayer's total for the month under rule `r`. */
function addTotal(ctx: TxContext, taxpayer: Uint8Array, r: TaxRule, gross: bigint, tax: bigint): MaybePromise<void> {
  const month = period(ctx.block.time);
  const key = TaxKeys.total(taxpayer, month, r.id);
  return chainMaybe(ctx.get(TaxTotalSchema, key), (t) => {
    if (t === undefined) {
      ctx.put(TaxTotalSchema, key, { currency: r.currency, gross, tax, count: 1 });
      ctx.index(TaxIndexes.taxpayerTotal, taxTotalIndexKey(taxpayer, month, r.id));
    } else ctx.put(TaxTotalSchema, key, { currency: t.currency, gross: t.gross + gross, tax: t.tax + tax, count: t.count + 1 });
  });
}

async function levy(ctx: TxContext, p: Payment, rules: readonly TaxRule[]): Promise<PaymentDecision> {
  let payeeCategory: string | undefined;
  let payerCategory: string | undefined;
  let levies: Levy[] | undefined;
  let withheld = 0n;
  for (const r of rules) {
    const f = r.appliesTo;
    if (f.payeeCategory !== '') {
      if (payeeCategory === undefined) {
        const g = categoryOf(ctx, p.to);
        payeeCategory = g instanceof Promise ? await g : g;
      }
      if (payeeCategory !== f.payeeCategory) continue;
    }
    if (f.payerCategory !== '') {
      if (payerCategory === undefined) {
        const g = categoryOf(ctx, p.from);
        payerCategory = g instanceof Promise ? await g : g;
      }
      if (payerCategory !== f.payerCategory) continue;
    }
    const payee = r.payer === TaxPayer.PAYEE;
    let tax = (p.amount * BigInt(r.rateBps)) / BPS_N;
    if (payee && tax > p.amount - withheld) tax = p.amount - withheld;
    if (tax === 0n) continue;
    const taxpayer = payee ? p.to : p.from;
    if (r.exemptTypes.length > 0) {
      const g = claimedFor(ctx, taxpayer, r);
      const claimed = g instanceof Promise ? await g : g;
      const typeId = claimed === null ? null : await standing(ctx, claimed);
      if (typeId !== null) {
        ctx.emit(E.exempted, { rule: r.id, taxpayer, typeId });
        continue;
      }
    }
    if (payee) withheld += tax;
    (levies ??= []).push({ to: r.treasury, amount: tax, payee });
    const gross = payee ? p.amount : p.amount + tax;
    ctx.emit(E.withheld, { rule: r.id, taxpayer, treasury: r.treasury, payer: p.from, payee: p.to, currency: p.currency, gross, tax, net: gross - tax });
    const t = addTotal(ctx, taxpayer, r, gross, tax);
    if (t instanceof Promise) await t;
  }
  return levies === undefined ? undefined : { levies };
}
