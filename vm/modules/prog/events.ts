/**
 * The public-finance module's events. Every payment is a `paid` event carrying its trail: the
 * program and its version (whose eligibility rule applied), the row and schedule step, and
 * the credential (issuer, status index) that made the beneficiary eligible.
 */
import { addressField, amount, str, struct, u8, u32, uint } from '../../../core/index.js';
import { event, indexSpec } from '../../module.js';

export const ProgramEvent = struct('ProgProgramEvent', { program: uint, version: u32, status: u8, by: addressField });
export const RowsSetEvent = struct('ProgRowsSet', { program: uint, version: u32, first: uint, count: u32, allocated: amount });
export const PaidEvent = struct('ProgPaid', {
  program: uint,
  version: u32,
  row: uint,
  beneficiary: addressField,
  amount,
  /** The schedule step this payment reaches. */
  step: u32,
  /** What the row has been paid in all, this payment included. */
  claimed: amount,
  /** 0 claimed by the beneficiary, 1 pushed by the agency. */
  via: u8,
  credIssuer: addressField,
  credIndex: uint,
  group: str(64),
  /** The grant the payment opened (a purpose-bound program), or 0. */
  grant: uint,
});
export const RowEvent = struct('ProgRowEvent', { program: uint, row: uint, beneficiary: addressField, amount, legalRef: str(128) });
export const ClosedEvent = struct('ProgClosed', { program: uint, returned: amount, by: addressField });

export const ProgEvents = {
  created: event('prog', 'created', ProgramEvent, 'a program drafted (version 1)'),
  updated: event('prog', 'updated', ProgramEvent, "a draft's terms replaced: a new version"),
  rows_set: event('prog', 'rows_set', RowsSetEvent, "explicit allocation rows written into a draft: a new version"),
  finalized: event('prog', 'finalized', ProgramEvent, 'the funder approved a version: its budget moved into the program, its terms now immutable'),
  paid: event('prog', 'paid', PaidEvent, 'a payment to a beneficiary, with its trail (version, row, step, credential, report group)'),
  revoked: event('prog', 'revoked', RowEvent, "a beneficiary's row revoked: no further payment (amount: what it had been paid)"),
  recovered: event('prog', 'recovered', RowEvent, 'a payment made in error recovered from the beneficiary to the funder'),
  closed: event('prog', 'closed', ClosedEvent, 'after the expiry and grace: the unclaimed remainder returned to the funder'),
};

/** Node-side indexes of payments (module.ts IndexSpec): a person's and a program's trail. */
export const ProgIndexes = {
  beneficiary: indexSpec(40, 'beneficiary 20, block time u64, seq u32 -> program u64, row u64, event position u16: a payment to the beneficiary'),
  program: indexSpec(41, 'program u64, block time u64, seq u32 -> program u64, row u64, event position u16: a payment of the program'),
};
/** Bytes after an index key's owner part: block time u64 and seq u32. */
export const PROG_INDEX_TAIL = 12;
