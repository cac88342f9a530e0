/**
 * Module `prog`: public finance programs. A state pays directly: welfare from the treasury
 * to the person entitled to it, grants that vest on a schedule, subsidies bound to a purpose.
 * - A program (programs.ts): its funding account, currency, budget, eligibility rule (a valid
 *   credential of given types from accredited issuers, with claim predicates on disclosed
 *   claims: cred/presentation.ts), an allocation table (explicit rows in state, or a Merkle
 *   root over millions of rows with a claimed-row bitmap in state), schedules (lump sum,
 *   cliff and linear vesting, periodic instalments), an optional expiry and grace, an optional
 *   purpose (payments become grants spendable at accounts of a category), and the legal
 *   reference of the decision. Versioned while draft; the funder finalizes one version, which
 *   moves the budget into the program's escrow and makes it immutable.
 * - Payments (claims.ts): a beneficiary claims what its row has vested, presenting its
 *   credential on the first claim (one row per credential); the owner pushes what is due to
 *   enrolled rows in batches; the owner revokes a row (no further payment) and recovers a
 *   payment made in error; after the expiry and grace, anyone closes the program and the
 *   unclaimed remainder returns to the funder.
 * - Every payment's trail: the row's state (credential, step, paid, recovered), the `paid`
 *   event (program, version, row, step, credential, report group), the node's indexes by
 *   beneficiary and by program, and the program's totals by report group.
 */
import { decode } from '../../../core/index.js';
import { code, defineModule } from '../../module.js';
import type { Event } from '../../receipts.js';
import { progRecords } from './records.js';
import { programMethods } from './programs.js';
import { claimMethods } from './claims.js';
import { PaidEvent, ProgEvents, ProgIndexes, RowEvent } from './events.js';

export const progModule = defineModule({
  name: 'prog',
  doc: 'Public finance programs: welfare, grants and subsidies paid from a funded budget to eligible beneficiaries (credential-gated), by explicit or Merkle allocation tables, on lump-sum, vesting or instalment schedules, with expiry and clawback of the unclaimed remainder, revocation, recovery of payments made in error, and a trail for every payment. docs/public-finance.md describes it with worked examples.',
  records: progRecords,
  codeRange: [1400, 1499],
  codes: {
    PROGRAM_NOT_FOUND: code(1400, 'no such program'),
    NOT_PROGRAM_OWNER: code(1401, 'the signer is not the agency that drafted the program'),
    PROGRAM_NOT_DRAFT: code(1402, 'the program is final: its terms are immutable'),
    BAD_PROGRAM: code(1403, 'terms that cannot run: no budget, name or legal reference, an expiry in the past, a purpose without a spending period, predicates without credential types'),
    BAD_SCHEDULE: code(1404, 'a schedule that cannot pay (no duration or interval, a cliff after the end, too many instalments), or a row naming a schedule the program lacks'),
    BAD_ALLOCATION: code(1405, 'an allocation that cannot be paid: no rows, a Merkle allocation without root, rows not contiguous, a zero amount, a changed mode'),
    NOT_PROGRAM_FUNDER: code(1406, "the signer is not the program's funding account"),
    PROGRAM_VERSION_MISMATCH: code(1407, 'the funder approved another version than the draft holds'),
    OVER_ALLOCATED: code(1408, "the explicit rows add up to more than the budget"),
    PROGRAM_NOT_FINAL: code(1409, 'the program is still a draft'),
    PROGRAM_CLOSED: code(1410, 'the program is closed'),
    PROGRAM_EXPIRED: code(1411, 'the program expired (and the grace of a beneficiary who claimed before its expiry ended)'),
    PROGRAM_NOT_EXPIRED: code(1412, 'the program runs (with its grace), or has no expiry'),
    PROGRAM_ROW_NOT_FOUND: code(1413, 'the allocation has no such row'),
    BAD_ALLOCATION_PROOF: code(1414, "a Merkle row and path that do not prove the row under the program's root"),
    NOT_BENEFICIARY: code(1415, "the signer is not the row's beneficiary"),
    PROGRAM_ROW_PAID: code(1416, 'the row is paid in full'),
    BENEFICIARY_REVOKED: code(1417, "the beneficiary's row is revoked"),
    PRESENTATION_REQUIRED: code(1418, "the row's first claim needs the beneficiary's eligibility credential"),
    PROGRAM_NOT_ENROLLED: code(1419, 'a push to a row whose beneficiary has not yet claimed with its credential'),
    CREDENTIAL_USED: code(1420, 'the credential made another row of the program eligible already (one row per credential)'),
    NOTHING_DUE: code(1421, 'the row has nothing due now: before its schedule pays (the cliff, the next instalment), or paid up to now'),
    BUDGET_EXHAUSTED: code(1422, 'what is due exceeds what is left of the budget'),
    BAD_RECOVERY: code(1423, 'a recovery of nothing, or of more than the row was paid and not yet recovered'),
  },
  params: {},
  events: ProgEvents,
  methods: { ...programMethods, ...claimMethods },
  indexes: ProgIndexes,
  /** The beneficiary of a payment, revocation or recovery. */
  concerns: (_written: readonly Uint8Array[], events: readonly Event[]) => {
    const out: Uint8Array[] = [];
    for (const e of events) {
      if (e.module !== 'prog') continue;
      if (e.name === 'paid') out.push(decode(PaidEvent, e.data).beneficiary);
      else if (e.name === 'revoked' || e.name === 'recovered') out.push(decode(RowEvent, e.data).beneficiary);
    }
    return out;
  },
});

export * from './records.js';
export { vestedAt, checkSchedule, type Vested } from './schedule.js';
export { CreateArgs, UpdateArgs, SetRowsArgs, FinalizeArgs, ProgramIdResult, MAX_ROWS_PER_TX } from './programs.js';
export { ClaimArgs, PushItem, PushArgs, RowArgs, RecoverArgs, CloseArgs, ClaimResult, PushResult, CloseResult, MAX_PATH, isClaimed, clipUtf8 } from './claims.js';
export { ProgramEvent, RowsSetEvent, PaidEvent, RowEvent, ClosedEvent, ProgEvents, ProgIndexes, PROG_INDEX_TAIL } from './events.js';
