/**
 * Taxes at the moment of payment (vm tax) in the SDK: everything `sov tax` does, as functions.
 * - Transaction args, checked against the module's own schemas before anything is signed:
 *   `taxRegisterRuleArgs` (a rule from readable input: rate in basis points, base and payer
 *   by name, the treasury as an address), `taxRetireRuleArgs`, `taxClaimExemptionArgs` (a
 *   credential package presented for the ledger: prog.ts ledgerPresentation); send any of
 *   them with `sendTaxTx`, which waits and names the failure's code; `taxRuleIdResult` reads
 *   register_rule's result.
 * - The queries, `taxRules` and `taxTotals`, and their verification offline with nothing but
 *   a trusted validator set: `verifyTaxRules`, `verifyTaxTotals` open the answer's proof
 *   bundle (the certificate, each record's state proof) and check the answer against the
 *   proven bytes, returning what the ledger holds, whatever node served it.
 */
import { decode, decodeAddress, encode, fromHex, SovError, type KeyPair, type Schema, type ValidatorSet } from '../../core/index.js';
import { CounterSchema, CurrencyListSchema, tax, type Registry } from '../../vm/index.js';
import { BundleError, openCredProofBundle, type CredProofBundle } from '../cred-proofs.js';
import { recordKey } from '../records.js';
import type { TaxRulesView, TaxRuleView, TaxTotalsQuery, TaxTotalsView, TaxTotalView } from '../tax-query.js';
import type { ArgsOf, SendOptions, Wallet } from './builders.js';
import type { TypedMethods } from './client.js';
import type { CredentialPackage } from './credentials.js';
import { ledgerPresentation } from './prog.js';

export type { TaxRulesView, TaxRuleView, TaxTotalsQuery, TaxTotalsView, TaxTotalView };
export type TaxRegisterRuleArgs = ArgsOf<'tax', 'register_rule'>;
export type TaxRetireRuleArgs = ArgsOf<'tax', 'retire_rule'>;
export type TaxClaimExemptionArgs = ArgsOf<'tax', 'claim_exemption'>;

export const TAX_ERRORS = {
  TAX_BAD_INPUT: "input the SDK refuses before anything is signed: a rate that is not 1..10,000 basis points, an unknown base, payer or payment type, an address of another chain, args that do not fit the module's schema",
} as const satisfies Record<string, string>;
export type TaxErrorCode = keyof typeof TAX_ERRORS;

export class TaxError extends SovError {
  constructor(code: TaxErrorCode, message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta);
  }
}

const bad = (message: string): never => {
  throw new TaxError('TAX_BAD_INPUT', message);
};

function checked<T>(schema: Schema<T>, args: T, method: string): T {
  try {
    encode(schema, args);
  } catch (e) {
    bad(`tax.${method}: ${(e as Error).message}`);
  }
  return args;
}

function address(v: string | Uint8Array, prefix: string, what: string): Uint8Array {
  if (v instanceof Uint8Array) return v.length === 20 ? v : bad(`${what} is 20 bytes`);
  try {
    return decodeAddress(v.trim(), prefix);
  } catch (e) {
    return bad(`${what}: "${String(v).slice(0, 100)}" is not an address of this chain (${(e as Error).message})`);
  }
}

export const TAX_BASES = ['payment', 'payout_item'] as const;
export const TAX_PAYERS = ['payer', 'payee'] as const;
export type TaxBaseName = (typeof TAX_BASES)[number];
export type TaxPayerName = (typeof TAX_PAYERS)[number];
export type TaxPaymentType = (typeof tax.TAX_PAYMENT_TYPES)[number];

export interface TaxRuleInput {
  name: string;
  currency: string;
  /** Basis points of the base: 1500 is 15%. */
  rateBps: number;
  /** The payment amount (default), or payout items only. */
  base?: TaxBaseName;
  /** Who pays: the payer on top of the amount (default), or the payee, withheld. */
  payer?: TaxPayerName;
  /** transfer, payout; none: both. */
  types?: readonly TaxPaymentType[];
  /** The payee account's category (e.g. merchant); absent or "": any. */
  payeeCategory?: string;
  payerCategory?: string;
  /** An institution account (bech32m of the chain, or 20 bytes). */
  treasury: string | Uint8Array;
  /** Credential type ids whose holders may claim an exemption. */
  exemptTypes?: readonly string[];
  /** The first height it applies at (above the head when the transaction lands). */
  activationHeight: number;
  legalRef: string;
}

