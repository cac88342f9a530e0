/**
 * The periodic report of one institution (comp_report): for each calendar period (UTC day,
 * week from Monday, month) of a block-time range, the payments its customers made or
 * received while a rule was live (count, and value per currency by side: paying, paid, or
 * both parties its customers), the alerts on them (count, by rule, by severity) and the
 * holds opened (count, and each one's outcome at the report's height: released, refused,
 * still held). It reads the module comp's indexes by bank (payments, alerts, holds; kept
 * beside the blocks), each alert's rule and severity from its receipt, and each hold's
 * outcome from state. The work is bounded: at most 366 days and 1,000,000 index entries, or
 * the query is refused rather than left to run; entries written after the report's height
 * (while it reads) are left out, so the figures are those of that height.
 */
import { concatBytes, decode, fromHex } from '../core/index.js';
import type { IndexCursor, IndexItem } from '../state/index.js';
import { comp } from '../vm/index.js';
import type { NodeFacade } from './facade.js';
import { RpcCodes, RpcError } from './errors.js';
import { addr, asView, compQueriesOf, indexTime, readU64, u64, type ReceiptCache } from './comp-query.js';

const DAY = 86_400_000;
/** The longest range a report covers, in days. */
export const MAX_REPORT_DAYS = 366;
/** The most index entries (payments, alerts and holds together) one report reads. */
export const MAX_REPORT_ENTRIES = 1_000_000;
/** Entries read per index page, and hold records read at once. */
const PAGE = 1000;
const HOLD_BATCH = 64;

export const PERIODS = ['day', 'week', 'month'] as const;
export type Period = (typeof PERIODS)[number];

export interface CompReportQuery {
  institution: string;
  /** Block time, ms, inclusive. */
  from: number;
  /** Block time, ms, inclusive. */
  to: number;
  period: Period;
}

/** How many payments, and their value (minor units, decimal). */
export interface Tally {
  count: number;
  value: string;
}

export interface CompReportPeriod {
  /** The calendar period: its first ms (UTC) and the next period's (only block times in the report's range are counted). */
  start: number;
  end: number;
  payments: {
    count: number;
    /** Per currency, by side: the institution's customer paying, being paid, or both parties its customers. */
    currencies: { currency: string; paying: Tally; paid: Tally; both: Tally }[];
  };
  alerts: { count: number; byRule: { rule: string; count: number }[]; bySeverity: { severity: number; count: number }[] };
  /** Holds opened in the period, and their outcome at the report's height. */
  holds: { opened: number; released: number; refused: number; held: number };
}

export interface CompReportView {
  institution: string;
  from: number;
  to: number;
  period: Period;
  /** The height the figures are of. */
  height: number;
  periods: CompReportPeriod[];
}

const invalid = (m: string): RpcError => new RpcError(RpcCodes.INVALID_PARAMS, m);

/** The first ms (UTC) of the period that holds `t`. */
export function periodStart(t: number, p: Period): number {
  if (p === 'day') return Math.floor(t / DAY) * DAY;
  if (p === 'week') {
    // 1970-01-01 was a Thursday: day d is (d + 3) % 7 days after a Monday.
    const d = Math.floor(t / DAY);
    return (d - (((d + 3) % 7) + 7) % 7) * DAY;
  }
  const x = new Date(t);
  return Date.UTC(x.getUTCFullYear(), x.getUTCMonth(), 1);
}

/** The first ms of the period after the one starting at `start`. */
export function periodEnd(start: number, p: Period): number {
  if (p === 'day') return start + DAY;
  if (p === 'week') return start + 7 * DAY;
  const x = new Date(start);
  return Date.UTC(x.getUTCFullYear(), x.getUTCMonth() + 1, 1);
}

interface Acc {
  start: number;
  end: number;
  payments: number;
  currencies: Map<string, { paying: [number, bigint]; paid: [number, bigint]; both: [number, bigint] }>;
  alerts: number;
  rules: Map<string, number>;
  severities: Map<number, number>;
  holds: number[];
}

const SIDES = { 1: 'paying', 2: 'paid', 3: 'both' } as const;

