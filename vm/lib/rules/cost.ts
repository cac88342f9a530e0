/**
 * The cost model, in one place: the compiler applies these formulas to declared maximum
 * lengths (the worst case), the evaluator to the actual lengths. Every formula is
 * non-decreasing in its arguments, so an actual cost never exceeds the static one.
 *
 * - every node costs 1, plus its children;
 * - a string operation costs 1 + units(L), a unit being 16 UTF-16 code units (rounded up):
 *   L is the shorter operand for comparisons and startsWith/endsWith, the result for `+`,
 *   the string for size(); contains costs 1 + units(s) * max(1, units(needle));
 * - `x in list` costs 1 + (max length of the list) * (cost of one equality);
 * - a list literal costs 1 + its number of elements;
 * - a host function costs its declared cost (plus its arguments);
 * - a macro costs 1 + (max length of its list) * (1 + cost of its body);
 * - `&&` and `||` cost both sides (either may run); `c ? a : b` costs the dearer branch.
 * Costs saturate at RULE_LIMITS.costCap, which is above any allowed budget.
 */
import { RULE_LIMITS } from './errors.js';

const CAP = RULE_LIMITS.costCap;
const UNIT = 16;

export function addCost(a: number, b: number): number {
  const s = a + b;
  return s > CAP ? CAP : s;
}

export function mulCost(a: number, b: number): number {
  const p = a * b;
  return p > CAP ? CAP : p;
}

/** The number of 16-code-unit units in a string of length n, rounded up. */
export function units(n: number): number {
  const r = n % UNIT; // exact: n is a non-negative safe integer
  return (n - r) / UNIT + (r > 0 ? 1 : 0);
}

/** Comparing or testing a prefix/suffix of strings of lengths a and b. */
export function compareCost(a: number, b: number): number {
  return 1 + units(a < b ? a : b);
}

/** Concatenating strings of lengths a and b. */
export function concatCost(a: number, b: number): number {
  return addCost(1, units(addCost(a, b)));
}

/** Searching a needle of length b in a string of length a. */
export function containsCost(a: number, b: number): number {
  const ub = units(b);
  return addCost(1, mulCost(units(a), ub > 1 ? ub : 1));
}

/** size() of a string of length n (code points are counted). */
export function sizeCost(n: number): number {
  return 1 + units(n);
}
