/**
 * Module `lock`: conditional payments (after the BIS Rosalind design). The payer locks funds
 * for a payee until an expiry (block time); the funds sit at the lock's escrow address, so
 * supply stays the sum of balances. Kinds:
 * - CLAIM (0): the payee claims;
 * - ESCROW (1): a named third party (the arbiter) releases to the payee, or refunds;
 * - HTLC (2): anyone presenting the preimage of the hash lock (sha256) releases to the
 *   payee, for atomic exchange between currencies.
 * After the expiry nobody can release it, and anyone may return it to the payer; the payee
 * may also return it at any time.
 */
import { decode } from '../../../core/index.js';
import { code, defineModule } from '../../module.js';
import type { Event } from '../../receipts.js';
import { lockRecords } from './records.js';
import { LockEvent, LockEvents, lockMethods } from './methods.js';

const DAY_MS = 86_400_000;

export const lockModule = defineModule({
  name: 'lock',
  doc: 'Conditional payments: funds locked for a payee until claimed (CLAIM), released by an arbiter (ESCROW) or opened with a hash preimage (HTLC), or refunded after the expiry.',
  records: lockRecords,
  codeRange: [700, 706],
  codes: {
    LOCK_NOT_FOUND: code(700, 'no such lock'),
    LOCK_SETTLED: code(701, 'the lock is released or refunded'),
    LOCK_EXPIRED: code(702, 'the lock is past its expiry'),
    LOCK_NOT_EXPIRED: code(703, 'refund before expiry by someone not entitled'),
    BAD_PREIMAGE: code(704, 'the preimage does not hash to the lock'),
    NOT_LOCK_PARTY: code(705, 'the signer may not claim or release this lock'),
    BAD_LOCK: code(706, "bad lock shape or expiry (also a grant's expiry)"),
  },
  params: {
    max_lock_ms: { value: 365 * DAY_MS, min: 60_000, max: 3650 * DAY_MS, governable: true, doc: 'longest lock or grant expiry ahead of block time' },
  },
  events: LockEvents,
  methods: lockMethods,
  /** The payee of a lock created, the party paid when one is settled. */
  concerns: (_written: readonly Uint8Array[], events: readonly Event[]) => {
    const out: Uint8Array[] = [];
    for (const e of events) {
      if (e.module !== 'lock') continue;
      const l = decode(LockEvent, e.data);
      out.push(l.payee, l.payer);
    }
    return out;
  },
});

export * from './records.js';
export { CreateLockArgs, ClaimArgs, LockIdArgs, LockIdResult, LockEvent, LockEvents } from './methods.js';
