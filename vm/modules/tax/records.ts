/**
 * The tax module's records: tax rules (immutable once registered but for their retirement),
 * the rules in force per currency (one record the payment hook reads once per payment,
 * holding each rule whole), each account's credential exemptions, and per-taxpayer totals
 * per calendar month and rule (in state, so a total is provable).
 */
import { addressField, amount, concatBytes, list, str, struct, u8, u32, uint, type Infer } from '../../../core/index.js';
import { record, u64be } from '../../keys.js';
import { field, indexSpec } from '../../module.js';
import { CounterSchema } from '../../records.js';
import { currencyCode, CURRENCY_CODE_RE } from '../money/records.js';
import { typeIdField } from '../cred/records.js';

/** What the rate applies to: 0 the payment's amount (a transfer, or each payout item as a payment); 1 payout items only (payroll). */
export const TaxBase = { PAYMENT: 0, PAYOUT_ITEM: 1 } as const;
/** Who pays the tax: 0 the payer, on top of the amount; 1 the payee, withheld from it. */
export const TaxPayer = { PAYER: 0, PAYEE: 1 } as const;
/** Payment types a rule may name (money's payment hook types). */
export const TAX_PAYMENT_TYPES = ['transfer', 'payout'] as const;
/** A rate of 10,000 basis points is 100%. */
export const BPS = 10_000;
/** Most credential types one rule exempts. */
export const MAX_EXEMPT_TYPES = 8;
/** Most exemptions one account holds (one per credential type). */
export const MAX_EXEMPTIONS = 16;
/** Most rules one currency's in-force record holds (max_tax_rules is at most this). */
export const MAX_TAX_RULES = 64;

export const taxRuleNameField = str(64);
export const legalRefField = str(128);
export const categoryField = str(32);

export const AppliesToSchema = struct('TaxAppliesTo', {
  /** `transfer`, `payout`; empty: both. */
  types: list(str(16), 2),
  /** The payee account's category (e.g. `merchant`); "": any. */
  payeeCategory: categoryField,
  /** The payer account's category; "": any. */
  payerCategory: categoryField,
});
export type AppliesTo = Infer<typeof AppliesToSchema>;

export const TaxRuleSchema = struct('TaxRule', {
  id: uint,
  name: taxRuleNameField,
  currency: currencyCode,
  /** Basis points of the base, 1..10,000; tax = floor(amount * rateBps / 10,000). */
  rateBps: u32,
  base: u8,
  payer: u8,
  appliesTo: AppliesToSchema,
  /** The institution account every tax of the rule is credited to. */
  treasury: addressField,
  /** Credential types (cred type ids) whose holder in good standing, having claimed it, pays none. */
  exemptTypes: list(typeIdField, MAX_EXEMPT_TYPES),
  /** The first height the rule applies at. */
  activationHeight: uint,
  /** The first height it no longer applies at; 0: not retired. */
  retireHeight: uint,
  legalRef: legalRefField,
  retireLegalRef: legalRefField,
  registeredBy: addressField,
  /** The height it was registered at. */
  height: uint,
});
export type TaxRule = Infer<typeof TaxRuleSchema>;

/** A currency's rules in force (registered, not retired before the current height), by id: all the hook needs, in one read. */
export const TaxRuleListSchema = struct('TaxRuleList', { rules: list(TaxRuleSchema, MAX_TAX_RULES) });
export type TaxRuleList = Infer<typeof TaxRuleListSchema>;

/** A credential exemption an account claimed: the credential's type, issuer, status index and end of validity (block time, ms). */
export const ExemptionSchema = struct('TaxExemption', { typeId: typeIdField, issuer: addressField, index: uint, validUntil: uint, height: uint });
export type Exemption = Infer<typeof ExemptionSchema>;
export const ExemptionsSchema = struct('TaxExemptions', { items: list(ExemptionSchema, MAX_EXEMPTIONS) });
export type Exemptions = Infer<typeof ExemptionsSchema>;

/**
 * A taxpayer's figures under one rule in one month: `gross` the sum of the taxed payments'
 * gross (what the payer paid: the amount, plus the tax when the payer pays it), `tax` the
 * tax, `count` the payments taxed. The base the rate applied to is gross (payee pays) or
 * gross - tax (payer pays).
 */
export const TaxTotalSchema = struct('TaxTotal', { currency: currencyCode, gross: amount, tax: amount, count: uint });
export type TaxTotal = Infer<typeof TaxTotalSchema>;

export const taxRecords = {
  tax_rule: record(0xd0, [field.id('id')], TaxRuleSchema,
    'TaxRule [id, name, currency, rateBps, base (0 payment, 1 payout item), payer (0 payer, 1 payee), appliesTo [types, payeeCategory, payerCategory], treasury, exemptTypes, activationHeight, retireHeight (0: none), legalRef, retireLegalRef, registeredBy, height]'),
  tax_rules: record(0xd1, [field.text('currency', CURRENCY_CODE_RE)], TaxRuleListSchema, 'TaxRuleList [rules [TaxRule]]: the rules in force for a currency (not retired before the latest registration or retirement), by id; absent: none'),
  tax_rule_seq: record(0xd2, [], CounterSchema, 'Counter [next]: tax rule ids'),
  tax_exemption: record(0xd3, [field.address('address')], ExemptionsSchema, 'TaxExemptions [items [[typeId, issuer, index, validUntil, height]]]: the credential exemptions the account claimed, one per type'),
  tax_total: record(0xd4, [field.address('taxpayer'), field.id('period'), field.id('taxRule')], TaxTotalSchema, 'TaxTotal [currency, gross, tax, count]: what the taxpayer paid under the rule in the month (period yyyymm, UTC)'),
};

export const TaxKeys = {
  rule: taxRecords.tax_rule.keyOf,
  rules: taxRecords.tax_rules.keyOf,
  ruleSeq: taxRecords.tax_rule_seq.keyOf,
  exemption: taxRecords.tax_exemption.keyOf,
  total: taxRecords.tax_total.keyOf,
};

/** The module's node-side index (ids are literals, never reused; tax has 30..39). */
export const TaxIndexes = {
  taxpayerTotal: indexSpec(30, 'taxpayer 20, period u64, rule u64 -> empty: a tax_total record made (its first taxed payment): how the RPC finds a taxpayer\'s totals'),
};

/** The key of a taxpayerTotal index entry (without the index id): taxpayer, period, rule. */
export const taxTotalIndexKey = (taxpayer: Uint8Array, period: number, rule: number): Uint8Array => concatBytes(taxpayer, u64be(period), u64be(rule));

/** Whether rule `r` applies at `height` (activated, not retired). */
export const inForceAt = (r: TaxRule, height: number): boolean => r.activationHeight <= height && (r.retireHeight === 0 || height < r.retireHeight);
