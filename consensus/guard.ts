/**
 * Double-sign protection. `SignGuard` is the last (height, round, step) this validator
 * signed, with the bytes and signature of that message. The engine consults it before every
 * signature and the node persists the new state (a `signed` WAL record, fsynced) before the
 * signed message leaves the process, so even after a crash and a replay that sees different
 * inputs, the validator never signs two different messages for one (height, round, step):
 *
 *   - a (height, round, step) below the last one: refused;
 *   - the same (height, round, step) with the same sign bytes: the stored signature is
 *     reused (the message is identical, re-sending it is harmless);
 *   - the same (height, round, step) with other bytes: refused;
 *   - above: signed, and the guard moves forward.
 *
 * Steps are ordered PROPOSE < PREVOTE < PRECOMMIT, as in CometBFT's privval.
 */
import { equalBytes, sign } from '../core/index.js';

export const SignStep = { PROPOSE: 1, PREVOTE: 2, PRECOMMIT: 3 } as const;
export type SignStep = (typeof SignStep)[keyof typeof SignStep];

export interface SignGuard {
  readonly height: number;
  readonly round: number;
  readonly step: number;
  readonly signBytes: Uint8Array;
  readonly signature: Uint8Array;
}

export type SignDecision =
  | { kind: 'sign' }
  | { kind: 'reuse'; signature: Uint8Array }
  | { kind: 'refuse'; reason: string };

/** Compare (height, round, step) triples. */
export function compareHrs(a: { height: number; round: number; step: number }, b: { height: number; round: number; step: number }): number {
  if (a.height !== b.height) return a.height < b.height ? -1 : 1;
  if (a.round !== b.round) return a.round < b.round ? -1 : 1;
  if (a.step !== b.step) return a.step < b.step ? -1 : 1;
  return 0;
}

export function checkSign(guard: SignGuard | null, height: number, round: number, step: SignStep, signBytes: Uint8Array): SignDecision {
  if (guard === null) return { kind: 'sign' };
  const c = compareHrs({ height, round, step }, guard);
  if (c > 0) return { kind: 'sign' };
  if (c < 0) return { kind: 'refuse', reason: `(${height}/${round}/${step}) is below the last signed (${guard.height}/${guard.round}/${guard.step})` };
  if (equalBytes(signBytes, guard.signBytes)) return { kind: 'reuse', signature: guard.signature };
  return { kind: 'refuse', reason: `another message was already signed at (${height}/${round}/${step})` };
}

/**
 * Sign `signBytes` at (height, round, step) if the guard allows it. Returns the signature
 * and the new guard (equal to the old one on reuse), or null when refused.
 */
export function guardedSign(
  guard: SignGuard | null, height: number, round: number, step: SignStep, signBytes: Uint8Array, secretKey: Uint8Array,
  signer: (message: Uint8Array, secretKey: Uint8Array) => Uint8Array = sign,
): { signature: Uint8Array; guard: SignGuard; fresh: boolean } | { refused: string } {
  const d = checkSign(guard, height, round, step, signBytes);
  if (d.kind === 'refuse') return { refused: d.reason };
  if (d.kind === 'reuse') return { signature: d.signature, guard: guard!, fresh: false };
  const signature = signer(signBytes, secretKey);
  return { signature, guard: { height, round, step, signBytes, signature }, fresh: true };
}

/** The later of two guards (the one to keep when restoring from several sources). */
export function laterGuard(a: SignGuard | null, b: SignGuard | null): SignGuard | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareHrs(a, b) >= 0 ? a : b;
}
