/**
 * The node's side of the tax queries (vm tax), each answer with the state proofs of the
 * records it was read from, at one height, in the credential bundle's form (rpc/cred-proofs.ts):
 * a client opens it with nothing but a trusted validator set (SDK verifyTaxRules,
 * verifyTaxTotals).
 * - `rules`: every currency's rules in force or scheduled: the currency list and each
 *   currency's `tax_rules` record (present or proven absent), so the answer is complete.
 * - `totals`: a taxpayer's monthly totals. With a period: the taxpayer's `tax_total` of that
 *   month under every rule ever registered (ids 1 .. the proven counter's next - 1; absent
 *   ones proven absent), so that answer is complete too. Without: the totals the module's
 *   node-side index lists (by period, then rule), a page at a time, each proven.
 */
import { concatBytes, decode, encodeAddress, fromHex } from '../core/index.js';
import { CounterSchema, CurrencyListSchema, tax } from '../vm/index.js';
import type { CredProofBundle } from './cred-proofs.js';
import type { NodeFacade, RecordQuery, RecordView } from './facade.js';
import { addr, asView, cursorOf, parseCursor, readU64 } from './comp-query.js';
import { RpcCodes, RpcError } from './errors.js';

const invalid = (m: string): RpcError => new RpcError(RpcCodes.INVALID_PARAMS, m);
/** Most rules a period's totals answer proves (one record each); beyond, ask without a period. */
export const MAX_TAX_TOTAL_RULES = 512;

export interface TaxRuleView {
  id: number;
  name: string;
  currency: string;
  rateBps: number;
  base: 'payment' | 'payout_item';
  payer: 'payer' | 'payee';
  appliesTo: { types: string[]; payeeCategory: string; payerCategory: string };
  treasury: string;
  exemptTypes: string[];
  activationHeight: number;
  /** The first height it no longer applies at, or null. */
  retireHeight: number | null;
  /** At the answer's height: scheduled (not yet activated), active, or retired (no longer applies). */
  status: 'scheduled' | 'active' | 'retired';
  legalRef: string;
  retireLegalRef: string;
  registeredBy: string;
  height: number;
}

export interface TaxRulesView {
  height: number;
  rules: TaxRuleView[];
  proofs: CredProofBundle;
}

export interface TaxTotalView {
  /** The month, yyyymm (UTC). */
  period: number;
  /** Its first block time (ms) and the next month's. */
  start: number;
  end: number;
  rule: number;
  currency: string;
  gross: string;
  tax: string;
  count: number;
}

export interface TaxTotalsView {
  taxpayer: string;
  period: number | null;
  height: number;
  totals: TaxTotalView[];
  /** Without a period: the cursor of the next page, or null. */
  next: string | null;
  proofs: CredProofBundle;
}

export interface TaxTotalsQuery {
  taxpayer: string;
  period?: number;
  limit?: number;
  cursor?: string;
}

export function taxRuleView(r: tax.TaxRule, pfx: string, height: number): TaxRuleView {
  return {
    id: r.id, name: r.name, currency: r.currency, rateBps: r.rateBps, base: r.base === tax.TaxBase.PAYOUT_ITEM ? 'payout_item' : 'payment', payer: r.payer === tax.TaxPayer.PAYEE ? 'payee' : 'payer',
    appliesTo: { types: [...r.appliesTo.types], payeeCategory: r.appliesTo.payeeCategory, payerCategory: r.appliesTo.payerCategory }, treasury: encodeAddress(pfx, r.treasury),
    exemptTypes: [...r.exemptTypes], activationHeight: r.activationHeight, retireHeight: r.retireHeight === 0 ? null : r.retireHeight,
    status: tax.inForceAt(r, height) ? 'active' : r.activationHeight > height ? 'scheduled' : 'retired',
    legalRef: r.legalRef, retireLegalRef: r.retireLegalRef, registeredBy: encodeAddress(pfx, r.registeredBy), height: r.height,
  };
}

export function taxTotalView(period: number, rule: number, t: tax.TaxTotal): TaxTotalView {
  const { start, end } = tax.periodBounds(period);
  return { period, start, end, rule, currency: t.currency, gross: t.gross.toString(), tax: t.tax.toString(), count: t.count };
}

const queries = new WeakMap<NodeFacade, TaxQueries>();
export function taxQueriesOf(f: NodeFacade): TaxQueries {
  let q = queries.get(f);
  if (q === undefined) queries.set(f, (q = new TaxQueries(f)));
  return q;
}

export class TaxQueries {
  private pfx: string | undefined;
  constructor(private readonly f: NodeFacade) {}

  private async prefix(): Promise<string> {
    return (this.pfx ??= (await this.f.status()).addressPrefix);
  }

