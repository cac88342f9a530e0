/**
 * The evidence module's records: each equivocation recorded from a block's double-sign
 * evidence (one per validator, height, round and vote type, with the two votes and the
 * council's decision), the list of them (what a query starts from), each validator's history
 * in the validator set (which set was in effect at a height), and the suspensions in force
 * (what a reinstatement puts back).
 */
import { addressField, bytes32, list, optional, publicKeyField, str, struct, u8, u32, uint, VoteSchema, type Infer } from '../../../core/index.js';
import { record } from '../../keys.js';
import { field } from '../../module.js';

/** The council's decision on an equivocation: none yet, then one of the three (final). */
export const Decision = { PENDING: 0, REMOVE: 1, REWEIGHT: 2, REINSTATE: 3 } as const;
export const DECISION_NAMES = ['pending', 'remove', 'reweight', 'reinstate'] as const;

/** Most equivocations the list keeps (the oldest leave it first; their records stay). */
export const MAX_LISTED = 1024;
/** Most set changes a validator's history keeps (the oldest leave it first). */
export const MAX_HISTORY = 64;

export const EquivocationSchema = struct('Equivocation', {
  validator: addressField,
  publicKey: publicKeyField,
  height: uint,
  round: u32,
  /** 1 prevote, 2 precommit. */
  voteType: u8,
  /** The two votes, in the evidence's canonical order (nil first, then by block id). */
  voteA: VoteSchema,
  voteB: VoteSchema,
  /** core evidenceHash of the evidence as the block carried it. */
  evidenceHash: bytes32,
  /** The validator's power in the set in effect at `height`. */
  power: uint,
  /** The block that carried it, and that block's time. */
  recordedHeight: uint,
  recordedTime: uint,
  /** The height its automatic suspension took effect from (recordedHeight + 2); 0: this evidence suspended nothing. */
  suspendedFrom: uint,
  /** Decision: 0 pending, 1 removed, 2 re-weighted, 3 reinstated. */
  decision: u8,
  /** The power the decision left it with (0: removed). */
  decidedPower: uint,
  legalRef: str(128),
  decidedHeight: uint,
});
export type Equivocation = Infer<typeof EquivocationSchema>;

export const ListedSchema = struct('ListedEquivocation', { validator: addressField, height: uint, round: u32, voteType: u8, recordedHeight: uint });
export const EquivocationListSchema = struct('EquivocationList', { items: list(ListedSchema, MAX_LISTED) });
export type Listed = Infer<typeof ListedSchema>;
export type EquivocationList = Infer<typeof EquivocationListSchema>;

export const SetChangeSchema = struct('SetChange', { from: uint, power: uint });
export const ValidatorHistorySchema = struct('ValidatorHistory', { publicKey: publicKeyField, changes: list(SetChangeSchema, MAX_HISTORY) });
export type ValidatorHistory = Infer<typeof ValidatorHistorySchema>;

export const SuspensionSchema = struct('Suspension', {
  publicKey: publicKeyField,
  /** Its power when suspended (a reinstatement gives it back). */
  power: uint,
  /** Its node's key when suspended (the allowlist's; a reinstatement records it again). */
  nodeKey: optional(publicKeyField),
  /** The height it took effect from. */
  from: uint,
  /** The equivocation that suspended it. */
  height: uint,
  round: u32,
  voteType: u8,
});
export type Suspension = Infer<typeof SuspensionSchema>;

/** Key fields named for the votes (the CLI's --height is the state's height). */
const ref = [field.address('validator'), field.id('voteHeight'), field.id('voteRound'), field.id('voteType')] as const;

export const evidRecords = {
  equivocation: record(0xf0, ref, EquivocationSchema,
    'Equivocation [validator, publicKey, height, round, voteType (1 prevote, 2 precommit), voteA, voteB, evidenceHash, power, recordedHeight, recordedTime, suspendedFrom (0: none), decision (0 pending, 1 removed, 2 re-weighted, 3 reinstated), decidedPower, legalRef, decidedHeight]: double-sign evidence a block carried'),
  equivocations: record(0xf1, [], EquivocationListSchema, `EquivocationList [items [[validator, height, round, voteType, recordedHeight]]]: every equivocation recorded, in order (the latest ${MAX_LISTED})`),
  validator_history: record(0xf2, [field.address('validator')], ValidatorHistorySchema,
    `ValidatorHistory [publicKey, changes [[from, power]]]: the validator's power in the set from each height on (0: out of it), its latest ${MAX_HISTORY} changes`),
  suspension: record(0xf3, [field.address('validator')], SuspensionSchema,
    'Suspension [publicKey, power, nodeKey?, from, height, round, voteType]: a validator suspended for an equivocation, until the council decides'),
};

export const EvidKeys = {
  equivocation: evidRecords.equivocation.keyOf,
  equivocations: evidRecords.equivocations.keyOf,
  validatorHistory: evidRecords.validator_history.keyOf,
  suspension: evidRecords.suspension.keyOf,
};
