/**
 * Fuzzing the rule compiler and evaluator (seeded, replayable): random typed expressions
 * printed to source (with a few ill-typed holes), and random character mutations of valid
 * rules. Whatever the source, compile throws nothing but a RuleError; every rule that
 * compiles evaluates on random payments with a host answering random values without a
 * raw exception (outcomes only: RULE_INPUT and RULE_METER cannot happen with inputs
 * within the environment's bounds), and its measured cost never exceeds the compiled
 * worst case. Its canonical source compiles back to the same rule.
 */
import t from 'tap';
import { canonicalRuleSource, type CompiledRule, compileRule, evaluateRule, PAYMENT_ENV, type PaymentHost, RuleError } from '../index.js';
import { Prng } from './fixtures.js';

type Ty = 'int' | 'str' | 'bool' | 'lstr' | 'lint';
const TYS: Ty[] = ['int', 'str', 'bool', 'lstr', 'lint'];
const ELEM: Partial<Record<Ty, Ty>> = { lstr: 'str', lint: 'int' };
const STRS = ['', 'a', 'b', 'ab', 'alice', 'bob', 'XX', 'é', '😀', 'inv', 'teller', 'x'.repeat(40)];
const WINDOWS = ['1', '1000', '3600000', '86400000', '31622400000'];

class Gen {
  private readonly scope: { name: string; ty: Ty }[] = [];
  constructor(private readonly r: Prng) {}

  private str(): string {
    const s = this.r.pick(STRS);
    return this.r.chance(4) ? `'${s}'` : JSON.stringify(s);
  }

  private leaf(ty: Ty): string {
    const r = this.r;
    const mine = this.scope.filter((s) => s.ty === ty).map((s) => s.name);
    if (mine.length > 0 && r.chance(2)) return r.pick(mine);
    switch (ty) {
      case 'int':
        return r.chance(2) ? String(r.bigint()) : r.pick(['tx.amount', 'tx.time', 'tx.height', 'from.tier', 'to.tier', 'from.opened', 'to.lastActive']);
      case 'str':
        return r.chance(2) ? this.str() : r.pick(['from.address', 'to.address', 'tx.memo', 'tx.currency', 'from.jurisdiction', 'to.kind']);
      case 'bool':
        return r.pick(['true', 'false']);
      case 'lstr':
        return r.pick(['from.roles', 'to.credentials', 'to.roles', `[${this.str()}, ${this.str()}]`]);
      case 'lint':
        return r.pick(['[1, 2, 3]', '[0]', '[-1, 9223372036854775807]']);
    }
  }

  /** A macro over a list of `of`, with a body of type `body` seeing the iteration variable. */
  private macro(of: Ty, fn: string, body: Ty, d: number, filter = false): string {
    const list = this.expr(of, d - 1);
    const v = `v${this.scope.length}`;
    this.scope.push({ name: v, ty: ELEM[of]! });
    const f = filter ? `${this.expr('bool', d - 1)}, ` : '';
    const b = this.expr(body, d - 1);
    this.scope.pop();
    return `${list}.${fn}(${v}, ${f}${b})`;
  }

  private host(d: number): string {
    const r = this.r;
    const w = r.chance(30) ? '0' : r.pick(WINDOWS);
    const s = () => this.expr('str', d - 1);
    switch (r.int(4)) {
      case 0:
        return `${r.pick(['sumOut', 'countOut', 'sumIn', 'countIn'])}(${s()}, ${w})`;
      case 1:
        return `${r.pick(['sumPair', 'countPair'])}(${s()}, ${s()}, ${w})`;
      default:
        return `countOutBetween(${s()}, ${w}, ${this.expr('int', d - 1)}, ${this.expr('int', d - 1)})`;
    }
  }

