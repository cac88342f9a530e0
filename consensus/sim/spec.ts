/**
 * Scenario specs: everything a simulation run depends on, derived from one seed. Random
 * campaign scenarios (n from 4 to 10 validators, faulty power below a third, Byzantine
 * behaviours and twins, drops, duplicates, delays and partitions that all end by
 * `healTime`), and "split-brain" scenarios where twins hold more than a third of the power
 * and a permanent partition lets each side decide on its own, so the agreement checker must
 * find a violation.
 */
import type { TimeoutConfig } from '../types.js';
import type { ValidatorUpdate } from '../epoch.js';
import { SimRng } from './rng.js';
import { BYZANTINE_BEHAVIOURS, type Behaviour } from './byzantine.js';
import { simKeys } from './keys.js';

export interface Partition {
  readonly start: number;
  readonly end: number;
  /** Instance ids per side; instances on different sides cannot talk while it lasts. */
  readonly groups: readonly (readonly number[])[];
}

export interface ScenarioSpec {
  readonly seed: number;
  readonly powers: readonly number[];
  /** Behaviour per validator index (missing: honest). */
  readonly behaviours: readonly Behaviour[];
  /** Validators that run a second instance with the same key (instance ids n, n+1, ...). */
  readonly twins: readonly number[];
  readonly heights: number;
  readonly partitions: readonly Partition[];
  readonly healTime: number;
  readonly dropP: number;
  readonly dupP: number;
  readonly minDelay: number;
  readonly maxDelay: number;
  readonly gossipMs: number;
  readonly maxTime: number;
  readonly timeouts: TimeoutConfig;
  /** Validator updates the application decides in block h (the same on every node). */
  readonly updatesAt: (height: number) => ValidatorUpdate[];
  /** Instances that keep a WAL. */
  readonly walFor: readonly number[];
  readonly crash: { readonly instance: number; readonly afterEvents: number; readonly loseEvents: number } | null;
  /** Sign through the memoising wrapper of core `sign` (same bytes, faster campaigns); false: plain core `sign`. */
  readonly memoSigning: boolean;
  /** The liveness checker's bound on rounds needed per height once the network has healed. */
  readonly roundBound: number;
}

export const SIM_TIMEOUTS: TimeoutConfig = Object.freeze({
  proposeMs: 1000, proposeDeltaMs: 500, prevoteMs: 500, prevoteDeltaMs: 250, precommitMs: 500, precommitDeltaMs: 250,
});

const noUpdates = (_height: number): ValidatorUpdate[] => [];

export function baseSpec(seed: number, powers: readonly number[]): ScenarioSpec {
  return {
    seed, powers, behaviours: [], twins: [], heights: 2, partitions: [], healTime: 0, dropP: 0, dupP: 0, minDelay: 1, maxDelay: 50,
    gossipMs: 500, maxTime: 120_000, timeouts: SIM_TIMEOUTS, updatesAt: noUpdates, walFor: [], crash: null, memoSigning: true, roundBound: powers.length + 3,
  };
}

/** A random campaign scenario: faulty power strictly below a third of the total. */
export function randomScenario(seed: number): ScenarioSpec {
  const rng = new SimRng(seed);
  const n = 4 + rng.int(7);
  const equal = rng.bool(0.3);
  const powers = Array.from({ length: n }, () => (equal ? 1 : 1 + rng.int(10)));
  const total = powers.reduce((a, b) => a + b, 0);
  const behaviours: Behaviour[] = new Array<Behaviour>(n).fill('honest');
  const twins: number[] = [];
  let faulty = 0;
  for (const v of rng.shuffle([...powers.keys()])) {
    if ((faulty + powers[v]!) * 3 >= total || rng.bool(0.3)) continue;
    faulty += powers[v]!;
    if (rng.bool(0.25)) twins.push(v);
    else behaviours[v] = rng.pick(BYZANTINE_BEHAVIOURS);
  }
  const instances = n + twins.length;
  const healTime = rng.int(5000);
  const partitions: Partition[] = [];
  for (let k = rng.int(3); k > 0; k--) {
    const start = rng.int(healTime + 1);
    const end = start + rng.int(healTime - start + 1);
    const sides = 2 + rng.int(2);
    const groups: number[][] = Array.from({ length: sides }, () => []);
    for (let i = 0; i < instances; i++) groups[rng.int(sides)]!.push(i);
    partitions.push({ start, end, groups });
  }
  const minDelay = rng.int(20);
  const maxDelay = minDelay + rng.int(250);
  const honest = [...powers.keys()].filter((v) => behaviours[v] === 'honest' && !twins.includes(v));
  let updatesAt: (height: number) => ValidatorUpdate[] = noUpdates;
  if (rng.bool(0.3) && honest.length > 0) {
    // Raise an honest validator's power in block 1 (effective from height 3): faulty stays below a third.
    const v = rng.pick(honest);
    const power = powers[v]! + 1 + rng.int(5);
    const publicKey = simKeys(n)[v]!.publicKey;
    updatesAt = (h) => (h === 1 ? [{ publicKey, power }] : []);
  }
  return {
    ...baseSpec(seed, powers), behaviours, twins, heights: updatesAt === noUpdates ? 2 : 3, partitions, healTime,
    dropP: rng.float() * 0.3, dupP: rng.float() * 0.1, minDelay, maxDelay, updatesAt,
  };
}

/**
 * Twins with more than a third of the power, one copy of each on either side of a partition
 * that never heals; each side holds a quorum and decides alone. Agreement must be violated.
 */
export function splitBrainScenario(seed: number): ScenarioSpec {
  const rng = new SimRng(seed);
  const n = 4 + rng.int(4);
  const quorum = Math.floor((2 * n) / 3) + 1;
  let t = 1;
  while (Math.ceil((n - t) / 2) + t < quorum || Math.floor((n - t) / 2) + t < quorum) t++;
  const order = rng.shuffle([...Array(n).keys()]);
  const twins = order.slice(0, t);
  const honest = order.slice(t);
  const half = Math.ceil(honest.length / 2);
  const sideA = [...honest.slice(0, half), ...twins];
  const sideB = [...honest.slice(half), ...twins.map((_, k) => n + k)];
  return {
    ...baseSpec(seed, new Array<number>(n).fill(1)), twins, heights: 1, healTime: 1_000_000, maxTime: 60_000,
    partitions: [{ start: 0, end: 1_000_000, groups: [sideA, sideB] }], minDelay: 1 + rng.int(10), maxDelay: 20 + rng.int(100),
  };
}
