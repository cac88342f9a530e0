/**
 * The payment hook: every payment (a transfer, each recipient of a payout) is checked
 * against the rules in force when it executes. Selected, in the index's order (name, then
 * version): the rules whose activation height is reached and whose scope matches the
 * currency, the payment type and (when it names banks) the bank of the payer or of the payee
 * (an institution is its own bank); an empty scope list matches all. Each is evaluated on
 * `tx`, `from`, `to` built from state (address: 40 lowercase hex digits; kind; the tier the
 * money ledger applies; an institution's roles; the jurisdiction its bank or a regulator
 * set, else ""; category; credentials []; opened / lastActive from activity.ts; an amount
 * above the rule language's int range is read as its maximum, a memo as its first 128 code
 * units) and the aggregates of activity.ts, which see the payments before this one. Work:
 * each rule's compiled worst-case cost, plus every state read. With no rule in force the
 * hook reads the (empty) index once per transaction and keeps no activity: activity starts
 * with the first rule, so an account not seen since has opened = lastActive = 0 (a rule on
 * them should test `> 0`).
 *
 * Decisions: an active refuse rule that holds refuses the payment (COMPLIANCE_REFUSED,
 * naming the first such rule, id@version); otherwise an active hold rule that holds parks
 * the funds at the hold's escrow (holds.ts; the first such rule names it); every active flag
 * rule that holds emits `alert`. A shadow rule never affects the payment: it emits
 * `shadow_decision` with what it would have decided. A rule whose evaluation errors
 * (RULE_EVAL: division by zero, overflow, an index out of range; or a broken input
 * contract, which would be a bug) is treated as not holding and emits `rule_error`. Every
 * payment that ran a rule emits one `checked` event: the rules that ran and their decisions
 * (records.ts Decision). A payment let through or held then updates both parties' activity.
 */
import { equalBytes, fromHex, toHex } from '../../../core/index.js';
import { fail } from '../../errors.js';
import type { Payment, PaymentDecision } from '../../module.js';
import type { TxContext } from '../../context.js';
import { mapMaybe, type MaybePromise } from '../../state.js';
import { evaluateRule, MAX_INT, PAYMENT_STRING_MAX, RuleError, type CompiledRule, type PaymentHost, type RuleNode } from '../../lib/rules/index.js';
import { AccountKeys, AccountKind, AccountSchema, type Account } from '../account/records.js';
import { GovKeys, InstitutionSchema, ROLE_NAMES } from '../gov/records.js';
import { effectiveTier } from '../money/ledger.js';
import {
  ActivitySchema, CompIndexes, CompIndexKey, CompKeys, decisionOf, paymentEntry, Decision, distinct, u16be, ListEntrySchema, NO_ACTIVITY, PairActivitySchema, ruleId, RuleSchema, RuleStatus, SHADOW_BIT, type Activity, type InForce, type Rule,
  type PairActivity,
} from './records.js';
import { accountAggregate, afterPaid, afterPair, afterPaying, countOutBetween, pairAggregate, windowsInUse, type WindowsInUse } from './activity.js';
import { compiledOf, rulesInForce } from './rules.js';
import { HookEvents } from './events.js';
import { carriedEnvelope, envelopeProblem, TravelEvents } from './travel.js';
import { bankOf, openHold } from './holds.js';

const KIND_NAMES: Record<number, string> = { [AccountKind.INSTITUTION]: 'institution', [AccountKind.PERSON]: 'person', [AccountKind.BUSINESS]: 'business' };
const HEX_ADDRESS = /^[0-9a-f]{40}$/;
const NO_PAIR: PairActivity = { rings: [] };


function inScope(r: InForce, p: Payment, banks: readonly (string | null)[]): boolean {
  const s = r.scope;
  if (s.currencies.length > 0 && !s.currencies.includes(p.currency)) return false;
  if (s.types.length > 0 && !s.types.includes(p.type)) return false;
  if (s.institutions.length > 0 && !s.institutions.some((b) => banks.includes(toHex(b)))) return false;
  return true;
}

const int = (n: bigint | number): bigint => {
  const b = BigInt(n);
  return b > MAX_INT ? MAX_INT : b;
};

