/**
 * Ceremony contributions: a body's signed statement of its own genesis entry. A validator
 * body states its validator public key, node public key and p2p address; an institution
 * states its account keys and signing threshold. The statement is signed with the body's own
 * key (the validator key; an institution's first key), so the private key never leaves the
 * body's machine and the coordinator cannot substitute a key. Power and roles are not part
 * of it: the template (the jurisdiction's decision) sets them.
 *
 * Signed bytes: core `signBytes("genesis-contribution", chainId, encode(ContributionSchema,
 * statement))`, so a statement for one chain is void on any other. The same signature is
 * kept in the template and in genesis.json, where anyone can re-check it against the entry.
 *
 * Contribution file (JSON): { "format": "sov-genesis-contribution/1", "chain_id",
 * "jurisdiction", "entry": "validator" | "institution", "name", then for a validator
 * "public_key", "node_key", "p2p_address", for an institution "keys", "threshold"; and
 * "signature" } (keys and signature in hex).
 */
import { fromHex, list, optional, publicKeyField, signFor, str, struct, toHex, u8, verifyFor, encode, CHAIN_ID_RE, type KeyPair } from '../core/index.js';
import { MAX_ACCOUNT_KEYS } from '../vm/index.js';
import { at, type Problems } from './errors.js';
import { FieldReader } from './reader.js';
import { JURISDICTION_RE } from './document.js';
import { p2pAddressProblem } from './p2p-address.js';

export const CONTRIBUTION_TAG = 'genesis-contribution';
export const CONTRIBUTION_FORMAT = 'sov-genesis-contribution/1';
export const EntryKind = { VALIDATOR: 1, INSTITUTION: 2 } as const;

export const ContributionSchema = struct('GenesisContribution', {
  jurisdiction: str(3),
  entry: u8,
  name: str(64),
  keys: list(publicKeyField, MAX_ACCOUNT_KEYS),
  threshold: u8,
  nodeKey: optional(publicKeyField),
  p2pAddress: str(256),
});

export interface ValidatorStatement {
  readonly body: string;
  readonly publicKey: Uint8Array;
  readonly nodeKey: Uint8Array;
  readonly p2pAddress: string;
}

export interface InstitutionStatement {
  readonly name: string;
  readonly keys: readonly Uint8Array[];
  readonly threshold: number;
}

function validatorPayload(jurisdiction: string, s: ValidatorStatement): Uint8Array {
  return encode(ContributionSchema, {
    jurisdiction, entry: EntryKind.VALIDATOR, name: s.body, keys: [s.publicKey], threshold: 1, nodeKey: s.nodeKey, p2pAddress: s.p2pAddress,
  });
}

function institutionPayload(jurisdiction: string, s: InstitutionStatement): Uint8Array {
  return encode(ContributionSchema, {
    jurisdiction, entry: EntryKind.INSTITUTION, name: s.name, keys: s.keys, threshold: s.threshold, nodeKey: null, p2pAddress: '',
  });
}

export function signValidatorStatement(chainId: string, jurisdiction: string, s: ValidatorStatement, key: KeyPair): Uint8Array {
  return signFor(CONTRIBUTION_TAG, chainId, validatorPayload(jurisdiction, s), key.secretKey);
}

export function signInstitutionStatement(chainId: string, jurisdiction: string, s: InstitutionStatement, key: KeyPair): Uint8Array {
  return signFor(CONTRIBUTION_TAG, chainId, institutionPayload(jurisdiction, s), key.secretKey);
}

/** Does `signature` by s.publicKey cover this validator statement? (false on any malformed input) */
export function verifyValidatorStatement(chainId: string, jurisdiction: string, s: ValidatorStatement, signature: Uint8Array): boolean {
  try {
    return verifyFor(CONTRIBUTION_TAG, chainId, validatorPayload(jurisdiction, s), signature, s.publicKey);
  } catch {
    return false;
  }
}

