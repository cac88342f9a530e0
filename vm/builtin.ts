/**
 * The built-in registry (the engine and the module table, vm/modules/index.ts) and the typed
 * tables derived from it that the rest of the node reads by name: `Keys` (each record's key
 * function, e.g. `Keys.balance(address, code)`), `Prefix` (each record's prefix byte, e.g.
 * `Prefix.BALANCE`), `VmCodes` (every code's number), the parameter specs, `ActionKind`
 * and `makeAction`. Nothing here is written by hand: a new module's records, codes,
 * parameters and actions appear in them by its line in the module table.
 */
import type { Schema } from '../core/index.js';
import { ENGINE } from './engine.js';
import { MODULE_DEFS } from './modules/index.js';
import { createRegistry, type Registry } from './registry.js';
import { makeActionIn, type ProposalActionValue } from './actions.js';
import type { ActionDef, KeyArgs, RecordSpec } from './module.js';

type Builtin = (typeof MODULE_DEFS)[keyof typeof MODULE_DEFS] | typeof ENGINE;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type CamelCase<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;

type AllRecords = UnionToIntersection<Builtin['records']>;
type AllCodes = UnionToIntersection<Builtin['codes']>;
type AllParams = UnionToIntersection<Builtin['params']>;
type ActionsOf<M> = M extends { actions: infer A } ? A : Record<never, never>;
type AllActions = UnionToIntersection<ActionsOf<Builtin>>;

/** The built-in registry: the engine and every module of the module table. */
export const BUILTIN: Registry = createRegistry(Object.values(MODULE_DEFS));

const camel = (s: string): string => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** Every built-in record's key function, by the record kind's name in camel case. */
export const Keys = Object.freeze(Object.fromEntries(BUILTIN.records.map((r) => [camel(r.name), r.spec.keyOf]))) as {
  readonly [K in keyof AllRecords as CamelCase<K & string>]: AllRecords[K] extends RecordSpec<unknown, infer F> ? (...args: KeyArgs<F>) => Uint8Array : never;
};

/** Every built-in record's prefix byte, by the record kind's name in upper case. */
export const Prefix = Object.freeze(Object.fromEntries(BUILTIN.records.map((r) => [r.name.toUpperCase(), r.spec.prefix]))) as {
  readonly [K in keyof AllRecords as Uppercase<K & string>]: number;
};

/** Every built-in code's number, by name. */
export const VmCodes = Object.freeze(Object.fromEntries([...BUILTIN.codes.values()].map((c) => [c.name, c.num]))) as { readonly [K in keyof AllCodes]: number };

/** Every built-in parameter's spec (default, bounds, governable, doc), by name. */
export const BUILTIN_PARAM_SPECS = Object.freeze(BUILTIN.params) as unknown as { readonly [K in keyof AllParams]: AllParams[K] };
export const PARAM_SPECS = BUILTIN_PARAM_SPECS;
/** Built-in parameter names in byte order: the order they are read and written. */
export const PARAM_NAMES = BUILTIN.paramNames as readonly (keyof AllParams & string)[];

/** Every built-in governance action's kind number, by its name in upper case (e.g. ActionKind.SET_PARAM). */
export const ActionKind = Object.freeze(Object.fromEntries([...BUILTIN.actionsByName].map(([n, a]) => [n.toUpperCase(), a.def.kind]))) as {
  readonly [K in keyof AllActions as Uppercase<K & string>]: number;
};

/** Every built-in action by kind: its name, args schema and executor. */
export const ACTIONS: Readonly<Record<number, { readonly name: string; readonly args: Schema<unknown>; readonly run: ActionDef<unknown>['run'] }>> = Object.freeze(
  Object.fromEntries([...BUILTIN.actions].map(([kind, a]) => [kind, { name: a.name, args: a.def.args, run: a.def.run }])),
);

/** Build a built-in action from its args (for clients, tests and genesis). */
export function makeAction<A>(kind: number, args: A): ProposalActionValue {
  return makeActionIn(BUILTIN, kind, args);
}
