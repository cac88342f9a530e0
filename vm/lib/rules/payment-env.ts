/**
 * PAYMENT_ENV: what a compliance rule sees when a payment is checked. Variables: `tx` (the
 * payment) and `from` / `to` (the two accounts). Host functions, implemented by the caller
 * (the ledger module precomputes or caches what they need, since they are synchronous):
 * rolling-window aggregates over an account's transfers and regulator-managed lists. A
 * window is a literal in the rule, 1 ms to 366 days, so a compiled rule's refs list every
 * window it needs. Amounts are integer minor units, times integer ms; strings are at most
 * 128 code units, account roles at most 8, credentials at most 16.
 */
import type { HostParam, RuleEnv, RuleType } from './types.js';
import { defineRuleEnv, T } from './types.js';

/** The longest string any PAYMENT_ENV field holds. */
export const PAYMENT_STRING_MAX = 128;
const STR = T.string(PAYMENT_STRING_MAX);

/** Longest window an aggregate accepts: 366 days in ms. */
export const MAX_WINDOW_MS = 366n * 86_400_000n;

export const AGGREGATE_COST = 50;
export const LIST_LOOKUP_COST = 20;

export const TX_TYPE: RuleType = T.object('Tx', {
  type: STR,
  currency: STR,
  amount: T.int,
  memo: STR,
  time: T.int,
  height: T.int,
});

export const ACCOUNT_TYPE: RuleType = T.object('Account', {
  address: STR,
  kind: STR,
  tier: T.int,
  roles: T.list(STR, 8),
  jurisdiction: STR,
  category: STR,
  credentials: T.list(STR, 16),
  opened: T.int,
  lastActive: T.int,
});

const account = (name = 'account'): HostParam => ({ name, type: STR });
const window: HostParam = { name: 'windowMs', type: T.int, literal: 'window', min: 1n, max: MAX_WINDOW_MS };
const aggregate = (params: HostParam[], doc: string) => ({ params, result: T.int, cost: AGGREGATE_COST, doc });

export const PAYMENT_ENV: RuleEnv = defineRuleEnv({
  name: 'payment',
  vars: { tx: TX_TYPE, from: ACCOUNT_TYPE, to: ACCOUNT_TYPE },
  functions: {
    sumOut: aggregate([account(), window], 'total amount sent by the account in the window'),
    countOut: aggregate([account(), window], 'number of transfers sent by the account in the window'),
    sumIn: aggregate([account(), window], 'total amount received by the account in the window'),
    countIn: aggregate([account(), window], 'number of transfers received by the account in the window'),
    sumPair: aggregate([account('from'), account('to'), window], 'total amount sent from one account to the other in the window'),
    countPair: aggregate([account('from'), account('to'), window], 'number of transfers from one account to the other in the window'),
    countOutBetween: aggregate(
      [account(), window, { name: 'lo', type: T.int }, { name: 'hi', type: T.int }],
      'number of transfers sent by the account in the window with an amount in [lo, hi) (structuring)',
    ),
    inList: {
      params: [{ name: 'listName', type: STR, literal: 'list' }, { name: 'value', type: STR }],
      result: T.bool,
      cost: LIST_LOOKUP_COST,
      doc: 'whether the value is on the regulator-managed list',
    },
  },
});

/** The host a PAYMENT_ENV rule calls (windows, amounts and counts are bigints). */
export type PaymentHost = {
  sumOut(account: string, windowMs: bigint): bigint;
  countOut(account: string, windowMs: bigint): bigint;
  sumIn(account: string, windowMs: bigint): bigint;
  countIn(account: string, windowMs: bigint): bigint;
  sumPair(from: string, to: string, windowMs: bigint): bigint;
  countPair(from: string, to: string, windowMs: bigint): bigint;
  countOutBetween(account: string, windowMs: bigint, lo: bigint, hi: bigint): bigint;
  inList(listName: string, value: string): boolean;
};
