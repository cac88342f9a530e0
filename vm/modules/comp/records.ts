/**
 * The Regulatory OS's records (module comp): rules as ledger data (each `name@version` once,
 * with its CEL source, scope, action and status), the index of the rules in force (active
 * or shadow, at most MAX_RULES_IN_FORCE, sorted by name then version: the one order the
 * payment hook runs them in), regulator lists (one key per entry), per-account activity
 * (first and last payment seen, bucketed rolling aggregates for the windows the rules in
 * force use, the latest outgoing amounts), per-pair activity, and held payments.
 */
import { addressField, amount, bytes32, concatBytes, list, optional, sha256Utf8, str, struct, u8, u32, uint, utf8, type Infer } from '../../../core/index.js';
import { record, u32be, u64be } from '../../keys.js';
import { escrowAddress } from '../../lib/ids.js';
import { field, indexSpec } from '../../module.js';
import { CounterSchema } from '../../records.js';

/** Most rules in force (active or shadow) at once. */
export const MAX_RULES_IN_FORCE = 64;
/** Most distinct windows the rules in force may use, per kind of aggregate (account, pair, countOutBetween). */
export const MAX_WINDOWS = 8;
/** Buckets per window: a window W is kept in buckets of width W/24. */
export const WINDOW_BUCKETS = 24;
/** Latest outgoing payments kept per account for countOutBetween. */
export const MAX_RECENT = 64;
/** Entries one update_list may add or remove. */
export const MAX_LIST_UPDATE = 256;

/** A rule's action, when its condition holds. */
export const RuleAction = { REFUSE: 0, FLAG: 1, HOLD: 2, TRAVEL_RULE: 3 } as const;
/** A rule's status: active rules decide; shadow rules are evaluated and recorded only; retired is final. */
export const RuleStatus = { ACTIVE: 0, SHADOW: 1, RETIRED: 2 } as const;
export const RULE_STATUS_NAMES = ['active', 'shadow', 'retired'] as const;
/**
 * What a rule decided about one payment (event `checked`): 0 pass (its condition was false),
 * 1 refuse, 2 flag, 3 hold (its condition held: action + 1), 4 error (RULE_EVAL: treated as
 * pass), 5 travel (a travel rule held and the payment carried a fitting envelope; without
 * one the payment is refused); a shadow rule's decision has SHADOW_BIT added (it enforced
 * nothing; a shadow travel rule records 5 whether or not an envelope came).
 */
export const Decision = { PASS: 0, REFUSE: 1, FLAG: 2, HOLD: 3, ERROR: 4, TRAVEL: 5 } as const;
/** The decision of a rule whose condition held, by its action. */
export const decisionOf = (action: number): number => (action === RuleAction.TRAVEL_RULE ? Decision.TRAVEL : action + 1);
export const SHADOW_BIT = 8;
/** Payment types a scope may name (money's payment hook types). */
export const PAYMENT_TYPES = ['transfer', 'payout'] as const;
/** Hold states. */
export const HoldStatus = { HELD: 0, RELEASED: 1, REFUSED: 2 } as const;

/** A rule's name: `structuring`, `sanctions-screen`. */
export const ruleNameField = str(48, /^[a-z0-9][a-z0-9._-]{0,47}$/);
/** A rule's id as events and records name it: `name@version`. */
export const ruleIdField = str(60, /^[a-z0-9][a-z0-9._-]{0,47}@[0-9]{1,10}$/);
export const legalRefField = str(128);
/** A regulator list's name: `sanctions`. */
export const listNameField = str(64, /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/);
/** A jurisdiction code (ISO 3166 alpha-2 or a subdivision: `IS`, `IS-RE`), or "". */
export const jurisdictionField = str(8, /^([A-Z]{2}(-[A-Z0-9]{1,3})?)?$/);

export const ScopeSchema = struct('CompScope', {
  currencies: list(str(16), 32),
  types: list(str(16), 8),
  /** Banks whose customers the rule applies to (the payer's or the payee's bank); empty: all. */
  institutions: list(addressField, 32),
});
export type Scope = Infer<typeof ScopeSchema>;

