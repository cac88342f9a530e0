/**
 * The consensus parameters a jurisdiction fixes at genesis, in one table: round timeouts
 * (base and per-round increase of each step, in milliseconds, as consensus/ TimeoutConfig
 * names them) and block and transaction size limits. Each has a default, bounds and a doc
 * line; the template, the checks and docs/genesis.md all come from this table.
 */
import { Limits, struct, uint, type Infer } from '../core/index.js';

interface ConsensusSpec {
  /** The field name in the genesis document (consensus/ TimeoutConfig spelling). */
  readonly field: string;
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly doc: string;
}

export const CONSENSUS_SPECS = {
  propose_ms: { field: 'proposeMs', value: 3000, min: 100, max: 600_000, doc: 'propose timeout of round 0' },
  propose_delta_ms: { field: 'proposeDeltaMs', value: 500, min: 0, max: 600_000, doc: 'added to the propose timeout per round' },
  prevote_ms: { field: 'prevoteMs', value: 1000, min: 100, max: 600_000, doc: 'prevote timeout of round 0' },
  prevote_delta_ms: { field: 'prevoteDeltaMs', value: 500, min: 0, max: 600_000, doc: 'added to the prevote timeout per round' },
  precommit_ms: { field: 'precommitMs', value: 1000, min: 100, max: 600_000, doc: 'precommit timeout of round 0' },
  precommit_delta_ms: { field: 'precommitDeltaMs', value: 500, min: 0, max: 600_000, doc: 'added to the precommit timeout per round' },
  max_block_txs: { field: 'maxBlockTxs', value: 10_000, min: 1, max: Limits.MAX_BLOCK_TXS, doc: 'most transactions in one block' },
  max_block_bytes: { field: 'maxBlockBytes', value: 16 * 1024 * 1024, min: 64 * 1024, max: Limits.MAX_BLOCK_BYTES, doc: 'largest encoded block, bytes' },
  max_tx_bytes: { field: 'maxTxBytes', value: Limits.MAX_TX_BYTES, min: 1024, max: Limits.MAX_TX_BYTES, doc: 'largest encoded transaction, bytes: the mempool refuses a larger one and a block holding one is invalid (the default takes a batch of 10,000 exchange records)' },
} as const satisfies Record<string, ConsensusSpec>;

export type ConsensusKey = keyof typeof CONSENSUS_SPECS;
/** Template / JSON key order (the table's order). */
export const CONSENSUS_KEYS = Object.keys(CONSENSUS_SPECS) as ConsensusKey[];

/** Canonical form: an array in this field order. */
export const ConsensusParamsSchema = struct('ConsensusParams', {
  proposeMs: uint,
  proposeDeltaMs: uint,
  prevoteMs: uint,
  prevoteDeltaMs: uint,
  precommitMs: uint,
  precommitDeltaMs: uint,
  maxBlockTxs: uint,
  maxBlockBytes: uint,
  maxTxBytes: uint,
});
export type ConsensusParams = Infer<typeof ConsensusParamsSchema>;

export function defaultConsensusParams(): ConsensusParams {
  const out: Record<string, number> = {};
  for (const k of CONSENSUS_KEYS) out[CONSENSUS_SPECS[k].field] = CONSENSUS_SPECS[k].value;
  return out as unknown as ConsensusParams;
}

/** The problems of a set of consensus parameters, by template key. */
export function consensusProblems(c: ConsensusParams): { key: ConsensusKey; message: string }[] {
  const out: { key: ConsensusKey; message: string }[] = [];
  for (const k of CONSENSUS_KEYS) {
    const s = CONSENSUS_SPECS[k];
    const v = (c as unknown as Record<string, number>)[s.field]!;
    if (!Number.isSafeInteger(v) || v < s.min || v > s.max) out.push({ key: k, message: `${v} is out of range ${s.min}..${s.max}` });
  }
  if (c.maxTxBytes > c.maxBlockBytes) out.push({ key: 'max_tx_bytes', message: `must not exceed max_block_bytes (${c.maxBlockBytes})` });
  return out;
}
