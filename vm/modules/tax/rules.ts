/**
 * Tax rules as ledger data: a tax authority registers a rule (rate in basis points, base,
 * who pays, which payments it applies to, the treasury, exempt credential types, activation
 * height, legal reference) and retires it from a height on. A rule never changes otherwise:
 * a new rate is a new rule (retire the old one at the height the new one activates). Each
 * currency's rules in force are one record (`tax_rules`, by id), so a payment reads them
 * once; rules whose retirement height has passed leave it at the next registration or
 * retirement in that currency. At most max_tax_rules per currency.
 */
import { addressField, encode, list, struct, toHex, u8, u32, uint } from '../../../core/index.js';
import { fail } from '../../errors.js';
import { method } from '../../module.js';
import type { TxContext } from '../../context.js';
import { nextId } from '../../lib/ids.js';
import { AccountKeys, AccountKind, AccountSchema } from '../account/records.js';
import { Role } from '../gov/records.js';
import { requireRole } from '../gov/roles.js';
import { currencyCode } from '../money/records.js';
import { getCurrency } from '../money/currencies.js';
import { typeIdField } from '../cred/records.js';
import {
  AppliesToSchema, BPS, legalRefField, MAX_EXEMPT_TYPES, TAX_PAYMENT_TYPES, TaxBase, TaxKeys, TaxPayer, TaxRuleListSchema, taxRuleNameField, TaxRuleSchema,
  type TaxRule,
} from './records.js';
import { TaxEvents as E } from './events.js';

export const RegisterRuleArgs = struct('TaxRegisterRule', {
  name: taxRuleNameField,
  currency: currencyCode,
  rateBps: u32,
  base: u8,
  payer: u8,
  appliesTo: AppliesToSchema,
  treasury: addressField,
  exemptTypes: list(typeIdField, MAX_EXEMPT_TYPES),
  activationHeight: uint,
  legalRef: legalRefField,
});
export const RetireRuleArgs = struct('TaxRetireRule', { id: uint, atHeight: uint, legalRef: legalRefField });
export const RuleIdResult = struct('TaxRuleId', { id: uint });

export async function getRule(ctx: TxContext, id: number): Promise<TaxRule> {
  const r = await ctx.get(TaxRuleSchema, TaxKeys.rule(id));
  if (r === undefined) fail('TAX_RULE_NOT_FOUND', `no tax rule ${id}`);
  return r;
}

/** A currency's rules in force at `height`, or scheduled: those retired before it dropped. */
async function rulesOf(ctx: TxContext, currency: string, height: number): Promise<TaxRule[]> {
  const list = await ctx.get(TaxRuleListSchema, TaxKeys.rules(currency));
  return (list?.rules ?? []).filter((r) => r.retireHeight === 0 || height < r.retireHeight);
}

function putRules(ctx: TxContext, currency: string, rules: TaxRule[]): void {
  rules.sort((a, b) => a.id - b.id);
  if (rules.length === 0) ctx.delete(TaxKeys.rules(currency));
  else ctx.put(TaxRuleListSchema, TaxKeys.rules(currency), { rules });
}

const distinct = (xs: readonly string[]): boolean => new Set(xs).size === xs.length;

