/**
 * The genesis pipeline, shared by the CLI and the node: a template (TOML text) is parsed,
 * its names resolved, every rule checked and the document run through vm + state; then the
 * document is put in canonical order and rendered as genesis.json, with its hash and initial
 * state root. genesis.json is read back the same way (`loadGenesisFile`, what a node calls).
 * Every failure is a GenesisError listing all problems with their paths.
 */
import { readFileSync } from 'node:fs';
import { isSovError } from '../core/index.js';
import type { GenesisDoc } from '../vm/index.js';
import { GenesisError, Problems, type Problem } from './errors.js';
import { parseTemplate } from './template.js';
import { resolveTemplate } from './resolve.js';
import { checkDocument, type CheckOptions } from './check.js';
import { canonicalize, genesisDocumentHash, toVmDoc, type JurisdictionGenesis } from './document.js';
import { docFromJson, renderGenesisJson } from './json.js';
import { duplicateJsonKeys } from './json-keys.js';
import { genesisState, type GenesisState } from './state.js';

export interface BuildOptions {
  /** Accept entries without contribution signatures (drafts; never for a real chain). */
  readonly allowUnsigned?: boolean;
}

export interface LoadedGenesis {
  /** The document, in canonical order. */
  readonly doc: JurisdictionGenesis;
  /** Its state-machine part, for vm.applyGenesis. */
  readonly vmDoc: GenesisDoc;
  /** hashOf("genesis-document", canonical bytes): the chain's genesis hash. */
  readonly hash: Uint8Array;
  /** genesis.json text (the one byte form of the document). */
  readonly json: string;
  /** Initial state root, vm genesis hash, writes and validator set. */
  readonly state: GenesisState;
}

async function finish(doc: JurisdictionGenesis, problems: Problems, what: string): Promise<LoadedGenesis> {
  problems.throwIfAny(what);
  // The vm's own checks (they stop at the first refusal), on the document in the order its
  // paths were reported in.
  try {
    await genesisState(doc);
  } catch (e) {
    if (e instanceof GenesisError) for (const p of e.problems) problems.add(p.path, p.message);
    else throw e;
  }
  problems.throwIfAny(what);
  const canonical = canonicalize(doc);
  const state = await genesisState(canonical);
  return { doc: canonical, vmDoc: toVmDoc(canonical), hash: genesisDocumentHash(canonical), json: renderGenesisJson(canonical), state };
}

/** Build genesis from template text; throws GenesisError listing every problem. */
export async function buildFromTemplate(text: string, opts: BuildOptions = {}, source = 'template'): Promise<LoadedGenesis> {
  const { template, problems } = parseTemplate(text);
  if (template === null) problems.throwIfAny(source);
  const { doc, unresolved } = resolveTemplate(template!, problems);
  checkDocument(doc, problems, { ...opts, unresolved } satisfies CheckOptions);
  return finish(doc, problems, source);
}

/** Read genesis.json text; throws GenesisError listing every problem. */
export async function parseGenesisJson(text: string, opts: BuildOptions = {}, source = 'genesis.json'): Promise<LoadedGenesis> {
  const problems = new Problems();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    problems.add('', `not JSON: ${(e as Error).message}`);
    problems.throwIfAny(source);
  }
  for (const p of duplicateJsonKeys(text)) problems.add(p, 'duplicate key');
  const doc = docFromJson(json, problems);
  if (doc === null) problems.throwIfAny(source);
  checkDocument(doc!, problems, opts);
  return finish(doc!, problems, source);
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new GenesisError('GENESIS_IO', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** What a node calls at start: read and check genesis.json (signatures required). */
export function loadGenesisFile(path: string, opts: BuildOptions = {}): Promise<LoadedGenesis> {
  return parseGenesisJson(readText(path), opts, path);
}

/** Check a template (.toml) or a genesis.json; every problem, or [] when it is valid. */
export async function validateFile(path: string, opts: BuildOptions = {}): Promise<{ problems: readonly Problem[]; loaded: LoadedGenesis | null }> {
  const text = readText(path);
  const isToml = /\.toml$/i.test(path) || !text.trimStart().startsWith('{');
  try {
    const loaded = isToml ? await buildFromTemplate(text, opts, path) : await parseGenesisJson(text, opts, path);
    return { problems: [], loaded };
  } catch (e) {
    if (e instanceof GenesisError && e.code === 'GENESIS_INVALID') return { problems: e.problems, loaded: null };
    if (isSovError(e)) return { problems: [{ path: '', message: `${e.code}: ${e.message}` }], loaded: null };
    throw e;
  }
}
