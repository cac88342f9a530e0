/**
 * Queries: every record a module keeps is at a key its descriptor declares, so any of it
 * can be read by key, and proven by the state layer's proof of that key (value or absence).
 * `recordSchemaOf` says how to decode the value at any key of the registry's records;
 * `readRecord` reads and decodes one. The RPC exposes these with the state layer's proofs.
 */
import { decode, type Schema } from '../core/index.js';
import { BUILTIN } from './builtin.js';
import { recordOfKey, type Registry } from './registry.js';
import type { StateReader } from './state.js';

/** The record kind and schema of a key, or undefined for a key no record of `reg` has. */
export function recordSchemaOf(key: Uint8Array, reg: Registry = BUILTIN): { readonly name: string; readonly schema: Schema<unknown> } | undefined {
  return recordOfKey(reg, key);
}

/** Read and decode the record at `key`; undefined if absent. Throws for a key of no record. */
export async function readRecord(state: StateReader, key: Uint8Array, reg: Registry = BUILTIN): Promise<{ readonly kind: string; readonly value: unknown } | undefined> {
  const s = recordSchemaOf(key, reg);
  if (s === undefined) throw new RangeError('not a vm key');
  const raw = await state.get(key);
  return raw === undefined ? undefined : { kind: s.name, value: decode(s.schema, raw) };
}
