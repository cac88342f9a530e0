/**
 * evaluateRule: operators, short-circuits (with CEL's error absorption), macros, string
 * functions, host calls through a fake host, the evaluation errors (division by zero,
 * overflow, index out of range) as outcomes, and the caller-contract errors that throw.
 * Every outcome's cost stays within the compiled worst case.
 */
import t from 'tap';
import { evaluateRule, RuleError, type RuleHost } from '../index.js';
import { compile, fakeHost, payment, type Payment } from './fixtures.js';

const P = payment({ amount: 1_500_000n, memo: 'invoice 42', from: { roles: ['teller', 'admin'], credentials: ['kyc', 'aml'] } });

interface Out {
  value?: boolean;
  error?: string;
  code?: string;
  cost: number;
  max: number;
}

function run(src: string, vars: Payment = P, host: RuleHost = fakeHost()): Out {
  const rule = compile(src);
  const out = evaluateRule(rule, { vars: vars as unknown as Record<string, unknown>, host });
  return { ...out, max: rule.cost } as Out;
}

// [source, expected value, or the error message fragment]
const CASES: [string, boolean | string][] = [
  // arithmetic, truncating division, CEL's remainder sign
  ['1 + 2 * 3 == 7', true],
  ['(1 + 2) * 3 == 9', true],
  ['7 / 2 == 3 && -7 / 2 == -3', true],
  ['-7 % 3 == -1 && 7 % -3 == 1', true],
  ['--5 == 5 && -(-(tx.height)) == 10', true],
  ['tx.amount - 1500000 == 0', true],
  ['9223372036854775807 - 1 + 1 == 9223372036854775807', true],
  // comparisons
  ['"abc" < "abd" && "b" > "a" && "a" <= "a" && "" < "a"', true],
  ['10 >= 10 && 9 < 10 && !(10 > 10)', true],
  ['true == true && true != false', true],
  ['"ab" + "cd" == "abcd"', true],
  // size, in, index, ternary
  ['size("héllo") == 5 && size("😀") == 1 && "x".size() == 1', true],
  ['size(from.roles) == 2 && from.roles.size() == 2 && size(to.roles) == 0', true],
  ['"admin" in from.roles && !("root" in from.roles)', true],
  ['3 in [1, 2] || true in [false]', false],
  ['from.roles[0] == "teller" && [1, 2, 3][2] == 3', true],
  ['(tx.amount > 1000000 ? "big" : "small") == "big"', true],
  ['(tx.amount > 9000000 ? "big" : "small") == "small"', true],
  // string functions
  ['tx.memo.startsWith("inv") && tx.memo.endsWith("42") && tx.memo.contains("ice 4")', true],
  ['tx.memo.startsWith("42") || tx.memo.contains("x")', false],
  ['"".contains("") && "abc".startsWith("")', true],
  // macros
  ['from.roles.all(r, size(r) > 3)', true],
  ['from.roles.all(r, r.startsWith("t"))', false],
  ['from.credentials.exists(c, c == "aml")', true],
  ['to.roles.exists(r, true)', false],
  ['to.roles.all(r, false)', true],
  ['[1, 2, 3].exists_one(x, x > 2) && ![1, 2, 3].exists_one(x, x > 1)', true],
  ['size([1, 2, 3, 4].filter(x, x % 2 == 0)) == 2', true],
  ['6 in [1, 2, 3].map(x, x * 2) && !(1 in [1, 2, 3].map(x, x * 2))', true],
  ['[1, 2, 3, 4].map(x, x % 2 == 1, x * 10)[1] == 30 && size([1, 2, 3, 4].map(x, x % 2 == 1, x * 10)) == 2', true],
  ['from.roles.exists(r, from.credentials.exists(c, r + c == "adminaml"))', true],
  ['[[1, 2], [3]].exists(l, l.exists(x, x == 3))', true],
  ['[from, to].exists(a, a.address == "bob") && [from, to].all(a, a.tier == 1)', true],
  // short-circuit and CEL's error absorption
  ['false && 1 / 0 == 1', false],
  ['true || 1 / 0 == 1', true],
  ['1 / 0 == 1 && false', false],
  ['1 / 0 == 1 || true', true],
  ['1 / 0 == 1 && true', '1:3: division by zero'],
  ['true && 1 / 0 == 1', 'division by zero'],
  ['1 / 0 == 1 || 2 % 0 == 1', '1:3: division by zero'],
  ['false ? 1 / 0 == 1 : true', true],
  ['[0, 1].exists(x, 10 / x == 10)', true],
  ['[0, 2].exists(x, 10 / x == 10)', 'division by zero'],
  ['[0, 1].all(x, 10 / x == 100)', false],
  ['[1, 0].exists_one(x, 1 / x == 1)', 'division by zero'],
  ['size([1, 0].filter(x, 1 / x == 1)) == 1', 'division by zero'],
  // evaluation errors
  ['1 % 0 == 0', '1:3: modulo by zero'],
  ['9223372036854775807 + 1 > 0', '1:21: integer overflow'],
  ['-9223372036854775808 - 1 < 0', 'integer overflow'],
  ['-9223372036854775808 / -1 > 0', 'integer overflow'],
  ['-9223372036854775808 % -1 == 0', 'integer overflow'],
  ['3037000500 * 3037000500 > 0', 'integer overflow'],
  ['3037000499 * 3037000499 > 0', true],
  ['from.roles[2] == "x"', '1:11: index 2 out of range for a list of 2'],
  ['from.roles[-1] == "x"', 'index -1 out of range'],
];

