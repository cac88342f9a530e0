/**
 * Typed errors of the consensus engine. Every input from a peer that the engine refuses is
 * reported (never thrown out of `step`) as a SovError with a stable code from
 * `ConsensusErrorCodes` (or core's VOTE_INVALID / COMMIT_INVALID / CODEC_* codes), and says
 * whether the sending peer should be penalised (`reject`: provably bad) or not (`ignore`:
 * stale, duplicate or not useful now).
 */
import { SovError, type PeerAction } from '../core/index.js';

export const ConsensusErrorCodes = {
  /** A message for another height than the engine's current one. */
  WRONG_HEIGHT: 'CONSENSUS_WRONG_HEIGHT',
  /** A message for a round too far ahead of the current one to keep. */
  ROUND_TOO_FAR: 'CONSENSUS_ROUND_TOO_FAR',
  /** A vote or proposal signed by an address outside the height's validator set. */
  UNKNOWN_VALIDATOR: 'CONSENSUS_UNKNOWN_VALIDATOR',
  /** A proposal from a validator that is not the round's proposer. */
  WRONG_PROPOSER: 'CONSENSUS_WRONG_PROPOSER',
  /** A second, different proposal for a round that already has one. */
  CONFLICTING_PROPOSAL: 'CONSENSUS_CONFLICTING_PROPOSAL',
  /** Block bytes that do not hash to the block id they come with, or do not decode. */
  BLOCK_MISMATCH: 'CONSENSUS_BLOCK_MISMATCH',
  /** An event whose shape is not one the engine knows. */
  MALFORMED: 'CONSENSUS_MALFORMED',
  /** A second vote by one validator for one (height, round, type) with another block id. */
  CONFLICTING_VOTE: 'CONSENSUS_CONFLICTING_VOTE',
  /** An application answer that does not fit what the engine asked (wrong height, bad update). */
  BAD_APP_RESPONSE: 'CONSENSUS_BAD_APP_RESPONSE',
  /** A WAL record that does not decode. */
  WAL_CORRUPT: 'CONSENSUS_WAL_CORRUPT',
} as const;
export type ConsensusErrorCode = (typeof ConsensusErrorCodes)[keyof typeof ConsensusErrorCodes];

export class ConsensusError extends SovError {
  constructor(code: ConsensusErrorCode, message: string, meta: Record<string, unknown> = {}, peerAction: PeerAction = 'reject') {
    super(code, message, meta, peerAction);
  }
}
