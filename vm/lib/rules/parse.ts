/**
 * The one place that touches the CEL parser library (@marcbachmann/cel-js): its parser
 * only, never its type checker or evaluator. The source length is checked before parsing,
 * the parser runs with tight structural limits, and whatever it throws (a syntax error, a
 * limit, even a stack overflow) becomes a RuleError naming the position. The result is the
 * library's AST seen through the narrow `CelNode` shape the compiler reads.
 */
import { Environment } from '@marcbachmann/cel-js';
import { RULE_LIMITS, RuleError, ruleErrorAt } from './errors.js';

/** The parts of the library's AST node the compiler reads. */
export interface CelNode {
  readonly op: string;
  readonly args: unknown;
  /** Offset of the node's anchor (a field name for `a.b`, the operator start otherwise). */
  readonly pos: number;
  readonly start: number;
  readonly end: number;
}

/**
 * Offset of the infix operator `op` of a node whose left operand ends at `from` (the
 * library anchors infix nodes at their left operand): skips blanks, closing parentheses
 * and comments; `fallback` if the operator is not found there.
 */
export function operatorOffset(source: string, from: number, op: string, fallback: number): number {
  let i = from;
  while (i < source.length) {
    const ch = source[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === ')') i++;
    else if (ch === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else break;
  }
  return source.startsWith(op, i) ? i : fallback;
}

// Only the parser of this environment is used (its macros are expanded at parse time but
// leave the call node in place: `rcall` with [name, receiver, args]).
const PARSER = new Environment({
  limits: {
    maxAstNodes: RULE_LIMITS.maxNodes,
    maxDepth: RULE_LIMITS.parserMaxDepth,
    maxListElements: RULE_LIMITS.maxListLiteral,
    maxCallArguments: RULE_LIMITS.maxCallArgs,
    maxMapEntries: RULE_LIMITS.maxListLiteral, // maps parse, then the checker refuses them
  },
});

interface LibraryError {
  readonly code?: unknown;
  readonly summary?: unknown;
  readonly range?: { readonly start?: unknown };
}

/** Parse `source` into the library's AST, or throw RULE_PARSE / RULE_TOO_LARGE. */
export function parseRuleSource(source: string): CelNode {
  if (typeof source !== 'string') throw new RuleError('RULE_PARSE', 'a rule source must be a string');
  if (source.length > RULE_LIMITS.maxSourceLength) {
    throw new RuleError('RULE_TOO_LARGE', `the source is ${source.length} characters, more than ${RULE_LIMITS.maxSourceLength}`, { length: source.length });
  }
  if (source.trim() === '') throw new RuleError('RULE_PARSE', '1:1: the source is empty', { line: 1, column: 1, offset: 0 });
  try {
    return PARSER.parse(source).ast as CelNode;
  } catch (e) {
    if (e instanceof RangeError) throw new RuleError('RULE_TOO_LARGE', 'the source nests too deeply to parse');
    const le = (typeof e === 'object' && e !== null ? e : {}) as LibraryError;
    const start = typeof le.range?.start === 'number' ? le.range.start : 0;
    const what = typeof le.summary === 'string' ? le.summary : 'invalid expression';
    const code = le.code === 'limit_exceeded' ? 'RULE_TOO_LARGE' : 'RULE_PARSE';
    throw ruleErrorAt(code, source, start, what.charAt(0).toLowerCase() + what.slice(1), { parser: typeof le.code === 'string' ? le.code : 'unknown' });
  }
}