/** The windows (ms) a rule's aggregates use, by kind, ascending. */
export const RuleWindowsSchema = struct('CompRuleWindows', {
  /** sumOut, countOut, sumIn, countIn. */
  account: list(uint, MAX_WINDOWS),
  /** sumPair, countPair. */
  pair: list(uint, MAX_WINDOWS),
  /** countOutBetween. */
  between: list(uint, MAX_WINDOWS),
});
export type RuleWindows = Infer<typeof RuleWindowsSchema>;

export const RuleSchema = struct('CompRule', {
  name: ruleNameField,
  version: u32,
  source: str(4096 * 3),
  /** SHA-256 of the source's UTF-8: the compiled-rule cache's key. */
  sourceHash: bytes32,
  scope: ScopeSchema,
  action: u8,
  severity: u8,
  activation: uint,
  status: u8,
  /** The compiled worst-case cost: the work each evaluation is charged. */
  cost: uint,
  windows: RuleWindowsSchema,
  lists: list(listNameField, 16),
  legalRef: legalRefField,
  registeredBy: addressField,
  height: uint,
  /** The block of the latest status change (registration's at first). */
  statusHeight: uint,
});
export type Rule = Infer<typeof RuleSchema>;

/** A rule in force as the index keeps it: all the hook needs to select it (the source is in the rule record). */
export const InForceSchema = struct('CompInForce', {
  name: ruleNameField,
  version: u32,
  action: u8,
  severity: u8,
  activation: uint,
  status: u8,
  scope: ScopeSchema,
  windows: RuleWindowsSchema,
});
export type InForce = Infer<typeof InForceSchema>;
export const InForceListSchema = struct('CompInForceList', { rules: list(InForceSchema, MAX_RULES_IN_FORCE) });

export const ListEntrySchema = struct('CompListEntry', { legalRef: legalRefField, height: uint });

/** One bucket of an account's aggregates: its index (block time / width) and the sums and counts in it. */
export const AccountBucketSchema = struct('CompAccountBucket', { index: uint, outSum: amount, outCount: u32, inSum: amount, inCount: u32 });
export type AccountBucket = Infer<typeof AccountBucketSchema>;
export const AccountRingSchema = struct('CompAccountRing', { windowMs: uint, buckets: list(AccountBucketSchema, WINDOW_BUCKETS + 1) });
export type AccountRing = Infer<typeof AccountRingSchema>;
export const RecentSchema = struct('CompRecent', { time: uint, amount });

export const ActivitySchema = struct('CompActivity', {
  /** Block time of the first payment seen to or from the account. */
  opened: uint,
  /** Block time of the latest payment seen to or from the account. */
  lastActive: uint,
  /** The account's jurisdiction as its bank or a regulator set it ("": unknown). */
  jurisdiction: jurisdictionField,
  rings: list(AccountRingSchema, MAX_WINDOWS),
  /** The latest outgoing payments (at most MAX_RECENT), oldest first. */
  recent: list(RecentSchema, MAX_RECENT),
});
export type Activity = Infer<typeof ActivitySchema>;

export const PairBucketSchema = struct('CompPairBucket', { index: uint, sum: amount, count: u32 });
export type PairBucket = Infer<typeof PairBucketSchema>;
export const PairRingSchema = struct('CompPairRing', { windowMs: uint, buckets: list(PairBucketSchema, WINDOW_BUCKETS + 1) });
export type PairRing = Infer<typeof PairRingSchema>;
export const PairActivitySchema = struct('CompPairActivity', { rings: list(PairRingSchema, MAX_WINDOWS) });
export type PairActivity = Infer<typeof PairActivitySchema>;

