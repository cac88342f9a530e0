/**
 * Rules as ledger data: a regulator registers a compliance rule (`name@version`, once) with
 * its CEL source, scope, action, severity, activation height, shadow flag and legal
 * reference. The source is compiled at registration against PAYMENT_ENV with the budget
 * `max_rule_cost` (a compile error is a failure receipt: RULE_INVALID with the rule
 * language's message, or RULE_OVER_BUDGET); the compiled form is cached in memory by the
 * source's hash (compiling is pure, so the cache changes nothing but speed). Registration
 * puts the rule in force (active, or shadow); `set_rule_status` moves it between active and
 * shadow, or retires it (final). The index of rules in force (at most 64, sorted by name
 * then version) is what the payment hook runs. Regulators also keep named lists (one state
 * key per entry) and set an account's jurisdiction (as may the account's bank).
 */
import { addressField, bool, encode, list, sha256Utf8, str, struct, toHex, u8, u32, uint } from '../../../core/index.js';
import { fail } from '../../errors.js';
import { event, method } from '../../module.js';
import type { TxContext } from '../../context.js';
import { compileRule, PAYMENT_ENV, RULE_LIMITS, RuleError, type CompiledRule } from '../../lib/rules/index.js';
import { AccountKeys, AccountSchema } from '../account/records.js';
import { Role } from '../gov/records.js';
import { hasRole, requireRole } from '../gov/roles.js';
import { currencyCode } from '../money/records.js';
import {
  ActivitySchema, CompKeys, InForceListSchema, jurisdictionField, legalRefField, ListEntrySchema, listNameField, MAX_LIST_UPDATE, MAX_RULES_IN_FORCE, MAX_WINDOWS,
  NO_ACTIVITY, PAYMENT_TYPES, RuleAction, ruleId, ruleIdField, ruleNameField, RuleSchema, RuleStatus, type InForce, type Rule, type RuleWindows,
} from './records.js';
import { windowsInUse } from './activity.js';

const hex = toHex;
const LIST_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export const ScopeArgs = struct('CompScopeArgs', { currencies: list(currencyCode, 32), types: list(str(16), 8), institutions: list(addressField, 32) });
export const RegisterRuleArgs = struct('CompRegisterRule', {
  name: ruleNameField, version: u32, source: str(RULE_LIMITS.maxSourceLength * 3), scope: ScopeArgs, action: u8, severity: u8, activation: uint, shadow: bool, legalRef: legalRefField,
});
export const SetRuleStatusArgs = struct('CompSetRuleStatus', { id: ruleIdField, status: u8, legalRef: legalRefField });
export const UpdateListArgs = struct('CompUpdateList', { list: listNameField, add: list(str(128), MAX_LIST_UPDATE), remove: list(str(128), MAX_LIST_UPDATE), legalRef: legalRefField });
export const SetJurisdictionArgs = struct('CompSetJurisdiction', { account: addressField, jurisdiction: jurisdictionField, legalRef: legalRefField });
export const RuleResult = struct('CompRuleResult', { rule: ruleIdField, cost: uint });

export const RuleRegisteredEvent = struct('CompRuleRegistered', { rule: ruleIdField, action: u8, severity: u8, activation: uint, status: u8, cost: uint, legalRef: legalRefField });
export const RuleStatusEvent = struct('CompRuleStatus', { rule: ruleIdField, status: u8, legalRef: legalRefField });
export const ListUpdatedEvent = struct('CompListUpdated', { list: listNameField, added: u32, removed: u32, legalRef: legalRefField });
export const JurisdictionEvent = struct('CompJurisdiction', { account: addressField, jurisdiction: jurisdictionField, legalRef: legalRefField, by: addressField });

export const RuleEvents = {
  rule_registered: event('comp', 'rule_registered', RuleRegisteredEvent, 'a rule registered and put in force (status 0 active, 1 shadow) from its activation height; cost: its worst-case cost'),
  rule_status: event('comp', 'rule_status', RuleStatusEvent, "a rule's status changed (0 active, 1 shadow, 2 retired)"),
  list_updated: event('comp', 'list_updated', ListUpdatedEvent, 'entries added to and removed from a regulator list'),
  jurisdiction_set: event('comp', 'jurisdiction_set', JurisdictionEvent, "an account's jurisdiction set (what rules read as its `jurisdiction`)"),
};

// ---- compiled rules --------------------------------------------------------------------

const cache = new Map<string, CompiledRule>();
const MAX_CACHE = 1024;

/** A registered rule's compiled form (from the cache, or compiled again: compiling is pure). */
const byRecord = new WeakMap<Rule, CompiledRule>();

