/**
 * Backtesting a candidate rule on committed history (`sov compliance backtest`, RPC
 * comp_backtest). The node replays blocks H1..H2 on a copy of the state at H1 - 1 into which
 * the candidate has been put as a shadow rule, registered as `register_rule` would register
 * it at H1 (compiled within max_rule_cost, windows and limits checked), so each payment of
 * the replay runs it exactly as an activated rule would run: same inputs, same aggregates
 * (its windows start empty at H1, as a rule registered then would), same evaluation. Its
 * `shadow_decision` events are the findings. Nothing is enforced, so the replayed history is
 * the committed one; a transaction whose replay outcome differs from its committed receipt
 * (the candidate's work pushed it over a work limit) is reported as a divergence.
 * This file is the vm's part, pure: the candidate's state writes, and the findings read from
 * the replayed receipts. node/chain/backtest.ts drives the replay.
 */
import { decode, encode, sha256Utf8, type Infer } from '../../../core/index.js';
import { compileRule, PAYMENT_ENV, RuleError } from '../../lib/rules/index.js';
import { loadParams } from '../../params.js';
import type { Registry } from '../../registry.js';
import type { Receipt } from '../../receipts.js';
import type { StateReader, Write } from '../../state.js';
import { windowsInUse } from './activity.js';
import { ShadowDecisionEvent } from './events.js';
import {
  CompKeys, Decision, InForceListSchema, MAX_RULES_IN_FORCE, MAX_WINDOWS, PAYMENT_TYPES, ruleId, RuleSchema, RuleStatus, ScopeSchema, type InForce, type Rule,
} from './records.js';
import { windowsOf } from './rules.js';

/** A rule to try: what register_rule takes, less activation, shadow and legal reference. */
export interface Candidate {
  readonly name: string;
  readonly version: number;
  readonly source: string;
  /** 0 refuse, 1 flag, 2 hold, 3 travel_rule (a finding: `refuse` without a fitting envelope, `travel` with one). */
  readonly action: number;
  readonly severity: number;
  readonly scope: Infer<typeof ScopeSchema>;
}

/** A candidate refused before any replay: the code is the module's (RULE_INVALID, RULE_OVER_BUDGET, BAD_RULE, RULE_EXISTS, RULES_FULL). */
export class BacktestError extends Error {
  override name = 'BacktestError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,47}$/;
/** The registrar a backtest's candidate is recorded with: no account has this address. */
const NOBODY = new Uint8Array(20);

/**
 * The writes that put `c` in force as a shadow rule from `height`, on `state` (the state at
 * height - 1): the same checks and the same records as register_rule.
 */
export async function candidateWrites(state: StateReader, c: Candidate, height: number, reg?: Registry): Promise<{ id: string; cost: number; writes: Write[] }> {
  if (!NAME.test(c.name) || !Number.isSafeInteger(c.version) || c.version < 0 || c.version > 0xffffffff) throw new BacktestError('BAD_RULE', 'a rule name is lowercase letters, digits, . _ -, at most 48; a version is a u32');
  if (![0, 1, 2, 3].includes(c.action)) throw new BacktestError('BAD_RULE', `action must be 0 refuse, 1 flag, 2 hold or 3 travel_rule, not ${c.action}`);
  if (!Number.isInteger(c.severity) || c.severity < 0 || c.severity > 255) throw new BacktestError('BAD_RULE', 'severity is 0..255');
  for (const t of c.scope.types) if (!(PAYMENT_TYPES as readonly string[]).includes(t)) throw new BacktestError('BAD_RULE', `scope type "${t}" is not one of ${PAYMENT_TYPES.join(', ')}`);
  const id = ruleId(c.name, c.version);
  const get = async (k: Uint8Array) => await state.get(k);
  if ((await get(CompKeys.rule(id))) !== undefined) throw new BacktestError('RULE_EXISTS', `rule ${id} is registered already: give the candidate another name or version`);
  const params = await loadParams(state, reg);
  let compiled;
  try {
    compiled = compileRule(c.source, PAYMENT_ENV, { maxCost: (params as unknown as Record<string, number>).max_rule_cost! });
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    throw new BacktestError(e.code === 'RULE_OVER_BUDGET' ? 'RULE_OVER_BUDGET' : 'RULE_INVALID', `${e.code}: ${e.message}`);
  }
  const raw = await get(CompKeys.inForce());
  const inForce: InForce[] = raw === undefined ? [] : [...decode(InForceListSchema, raw).rules];
  if (inForce.length >= MAX_RULES_IN_FORCE) throw new BacktestError('RULES_FULL', `${MAX_RULES_IN_FORCE} rules were in force at height ${height - 1}`);
  const windows = windowsOf(compiled);
  const rule: Rule = {
    name: c.name, version: c.version, source: c.source, sourceHash: sha256Utf8(c.source), scope: c.scope, action: c.action, severity: c.severity, activation: height, status: RuleStatus.SHADOW,
    cost: compiled.cost, windows, lists: [...compiled.refs.lists], legalRef: 'backtest', registeredBy: NOBODY, height, statusHeight: height,
  };
  const use = windowsInUse([...inForce, rule]);
  for (const k of ['account', 'pair', 'between'] as const) {
    if (use[k].length > MAX_WINDOWS) throw new BacktestError('RULES_FULL', `with the rules in force the candidate makes ${use[k].length} distinct ${k} windows; at most ${MAX_WINDOWS}`);
  }
  const entry: InForce = { name: rule.name, version: rule.version, action: rule.action, severity: rule.severity, activation: height, status: RuleStatus.SHADOW, scope: rule.scope, windows };
  const rules = [...inForce, entry].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version - b.version));
  return {
    id,
    cost: compiled.cost,
    writes: [
      { key: CompKeys.rule(id), value: encode(RuleSchema, rule) },
      { key: CompKeys.inForce(), value: encode(InForceListSchema, { rules }) },
    ],
  };
}

export const DECISION_NAMES = ['pass', 'refuse', 'flag', 'hold', 'error', 'travel'] as const;
export type DecisionName = (typeof DECISION_NAMES)[number];

/** One payment the candidate decided on (anything but pass). */
export interface Finding {
  readonly height: number;
  /** The transaction's position in its block, and the decision's event position in its replayed receipt. */
  readonly index: number;
  readonly event: number;
  readonly txHash: Uint8Array;
  readonly decision: DecisionName;
  readonly from: Uint8Array;
  readonly to: Uint8Array;
  readonly amount: bigint;
  readonly currency: string;
}

/** The candidate's decisions in one replayed receipt: each `shadow_decision` event of rule `id`. */
export function findingsOf(id: string, height: number, index: number, r: Receipt): { decisions: number[]; findings: Finding[] } {
  const decisions: number[] = [];
  const findings: Finding[] = [];
  r.events.forEach((e, at) => {
    if (e.module !== 'comp' || e.name !== 'shadow_decision') return;
    const s = decode(ShadowDecisionEvent, e.data);
    if (s.rule !== id) return;
    decisions.push(s.decision);
    if (s.decision !== Decision.PASS) {
      findings.push({ height, index, event: at, txHash: r.txHash, decision: DECISION_NAMES[s.decision] ?? 'error', from: s.from, to: s.to, amount: s.amount, currency: s.currency });
    }
  });
  return { decisions, findings };
}