export const HoldSchema = struct('CompHold', {
  id: uint,
  type: str(16),
  from: addressField,
  to: addressField,
  currency: str(16),
  amount,
  /** The rule that held it, `name@version`. */
  rule: ruleIdField,
  /** The payer's and the payee's banks (an institution is its own), either of whose officers may decide. */
  fromBank: optional(addressField),
  toBank: optional(addressField),
  status: u8,
  reason: str(256),
  decidedBy: optional(addressField),
  height: uint,
  decidedHeight: uint,
});
export type Hold = Infer<typeof HoldSchema>;

/** An institution's published X25519 key for travel-rule envelopes. */
export const TravelKeySchema = struct('CompTravelKey', { publicKey: bytes32, kid: str(64), height: uint });

export const compRecords = {
  comp_rule: record(0xc0, [field.text('rule', /^[a-z0-9][a-z0-9._-]{0,47}@[0-9]{1,10}$/)], RuleSchema,
    'CompRule [name, version, source, sourceHash, scope [currencies, types, institutions], action (0 refuse, 1 flag, 2 hold), severity, activation, status (0 active, 1 shadow, 2 retired), cost, windows [account, pair, between], lists, legalRef, registeredBy, height, statusHeight]: a rule, by name@version'),
  comp_in_force: record(0xc1, [], InForceListSchema, 'CompInForceList [rules [[name, version, action, severity, activation, status, scope, windows]]]: the rules in force (active or shadow), sorted by name then version'),
  comp_list: record(0xc2, [field.hashedText('list'), field.text('value')], ListEntrySchema, 'CompListEntry [legalRef, height]: value is on the regulator list (key: SHA-256 of the list name, then the value)'),
  comp_activity: record(0xc3, [field.address('address')], ActivitySchema, 'CompActivity [opened, lastActive, jurisdiction, rings [[windowMs, buckets [[index, outSum, outCount, inSum, inCount]]]], recent [[time, amount]]]: an account\'s payments as the rules see them'),
  comp_pair: record(0xc4, [field.address('from'), field.address('to')], PairActivitySchema, 'CompPairActivity [rings [[windowMs, buckets [[index, sum, count]]]]]: payments from one account to another, per window in use'),
  comp_hold: record(0xc5, [field.id('id')], HoldSchema, 'CompHold [id, type, from, to, currency, amount, rule, fromBank?, toBank?, status (0 held, 1 released, 2 refused), reason, decidedBy?, height, decidedHeight]: a held payment; its funds sit at escrow address holdEscrow(id)'),
  comp_hold_seq: record(0xc6, [], CounterSchema, 'Counter [next]: the next hold id'),
  comp_travel_key: record(0xc7, [field.address('institution')], TravelKeySchema, "CompTravelKey [publicKey, kid, height]: an institution's X25519 key for travel-rule envelopes (kid: address.first 16 hex of the key's SHA-256)"),
};

export const CompKeys = {
  rule: compRecords.comp_rule.keyOf,
  inForce: compRecords.comp_in_force.keyOf,
  list: compRecords.comp_list.keyOf,
  activity: compRecords.comp_activity.keyOf,
  pair: compRecords.comp_pair.keyOf,
  hold: compRecords.comp_hold.keyOf,
  holdSeq: compRecords.comp_hold_seq.keyOf,
  travelKey: compRecords.comp_travel_key.keyOf,
};

/** A rule's id: `name@version`. */
export const ruleId = (name: string, version: number): string => `${name}@${version}`;

/**
 * The escrow address holding a held payment's funds: no keys, no account, only a balance.
 * The same derivation as vm/lib/ids.ts escrowAddress, with the kind `comp-hold`.
 */
export function holdEscrow(id: number): Uint8Array {
  return escrowAddress('comp-hold', id);
}

/** An empty activity record (an account never seen). */
export const NO_ACTIVITY: Activity = { opened: 0, lastActive: 0, jurisdiction: '', rings: [], recent: [] };

/**
 * The module's node-side indexes (ids are literals, never reused; comp has 10..19). Every
 * key ends with the block time (u64) and the entry's position among its transaction's index
 * entries (u32), so two entries of one transaction under one account, rule or bank (a
 * payment raising two alerts, a payout holding two recipients) never share a key.
 */
