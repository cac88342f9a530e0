/**
 * Consensus parameters, in one table: each with its default, its bounds, and whether the
 * council may change it after genesis. Genesis may override any default; governance
 * (`set_param`) may change the governable ones. Values are stored one key each
 * (Keys.param) and read once at the start of a block, so a change made in block h applies
 * from block h + 1. The rolling-window shapes are not governable: usage records store bucket
 * indexes that depend on them.
 */
import { decode } from '../core/index.js';
import { ParamValueSchema } from './records.js';
import { Keys } from './keys.js';
import type { StateReader } from './state.js';

interface ParamSpec {
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly governable: boolean;
  readonly doc: string;
}

const DAY_MS = 86_400_000;

export const PARAM_SPECS = {
  tx_max_work: { value: 2_000_000, min: 1_000, max: 100_000_000, governable: true, doc: 'work units one transaction may use' },
  block_max_work: { value: 200_000_000, min: 10_000, max: 10_000_000_000, governable: true, doc: 'work units one block may use' },
  cost_tx: { value: 100, min: 0, max: 1_000_000, governable: true, doc: 'work charged to every transaction' },
  cost_tx_byte: { value: 1, min: 0, max: 1_000_000, governable: true, doc: 'work per byte of the encoded transaction' },
  cost_read: { value: 10, min: 0, max: 1_000_000, governable: true, doc: 'work per state read' },
  cost_write: { value: 20, min: 0, max: 1_000_000, governable: true, doc: 'work per state write or delete' },
  cost_write_byte: { value: 1, min: 0, max: 1_000_000, governable: true, doc: 'work per byte written (key + value)' },
  cost_event: { value: 10, min: 0, max: 1_000_000, governable: true, doc: 'work per event emitted' },
  cost_recipient: { value: 20, min: 0, max: 1_000_000, governable: true, doc: 'work per batch-payout recipient, on top of its reads and writes' },
  max_payout_recipients: { value: 10_000, min: 1, max: 10_000, governable: true, doc: 'most recipients in one batch payout' },
  max_tx_ttl_blocks: { value: 100_000, min: 1, max: 100_000_000, governable: true, doc: 'a transaction expiry may be at most this many blocks ahead' },
  max_tier: { value: 4, min: 1, max: 8, governable: true, doc: 'highest KYC tier a bank may attach' },
  proposal_ttl_ms: { value: 14 * DAY_MS, min: 60_000, max: 365 * DAY_MS, governable: true, doc: 'block time a proposal stays open' },
  max_lock_ms: { value: 365 * DAY_MS, min: 60_000, max: 3650 * DAY_MS, governable: true, doc: 'longest lock or grant expiry ahead of block time' },
  daily_window_ms: { value: DAY_MS, min: 60_000, max: 30 * DAY_MS, governable: false, doc: 'length of the rolling daily window' },
  daily_window_buckets: { value: 24, min: 1, max: 1024, governable: false, doc: 'buckets of the daily window (its granularity)' },
  annual_window_ms: { value: 365 * DAY_MS, min: DAY_MS, max: 3650 * DAY_MS, governable: false, doc: 'length of the rolling annual window' },
  annual_window_buckets: { value: 73, min: 1, max: 1024, governable: false, doc: 'buckets of the annual window (5-day granularity by default)' },
} as const satisfies Record<string, ParamSpec>;

export type ParamName = keyof typeof PARAM_SPECS;
export type Params = { readonly [K in ParamName]: number };

/** Parameter names in byte order: the order they are read and written. */
export const PARAM_NAMES: readonly ParamName[] = (Object.keys(PARAM_SPECS) as ParamName[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

export function isParamName(name: string): name is ParamName {
  return Object.prototype.hasOwnProperty.call(PARAM_SPECS, name);
}

export function defaultParams(): Params {
  const out: Record<string, number> = {};
  for (const n of PARAM_NAMES) out[n] = PARAM_SPECS[n].value;
  return out as Params;
}

/** Why `value` is not acceptable for `name`, or null. */
export function paramProblem(name: string, value: number): string | null {
  if (!isParamName(name)) return `unknown parameter "${name}"`;
  const s = PARAM_SPECS[name];
  if (!Number.isSafeInteger(value) || value < s.min || value > s.max) return `${name} must be within ${s.min}..${s.max}`;
  return null;
}

/** Read every parameter; one missing from state has its default. */
export async function loadParams(state: StateReader): Promise<Params> {
  const out: Record<string, number> = {};
  for (const n of PARAM_NAMES) {
    const raw = await state.get(Keys.param(n));
    out[n] = raw === undefined ? PARAM_SPECS[n].value : decode(ParamValueSchema, raw).value;
  }
  return Object.freeze(out) as Params;
}
