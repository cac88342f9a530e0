/**
 * The Regulatory OS SDK (vm comp) for regulators and bank compliance officers: everything
 * `sov compliance` does, as functions.
 * - Transaction args, checked against the module's own schemas before anything is signed:
 *   `compRegisterRuleArgs` (a rule from its source, or from a typology with
 *   `compTemplateSource`), `compSetRuleStatusArgs`, `compUpdateListArgs` (entries in batches
 *   of the module's MAX_LIST_UPDATE, accounts written as rules see them: 40 lowercase hex
 *   digits, `compListEntry`), `compSetJurisdictionArgs`, `compHoldDecisionArgs`; send any of
 *   them with `sendCompTx`, which waits and names the failure's code; `compRuleResult` reads
 *   register_rule's result (the rule id and its worst-case cost).
 * - The queries: `compRules` (public), `compAlerts` and `compHolds` (an API key with the
 *   regulator role), a page at a time or every page (`compAllAlerts`, `compAllHolds`).
 * docs/regulatory-os.md describes the module; its errors are the vm's codes (RULE_INVALID, ...).
 */
import { decode, decodeAddress, encode, fromHex, SovError, toHex, type Schema } from '../../core/index.js';
import { comp } from '../../vm/index.js';
import type { CompAlertQuery, CompAlertView, CompHoldQuery, CompHoldView, CompRuleView } from '../comp-query.js';
import type { ArgsOf, SendOptions, Wallet } from './builders.js';
import type { TypedMethods } from './client.js';

export const COMP_ERRORS = {
  COMP_BAD_INPUT: "input the SDK refuses before anything is signed: a rule id that is not name@version, an unknown action, status or payment type, an address of another chain, a template parameter that is not an integer, args that do not fit the module's schema",
} as const satisfies Record<string, string>;
export type CompErrorCode = keyof typeof COMP_ERRORS;

export class CompError extends SovError {
  constructor(code: CompErrorCode, message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta);
  }
}

const bad = (message: string, meta: Record<string, unknown> = {}): never => {
  throw new CompError('COMP_BAD_INPUT', message, meta);
};

export type CompRegisterRuleArgs = ArgsOf<'comp', 'register_rule'>;
export type CompSetRuleStatusArgs = ArgsOf<'comp', 'set_rule_status'>;
export type CompUpdateListArgs = ArgsOf<'comp', 'update_list'>;
export type CompSetJurisdictionArgs = ArgsOf<'comp', 'set_jurisdiction'>;
export type CompHoldDecisionArgs = ArgsOf<'comp', 'release_hold'>;
export type { CompAlertQuery, CompAlertView, CompHoldQuery, CompHoldView, CompRuleView };

/** A rule's action by name, as comp_rules prints it: 0 refuse, 1 flag, 2 hold. */
export const RULE_ACTIONS = ['refuse', 'flag', 'hold', 'travel_rule'] as const;
export type RuleActionName = (typeof RULE_ACTIONS)[number];
/** A rule's status by name: 0 active, 1 shadow, 2 retired. */
export const RULE_STATUSES = comp.RULE_STATUS_NAMES;
export type RuleStatusName = (typeof RULE_STATUSES)[number];
export type PaymentType = (typeof comp.PAYMENT_TYPES)[number];