/** Which account fields the selected rules read that cost state reads to fill (tier, roles). */
interface AccountNeeds {
  readonly tier: boolean;
  readonly roles: boolean;
}
const NEEDS = new WeakMap<CompiledRule, AccountNeeds>();
function needsOf(rule: CompiledRule): AccountNeeds {
  let n = NEEDS.get(rule);
  if (n === undefined) {
    const f = rule.refs.fields;
    NEEDS.set(rule, (n = { tier: f.some((x) => x.endsWith('.tier')), roles: f.some((x) => x.endsWith('.roles')) }));
  }
  return n;
}

/**
 * `from` or `to` as rules see it. The tier and an institution's roles are read from state
 * only when a selected rule reads them (`needs`); otherwise they are 0 and [] (never seen).
 */
async function accountVar(ctx: TxContext, addr: Uint8Array, acct: Account | undefined, act: Activity, needs: AccountNeeds): Promise<Record<string, unknown>> {
  let roles: string[] = [];
  let tier = 0;
  if (acct !== undefined) {
    if (needs.tier) {
      const t = effectiveTier(ctx, addr, acct);
      tier = t instanceof Promise ? await t : t;
    }
    if (needs.roles && acct.kind === AccountKind.INSTITUTION) {
      const g = ctx.get(InstitutionSchema, GovKeys.institution(addr));
      const inst = g instanceof Promise ? await g : g;
      if (inst !== undefined) roles = ROLE_NAMES.filter(([, bit]) => (inst.roles & bit) !== 0).map(([n]) => n);
    }
  }
  return {
    address: toHex(addr), kind: acct === undefined ? '' : (KIND_NAMES[acct.kind] ?? ''), tier: BigInt(tier), roles, jurisdiction: act.jurisdiction,
    category: acct?.category ?? '', credentials: [], opened: BigInt(act.opened), lastActive: BigInt(act.lastActive),
  };
}

/**
 * The state a host call reads, as a key of the evaluation's `loaded` map: `a:ADDR` an
 * account's activity, `p:FROM:TO` a pair's, `l:LIST\0VALUE` a list entry; null when the
 * call reads nothing (an argument that is not an address: the aggregate is 0).
 */
function readKey(fn: string, args: readonly unknown[]): string | null {
  switch (fn) {
    case 'sumPair':
    case 'countPair': {
      const [f, t] = args as [string, string];
      return HEX_ADDRESS.test(f) && HEX_ADDRESS.test(t) ? `p:${f}:${t}` : null;
    }
    case 'inList':
      return `l:${args[0] as string}\u0000${args[1] as string}`;
    default: {
      const a = args[0] as string;
      return HEX_ADDRESS.test(a) ? `a:${a}` : null;
    }
  }
}

/** Read what `readKey` names (metered, as every state read). */
function load(ctx: TxContext, key: string): MaybePromise<unknown> {
  const rest = key.slice(2);
  switch (key[0]) {
    case 'a':
      return mapMaybe(ctx.get(ActivitySchema, CompKeys.activity(fromHex(rest))), (x) => x ?? NO_ACTIVITY);
    case 'p':
      return mapMaybe(ctx.get(PairActivitySchema, CompKeys.pair(fromHex(rest.slice(0, 40)), fromHex(rest.slice(41)))), (x) => x ?? NO_PAIR);
    default: {
      const z = rest.indexOf('\u0000');
      return mapMaybe(ctx.get(ListEntrySchema, CompKeys.list(rest.slice(0, z), rest.slice(z + 1))), (x) => x !== undefined);
    }
  }
}

/** A state read a host function needs and does not have yet: loaded, then the rule is evaluated again. */
class NeedLoad {
  constructor(readonly key: string) {}
}

/** The host functions over what is loaded; anything else is a NeedLoad. */
function hostOf(loaded: Map<string, unknown>, now: number): PaymentHost {
  const need = <T>(key: string): T => {
    const v = loaded.get(key);
    if (v === undefined) throw new NeedLoad(key);
    return v as T;
  };
  const activity = (a: string): Activity | undefined => (HEX_ADDRESS.test(a) ? need(`a:${a}`) : undefined);
  const pair = (f: string, t: string): PairActivity | undefined => (HEX_ADDRESS.test(f) && HEX_ADDRESS.test(t) ? need(`p:${f}:${t}`) : undefined);
  const acc = (what: 'outSum' | 'outCount' | 'inSum' | 'inCount') => (a: string, w: bigint): bigint => {
    const x = activity(a);
    return x === undefined ? 0n : accountAggregate(x, Number(w), now, what);
  };
  const pr = (what: 'sum' | 'count') => (f: string, t: string, w: bigint): bigint => {
    const x = pair(f, t);
    return x === undefined ? 0n : pairAggregate(x, Number(w), now, what);
  };
  return {
    sumOut: acc('outSum'),
    countOut: acc('outCount'),
    sumIn: acc('inSum'),
    countIn: acc('inCount'),
    sumPair: pr('sum'),
    countPair: pr('count'),
    countOutBetween: (a, w, lo, hi) => {
      const x = activity(a);
      return x === undefined ? 0n : countOutBetween(x, Number(w), now, lo, hi);
    },
    inList: (l, v) => need(`l:${l}\u0000${v}`),
  };
}

