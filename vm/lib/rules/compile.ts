/**
 * compileRule: source -> a frozen CompiledRule, or a RuleError. Steps: (1) check the
 * environment and the budget; (2) parse with our limits (parse.ts); (3) type-check and
 * cost the tree (check.ts), requiring a bool; (4) refuse a worst-case cost above the
 * budget; (5) collect the refs (functions, windows, lists, variables, fields), sorted.
 * Nothing here depends on a clock, randomness or map iteration order: the same source and
 * environment give the same CompiledRule on every node.
 */
import type { CompiledRule, RuleRefs } from './ast.js';
import { Checker } from './check.js';
import { RULE_LIMITS, RuleError, ruleErrorAt } from './errors.js';
import { parseRuleSource } from './parse.js';
import { defineRuleEnv, describeType, type RuleEnv } from './types.js';

export interface CompileOptions {
  /** The largest worst-case cost accepted, a positive integer. */
  readonly maxCost: number;
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const sorted = (xs: Iterable<string>): readonly string[] => Object.freeze([...xs].sort(byCodeUnits));

export function compileRule(source: string, env: RuleEnv, opts: CompileOptions): CompiledRule {
  defineRuleEnv(env);
  const budget = opts?.maxCost;
  if (!Number.isSafeInteger(budget) || budget < 1 || budget >= RULE_LIMITS.costCap) {
    throw new RuleError('RULE_ENV', `maxCost must be an integer in 1..${RULE_LIMITS.costCap - 1}`, { maxCost: budget });
  }
  const parsed = parseRuleSource(source);
  const checker = new Checker(source, env);
  const ast = checker.check(parsed, 0);
  if (ast.type.kind !== 'bool') throw ruleErrorAt('RULE_TYPE', source, ast.at, `a rule must be a bool expression, not ${describeType(ast.type)}`);
  if (ast.cost > budget) {
    throw new RuleError('RULE_OVER_BUDGET', `the worst-case cost ${ast.cost >= RULE_LIMITS.costCap ? `${ast.cost} (capped)` : ast.cost} exceeds the budget ${budget}`, { cost: ast.cost, budget });
  }
  const windows: Record<string, readonly bigint[]> = {};
  for (const fn of sorted(checker.windows.keys())) {
    windows[fn] = Object.freeze([...checker.windows.get(fn)!].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  const refs: RuleRefs = Object.freeze({
    functions: sorted(checker.functions),
    windows: Object.freeze(windows),
    lists: sorted(checker.lists),
    vars: sorted(checker.vars),
    fields: sorted(checker.fields),
  });
  return Object.freeze({ source, env: env.name, ast, cost: ast.cost, refs });
}