t.test('evaluation results, errors and costs', async (t) => {
  for (const [src, want] of CASES) {
    const out = run(src);
    if (typeof want === 'boolean') t.same(out.value ?? out, want, src);
    else {
      t.equal(out.code, 'RULE_EVAL', `${src}: errors`);
      t.ok(out.error?.includes(want), `${src}: ${out.error} mentions ${want}`);
    }
    t.ok(out.cost >= 1 && out.cost <= out.max, `${src}: cost ${out.cost} <= ${out.max}`);
  }
});

t.test('unary minus overflows at evaluation on the most negative int', async (t) => {
  const out = run('-tx.amount > 0', payment({ amount: -(2n ** 63n) }));
  t.match(out, { code: 'RULE_EVAL', error: /1:1: integer overflow/ });
});

t.test('host functions: called with the rule arguments; skipped when short-circuited', async (t) => {
  const host = fakeHost({ agg: { 'sumOut:alice:3600000': 700n, 'sumPair:alice:bob:86400000': 5n }, lists: { pep: ['bob'] } });
  const src = 'sumOut(from.address, 3600000) == 700 && sumPair(from.address, to.address, 86400000) == 5 && inList("pep", to.address)';
  t.same(run(src, P, host).value, true);
  t.same(host.calls, ['sumOut:alice:3600000', 'sumPair:alice:bob:86400000', 'inList:pep:bob']);

  const lazy = fakeHost();
  const out = run('tx.amount < 0 && countOut(from.address, 1000) > 3', P, lazy);
  t.same(lazy.calls, []);
  t.equal(out.cost, 1 + 4, 'only the && and its left side are charged');
  t.equal(out.max, 1 + 4 + 55);

  const between = fakeHost({ between: (_a, w, lo, hi) => (w === 86_400_000n && lo === 900_000n && hi === 1_000_000n ? 4n : 0n) });
  t.same(run('countOutBetween(from.address, 86400000, 900000, 1000000) == 4', P, between).value, true);
});

t.test('the worst case is reached exactly by a full scan', async (t) => {
  const long = (c: string) => c.repeat(128);
  const vars = payment({ from: { roles: Array.from({ length: 8 }, (_, i) => long(String(i))) } });
  const out = run('from.roles.exists(r, r == "x")', vars);
  t.same(out.value, false);
  t.equal(out.cost, 43);
  t.equal(out.max, 43);
});

t.test('inputs that break the environment contract throw RULE_INPUT', async (t) => {
  const rule = compile('tx.amount > 0 && tx.memo != "" && from.roles.size() > 0 && countIn(to.address, 1000) >= 0');
  const good = payment({ memo: 'm', from: { roles: ['a'] } });
  const check = (vars: unknown, host: object, fragment: string) => {
    const e = t.throws(() => evaluateRule(rule, { vars: vars as Record<string, unknown>, host: host as never })) as RuleError;
    t.ok(e instanceof RuleError, fragment);
    t.equal(e.code, 'RULE_INPUT');
    t.match(e.message, fragment);
  };
  check({}, fakeHost(), 'variable tx is not a Tx');
  check({ ...good, tx: { ...good.tx, amount: 5 } }, fakeHost(), 'field amount is not a int');
  check({ ...good, tx: { ...good.tx, amount: 2n ** 63n } }, fakeHost(), 'field amount');
  check({ ...good, tx: { ...good.tx, memo: 'x'.repeat(129) } }, fakeHost(), 'field memo is not a string within its declared bounds');
  check({ ...good, from: { ...good.from, roles: Array(9).fill('r') } }, fakeHost(), 'field roles is not a list<string>');
  check({ ...good, from: { ...good.from, roles: [1n] } }, fakeHost(), 'field roles');
  check(good, { ...fakeHost(), countIn: () => 1 }, 'the result of countIn() is not a int');
  check(good, {}, 'the host has no function countIn');
  check(null, fakeHost(), 'vars and host');
  t.throws(() => evaluateRule(rule, { vars: good as never, host: { ...fakeHost(), countIn: () => { throw new Error('state unavailable'); } } }), /state unavailable/, "a host's own error propagates");
});

t.test('a meter overrun is a typed internal error', async (t) => {
  const rule = compile('tx.amount > 0');
  const forged = { ...rule, cost: 2 };
  t.throws(() => evaluateRule(forged, { vars: P as never, host: fakeHost() }), { code: 'RULE_METER' });
});

t.test('evaluation is repeatable: same input, same outcome and cost', async (t) => {
  const rule = compile('from.roles.exists(r, r.contains("dm")) && tx.amount / 7 > 3 && sumIn(from.address, 60000) >= 0');
  const a = evaluateRule(rule, { vars: P as never, host: fakeHost() });
  for (let i = 0; i < 5; i++) t.same(evaluateRule(rule, { vars: P as never, host: fakeHost() }), a);
});