/** Does `signature` by s.keys[0] cover this institution statement? */
export function verifyInstitutionStatement(chainId: string, jurisdiction: string, s: InstitutionStatement, signature: Uint8Array): boolean {
  if (s.keys.length === 0) return false;
  try {
    return verifyFor(CONTRIBUTION_TAG, chainId, institutionPayload(jurisdiction, s), signature, s.keys[0]!);
  } catch {
    return false;
  }
}

export type Contribution =
  | { readonly entry: 'validator'; readonly chainId: string; readonly jurisdiction: string; readonly statement: ValidatorStatement; readonly signature: Uint8Array }
  | { readonly entry: 'institution'; readonly chainId: string; readonly jurisdiction: string; readonly statement: InstitutionStatement; readonly signature: Uint8Array };

/** The JSON file form of a contribution. */
export function contributionToJson(c: Contribution): Record<string, unknown> {
  const head = { format: CONTRIBUTION_FORMAT, chain_id: c.chainId, jurisdiction: c.jurisdiction, entry: c.entry };
  const body =
    c.entry === 'validator'
      ? { name: c.statement.body, public_key: toHex(c.statement.publicKey), node_key: toHex(c.statement.nodeKey), p2p_address: c.statement.p2pAddress }
      : { name: c.statement.name, keys: c.statement.keys.map(toHex), threshold: c.statement.threshold };
  return { ...head, ...body, signature: toHex(c.signature) };
}

/** Parse a contribution file's JSON and check its signature; null with problems when bad. */
export function parseContribution(json: unknown, path: string, problems: Problems): Contribution | null {
  const r = new FieldReader(problems);
  const before = problems.size;
  const o = r.table(json, path, ['format', 'chain_id', 'jurisdiction', 'entry', 'name', 'public_key', 'node_key', 'p2p_address', 'keys', 'threshold', 'signature']);
  if (o === null) return null;
  if (o.format !== CONTRIBUTION_FORMAT) problems.add(at(path, 'format'), `must be "${CONTRIBUTION_FORMAT}"`);
  const chainId = r.str(o, 'chain_id', path, { re: CHAIN_ID_RE, what: 'a chain id' });
  const jurisdiction = r.str(o, 'jurisdiction', path, { re: JURISDICTION_RE, what: 'a jurisdiction code' });
  const entry = r.str(o, 'entry', path, { re: /^(validator|institution)$/, what: '"validator" or "institution"' });
  const name = r.name(o, 'name', path);
  const sig = r.hex(o, 'signature', path, 64);
  if (entry === 'validator') {
    for (const k of ['keys', 'threshold']) if (k in o) problems.add(at(path, k), 'not part of a validator contribution');
    const pk = r.publicKey(o, 'public_key', path);
    const nk = r.publicKey(o, 'node_key', path);
    const addr = r.str(o, 'p2p_address', path);
    const why = addr === '' ? null : p2pAddressProblem(addr);
    if (why) problems.add(at(path, 'p2p_address'), why);
    if (problems.size > before || pk === null || nk === null || sig === null) return null;
    const statement = { body: name, publicKey: fromHex(pk), nodeKey: fromHex(nk), p2pAddress: addr };
    const signature = fromHex(sig);
    if (!verifyValidatorStatement(chainId, jurisdiction, statement, signature)) {
      problems.add(at(path, 'signature'), 'does not verify: not signed by public_key over this statement');
      return null;
    }
    return { entry: 'validator', chainId, jurisdiction, statement, signature };
  }
  if (entry === 'institution') {
    for (const k of ['public_key', 'node_key', 'p2p_address']) if (k in o) problems.add(at(path, k), 'not part of an institution contribution');
    const keys = r.publicKeys(o, 'keys', path, MAX_ACCOUNT_KEYS);
    const threshold = r.int(o, 'threshold', path, 1, Math.max(1, keys.length));
    if (problems.size > before || sig === null) return null;
    const statement = { name, keys: keys.map((k) => fromHex(k)), threshold };
    const signature = fromHex(sig);
    if (!verifyInstitutionStatement(chainId, jurisdiction, statement, signature)) {
      problems.add(at(path, 'signature'), 'does not verify: not signed by keys[0] over this statement');
      return null;
    }
    return { entry: 'institution', chainId, jurisdiction, statement, signature };
  }
  return null;
}
