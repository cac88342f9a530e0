/**
 * evaluateRule: runs a CompiledRule on one input, purely and synchronously. The typed tree
 * is turned once into closures (cached per rule), so an evaluation does no dispatch on node
 * kinds. Integers are bigints checked against the 64-bit signed range after every
 * operation; lists are walked in order; no floating point, clock or randomness.
 *
 * Outcomes: `{ value, cost }`, or `{ error, code: 'RULE_EVAL', cost }` when the rule
 * "errors" (division or modulo by zero, overflow, an index out of range): the rule neither
 * passes nor fails, and the caller decides what that means. As in CEL, `&&`/`||` and the
 * all/exists macros absorb an error when the other operands decide the result
 * (`false && 1/0 == 1` is false). Thrown, never returned: RULE_INPUT when a variable or a
 * host result breaks the environment's declared types or bounds (the caller's contract),
 * RULE_METER if the cost ever exceeds the compiled worst case (a bug); an exception thrown
 * by a host function propagates unchanged. Every node charges its cost as it runs, by the
 * formulas of cost.ts applied to actual lengths, so `cost <= rule.cost` always.
 */
import type { CompiledRule, RuleNode } from './ast.js';
import { compareCost, concatCost, containsCost, sizeCost } from './cost.js';
import { RuleError, ruleErrorAt } from './errors.js';
import { conforms, describeType, MAX_INT, MIN_INT, type RuleType, type RuleValue } from './types.js';

/**
 * The host functions of the environment, by name (ints are bigints); called as methods of
 * this object. Typed loosely so that any record of functions fits (PaymentHost for
 * PAYMENT_ENV); each call checks that the function exists and its result's type.
 */
export type RuleHost = { readonly [fn: string]: unknown };

export interface RuleInput {
  readonly vars: Readonly<Record<string, unknown>>;
  readonly host: RuleHost;
}

export type RuleOutcome = { readonly value: boolean; readonly cost: number } | { readonly error: string; readonly code: 'RULE_EVAL'; readonly cost: number };

type Val = RuleValue;
interface Ctx {
  readonly vars: Readonly<Record<string, unknown>>;
  readonly host: RuleHost;
  used: number;
  readonly limit: number;
  readonly slots: Val[];
}
type Fn = (c: Ctx) => Val;

function overMeter(c: Ctx): never {
  throw new RuleError('RULE_METER', `evaluation used ${c.used}, more than the compiled worst case ${c.limit}`, { used: c.used, limit: c.limit });
}

function badInput(what: string, t: RuleType): never {
  throw new RuleError('RULE_INPUT', `${what} is not a ${describeType(t)} within its declared bounds`, { what });
}

/** Rethrow anything but an evaluation error; return the evaluation error. */
function evalError(e: unknown): RuleError {
  if (e instanceof RuleError && e.code === 'RULE_EVAL') return e;
  throw e;
}

