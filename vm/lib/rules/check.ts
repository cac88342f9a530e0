/**
 * The type checker: walks the parser library's AST once and builds our normalized, typed,
 * costed tree (ast.ts), refusing at the first problem with a RuleError naming the position.
 * What it accepts is the restricted CEL of the rule language: int/string/bool literals
 * (no doubles, unsigned, bytes, null or maps), the environment's variables and fields,
 * list literals and indexes, `! - + - * / %`, comparisons, `in`, `&& || ?:`, size(),
 * startsWith/endsWith/contains, the environment's host functions (window and list-name
 * arguments must be literals, recorded in the refs) and the macros all, exists, exists_one,
 * filter and map. Costs follow cost.ts; `-` applied to an int literal is folded, so
 * -9223372036854775808 is a literal.
 */
import type { ArithOp, CompareOp, MacroFn, RuleNode, StringFn } from './ast.js';
import { addCost, compareCost, concatCost, containsCost, mulCost, sizeCost } from './cost.js';
import { RULE_LIMITS, type RuleErrorCode, ruleErrorAt } from './errors.js';
import { type CelNode, operatorOffset } from './parse.js';
import { describeType, joinTypes, MAX_INT, MIN_INT, type RuleEnv, type RuleType, T } from './types.js';

type Op<K extends RuleNode['op']> = Extract<RuleNode, { op: K }>;

const ARITH = new Set(['+', '-', '*', '/', '%']);
const COMPARE = new Set(['==', '!=', '<', '<=', '>', '>=']);
const STRING_FNS = new Set(['startsWith', 'endsWith', 'contains']);
const MACROS = new Set(['all', 'exists', 'exists_one', 'filter', 'map']);
const INFIX = new Set([...ARITH, ...COMPARE, 'in', '&&', '||', '?:', '[]']);

function node<N extends RuleNode>(n: N): N {
  return Object.freeze(n);
}

export class Checker {
  private nodes = 0;
  private readonly scope: { name: string; type: RuleType }[] = [];
  readonly functions = new Set<string>();
  readonly windows = new Map<string, Set<bigint>>();
  readonly lists = new Set<string>();
  readonly vars = new Set<string>();
  readonly fields = new Set<string>();

  constructor(
    private readonly source: string,
    private readonly env: RuleEnv,
  ) {}

  private infixAt(n: CelNode): number {
    const left = (n.args as CelNode[])[0]!;
    return operatorOffset(this.source, left.end, n.op === '?:' ? '?' : n.op === '[]' ? '[' : n.op, n.pos);
  }

  private fail(code: RuleErrorCode, at: number, what: string): never {
    throw ruleErrorAt(code, this.source, at, what);
  }

  private expect(n: RuleNode, kind: RuleType['kind'], what: string): void {
    if (n.type.kind !== kind) this.fail('RULE_TYPE', n.at, `${what} must be ${kind}, not ${describeType(n.type)}`);
  }