/** `args` checked by the method's schema (what buildTx would throw on, said as input the SDK refuses). */
function checked<T>(schema: Schema<T>, args: T, method: string): T {
  try {
    encode(schema, args);
  } catch (e) {
    bad(`comp.${method}: ${(e as Error).message}`, { method });
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

/** `name@version` split; anything else is COMP_BAD_INPUT. */
export function parseRuleId(id: string): { name: string; version: number } {
  const m = /^([a-z0-9][a-z0-9._-]{0,47})@(0|[1-9][0-9]{0,9})$/.exec(id);
  const version = m ? Number(m[2]) : NaN;
  if (m === null || version > 0xffff_ffff) bad(`a rule id is name@version (name: a-z 0-9 . _ -, up to 48; version: a number), not "${id.slice(0, 80)}"`);
  return { name: m![1]!, version };
}

const actionOf = (a: RuleActionName | number): number => {
  const n = typeof a === 'number' ? a : (RULE_ACTIONS as readonly string[]).indexOf(a);
  if (!Number.isInteger(n) || n < 0 || n > 3) bad(`an action is ${RULE_ACTIONS.join(', ')}, not "${String(a)}"`);
  return n;
};

export interface CompRuleInput {
  /** `name@version`, or name and version. */
  id?: string;
  name?: string;
  version?: number;
  /** The rule's CEL source (compTemplateSource fills in a typology). */
  source: string;
  action: RuleActionName | 0 | 1 | 2;
  /** 0..255; 1 unless given. */
  severity?: number;
  /** The height from which it is in force (at least the height the transaction lands at). */
  activation: number;
  /** Evaluate and record only. */
  shadow?: boolean;
  /** The scope; empty or absent: every currency, payment type, bank. */
  currencies?: readonly string[];
  types?: readonly PaymentType[];
  /** Commercial banks (bech32m addresses of the chain, or 20 bytes): the rule applies to their customers' payments. */
  institutions?: readonly (string | Uint8Array)[];
  legalRef: string;
}

/** The args of comp.register_rule. */
export function compRegisterRuleArgs(r: CompRuleInput, addressPrefix: string): CompRegisterRuleArgs {
  const { name, version } = r.id !== undefined ? parseRuleId(r.id) : { name: r.name ?? '', version: r.version ?? -1 };
  if (r.id === undefined) parseRuleId(`${name}@${version}`);
  const types = [...(r.types ?? [])];
  for (const t of types) if (!(comp.PAYMENT_TYPES as readonly string[]).includes(t)) bad(`a payment type is ${comp.PAYMENT_TYPES.join(' or ')}, not "${String(t)}"`);
  const args: CompRegisterRuleArgs = {
    name, version, source: r.source, action: actionOf(r.action), severity: r.severity ?? 1, activation: r.activation, shadow: r.shadow ?? false, legalRef: r.legalRef,
    scope: { currencies: [...(r.currencies ?? [])], types, institutions: (r.institutions ?? []).map((b, i) => address(b, addressPrefix, `institution ${i}`)) },
  };
  return checked(comp.RegisterRuleArgs, args, 'register_rule');
}

/** The args of comp.set_rule_status: a rule made active, shadow, or retired (final). */
export function compSetRuleStatusArgs(id: string, status: RuleStatusName | 0 | 1 | 2, legalRef: string): CompSetRuleStatusArgs {
  parseRuleId(id);
  const n = typeof status === 'number' ? status : (RULE_STATUSES as readonly string[]).indexOf(status);
  if (!Number.isInteger(n) || n < 0 || n > 3) bad(`a status is ${RULE_STATUSES.join(', ')}, not "${String(status)}"`);
  return checked(comp.SetRuleStatusArgs, { id, status: n, legalRef }, 'set_rule_status');
}

/**
 * A list entry as rules compare it: an account (a bech32m address of the chain, or 0x-hex of
 * 20 bytes) as 40 lowercase hex digits; anything else as given. A value that looks like an
 * address of the chain but does not decode is refused (it would never match).
 */
export function compListEntry(value: string, addressPrefix: string): string {
  const v = value.trim();
  if (/^(0x)?[0-9a-fA-F]{40}$/.test(v)) return v.replace(/^0x/, '').toLowerCase();
  if (v.toLowerCase().startsWith(`${addressPrefix.toLowerCase()}1`) && v.length >= addressPrefix.length + 33) return toHex(address(v, addressPrefix, 'list entry'));
  return v;
}

/**
 * The args of comp.update_list for adding and removing entries (normalized by compListEntry,
 * each once), in batches of at most MAX_LIST_UPDATE added and MAX_LIST_UPDATE removed: one
 * transaction each, in order. An entry both added and removed is refused.
 */
export function compUpdateListArgs(list: string, change: { add?: readonly string[]; remove?: readonly string[] }, legalRef: string, addressPrefix: string): CompUpdateListArgs[] {
  const norm = (xs: readonly string[] = []): string[] => [...new Set(xs.map((x) => compListEntry(x, addressPrefix)))];
  const add = norm(change.add);
  const remove = norm(change.remove);
  if (add.length === 0 && remove.length === 0) bad('a list update adds or removes at least one entry');
  const both = add.filter((x) => remove.includes(x));
  if (both.length > 0) bad(`"${both[0]!.slice(0, 80)}" is both added and removed`, { entries: both.slice(0, 10) });
  const n = comp.MAX_LIST_UPDATE;
  const out: CompUpdateListArgs[] = [];
  for (let i = 0; i < Math.max(add.length, remove.length); i += n) {
    out.push(checked(comp.UpdateListArgs, { list, add: add.slice(i, i + n), remove: remove.slice(i, i + n), legalRef }, 'update_list'));
  }
  return out;
}

/** The args of comp.set_jurisdiction: an ISO 3166 code (`IS`, `IS-RE`; lower case is upper-cased), or "" for unknown. */
export function compSetJurisdictionArgs(account: string | Uint8Array, jurisdiction: string, legalRef: string, addressPrefix: string): CompSetJurisdictionArgs {
  const j = jurisdiction.trim().toUpperCase();
  if (!/^([A-Z]{2}(-[A-Z0-9]{1,3})?)?$/.test(j)) bad(`a jurisdiction is an ISO 3166 code (IS, IS-RE) or "" for unknown, not "${jurisdiction.slice(0, 40)}"`);
  return checked(comp.SetJurisdictionArgs, { account: address(account, addressPrefix, 'account'), jurisdiction: j, legalRef }, 'set_jurisdiction');
}

/** The args of comp.release_hold and comp.refuse_hold. */
export function compHoldDecisionArgs(id: number, reason: string): CompHoldDecisionArgs {
  if (!Number.isSafeInteger(id) || id < 1) bad(`a hold id is a positive integer, not ${String(id)}`);
  return checked(comp.HoldDecisionArgs, { id, reason }, 'release_hold');
}

/** register_rule's result (the receipt's `result`, 0x-hex): the rule id and its worst-case cost. */
export function compRuleResult(result: string): { rule: string; cost: number } {
  const r = decode(comp.RuleResult, fromHex(result));
  return { rule: r.rule, cost: Number(r.cost) };
}

/**
 * A typology's rule source (vm comp.TYPOLOGIES) with `params` over its defaults: integers
 * (amounts in minor units, windows and ages in ms). An unknown typology or parameter is
 * COMP_BAD_INPUT naming the ones there are.
 */
export function compTemplateSource(name: string, params: Readonly<Record<string, bigint | number | string>> = {}): string {
  const values: Record<string, bigint> = {};
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === 'bigint') values[k] = v;
    else if ((typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^-?[0-9]{1,19}$/.test(v))) values[k] = BigInt(v);
    else bad(`template parameter ${k} is an integer, not "${String(v).slice(0, 40)}"`);
  }
  try {
    return comp.typologySource(name, values);
  } catch (e) {
    if (e instanceof comp.TypologyError) bad(e.message);
    throw e;
  }
}

