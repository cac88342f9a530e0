/**
 * Types of the rule language and the environment a rule is compiled against. Every value is
 * an int (bigint, 64-bit signed), a bool, a string, a homogeneous list or one of the
 * environment's fixed objects; strings and lists carry a maximum length so that the cost
 * of every operation has a static bound. A `RuleEnv` names the variables a rule sees and
 * the host functions it may call (argument types, result type, fixed cost); the ledger
 * module extends the payment environment with `extendRuleEnv`. `defineRuleEnv` checks an
 * environment once and freezes it; `conforms` checks, at evaluation, that a value the caller
 * supplies has the declared type and bounds.
 */
import { RULE_LIMITS, RuleError } from './errors.js';

export type RuleType =
  | { readonly kind: 'int' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'string'; readonly maxLen: number }
  | { readonly kind: 'list'; readonly of: RuleType; readonly maxLen: number }
  | { readonly kind: 'object'; readonly name: string; readonly fields: Readonly<Record<string, RuleType>> };

/** A value at evaluation: objects are plain records of their declared fields. */
export type RuleValue = bigint | boolean | string | readonly RuleValue[] | { readonly [field: string]: unknown };

const INT: RuleType = Object.freeze({ kind: 'int' });
const BOOL: RuleType = Object.freeze({ kind: 'bool' });

/** Type constructors. */
export const T = {
  int: INT,
  bool: BOOL,
  string: (maxLen: number): RuleType => Object.freeze({ kind: 'string', maxLen }),
  list: (of: RuleType, maxLen: number): RuleType => Object.freeze({ kind: 'list', of, maxLen }),
  object: (name: string, fields: Record<string, RuleType>): RuleType => Object.freeze({ kind: 'object', name, fields: Object.freeze({ ...fields }) }),
} as const;

/**
 * A parameter of a host function. `literal: 'window'` (an int) or `'list'` (a string) means
 * the argument must be a literal in the rule, within [min, max] for a window; the compiled
 * rule lists those literals in its refs so the caller knows them at registration.
 */
export interface HostParam {
  readonly name: string;
  readonly type: RuleType;
  readonly literal?: 'window' | 'list';
  readonly min?: bigint;
  readonly max?: bigint;
}

export interface HostFunctionSpec {
  readonly params: readonly HostParam[];
  readonly result: RuleType;
  /** Fixed cost of one call, a positive integer. */
  readonly cost: number;
  readonly doc?: string;
}

export interface RuleEnv {
  readonly name: string;
  readonly vars: Readonly<Record<string, RuleType>>;
  readonly functions: Readonly<Record<string, HostFunctionSpec>>;
}

/** Names a rule can never bind: built-in functions, macros, keywords. */
const BUILTIN_NAMES = new Set(['size', 'startsWith', 'endsWith', 'contains', 'all', 'exists', 'exists_one', 'filter', 'map', 'has', 'cel', 'int', 'string', 'bool', 'list', 'null', 'true', 'false', 'in']);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_DECLARED_LEN = 1 << 16;
const MAX_HOST_COST = 1_000_000;

const checked = new WeakSet<RuleEnv>();

function envError(env: string, what: string): RuleError {
  return new RuleError('RULE_ENV', `environment ${env}: ${what}`, { env });
}

function checkName(env: string, name: string, what: string): void {
  if (!IDENT.test(name) || BUILTIN_NAMES.has(name) || name in Object.prototype) throw envError(env, `${what} "${name}" is not an allowed identifier`);
}

function checkType(env: string, t: RuleType, where: string, depth = 0): void {
  if (depth > 8) throw envError(env, `${where}: type nested too deeply`);
  switch (t.kind) {
    case 'int':
    case 'bool':
      return;
    case 'string':
    case 'list':
      if (!Number.isSafeInteger(t.maxLen) || t.maxLen < 0 || t.maxLen > MAX_DECLARED_LEN) throw envError(env, `${where}: maxLen must be an integer in 0..${MAX_DECLARED_LEN}`);
      if (t.kind === 'list') checkType(env, t.of, `${where}[]`, depth + 1);
      return;
    case 'object':
      for (const [f, ft] of Object.entries(t.fields)) {
        checkName(env, f, `field of ${where}`);
        checkType(env, ft, `${where}.${f}`, depth + 1);
      }
      return;
    default:
      throw envError(env, `${where}: unknown type kind`);
  }
}

