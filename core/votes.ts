/**
 * Consensus messages and certificates: votes, proposals, commit certificates and evidence.
 *
 * Wire forms (arrays, in this order):
 *   Vote      [type, height, round, blockHash|nil, validator, signature]
 *   Proposal  [height, round, polRound|nil, blockHash, proposer, signature]
 *   Commit    [height, round, blockHash, [[validator, signature] ...]]  (sorted by address)
 *   DuplicateVoteEvidence [voteA, voteB]  (voteA's block hash sorts first; nil sorts first)
 * A vote signs signBytes("vote", chainId, encode([type, height, round, blockHash|nil])), so
 * every precommit for one block at one height and round signs the same bytes, and a commit
 * need only keep each validator's address and signature.
 */
import { decode, encode } from './codec.js';
import { bytes32, list, optional, struct, u8, u32, uint, type Infer } from './schema.js';
import { addressField, Limits, signatureField } from './fields.js';
import { Domain, hashOf } from './hash.js';
import { signBytes } from './signing.js';
import { sign, verify } from './ed25519.js';
import { compareBytes, equalBytes, toHex } from './bytes.js';
import { ErrorCodes, ValidationError } from './errors.js';
import type { ValidatorSet } from './validators.js';

export const VoteType = { PREVOTE: 1, PRECOMMIT: 2 } as const;
export type VoteType = (typeof VoteType)[keyof typeof VoteType];

export const VoteSchema = struct('Vote', {
  type: u8,
  height: uint,
  round: u32,
  blockHash: optional(bytes32),
  validator: addressField,
  signature: signatureField,
});
export type Vote = Infer<typeof VoteSchema>;
export type UnsignedVote = Omit<Vote, 'signature'>;

export const ProposalSchema = struct('Proposal', {
  height: uint,
  round: u32,
  polRound: optional(u32),
  blockHash: bytes32,
  proposer: addressField,
  signature: signatureField,
});
export type Proposal = Infer<typeof ProposalSchema>;
export type UnsignedProposal = Omit<Proposal, 'signature'>;

export const CommitSigSchema = struct('CommitSig', { validator: addressField, signature: signatureField });
export const CommitSchema = struct('Commit', {
  height: uint,
  round: u32,
  blockHash: bytes32,
  signatures: list(CommitSigSchema, Limits.MAX_VALIDATORS),
});
export type CommitSig = Infer<typeof CommitSigSchema>;
export type Commit = Infer<typeof CommitSchema>;

export const DuplicateVoteEvidenceSchema = struct('DuplicateVoteEvidence', { voteA: VoteSchema, voteB: VoteSchema });
export type DuplicateVoteEvidence = Infer<typeof DuplicateVoteEvidenceSchema>;

export const VOTE_SIGN_TAG = 'vote';
export const PROPOSAL_SIGN_TAG = 'proposal';

function checkVoteType(type: number): void {
  if (type !== VoteType.PREVOTE && type !== VoteType.PRECOMMIT) {
    throw new ValidationError(ErrorCodes.VOTE_INVALID, `unknown vote type ${type}`);
  }
}

const VoteSignDocSchema = struct('VoteSignDoc', { type: u8, height: uint, round: u32, blockHash: optional(bytes32) });
const ProposalSignDocSchema = struct('ProposalSignDoc', { height: uint, round: u32, polRound: optional(u32), blockHash: bytes32 });

export function voteSignBytes(chainId: string, v: { type: number; height: number; round: number; blockHash: Uint8Array | null }): Uint8Array {
  return signBytes(VOTE_SIGN_TAG, chainId, encode(VoteSignDocSchema, v));
}

export function signVote(chainId: string, vote: UnsignedVote, secretKey: Uint8Array): Vote {
  checkVoteType(vote.type);
  const signature = sign(voteSignBytes(chainId, vote), secretKey);
  const v: Vote = { ...vote, signature };
  encode(VoteSchema, v); // validates every field
  return v;
}

/** Check a vote's type and signature against its validator's key in `set`. */
export function verifyVote(chainId: string, vote: Vote, set: ValidatorSet): void {
  checkVoteType(vote.type);
  const val = set.get(vote.validator);
  if (!val) throw new ValidationError(ErrorCodes.VOTE_INVALID, `vote from ${toHex(vote.validator)}, not a validator`);
  if (!verify(vote.signature, voteSignBytes(chainId, vote), val.publicKey)) {
    throw new ValidationError(ErrorCodes.VOTE_INVALID, 'vote signature does not verify', { validator: toHex(vote.validator) });
  }
}

export function proposalSignBytes(chainId: string, p: UnsignedProposal): Uint8Array {
  return signBytes(PROPOSAL_SIGN_TAG, chainId, encode(ProposalSignDocSchema, p));
}
export function signProposal(chainId: string, p: UnsignedProposal, secretKey: Uint8Array): Proposal {
  const prop: Proposal = { ...p, signature: sign(proposalSignBytes(chainId, p), secretKey) };
  encode(ProposalSchema, prop);
  return prop;
}