/**
 * A host call whose arguments need no host: literals and fields of the variables
 * (`inList("sanctions", from.address)`, `sumOut(to.address, 3600000)`). Its state read is
 * known before the rule runs, so it is loaded first and the rule evaluates once; a call with
 * computed arguments is loaded when the evaluation reaches it (NeedLoad).
 */
type StaticArg = { readonly lit: bigint | string | boolean } | { readonly path: readonly string[] };
interface StaticCall {
  readonly fn: string;
  readonly args: readonly StaticArg[];
}

function staticArg(n: RuleNode): StaticArg | null {
  if (n.op === 'lit') return { lit: n.value };
  const path: string[] = [];
  let x: RuleNode = n;
  while (x.op === 'field') {
    path.unshift(x.name);
    x = x.obj;
  }
  if (x.op !== 'var') return null;
  path.unshift(x.name);
  return { path };
}

function collectStatic(n: RuleNode, out: StaticCall[]): void {
  if (n.op === 'host') {
    const args = n.args.map(staticArg);
    if (args.every((a) => a !== null)) out.push({ fn: n.fn, args: args as StaticArg[] });
  }
  for (const v of Object.values(n)) {
    if (v !== null && typeof v === 'object' && 'op' in v) collectStatic(v as RuleNode, out);
    else if (Array.isArray(v)) for (const c of v) if (c !== null && typeof c === 'object' && 'op' in c) collectStatic(c as RuleNode, out);
  }
}

const STATIC_CALLS = new WeakMap<CompiledRule, readonly StaticCall[]>();
function staticCalls(rule: CompiledRule): readonly StaticCall[] {
  let s = STATIC_CALLS.get(rule);
  if (s === undefined) {
    const out: StaticCall[] = [];
    collectStatic(rule.ast, out);
    STATIC_CALLS.set(rule, (s = out));
  }
  return s;
}

function argValue(a: StaticArg, vars: Record<string, unknown>): unknown {
  if ('lit' in a) return a.lit;
  let v: unknown = vars;
  for (const k of a.path) v = (v as Record<string, unknown>)[k];
  return v;
}

/**
 * Load what the rule's static host calls read, so that its evaluation meets no NeedLoad.
 * Synchronous while the reads are (state this block has read is at hand).
 */
function prefetch(ctx: TxContext, rule: CompiledRule, vars: Record<string, unknown>, loaded: Map<string, unknown>): MaybePromise<void> {
  const calls = staticCalls(rule);
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    const key = readKey(c.fn, c.args.map((a) => argValue(a, vars)));
    if (key === null || loaded.has(key)) continue;
    const v = load(ctx, key);
    if (v instanceof Promise) {
      return v.then((x) => {
        loaded.set(key, x);
        return prefetch(ctx, rule, vars, loaded);
      });
    }
    loaded.set(key, v);
  }
  return undefined;
}

type Outcome = { readonly value: boolean } | { readonly error: string };

/** Evaluate, loading each state read the host asks for (each read once, metered), until the rule completes. */
function run(ctx: TxContext, rule: CompiledRule, vars: Record<string, unknown>, host: PaymentHost, loaded: Map<string, unknown>): MaybePromise<Outcome> {
  for (;;) {
    try {
      const o = evaluateRule(rule, { vars, host });
      return 'error' in o ? { error: o.error } : { value: o.value };
    } catch (e) {
      if (e instanceof NeedLoad) {
        const v = load(ctx, e.key);
        if (v instanceof Promise) {
          return v.then((x) => {
            loaded.set(e.key, x);
            return run(ctx, rule, vars, host, loaded);
          });
        }
        loaded.set(e.key, v);
        continue;
      }
      if (e instanceof RuleError) return { error: `${e.code}: ${e.message}` };
      throw e;
    }
  }
}

