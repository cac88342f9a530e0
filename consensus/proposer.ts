/**
 * Weighted round-robin proposer selection, exactly as CometBFT does it
 * (types/validator_set.go): each validator has a priority; one "increment" adds every
 * validator's power to its priority, picks the one with the highest priority (ties: the
 * lower address) as proposer and subtracts the total power from it. Before each batch of
 * increments the priorities are rescaled so that max - min <= 2 * total (integer division
 * truncating toward zero, by ceil(diff / (2 * total))) and then centred by subtracting their
 * average (floor division, as Go's big.Int Div for a positive divisor).
 *
 * Priorities are bigints, so every step is exact. The class is immutable: `incremented`
 * and `withUpdates` return new objects.
 */
import { compareBytes, toHex } from '../core/index.js';

export interface WeightedMember {
  readonly address: Uint8Array;
  readonly power: number;
}

interface Entry {
  readonly address: Uint8Array;
  readonly power: bigint;
  readonly priority: bigint;
}

const PRIORITY_WINDOW_SIZE_FACTOR = 2n;

/** Go's truncating division for int64 (BigInt division already truncates toward zero). */
const truncDiv = (a: bigint, b: bigint): bigint => a / b;
/** Floor division (Go big.Int Div with a positive divisor is Euclidean = floor here). */
const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
};

export class ProposerPriorities {
  private readonly entries: readonly Entry[];
  readonly totalPower: bigint;
  /** Index (into the address-sorted list) of the current proposer. */
  private readonly proposerIndex: number;

  private constructor(entries: readonly Entry[], proposerIndex: number) {
    this.entries = entries;
    this.totalPower = entries.reduce((s, e) => s + e.power, 0n);
    this.proposerIndex = proposerIndex;
    Object.freeze(this);
  }

  /** A fresh set: every priority zero, members sorted by address, no increment yet. */
  static fresh(members: readonly WeightedMember[]): ProposerPriorities {
    if (members.length === 0) throw new RangeError('ProposerPriorities: empty set');
    const entries = [...members]
      .sort((a, b) => compareBytes(a.address, b.address))
      .map((m) => ({ address: m.address, power: BigInt(m.power), priority: 0n }));
    return new ProposerPriorities(entries, mostPriority(entries));
  }

  /** Restore a set with given priorities (e.g. loaded from the state store). */
  static restore(members: readonly (WeightedMember & { priority: bigint })[]): ProposerPriorities {
    if (members.length === 0) throw new RangeError('ProposerPriorities: empty set');
    const entries = [...members]
      .sort((a, b) => compareBytes(a.address, b.address))
      .map((m) => ({ address: m.address, power: BigInt(m.power), priority: m.priority }));
    return new ProposerPriorities(entries, mostPriority(entries));
  }

  get size(): number {
    return this.entries.length;
  }

  /** The proposer: the member with the highest priority (ties to the lower address). */
  get proposer(): Uint8Array {
    return this.entries[this.proposerIndex]!.address;
  }

  priorities(): { address: Uint8Array; power: number; priority: bigint }[] {
    return this.entries.map((e) => ({ address: e.address, power: Number(e.power), priority: e.priority }));
  }

  /** CometBFT's IncrementProposerPriority(times). */
  incremented(times: number): ProposerPriorities {
    if (!Number.isInteger(times) || times <= 0) throw new RangeError('incremented: times must be a positive integer');
    let es = centred(rescaled(this.entries, PRIORITY_WINDOW_SIZE_FACTOR * this.totalPower));
    let proposer = 0;
    for (let i = 0; i < times; i++) {
      es = es.map((e) => ({ ...e, priority: e.priority + e.power }));
      proposer = mostPriority(es);
      const p = es[proposer]!;
      es[proposer] = { ...p, priority: p.priority - this.totalPower };
    }
    return new ProposerPriorities(es, proposer);
  }

  /**
   * CometBFT's UpdateWithChangeSet: power 0 removes a member; a new member starts at
   * -(1.125 * new total power) (so it cannot propose at once); then rescale and centre.
   */
  withUpdates(updates: readonly WeightedMember[]): ProposerPriorities {
    const byId = new Map(this.entries.map((e) => [toHex(e.address), e]));
    const added: WeightedMember[] = [];
    const removed: string[] = [];
    for (const u of updates) {
      const id = toHex(u.address);
      const cur = byId.get(id);
      if (u.power === 0) removed.push(id);
      else if (cur) byId.set(id, { ...cur, power: BigInt(u.power) });
      else added.push(u);
    }
    // As CometBFT: new members start at -1.125 x the power after updates, before removals.
    let beforeRemovals = 0n;
    for (const e of byId.values()) beforeRemovals += e.power;
    for (const a of added) beforeRemovals += BigInt(a.power);
    for (const id of removed) byId.delete(id);
    const start = -(beforeRemovals + (beforeRemovals >> 3n));
    for (const a of added) byId.set(toHex(a.address), { address: a.address, power: BigInt(a.power), priority: start });
    const es = [...byId.values()].sort((a, b) => compareBytes(a.address, b.address));
    if (es.length === 0) throw new RangeError('withUpdates: the set would be empty');
    let total = 0n;
    for (const e of es) total += e.power;
    const out = centred(rescaled(es, PRIORITY_WINDOW_SIZE_FACTOR * total));
    return new ProposerPriorities(out, mostPriority(out));
  }
}

function mostPriority(es: readonly Entry[]): number {
  let best = 0;
  for (let i = 1; i < es.length; i++) {
    const a = es[best]!;
    const b = es[i]!;
    if (b.priority > a.priority || (b.priority === a.priority && compareBytes(b.address, a.address) < 0)) best = i;
  }
  return best;
}

function rescaled(es: readonly Entry[], diffMax: bigint): Entry[] {
  if (diffMax <= 0n) return [...es];
  let max = es[0]!.priority;
  let min = max;
  for (const e of es) {
    if (e.priority > max) max = e.priority;
    if (e.priority < min) min = e.priority;
  }
  const diff = max - min;
  if (diff <= diffMax) return [...es];
  const ratio = (diff + diffMax - 1n) / diffMax;
  return es.map((e) => ({ ...e, priority: truncDiv(e.priority, ratio) }));
}

function centred(es: readonly Entry[]): Entry[] {
  let sum = 0n;
  for (const e of es) sum += e.priority;
  const avg = floorDiv(sum, BigInt(es.length));
  return es.map((e) => ({ ...e, priority: e.priority - avg }));
}