/** Institution `q.institution`'s report, period by period. */
export async function compReport(f: NodeFacade, q: CompReportQuery): Promise<CompReportView> {
  const queries = compQueriesOf(f);
  const bank = addr(q.institution, await queries.prefix(), 'institution');
  const { from, to, period } = q;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from || to >= Number.MAX_SAFE_INTEGER) throw invalid('from and to are block times in ms, from <= to');
  if (!PERIODS.includes(period)) throw invalid('period is day, week or month');
  if (to - from >= MAX_REPORT_DAYS * DAY) throw invalid(`a report covers at most ${MAX_REPORT_DAYS} days; from..to spans ${Math.ceil((to - from + 1) / DAY)}: ask for a shorter range`);
  const height = f.head();

  const periods: Acc[] = [];
  for (let s = periodStart(from, period); s <= to; s = periodEnd(s, period)) {
    periods.push({ start: s, end: periodEnd(s, period), payments: 0, currencies: new Map(), alerts: 0, rules: new Map(), severities: new Map(), holds: [] });
  }
  const at = (t: number): Acc => {
    let lo = 0;
    let hi = periods.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (periods[mid]!.start <= t) lo = mid;
      else hi = mid - 1;
    }
    return periods[lo]!;
  };

  let read = 0;
  /** Every entry of `index` under the bank in the range, page by page, written at or below `height`. */
  const scan = async (index: { readonly id: number }, page: (items: IndexItem[]) => Promise<void> | void): Promise<void> => {
    const prefix = concatBytes(Uint8Array.of(index.id), bank);
    let after: IndexCursor | undefined;
    for (;;) {
      const r = await f.indexScan({ prefix, gte: concatBytes(prefix, u64(from)), lt: concatBytes(prefix, u64(to + 1)), limit: PAGE, ...(after ? { after } : {}) });
      read += r.items.length;
      if (read > MAX_REPORT_ENTRIES) {
        throw invalid(`the report would read more than ${MAX_REPORT_ENTRIES.toLocaleString('en')} index entries (payments, alerts and holds of ${q.institution} from ${from} to ${to}): ask for a shorter range`);
      }
      await page(r.items.filter((it) => it.height <= height));
      if (r.next === null) return;
      after = r.next;
    }
  };

  const I = comp.CompIndexes;
  await scan(I.paymentInstitution, (items) => {
    for (const it of items) {
      const e = comp.readPaymentEntry(it.value);
      const side = SIDES[e.side as 1 | 2 | 3];
      if (side === undefined) throw new RpcError(RpcCodes.INTERNAL_ERROR, `a payment entry of block ${it.height} has side ${e.side}`);
      const p = at(indexTime(it));
      p.payments++;
      let c = p.currencies.get(e.currency);
      if (c === undefined) p.currencies.set(e.currency, (c = { paying: [0, 0n], paid: [0, 0n], both: [0, 0n] }));
      c[side][0]++;
      c[side][1] += e.amount;
    }
  });
  await scan(I.alertInstitution, async (items) => {
    // The alerts' rules and severities from their receipts, each receipt read once per page.
    const receipts: ReceiptCache = new Map();
    const alerts = await Promise.all(items.map((it) => queries.alertEventAt(it, receipts)));
    items.forEach((it, i) => {
      const a = alerts[i]!.alert;
      const p = at(indexTime(it));
      p.alerts++;
      p.rules.set(a.rule, (p.rules.get(a.rule) ?? 0) + 1);
      p.severities.set(a.severity, (p.severities.get(a.severity) ?? 0) + 1);
    });
  });
  const holds = new Map<number, number>();
  await scan(I.holdInstitution, (items) => {
    for (const it of items) at(indexTime(it)).holds.push(readU64(it.value, 0));
  });
  // Each hold's outcome at the report's height, from state.
  const ids = periods.flatMap((p) => p.holds);
  for (let i = 0; i < ids.length; i += HOLD_BATCH) {
    await Promise.all(ids.slice(i, i + HOLD_BATCH).map(async (id) => {
      const v = asView(await f.record({ kind: 'comp_hold', id }, height, false));
      if (v.raw === null) throw new RpcError(RpcCodes.INTERNAL_ERROR, `the index names hold ${id}, which is not in state at height ${height}`);
      holds.set(id, decode(comp.HoldSchema, fromHex(v.raw)).status);
    }));
  }

  const tally = ([count, value]: [number, bigint]): Tally => ({ count, value: value.toString() });
  const byKey = <K extends string | number>(m: Map<K, number>): [K, number][] => [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const status = (p: Acc, s: number): number => p.holds.filter((id) => holds.get(id) === s).length;
  return {
    institution: q.institution, from, to, period, height,
    periods: periods.map((p) => ({
      start: p.start, end: p.end,
      payments: {
        count: p.payments,
        currencies: [...p.currencies].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, c]) => ({ currency, paying: tally(c.paying), paid: tally(c.paid), both: tally(c.both) })),
      },
      alerts: { count: p.alerts, byRule: byKey(p.rules).map(([rule, count]) => ({ rule, count })), bySeverity: byKey(p.severities).map(([severity, count]) => ({ severity, count })) },
      holds: {
        opened: p.holds.length, released: status(p, comp.HoldStatus.RELEASED), refused: status(p, comp.HoldStatus.REFUSED), held: status(p, comp.HoldStatus.HELD),
      },
    })),
  };
}
