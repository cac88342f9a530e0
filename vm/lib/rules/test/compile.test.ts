/**
 * compileRule: every refusal by code (table-driven, with positions), the refs of a rule,
 * worst-case costs by the documented formulas, canonical source, frozen results, and the
 * checks of environment descriptions.
 */
import t from 'tap';
import {
  canonicalRuleSource,
  compileRule,
  defineRuleEnv,
  extendRuleEnv,
  PAYMENT_ENV,
  RULE_ERRORS,
  RuleError,
  type RuleErrorCode,
  T,
} from '../index.js';
import { compile } from './fixtures.js';

const list60 = `tx.amount in [${Array.from({ length: 60 }, (_, i) => i).join(',')}]`;

// [source, code, fragment of the message (may include the "line:column:" prefix), maxCost?]
const REFUSED: [string, RuleErrorCode, string, number?][] = [
  ['tx.amount >', 'RULE_PARSE', '1:12: unexpected token'],
  ['tx.memo == "open', 'RULE_PARSE', '1:12: unterminated string'],
  ['', 'RULE_PARSE', 'empty'],
  ['tx.amount # 1', 'RULE_PARSE', '1:11: unexpected character'],
  ['from.roles.exists(1, true)', 'RULE_PARSE', '1:19:'],
  ['to.?address == ""', 'RULE_PARSE', '1:4:'],
  ['tx.amount > 0 &&\n  if', 'RULE_PARSE', '2:3: reserved identifier'],
  ['1.5 > 1', 'RULE_TYPE', '1:1: floating-point numbers are not allowed'],
  ['tx.amount > 1e6', 'RULE_TYPE', '1:13: floating-point'],
  ['1u == 1u', 'RULE_TYPE', 'unsigned'],
  ['b"x" == b"x"', 'RULE_TYPE', 'bytes'],
  ['tx.memo == null', 'RULE_TYPE', '1:12: null is not allowed'],
  ['{"a": true}["a"]', 'RULE_TYPE', 'map literals are not supported'],
  ['{"a": true, "b": false}["a"]', 'RULE_TYPE', '1:1: map literals are not supported'],
  ['tx.amount == 1 && foo', 'RULE_TYPE', '1:19: unknown identifier "foo"'],
  ['tx.amount > 0 &&\n  bar', 'RULE_TYPE', '2:3: unknown identifier "bar"'],
  ['tx.nope == 1', 'RULE_TYPE', '1:4: Tx has no field "nope"'],
  ['from.constructor == 1', 'RULE_TYPE', 'Account has no field "constructor"'],
  ['toString == 1', 'RULE_TYPE', 'unknown identifier "toString"'],
  ['tx.amount.x == 1', 'RULE_TYPE', 'int has no field "x"'],
  ['frobnicate(1)', 'RULE_TYPE', '1:1: unknown function "frobnicate"'],
  ['tx.memo.lower() == ""', 'RULE_TYPE', 'unknown method "lower"'],
  ['sumOut == 1', 'RULE_TYPE', 'sumOut is a function'],
  ['from.address.sumOut(1) > 0', 'RULE_TYPE', 'sumOut is not a method'],
  ['startsWith(tx.memo, "a")', 'RULE_TYPE', 'is a method'],
  ['tx.amount == "x"', 'RULE_TYPE', '1:11: == compares two ints, two bools or two strings, not int and string'],
  ['tx.amount + "x" == "x"', 'RULE_TYPE', '1:11: + needs two ints or two strings'],
  ['tx.amount - true > 0', 'RULE_TYPE', '- needs two ints'],
  ['true < false', 'RULE_TYPE', '< compares two ints or two strings'],
  ['from.roles == to.roles', 'RULE_TYPE', 'not list<string> and list<string>'],
  ['from == to', 'RULE_TYPE', 'not Account and Account'],
  ['size(from.roles + to.roles) > 0', 'RULE_TYPE', '+ needs two ints or two strings'],
  ['tx.amount', 'RULE_TYPE', 'a rule must be a bool expression, not int'],
  ['!tx.amount', 'RULE_TYPE', 'the operand of ! must be bool'],
  ['-tx.memo == ""', 'RULE_TYPE', 'the operand of unary - must be int'],
  ['tx.amount > 0 && tx.memo', 'RULE_TYPE', 'the right operand of && must be bool'],
  ['tx.amount ? true : false', 'RULE_TYPE', 'the condition of ?: must be bool'],
  ['(tx.amount > 0 ? 1 : "a") == 1', 'RULE_TYPE', 'the branches of ?: differ: int and string'],
  ['size(tx.amount) == 1', 'RULE_TYPE', 'size() takes a string or a list'],
  ['size(tx.memo, 1) == 1', 'RULE_TYPE', 'size() takes one argument'],
  ['tx.memo.startsWith(1)', 'RULE_TYPE', 'is a method of string taking a string'],
  ['tx.amount in [1, "a"]', 'RULE_TYPE', '1:18: a list holds one type'],
  ['"a" in []', 'RULE_TYPE', 'an empty list literal has no element type'],
  ['tx.amount in from.roles', 'RULE_TYPE', '"in" looks for a int in a list<string>'],
  ['tx.amount in tx.memo', 'RULE_TYPE', 'the right side of "in" must be a list'],
  ['from.roles[0] == 1', 'RULE_TYPE', 'not string and int'],
  ['from.roles["a"] == "a"', 'RULE_TYPE', 'a list index must be int'],
  ['tx.memo[0] == "a"', 'RULE_TYPE', 'only lists can be indexed'],
  ['sumOut(from.address, tx.time) > 0', 'RULE_TYPE', 'argument windowMs of sumOut() must be a literal int'],
  ['sumOut(from.address, 0) > 0', 'RULE_TYPE', 'must be within 1..31622400000, not 0'],
  ['sumOut(from.address, 31622400001) > 0', 'RULE_TYPE', 'must be within'],
  ['sumOut(from.address) > 0', 'RULE_TYPE', 'sumOut() takes 2 arguments, not 1'],
  ['sumOut(from.address, "x") > 0', 'RULE_TYPE', 'argument windowMs of sumOut() must be int, not string'],
  ['sumOut(from.tier, 1000) > 0', 'RULE_TYPE', 'argument account of sumOut() must be string'],
  ['inList(to.kind, to.address)', 'RULE_TYPE', 'argument listName of inList() must be a literal string'],
  ['inList("", to.address)', 'RULE_TYPE', 'must name a list'],
  ['from.roles.exists(from, true)', 'RULE_TYPE', 'the iteration variable "from" hides a name'],
  ['from.roles.exists(r, to.roles.all(r, true))', 'RULE_TYPE', 'the iteration variable "r" hides a name'],
  ['from.roles.exists(r, r)', 'RULE_TYPE', 'the predicate of exists() must be bool, not string'],
  ['from.roles.exists(r, r == 1)', 'RULE_TYPE', 'not string and int'],
  ['from.roles.all(r)', 'RULE_TYPE', 'all() takes 2 arguments, not 1'],
  ['tx.memo.exists(c, true)', 'RULE_TYPE', 'exists() works on a list, not string'],
  ['size(from.roles.map(r, r)) > 0 && from.roles.map(r, size(r) > 0, r).size() > tx.memo', 'RULE_TYPE', 'not int and string'],
  ['from.roles.map(r, r)', 'RULE_TYPE', 'a rule must be a bool expression, not list<string>'],
  ['has(tx.memo)', 'RULE_TYPE', 'unknown function "has"'],
  ['cel.bind(x, 1, x > 0)', 'RULE_TYPE', 'unknown method "bind"'],
  ['9223372036854775808 > 0', 'RULE_TYPE', 'outside the 64-bit signed range'],
  ['-(-9223372036854775808) > 0', 'RULE_TYPE', 'outside the 64-bit signed range'],
  ['x'.repeat(5000), 'RULE_TOO_LARGE', 'more than 4096'],
  ['('.repeat(40) + 'true' + ')'.repeat(40), 'RULE_TOO_LARGE', 'exceeded maxDepth'],
  ['true' + ' || true'.repeat(100), 'RULE_TOO_LARGE', 'nests deeper than 64'],
  ['!'.repeat(100) + 'true', 'RULE_TOO_LARGE', 'nests deeper than 64'],
  [`tx.amount in [${Array.from({ length: 70 }, (_, i) => i).join(',')}]`, 'RULE_TOO_LARGE', 'exceeded maxListElements'],
  [`${list60} || ${list60}`.repeat(1) + ` || ${list60}`.repeat(17), 'RULE_TOO_LARGE', 'exceeded maxAstNodes'],
  ['sumOut(from.address, 1000) > 0', 'RULE_OVER_BUDGET', 'the worst-case cost 55 exceeds the budget 54', 54],
  ['from.credentials.all(a, from.credentials.all(b, to.credentials.all(c, a + b + c != "")))', 'RULE_OVER_BUDGET', 'exceeds the budget 1000', 1000],
  ['true', 'RULE_ENV', 'maxCost must be an integer', 0],
  ['true', 'RULE_ENV', 'maxCost must be an integer', 1.5],
  ['true', 'RULE_ENV', 'maxCost must be an integer', 2 ** 48],
];