export function compiledOf(r: Rule): CompiledRule {
  const known = byRecord.get(r);
  if (known !== undefined) return known;
  const k = hex(r.sourceHash);
  let c = cache.get(k);
  if (c === undefined) {
    c = compileRule(r.source, PAYMENT_ENV, { maxCost: RULE_LIMITS.costCap - 1 });
    if (cache.size >= MAX_CACHE) cache.clear();
    cache.set(k, c);
  }
  byRecord.set(r, c);
  return c;
}

export function windowsOf(c: CompiledRule): RuleWindows {
  const w = (...fns: string[]): number[] => [...new Set(fns.flatMap((f) => (c.refs.windows[f] ?? []).map(Number)))].sort((a, b) => a - b);
  return { account: w('sumOut', 'countOut', 'sumIn', 'countIn'), pair: w('sumPair', 'countPair'), between: w('countOutBetween') };
}

/** Compile a source at registration, mapping the rule language's errors to module codes. */
function compileForRegistration(ctx: TxContext, source: string): CompiledRule {
  try {
    return compileRule(source, PAYMENT_ENV, { maxCost: ctx.param('max_rule_cost') });
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    if (e.code === 'RULE_OVER_BUDGET') fail('RULE_OVER_BUDGET', e.message, { ...e.meta });
    if (e.code === 'RULE_PARSE' || e.code === 'RULE_TYPE' || e.code === 'RULE_TOO_LARGE') fail('RULE_INVALID', `${e.code}: ${e.message}`, { rule: e.code });
    throw e;
  }
}

// ---- the index of rules in force -------------------------------------------------------

export async function rulesInForce(ctx: TxContext): Promise<readonly InForce[]> {
  return (await ctx.get(InForceListSchema, CompKeys.inForce()))?.rules ?? [];
}

const byNameVersion = (a: InForce, b: InForce): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version - b.version);

function putInForce(ctx: TxContext, rules: InForce[]): void {
  rules.sort(byNameVersion);
  if (rules.length === 0) ctx.delete(CompKeys.inForce());
  else ctx.put(InForceListSchema, CompKeys.inForce(), { rules });
}

function inForceOf(r: Rule): InForce {
  return { name: r.name, version: r.version, action: r.action, severity: r.severity, activation: r.activation, status: r.status, scope: r.scope, windows: r.windows };
}

export async function getRule(ctx: TxContext, id: string): Promise<Rule> {
  const r = await ctx.get(RuleSchema, CompKeys.rule(id));
  if (r === undefined) fail('RULE_NOT_FOUND', `no rule ${id}`);
  return r;
}

// ---- methods ---------------------------------------------------------------------------

