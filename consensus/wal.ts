/**
 * Write-ahead-log records and replay. The node appends an `event` record for every input
 * before the engine processes it, a `signed` record for every message the validator signs
 * (fsynced before the message is sent: it carries the double-sign guard), and an
 * `end-height` record once the application has committed a height. Framing, checksums and
 * fsync belong to the node's WAL file; this module fixes the record bytes (core codec,
 * arrays in the order below) and the replay procedure.
 *
 *   WalRecord   [kind u8, body bytes]                      kind: 1 event, 2 signed, 3 end-height
 *   event body  [eventKind u8, payload bytes]              (payload schemas below, by kind)
 *   signed body [height, round, step, signBytes, signature, vote|nil, proposal|nil, block|nil]
 *   end-height  [height]
 *
 * Replay (after a crash): build the engine from the stored state of the first undecided
 * height H, then `replayWal` restores the guard from the latest `signed` record, re-adopts
 * the messages signed at H, starts the height, and feeds again every event after the
 * `end-height` record of H - 1. Events for other heights are refused by the engine as stale, so an over-long tail
 * is harmless.
 */
import {
  bool, bytes, bytes32, CommitSchema, decode, encode, Limits, list, optional, ProposalSchema, publicKeyField, signatureField, struct,
  u32, u8, uint, VoteSchema, isSovError, type Schema,
} from '../core/index.js';
import { ConsensusError, ConsensusErrorCodes } from './errors.js';
import type { ConsensusEngine } from './engine.js';
import type { Action, EngineEvent, SignedRecord } from './types.js';

export const WalKind = { EVENT: 1, SIGNED: 2, END_HEIGHT: 3 } as const;
export type WalRecord =
  | { readonly kind: 'event'; readonly event: EngineEvent }
  | { readonly kind: 'signed'; readonly signed: SignedRecord }
  | { readonly kind: 'end-height'; readonly height: number };

const blockBytes = bytes({ max: Limits.MAX_BLOCK_BYTES });
const Frame = struct('WalRecord', { kind: u8, body: bytes({ max: Limits.MAX_BLOCK_BYTES + 4096 }) });
const EventFrame = struct('WalEvent', { kind: u8, payload: bytes({ max: Limits.MAX_BLOCK_BYTES + 4096 }) });
const UpdateSchema = struct('ValidatorUpdate', { publicKey: publicKeyField, power: uint });

const EVENT_SCHEMAS = {
  start: { kind: 1, schema: struct('Start', {}) },
  proposal: { kind: 2, schema: struct('ProposalEvent', { proposal: ProposalSchema, block: blockBytes }) },
  vote: { kind: 3, schema: struct('VoteEvent', { vote: VoteSchema }) },
  timeout: { kind: 4, schema: struct('TimeoutEvent', { height: uint, round: u32, step: u8 }) },
  'block-built': { kind: 5, schema: struct('BlockBuilt', { height: uint, round: u32, block: blockBytes }) },
  'block-checked': { kind: 6, schema: struct('BlockChecked', { height: uint, blockHash: bytes32, valid: bool }) },
  committed: { kind: 7, schema: struct('Committed', { height: uint, validatorUpdates: list(UpdateSchema, Limits.MAX_VALIDATORS) }) },
  'sync-commit': { kind: 8, schema: struct('SyncCommit', { block: blockBytes, commit: CommitSchema }) },
} as const;
type EventType = keyof typeof EVENT_SCHEMAS;
const EVENT_BY_KIND = new Map<number, EventType>(Object.entries(EVENT_SCHEMAS).map(([type, v]) => [v.kind, type as EventType]));

const SignedSchema = struct('SignedRecord', {
  height: uint, round: u32, step: u8, signBytes: bytes({ max: 4096 }), signature: signatureField,
  vote: optional(VoteSchema), proposal: optional(ProposalSchema), block: optional(blockBytes),
});
const EndHeightSchema = struct('EndHeight', { height: uint });

