/**
 * Genesis: a typed, canonical genesis document turned into the chain's initial writes.
 * The document is an array in field-position order, so it has one byte form and one hash:
 * the engine's four fields (chain id, address prefix, genesis time, parameter overrides),
 * then each module's section fields at the positions its descriptor declares (literals:
 * gov's validators, institutions and council at 4-6, money's currencies at 7, ...). The
 * twelve fields of the first document format are always written; a field past them (a
 * later module's section, always a list) is written only up to the last one that is not
 * empty, so a document that uses none of them keeps its bytes and its hash.
 *
 * `applyGenesis` writes the chain record and every parameter of the registry, then runs the
 * modules' genesis steps in their declared order (gov's validators, institutions and council
 * through the governance actions' executors, so genesis passes the checks later changes
 * must; then currencies, accounts, reserves, bank limits, balances). Any problem is a
 * VmError BAD_GENESIS naming the entry. docs/vm.md documents the shape.
 */
import {
  chainIdField, checkAddressPrefix, CodecError, Domain, encode, ErrorCodes, hashOf, isSovError, list, str, struct, uint, type Infer, type Schema,
} from '../core/index.js';
import { fail, VmError } from './errors.js';
import { Overlay, type StateReader, type WriteSet } from './state.js';
import { Meter } from './meter.js';
import { TxContext, type ValidatorUpdate } from './context.js';
import { defaultParams, paramProblem, type Params } from './params.js';
import { ChainMetaSchema, ParamValueSchema } from './records.js';
import { engineRecords } from './engine.js';
import { BUILTIN } from './builtin.js';
import type { MODULE_DEFS } from './modules/index.js';
import type { GenesisStepContext } from './module.js';
import type { Registry } from './registry.js';

/** The engine's fields, positions 0..3. */
const ENGINE_FIELDS = {
  chainId: chainIdField,
  addressPrefix: str(16),
  /** Unix ms: the time of the genesis state (block 1's time must be later). */
  genesisTime: uint,
  params: list(struct('GenesisParam', { name: str(64), value: uint }), 64),
};
/** Fields of the first document format: always written, whatever is in them. */
export const FIRST_FORMAT_FIELDS = 12;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type SectionOf<M> = M extends { genesis: { fields: infer F } } ? { readonly [K in keyof F]: F[K] extends { schema: Schema<infer T> } ? T : never } : Record<never, never>;

/**
 * A genesis document of the built-in modules: the engine's fields and every built-in
 * module's section. A registry with more modules reads their sections from the further
 * properties (missing ones are empty).
 */
export type GenesisDoc = { readonly [K in keyof typeof ENGINE_FIELDS]: Infer<(typeof ENGINE_FIELDS)[K]> } & UnionToIntersection<SectionOf<(typeof MODULE_DEFS)[keyof typeof MODULE_DEFS]>> & {
  readonly [section: string]: unknown;
};

export interface GenesisResult {
  readonly writes: WriteSet;
  /** The initial validator set. */
  readonly validators: readonly ValidatorUpdate[];
  /** hashOf("genesis", canonical document bytes). */
  readonly genesisHash: Uint8Array;
  readonly params: Params;
}

const schemas = new WeakMap<Registry, Schema<GenesisDoc>>();

/** The genesis document's schema under `reg` (fields in position order). */
export function genesisSchemaOf(reg: Registry): Schema<GenesisDoc> {
  let s = schemas.get(reg);
  if (s === undefined) {
    const fields: [string, Schema<unknown>][] = [...Object.entries(ENGINE_FIELDS), ...reg.genesisFields.map((f) => [f.name, f.schema] as [string, Schema<unknown>])];
    const first = struct('Genesis', Object.fromEntries(fields.slice(0, FIRST_FORMAT_FIELDS))) as unknown as Schema<GenesisDoc>;
    s = fields.length <= FIRST_FORMAT_FIELDS ? first : withLaterSections(first, fields.slice(FIRST_FORMAT_FIELDS));
    schemas.set(reg, s);
  }
  return s;
}

/**
 * The first format's struct followed by later sections, each a list, written only up to the
 * last non-empty one (a missing one reads as empty).
 */
