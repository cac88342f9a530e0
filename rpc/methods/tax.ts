/**
 * Tax methods (vm tax): the tax rules in force or scheduled, and a taxpayer's monthly totals,
 * each answer with the state proofs of the records it was read from at one height,
 * verifiable offline against a commit certificate and the validator set (SDK
 * verifyTaxRules, verifyTaxTotals). Tax rules and totals are ledger data, public as balances
 * are.
 */
import { Type } from '@sinclair/typebox';
import { param, type MethodSpec } from '../registry.js';
import { taxQueriesOf, MAX_TAX_TOTAL_RULES, type TaxTotalsQuery } from '../tax-query.js';
import { Address, type RpcContext } from './chain.js';
import { CredProofBundleView } from './cred.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Currency = Type.String({ pattern: '^[A-Z][A-Z0-9]{1,11}$', description: 'a currency code' });
const Period = Type.Integer({ minimum: 197001, maximum: 999912, description: 'a month, yyyymm (UTC), e.g. 202601' });

const RuleItem = Type.Object({
  id: Type.Integer(), name: Type.String(), currency: Type.String(), rateBps: Type.Integer({ description: 'basis points: 1500 is 15%' }),
  base: Type.Union([Type.Literal('payment'), Type.Literal('payout_item')]), payer: Type.Union([Type.Literal('payer'), Type.Literal('payee')], { description: 'who pays: the payer on top, or the payee withheld' }),
  appliesTo: Type.Object({ types: Type.Array(Type.String()), payeeCategory: Type.String(), payerCategory: Type.String() }),
  treasury: Address, exemptTypes: Type.Array(Type.String()), activationHeight: Type.Integer(), retireHeight: Nullable(Type.Integer()),
  status: Type.Union([Type.Literal('scheduled'), Type.Literal('active'), Type.Literal('retired')], { description: "at the answer's height" }),
  legalRef: Type.String(), retireLegalRef: Type.String(), registeredBy: Address, height: Type.Integer({ description: 'registered at' }),
});
const TotalItem = Type.Object({
  period: Type.Integer({ description: 'yyyymm' }), start: Type.Integer({ description: "the month's first block time, ms" }), end: Type.Integer({ description: "the next month's" }),
  rule: Type.Integer(), currency: Type.String(), gross: Type.String({ description: 'minor units, decimal: what the payers paid (the tax included when the payer pays it)' }),
  tax: Type.String({ description: 'minor units, decimal' }), count: Type.Integer({ description: 'payments taxed' }),
});

export const taxMethods: MethodSpec<RpcContext>[] = [
  {
    name: 'tax_rules',
    summary: "The tax rules in force or scheduled (module tax), of one currency or of all: each with its rate, base, who pays, the payments it applies to, treasury, exempt credential types, activation and retirement heights, status at the answer's height and legal reference; with the proofs of the currency list and of each currency's rules record, so the answer is complete and verifiable offline.",
    params: [param('currency', Currency, { required: false, description: 'one currency (default: every currency)' })],
    result: Type.Object({ height: Type.Integer(), rules: Type.Array(RuleItem), proofs: CredProofBundleView }),
    handler: (ctx, p) => taxQueriesOf(ctx.facade).rules(p.currency as string | undefined),
  },
  {
    name: 'tax_totals',
    summary: `A taxpayer's totals per month and tax rule (module tax): the payments taxed, their gross and the tax, each total with its state proof. With a period: that month's totals under every rule ever registered (each absent one proven absent; at most ${MAX_TAX_TOTAL_RULES} rules), complete. Without: every month's, a page at a time (found through the node's index; \`next\` resumes).`,
    params: [
      param('taxpayer', Address),
      param('period', Period, { required: false }),
      param('limit', Type.Integer({ minimum: 1, maximum: 1000 }), { required: false, description: 'totals per page without a period (default 100)' }),
      param('cursor', Type.String({ maxLength: 1024 }), { required: false, description: "an earlier page's `next`" }),
    ],
    result: Type.Object({ taxpayer: Address, period: Nullable(Type.Integer()), height: Type.Integer(), totals: Type.Array(TotalItem), next: Nullable(Type.String()), proofs: CredProofBundleView }),
    handler: (ctx, p) => taxQueriesOf(ctx.facade).totals(p as unknown as TaxTotalsQuery),
  },
];
