/**
 * The engine's own records (the chain's identity and its parameters) and the counter record
 * every module keeps its next id in. Each module's records are in its own folder
 * (vm/modules/NAME/records.ts). Records are immutable values: a handler reads one, builds a
 * changed copy and writes it back.
 */
import { chainIdField, str, struct, uint, type Infer } from '../core/index.js';

export const ParamValueSchema = struct('ParamValue', { value: uint });

export const ChainMetaSchema = struct('ChainMeta', { chainId: chainIdField, addressPrefix: str(16), genesisTime: uint });
export type ChainMeta = Infer<typeof ChainMetaSchema>;

/** The next id of a kind of record (proposals, payouts, locks, grants, ...). */
export const CounterSchema = struct('Counter', { next: uint });
