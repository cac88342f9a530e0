/**
 * canonicalRuleSource: prints a compiled rule's normalized tree back to source with the
 * fewest parentheses that keep its shape and one spelling per construct (literals
 * normalized, whitespace fixed).
 * Two rules that differ only in layout, redundant parentheses or literal spelling print the
 * same, and compiling the printed source gives the same tree again (as long as the printed
 * form, with its normalized spacing, stays within the source length limit): a stable form
 * to hash, store or show.
 */
import type { CompiledRule, RuleNode } from './ast.js';

/** Binding strength, loosest first, as the parser reads it. */
const COND = 1;
const OR = 2;
const AND = 3;
const EQ = 4;
const REL = 5;
const ADD = 6;
const MUL = 7;
const UNARY = 8;
const POSTFIX = 9;

function prec(n: RuleNode): number {
  switch (n.op) {
    case 'cond':
      return COND;
    case 'or':
      return OR;
    case 'and':
      return AND;
    case 'cmp':
      return n.fn === '==' || n.fn === '!=' ? EQ : REL;
    case 'in':
      return REL;
    case 'arith':
      return n.fn === '+' || n.fn === '-' ? ADD : MUL;
    case 'concat':
      return ADD;
    case 'not':
    case 'neg':
      return UNARY;
    case 'lit':
      return typeof n.value === 'bigint' && n.value < 0n ? UNARY : POSTFIX;
    default:
      return POSTFIX;
  }
}

function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const u = s.charCodeAt(i);
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (u < 0x20 || u === 0x7f) out += '\\x' + u.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/** `n` printed where binding strength `min` is needed: parenthesized if it binds looser. */
function at(n: RuleNode, min: number): string {
  const s = printNode(n);
  return prec(n) < min ? `(${s})` : s;
}

function infix(n: RuleNode, left: RuleNode, op: string, right: RuleNode): string {
  const p = prec(n);
  return `${at(left, p)} ${op} ${at(right, p + 1)}`;
}

/** The source of one node, with the fewest parentheses that keep its shape. */
export function printNode(n: RuleNode): string {
  switch (n.op) {
    case 'lit':
      return typeof n.value === 'string' ? quote(n.value) : String(n.value);
    case 'var':
    case 'iter':
      return n.name;
    case 'field':
      return `${at(n.obj, POSTFIX)}.${n.name}`;
    case 'index':
      return `${at(n.list, POSTFIX)}[${printNode(n.index)}]`;
    case 'list':
      return `[${n.items.map(printNode).join(', ')}]`;
    case 'not':
      return `!${at(n.arg, UNARY)}`;
    case 'neg':
      return `-${at(n.arg, UNARY)}`;
    case 'arith':
    case 'cmp':
      return infix(n, n.left, n.fn, n.right);
    case 'concat':
      return infix(n, n.left, '+', n.right);
    case 'in':
      return infix(n, n.item, 'in', n.list);
    case 'and':
      return infix(n, n.left, '&&', n.right);
    case 'or':
      return infix(n, n.left, '||', n.right);
    case 'cond':
      return `${at(n.test, OR)} ? ${at(n.yes, OR)} : ${printNode(n.no)}`;
    case 'size':
      return `size(${printNode(n.arg)})`;
    case 'str':
      return `${at(n.target, POSTFIX)}.${n.fn}(${printNode(n.arg)})`;
    case 'host':
      return `${n.fn}(${n.args.map(printNode).join(', ')})`;
    case 'macro': {
      const filter = n.filter === null ? '' : `${printNode(n.filter)}, `;
      return `${at(n.list, POSTFIX)}.${n.fn}(${n.v}, ${filter}${printNode(n.body)})`;
    }
  }
}

export function canonicalRuleSource(rule: CompiledRule): string {
  return printNode(rule.ast);
}
