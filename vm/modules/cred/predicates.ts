/**
 * Claim predicates: what a rule asks of a credential's disclosed claims (a region, an age
 * band), compared exactly and without coercion surprises. A predicate names a top-level claim,
 * an operator and values (strings, as rules are stored):
 * - a string claim: EQ, NE and IN compare whole strings; LT, LE, GT and GE compare by UTF-16
 *   code units (JavaScript's `<` on strings), so ISO 8601 dates (`1990-11-11`) order as dates;
 * - a number claim (a safe integer; other numbers are no scalar claim): each value is read as
 *   a decimal integer (`0`, `-12`, `1990`: no sign `+`, no leading zero, no fraction or
 *   exponent) and compared as a number;
 * - a boolean claim: the values `true` and `false`; only EQ, NE and IN;
 * A value the claim's type cannot take (`abc` for a number, `yes` for a boolean, any order on
 * a boolean) fails the predicate whatever the operator, NE included: a rule compares like with
 * like. EQ, NE, LT, LE, GT and GE take exactly one value, IN one or more (BAD_PREDICATE
 * otherwise, or for an unknown operator). A claim the credential does not show is
 * UNDISCLOSED_CLAIM; one that fails is PREDICATE_FAILED.
 */
import { list, str, struct, u8, type Infer } from '../../../core/index.js';
import { fail } from '../../errors.js';

export const PredicateOp = { EQ: 0, NE: 1, LT: 2, LE: 3, GT: 4, GE: 5, IN: 6 } as const;
const OP_NAMES = ['EQ', 'NE', 'LT', 'LE', 'GT', 'GE', 'IN'] as const;
export const ClaimPredicateSchema = struct('CredClaimPredicate', { claim: str(64), op: u8, values: list(str(128), 32) });
export type ClaimPredicate = Infer<typeof ClaimPredicateSchema>;
export type ClaimValue = string | number | boolean;

const DECIMAL_INTEGER_RE = /^(0|-?[1-9][0-9]{0,15})$/;

/** A value read as a claim of `v`'s type: undefined when that type cannot take it. */
function asTypeOf(v: ClaimValue, text: string): ClaimValue | undefined {
  if (typeof v === 'string') return text;
  if (typeof v === 'boolean') return text === 'true' ? true : text === 'false' ? false : undefined;
  if (!DECIMAL_INTEGER_RE.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Refuse a predicate no credential could be checked against: BAD_PREDICATE. */
export function checkPredicateShape(p: ClaimPredicate): void {
  const name = OP_NAMES[p.op];
  if (name === undefined) fail('BAD_PREDICATE', `predicate on ${p.claim}: unknown operator ${p.op} (0 EQ, 1 NE, 2 LT, 3 LE, 4 GT, 5 GE, 6 IN)`);
  if (p.op === PredicateOp.IN ? p.values.length === 0 : p.values.length !== 1) {
    fail('BAD_PREDICATE', `predicate on ${p.claim}: ${name} takes ${p.op === PredicateOp.IN ? 'one value or more' : 'exactly one value'}, not ${p.values.length}`);
  }
}

/** Whether claim value `v` satisfies `p` (a well-formed predicate). */
function holds(v: ClaimValue, p: ClaimPredicate): boolean {
  if (p.op === PredicateOp.IN) return p.values.some((text) => asTypeOf(v, text) === v);
  const w = asTypeOf(v, p.values[0]!);
  if (w === undefined) return false;
  switch (p.op) {
    case PredicateOp.EQ: return v === w;
    case PredicateOp.NE: return v !== w;
    default:
      if (typeof v === 'boolean') return false;
      if (p.op === PredicateOp.LT) return v < w;
      if (p.op === PredicateOp.LE) return v <= w;
      if (p.op === PredicateOp.GT) return v > w;
      return v >= w;
  }
}

/** Check `predicates` against `claims`, in order; throws BAD_PREDICATE, UNDISCLOSED_CLAIM or PREDICATE_FAILED on the first that fails. */
export function checkPredicates(claims: ReadonlyMap<string, ClaimValue>, predicates: readonly ClaimPredicate[]): void {
  for (const p of predicates) {
    checkPredicateShape(p);
    const v = claims.get(p.claim);
    if (v === undefined) fail('UNDISCLOSED_CLAIM', `the claim ${JSON.stringify(p.claim)} is not disclosed`, { claim: p.claim });
    if (!holds(v, p)) {
      fail('PREDICATE_FAILED', `the claim ${JSON.stringify(p.claim)} is not ${OP_NAMES[p.op]} ${p.values.map((x) => JSON.stringify(x)).join(', ')}`, { claim: p.claim, op: p.op });
    }
  }
}
