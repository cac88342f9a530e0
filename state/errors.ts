/**
 * Typed errors of the state layer. Every failure a caller can meet (a height that is not
 * there, a version pruned away, a node whose bytes do not hash to what its parent says, a
 * store held by another process, bad input, a refused snapshot) is a `StateError` with a
 * stable `code` from `StateErrorCodes`; callers match on the code, never on the message.
 * A plain `Error` thrown from this folder means a broken internal invariant.
 */
import { SovError } from '../core/index.js';

export const StateErrorCodes = {
  /** A height above the head, or below the first block this store holds. */
  STATE_MISSING_HEIGHT: 'STATE_MISSING_HEIGHT',
  /**
   * A state version older than the retained window, or a block (with its certificate,
   * receipts, transaction locations) older than the blocks kept: meta `what` ('state' or
   * 'block'), `height` asked for and `oldest` kept.
   */
  STATE_PRUNED: 'STATE_PRUNED',
  /** Stored bytes that fail a check: hash mismatch, bad encoding, a missing node. */
  STATE_CORRUPT: 'STATE_CORRUPT',
  /** The database is held by another process (LevelDB's lock). */
  STATE_LOCKED: 'STATE_LOCKED',
  /** The database could not be opened for another reason. */
  STATE_OPEN_FAILED: 'STATE_OPEN_FAILED',
  /** The store was closed. */
  STATE_CLOSED: 'STATE_CLOSED',
  /** A malformed argument: key or value too long, duplicate key in a batch, bad height... */
  STATE_INVALID_INPUT: 'STATE_INVALID_INPUT',
  /** A prepared height whose base is no longer the head (another height was committed). */
  STATE_CONFLICT: 'STATE_CONFLICT',
  /** A block, commit or result set that does not match the height or state it is committed with. */
  STATE_BLOCK_MISMATCH: 'STATE_BLOCK_MISMATCH',
  /** A transaction hash already stored (in this block or an earlier one). */
  STATE_DUPLICATE_TX: 'STATE_DUPLICATE_TX',
  /** A snapshot that is malformed, out of order, or does not reproduce its root. */
  STATE_SNAPSHOT_INVALID: 'STATE_SNAPSHOT_INVALID',
  /** A snapshot import into a store that already holds a committed height. */
  STATE_NOT_EMPTY: 'STATE_NOT_EMPTY',
  /** A write refused because the disk is full; nothing of that batch was applied. */
  STATE_DISK_FULL: 'STATE_DISK_FULL',
  /** Any other failed write to the store (an I/O error); nothing of that batch was applied. */
  STATE_WRITE_FAILED: 'STATE_WRITE_FAILED',
} as const;

export type StateErrorCode = (typeof StateErrorCodes)[keyof typeof StateErrorCodes];

/** An error of the state layer, with a stable code. State errors never come from peers directly. */
export class StateError extends SovError {
  constructor(code: StateErrorCode, message: string, meta: Record<string, unknown> = {}) {
    super(code, message, meta, 'ignore');
  }
}

export const corrupt = (message: string, meta: Record<string, unknown> = {}): StateError =>
  new StateError(StateErrorCodes.STATE_CORRUPT, message, meta);

export const invalidInput = (message: string, meta: Record<string, unknown> = {}): StateError =>
  new StateError(StateErrorCodes.STATE_INVALID_INPUT, message, meta);

/** What was pruned: a state version, or a block with what belongs to it. */
export type PrunedKind = 'state' | 'block';

/** STATE_PRUNED for `height`, naming the oldest height of its kind this store keeps. */
export const pruned = (what: PrunedKind, height: number, oldest: number, message?: string): StateError =>
  new StateError(
    StateErrorCodes.STATE_PRUNED,
    message ?? (what === 'state' ? `height ${height} is pruned (oldest kept: ${oldest})` : `block ${height} is pruned (oldest kept: ${oldest})`),
    { what, height, oldest },
  );