/**
 * The rules in force as each transaction read them: read once per transaction (a payout's
 * recipients share the read), since no payment can change them.
 */
const readOnce = new WeakMap<TxContext, readonly InForce[]>();
/** The windows an in-force list uses (the list object is shared while the block's cache holds it). */
const USE = new WeakMap<readonly InForce[], WindowsInUse>();
/** A rule's state key, kept with its in-force entry (fresh small byte arrays are what the hot path allocates most). */
const RULE_KEYS = new WeakMap<InForce, Uint8Array>();

/** The payment hook (module.ts ModuleHooks.payment). */
export async function checkPayment(ctx: TxContext, p: Payment): Promise<PaymentDecision> {
  const now = ctx.block.time;
  let inForce = readOnce.get(ctx);
  if (inForce === undefined) {
    inForce = await rulesInForce(ctx);
    readOnce.set(ctx, inForce);
  }
  // No rule in force: nothing to check, and no activity kept (a chain without rules pays nothing for them).
  if (inForce.length === 0) return undefined;
  const fromKey = CompKeys.activity(p.from);
  const toKey = CompKeys.activity(p.to);
  const fromAct = (await ctx.get(ActivitySchema, fromKey)) ?? NO_ACTIVITY;
  const toAct = (await ctx.get(ActivitySchema, toKey)) ?? NO_ACTIVITY;
  const live = inForce.filter((r) => r.activation <= ctx.block.height);
  let decision: PaymentDecision;
  if (live.length > 0) {
    const fromAcct = await ctx.get(AccountSchema, AccountKeys.account(p.from));
    const toAcct = await ctx.get(AccountSchema, AccountKeys.account(p.to));
    const banks = [bankOf(p.from, fromAcct), bankOf(p.to, toAcct)].map((b) => (b === null ? null : toHex(b)));
    const selected = live.filter((r) => inScope(r, p, banks));
    if (selected.length > 0) decision = await decide(ctx, p, selected, { fromAcct, toAcct, fromAct, toAct });
    // The payment in each bank's report (comp_report): let through or held.
    const fromBank = bankOf(p.from, fromAcct);
    const toBank = bankOf(p.to, toAcct);
    if (fromBank !== null) ctx.index(CompIndexes.paymentInstitution, CompIndexKey.paymentInstitution(fromBank, now, ctx.indexEntries.length), paymentEntry(toBank !== null && equalBytes(fromBank, toBank) ? 3 : 1, decision !== undefined, p));
    if (toBank !== null && (fromBank === null || !equalBytes(fromBank, toBank))) ctx.index(CompIndexes.paymentInstitution, CompIndexKey.paymentInstitution(toBank, now, ctx.indexEntries.length), paymentEntry(2, decision !== undefined, p));
  }
  // Both parties' activity (the payment went through or was held; a refusal threw above).
  let use = USE.get(inForce);
  if (use === undefined) USE.set(inForce, (use = windowsInUse(inForce)));
  ctx.put(ActivitySchema, fromKey, afterPaying(fromAct, p.amount, now, use));
  ctx.put(ActivitySchema, toKey, afterPaid(toAct, p.amount, now, use));
  if (use.pair.length > 0) {
    const pk = CompKeys.pair(p.from, p.to);
    ctx.put(PairActivitySchema, pk, afterPair((await ctx.get(PairActivitySchema, pk)) ?? { rings: [] }, p.amount, now, use));
  }
  return decision;
}

interface Parties {
  readonly fromAcct: Account | undefined;
  readonly toAcct: Account | undefined;
  readonly fromAct: Activity;
  readonly toAct: Activity;
}