export const ruleMethods = {
  register_rule: method(RegisterRuleArgs, 'a regulator registers a compliance rule (name@version, once): CEL source compiled against the payment environment within max_rule_cost, scope (currencies, payment types, banks; empty: all), action (0 refuse, 1 flag, 2 hold, 3 travel_rule: the payment must carry a travel-rule envelope, comp.travel_transfer), severity, activation height (>= the current), shadow (evaluate and record only), legal reference; it is in force from then on', async (ctx, a) => {
    await requireRole(ctx, Role.REGULATOR);
    if (a.action > RuleAction.TRAVEL_RULE) fail('BAD_RULE', `action must be 0 refuse, 1 flag, 2 hold or 3 travel_rule, not ${a.action}`);
    for (const t of a.scope.types) if (!(PAYMENT_TYPES as readonly string[]).includes(t)) fail('BAD_RULE', `scope type "${t}" is not one of ${PAYMENT_TYPES.join(', ')}`);
    for (const b of a.scope.institutions) if (!(await hasRole(ctx, b, Role.COMMERCIAL_BANK))) fail('BAD_RULE', `scope institution ${hex(b)} is not a commercial bank`);
    if (a.activation < ctx.block.height) fail('BAD_RULE', `activation height ${a.activation} is below the current height ${ctx.block.height}`);
    const id = ruleId(a.name, a.version);
    if ((await ctx.get(RuleSchema, CompKeys.rule(id))) !== undefined) fail('RULE_EXISTS', `rule ${id} is registered already`);
    const compiled = compileForRegistration(ctx, a.source);
    const windows = windowsOf(compiled);
    const inForce = [...(await rulesInForce(ctx))];
    if (inForce.length >= MAX_RULES_IN_FORCE) fail('RULES_FULL', `${MAX_RULES_IN_FORCE} rules are in force already: retire one first`);
    const status = a.shadow ? RuleStatus.SHADOW : RuleStatus.ACTIVE;
    const h = ctx.block.height;
    const rule: Rule = {
      name: a.name, version: a.version, source: a.source, sourceHash: sha256Utf8(a.source), scope: a.scope, action: a.action, severity: a.severity, activation: a.activation, status,
      cost: compiled.cost, windows, lists: [...compiled.refs.lists], legalRef: a.legalRef, registeredBy: ctx.signer, height: h, statusHeight: h,
    };
    const use = windowsInUse([...inForce, rule]);
    for (const k of ['account', 'pair', 'between'] as const) {
      if (use[k].length > MAX_WINDOWS) fail('RULES_FULL', `the rules in force would use ${use[k].length} distinct ${k} windows; at most ${MAX_WINDOWS}`);
    }
    if (rule.lists.length > 16) fail('BAD_RULE', 'a rule reads at most 16 lists');
    for (const l of rule.lists) if (!LIST_NAME.test(l)) fail('BAD_RULE', `list name "${l}" is not a list name (letters, digits, . _ : -, at most 64)`);
    ctx.put(RuleSchema, CompKeys.rule(id), rule);
    putInForce(ctx, [...inForce, inForceOf(rule)]);
    ctx.emit(RuleEvents.rule_registered, { rule: id, action: a.action, severity: a.severity, activation: a.activation, status, cost: compiled.cost, legalRef: a.legalRef });
    return encode(RuleResult, { rule: id, cost: compiled.cost });
  }, { roles: Role.REGULATOR, fails: ['NOT_AUTHORIZED', 'BAD_RULE', 'RULE_EXISTS', 'RULE_INVALID', 'RULE_OVER_BUDGET', 'RULES_FULL'], result: RuleResult }),

  set_rule_status: method(SetRuleStatusArgs, 'a regulator moves a rule between active (0) and shadow (1), or retires it (2, final: it leaves the rules in force), with the legal reference', async (ctx, a) => {
    await requireRole(ctx, Role.REGULATOR);
    const r = await getRule(ctx, a.id);
    if (a.status > RuleStatus.RETIRED) fail('BAD_RULE_STATUS', `status must be 0 active, 1 shadow or 2 retired, not ${a.status}`);
    if (r.status === RuleStatus.RETIRED) fail('BAD_RULE_STATUS', `rule ${a.id} is retired: that is final`);
    if (r.status === a.status) fail('BAD_RULE_STATUS', `rule ${a.id} has status ${a.status} already`);
    ctx.put(RuleSchema, CompKeys.rule(a.id), { ...r, status: a.status, statusHeight: ctx.block.height });
    const others = (await rulesInForce(ctx)).filter((x) => !(x.name === r.name && x.version === r.version));
    putInForce(ctx, a.status === RuleStatus.RETIRED ? others : [...others, inForceOf({ ...r, status: a.status })]);
    ctx.emit(RuleEvents.rule_status, { rule: a.id, status: a.status, legalRef: a.legalRef });
  }, { roles: Role.REGULATOR, fails: ['NOT_AUTHORIZED', 'RULE_NOT_FOUND', 'BAD_RULE_STATUS'] }),

  update_list: method(UpdateListArgs, 'a regulator adds entries to and removes entries from a named list (rules read it with inList; accounts are written as 40 lowercase hex digits)', async (ctx, a) => {
    await requireRole(ctx, Role.REGULATOR);
    if (a.add.length === 0 && a.remove.length === 0) fail('BAD_LIST', 'an update adds or removes at least one entry');
    for (const v of a.add) ctx.put(ListEntrySchema, CompKeys.list(a.list, v), { legalRef: a.legalRef, height: ctx.block.height });
    for (const v of a.remove) ctx.delete(CompKeys.list(a.list, v));
    ctx.emit(RuleEvents.list_updated, { list: a.list, added: a.add.length, removed: a.remove.length, legalRef: a.legalRef });
  }, { roles: Role.REGULATOR, fails: ['NOT_AUTHORIZED', 'BAD_LIST'] }),

  set_jurisdiction: method(SetJurisdictionArgs, "a regulator, or the bank that opened the account, sets the account's jurisdiction (ISO 3166 code; empty: unknown), which rules read as `jurisdiction`", async (ctx, a) => {
    const acct = await ctx.get(AccountSchema, AccountKeys.account(a.account));
    if (acct === undefined) fail('ACCOUNT_NOT_FOUND', `no account ${hex(a.account)}`);
    const ownBank = acct.bank !== null && hex(acct.bank) === hex(ctx.signer);
    if (!ownBank) await requireRole(ctx, Role.REGULATOR);
    const key = CompKeys.activity(a.account);
    const act = (await ctx.get(ActivitySchema, key)) ?? NO_ACTIVITY;
    ctx.put(ActivitySchema, key, { ...act, jurisdiction: a.jurisdiction });
    ctx.emit(RuleEvents.jurisdiction_set, { ...a, by: ctx.signer });
  }, { fails: ['ACCOUNT_NOT_FOUND', 'NOT_AUTHORIZED'] }),
};
