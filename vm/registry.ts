/**
 * The registry: a set of module descriptors (module.ts), checked together and turned into
 * every table the rest of the node reads. Loading refuses, naming both claimants: two
 * modules of one name; two record kinds on one prefix byte, or of one name; two codes of one
 * number or name, a code outside its module's range, two ranges that overlap; two parameters
 * or governance actions of one name or kind; an event filed under another module's name;
 * two genesis fields at one position or of one name, or two steps of one order; and one key
 * field name used with two kinds (the RPC names record keys by field). The engine's own part
 * (engine.ts) is always included and never dispatched to.
 *
 * Derived here: dispatch (`findMethod`), record kinds by prefix and name (queries, the RPC,
 * proofs), code numbers and names, parameter specs, events by (module, name), governance
 * actions by kind, the genesis document's fields and steps in order, and the hooks and
 * `concerns` functions in module-name order. Everything iterates in a defined order.
 */
import type { Schema } from '../core/index.js';
import { ENGINE, ENGINE_GENESIS_RANGE, ENGINE_NAME } from './engine.js';
import { registerCodes } from './errors.js';
import type {
  ActionDef, CodeSpec, EventSpec, GenesisField, GenesisStep, KeyField, KeyFieldKind, MethodDef, ModuleDescriptor, ModuleHooks, ParamSpec, RecordSpec, IndexSpec,
} from './module.js';

export interface RecordEntry {
  readonly module: string;
  /** The record kind, e.g. `balance` (the RPC's `kind`). */
  readonly name: string;
  readonly spec: RecordSpec<unknown, readonly KeyField[]>;
}

export interface CodeEntry extends CodeSpec {
  readonly module: string;
  readonly name: string;
}

export interface ParamEntry extends ParamSpec {
  readonly module: string;
}

export interface ActionEntry {
  readonly module: string;
  readonly name: string;
  readonly def: ActionDef<unknown>;
}

export interface GenesisFieldEntry extends GenesisField {
  readonly module: string;
  readonly name: string;
}

export interface GenesisStepEntry extends GenesisStep {
  readonly module: string;
}

type HookName = keyof ModuleHooks;
export type HookList<H extends HookName> = readonly { readonly module: string; readonly run: NonNullable<ModuleHooks[H]> }[];

export interface Registry {
  /** The modules transactions can address, sorted by name. */
  readonly modules: readonly ModuleDescriptor[];
  readonly byName: ReadonlyMap<string, ModuleDescriptor>;
  /** Every record kind (the engine's first, then by module name, each module's in declared order). */
  readonly records: readonly RecordEntry[];
  readonly recordsByName: ReadonlyMap<string, RecordEntry>;
  readonly recordsByPrefix: ReadonlyMap<number, RecordEntry>;
  /** Every key field name with its kind and, for text, its form (one kind per name). */
  readonly keyFields: ReadonlyMap<string, { readonly kind: KeyFieldKind; readonly pattern?: RegExp }>;
  /** Every code, by name, sorted by number. */
  readonly codes: ReadonlyMap<string, CodeEntry>;
  readonly codesByNumber: ReadonlyMap<number, CodeEntry>;
  /** Every parameter by name; `paramNames` in byte order (the order they are read and written). */
  readonly params: Readonly<Record<string, ParamEntry>>;
  readonly paramNames: readonly string[];
  /** Events by `module.name`. */
  readonly events: ReadonlyMap<string, EventSpec>;
  readonly actions: ReadonlyMap<number, ActionEntry>;
  readonly actionsByName: ReadonlyMap<string, ActionEntry>;
  /** The genesis document's fields by position (the engine's four first), and every module's steps by order. */
  readonly genesisFields: readonly GenesisFieldEntry[];
  readonly genesisSteps: readonly GenesisStepEntry[];
  readonly hooks: { readonly [H in HookName]: HookList<H> };
  readonly concerns: readonly { readonly module: string; readonly run: NonNullable<ModuleDescriptor['concerns']> }[];
  /** The node-side indexes by `module.name` (module.ts IndexSpec). */
  readonly indexes: ReadonlyMap<string, { readonly module: string; readonly name: string; readonly spec: IndexSpec }>;
}

export type MethodLookup = MethodDef<unknown> | 'no-module' | 'no-method';

export function findMethod(reg: Registry, module: string, name: string): MethodLookup {
  const mod = reg.byName.get(module);
  if (mod === undefined) return 'no-module';
  if (!Object.prototype.hasOwnProperty.call(mod.methods, name)) return 'no-method';
  return mod.methods[name]!;
}

/** The event spec of (module, name) in `reg`, or undefined. */
export function eventSpec(reg: Registry, module: string, name: string): EventSpec | undefined {
  return reg.events.get(`${module}.${name}`);
}

/** The engine's four genesis fields; modules' positions start after them. */
export const ENGINE_GENESIS_FIELDS = 4;

const MODULE_NAME_RE = /^[a-z][a-z0-9_]{0,31}$/;