t.test('every refusal is a RuleError with its code and position', async (t) => {
  for (const [src, code, fragment, maxCost] of REFUSED) {
    const label = src.length > 60 ? `${src.slice(0, 60)}...` : src;
    try {
      compile(src, maxCost);
      t.fail(`${label}: compiled`);
    } catch (e) {
      t.ok(e instanceof RuleError, `${label}: a RuleError`);
      const err = e as RuleError;
      t.equal(err.code, code, `${label}: ${code}`);
      t.ok(err.message.includes(fragment), `${label}: "${err.message}" mentions "${fragment}"`);
    }
  }
  const codes = new Set(REFUSED.map((r) => r[1]));
  for (const c of Object.keys(RULE_ERRORS)) {
    if ((RULE_ERRORS as Record<string, { stage: string }>)[c]!.stage === 'compile') t.ok(codes.has(c as RuleErrorCode), `${c} is exercised`);
  }
});

t.test('a compile error carries line, column and offset in meta', async (t) => {
  const err = t.throws(() => compile('tx.amount > 0 &&\n  bar')) as RuleError;
  t.same(err.meta, { line: 2, column: 3, offset: 19 });
});

t.test('refs list the functions, windows, lists, variables and fields, sorted', async (t) => {
  const r = compile(
    'sumOut(from.address, 86400000) > 0 && sumOut(to.address, 3600000) > sumOut(from.address, 86400000)' +
      ' && inList("sanctions", to.address) && inList("pep", from.address) && countPair(from.address, to.address, 3600000) < 3 && tx.amount > 0',
  );
  t.same(r.refs, {
    functions: ['countPair', 'inList', 'sumOut'],
    windows: { countPair: [3600000n], sumOut: [3600000n, 86400000n] },
    lists: ['pep', 'sanctions'],
    vars: ['from', 'to', 'tx'],
    fields: ['from.address', 'to.address', 'tx.amount'],
  });
  t.same(compile('[from, to].exists(a, a.tier > 1) && from.tier > 0').refs.fields, ['Account.tier', 'from.tier']);
  t.same(compile('true').refs, { functions: [], windows: {}, lists: [], vars: [], fields: [] });
});

