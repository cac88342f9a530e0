/**
 * The typologies a regulator starts from: each a template of a payment rule in the rule
 * language, with named integer parameters and defaults (amounts in minor units, windows and
 * ages in ms of block time), the action it is usually registered with, and what it catches.
 * `typologySource(name, params)` fills one in; the result is an ordinary rule source, which
 * registration compiles and cost-bounds like any other. docs/regulatory-os.md describes them.
 */

/** One parameter of a template: its default and what it means. */
export interface TypologyParam {
  readonly default: bigint;
  readonly doc: string;
}

export interface Typology {
  readonly name: string;
  readonly doc: string;
  /** The action it is usually registered with: 0 refuse, 1 flag, 2 hold. */
  readonly action: 0 | 1 | 2;
  readonly params: Readonly<Record<string, TypologyParam>>;
  readonly source: (p: Readonly<Record<string, bigint>>) => string;
  /** The regulator lists it reads (filled by comp.update_list). */
  readonly lists: readonly string[];
}

const HOUR = 3_600_000n;
const DAY = 24n * HOUR;
const p = (d: bigint, doc: string): TypologyParam => ({ default: d, doc });

export const TYPOLOGIES: readonly Typology[] = [
  {
    name: 'structuring',
    doc: 'many payments just under a reporting threshold within a window',
    action: 1,
    params: { threshold: p(1_000_000n, 'the reporting threshold'), margin: p(100_000n, 'how far under it counts as just under'), window: p(DAY, 'the window'), count: p(3n, 'payments just under it before this one') },
    source: (v) => `countOutBetween(from.address, ${v.window}, ${v.threshold! - v.margin!}, ${v.threshold}) >= ${v.count} && tx.amount >= ${v.threshold! - v.margin!} && tx.amount < ${v.threshold}`,
    lists: [],
  },
  {
    name: 'velocity',
    doc: 'more payments out of one account within a window than usual',
    action: 1,
    params: { window: p(HOUR, 'the window'), count: p(10n, 'payments allowed before this one') },
    source: (v) => `countOut(from.address, ${v.window}) >= ${v.count}`,
    lists: [],
  },
  {
    name: 'value-velocity',
    doc: 'more value out of one account within a window than usual (this payment included)',
    action: 1,
    params: { window: p(DAY, 'the window'), amount: p(5_000_000n, 'the value allowed') },
    source: (v) => `sumOut(from.address, ${v.window}) + tx.amount > ${v.amount}`,
    lists: [],
  },
  {
    name: 'pass-through',
    doc: 'most of what came into an account within a window goes straight out again',
    action: 1,
    params: { window: p(HOUR, 'the window'), minIn: p(100_000n, 'the least inflow that counts'), percent: p(90n, 'the share of the inflow this payment moves on') },
    source: (v) => `sumIn(from.address, ${v.window}) >= ${v.minIn} && tx.amount * 100 >= sumIn(from.address, ${v.window}) * ${v.percent}`,
    lists: [],
  },
  {
    name: 'round-amount',
    doc: 'large payments of suspiciously round amounts',
    action: 1,
    params: { unit: p(100_000n, 'round: a multiple of this'), min: p(1_000_000n, 'the least amount that counts') },
    source: (v) => `tx.amount >= ${v.min} && tx.amount % ${v.unit} == 0`,
    lists: [],
  },
  {
    name: 'dormant',
    doc: 'an account silent for a long time suddenly pays a large amount',
    action: 1,
    params: { idle: p(180n * DAY, 'silent for longer than this'), amount: p(50_000n, 'more than this') },
    source: (v) => `from.lastActive > 0 && tx.time - from.lastActive > ${v.idle} && tx.amount > ${v.amount}`,
    lists: [],
  },
  {
    name: 'new-account',
    doc: 'an account first seen recently pays a large amount',
    action: 1,
    params: { age: p(7n * DAY, 'first seen less than this ago'), amount: p(100_000n, 'more than this') },
    source: (v) => `from.opened > 0 && tx.time - from.opened < ${v.age} && tx.amount > ${v.amount}`,
    lists: [],
  },
  {
    name: 'pair-concentration',
    doc: 'many payments from one account to the same counterparty within a window',
    action: 1,
    params: { window: p(DAY, 'the window'), count: p(5n, 'payments to the counterparty before this one') },
    source: (v) => `countPair(from.address, to.address, ${v.window}) >= ${v.count}`,
    lists: [],
  },
  {
    name: 'sanctions',
    doc: 'a party on the sanctions list (accounts as 40 lowercase hex digits)',
    action: 0,
    params: {},
    source: () => 'inList("sanctions", from.address) || inList("sanctions", to.address)',
    lists: ['sanctions'],
  },
  {
    name: 'high-risk-jurisdiction',
    doc: 'a party in a jurisdiction on the high-risk list, above an amount',
    action: 2,
    params: { amount: p(0n, 'more than this') },
    source: (v) => `tx.amount > ${v.amount} && (inList("high-risk-jurisdictions", from.jurisdiction) || inList("high-risk-jurisdictions", to.jurisdiction))`,
    lists: ['high-risk-jurisdictions'],
  },
];

export class TypologyError extends Error {
  override name = 'TypologyError';
}

/** A typology by name, or a TypologyError naming the ones there are. */
export function typology(name: string): Typology {
  const t = TYPOLOGIES.find((x) => x.name === name);
  if (t === undefined) throw new TypologyError(`no typology "${name}"; there are ${TYPOLOGIES.map((x) => x.name).join(', ')}`);
  return t;
}

/** A typology's rule source with `params` over its defaults; an unknown parameter is a TypologyError. */
export function typologySource(name: string, params: Readonly<Record<string, bigint>> = {}): string {
  const t = typology(name);
  for (const k of Object.keys(params)) if (!(k in t.params)) throw new TypologyError(`typology ${name} has no parameter "${k}"; it has ${Object.keys(t.params).join(', ') || 'none'}`);
  const v: Record<string, bigint> = {};
  for (const [k, d] of Object.entries(t.params)) v[k] = params[k] ?? d.default;
  return t.source(v);
}
