/**
 * The public-finance module's records: programs (their terms, immutable once final), explicit
 * allocation rows, each beneficiary row's progress and the credential that made it eligible,
 * the claimed-row bitmap, the credentials already used in a program, and a program's totals
 * (paid, recovered, returned, by report group).
 */
import { addressField, amount, bool, bytes, bytes32, list, str, struct, u8, u32, uint, type Infer } from '../../../core/index.js';
import { record } from '../../keys.js';
import { field } from '../../module.js';
import { CounterSchema } from '../../records.js';
import { EligibilitySchema } from '../cred/presentation.js';
import { currencyCode } from '../money/records.js';

export const ProgramStatus = { DRAFT: 0, FINAL: 1, CLOSED: 2 } as const;
export const AllocationMode = { EXPLICIT: 0, MERKLE: 1 } as const;
export const ScheduleKind = { LUMP_SUM: 0, VESTING: 1, INSTALMENTS: 2 } as const;

/** Most schedules a program defines (rows name theirs by position). */
export const MAX_SCHEDULES = 16;
/** Most instalments a periodic schedule pays (100 years of monthly benefits). */
export const MAX_INSTALMENTS = 1200;
/** Distinct report groups a program's totals keep by name; later ones count under OTHER_GROUP. */
export const MAX_GROUPS = 64;
export const OTHER_GROUP = '(other)';
/** Rows of one claimed-bitmap chunk. */
export const CLAIM_CHUNK_BYTES = 256;
export const CLAIM_CHUNK_ROWS = CLAIM_CHUNK_BYTES * 8;

/**
 * When a row's amount becomes claimable. Lump sum: all of it from `start`. Vesting: nothing
 * before `start + cliffMs`, then linearly from `start` over `durationMs`. Instalments: `count`
 * equal parts (the last takes the remainder), the first at `start`, then one every `intervalMs`.
 */
export const ScheduleSchema = struct('ProgSchedule', { kind: u8, start: uint, cliffMs: uint, durationMs: uint, intervalMs: uint, count: u32 });
export type Schedule = Infer<typeof ScheduleSchema>;

export const TermsSchema = struct('ProgTerms', {
  name: str(64),
  /** The account that funds the program at finalization and gets back what is returned or recovered. */
  funder: addressField,
  currency: currencyCode,
  budget: amount,
  /** Who may claim: a valid credential of one of the types, from the issuers if listed, whose claims meet the predicates (types empty: anyone allocated). */
  eligibility: EligibilitySchema,
  /** The disclosed claim the report groups payments by (a region); empty: the payee account's category. */
  reportClaim: str(64),
  mode: u8,
  /** MERKLE: the root over the rows' AllocationLeaf encodings, in row order; EXPLICIT: zero. */
  root: bytes32,
  /** MERKLE: the number of rows; EXPLICIT: kept by set_rows. */
  rows: uint,
  schedules: list(ScheduleSchema, MAX_SCHEDULES),
  /** Block time after which nothing new is claimed (0: never); the rest returns to the funder after the grace. */
  expiresAt: uint,
  /** How long after the expiry a beneficiary whose first claim came before it may still claim. */
  graceMs: uint,
  /** Non-empty: payments are grants spendable only at accounts of this category, for spendMs. */
  category: str(32),
  spendMs: uint,
  /** The legal reference of the decision that created the program. */
  legalRef: str(128),
});
export type Terms = Infer<typeof TermsSchema>;

export const ProgramSchema = struct('Program', {
  id: uint,
  version: u32,
  status: u8,
  /** The agency that created it: it drafts, pushes, revokes and recovers. */
  owner: addressField,
  terms: TermsSchema,
  /** EXPLICIT: the sum of the rows' amounts. */
  allocated: amount,
  /** Block time it was finalized (0 while draft). */
  finalizedAt: uint,
});
export type Program = Infer<typeof ProgramSchema>;

/** A row of an allocation table: what a Merkle leaf encodes, and what an explicit row holds. */
export const AllocationLeafSchema = struct('ProgAllocation', { beneficiary: addressField, amount, schedule: u8 });
export type AllocationLeaf = Infer<typeof AllocationLeafSchema>;

/** A row's progress, from its first payment: what was paid and recovered, and the credential that made it eligible. */
export const RowStateSchema = struct('ProgRow', {
  beneficiary: addressField,
  amount,
  schedule: u8,
  claimed: amount,
  /** The schedule step reached (instalments paid; 1 for a lump sum). */
  step: u32,
  recovered: amount,
  revoked: bool,
  firstClaimAt: uint,
  /** The eligibility credential (zero address when the program needs none). */
  credIssuer: addressField,
  credIndex: uint,
  credValidUntil: uint,
  group: str(64),
});
export type RowState = Infer<typeof RowStateSchema>;

export const CredUseSchema = struct('ProgCredUse', { row: uint });
export const ClaimChunkSchema = struct('ProgClaimChunk', { bits: bytes({ max: CLAIM_CHUNK_BYTES }) });

export const GroupTotalSchema = struct('ProgGroupTotal', { group: str(64), paid: amount, recovered: amount, beneficiaries: u32 });
export const TotalsSchema = struct('ProgTotals', {
  paid: amount,
  recovered: amount,
  /** Returned to the funder at close (the unclaimed remainder). */
  returned: amount,
  payments: uint,
  beneficiaries: uint,
  revoked: uint,
  groups: list(GroupTotalSchema, MAX_GROUPS + 1),
});
export type Totals = Infer<typeof TotalsSchema>;

export const progRecords = {
  program: record(0xe0, [field.id('id')], ProgramSchema, 'Program [id, version, status (0 draft, 1 final, 2 closed), owner, terms, allocated, finalizedAt]'),
  prog_row: record(0xe1, [field.id('program'), field.id('row')], AllocationLeafSchema, 'ProgAllocation [beneficiary, amount, schedule]: an explicit allocation row'),
  prog_row_state: record(0xe2, [field.id('program'), field.id('row')], RowStateSchema, 'ProgRow [beneficiary, amount, schedule, claimed, step, recovered, revoked, firstClaimAt, credIssuer, credIndex, credValidUntil, group]: a row from its first payment'),
  prog_claimed: record(0xe3, [field.id('program'), field.id('chunk')], ClaimChunkSchema, 'ProgClaimChunk [bits]: rows chunk * 2048 onwards paid in full, most significant bit first; absent: none'),
  prog_cred_use: record(0xe4, [field.id('program'), field.address('issuer'), field.id('index')], CredUseSchema, 'ProgCredUse [row]: the row a credential made eligible (one row per credential)'),
  prog_totals: record(0xe5, [field.id('program')], TotalsSchema, 'ProgTotals [paid, recovered, returned, payments, beneficiaries, revoked, groups [[group, paid, recovered, beneficiaries]]]'),
  prog_seq: record(0xe6, [], CounterSchema, 'Counter [next]: program ids'),
};
export const ProgKeys = {
  program: progRecords.program.keyOf,
  row: progRecords.prog_row.keyOf,
  rowState: progRecords.prog_row_state.keyOf,
  claimed: progRecords.prog_claimed.keyOf,
  credUse: progRecords.prog_cred_use.keyOf,
  totals: progRecords.prog_totals.keyOf,
  seq: progRecords.prog_seq.keyOf,
};