/** The args of tax.register_rule. */
export function taxRegisterRuleArgs(r: TaxRuleInput, addressPrefix: string): TaxRegisterRuleArgs {
  if (!Number.isInteger(r.rateBps) || r.rateBps < 1 || r.rateBps > tax.BPS) bad(`a rate is 1..${tax.BPS} basis points, not ${String(r.rateBps)}`);
  const base = TAX_BASES.indexOf(r.base ?? 'payment');
  if (base < 0) bad(`a base is ${TAX_BASES.join(' or ')}, not "${String(r.base)}"`);
  const payer = TAX_PAYERS.indexOf(r.payer ?? 'payer');
  if (payer < 0) bad(`a payer is ${TAX_PAYERS.join(' or ')}, not "${String(r.payer)}"`);
  const types = [...(r.types ?? [])];
  for (const t of types) if (!(tax.TAX_PAYMENT_TYPES as readonly string[]).includes(t)) bad(`a payment type is ${tax.TAX_PAYMENT_TYPES.join(' or ')}, not "${String(t)}"`);
  return checked(tax.RegisterRuleArgs, {
    name: r.name, currency: r.currency, rateBps: r.rateBps, base, payer, appliesTo: { types, payeeCategory: r.payeeCategory ?? '', payerCategory: r.payerCategory ?? '' },
    treasury: address(r.treasury, addressPrefix, 'treasury'), exemptTypes: [...(r.exemptTypes ?? [])], activationHeight: r.activationHeight, legalRef: r.legalRef,
  }, 'register_rule');
}

/** The args of tax.retire_rule: rule `id` applies no more from `atHeight`. */
export function taxRetireRuleArgs(id: number, atHeight: number, legalRef: string): TaxRetireRuleArgs {
  return checked(tax.RetireRuleArgs, { id, atHeight, legalRef }, 'retire_rule');
}

/**
 * The args of tax.claim_exemption: the holder's SD-JWT VC credential package, presented for
 * the ledger (its claims undisclosed unless named), under rule `rule`'s exempt types.
 */
export async function taxClaimExemptionArgs(rule: number, pkg: CredentialPackage, holderKey: KeyPair, o: { chainId: string; iat: number; disclose?: readonly string[] }): Promise<TaxClaimExemptionArgs> {
  const presentation = await ledgerPresentation(pkg, o.disclose ?? [], holderKey, { chainId: o.chainId, iat: o.iat });
  return checked(tax.ClaimExemptionArgs, { rule, presentation }, 'claim_exemption');
}

/** register_rule's result (0x-hex): the rule id. */
export const taxRuleIdResult = (hex: string): number => decode(tax.RuleIdResult, fromHex(hex)).id;

type TaxMethod = 'register_rule' | 'retire_rule' | 'claim_exemption';

export interface TaxTxOutcome {
  hash: string;
  status: 'committed' | 'failed' | 'pending';
  height: number | null;
  code: number | null;
  codeName: string | null;
  message: string | null;
  /** The receipt's result (0x-hex) when committed. */
  result: string | null;
}

/** Sign `tax.method(args)`, submit it and wait; a failure in execution comes back with its code's name. */
export async function sendTaxTx(wallet: Wallet, method: TaxMethod, args: unknown, opts: Omit<SendOptions, 'wait'> = {}): Promise<TaxTxOutcome> {
  const out = await wallet.send('tax', method, args, { ...opts, wait: true });
  const base = { hash: out.hash, status: out.status, height: out.height, code: out.code, codeName: null, message: out.message, result: null };
  if (out.height === null) return base;
  const got = await wallet.client.getTransaction(out.hash).catch(() => null);
  if (got === null) return base;
  return { ...base, code: out.status === 'committed' ? null : got.receipt.code, codeName: got.receipt.codeName, message: out.message ?? (got.receipt.message || null), result: out.status === 'committed' ? got.receipt.result : null };
}

// ---- queries and their verification ------------------------------------------------------

type Caller = Pick<TypedMethods, 'call'>;

/** The rules in force or scheduled, of one currency or all, with their proofs. */
export const taxRules = (client: Caller, currency?: string): Promise<TaxRulesView> => client.call('tax_rules', currency === undefined ? {} : { currency });

/** A taxpayer's monthly totals with their proofs: one period whole, or a page of all. */
export const taxTotals = (client: Caller, q: TaxTotalsQuery): Promise<TaxTotalsView> => client.call('tax_totals', { ...q });

export interface TaxVerifyContext {
  chainId: string;
  addressPrefix: string;
  validators: ValidatorSet;
  modules?: Registry;
}

export interface VerifiedTaxRules {
  height: number;
  time: number;
  /** Every rule in the proven records, by currency then id. */
  rules: tax.TaxRule[];
}

export interface VerifiedTaxTotals {
  height: number;
  time: number;
  totals: { period: number; rule: number; total: tax.TaxTotal }[];
  /** With a period: every rule's total of the month is proven (present or absent). */
  complete: boolean;
}

