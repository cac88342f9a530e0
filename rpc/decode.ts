/**
 * Events and method args as JSON with field names, by their module's schemas in the module
 * registry: what RPC answers, subscriptions, the CLI and the SDK show beside the raw hex (kept
 * for those who verify). An event or args that the registry has no schema for, or whose bytes
 * do not decode by it, read as null: the hex is still there, and nothing is guessed.
 */
import { decode, fromHex } from '../core/index.js';
import { BUILTIN, eventSpec, findMethod, type Registry } from '../vm/index.js';
import type { EventView } from './facade.js';
import { recordToJson } from './records.js';

/** The fields of event `module.name` with bytes `data` as JSON (bigints decimal strings, 20-byte fields addresses), or null. */
export function eventFields(module: string, name: string, data: Uint8Array, addressPrefix: string, reg: Registry = BUILTIN): Record<string, unknown> | null {
  const spec = eventSpec(reg, module, name);
  if (spec === undefined) return null;
  try {
    return recordToJson(decode(spec.schema, data), addressPrefix) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** An event's view: its module, name and data (0x-hex), and its decoded fields. */
export function eventView(e: { module: string; name: string; data: Uint8Array }, addressPrefix: string, reg: Registry = BUILTIN): EventView {
  return { module: e.module, name: e.name, data: '0x' + Buffer.from(e.data).toString('hex'), fields: eventFields(e.module, e.name, e.data, addressPrefix, reg) };
}

/** An event view with `fields` filled from its hex (a view from a node that did not decode it, or from the wire). */
export function decodeEventView(v: { module: string; name: string; data: string }, addressPrefix: string, reg: Registry = BUILTIN): EventView {
  let data: Uint8Array;
  try {
    data = fromHex(v.data);
  } catch {
    return { ...v, fields: null };
  }
  return { ...v, fields: eventFields(v.module, v.name, data, addressPrefix, reg) };
}

/** The args of `module.method` (the tx body's bytes) as JSON with field names, or null. */
export function argsJson(module: string, method: string, args: Uint8Array, addressPrefix: string, reg: Registry = BUILTIN): Record<string, unknown> | null {
  const m = findMethod(reg, module, method);
  if (typeof m === 'string') return null;
  try {
    return recordToJson(decode(m.args, args), addressPrefix) as Record<string, unknown>;
  } catch {
    return null;
  }
}