export const ruleMethods = {
  register_rule: method(RegisterRuleArgs, 'a tax authority registers a tax rule: rate (basis points, 1..10,000) of the base (0 the payment amount, 1 payout items only), who pays (0 the payer, on top; 1 the payee, withheld), which payments (types transfer and payout, empty: both; payee and payer account category, "": any), the treasury (an institution account) credited in the same transaction, exempt credential types (their holders claim with claim_exemption), the activation height (above the current) and the legal reference; it returns the rule id', async (ctx, a) => {
    await requireRole(ctx, Role.TAX_AUTHORITY);
    if (a.name.trim() === '') fail('TAX_RULE_INVALID', 'a rule needs a name');
    await getCurrency(ctx, a.currency);
    if (a.rateBps < 1 || a.rateBps > BPS) fail('TAX_RULE_INVALID', `rateBps must be 1..${BPS}, not ${a.rateBps}`);
    if (a.base !== TaxBase.PAYMENT && a.base !== TaxBase.PAYOUT_ITEM) fail('TAX_RULE_INVALID', `base must be 0 (the payment amount) or 1 (payout items), not ${a.base}`);
    if (a.payer !== TaxPayer.PAYER && a.payer !== TaxPayer.PAYEE) fail('TAX_RULE_INVALID', `payer must be 0 (the payer) or 1 (the payee), not ${a.payer}`);
    const types = a.appliesTo.types;
    for (const t of types) if (!(TAX_PAYMENT_TYPES as readonly string[]).includes(t)) fail('TAX_RULE_INVALID', `a payment type is ${TAX_PAYMENT_TYPES.join(' or ')}, not "${t}"`);
    if (!distinct(types)) fail('TAX_RULE_INVALID', 'a payment type is named twice');
    if (a.base === TaxBase.PAYOUT_ITEM && types.includes('transfer')) fail('TAX_RULE_INVALID', 'a rule on payout items (base 1) cannot apply to transfers');
    if (!distinct(a.exemptTypes)) fail('TAX_RULE_INVALID', 'an exempt type is named twice');
    const treasury = await ctx.get(AccountSchema, AccountKeys.account(a.treasury));
    if (treasury === undefined || treasury.kind !== AccountKind.INSTITUTION) fail('TAX_RULE_INVALID', `the treasury ${toHex(a.treasury)} is not an institution account`);
    const h = ctx.block.height;
    if (a.activationHeight <= h) fail('TAX_RULE_INVALID', `the activation height ${a.activationHeight} is not above the current height ${h}`);
    const rules = await rulesOf(ctx, a.currency, h);
    if (rules.length >= ctx.param('max_tax_rules')) fail('TAX_RULES_FULL', `${a.currency} has ${rules.length} tax rules in force or scheduled (max_tax_rules): retire one first`);
    const id = await nextId(ctx, TaxKeys.ruleSeq());
    const rule: TaxRule = {
      id, name: a.name, currency: a.currency, rateBps: a.rateBps, base: a.base, payer: a.payer, appliesTo: a.appliesTo, treasury: a.treasury, exemptTypes: a.exemptTypes,
      activationHeight: a.activationHeight, retireHeight: 0, legalRef: a.legalRef, retireLegalRef: '', registeredBy: ctx.signer, height: h,
    };
    ctx.put(TaxRuleSchema, TaxKeys.rule(id), rule);
    putRules(ctx, a.currency, [...rules, rule]);
    ctx.emit(E.rule_registered, { id, name: a.name, currency: a.currency, rateBps: a.rateBps, activationHeight: a.activationHeight, legalRef: a.legalRef });
    return encode(RuleIdResult, { id });
  }, { roles: Role.TAX_AUTHORITY, fails: ['NOT_AUTHORIZED', 'UNKNOWN_CURRENCY', 'TAX_RULE_INVALID', 'TAX_RULES_FULL'], result: RuleIdResult }),

  retire_rule: method(RetireRuleArgs, 'a tax authority retires a tax rule from a height on (above the current): it taxes no payment at or after it; final, with the legal reference', async (ctx, a) => {
    await requireRole(ctx, Role.TAX_AUTHORITY);
    const r = await getRule(ctx, a.id);
    const h = ctx.block.height;
    if (r.retireHeight !== 0) fail('TAX_RULE_RETIRED', `tax rule ${a.id} is retired from height ${r.retireHeight} already`);
    if (a.atHeight <= h) fail('TAX_RULE_INVALID', `the retirement height ${a.atHeight} is not above the current height ${h}`);
    const retired: TaxRule = { ...r, retireHeight: a.atHeight, retireLegalRef: a.legalRef };
    ctx.put(TaxRuleSchema, TaxKeys.rule(a.id), retired);
    // A rule retired before it activates never applies: it leaves the rules in force now.
    const others = (await rulesOf(ctx, r.currency, h)).filter((x) => x.id !== a.id);
    putRules(ctx, r.currency, a.atHeight <= r.activationHeight ? others : [...others, retired]);
    ctx.emit(E.rule_retired, { id: a.id, atHeight: a.atHeight, legalRef: a.legalRef });
  }, { roles: Role.TAX_AUTHORITY, fails: ['NOT_AUTHORIZED', 'TAX_RULE_NOT_FOUND', 'TAX_RULE_RETIRED', 'TAX_RULE_INVALID'] }),
};
