/**
 * The rule language's limits and its one error class. Every failure of the rule compiler
 * and evaluator is a `RuleError` with a code from `RULE_ERRORS` (never the parser library's
 * own errors, never a raw JS error). Compile errors name where in the source (line:column,
 * 1-based, and the offset in `meta`). `RULE_EVAL` is the one code the evaluator *returns*
 * (as an outcome) instead of throwing: division by zero, overflow, an index out of range.
 * `RULE_INPUT` (the caller broke the environment's contract) and `RULE_METER` (a broken
 * cost bound: a bug) are thrown.
 */
import { SovError } from '../../../core/index.js';

/** Every rule error code, with what it means and who sees it. */
export const RULE_ERRORS = {
  RULE_PARSE: { stage: 'compile', doc: 'the source is not a syntactically valid expression' },
  RULE_TYPE: { stage: 'compile', doc: 'an unknown name, a wrong argument type or a construct the rule language refuses' },
  RULE_OVER_BUDGET: { stage: 'compile', doc: 'the worst-case cost of the rule exceeds the budget' },
  RULE_TOO_LARGE: { stage: 'compile', doc: 'the source is too long, too deep or has too many nodes' },
  RULE_ENV: { stage: 'compile', doc: 'the environment description or the compile options are malformed' },
  RULE_EVAL: { stage: 'evaluate', doc: 'division by zero, integer overflow or an index out of range (returned, not thrown)' },
  RULE_INPUT: { stage: 'evaluate', doc: 'a variable or host result does not have the type or bounds the environment declares' },
  RULE_METER: { stage: 'internal', doc: 'an evaluation used more than its compiled worst-case cost (a bug)' },
} as const;

export type RuleErrorCode = keyof typeof RULE_ERRORS;

/** Structural limits, checked before and around the parser and in our own AST walk. */
export const RULE_LIMITS = {
  /** Longest source accepted, in UTF-16 code units; longer is RULE_TOO_LARGE before parsing. */
  maxSourceLength: 4096,
  /** Nesting the parser accepts (parentheses, calls, selections, indexes). */
  parserMaxDepth: 32,
  /** Depth of our normalized tree (long `a || b || ...` chains nest too). */
  maxDepth: 64,
  /** Nodes in the parsed tree. */
  maxNodes: 1024,
  /** Elements of one list literal. */
  maxListLiteral: 64,
  /** Arguments of one call. */
  maxCallArgs: 8,
  /** Costs and lengths saturate here; no budget may be larger. */
  costCap: 2 ** 48,
} as const;

/** A typed error of the rule language. */
export class RuleError extends SovError {
  declare readonly code: RuleErrorCode;
  constructor(code: RuleErrorCode, message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta, 'reject');
  }
}

/** 1-based line and column of `offset` in `source`. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let col = 1;
  const end = Math.min(Math.max(offset, 0), source.length);
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  return { line, column: col };
}

/** A compile error at `offset` of `source`: the message starts with "line:column: ". */
export function ruleErrorAt(code: RuleErrorCode, source: string, offset: number, what: string, meta: Record<string, unknown> = {}): RuleError {
  const { line, column } = lineColumn(source, offset);
  return new RuleError(code, `${line}:${column}: ${what}`, { line, column, offset, ...meta });
}