  expr(want: Ty, d: number): string {
    const r = this.r;
    const ty = r.chance(60) ? r.pick(TYS) : want; // now and then, a type error
    if (d <= 0 || r.chance(4)) return this.leaf(ty);
    const e = (t: Ty) => this.expr(t, d - 1);
    switch (ty) {
      case 'int':
        switch (r.int(7)) {
          case 0:
          case 1:
            return `(${e('int')} ${r.pick(['+', '-', '*', '/', '%'])} ${e('int')})`;
          case 2:
            return r.chance(2) ? `-${e('int')}` : `size(${e(r.pick(['str', 'lstr']))})`;
          case 3:
            return `(${e('bool')} ? ${e('int')} : ${e('int')})`;
          case 4:
            return `${e('lint')}[${r.chance(2) ? r.int(4) : e('int')}]`;
          default:
            return this.host(d);
        }
      case 'str':
        switch (r.int(3)) {
          case 0:
            return `(${e('str')} + ${e('str')})`;
          case 1:
            return `(${e('bool')} ? ${e('str')} : ${e('str')})`;
          default:
            return `${e('lstr')}[${r.int(3)}]`;
        }
      case 'bool':
        switch (r.int(10)) {
          case 0:
          case 1: {
            const t = r.pick<Ty>(['int', 'str', 'int']);
            return `(${e(t)} ${r.pick(['==', '!=', '<', '<=', '>', '>='])} ${e(t)})`;
          }
          case 2:
            return `(${e('bool')} ${r.pick(['&&', '||'])} ${e('bool')})`;
          case 3:
            return r.chance(2) ? `!${e('bool')}` : `(${e('bool')} ? ${e('bool')} : ${e('bool')})`;
          case 4:
            return r.chance(2) ? `(${e('str')} in ${e('lstr')})` : `(${e('int')} in ${e('lint')})`;
          case 5:
            return `${e('str')}.${r.pick(['startsWith', 'endsWith', 'contains'])}(${e('str')})`;
          case 6:
          case 7:
            return this.macro(r.pick<Ty>(['lstr', 'lint']), r.pick(['exists', 'all', 'exists_one']), 'bool', d);
          case 8:
            return `inList(${r.pick(['"sanctions"', '"pep"'])}, ${e('str')})`;
          default:
            return `(${e('int')} ${r.pick(['<', '>='])} ${e('int')})`;
        }
      case 'lstr':
        switch (r.int(3)) {
          case 0:
            return this.macro('lstr', 'filter', 'bool', d);
          case 1:
            return r.chance(2) ? this.macro('lint', 'map', 'str', d) : this.macro('lstr', 'map', 'str', d, true);
          default:
            return `[${e('str')}, ${e('str')}]`;
        }
      case 'lint':
        switch (r.int(3)) {
          case 0:
            return this.macro('lstr', 'map', 'int', d);
          case 1:
            return this.macro('lint', 'filter', 'bool', d);
          default:
            return `[${e('int')}, ${e('int')}, ${e('int')}]`;
        }
    }
  }
}

const NOISE = [' ', '(', ')', '[', ']', '.', ',', '"', "'", '!', '-', '+', '*', '/', '%', '<', '==', '&&', '||', '?', ':', '0', '9', '1.5', 'x', 'tx', '.amount', ' in ', 'null', '{', '}', '\\', '\n', 'é', '😀', 'sumOut(', '.exists(', 'u', 'e5', '0x', 'b"', '//', '9223372036854775808'];

function mutate(r: Prng, src: string): string {
  let s = src;
  for (let k = 1 + r.int(3); k > 0; k--) {
    const i = r.int(s.length + 1);
    switch (r.int(4)) {
      case 0:
        s = s.slice(0, i) + s.slice(i + 1 + r.int(3));
        break;
      case 1:
        s = s.slice(0, i) + r.pick(NOISE) + s.slice(i);
        break;
      case 2:
        s = s.slice(0, i) + r.pick(NOISE) + s.slice(i + 1);
        break;
      default: {
        const j = r.int(s.length + 1);
        s = s.slice(0, i) + s.slice(Math.min(i, j), Math.max(i, j)) + s.slice(i);
      }
    }
  }
  return s;
}

function randomAccount(r: Prng, address: string) {
  const strs = (n: number) => Array.from({ length: r.int(n + 1) }, () => (r.chance(3) ? r.pick(STRS) : 'ab'.repeat(r.int(65))));
  return {
    address,
    kind: r.pick(['person', 'business', 'escrow']),
    tier: r.bigint(),
    roles: strs(8),
    jurisdiction: r.pick(['XX', 'AA', '']),
    category: r.pick(STRS),
    credentials: strs(16),
    opened: r.bigint(),
    lastActive: r.bigint(),
  };
}