function opened(b: CredProofBundle, ctx: TaxVerifyContext) {
  return openCredProofBundle(b, { chainId: ctx.chainId, addressPrefix: ctx.addressPrefix, validators: ctx.validators, ...(ctx.modules ? { modules: ctx.modules } : {}) });
}

/** The proven bytes of the bundle's record for `query` (null: proven absent); BundleError when the bundle lacks it. */
function rawOf(b: CredProofBundle, query: Record<string, string | number>, ctx: TaxVerifyContext): Uint8Array | null {
  const want = Buffer.from(recordKey(query as never, ctx.addressPrefix, ctx.modules)).toString('hex');
  for (const r of b.records) {
    if (Buffer.from(recordKey(r.query, ctx.addressPrefix, ctx.modules)).toString('hex') === want) return r.raw === null ? null : fromHex(r.raw);
  }
  throw new BundleError(`the bundle has no ${String(query.kind)} record`);
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Verify tax_rules's answer (for `currency`, or for all when undefined): the proofs against
 * the trusted validator set, the currency list (all) and each currency's rules record; and
 * the answer's rules exactly those records' rules. Throws BundleError when anything does not check.
 */
export function verifyTaxRules(r: TaxRulesView, ctx: TaxVerifyContext, currency?: string): VerifiedTaxRules {
  const o = opened(r.proofs, ctx);
  if (o.height !== r.height) throw new BundleError(`the answer claims height ${r.height}, its proofs are of ${o.height}`);
  let currencies: string[];
  if (currency !== undefined) currencies = [currency];
  else {
    const list = rawOf(r.proofs, { kind: 'currency_list' }, ctx);
    currencies = list === null ? [] : [...decode(CurrencyListSchema, list).codes];
  }
  const rules: tax.TaxRule[] = [];
  for (const c of currencies) {
    const raw = rawOf(r.proofs, { kind: 'tax_rules', currency: c }, ctx);
    if (raw !== null) rules.push(...decode(tax.TaxRuleListSchema, raw).rules);
  }
  const got = r.rules.map((x) => [x.id, x.currency, x.rateBps, x.activationHeight, x.retireHeight ?? 0, x.base, x.payer, x.appliesTo, x.exemptTypes, x.legalRef]);
  const want = rules.map((x) => [x.id, x.currency, x.rateBps, x.activationHeight, x.retireHeight, TAX_BASES[x.base], TAX_PAYERS[x.payer], x.appliesTo, x.exemptTypes, x.legalRef]);
  if (!same(got, want)) throw new BundleError('the rules the node lists are not the proven ones');
  return { height: o.height, time: o.time, rules };
}

/**
 * Verify tax_totals's answer for `taxpayer` (and `period`, when asked): the proofs, and each
 * total the answer lists equal to its proven record. With a period, also that the answer is
 * complete: the proven rule counter, and every rule's total of the month proven (present or
 * absent), none left out. Throws BundleError when anything does not check.
 */
export function verifyTaxTotals(taxpayer: string, r: TaxTotalsView, ctx: TaxVerifyContext, period?: number): VerifiedTaxTotals {
  const o = opened(r.proofs, ctx);
  if (o.height !== r.height) throw new BundleError(`the answer claims height ${r.height}, its proofs are of ${o.height}`);
  if (r.taxpayer !== taxpayer || (period !== undefined && r.period !== period)) throw new BundleError('the answer is of another taxpayer or period');
  const totals: VerifiedTaxTotals['totals'] = [];
  for (const t of r.totals) {
    if (period !== undefined && t.period !== period) throw new BundleError(`a total of period ${t.period} in an answer for ${period}`);
    const raw = rawOf(r.proofs, { kind: 'tax_total', taxpayer, period: t.period, taxRule: t.rule }, ctx);
    if (raw === null) throw new BundleError(`the total of rule ${t.rule} in ${t.period} is proven absent`);
    const total = decode(tax.TaxTotalSchema, raw);
    if (t.currency !== total.currency || t.gross !== total.gross.toString() || t.tax !== total.tax.toString() || t.count !== total.count) {
      throw new BundleError(`the total of rule ${t.rule} in ${t.period} is not the proven one`);
    }
    totals.push({ period: t.period, rule: t.rule, total });
  }
  let complete = false;
  if (period !== undefined) {
    const seq = rawOf(r.proofs, { kind: 'tax_rule_seq' }, ctx);
    const last = seq === null ? 0 : decode(CounterSchema, seq).next - 1;
    for (let rule = 1; rule <= last; rule++) {
      const raw = rawOf(r.proofs, { kind: 'tax_total', taxpayer, period, taxRule: rule }, ctx);
      if (raw !== null && !totals.some((x) => x.rule === rule)) throw new BundleError(`the node left out the proven total of rule ${rule}`);
    }
    complete = true;
  }
  return { height: o.height, time: o.time, totals, complete };
}
