/**
 * Rolling aggregates the rules read (PAYMENT_ENV's host functions), kept like money's usage
 * buckets: exact sliding windows would cost a record per payment. A window of W ms is kept
 * in buckets of width ceil(W/24) ms (bucket index: block time / width); an aggregate over W
 * at time `now` sums the buckets from the one holding `now - W` to the current one, the
 * oldest counted whole: it covers the window and at most one bucket width more (a slight
 * over-count, never an under-count). Only the windows the rules in force use are kept: an
 * account's record has one ring per account window in use (sumOut/countOut/sumIn/countIn),
 * a pair record one per pair window (sumPair/countPair); a window that comes into use
 * starts empty (it sees the payments from then on). countOutBetween is exact over the
 * account's latest MAX_RECENT (64) outgoing payments, kept while a rule in force uses it: a
 * window holding more than 64 outgoing payments counts only the latest 64. `opened` and
 * `lastActive` are the block times of the first and the latest payment seen to or from the
 * account (0: none seen, e.g. an account funded at genesis that never paid or was paid
 * since), kept for every payment whether or not a rule is in force. Integer arithmetic only.
 */
import { MAX_AMOUNT } from '../../../core/index.js';
import { MAX_INT } from '../../lib/rules/index.js';
import {
  MAX_RECENT, WINDOW_BUCKETS, type AccountBucket, type AccountRing, type Activity, type PairActivity, type PairBucket, type PairRing, type RuleWindows,
} from './records.js';

/** The union of the windows the rules in force use, by kind, each ascending. */
export interface WindowsInUse {
  readonly account: readonly number[];
  readonly pair: readonly number[];
  readonly between: readonly number[];
}

function union(lists: readonly (readonly number[])[]): number[] {
  const s = new Set<number>();
  for (const l of lists) for (const w of l) s.add(w);
  return [...s].sort((a, b) => a - b);
}

export function windowsInUse(rules: readonly { readonly windows: RuleWindows }[]): WindowsInUse {
  return {
    account: union(rules.map((r) => r.windows.account)),
    pair: union(rules.map((r) => r.windows.pair)),
    between: union(rules.map((r) => r.windows.between)),
  };
}

/** A window's bucket width: ceil(W / 24), at least 1 ms. */
export function bucketWidth(windowMs: number): number {
  const r = windowMs % WINDOW_BUCKETS;
  return Math.max(1, (windowMs - r) / WINDOW_BUCKETS + (r === 0 ? 0 : 1));
}

function idiv(a: number, b: number): number {
  return (a - (a % b)) / b;
}

/** The first and the current bucket index a window covers at `now`. */
function span(windowMs: number, now: number): { lo: number; hi: number } {
  const w = bucketWidth(windowMs);
  return { lo: idiv(Math.max(0, now - windowMs), w), hi: idiv(now, w) };
}

const clampInt = (n: bigint): bigint => (n > MAX_INT ? MAX_INT : n);
/** A bucket's sum saturates at the largest amount a record holds (counts are u32 and cannot realistically fill). */
const sat = (n: bigint): bigint => (n > MAX_AMOUNT ? MAX_AMOUNT : n);

/** sumOut/countOut/sumIn/countIn of an account over a window (0 for a window not kept). */
export function accountAggregate(a: Activity, windowMs: number, now: number, what: 'outSum' | 'outCount' | 'inSum' | 'inCount'): bigint {
  const ring = a.rings.find((r) => r.windowMs === windowMs);
  if (ring === undefined) return 0n;
  const { lo, hi } = span(windowMs, now);
  let s = 0n;
  for (const b of ring.buckets) if (b.index >= lo && b.index <= hi) s += BigInt(b[what]);
  return clampInt(s);
}

/** sumPair/countPair over a window (0 for a window not kept). */
export function pairAggregate(p: PairActivity, windowMs: number, now: number, what: 'sum' | 'count'): bigint {
  const ring = p.rings.find((r) => r.windowMs === windowMs);
  if (ring === undefined) return 0n;
  const { lo, hi } = span(windowMs, now);
  let s = 0n;
  for (const b of ring.buckets) if (b.index >= lo && b.index <= hi) s += BigInt(b[what]);
  return clampInt(s);
}

/** Outgoing payments in (now - W, now] with an amount in [lo, hi), among the latest MAX_RECENT. */
export function countOutBetween(a: Activity, windowMs: number, now: number, lo: bigint, hi: bigint): bigint {
  let n = 0n;
  for (const r of a.recent) if (r.time > now - windowMs && r.time <= now && r.amount >= lo && r.amount < hi) n++;
  return n;
}

/** Rings for exactly the windows in use, each pruned to the buckets still reachable, with `add` applied to the current bucket. */
function rings<B extends { index: number }, R extends { windowMs: number; buckets: readonly B[] }>(
  old: readonly R[], windows: readonly number[], now: number, make: (w: number, buckets: B[]) => R, empty: (index: number) => B, add: (b: B) => B,
): R[] {
  return windows.map((w) => {
    const { lo, hi } = span(w, now);
    const kept = (old.find((r) => r.windowMs === w)?.buckets ?? []).filter((b) => b.index >= lo && b.index <= hi);
    const last = kept[kept.length - 1];
    if (last !== undefined && last.index === hi) kept[kept.length - 1] = add(last);
    else kept.push(add(empty(hi)));
    return make(w, kept);
  });
}

const emptyAccountBucket = (index: number): AccountBucket => ({ index, outSum: 0n, outCount: 0, inSum: 0n, inCount: 0 });

/** The payer's record after paying `amount` at `now`. */
export function afterPaying(a: Activity, amount: bigint, now: number, use: WindowsInUse): Activity {
  const maxBetween = use.between.length === 0 ? 0 : use.between[use.between.length - 1]!;
  const recent = use.between.length === 0 ? [] : [...a.recent.filter((r) => r.time > now - maxBetween), { time: now, amount }].slice(-MAX_RECENT);
  return {
    ...a,
    opened: a.opened === 0 ? now : a.opened,
    lastActive: now,
    rings: rings<AccountBucket, AccountRing>(a.rings, use.account, now, (windowMs, buckets) => ({ windowMs, buckets }), emptyAccountBucket, (b) => ({ ...b, outSum: sat(b.outSum + amount), outCount: b.outCount + 1 })),
    recent,
  };
}

/** The payee's record after being paid `amount` at `now`. */
export function afterPaid(a: Activity, amount: bigint, now: number, use: WindowsInUse): Activity {
  const maxBetween = use.between.length === 0 ? 0 : use.between[use.between.length - 1]!;
  return {
    ...a,
    opened: a.opened === 0 ? now : a.opened,
    lastActive: now,
    rings: rings<AccountBucket, AccountRing>(a.rings, use.account, now, (windowMs, buckets) => ({ windowMs, buckets }), emptyAccountBucket, (b) => ({ ...b, inSum: sat(b.inSum + amount), inCount: b.inCount + 1 })),
    recent: use.between.length === 0 ? [] : a.recent.filter((r) => r.time > now - maxBetween),
  };
}

/** The pair's record after a payment of `amount` at `now`. */
export function afterPair(p: PairActivity, amount: bigint, now: number, use: WindowsInUse): PairActivity {
  return {
    rings: rings<PairBucket, PairRing>(p.rings, use.pair, now, (windowMs, buckets) => ({ windowMs, buckets }), (index) => ({ index, sum: 0n, count: 0 }), (b) => ({ ...b, sum: sat(b.sum + amount), count: b.count + 1 })),
  };
}
