/**
 * Our own normalized, typed and costed form of a rule (not the parser library's AST): one
 * small node per operation, each with its offset in the source (`at`), its type and the
 * worst-case cost of its whole subtree. The compiler builds it frozen; the evaluator turns
 * it into closures; `canonicalRuleSource` prints it back.
 */
import type { RuleType } from './types.js';

interface Base {
  /** Offset of the node in the source. */
  readonly at: number;
  readonly type: RuleType;
  /** Worst-case cost of evaluating this node and everything under it. */
  readonly cost: number;
}

export type ArithOp = '+' | '-' | '*' | '/' | '%';
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type StringFn = 'startsWith' | 'endsWith' | 'contains';
export type MacroFn = 'all' | 'exists' | 'exists_one' | 'filter' | 'map';

export type RuleNode =
  | (Base & { readonly op: 'lit'; readonly value: bigint | string | boolean })
  | (Base & { readonly op: 'var'; readonly name: string })
  /** A macro's iteration variable; `slot` is its macro nesting depth. */
  | (Base & { readonly op: 'iter'; readonly name: string; readonly slot: number })
  | (Base & { readonly op: 'field'; readonly obj: RuleNode; readonly name: string })
  | (Base & { readonly op: 'index'; readonly list: RuleNode; readonly index: RuleNode })
  | (Base & { readonly op: 'list'; readonly items: readonly RuleNode[] })
  | (Base & { readonly op: 'not' | 'neg'; readonly arg: RuleNode })
  | (Base & { readonly op: 'arith'; readonly fn: ArithOp; readonly left: RuleNode; readonly right: RuleNode })
  | (Base & { readonly op: 'concat'; readonly left: RuleNode; readonly right: RuleNode })
  | (Base & { readonly op: 'cmp'; readonly fn: CompareOp; readonly left: RuleNode; readonly right: RuleNode })
  | (Base & { readonly op: 'in'; readonly item: RuleNode; readonly list: RuleNode })
  | (Base & { readonly op: 'and' | 'or'; readonly left: RuleNode; readonly right: RuleNode })
  | (Base & { readonly op: 'cond'; readonly test: RuleNode; readonly yes: RuleNode; readonly no: RuleNode })
  | (Base & { readonly op: 'size'; readonly arg: RuleNode })
  | (Base & { readonly op: 'str'; readonly fn: StringFn; readonly target: RuleNode; readonly arg: RuleNode })
  | (Base & { readonly op: 'host'; readonly fn: string; readonly fnCost: number; readonly args: readonly RuleNode[] })
  /** `list.fn(v, body)`; `map` may have a filter: `list.map(v, filter, body)`. */
  | (Base & {
      readonly op: 'macro';
      readonly fn: MacroFn;
      readonly list: RuleNode;
      readonly v: string;
      readonly slot: number;
      readonly filter: RuleNode | null;
      readonly body: RuleNode;
    });

/** What a compiled rule reads and calls, each list sorted, for registration and caching. */
export interface RuleRefs {
  /** Host functions called. */
  readonly functions: readonly string[];
  /** Window literals (ms) per host function that takes one, ascending. */
  readonly windows: Readonly<Record<string, readonly bigint[]>>;
  /** List names given to list-literal parameters (inList). */
  readonly lists: readonly string[];
  /** Environment variables read. */
  readonly vars: readonly string[];
  /**
   * Field paths read from variables: "from.address", "tx.amount"; a field read through a
   * macro variable or a list element is named by its object type: "Account.tier".
   */
  readonly fields: readonly string[];
}

export interface CompiledRule {
  readonly source: string;
  /** Name of the environment it was compiled against. */
  readonly env: string;
  readonly ast: RuleNode;
  /** Worst-case cost: no evaluation can use more. */
  readonly cost: number;
  readonly refs: RuleRefs;
}