// ---- sending ---------------------------------------------------------------------------

type CompMethod = 'register_rule' | 'set_rule_status' | 'update_list' | 'set_jurisdiction' | 'release_hold' | 'refuse_hold';

export interface CompTxOutcome {
  hash: string;
  /** committed; failed (in execution: its receipt has the code); pending (not committed while the node waited). */
  status: 'committed' | 'failed' | 'pending';
  height: number | null;
  /** The vm's code and its name when it failed (e.g. 1200, RULE_INVALID), and the message. */
  code: number | null;
  codeName: string | null;
  message: string | null;
  /** The receipt's result (0x-hex) when committed. */
  result: string | null;
}

/**
 * Sign `comp.method(args)` with the wallet, submit it and wait for its block. A transaction
 * the node refuses outright throws (RpcCallError); one that fails in execution comes back
 * with status `failed` and its code's name read from the receipt.
 */
export async function sendCompTx(wallet: Wallet, method: CompMethod, args: unknown, opts: Omit<SendOptions, 'wait'> = {}): Promise<CompTxOutcome> {
  const out = await wallet.send('comp', method, args, { ...opts, wait: true });
  const base = { hash: out.hash, status: out.status, height: out.height, code: out.code, codeName: null, message: out.message, result: null };
  if (out.height === null) return base;
  const got = await wallet.client.getTransaction(out.hash).catch(() => null);
  if (got === null) return base;
  return { ...base, code: out.status === 'committed' ? null : got.receipt.code, codeName: got.receipt.codeName, message: out.message ?? (got.receipt.message || null), result: out.status === 'committed' ? got.receipt.result : null };
}

// ---- queries ---------------------------------------------------------------------------

type Caller = Pick<TypedMethods, 'call'>;
export interface CompPage<T> {
  items: T[];
  /** The cursor of the next page (pass it as `cursor`), or null after the last. */
  next: string | null;
  height: number;
}

/** The rules in force (active or shadow), in the order the payment hook runs them. Public. */
export const compRules = (client: Caller): Promise<{ rules: CompRuleView[]; height: number }> => client.call('comp_rules', {});

/** A page of alerts by account (payer or payee), rule (name@version) or bank, in a block-time range. Needs the regulator role. */
export const compAlerts = (client: Caller, q: CompAlertQuery): Promise<CompPage<CompAlertView>> => client.call('comp_alerts', { ...q });

/** A page of holds, of one bank's customers (in block-time order) or all (by id), optionally of one status. Needs the regulator role. */
export const compHolds = (client: Caller, q: CompHoldQuery = {}): Promise<CompPage<CompHoldView>> => client.call('comp_holds', { ...q });

async function every<T>(page: (cursor: string | undefined) => Promise<CompPage<T>>, max: number): Promise<{ items: T[]; pages: number; height: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let pages = 1; ; pages++) {
    const r = await page(cursor);
    items.push(...r.items);
    if (r.next === null || items.length >= max) return { items: items.slice(0, max), pages, height: r.height };
    cursor = r.next;
  }
}

/** Every alert of a query, page by page from `q.cursor` (at most `max`). */
export const compAllAlerts = (client: Caller, q: CompAlertQuery, max = Number.MAX_SAFE_INTEGER): Promise<{ items: CompAlertView[]; pages: number; height: number }> =>
  every((cursor) => compAlerts(client, { ...q, ...(cursor !== undefined ? { cursor } : {}) }), max);

/** Every hold of a query, page by page from `q.cursor` (at most `max`). */
export const compAllHolds = (client: Caller, q: CompHoldQuery = {}, max = Number.MAX_SAFE_INTEGER): Promise<{ items: CompHoldView[]; pages: number; height: number }> =>
  every((cursor) => compHolds(client, { ...q, ...(cursor !== undefined ? { cursor } : {}) }), max);
