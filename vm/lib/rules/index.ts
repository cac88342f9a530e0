/**
 * The rule language of the Regulatory OS: a restricted, deterministic CEL in which a
 * regulator writes compliance rules as data. `compileRule` parses (with the
 * @marcbachmann/cel-js parser only), type-checks against a `RuleEnv` and bounds the
 * worst-case cost; `evaluateRule` runs a compiled rule on one input with a cost meter that
 * can never exceed that bound. `PAYMENT_ENV` is the environment of a payment check.
 */
export type { ArithOp, CompareOp, CompiledRule, MacroFn, RuleNode, RuleRefs, StringFn } from './ast.js';
export { addCost, compareCost, concatCost, containsCost, mulCost, sizeCost, units } from './cost.js';
export { lineColumn, RULE_ERRORS, RULE_LIMITS, RuleError, type RuleErrorCode } from './errors.js';
export { compileRule, type CompileOptions } from './compile.js';
export { evaluateRule, type RuleHost, type RuleInput, type RuleOutcome } from './evaluate.js';
export { canonicalRuleSource, printNode } from './print.js';
export { ACCOUNT_TYPE, AGGREGATE_COST, LIST_LOOKUP_COST, MAX_WINDOW_MS, PAYMENT_ENV, PAYMENT_STRING_MAX, TX_TYPE, type PaymentHost } from './payment-env.js';
export {
  conforms,
  defineRuleEnv,
  describeType,
  extendRuleEnv,
  joinTypes,
  MAX_INT,
  MIN_INT,
  T,
  type HostFunctionSpec,
  type HostParam,
  type RuleEnv,
  type RuleType,
  type RuleValue,
} from './types.js';