t.test('worst-case costs follow the documented formulas', async (t) => {
  const COSTS: [string, number][] = [
    ['true', 1],
    ['tx.amount > 0', 4], // cmp 1 + field 1 + var 1 + lit 1
    ['tx.amount % 100000 == 0 && tx.amount >= 1000000', 11],
    ['tx.time - from.lastActive > 15552000000 && tx.amount > 500000', 12],
    ['countOut(from.address, 3600000) > 20', 55], // cmp 1 + host 50 + field 2 + lit 1 + lit 1
    ['to.jurisdiction in ["XX", "YY"]', 12], // in 1 + 2 * (1 + units(2)) + field 2 + list 3
    ['tx.memo == "hello"', 5], // 1 + units(min(128, 5)) + 2 + 1
    ['tx.memo + tx.memo == ""', 23], // concat (1 + units(256)) + 2 + 2 = 21; cmp 1 + units(0) + 21 + 1
    ['tx.memo.contains("x")', 12], // 1 + units(128) * 1 + 2 + 1
    ['from.roles.exists(r, r == "x")', 43], // 1 + 2 + 8 * (1 + 4)
    ['tx.amount > 0 ? tx.memo == "" : true', 9], // 1 + 4 + max(4, 1)
    ['size(tx.memo) > 0', 13], // 1 + size(1 + 8) + 2 + 1
    // map: 1 + list 2 + 8 * (1 + filter (1 + size (9 + 1) + 1) + body (1 + units(129) + 1 + 1)) = 203; .size() 1; == 1 + 1
    ['from.roles.map(r, size(r) > 0, r + "!").size() == 8', 206],
  ];
  for (const [src, cost] of COSTS) t.equal(compile(src).cost, cost, src);
});

t.test('negative literals fold, including the most negative int', async (t) => {
  const r = compile('tx.amount > -9223372036854775808 && tx.amount != --5');
  t.equal(canonicalRuleSource(r), 'tx.amount > -9223372036854775808 && tx.amount != 5');
  t.equal(r.cost, 9);
});