export function encodeEvent(ev: EngineEvent): Uint8Array {
  const spec = EVENT_SCHEMAS[ev.type] as { kind: number; schema: Schema<unknown> };
  const { type: _type, ...fields } = ev;
  return encode(EventFrame, { kind: spec.kind, payload: encode(spec.schema, fields) });
}

export function decodeEvent(b: Uint8Array): EngineEvent {
  const f = decode(EventFrame, b);
  const type = EVENT_BY_KIND.get(f.kind);
  if (!type) throw new ConsensusError(ConsensusErrorCodes.WAL_CORRUPT, `unknown event kind ${f.kind}`);
  const fields = decode(EVENT_SCHEMAS[type].schema as Schema<Record<string, unknown>>, f.payload);
  if (type === 'timeout' && (fields.step as number) !== 1 && fields.step !== 2 && fields.step !== 3) {
    throw new ConsensusError(ConsensusErrorCodes.WAL_CORRUPT, `bad timeout step ${String(fields.step)}`);
  }
  return { type, ...fields } as EngineEvent;
}

export function encodeWalRecord(r: WalRecord): Uint8Array {
  let kind: number;
  let body: Uint8Array;
  if (r.kind === 'event') {
    kind = WalKind.EVENT;
    body = encodeEvent(r.event);
  } else if (r.kind === 'signed') {
    kind = WalKind.SIGNED;
    const { guard, vote, proposal, block } = r.signed;
    body = encode(SignedSchema, { ...guard, vote, proposal, block });
  } else {
    kind = WalKind.END_HEIGHT;
    body = encode(EndHeightSchema, { height: r.height });
  }
  return encode(Frame, { kind, body });
}

/** Decode one record; any malformed input is a ConsensusError(WAL_CORRUPT). */
export function decodeWalRecord(b: Uint8Array): WalRecord {
  try {
    const f = decode(Frame, b);
    if (f.kind === WalKind.EVENT) return { kind: 'event', event: decodeEvent(f.body) };
    if (f.kind === WalKind.SIGNED) {
      const s = decode(SignedSchema, f.body);
      const { vote, proposal, block, ...guard } = s;
      return { kind: 'signed', signed: { guard, vote, proposal, block } };
    }
    if (f.kind === WalKind.END_HEIGHT) return { kind: 'end-height', height: decode(EndHeightSchema, f.body).height };
    throw new ConsensusError(ConsensusErrorCodes.WAL_CORRUPT, `unknown WAL record kind ${f.kind}`);
  } catch (e) {
    if (e instanceof ConsensusError) throw e;
    if (isSovError(e)) throw new ConsensusError(ConsensusErrorCodes.WAL_CORRUPT, `WAL record: ${e.message}`, { cause: e.code });
    throw e;
  }
}

/**
 * Replay `records` (oldest first) into `engine`, freshly built for its first undecided
 * height. Returns the actions the replayed events produce: the node performs them again
 * (re-sending an already-sent signed message is harmless; timeouts must be rescheduled).
 */
export function replayWal(engine: ConsensusEngine, records: readonly Uint8Array[]): Action[] {
  const decoded = records.map(decodeWalRecord);
  let from = 0;
  decoded.forEach((r, i) => {
    if (r.kind === 'end-height' && r.height === engine.height - 1) from = i + 1;
  });
  // The guard moves to the latest signed record; messages signed at this height are re-adopted.
  for (const r of decoded) if (r.kind === 'signed') engine.restoreSigned(r.signed);
  // A restarted engine starts its height first, as the running one did (at boot or on `committed`).
  const actions: Action[] = [...engine.step({ type: 'start' }).actions];
  for (let i = from; i < decoded.length; i++) {
    const r = decoded[i]!;
    if (r.kind === 'event') actions.push(...engine.step(r.event).actions);
  }
  return actions;
}
