/**
 * Consensus parameters. Each is declared by the engine (engine.ts) or by a module (its
 * descriptor's `params`: default, bounds, whether the council may change it after genesis,
 * doc); the registry gathers them, refusing a name declared twice, and genesis, governance
 * and docs/vm.md all read that one table. Genesis may override any default; governance
 * (`set_param`) may change the governable ones. Values are stored one key each (the engine's
 * `param` record) and read once at the start of a block, so a change made in block h applies
 * from block h + 1. The rolling-window shapes are not governable: usage records store bucket
 * indexes that depend on them.
 */
import { decode } from '../core/index.js';
import { ParamValueSchema } from './records.js';
import { engineRecords } from './engine.js';
import type { StateReader } from './state.js';
import type { Registry } from './registry.js';
import { BUILTIN, type BUILTIN_PARAM_SPECS } from './builtin.js';

export type ParamName = keyof typeof BUILTIN_PARAM_SPECS;
/** Every parameter's value; those of modules outside the built-in set are read with `TxContext.param`. */
export type Params = { readonly [K in ParamName]: number };

export function isParamName(name: string, reg: Registry = BUILTIN): boolean {
  return Object.prototype.hasOwnProperty.call(reg.params, name);
}

export function defaultParams(reg: Registry = BUILTIN): Params {
  const out: Record<string, number> = {};
  for (const n of reg.paramNames) out[n] = reg.params[n]!.value;
  return out as Params;
}

/**
 * Values a new chain's genesis templates start from where the registry's default is kept
 * unchanged for chains that began with it (a default is part of a running chain's genesis:
 * changing it would change that chain's genesis state). `block_max_work` of 8,000,000 is
 * about a second of execution on one core: 10,000 transfers use about 5,000,000, a batch of
 * 1,000 exchange records about 90,000, so a full mempool never makes a block that outlasts the
 * consensus timeouts.
 */
export const NEW_CHAIN_PARAMS: Readonly<Partial<Record<string, number>>> = Object.freeze({ block_max_work: 8_000_000 });

/** Why `value` is not acceptable for `name`, or null. */
export function paramProblem(name: string, value: number, reg: Registry = BUILTIN): string | null {
  if (!isParamName(name, reg)) return `unknown parameter "${name}"`;
  const s = reg.params[name]!;
  if (!Number.isSafeInteger(value) || value < s.min || value > s.max) return `${name} must be within ${s.min}..${s.max}`;
  return null;
}

/** Read every parameter of `reg`; one missing from state has its default. */
export async function loadParams(state: StateReader, reg: Registry = BUILTIN): Promise<Params> {
  const out: Record<string, number> = {};
  for (const n of reg.paramNames) {
    const raw = await state.get(engineRecords.param.keyOf(n));
    out[n] = raw === undefined ? reg.params[n]!.value : decode(ParamValueSchema, raw).value;
  }
  return Object.freeze(out) as Params;
}
