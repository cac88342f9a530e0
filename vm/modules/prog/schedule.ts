/**
 * Schedules: how much of a row's amount is claimable at a block time, and which step that
 * is. Integer arithmetic only (bigint amounts, safe-integer milliseconds), so every node
 * computes the same amount at the same block time.
 */
import { fail } from '../../errors.js';
import { idiv } from '../money/ledger.js';
import { MAX_INSTALMENTS, ScheduleKind, type Schedule } from './records.js';

export interface Vested {
  /** The amount claimable in total by then (paid or not). */
  readonly amount: bigint;
  /** The step reached: 0 before anything vests; a lump sum 1; vesting 1 from the cliff; instalments the number due. */
  readonly step: number;
}

/** Refuse a schedule that cannot pay: BAD_SCHEDULE naming what is wrong. */
export function checkSchedule(s: Schedule, i: number): void {
  if (s.kind === ScheduleKind.LUMP_SUM) return;
  if (s.kind === ScheduleKind.VESTING) {
    if (s.durationMs < 1) fail('BAD_SCHEDULE', `schedule ${i}: vesting needs a positive durationMs`);
    if (s.cliffMs > s.durationMs) fail('BAD_SCHEDULE', `schedule ${i}: the cliff (${s.cliffMs} ms) is after the end of vesting (${s.durationMs} ms)`);
    return;
  }
  if (s.kind === ScheduleKind.INSTALMENTS) {
    if (s.count < 1 || s.count > MAX_INSTALMENTS) fail('BAD_SCHEDULE', `schedule ${i}: instalments must number 1..${MAX_INSTALMENTS}`);
    if (s.intervalMs < 1) fail('BAD_SCHEDULE', `schedule ${i}: instalments need a positive intervalMs`);
    return;
  }
  fail('BAD_SCHEDULE', `schedule ${i}: kind must be 0 (lump sum), 1 (vesting) or 2 (instalments), got ${s.kind}`);
}

/** What `total` under schedule `s` has vested at block time `now`. */
export function vestedAt(s: Schedule, total: bigint, now: number): Vested {
  if (now < s.start) return { amount: 0n, step: 0 };
  const elapsed = now - s.start;
  switch (s.kind) {
    case ScheduleKind.LUMP_SUM:
      return { amount: total, step: 1 };
    case ScheduleKind.VESTING: {
      if (elapsed < s.cliffMs) return { amount: 0n, step: 0 };
      if (elapsed >= s.durationMs) return { amount: total, step: 1 };
      return { amount: (total * BigInt(elapsed)) / BigInt(s.durationMs), step: 1 };
    }
    default: {
      const due = Math.min(s.count, idiv(elapsed, s.intervalMs) + 1);
      if (due === s.count) return { amount: total, step: due };
      return { amount: (total / BigInt(s.count)) * BigInt(due), step: due };
    }
  }
}
