/**
 * Modules: a module is a name and a table of methods; a method is an args schema (core
 * schema; the tx body's args bytes are decoded with core `decode`, so malformed args are a
 * typed MALFORMED_ARGS failure) and a pure async handler over a TxContext. A handler may
 * return result bytes for its receipt. Modules are registered in one table (modules/index.ts);
 * adding one touches no other.
 */
import type { Schema } from '../core/index.js';
import type { TxContext } from './context.js';

export interface MethodDef<A> {
  readonly args: Schema<A>;
  /** Who may call it, for docs/vm.md and the RPC's method list. */
  readonly doc: string;
  readonly handler: (ctx: TxContext, args: A) => Promise<Uint8Array | void>;
}

export interface ModuleDef {
  readonly name: string;
  readonly methods: Readonly<Record<string, MethodDef<any>>>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export function method<A>(args: Schema<A>, doc: string, handler: (ctx: TxContext, args: A) => Promise<Uint8Array | void>): MethodDef<A> {
  return { args, doc, handler };
}

export type ModuleRegistry = ReadonlyMap<string, ModuleDef>;

export function registry(mods: readonly ModuleDef[]): ModuleRegistry {
  const m = new Map<string, ModuleDef>();
  for (const d of mods) {
    if (m.has(d.name)) throw new Error(`module ${d.name} registered twice`);
    m.set(d.name, d);
  }
  return m;
}

export function findMethod(reg: ModuleRegistry, module: string, name: string): MethodDef<unknown> | 'no-module' | 'no-method' {
  const mod = reg.get(module);
  if (mod === undefined) return 'no-module';
  if (!Object.prototype.hasOwnProperty.call(mod.methods, name)) return 'no-method';
  return mod.methods[name]!;
}