function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i + 1 < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      const w = s.charCodeAt(i + 1);
      if (w >= 0xdc00 && w <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

function build(n: RuleNode, src: string): Fn {
  const fail = (what: string): never => {
    throw ruleErrorAt('RULE_EVAL', src, n.at, what);
  };
  const int = (r: bigint): bigint => (r > MAX_INT || r < MIN_INT ? fail('integer overflow') : r);
  switch (n.op) {
    case 'lit': {
      const v = n.value;
      return (c) => ((c.used += 1) > c.limit ? overMeter(c) : v);
    }
    case 'var': {
      const { name, type } = n;
      return (c) => {
        if ((c.used += 1) > c.limit) overMeter(c);
        const v = c.vars[name];
        return conforms(type, v) ? (v as Val) : badInput(`variable ${name}`, type);
      };
    }
    case 'iter': {
      const slot = n.slot;
      return (c) => ((c.used += 1) > c.limit ? overMeter(c) : c.slots[slot]!);
    }
    case 'field': {
      const { name, type } = n;
      const obj = build(n.obj, src);
      return (c) => {
        const o = obj(c) as Readonly<Record<string, unknown>>;
        if ((c.used += 1) > c.limit) overMeter(c);
        const v = o[name];
        return conforms(type, v) ? (v as Val) : badInput(`field ${name}`, type);
      };
    }
    case 'index': {
      const list = build(n.list, src);
      const index = build(n.index, src);
      return (c) => {
        const l = list(c) as readonly Val[];
        const i = index(c) as bigint;
        if ((c.used += 1) > c.limit) overMeter(c);
        return i >= 0n && i < BigInt(l.length) ? l[Number(i)]! : fail(`index ${i} out of range for a list of ${l.length}`);
      };
    }
    case 'list': {
      const items = n.items.map((x) => build(x, src));
      const own = 1 + items.length;
      return (c) => {
        if ((c.used += own) > c.limit) overMeter(c);
        const out: Val[] = [];
        for (let i = 0; i < items.length; i++) out.push(items[i]!(c));
        return out;
      };
    }
    case 'not': {
      const arg = build(n.arg, src);
      return (c) => {
        const v = arg(c);
        return (c.used += 1) > c.limit ? overMeter(c) : !v;
      };
    }
    case 'neg': {
      const arg = build(n.arg, src);
      return (c) => {
        const v = arg(c) as bigint;
        return (c.used += 1) > c.limit ? overMeter(c) : int(-v);
      };
    }
    case 'arith':
      return arith(n, build(n.left, src), build(n.right, src), fail, int);
    case 'concat': {
      const left = build(n.left, src);
      const right = build(n.right, src);
      return (c) => {
        const a = left(c) as string;
        const b = right(c) as string;
        return (c.used += concatCost(a.length, b.length)) > c.limit ? overMeter(c) : a + b;
      };
    }
    case 'cmp':
      return compare(n, build(n.left, src), build(n.right, src));
    case 'in': {
      const item = build(n.item, src);
      const list = build(n.list, src);
      const strings = n.item.type.kind === 'string';
      return (c) => {
        const x = item(c);
        const l = list(c) as readonly Val[];
        if ((c.used += 1) > c.limit) overMeter(c);
        for (let i = 0; i < l.length; i++) {
          const e = l[i];
          if ((c.used += strings ? compareCost((x as string).length, (e as string).length) : 1) > c.limit) overMeter(c);
          if (e === x) return true;
        }
        return false;
      };
    }
    case 'and':
    case 'or':
      return logic(n.op === 'and', build(n.left, src), build(n.right, src));
    case 'cond': {
      const test = build(n.test, src);
      const yes = build(n.yes, src);
      const no = build(n.no, src);
      return (c) => {
        const t = test(c);
        if ((c.used += 1) > c.limit) overMeter(c);
        return t === true ? yes(c) : no(c);
      };
    }
    case 'size': {
      const arg = build(n.arg, src);
      return (c) => {
        const v = arg(c);
        if (typeof v === 'string') return (c.used += sizeCost(v.length)) > c.limit ? overMeter(c) : BigInt(codePoints(v));
        return (c.used += 1) > c.limit ? overMeter(c) : BigInt((v as readonly Val[]).length);
      };
    }
    case 'str': {
      const target = build(n.target, src);
      const arg = build(n.arg, src);
      const fn = n.fn;
      return (c) => {
        const s = target(c) as string;
        const p = arg(c) as string;
        if ((c.used += fn === 'contains' ? containsCost(s.length, p.length) : compareCost(s.length, p.length)) > c.limit) overMeter(c);
        return fn === 'contains' ? s.includes(p) : fn === 'startsWith' ? s.startsWith(p) : s.endsWith(p);
      };
    }
    case 'host':
      return host(n, n.args.map((x) => build(x, src)));
    case 'macro':
      return macro(n, build(n.list, src), n.filter === null ? null : build(n.filter, src), build(n.body, src));
  }
}

function arith(n: Extract<RuleNode, { op: 'arith' }>, left: Fn, right: Fn, fail: (w: string) => never, int: (r: bigint) => bigint): Fn {
  const fn = n.fn;
  return (c) => {
    const a = left(c) as bigint;
    const b = right(c) as bigint;
    if ((c.used += 1) > c.limit) overMeter(c);
    switch (fn) {
      case '+':
        return int(a + b);
      case '-':
        return int(a - b);
      case '*':
        return int(a * b);
      default:
        if (b === 0n) return fail(fn === '/' ? 'division by zero' : 'modulo by zero');
        if (a === MIN_INT && b === -1n) return fail('integer overflow');
        return fn === '/' ? a / b : a % b;
    }
  };
}

function compare(n: Extract<RuleNode, { op: 'cmp' }>, left: Fn, right: Fn): Fn {
  const fn = n.fn;
  const strings = n.left.type.kind === 'string';
  return (c) => {
    const a = left(c) as bigint | string | boolean;
    const b = right(c) as bigint | string | boolean;
    if ((c.used += strings ? compareCost((a as string).length, (b as string).length) : 1) > c.limit) overMeter(c);
    switch (fn) {
      case '==':
        return a === b;
      case '!=':
        return a !== b;
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      default:
        return a >= b;
    }
  };
}

/** `&&` (and = true) or `||`, with CEL's error absorption. */
function logic(and: boolean, left: Fn, right: Fn): Fn {
  const decisive = !and; // false decides &&, true decides ||
  return (c) => {
    if ((c.used += 1) > c.limit) overMeter(c);
    let err: RuleError | null = null;
    try {
      if (left(c) === decisive) return decisive;
    } catch (e) {
      err = evalError(e);
    }
    if (err === null) return right(c);
    let r: Val;
    try {
      r = right(c);
    } catch (e) {
      evalError(e);
      throw err;
    }
    if (r === decisive) return decisive;
    throw err;
  };
}

function host(n: Extract<RuleNode, { op: 'host' }>, args: Fn[]): Fn {
  const { fn: name, type, fnCost: own } = n;
  return (c) => {
    const a: Val[] = [];
    for (let i = 0; i < args.length; i++) a.push(args[i]!(c));
    if ((c.used += own) > c.limit) overMeter(c);
    const f = c.host[name];
    if (typeof f !== 'function') throw new RuleError('RULE_INPUT', `the host has no function ${name}`, { what: name });
    const r: unknown = (f as (...args: Val[]) => unknown).apply(c.host, a);
    return conforms(type, r) ? (r as Val) : badInput(`the result of ${name}()`, type);
  };
}

function macro(n: Extract<RuleNode, { op: 'macro' }>, list: Fn, filter: Fn | null, body: Fn): Fn {
  const { fn, slot } = n;
  return (c) => {
    const l = list(c) as readonly Val[];
    if ((c.used += 1) > c.limit) overMeter(c);
    const out: Val[] = [];
    let count = 0;
    let err: RuleError | null = null;
    for (let i = 0; i < l.length; i++) {
      if ((c.used += 1) > c.limit) overMeter(c);
      c.slots[slot] = l[i]!;
      if (fn === 'all' || fn === 'exists') {
        const decisive = fn === 'exists';
        try {
          if (body(c) === decisive) return decisive;
        } catch (e) {
          err ??= evalError(e);
        }
      } else if (fn === 'exists_one') {
        if (body(c) === true) count++;
      } else if (fn === 'filter') {
        if (body(c) === true) out.push(l[i]!);
      } else if (filter === null || filter(c) === true) out.push(body(c));
    }
    if (err !== null) throw err;
    return fn === 'all' ? true : fn === 'exists' ? false : fn === 'exists_one' ? count === 1 : out;
  };
}

const CLOSURES = new WeakMap<CompiledRule, Fn>();

/**
 * Evaluate `rule` (as returned by compileRule: its tree is trusted) on `input`; see the
 * module docblock for outcomes and what is thrown.
 */
export function evaluateRule(rule: CompiledRule, input: RuleInput): RuleOutcome {
  let run = CLOSURES.get(rule);
  if (run === undefined) CLOSURES.set(rule, (run = build(rule.ast, rule.source)));
  if (typeof input?.vars !== 'object' || input.vars === null || typeof input.host !== 'object' || input.host === null) {
    throw new RuleError('RULE_INPUT', 'the input must have vars and host objects');
  }
  const c: Ctx = { vars: input.vars, host: input.host, used: 0, limit: rule.cost, slots: [] };
  try {
    const value = run(c) as boolean;
    return { value, cost: c.used };
  } catch (e) {
    const err = evalError(e);
    return { error: err.message, code: 'RULE_EVAL', cost: c.used };
  }
}