class Claims<K> {
  private readonly seen = new Map<K, string>();
  constructor(private readonly what: (k: K) => string) {}
  claim(k: K, by: string): void {
    const other = this.seen.get(k);
    if (other !== undefined) throw new RegistryError(`${this.what(k)} is claimed by both ${other} and ${by}`);
    this.seen.set(k, by);
  }
}

/** A registry that cannot load: two descriptors claim one thing, or one is malformed. */
export class RegistryError extends Error {
  constructor(message: string) {
    super(`module registry: ${message}`);
    this.name = 'RegistryError';
  }
}

const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

/** Check `modules` (with the engine) and derive the registry. Throws RegistryError naming both claimants of anything claimed twice. */
export function createRegistry(modules: readonly ModuleDescriptor[]): Registry {
  const names = new Claims<string>((n) => `module name "${n}"`);
  names.claim(ENGINE_NAME, 'the engine');
  for (const m of modules) {
    if (!MODULE_NAME_RE.test(m.name)) throw new RegistryError(`module name "${m.name}" is not ${MODULE_NAME_RE}`);
    names.claim(m.name, `module ${m.name}`);
  }
  const sorted = [...modules].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const all = [ENGINE, ...sorted];

  // Records: prefixes, names, key field kinds.
  const prefixes = new Claims<number>((p) => `record prefix ${hex2(p)}`);
  const recordNames = new Claims<string>((n) => `record kind "${n}"`);
  const records: RecordEntry[] = [];
  const keyFields = new Map<string, { kind: KeyFieldKind; pattern?: RegExp; by: string }>();
  for (const m of all) {
    for (const [name, spec] of Object.entries(m.records)) {
      const by = `${m.name}.${name}`;
      prefixes.claim(spec.prefix, by);
      recordNames.claim(name, by);
      for (const f of spec.key as readonly KeyField[]) {
        const known = keyFields.get(f.name);
        if (known && (known.kind !== f.kind || String(known.pattern) !== String(f.pattern))) {
          throw new RegistryError(`key field "${f.name}" is ${known.kind} in ${known.by} and ${f.kind} in ${by}`);
        }
        if (!known) keyFields.set(f.name, { kind: f.kind, ...(f.pattern ? { pattern: f.pattern } : {}), by });
      }
      records.push({ module: m.name, name, spec: spec as RecordSpec<unknown, readonly KeyField[]> });
    }
  }

  // Codes: numbers, names, ranges.
  const ranges: { module: string; lo: number; hi: number }[] = [
    { module: ENGINE_NAME, lo: ENGINE.codeRange[0], hi: ENGINE.codeRange[1] },
    { module: ENGINE_NAME, lo: ENGINE_GENESIS_RANGE[0], hi: ENGINE_GENESIS_RANGE[1] },
  ];
  for (const m of sorted) {
    const [lo, hi] = m.codeRange;
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo > hi) throw new RegistryError(`module ${m.name}: code range ${lo}..${hi} is not a range`);
    const clash = ranges.find((r) => lo <= r.hi && r.lo <= hi);
    if (clash) throw new RegistryError(`code range ${lo}..${hi} of module ${m.name} overlaps ${clash.lo}..${clash.hi} of ${clash.module === ENGINE_NAME ? 'the engine' : `module ${clash.module}`}`);
    ranges.push({ module: m.name, lo, hi });
  }
  const codeNums = new Claims<number>((n) => `code number ${n}`);
  const codeNames = new Claims<string>((n) => `code ${n}`);
  const codeList: CodeEntry[] = [];
  for (const m of all) {
    const own = ranges.filter((r) => r.module === m.name);
    for (const [name, c] of Object.entries(m.codes)) {
      const by = m.name === ENGINE_NAME ? 'the engine' : `module ${m.name}`;
      codeNums.claim(c.num, `${by} (${name})`);
      codeNames.claim(name, `${by} (${c.num})`);
      if (!own.some((r) => c.num >= r.lo && c.num <= r.hi)) throw new RegistryError(`code ${name} (${c.num}) of ${by} is outside its range ${own.map((r) => `${r.lo}..${r.hi}`).join(', ')}`);
      codeList.push({ ...c, module: m.name, name });
    }
  }
  codeList.sort((a, b) => a.num - b.num);

  // Parameters.
  const paramClaims = new Claims<string>((n) => `parameter ${n}`);
  const params: Record<string, ParamEntry> = {};
  for (const m of all) {
    for (const [name, s] of Object.entries(m.params)) {
      paramClaims.claim(name, m.name === ENGINE_NAME ? 'the engine' : `module ${m.name}`);
      if (!(s.min <= s.value && s.value <= s.max)) throw new RegistryError(`parameter ${name}: default ${s.value} outside ${s.min}..${s.max}`);
      params[name] = { ...s, module: m.name };
    }
  }
  const paramNames = Object.keys(params).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  // Events.
  const events = new Map<string, EventSpec>();
  for (const m of sorted) {
    for (const [name, e] of Object.entries(m.events)) {
      if (e.module !== m.name || e.name !== name) throw new RegistryError(`module ${m.name} lists event "${name}" declared as ${e.module}.${e.name}`);
      events.set(`${m.name}.${name}`, e);
    }
  }

  // Governance actions.
  const kinds = new Claims<number>((k) => `action kind ${k}`);
  const actionNames = new Claims<string>((n) => `action "${n}"`);
  const actions = new Map<number, ActionEntry>();
  const actionsByName = new Map<string, ActionEntry>();
  for (const m of sorted) {
    for (const [name, def] of Object.entries(m.actions ?? {})) {
      kinds.claim(def.kind, `module ${m.name} (${name})`);
      actionNames.claim(name, `module ${m.name}`);
      const entry = { module: m.name, name, def: def as ActionDef<unknown> };
      actions.set(def.kind, entry);
      actionsByName.set(name, entry);
    }
  }

  // Node-side indexes: one id byte each.
  const indexIds = new Claims<number>((i) => `index id ${i}`);
  const indexes = new Map<string, { module: string; name: string; spec: IndexSpec }>();
  for (const m of sorted) {
    for (const [name, spec] of Object.entries(m.indexes ?? {})) {
      if (!Number.isInteger(spec.id) || spec.id < 1 || spec.id > 255) throw new RegistryError(`module ${m.name}: index ${name} has id ${spec.id}, not 1..255`);
      indexIds.claim(spec.id, `module ${m.name} (${name})`);
      indexes.set(`${m.name}.${name}`, { module: m.name, name, spec });
    }
  }

  // Genesis: fields by position (0..3 are the engine's: genesis.ts), steps by order.
  const positions = new Claims<number>((p) => `genesis position ${p}`);
  const fieldNames = new Claims<string>((n) => `genesis field "${n}"`);
  for (const n of ['chainId', 'addressPrefix', 'genesisTime', 'params']) fieldNames.claim(n, 'the engine');
  for (let i = 0; i < ENGINE_GENESIS_FIELDS; i++) positions.claim(i, 'the engine');
  const orders = new Claims<number>((o) => `genesis step order ${o}`);
  const genesisFields: GenesisFieldEntry[] = [];
  const genesisSteps: GenesisStepEntry[] = [];
  for (const m of sorted) {
    for (const [name, f] of Object.entries(m.genesis?.fields ?? {})) {
      positions.claim(f.position, `module ${m.name} (${name})`);
      fieldNames.claim(name, `module ${m.name}`);
      genesisFields.push({ ...f, module: m.name, name });
    }
    for (const s of m.genesis?.steps ?? []) {
      orders.claim(s.order, `module ${m.name} (${s.name})`);
      genesisSteps.push({ ...s, module: m.name });
    }
  }
  genesisFields.sort((a, b) => a.position - b.position);
  genesisFields.forEach((f, i) => {
    if (f.position !== ENGINE_GENESIS_FIELDS + i) throw new RegistryError(`genesis field "${f.name}" of module ${f.module} is at position ${f.position}; positions run on from ${ENGINE_GENESIS_FIELDS} without gaps`);
  });
  genesisSteps.sort((a, b) => a.order - b.order);

  // Hooks and concerns, by module name.
  const hookList = <H extends HookName>(h: H): HookList<H> =>
    sorted.filter((m) => m.hooks?.[h] !== undefined).map((m) => ({ module: m.name, run: m.hooks![h]! }) as { module: string; run: NonNullable<ModuleHooks[H]> });

  const reg: Registry = {
    modules: sorted,
    byName: new Map(sorted.map((m) => [m.name, m])),
    records,
    recordsByName: new Map(records.map((r) => [r.name, r])),
    recordsByPrefix: new Map(records.map((r) => [r.spec.prefix, r])),
    keyFields: new Map([...keyFields].map(([n, f]) => [n, { kind: f.kind, ...(f.pattern ? { pattern: f.pattern } : {}) }])),
    codes: new Map(codeList.map((c) => [c.name, c])),
    codesByNumber: new Map(codeList.map((c) => [c.num, c])),
    params,
    paramNames,
    events,
    actions,
    actionsByName,
    genesisFields,
    genesisSteps,
    hooks: { beforeTx: hookList('beforeTx'), afterTx: hookList('afterTx'), debit: hookList('debit'), credit: hookList('credit'), endBlock: hookList('endBlock'), tier: hookList('tier'), payment: hookList('payment'),
      evidence: hookList('evidence'), validatorUpdates: hookList('validatorUpdates') },
    concerns: sorted.filter((m) => m.concerns !== undefined).map((m) => ({ module: m.name, run: m.concerns! })),
    indexes,
  };
  for (const m of all) registerCodes(m.name === ENGINE_NAME ? 'the engine' : `module ${m.name}`, m.codes);
  return reg;
}

/** The record kind and schema of a state key in `reg`, or undefined for a key no record of it has. */
export function recordOfKey(reg: Registry, key: Uint8Array): { readonly name: string; readonly schema: Schema<unknown> } | undefined {
  if (key.length === 0) return undefined;
  const r = reg.recordsByPrefix.get(key[0]!);
  return r === undefined ? undefined : { name: r.name, schema: r.spec.schema };
}