function freezeDeep<X>(x: X): X {
  if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) freezeDeep(v);
  }
  return x;
}

/** Check an environment description (names, types, costs, literal params) and freeze it. */
export function defineRuleEnv(env: RuleEnv): RuleEnv {
  if (checked.has(env)) return env;
  const n = env.name;
  for (const [name, t] of Object.entries(env.vars)) {
    checkName(n, name, 'variable');
    checkType(n, t, name);
  }
  for (const [name, f] of Object.entries(env.functions)) {
    checkName(n, name, 'function');
    if (Object.hasOwn(env.vars, name)) throw envError(n, `"${name}" is both a variable and a function`);
    if (!Number.isSafeInteger(f.cost) || f.cost < 1 || f.cost > MAX_HOST_COST) throw envError(n, `${name}: cost must be an integer in 1..${MAX_HOST_COST}`);
    if (f.params.length > RULE_LIMITS.maxCallArgs) throw envError(n, `${name}: more than ${RULE_LIMITS.maxCallArgs} parameters`);
    checkType(n, f.result, `${name}()`);
    for (const p of f.params) {
      checkType(n, p.type, `${name}(${p.name})`);
      if (p.literal === 'window' && p.type.kind !== 'int') throw envError(n, `${name}(${p.name}): a window is an int`);
      if (p.literal === 'list' && p.type.kind !== 'string') throw envError(n, `${name}(${p.name}): a list name is a string`);
    }
  }
  freezeDeep(env);
  checked.add(env);
  return env;
}

/** A new environment: `base` plus more variables and functions; a name in both is refused. */
export function extendRuleEnv(base: RuleEnv, ext: { name: string; vars?: Record<string, RuleType>; functions?: Record<string, HostFunctionSpec> }): RuleEnv {
  for (const k of [...Object.keys(ext.vars ?? {}), ...Object.keys(ext.functions ?? {})]) {
    if (Object.hasOwn(base.vars, k) || Object.hasOwn(base.functions, k)) throw envError(ext.name, `"${k}" is already declared by ${base.name}`);
  }
  return defineRuleEnv({ name: ext.name, vars: { ...base.vars, ...ext.vars }, functions: { ...base.functions, ...ext.functions } });
}

/** A type as a rule author writes it: int, string, list<string>, Account. */
export function describeType(t: RuleType): string {
  if (t.kind === 'list') return `list<${describeType(t.of)}>`;
  if (t.kind === 'object') return t.name;
  return t.kind;
}

/** The common type of two values that may flow to one place (bounds: the larger), or null. */
export function joinTypes(a: RuleType, b: RuleType): RuleType | null {
  if (a.kind === 'string' && b.kind === 'string') return a.maxLen >= b.maxLen ? a : b;
  if (a.kind === 'list' && b.kind === 'list') {
    const of = joinTypes(a.of, b.of);
    if (of === null) return null;
    if (of === a.of && a.maxLen >= b.maxLen) return a;
    if (of === b.of && b.maxLen >= a.maxLen) return b;
    return T.list(of, Math.max(a.maxLen, b.maxLen));
  }
  if (a.kind === 'object' || b.kind === 'object') return a === b ? a : null;
  return a.kind === b.kind ? a : null;
}

export const MIN_INT = -(2n ** 63n);
export const MAX_INT = 2n ** 63n - 1n;

/**
 * Whether `v` has type `t` within its bounds. Objects are checked shallowly (their fields
 * are checked when read); lists deeply down to objects.
 */
export function conforms(t: RuleType, v: unknown): boolean {
  switch (t.kind) {
    case 'int':
      return typeof v === 'bigint' && v >= MIN_INT && v <= MAX_INT;
    case 'bool':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string' && v.length <= t.maxLen;
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'list': {
      if (!Array.isArray(v) || v.length > t.maxLen) return false;
      for (let i = 0; i < v.length; i++) if (!conforms(t.of, v[i])) return false;
      return true;
    }
  }
}