export const CompIndexes = {
  alertAccount: indexSpec(10, 'account 20, block time u64, seq u32 -> event position u16: an alert whose payer or payee is the account'),
  alertRule: indexSpec(11, 'SHA-256 of the rule id (name@version) 32, block time u64, seq u32 -> event position u16: an alert the rule raised'),
  alertInstitution: indexSpec(12, 'bank 20, block time u64, seq u32 -> event position u16: an alert on a payment whose payer or payee is a customer of the bank (an institution is its own)'),
  holdInstitution: indexSpec(13, 'bank 20, block time u64, seq u32 -> hold id u64: a hold of a payment whose payer or payee is a customer of the bank (an institution is its own)'),
  paymentInstitution: indexSpec(14, "bank 20, block time u64, seq u32 -> side u8 (1 the payer's bank, 2 the payee's, 3 both), held u8, amount u128, currency: a payment checked while a rule was live (let through or held; a refused payment's transaction failed)"),
};

const seqBytes = u32be;

/**
 * The node-side index keys (module.ts IndexSpec), shared by the module that writes them and
 * the RPC that reads them; `seq` is the entry's position among its transaction's entries.
 */
export const CompIndexKey = {
  /** By account (payer or payee) and block time: an alert. */
  alertAccount: (account: Uint8Array, time: number, seq: number): Uint8Array => concatBytes(account, u64be(time), seqBytes(seq)),
  /** By rule (SHA-256 of `name@version`) and block time: an alert. */
  alertRule: (rule: string, time: number, seq: number): Uint8Array => concatBytes(sha256Utf8(rule), u64be(time), seqBytes(seq)),
  /** By bank (of the payer or payee) and block time: an alert. */
  alertInstitution: (bank: Uint8Array, time: number, seq: number): Uint8Array => concatBytes(bank, u64be(time), seqBytes(seq)),
  /** By bank (of the payer or payee) and block time: a hold. */
  holdInstitution: (bank: Uint8Array, time: number, seq: number): Uint8Array => concatBytes(bank, u64be(time), seqBytes(seq)),
  /** By bank (of the payer or payee) and block time: a checked payment. */
  paymentInstitution: (bank: Uint8Array, time: number, seq: number): Uint8Array => concatBytes(bank, u64be(time), seqBytes(seq)),
};

/** Where the block time sits in an index key: before the last 12 bytes (time u64, seq u32). */
export const INDEX_TIME_FROM_END = 12;

/** A paymentInstitution entry's value: side (1 payer's bank, 2 payee's, 3 both), held (0/1), amount (u128 big-endian), currency (UTF-8). */
export function paymentEntry(side: 1 | 2 | 3, held: boolean, p: { readonly amount: bigint; readonly currency: string }): Uint8Array {
  const cur = utf8(p.currency);
  const out = new Uint8Array(18 + cur.length);
  out[0] = side;
  out[1] = held ? 1 : 0;
  let a = p.amount;
  for (let i = 17; i >= 2; i--) {
    out[i] = Number(a & 0xffn);
    a >>= 8n;
  }
  out.set(cur, 18);
  return out;
}

const UTF8 = new TextDecoder();

/** Read a paymentInstitution entry's value (paymentEntry). */
export function readPaymentEntry(v: Uint8Array): { side: number; held: boolean; amount: bigint; currency: string } {
  let amount = 0n;
  for (let i = 2; i < 18; i++) amount = (amount << 8n) | BigInt(v[i]!);
  return { side: v[0]!, held: v[1] === 1, amount, currency: UTF8.decode(v.subarray(18)) };
}

/** An alert entry's value: the alert's position among its transaction's events (u16). */
export function u16be(n: number): Uint8Array {
  return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
}

/** The distinct addresses of `xs` (nulls left out), in order. */
export function distinct(xs: readonly (Uint8Array | null)[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const x of xs) if (x !== null && !out.some((o) => o.length === x.length && o.every((b, i) => b === x[i]))) out.push(x);
  return out;
}