  check(n: CelNode, depth: number): RuleNode {
    if (depth > RULE_LIMITS.maxDepth) this.fail('RULE_TOO_LARGE', n.pos, `the expression nests deeper than ${RULE_LIMITS.maxDepth}`);
    if (++this.nodes > RULE_LIMITS.maxNodes) this.fail('RULE_TOO_LARGE', n.pos, `the expression has more than ${RULE_LIMITS.maxNodes} nodes`);
    const d = depth + 1;
    const at = INFIX.has(n.op) ? this.infixAt(n) : n.pos;
    const pair = (): [RuleNode, RuleNode] => {
      const [l, r] = n.args as [CelNode, CelNode];
      return [this.check(l, d), this.check(r, d)];
    };
    switch (n.op) {
      case 'value':
        return this.literal(n.args, at);
      case 'id':
        return this.ident(n.args as string, at);
      case '.': {
        const [objN, name] = n.args as [CelNode, string];
        return this.field(this.check(objN, d), name, at);
      }
      case '[]': {
        const [list, index] = pair();
        if (list.type.kind !== 'list') this.fail('RULE_TYPE', list.at, `only lists can be indexed, not ${describeType(list.type)}`);
        this.expect(index, 'int', 'a list index');
        return node<Op<'index'>>({ op: 'index', at, type: list.type.of, cost: addCost(1, addCost(list.cost, index.cost)), list, index });
      }
      case 'list':
        return this.listLiteral((n.args as CelNode[]).map((x) => this.check(x, d)), at);
      case 'map':
        return this.fail('RULE_TYPE', at, 'map literals are not supported');
      case '!_': {
        const arg = this.check(n.args as CelNode, d);
        this.expect(arg, 'bool', 'the operand of !');
        return node<Op<'not' | 'neg'>>({ op: 'not', at, type: T.bool, cost: addCost(1, arg.cost), arg });
      }
      case '-_':
        return this.negate(n.args as CelNode, at, d);
      case '&&':
      case '||': {
        const [left, right] = pair();
        this.expect(left, 'bool', `the left operand of ${n.op}`);
        this.expect(right, 'bool', `the right operand of ${n.op}`);
        const op = n.op === '&&' ? 'and' : 'or';
        return node<Op<'and' | 'or'>>({ op, at, type: T.bool, cost: addCost(1, addCost(left.cost, right.cost)), left, right });
      }
      case '?:': {
        const [t, y, f] = n.args as [CelNode, CelNode, CelNode];
        const test = this.check(t, d);
        const yes = this.check(y, d);
        const no = this.check(f, d);
        this.expect(test, 'bool', 'the condition of ?:');
        const type = joinTypes(yes.type, no.type);
        if (type === null) this.fail('RULE_TYPE', at, `the branches of ?: differ: ${describeType(yes.type)} and ${describeType(no.type)}`);
        const cost = addCost(1, addCost(test.cost, Math.max(yes.cost, no.cost)));
        return node<Op<'cond'>>({ op: 'cond', at, type, cost, test, yes, no });
      }
      case 'in': {
        const [item, list] = pair();
        return this.inList(item, list, at);
      }
      case 'call': {
        const [name, args] = n.args as [string, CelNode[]];
        return this.call(name, args, at, d);
      }
      case 'rcall': {
        const [name, recv, args] = n.args as [string, CelNode, CelNode[]];
        return this.method(name, recv, args, at, d);
      }
      default:
        if (ARITH.has(n.op)) return this.arith(n.op as ArithOp, ...pair(), at);
        if (COMPARE.has(n.op)) return this.compare(n.op as CompareOp, ...pair(), at);
        return this.fail('RULE_TYPE', at, `unsupported construct "${n.op}"`);
    }
  }

  private literal(v: unknown, at: number): RuleNode {
    if (typeof v === 'bigint') return this.intLit(v, at);
    if (typeof v === 'string') return node<Op<'lit'>>({ op: 'lit', at, type: T.string(v.length), cost: 1, value: v });
    if (typeof v === 'boolean') return node<Op<'lit'>>({ op: 'lit', at, type: T.bool, cost: 1, value: v });
    if (typeof v === 'number') return this.fail('RULE_TYPE', at, 'floating-point numbers are not allowed (amounts and times are integers)');
    if (v === null) return this.fail('RULE_TYPE', at, 'null is not allowed');
    if (v instanceof Uint8Array) return this.fail('RULE_TYPE', at, 'bytes literals are not allowed');
    return this.fail('RULE_TYPE', at, 'unsigned integers are not allowed; use int');
  }

  private intLit(v: bigint, at: number): RuleNode {
    if (v < MIN_INT || v > MAX_INT) this.fail('RULE_TYPE', at, `integer ${v} is outside the 64-bit signed range`);
    return node<Op<'lit'>>({ op: 'lit', at, type: T.int, cost: 1, value: v });
  }

