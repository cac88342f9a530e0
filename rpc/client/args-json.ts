/**
 * A module method's args to and from JSON, guided by the method's own vm schema: what the
 * CLI reads from `--args`, and what a JSON-speaking integrator sends. Amounts and other
 * bigints are decimal strings (or safe integers), 20-byte fields bech32m addresses (or
 * 0x-hex), other bytes 0x-hex, optional fields null or left out. Every mistake is an
 * ArgsError naming the field's path; nothing is guessed.
 */
import { decodeAddress, fromHex, SovError, to0x, type Schema } from '../../core/index.js';
import { BUILTIN, findMethod, makeActionIn, type Registry } from '../../vm/index.js';

export class ArgsError extends SovError {
  constructor(path: string, message: string) {
    super('ARGS_INVALID', `${path}: ${message}`, { path });
  }
}

const ADDRESS_BYTES = 20;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  return Array.isArray(v) ? 'array' : typeof v;
}

/** Convert JSON `json` to the value `schema` encodes. `prefix` is the chain's address prefix. */
export function argsFromJson<T>(schema: Schema<T>, json: unknown, prefix: string, path = 'args'): T {
  return fromJson(schema as Schema<unknown>, json, prefix, path) as T;
}

function fromJson(schema: Schema<unknown>, v: unknown, prefix: string, path: string): unknown {
  const shape = schema.shape;
  switch (shape.kind) {
    case 'int':
      if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
      if (typeof v === 'string' && DECIMAL.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
      throw new ArgsError(path, `expected an integer, got ${typeName(v)}`);
    case 'bigint':
      if (typeof v === 'string' && DECIMAL.test(v)) return BigInt(v);
      if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
      throw new ArgsError(path, `expected a decimal string (minor units), got ${typeName(v)}`);
    case 'bool':
      if (typeof v === 'boolean') return v;
      throw new ArgsError(path, `expected true or false, got ${typeName(v)}`);
    case 'string':
      if (typeof v === 'string') return v;
      throw new ArgsError(path, `expected a string, got ${typeName(v)}`);
    case 'bytes': {
      if (typeof v !== 'string') throw new ArgsError(path, `expected ${shape.length === ADDRESS_BYTES ? 'an address' : '0x-hex bytes'}, got ${typeName(v)}`);
      try {
        if (shape.length === ADDRESS_BYTES && !v.startsWith('0x')) return decodeAddress(v, prefix);
        if (!v.startsWith('0x')) throw new Error('bytes are written 0x-hex');
        return fromHex(v.slice(2), shape.length);
      } catch (e) {
        throw new ArgsError(path, (e as Error).message);
      }
    }
    case 'optional':
      return v === null || v === undefined ? null : fromJson(shape.inner, v, prefix, path);
    case 'list':
      if (!Array.isArray(v)) throw new ArgsError(path, `expected an array, got ${typeName(v)}`);
      if (v.length > shape.maxItems) throw new ArgsError(path, `${v.length} items exceeds ${shape.maxItems}`);
      return v.map((x, i) => fromJson(shape.inner, x, prefix, `${path}[${i}]`));
    case 'struct': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ArgsError(path, `expected an object (${schema.name}), got ${typeName(v)}`);
      const obj = v as Record<string, unknown>;
      const known = new Set(shape.fields.map(([k]) => k));
      for (const k of Object.keys(obj)) if (!known.has(k)) throw new ArgsError(path, `unknown field "${k.slice(0, 64)}" (${schema.name} has ${[...known].join(', ')})`);
      const out: Record<string, unknown> = {};
      for (const [k, s] of shape.fields) {
        if (obj[k] === undefined && s.shape.kind !== 'optional') throw new ArgsError(`${path}.${k}`, 'missing');
        out[k] = fromJson(s, obj[k], prefix, `${path}.${k}`);
      }
      return out;
    }
  }
}

/** A JSON template of what `schema` takes, each leaf a short description: the CLI's help. */
export function describeArgs(schema: Schema<unknown>): unknown {
  const shape = schema.shape;
  switch (shape.kind) {
    case 'int': return 'integer';
    case 'bigint': return 'decimal string';
    case 'bool': return 'true | false';
    case 'string': return `string (<= ${shape.maxBytes} bytes)`;
    case 'bytes':
      if (shape.length === ADDRESS_BYTES) return 'address';
      return shape.length !== undefined ? `0x-hex, ${shape.length} bytes` : `0x-hex, <= ${shape.max ?? '?'} bytes`;
    case 'optional': {
      const inner = describeArgs(shape.inner);
      return typeof inner === 'string' ? `${inner} | null` : { optional: inner };
    }
    case 'list': return [describeArgs(shape.inner)];
    case 'struct': return Object.fromEntries(shape.fields.map(([k, s]) => [k, describeArgs(s)]));
  }
}

/**
 * The args of `module.method` from JSON. One convenience beyond the schema: a governance
 * proposal's action may be written by name, `{"action": {"add_validator": {...}}, ...}`,
 * and is encoded with that action's own schema (the raw `{kind, data}` form works too).
 */
export function methodArgsFromJson(module: string, method: string, json: unknown, prefix: string, reg: Registry = BUILTIN): unknown {
  const def = findMethod(reg, module, method);
  if (typeof def === 'string') throw new ArgsError(`${module}.${method}`, 'no such method');
  if (module === 'gov' && method === 'propose' && typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const action = (json as Record<string, unknown>).action;
    if (typeof action === 'object' && action !== null && !Array.isArray(action) && !('kind' in action)) {
      const names = Object.keys(action);
      const entry = names.length === 1 ? reg.actionsByName.get(names[0]!) : undefined;
      if (!entry) throw new ArgsError('args.action', `name one action: ${[...reg.actionsByName.keys()].join(', ')}`);
      const args = argsFromJson(entry.def.args, (action as Record<string, unknown>)[names[0]!], prefix, `args.action.${names[0]}`);
      // The named action becomes its raw form, and the whole args go through the schema as usual.
      const made = makeActionIn(reg, entry.def.kind, args);
      return argsFromJson(def.args, { ...json, action: { kind: made.kind, data: to0x(made.data) } }, prefix);
    }
  }
  return argsFromJson(def.args, json, prefix);
}

/** What `module.method` takes, as a JSON template (proposal actions listed by name). */
export function describeMethodArgs(module: string, method: string, reg: Registry = BUILTIN): unknown {
  const def = findMethod(reg, module, method);
  if (typeof def === 'string') throw new ArgsError(`${module}.${method}`, 'no such method');
  const base = describeArgs(def.args);
  if (module !== 'gov' || method !== 'propose') return base;
  return { ...(base as object), action: { 'one of': Object.fromEntries([...reg.actionsByName].map(([name, a]) => [name, describeArgs(a.def.args)])) } };
}