t.test('canonical source: one spelling, and it compiles back to the same rule', async (t) => {
  const variants = ['tx.amount>1&&true', '  (tx.amount > 1) && (true) ', 'tx.amount > 0x1 && true // a comment'];
  const printed = variants.map((v) => canonicalRuleSource(compile(v)));
  t.same(new Set(printed).size, 1);
  t.equal(printed[0], 'tx.amount > 1 && true');
  const shapes: [string, string][] = [
    ['(1 + 2) * 3 == 9 && (true || false)', '(1 + 2) * 3 == 9 && (true || false)'],
    ['1 - (2 - 3) == 2 && 1 - 2 - 3 == -4', '1 - (2 - 3) == 2 && 1 - 2 - 3 == -4'],
    ['(tx.amount > 0 ? 1 : 2) + 1 == 2 ? true : tx.amount > 5 ? false : true', '(tx.amount > 0 ? 1 : 2) + 1 == 2 ? true : tx.amount > 5 ? false : true'],
    ['!(tx.amount > 0) && -(tx.amount + 1) < 0 && -tx.amount - -5 < 0', '!(tx.amount > 0) && -(tx.amount + 1) < 0 && -tx.amount - -5 < 0'],
    ["('a' + 'b').startsWith(\"a\") && [1][0] in [1]", '("a" + "b").startsWith("a") && [1][0] in [1]'],
  ];
  for (const [src, want] of shapes) t.equal(canonicalRuleSource(compile(src)), want, src);
  const tricky = compile('tx.memo == "a\\"b\\\\c\\n\\u00e9\\x01" && from.roles.map(r, r != "", r + "!").exists(x, x == "a!")');
  const again = compile(canonicalRuleSource(tricky));
  t.equal(canonicalRuleSource(again), canonicalRuleSource(tricky));
  t.equal(again.cost, tricky.cost);
});

t.test('a compiled rule is frozen, deep', async (t) => {
  const r = compile('from.roles.exists(r, r == "x") && tx.amount > 1');
  t.ok(Object.isFrozen(r));
  t.ok(Object.isFrozen(r.ast));
  t.ok(Object.isFrozen(r.refs));
  t.ok(Object.isFrozen(r.refs.fields));
  const walk = (n: object): boolean => Object.isFrozen(n) && Object.values(n).every((v) => typeof v !== 'object' || v === null || walk(v));
  t.ok(walk(r.ast));
  t.equal(r.env, 'payment');
});

t.test('environment descriptions are checked; extensions refuse overlaps', async (t) => {
  const bad = (env: Parameters<typeof defineRuleEnv>[0], fragment: string) => {
    const e = t.throws(() => defineRuleEnv(env)) as RuleError;
    t.equal(e.code, 'RULE_ENV');
    t.match(e.message, fragment);
  };
  bad({ name: 'x', vars: { 'a-b': T.int }, functions: {} }, 'not an allowed identifier');
  bad({ name: 'x', vars: { size: T.int }, functions: {} }, 'not an allowed identifier');
  bad({ name: 'x', vars: { constructor: T.int }, functions: {} }, 'not an allowed identifier');
  bad({ name: 'x', vars: { s: T.string(-1) }, functions: {} }, 'maxLen');
  bad({ name: 'x', vars: {}, functions: { f: { params: [], result: T.int, cost: 0 } } }, 'cost must be');
  bad({ name: 'x', vars: {}, functions: { f: { params: [{ name: 'w', type: T.bool, literal: 'window' }], result: T.int, cost: 1 } } }, 'a window is an int');
  bad({ name: 'x', vars: { f: T.int }, functions: { f: { params: [], result: T.int, cost: 1 } } }, 'both a variable and a function');
  t.throws(() => extendRuleEnv(PAYMENT_ENV, { name: 'more', vars: { tx: T.int } }), { code: 'RULE_ENV' });

  const ledger = extendRuleEnv(PAYMENT_ENV, {
    name: 'payment+ledger',
    vars: { block: T.object('Block', { height: T.int }) },
    functions: { balance: { params: [{ name: 'account', type: T.string(128) }], result: T.int, cost: 30 } },
  });
  const r = compileRule('balance(from.address) > tx.amount && block.height > 0', ledger, { maxCost: 1000 });
  t.same(r.refs.functions, ['balance']);
  t.same(r.refs.vars, ['block', 'from', 'tx']);
  t.equal(r.env, 'payment+ledger');
  t.throws(() => compile('balance(from.address) > 0'), { code: 'RULE_TYPE' }, 'PAYMENT_ENV itself is unchanged');
});
