/**
 * Tax periods: calendar months (UTC) of block time, named `yyyymm` (202601 is January 2026),
 * computed with integer arithmetic only (Howard Hinnant's civil-from-days and
 * days-from-civil, on non-negative safe integers), never with a Date: the vm has no clock and
 * no floating point. Block times are milliseconds since 1970-01-01T00:00:00Z.
 */
import { idiv } from '../money/ledger.js';

const DAY_MS = 86_400_000;
/** Days from 0000-03-01 (the algorithm's epoch) to 1970-01-01. */
const EPOCH_SHIFT = 719_468;
const ERA_DAYS = 146_097;

/** The civil date (proleptic Gregorian, UTC) of day `days` since 1970-01-01 (days >= 0). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + EPOCH_SHIFT;
  const era = idiv(z, ERA_DAYS);
  const doe = z - era * ERA_DAYS; // [0, 146096]
  const yoe = idiv(doe - idiv(doe, 1460) + idiv(doe, 36_524) - idiv(doe, 146_096), 365); // [0, 399]
  const doy = doe - (365 * yoe + idiv(yoe, 4) - idiv(yoe, 100)); // [0, 365]
  const mp = idiv(5 * doy + 2, 153); // [0, 11], March first
  const day = doy - idiv(153 * mp + 2, 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** Days since 1970-01-01 of a civil date (year >= 1970, month 1..12, day 1..31). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = idiv(y, 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = idiv(153 * mp + 2, 5) + day - 1;
  const doe = yoe * 365 + idiv(yoe, 4) - idiv(yoe, 100) + doy;
  return era * ERA_DAYS + doe - EPOCH_SHIFT;
}

/** The tax period (`yyyymm`) of block time `timeMs`. */
export function periodOf(timeMs: number): number {
  const { year, month } = civilFromDays(idiv(timeMs, DAY_MS));
  return year * 100 + month;
}

/** Whether `period` names a month (`yyyymm`, from 197001 to 999912). */
export function isPeriod(period: number): boolean {
  const month = period % 100;
  return Number.isSafeInteger(period) && period >= 197_001 && period <= 999_912 && month >= 1 && month <= 12;
}

/** The first millisecond of `period` and of the next (UTC): [start, end). */
export function periodBounds(period: number): { start: number; end: number } {
  const year = idiv(period, 100);
  const month = period % 100;
  const start = daysFromCivil(year, month, 1) * DAY_MS;
  const end = daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) * DAY_MS;
  return { start, end };
}
