/**
 * The six monitoring typologies written as rules and evaluated against a fake ledger: a
 * host that computes the rolling-window aggregates from a list of past transfers, as the
 * ledger module will. Each rule fires on the pattern and stays quiet on the near miss, and
 * its refs name exactly the windows and lists the ledger must prepare.
 */
import t from 'tap';
import { evaluateRule, type PaymentHost } from '../index.js';
import { compile, DAY, payment, type Payment } from './fixtures.js';

const HOUR = 3_600_000n;
const NOW = 400n * DAY;

interface Transfer {
  from: string;
  to: string;
  amount: bigint;
  time: bigint;
}

/** Aggregates over `history` in the window (now - windowMs, now]; lists by name. */
function ledgerHost(history: Transfer[], lists: Record<string, string[]> = {}, now = NOW): PaymentHost {
  const within = (w: bigint) => history.filter((x) => x.time > now - w && x.time <= now);
  const sum = (xs: Transfer[]) => xs.reduce((s, x) => s + x.amount, 0n);
  return {
    sumOut: (a, w) => sum(within(w).filter((x) => x.from === a)),
    countOut: (a, w) => BigInt(within(w).filter((x) => x.from === a).length),
    sumIn: (a, w) => sum(within(w).filter((x) => x.to === a)),
    countIn: (a, w) => BigInt(within(w).filter((x) => x.to === a).length),
    sumPair: (f, to, w) => sum(within(w).filter((x) => x.from === f && x.to === to)),
    countPair: (f, to, w) => BigInt(within(w).filter((x) => x.from === f && x.to === to).length),
    countOutBetween: (a, w, lo, hi) => BigInt(within(w).filter((x) => x.from === a && x.amount >= lo && x.amount < hi).length),
    inList: (l, v) => lists[l]?.includes(v) ?? false,
  };
}

const out = (n: number, amount: bigint, every: bigint, from = 'alice', to = 'mule'): Transfer[] =>
  Array.from({ length: n }, (_, i) => ({ from, to, amount, time: NOW - BigInt(i + 1) * every }));

interface Typology {
  name: string;
  source: string;
  refs: { windows: Record<string, bigint[]>; lists: string[] };
  /** [label, payment, host, expected] */
  cases: [string, Payment, PaymentHost, boolean][];
}

const TYPOLOGIES: Typology[] = [
  {
    name: 'structuring',
    source: 'countOutBetween(from.address, 86400000, 900000, 1000000) >= 3',
    refs: { windows: { countOutBetween: [DAY] }, lists: [] },
    cases: [
      ['three transfers just under 10,000.00 in a day', payment(), ledgerHost(out(3, 950_000n, HOUR)), true],
      ['two of them', payment(), ledgerHost(out(2, 950_000n, HOUR)), false],
      ['three, but at the threshold', payment(), ledgerHost(out(3, 1_000_000n, HOUR)), false],
      ['three, but over two days', payment(), ledgerHost(out(3, 950_000n, 10n * HOUR)), false],
    ],
  },
  {
    name: 'velocity',
    source: 'countOut(from.address, 3600000) > 20',
    refs: { windows: { countOut: [HOUR] }, lists: [] },
    cases: [
      ['21 transfers in the hour', payment(), ledgerHost(out(21, 100n, 60_000n)), true],
      ['20 transfers in the hour', payment(), ledgerHost(out(20, 100n, 60_000n)), false],
      ['21 transfers by someone else', payment(), ledgerHost(out(21, 100n, 60_000n, 'carol')), false],
    ],
  },
  {
    name: 'rapid pass-through',
    source: 'sumIn(from.address, 3600000) >= 500000 && tx.amount >= sumIn(from.address, 3600000) * 9 / 10',
    refs: { windows: { sumIn: [HOUR] }, lists: [] },
    cases: [
      ['600,000 in, 550,000 out', payment({ amount: 550_000n }), ledgerHost(out(2, 300_000n, 60_000n, 'x', 'alice')), true],
      ['600,000 in, 500,000 out', payment({ amount: 500_000n }), ledgerHost(out(2, 300_000n, 60_000n, 'x', 'alice')), false],
      ['400,000 in, all out', payment({ amount: 400_000n }), ledgerHost(out(2, 200_000n, 60_000n, 'x', 'alice')), false],
    ],
  },
  {
    name: 'round amounts',
    source: 'tx.amount % 100000 == 0 && tx.amount >= 1000000',
    refs: { windows: {}, lists: [] },
    cases: [
      ['exactly 25,000.00', payment({ amount: 2_500_000n }), ledgerHost([]), true],
      ['25,000.01', payment({ amount: 2_500_001n }), ledgerHost([]), false],
      ['round but small', payment({ amount: 900_000n }), ledgerHost([]), false],
    ],
  },
  {
    name: 'dormant account',
    source: 'tx.time - from.lastActive > 15552000000 && tx.amount > 500000',
    refs: { windows: {}, lists: [] },
    cases: [
      ['silent for 200 days, then 6,000.00', payment({ amount: 600_000n, from: { lastActive: NOW - 200n * DAY } }), ledgerHost([]), true],
      ['active last week', payment({ amount: 600_000n, from: { lastActive: NOW - 7n * DAY } }), ledgerHost([]), false],
      ['silent, small amount', payment({ amount: 50_000n, from: { lastActive: NOW - 200n * DAY } }), ledgerHost([]), false],
    ],
  },
  {
    name: 'new account',
    source: 'tx.time - from.opened < 604800000 && tx.amount > 1000000',
    refs: { windows: {}, lists: [] },
    cases: [
      ['opened two days ago, 20,000.00', payment({ amount: 2_000_000n, from: { opened: NOW - 2n * DAY } }), ledgerHost([]), true],
      ['opened last year', payment({ amount: 2_000_000n, from: { opened: NOW - 300n * DAY } }), ledgerHost([]), false],
    ],
  },
  {
    name: 'sanctions / high-risk jurisdiction',
    source: 'inList("sanctions", to.address) || to.jurisdiction in ["XX", "YY"]',
    refs: { windows: {}, lists: ['sanctions'] },
    cases: [
      ['listed payee', payment(), ledgerHost([], { sanctions: ['bob'] }), true],
      ['payee in XX', payment({ to: { jurisdiction: 'XX' } }), ledgerHost([]), true],
      ['clean payee', payment({ to: { jurisdiction: 'AA' } }), ledgerHost([], { sanctions: ['carol'] }), false],
    ],
  },
];

t.test('the typologies as rules', async (t) => {
  for (const ty of TYPOLOGIES) {
    const rule = compile(ty.source, 200);
    t.same({ windows: rule.refs.windows, lists: rule.refs.lists }, ty.refs, `${ty.name}: refs`);
    t.ok(rule.cost <= 200, `${ty.name}: worst-case cost ${rule.cost}`);
    for (const [label, vars, host, want] of ty.cases) {
      const o = evaluateRule(rule, { vars: vars as unknown as Record<string, unknown>, host });
      t.same(o, { value: want, cost: o.cost }, `${ty.name}: ${label}`);
      t.ok(o.cost <= rule.cost, `${ty.name}: ${label}: cost ${o.cost} <= ${rule.cost}`);
    }
  }
});