  private negate(raw: CelNode, at: number, d: number): RuleNode {
    if (raw.op === 'value' && typeof raw.args === 'bigint') {
      ++this.nodes;
      return this.intLit(-raw.args, at);
    }
    const arg = this.check(raw, d);
    if (arg.op === 'lit' && typeof arg.value === 'bigint') return this.intLit(-arg.value, at);
    this.expect(arg, 'int', 'the operand of unary -');
    return node<Op<'not' | 'neg'>>({ op: 'neg', at, type: T.int, cost: addCost(1, arg.cost), arg });
  }

  private ident(name: string, at: number): RuleNode {
    for (let i = this.scope.length - 1; i >= 0; i--) {
      const s = this.scope[i]!;
      if (s.name === name) return node<Op<'iter'>>({ op: 'iter', at, type: s.type, cost: 1, name, slot: i });
    }
    if (Object.hasOwn(this.env.vars, name)) {
      this.vars.add(name);
      return node<Op<'var'>>({ op: 'var', at, type: this.env.vars[name]!, cost: 1, name });
    }
    if (Object.hasOwn(this.env.functions, name)) this.fail('RULE_TYPE', at, `${name} is a function: call it as ${name}(...)`);
    return this.fail('RULE_TYPE', at, `unknown identifier "${name}"`);
  }

  private field(obj: RuleNode, name: string, at: number): RuleNode {
    const t = obj.type;
    if (t.kind !== 'object') return this.fail('RULE_TYPE', at, `${describeType(t)} has no field "${name}"`);
    if (!Object.hasOwn(t.fields, name)) return this.fail('RULE_TYPE', at, `${t.name} has no field "${name}"`);
    this.fields.add(`${pathOf(obj) ?? t.name}.${name}`);
    return node<Op<'field'>>({ op: 'field', at, type: t.fields[name]!, cost: addCost(1, obj.cost), obj, name });
  }

  private listLiteral(items: RuleNode[], at: number): RuleNode {
    if (items.length === 0) return this.fail('RULE_TYPE', at, 'an empty list literal has no element type');
    let of: RuleType | null = items[0]!.type;
    let cost = 1 + items.length;
    for (const it of items) {
      const j: RuleType | null = joinTypes(of, it.type);
      if (j === null) return this.fail('RULE_TYPE', it.at, `a list holds one type: ${describeType(of)} and ${describeType(it.type)}`);
      of = j;
      cost = addCost(cost, it.cost);
    }
    return node<Op<'list'>>({ op: 'list', at, type: T.list(of, items.length), cost, items });
  }

  private arith(fn: ArithOp, left: RuleNode, right: RuleNode, at: number): RuleNode {
    const lt = left.type;
    const rt = right.type;
    if (fn === '+' && lt.kind === 'string' && rt.kind === 'string') {
      const cost = addCost(concatCost(lt.maxLen, rt.maxLen), addCost(left.cost, right.cost));
      return node<Op<'concat'>>({ op: 'concat', at, type: T.string(addCost(lt.maxLen, rt.maxLen)), cost, left, right });
    }
    if (lt.kind !== 'int' || rt.kind !== 'int') {
      const need = fn === '+' ? 'two ints or two strings' : 'two ints';
      return this.fail('RULE_TYPE', at, `${fn} needs ${need}, not ${describeType(lt)} and ${describeType(rt)}`);
    }
    return node<Op<'arith'>>({ op: 'arith', at, type: T.int, cost: addCost(1, addCost(left.cost, right.cost)), fn, left, right });
  }

