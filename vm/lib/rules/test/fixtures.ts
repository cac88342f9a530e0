/**
 * Shared test fixtures of the rule language: payment variables, a fake host that answers
 * from a table and counts its calls, a compile helper with a generous budget, and a small
 * seeded PRNG (splitmix32, integers only) for the fuzz tests.
 */
import { compileRule, type CompiledRule, PAYMENT_ENV, type PaymentHost } from '../index.js';

export const DAY = 86_400_000n;

export interface Account {
  address: string;
  kind: string;
  tier: bigint;
  roles: string[];
  jurisdiction: string;
  category: string;
  credentials: string[];
  opened: bigint;
  lastActive: bigint;
}

export function account(address: string, over: Partial<Account> = {}): Account {
  return { address, kind: 'person', tier: 1n, roles: [], jurisdiction: 'AA', category: '', credentials: ['kyc'], opened: 1_000n, lastActive: 1_000n, ...over };
}

export interface Payment {
  tx: { type: string; currency: string; amount: bigint; memo: string; time: bigint; height: bigint };
  from: Account;
  to: Account;
}

export function payment(over: { amount?: bigint; time?: bigint; memo?: string; from?: Partial<Account>; to?: Partial<Account> } = {}): Payment {
  return {
    tx: { type: 'transfer', currency: 'DCASH', amount: over.amount ?? 1_000n, memo: over.memo ?? '', time: over.time ?? 400n * DAY, height: 10n },
    from: account('alice', over.from),
    to: account('bob', over.to),
  };
}

/** Answers of the fake host: aggregates by "fn:account[:to]:window", lists by name. */
export interface HostData {
  agg?: Record<string, bigint>;
  lists?: Record<string, string[]>;
  between?: (account: string, windowMs: bigint, lo: bigint, hi: bigint) => bigint;
}

export function fakeHost(data: HostData = {}): PaymentHost & { calls: string[] } {
  const calls: string[] = [];
  const agg = (key: string): bigint => {
    calls.push(key);
    return data.agg?.[key] ?? 0n;
  };
  return {
    calls,
    sumOut: (a, w) => agg(`sumOut:${a}:${w}`),
    countOut: (a, w) => agg(`countOut:${a}:${w}`),
    sumIn: (a, w) => agg(`sumIn:${a}:${w}`),
    countIn: (a, w) => agg(`countIn:${a}:${w}`),
    sumPair: (f, t, w) => agg(`sumPair:${f}:${t}:${w}`),
    countPair: (f, t, w) => agg(`countPair:${f}:${t}:${w}`),
    countOutBetween: (a, w, lo, hi) => {
      calls.push(`countOutBetween:${a}:${w}:${lo}:${hi}`);
      return data.between?.(a, w, lo, hi) ?? 0n;
    },
    inList: (l, v) => {
      calls.push(`inList:${l}:${v}`);
      return data.lists?.[l]?.includes(v) ?? false;
    },
  };
}

export const BUDGET = 100_000;

export function compile(source: string, maxCost = BUDGET): CompiledRule {
  return compileRule(source, PAYMENT_ENV, { maxCost });
}

/** splitmix32: a deterministic integer PRNG (no Math.random, no floats). */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  u32(): number {
    this.s = (this.s + 0x9e3779b9) >>> 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }
  /** An integer in [0, n), n <= 2^32. */
  int(n: number): number {
    return this.u32() % n;
  }
  chance(outOf: number): boolean {
    return this.int(outOf) === 0;
  }
  pick<X>(xs: readonly X[]): X {
    return xs[this.int(xs.length)]!;
  }
  /** A bigint from a spread of magnitudes, both signs, the int64 edges included. */
  bigint(): bigint {
    switch (this.int(6)) {
      case 0:
        return BigInt(this.int(5)) - 2n;
      case 1:
        return BigInt(this.int(2_000_000));
      case 2:
        return -BigInt(this.u32());
      case 3:
        return this.pick([2n ** 63n - 1n, -(2n ** 63n), 2n ** 62n, -(2n ** 31n)]);
      default:
        return (BigInt(this.u32()) << 31n) ^ BigInt(this.u32());
    }
  }
}