function randomInput(r: Prng): { vars: Record<string, unknown>; host: PaymentHost } {
  const tx = { type: 'transfer', currency: r.pick(['DCASH', 'USDX']), amount: r.bigint(), memo: r.chance(2) ? r.pick(STRS) : 'x'.repeat(128), time: r.bigint(), height: r.bigint() };
  const n = () => (r.chance(3) ? BigInt(r.int(30)) : r.bigint());
  const host: PaymentHost = {
    sumOut: n,
    countOut: n,
    sumIn: n,
    countIn: n,
    sumPair: n,
    countPair: n,
    countOutBetween: n,
    inList: () => r.chance(2),
  };
  return { vars: { tx, from: randomAccount(r, r.pick(['alice', 'bob', 'a'])), to: randomAccount(r, r.pick(['bob', 'b', ''])) }, host };
}

const SEEDS = [
  'countOutBetween(from.address, 86400000, 900000, 1000000) >= 3',
  'sumIn(from.address, 3600000) >= 500000 && tx.amount >= sumIn(from.address, 3600000) * 9 / 10',
  'tx.time - from.lastActive > 15552000000 && tx.amount > 500000',
  'inList("sanctions", to.address) || to.jurisdiction in ["XX", "YY"]',
  'from.roles.map(r, size(r) > 0, r + "!").exists(x, x.startsWith("a") && !x.contains("b"))',
];

const BUDGET = 5_000;

t.test('fuzz: compile never throws but RuleError; evaluation stays within the compiled cost', async (t) => {
  const r = new Prng(0x5eed_2024);
  const stats = { cases: 0, compiled: 0, evaluations: 0, errors: 0, values: 0, maxRatio: 0, maxRatioCost50: 0, maxCost: 0, codes: {} as Record<string, number>, roundTrips: 0 };
  const failures: string[] = [];
  const valid: string[] = [...SEEDS];

  const evaluateAll = (rule: CompiledRule, src: string) => {
    for (let k = 0; k < 3; k++) {
      stats.evaluations++;
      try {
        const o = evaluateRule(rule, randomInput(r));
        if ('error' in o) stats.errors++;
        else stats.values++;
        if (o.cost > rule.cost) failures.push(`cost ${o.cost} > ${rule.cost}: ${src}`);
        const ratio = o.cost / rule.cost;
        if (ratio > stats.maxRatio) stats.maxRatio = ratio;
        if (rule.cost >= 50 && ratio > stats.maxRatioCost50) stats.maxRatioCost50 = ratio;
      } catch (e) {
        failures.push(`evaluate threw ${(e as Error).message}: ${src}`);
      }
    }
  };

  const attempt = (src: string) => {
    stats.cases++;
    let rule: CompiledRule;
    try {
      rule = compileRule(src, PAYMENT_ENV, { maxCost: BUDGET });
    } catch (e) {
      if (!(e instanceof RuleError)) failures.push(`compile threw ${String(e)}: ${JSON.stringify(src)}`);
      else stats.codes[e.code] = (stats.codes[e.code] ?? 0) + 1;
      return;
    }
    stats.compiled++;
    stats.codes.OK = (stats.codes.OK ?? 0) + 1;
    if (rule.cost > stats.maxCost) stats.maxCost = rule.cost;
    if (valid.length < 400) valid.push(src);
    evaluateAll(rule, src);
    const canon = canonicalRuleSource(rule);
    if (canon.length <= 4096) {
      try {
        const again = compileRule(canon, PAYMENT_ENV, { maxCost: BUDGET });
        if (canonicalRuleSource(again) !== canon || again.cost !== rule.cost) failures.push(`canonical differs: ${src}`);
        else stats.roundTrips++;
      } catch (e) {
        failures.push(`canonical does not compile (${(e as Error).message}): ${canon}`);
      }
    }
  };

  for (let i = 0; i < 5000; i++) attempt(new Gen(r).expr('bool', 1 + r.int(8)));
  for (let i = 0; i < 5000; i++) attempt(mutate(r, r.pick(valid)));
  for (let i = 0; i < 500; i++) attempt(Array.from({ length: 1 + r.int(40) }, () => r.pick(NOISE)).join(''));

  t.same(failures.slice(0, 10), [], 'no failures');
  t.ok(stats.codes.RULE_OVER_BUDGET! > 0 && stats.codes.RULE_TYPE! > 0 && stats.codes.RULE_PARSE! > 0, 'refusals of several kinds');
  t.ok(stats.compiled > 1000, `${stats.compiled} of ${stats.cases} sources compiled`);
  t.ok(stats.values > 1000 && stats.errors > 50, `outcomes: ${stats.values} values, ${stats.errors} evaluation errors`);
  t.ok(stats.maxRatio <= 1);
  t.comment(JSON.stringify(stats));
});