async function decide(ctx: TxContext, p: Payment, selected: readonly InForce[], w: Parties): Promise<PaymentDecision> {
  const E = HookEvents;
  const fromHexAddr = toHex(p.from);
  const toHexAddr = toHex(p.to);
  const rules: { readonly r: InForce; readonly id: string; readonly rule: Rule; readonly compiled: CompiledRule }[] = [];
  let needs: AccountNeeds = { tier: false, roles: false };
  for (const r of selected) {
    const id = ruleId(r.name, r.version);
    let key = RULE_KEYS.get(r);
    if (key === undefined) RULE_KEYS.set(r, (key = CompKeys.rule(id)));
    const g = ctx.get(RuleSchema, key);
    const rule = g instanceof Promise ? await g : g;
    if (rule === undefined) throw new Error(`comp: rule ${id} is in force but not registered`);
    const compiled = compiledOf(rule);
    const n = needsOf(compiled);
    needs = { tier: needs.tier || n.tier, roles: needs.roles || n.roles };
    rules.push({ r, id, rule, compiled });
  }
  const vars = {
    tx: { type: p.type, currency: p.currency, amount: int(p.amount), memo: p.memo.slice(0, PAYMENT_STRING_MAX), time: BigInt(ctx.block.time), height: BigInt(ctx.block.height) },
    from: await accountVar(ctx, p.from, w.fromAcct, w.fromAct, needs),
    to: await accountVar(ctx, p.to, w.toAcct, w.toAct, needs),
  };
  const loaded = new Map<string, unknown>([[`a:${fromHexAddr}`, w.fromAct], [`a:${toHexAddr}`, w.toAct]]);
  const host = hostOf(loaded, ctx.block.time);
  const ids: string[] = [];
  const decisions: number[] = [];
  let refuse: string | null = null;
  let hold: string | null = null;
  let travel: { id: string; problem: string } | null = null;
  for (const { r, id, rule, compiled } of rules) {
    ctx.meter.charge(rule.cost, `rule ${id}`);
    const f = prefetch(ctx, compiled, vars, loaded);
    if (f instanceof Promise) await f;
    const ro = run(ctx, compiled, vars, host, loaded);
    const o = ro instanceof Promise ? await ro : ro;
    const shadow = r.status === RuleStatus.SHADOW;
    let d: number;
    if ('error' in o) {
      d = Decision.ERROR;
      ctx.emit(E.rule_error, { rule: id, message: o.error.slice(0, 256) });
    } else d = o.value ? decisionOf(r.action) : Decision.PASS;
    if (d === Decision.TRAVEL) {
      // A travel rule held: the payment needs a fitting envelope (a shadow one records whether it would have refused).
      const problem = await envelopeProblem(ctx, carriedEnvelope(ctx), bankOf(p.to, w.toAcct));
      if (problem !== null) {
        if (shadow) d = Decision.REFUSE;
        else if (travel === null) travel = { id, problem };
      } else if (!shadow) ctx.emit(TravelEvents.travel_rule, { rule: id, digest: carriedEnvelope(ctx)!.digest });
    }
    ids.push(id);
    decisions.push(shadow ? d + SHADOW_BIT : d);
    if (shadow) {
      ctx.emit(E.shadow_decision, { rule: id, decision: d, from: p.from, to: p.to, amount: p.amount, currency: p.currency });
      continue;
    }
    if (d === Decision.REFUSE && refuse === null) refuse = id;
    else if (d === Decision.HOLD && hold === null) hold = id;
    else if (d === Decision.FLAG) {
      // The alert's position among the transaction's events: what its index entries point at.
      const at = u16be(ctx.events.length);
      ctx.emit(E.alert, { rule: id, severity: r.severity, from: p.from, to: p.to, amount: p.amount, currency: p.currency });
      const time = ctx.block.time;
      for (const a of distinct([p.from, p.to])) ctx.index(CompIndexes.alertAccount, CompIndexKey.alertAccount(a, time, ctx.indexEntries.length), at);
      ctx.index(CompIndexes.alertRule, CompIndexKey.alertRule(id, time, ctx.indexEntries.length), at);
      for (const b of distinct([bankOf(p.from, w.fromAcct), bankOf(p.to, w.toAcct)])) ctx.index(CompIndexes.alertInstitution, CompIndexKey.alertInstitution(b, time, ctx.indexEntries.length), at);
    }
  }
  if (refuse !== null) fail('COMPLIANCE_REFUSED', `refused by rule ${refuse}`, { rule: refuse });
  if (travel !== null) fail('TRAVEL_RULE_REQUIRED', `travel rule ${travel.id}: ${travel.problem}`, { rule: travel.id });
  ctx.emit(E.checked, { rules: ids, decisions });
  if (hold !== null) return { hold: await openHold(ctx, p, hold, bankOf(p.from, w.fromAcct), bankOf(p.to, w.toAcct)) };
  return undefined;
}