  private compare(fn: CompareOp, left: RuleNode, right: RuleNode, at: number): RuleNode {
    const lt = left.type;
    const rt = right.type;
    const eq = fn === '==' || fn === '!=';
    const ok = lt.kind === rt.kind && (lt.kind === 'int' || lt.kind === 'string' || (eq && lt.kind === 'bool'));
    if (!ok) return this.fail('RULE_TYPE', at, `${fn} compares two ints${eq ? ', two bools' : ''} or two strings, not ${describeType(lt)} and ${describeType(rt)}`);
    const own = lt.kind === 'string' && rt.kind === 'string' ? compareCost(lt.maxLen, rt.maxLen) : 1;
    return node<Op<'cmp'>>({ op: 'cmp', at, type: T.bool, cost: addCost(own, addCost(left.cost, right.cost)), fn, left, right });
  }

  private inList(item: RuleNode, list: RuleNode, at: number): RuleNode {
    const it = item.type;
    const lt = list.type;
    if (lt.kind !== 'list') return this.fail('RULE_TYPE', list.at, `the right side of "in" must be a list, not ${describeType(lt)}`);
    const el = lt.of;
    if (!((it.kind === 'int' || it.kind === 'string' || it.kind === 'bool') && it.kind === el.kind)) {
      return this.fail('RULE_TYPE', at, `"in" looks for a ${describeType(it)} in a ${describeType(lt)}: the types must be the same int, string or bool`);
    }
    const each = it.kind === 'string' && el.kind === 'string' ? compareCost(it.maxLen, el.maxLen) : 1;
    const cost = addCost(addCost(1, mulCost(lt.maxLen, each)), addCost(item.cost, list.cost));
    return node<Op<'in'>>({ op: 'in', at, type: T.bool, cost, item, list });
  }

  private call(name: string, rawArgs: CelNode[], at: number, d: number): RuleNode {
    if (name === 'size') {
      if (rawArgs.length !== 1) this.fail('RULE_TYPE', at, `size() takes one argument, not ${rawArgs.length}`);
      return this.size(this.check(rawArgs[0]!, d), at);
    }
    if (STRING_FNS.has(name)) this.fail('RULE_TYPE', at, `${name} is a method: write s.${name}(x)`);
    if (!Object.hasOwn(this.env.functions, name)) return this.fail('RULE_TYPE', at, `unknown function "${name}"`);
    const spec = this.env.functions[name]!;
    if (rawArgs.length !== spec.params.length) this.fail('RULE_TYPE', at, `${name}() takes ${spec.params.length} arguments, not ${rawArgs.length}`);
    const args = rawArgs.map((a) => this.check(a, d));
    let cost = spec.cost;
    spec.params.forEach((p, i) => {
      const a = args[i]!;
      if (joinTypes(a.type, p.type) === null) this.fail('RULE_TYPE', a.at, `argument ${p.name} of ${name}() must be ${describeType(p.type)}, not ${describeType(a.type)}`);
      cost = addCost(cost, a.cost);
      if (p.literal === undefined) return;
      if (a.op !== 'lit') this.fail('RULE_TYPE', a.at, `argument ${p.name} of ${name}() must be a literal ${p.literal === 'window' ? 'int' : 'string'}`);
      if (p.literal === 'list') {
        if (a.value === '') this.fail('RULE_TYPE', a.at, `argument ${p.name} of ${name}() must name a list`);
        this.lists.add(a.value as string);
        return;
      }
      const w = a.value as bigint;
      if ((p.min !== undefined && w < p.min) || (p.max !== undefined && w > p.max)) {
        this.fail('RULE_TYPE', a.at, `argument ${p.name} of ${name}() must be within ${p.min ?? MIN_INT}..${p.max ?? MAX_INT}, not ${w}`);
      }
      let set = this.windows.get(name);
      if (set === undefined) this.windows.set(name, (set = new Set()));
      set.add(w);
    });
    this.functions.add(name);
    return node<Op<'host'>>({ op: 'host', at, type: spec.result, cost, fn: name, fnCost: spec.cost, args });
  }