  /** Read `queries` proven at `height`, as one bundle. */
  private async bundle(height: number, queries: RecordQuery[]): Promise<{ views: RecordView[]; proofs: CredProofBundle }> {
    const views: RecordView[] = [];
    for (const q of queries) {
      const v = asView(await this.f.record(q, height, true));
      if (!v.proof) throw new RpcError(RpcCodes.INTERNAL_ERROR, 'a proven read came without its proof');
      views.push(v);
    }
    const first = views[0]!.proof!;
    return { views, proofs: { height, header: first.header, commit: first.commit, records: views.map((v, i) => ({ query: queries[i]!, raw: v.raw, proof: v.proof!.proof })) } };
  }

  /** The rules in force or scheduled, of one currency or of every currency, proven. */
  async rules(currency?: string): Promise<TaxRulesView> {
    const pfx = await this.prefix();
    const height = this.f.head();
    let currencies: string[];
    let queries: RecordQuery[];
    if (currency !== undefined) {
      currencies = [currency];
      queries = [];
    } else {
      const list = asView(await this.f.record({ kind: 'currency_list' }, height, false));
      currencies = list.raw === null ? [] : [...decode(CurrencyListSchema, fromHex(list.raw)).codes];
      queries = [{ kind: 'currency_list' }];
    }
    queries.push(...currencies.map((c): RecordQuery => ({ kind: 'tax_rules', currency: c })));
    const { views, proofs } = await this.bundle(height, queries);
    const rules: TaxRuleView[] = [];
    for (const v of views.slice(queries.length - currencies.length)) {
      if (v.raw !== null) for (const r of decode(tax.TaxRuleListSchema, fromHex(v.raw)).rules) rules.push(taxRuleView(r, pfx, height));
    }
    return { height, rules, proofs };
  }

  /** A taxpayer's monthly totals: of one period, complete; or a page of all, through the index. */
  async totals(q: TaxTotalsQuery): Promise<TaxTotalsView> {
    const pfx = await this.prefix();
    const who = addr(q.taxpayer, pfx, 'taxpayer');
    const height = this.f.head();
    if (q.period !== undefined) {
      if (!tax.isPeriod(q.period)) throw invalid('period is a month, yyyymm (e.g. 202601)');
      if (q.cursor !== undefined || q.limit !== undefined) throw invalid('a period answers whole: no limit or cursor');
      const seq = asView(await this.f.record({ kind: 'tax_rule_seq' }, height, false));
      const last = seq.raw === null ? 0 : decode(CounterSchema, fromHex(seq.raw)).next - 1;
      if (last > MAX_TAX_TOTAL_RULES) throw invalid(`${last} tax rules were registered: ask without a period (a page at a time)`);
      const ids = Array.from({ length: last }, (_, i) => i + 1);
      const { views, proofs } = await this.bundle(height, [{ kind: 'tax_rule_seq' }, ...ids.map((taxRule): RecordQuery => ({ kind: 'tax_total', taxpayer: q.taxpayer, period: q.period!, taxRule }))]);
      const totals: TaxTotalView[] = [];
      views.slice(1).forEach((v, i) => {
        if (v.raw !== null) totals.push(taxTotalView(q.period!, ids[i]!, decode(tax.TaxTotalSchema, fromHex(v.raw))));
      });
      return { taxpayer: q.taxpayer, period: q.period, height, totals, next: null, proofs };
    }
    const limit = q.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalid('limit is 1..1000');
    const prefix = concatBytes(Uint8Array.of(tax.TaxIndexes.taxpayerTotal.id), who);
    const after = q.cursor === undefined ? undefined : parseCursor(q.cursor);
    const r = await this.f.indexScan({ prefix, limit, ...(after ? { after } : {}) });
    const found: { period: number; rule: number }[] = [];
    for (const it of r.items) {
      // The key ends with the period and the rule (tax.taxTotalIndexKey).
      const period = readU64(it.key, it.key.length - 16);
      const rule = readU64(it.key, it.key.length - 8);
      if (!found.some((x) => x.period === period && x.rule === rule)) found.push({ period, rule });
    }
    // The counter too: it gives every answer, even an empty one, a certified header.
    const { views, proofs } = await this.bundle(height, [{ kind: 'tax_rule_seq' }, ...found.map((x): RecordQuery => ({ kind: 'tax_total', taxpayer: q.taxpayer, period: x.period, taxRule: x.rule }))]);
    const totals: TaxTotalView[] = [];
    views.slice(1).forEach((v, i) => {
      if (v.raw !== null) totals.push(taxTotalView(found[i]!.period, found[i]!.rule, decode(tax.TaxTotalSchema, fromHex(v.raw))));
    });
    return { taxpayer: q.taxpayer, period: null, height, totals, next: r.next === null ? null : cursorOf(r.next), proofs };
  }
}