export function verifyProposal(chainId: string, p: Proposal, set: ValidatorSet): void {
  const val = set.get(p.proposer);
  if (!val) throw new ValidationError(ErrorCodes.VOTE_INVALID, `proposal from ${toHex(p.proposer)}, not a validator`);
  if (p.polRound !== null && p.polRound >= p.round) {
    throw new ValidationError(ErrorCodes.VOTE_INVALID, `proposal polRound ${p.polRound} is not below round ${p.round}`);
  }
  if (!verify(p.signature, proposalSignBytes(chainId, p), val.publicKey)) {
    throw new ValidationError(ErrorCodes.VOTE_INVALID, 'proposal signature does not verify');
  }
}

export function commitHash(commit: Commit): Uint8Array {
  return hashOf(Domain.COMMIT, encode(CommitSchema, commit));
}

/** Build a commit from precommits for one block; signatures sorted by address. */
export function commitFromVotes(height: number, round: number, blockHash: Uint8Array, precommits: readonly Vote[]): Commit {
  const sigs = precommits
    .filter((v) => v.type === VoteType.PRECOMMIT && v.height === height && v.round === round && v.blockHash !== null && equalBytes(v.blockHash, blockHash))
    .map((v) => ({ validator: v.validator, signature: v.signature }))
    .sort((a, b) => compareBytes(a.validator, b.validator));
  const unique = sigs.filter((s, i) => i === 0 || !equalBytes(s.validator, sigs[i - 1]!.validator));
  return { height, round, blockHash, signatures: unique };
}

/**
 * Check a commit certificate offline: signatures strictly sorted by address (so no
 * duplicates), every signer in `set`, every signature valid for the precommit of
 * (height, round, blockHash), and the signing power more than two thirds of the set's.
 * Returns the signing power. Throws ValidationError(COMMIT_INVALID) otherwise.
 */
export function verifyCommit(chainId: string, commit: Commit, set: ValidatorSet, expected?: { height?: number; blockHash?: Uint8Array }): number {
  const fail = (msg: string, meta: Record<string, unknown> = {}): never => {
    throw new ValidationError(ErrorCodes.COMMIT_INVALID, msg, { height: commit.height, ...meta });
  };
  if (expected?.height !== undefined && commit.height !== expected.height) fail(`commit is for height ${commit.height}, expected ${expected.height}`);
  if (expected?.blockHash !== undefined && !equalBytes(commit.blockHash, expected.blockHash)) fail('commit is for another block');
  const msg = voteSignBytes(chainId, { type: VoteType.PRECOMMIT, height: commit.height, round: commit.round, blockHash: commit.blockHash });
  let power = 0;
  for (let i = 0; i < commit.signatures.length; i++) {
    const s = commit.signatures[i]!;
    if (i > 0 && compareBytes(commit.signatures[i - 1]!.validator, s.validator) >= 0) fail('commit signatures are not strictly sorted by address', { index: i });
    const val = set.get(s.validator);
    if (!val) fail(`commit signer ${toHex(s.validator)} is not in the validator set`, { index: i });
    if (!verify(s.signature, msg, val!.publicKey)) fail(`commit signature ${i} does not verify`, { index: i });
    power += val!.power;
  }
  if (power < set.quorumPower) fail(`commit has ${power} of ${set.totalPower} power, needs ${set.quorumPower}`);
  return power;
}

/** Order a pair of conflicting votes canonically (nil, then by block hash bytes). */
export function makeDuplicateVoteEvidence(a: Vote, b: Vote): DuplicateVoteEvidence {
  const ka = a.blockHash ?? new Uint8Array(0);
  const kb = b.blockHash ?? new Uint8Array(0);
  return compareBytes(ka, kb) <= 0 ? { voteA: a, voteB: b } : { voteA: b, voteB: a };
}

export function evidenceHash(ev: DuplicateVoteEvidence): Uint8Array {
  return hashOf(Domain.EVIDENCE, encode(DuplicateVoteEvidenceSchema, ev));
}

/**
 * Check that `ev` proves a double sign by one validator of `set`: same type, height, round
 * and validator; different block hashes in canonical order; both signatures valid.
 */
export function verifyDuplicateVoteEvidence(chainId: string, ev: DuplicateVoteEvidence, set: ValidatorSet): void {
  const { voteA: a, voteB: b } = ev;
  const fail = (msg: string): never => {
    throw new ValidationError(ErrorCodes.VOTE_INVALID, `evidence: ${msg}`);
  };
  if (a.type !== b.type || a.height !== b.height || a.round !== b.round) fail('votes are for different steps');
  if (!equalBytes(a.validator, b.validator)) fail('votes are from different validators');
  const ka = a.blockHash ?? new Uint8Array(0);
  const kb = b.blockHash ?? new Uint8Array(0);
  if (compareBytes(ka, kb) >= 0) fail('votes are not distinct or not in canonical order');
  verifyVote(chainId, a, set);
  verifyVote(chainId, b, set);
}

export const decodeVote = (b: Uint8Array): Vote => decode(VoteSchema, b, 1024);
export const decodeProposal = (b: Uint8Array): Proposal => decode(ProposalSchema, b, 1024);
export const decodeCommit = (b: Uint8Array): Commit => decode(CommitSchema, b, 64 * 1024);
export const decodeEvidence = (b: Uint8Array): DuplicateVoteEvidence => decode(DuplicateVoteEvidenceSchema, b, 2048);