  private size(arg: RuleNode, at: number): RuleNode {
    const t = arg.type;
    if (t.kind !== 'string' && t.kind !== 'list') return this.fail('RULE_TYPE', at, `size() takes a string or a list, not ${describeType(t)}`);
    const own = t.kind === 'string' ? sizeCost(t.maxLen) : 1;
    return node<Op<'size'>>({ op: 'size', at, type: T.int, cost: addCost(own, arg.cost), arg });
  }

  private method(name: string, recv: CelNode, rawArgs: CelNode[], at: number, d: number): RuleNode {
    if (MACROS.has(name)) return this.macro(name as MacroFn, recv, rawArgs, at, d);
    if (name === 'size' && rawArgs.length === 0) return this.size(this.check(recv, d), at);
    if (!STRING_FNS.has(name)) {
      if (Object.hasOwn(this.env.functions, name)) this.fail('RULE_TYPE', at, `${name} is not a method: call it as ${name}(...)`);
      return this.fail('RULE_TYPE', at, `unknown method "${name}"`);
    }
    if (rawArgs.length !== 1) this.fail('RULE_TYPE', at, `${name}() takes one argument, not ${rawArgs.length}`);
    const target = this.check(recv, d);
    const arg = this.check(rawArgs[0]!, d);
    const tt = target.type;
    const at2 = arg.type;
    if (tt.kind !== 'string' || at2.kind !== 'string') return this.fail('RULE_TYPE', at, `${name}() is a method of string taking a string, not ${describeType(tt)}.${name}(${describeType(at2)})`);
    const own = name === 'contains' ? containsCost(tt.maxLen, at2.maxLen) : compareCost(tt.maxLen, at2.maxLen);
    return node<Op<'str'>>({ op: 'str', at, type: T.bool, cost: addCost(own, addCost(target.cost, arg.cost)), fn: name as StringFn, target, arg });
  }

  private macro(fn: MacroFn, recv: CelNode, rawArgs: CelNode[], at: number, d: number): RuleNode {
    const arity = fn === 'map' ? [2, 3] : [2];
    if (!arity.includes(rawArgs.length)) this.fail('RULE_TYPE', at, `${fn}() takes ${arity.join(' or ')} arguments, not ${rawArgs.length}`);
    const list = this.check(recv, d);
    const lt = list.type;
    if (lt.kind !== 'list') return this.fail('RULE_TYPE', list.at, `${fn}() works on a list, not ${describeType(lt)}`);
    const vNode = rawArgs[0]!;
    if (vNode.op !== 'id') this.fail('RULE_PARSE', vNode.pos, `the first argument of ${fn}() must be a variable name`);
    const v = vNode.args as string;
    if (Object.hasOwn(this.env.vars, v) || Object.hasOwn(this.env.functions, v) || this.scope.some((s) => s.name === v)) {
      this.fail('RULE_TYPE', vNode.pos, `the iteration variable "${v}" hides a name already in use`);
    }
    const slot = this.scope.length;
    this.scope.push({ name: v, type: lt.of });
    const filter = rawArgs.length === 3 ? this.check(rawArgs[1]!, d) : null;
    const body = this.check(rawArgs[rawArgs.length - 1]!, d);
    this.scope.pop();
    if (filter !== null) this.expect(filter, 'bool', 'the filter of map()');
    if (fn !== 'map') this.expect(body, 'bool', `the predicate of ${fn}()`);
    const type = fn === 'map' ? T.list(body.type, lt.maxLen) : fn === 'filter' ? lt : T.bool;
    const each = addCost(1, addCost(body.cost, filter?.cost ?? 0));
    const cost = addCost(addCost(1, list.cost), mulCost(lt.maxLen, each));
    return node<Op<'macro'>>({ op: 'macro', at, type, cost, fn, list, v, slot, filter, body });
  }
}

/** "from.address" for a field chain rooted at a variable, else null. */
function pathOf(n: RuleNode): string | null {
  if (n.op === 'var') return n.name;
  if (n.op === 'field') {
    const p = pathOf(n.obj);
    return p === null ? null : `${p}.${n.name}`;
  }
  return null;
}