function withLaterSections(first: Schema<GenesisDoc>, later: [string, Schema<unknown>][]): Schema<GenesisDoc> {
  for (const [name, s] of later) if (s.shape.kind !== 'list') throw new Error(`genesis field ${name}: a section after the first format's fields must be a list`);
  const allFields = [...(first.shape.kind === 'struct' ? first.shape.fields : []), ...later];
  return {
    name: 'Genesis',
    shape: { kind: 'struct', fields: allFields },
    toWire(value: GenesisDoc, path: string): unknown {
      const head = first.toWire(value, path) as unknown[];
      const tail = later.map(([name, s]) => s.toWire((value[name] ?? []) as never, `${path}.${name}`) as unknown[]);
      let n = tail.length;
      while (n > 0 && tail[n - 1]!.length === 0) n--;
      return [...head, ...tail.slice(0, n)];
    },
    fromWire(wire: unknown, path: string): GenesisDoc {
      if (!Array.isArray(wire) || wire.length < FIRST_FORMAT_FIELDS || wire.length > FIRST_FORMAT_FIELDS + later.length) {
        throw new CodecError(ErrorCodes.CODEC_WRONG_TYPE, `${path}: expected an array of ${FIRST_FORMAT_FIELDS}..${FIRST_FORMAT_FIELDS + later.length} fields`, { path });
      }
      const doc = first.fromWire(wire.slice(0, FIRST_FORMAT_FIELDS), path) as Record<string, unknown>;
      later.forEach(([name, s], i) => {
        const w = wire[FIRST_FORMAT_FIELDS + i];
        doc[name] = w === undefined ? [] : s.fromWire(w, `${path}.${name}`);
      });
      return doc as GenesisDoc;
    },
  };
}

/** The built-in document schema. */
export const GenesisSchema: Schema<GenesisDoc> = genesisSchemaOf(BUILTIN);

const GENESIS_SIGNER = new Uint8Array(20);

function bad(where: string, e: unknown): never {
  if (e instanceof VmError && e.code === 'BAD_GENESIS') throw e;
  if (isSovError(e)) fail('BAD_GENESIS', `${where}: ${e.code}: ${e.message}`, { cause: e.code });
  throw e;
}

async function step(where: string, fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (e) {
    bad(where, e);
  }
}

/** Build the initial writes of `doc` over an empty `state`, under the modules of `reg`. */
export async function applyGenesis(state: StateReader, doc: GenesisDoc, reg: Registry = BUILTIN): Promise<GenesisResult> {
  let bytes: Uint8Array;
  const schema = genesisSchemaOf(reg);
  try {
    bytes = encode(schema, doc);
    checkAddressPrefix(doc.addressPrefix);
  } catch (e) {
    bad('document', e);
  }
  if ((await state.get(engineRecords.chain.keyOf())) !== undefined) fail('BAD_GENESIS', 'state already has a chain');
  const params: Record<string, number> = { ...defaultParams(reg) };
  for (const p of doc.params) {
    const problem = paramProblem(p.name, p.value, reg);
    if (problem !== null) fail('BAD_GENESIS', `params: ${problem}`);
    params[p.name] = p.value;
  }
  const frozen = Object.freeze(params) as Params;
  const overlay = new Overlay(state);
  const meter = new Meter(Number.MAX_SAFE_INTEGER, frozen);
  const block = { chainId: doc.chainId, height: 0, time: doc.genesisTime, proposer: GENESIS_SIGNER };
  const ctx = new TxContext(block, frozen, GENESIS_SIGNER, new Uint8Array(32), meter, overlay, reg);

  ctx.put(ChainMetaSchema, engineRecords.chain.keyOf(), { chainId: doc.chainId, addressPrefix: doc.addressPrefix, genesisTime: doc.genesisTime });
  for (const n of reg.paramNames) ctx.put(ParamValueSchema, engineRecords.param.keyOf(n), { value: frozen[n as keyof Params] });
  // Sections of the registry the document does not carry are empty.
  const full: Record<string, unknown> = { ...doc };
  for (const f of reg.genesisFields) if (full[f.name] === undefined && f.position >= FIRST_FORMAT_FIELDS) full[f.name] = [];
  const g: GenesisStepContext = { ctx, doc: full, step };
  for (const s of reg.genesisSteps) {
    try {
      await s.run(g);
    } catch (e) {
      bad(s.name, e);
    }
  }
  return { writes: overlay.writeSet(), validators: ctx.validatorUpdates, genesisHash: hashOf(Domain.GENESIS, bytes!), params: frozen };
}
