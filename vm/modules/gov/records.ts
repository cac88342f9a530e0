/**
 * The governance module's records: institutions and their roles, the council, proposals,
 * and the validator set with each validator's node key.
 */
import { addressField, bytes, list, publicKeyField, str, struct, u8, u32, uint, type Infer } from '../../../core/index.js';
import { record } from '../../keys.js';
import { field } from '../../module.js';
import { CounterSchema } from '../../records.js';

/** Institution roles, a bit each. */
export const Role = {
  CENTRAL_BANK: 1,
  ISSUER: 2,
  COMMERCIAL_BANK: 4,
  AGENCY: 8,
  REGULATOR: 16,
  VALIDATOR_OPERATOR: 32,
  /** Registers and retires tax rules (module tax). */
  TAX_AUTHORITY: 64,
} as const;
export const ALL_ROLES = 127;
/** Role names as templates, genesis.json and docs write them (`central_bank`, ...), in bit order. */
export const ROLE_NAMES: readonly (readonly [string, number])[] = Object.entries(Role).map(([k, bit]) => [k.toLowerCase(), bit] as const);

export const MAX_COUNCIL = 64;

export const InstitutionSchema = struct('Institution', { name: str(64), roles: u32 });
export type Institution = Infer<typeof InstitutionSchema>;

export const CouncilSchema = struct('Council', { members: list(addressField, MAX_COUNCIL), threshold: u8 });
export type Council = Infer<typeof CouncilSchema>;

export const ValidatorEntrySchema = struct('ValidatorEntry', { address: addressField, publicKey: publicKeyField, power: uint });
export const ValidatorListSchema = struct('ValidatorList', { validators: list(ValidatorEntrySchema, 256) });
export type ValidatorEntry = Infer<typeof ValidatorEntrySchema>;
/**
 * The node key a validator's libp2p node proves at connection time: every node admits the
 * current validators' node keys (and its configured observers), so the allowlist follows
 * governance. Kept beside ValidatorList, not in it: consensus's validator sets don't carry it.
 */
export const ValidatorNodeSchema = struct('ValidatorNode', { nodeKey: publicKeyField });

export const ProposalStatus = { OPEN: 0, EXECUTED: 1, FAILED: 2, CANCELLED: 3 } as const;
export const ApprovalSchema = struct('Approval', { member: addressField, reason: str(256), height: uint });
/** A governance action: its kind (the registry's actions) and the encoding of that kind's args. */
export const ProposalActionSchema = struct('ProposalAction', { kind: u8, data: bytes({ max: 64 * 1024 }) });
export type ProposalAction = Infer<typeof ProposalActionSchema>;
export const ProposalSchema = struct('Proposal', {
  id: uint,
  proposer: addressField,
  action: ProposalActionSchema,
  reason: str(256),
  createdAt: uint,
  expiresAt: uint,
  approvals: list(ApprovalSchema, MAX_COUNCIL),
  status: u8,
  /** The failure code of a FAILED execution, else 0. */
  resultCode: u32,
  resultMessage: str(256),
});
export type Proposal = Infer<typeof ProposalSchema>;

export const govRecords = {
  institution: record(0x11, [field.address('address')], InstitutionSchema, 'Institution [name, roles u32]'),
  council: record(0x30, [], CouncilSchema, 'Council [members [address], threshold]'),
  proposal: record(0x31, [field.id('id')], ProposalSchema, 'Proposal [id, proposer, action, reason, createdAt, expiresAt, approvals [[member, reason, height]], status, resultCode, resultMessage]'),
  proposal_seq: record(0x32, [], CounterSchema, 'Counter [next]: proposal ids'),
  validators: record(0x40, [], ValidatorListSchema, 'ValidatorList [[address, publicKey, power]] sorted by address'),
  validator_node: record(0x41, [field.address('address')], ValidatorNodeSchema, 'ValidatorNode [nodeKey]: the key its libp2p node proves; every node admits the current validators\' node keys'),
};
export const GovKeys = {
  institution: govRecords.institution.keyOf,
  council: govRecords.council.keyOf,
  proposal: govRecords.proposal.keyOf,
  proposalSeq: govRecords.proposal_seq.keyOf,
  validators: govRecords.validators.keyOf,
  validatorNode: govRecords.validator_node.keyOf,
};
