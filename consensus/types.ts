/**
 * The engine's contract with the node: the events it consumes, the actions it produces, and
 * its configuration. Every input is an `EngineEvent` (each one appended to the WAL before it
 * is processed); every output is an `Action`, performed by the node in the order given. In
 * particular a `persist-signed` action must be durable before any later `broadcast-*`
 * action of the same batch is performed: that is what makes the double-sign guard hold
 * across crashes.
 */
import type { Commit, DuplicateVoteEvidence, Proposal, SovError, Vote } from '../core/index.js';
import type { ValidatorUpdate } from './epoch.js';
import type { SignGuard } from './guard.js';

/** Round steps. PROPOSE < PREVOTE < PRECOMMIT are also the timeout and sign steps. */
export const RoundStep = { PROPOSE: 1, PREVOTE: 2, PRECOMMIT: 3, COMMIT: 4 } as const;
export type RoundStep = (typeof RoundStep)[keyof typeof RoundStep];
export type TimeoutStep = 1 | 2 | 3;

export type EngineEvent =
  /** Begin the current height (idempotent). */
  | { readonly type: 'start' }
  /** A signed proposal with its block's bytes, from a peer. */
  | { readonly type: 'proposal'; readonly proposal: Proposal; readonly block: Uint8Array }
  /** A signed prevote or precommit, from a peer. */
  | { readonly type: 'vote'; readonly vote: Vote }
  /** A timeout the engine scheduled has fired. */
  | { readonly type: 'timeout'; readonly height: number; readonly round: number; readonly step: TimeoutStep }
  /** The application's answer to `build-block`. */
  | { readonly type: 'block-built'; readonly height: number; readonly round: number; readonly block: Uint8Array }
  /** The application's answer to `check-block`. */
  | { readonly type: 'block-checked'; readonly height: number; readonly blockHash: Uint8Array; readonly valid: boolean }
  /** The application's answer to `commit-block`: the block is applied; validator updates it decided. */
  | { readonly type: 'committed'; readonly height: number; readonly validatorUpdates: readonly ValidatorUpdate[] }
  /** A decided block with its commit certificate, from a peer ahead of us (catch-up). */
  | { readonly type: 'sync-commit'; readonly block: Uint8Array; readonly commit: Commit };

/** A message this validator signed, as persisted (WAL `signed` record) before it is sent. */
export interface SignedRecord {
  readonly guard: SignGuard;
  readonly vote: Vote | null;
  readonly proposal: Proposal | null;
  /** The proposed block's bytes (for a proposal). */
  readonly block: Uint8Array | null;
}

export type Action =
  | { readonly type: 'persist-signed'; readonly record: SignedRecord }
  | { readonly type: 'broadcast-proposal'; readonly proposal: Proposal; readonly block: Uint8Array }
  | { readonly type: 'broadcast-vote'; readonly vote: Vote }
  | { readonly type: 'schedule-timeout'; readonly height: number; readonly round: number; readonly step: TimeoutStep; readonly durationMs: number }
  | { readonly type: 'build-block'; readonly height: number; readonly round: number; readonly lastCommit: Commit | null }
  | { readonly type: 'check-block'; readonly height: number; readonly round: number; readonly blockHash: Uint8Array; readonly block: Uint8Array }
  | { readonly type: 'commit-block'; readonly height: number; readonly round: number; readonly blockHash: Uint8Array; readonly block: Uint8Array; readonly commit: Commit }
  | { readonly type: 'evidence'; readonly evidence: DuplicateVoteEvidence }
  /** The guard refused a signature (only after a crash with lost inputs, or a misconfiguration). */
  | { readonly type: 'sign-refused'; readonly height: number; readonly round: number; readonly step: number; readonly reason: string };

export interface StepResult {
  readonly actions: Action[];
  /** Why the event was refused, if it was: a typed error saying whether to reject the peer. */
  readonly error: SovError | null;
}

/** Timeouts in milliseconds: base + delta * round for each step (Tendermint's growing timeouts). */
export interface TimeoutConfig {
  readonly proposeMs: number;
  readonly proposeDeltaMs: number;
  readonly prevoteMs: number;
  readonly prevoteDeltaMs: number;
  readonly precommitMs: number;
  readonly precommitDeltaMs: number;
}

export const DEFAULT_TIMEOUTS: TimeoutConfig = Object.freeze({
  proposeMs: 3000,
  proposeDeltaMs: 500,
  prevoteMs: 1000,
  prevoteDeltaMs: 500,
  precommitMs: 1000,
  precommitDeltaMs: 500,
});

export function timeoutMs(t: TimeoutConfig, step: TimeoutStep, round: number): number {
  if (step === RoundStep.PROPOSE) return t.proposeMs + t.proposeDeltaMs * round;
  if (step === RoundStep.PREVOTE) return t.prevoteMs + t.prevoteDeltaMs * round;
  return t.precommitMs + t.precommitDeltaMs * round;
}

/** Messages for rounds further than this above the current one are ignored (bounds memory). */
export const MAX_ROUND_AHEAD = 1000;
