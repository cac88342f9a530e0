/**
 * Credentials with the ledger: issuing a batch (signed credentials, their Merkle batch, the
 * packages the holders keep), and verifying a presented credential offline against a bundle
 * of the ledger's proofs (rpc/cred-proofs.ts) and a trusted validator set. The formats and
 * their cryptography are the credential library's (cred/); this file adds what the ledger
 * knows: the anchor, the issuer's keys and accreditation at anchoring, the schema, the status.
 *
 * A credential names its place in the ledger in a signed field: `ledgerAnchor` in a VC
 * (under the VC 2.0 vocabulary), `ledger` in an SD-JWT VC's always-visible claims:
 * { chainId, issuer (the issuer's ledger account), batch (its anchor's first status index),
 * index (its status index), schema (typeId@version) }. A package adds what cannot be signed
 * in advance: its position in the batch and its Merkle path.
 *
 * Verification answers one code per failed check (cred/errors.ts), in this order: the shape;
 * the ledger's proofs (CRED_PROOF_INVALID); the signature (CRED_TAMPERED, and the SD-JWT
 * disclosure and key-binding codes); a key the issuer's account never held
 * (CRED_ISSUER_MISMATCH: a forged credential); the issuer's accreditation for the type
 * (CRED_UNACCREDITED_ISSUER) and, with its accreditor's, when the credential says it was
 * issued (CRED_ACCREDITATION_INVALID); the anchor and inclusion (CRED_ANCHOR_MISSING); the
 * key and both accreditations when it was anchored (CRED_KEY_NOT_VALID for a key rotated
 * out before, CRED_ACCREDITATION_INVALID); schema and claims (CRED_WRONG_SCHEMA,
 * CRED_CLAIMS_INVALID); validity (CRED_NOT_YET_VALID, CRED_EXPIRED); status (CRED_REVOKED,
 * CRED_SUSPENDED).
 */
import { addressFromPublicKey, decode, decodeAddress, encodeAddress, fromHex, isSovError, to0x, type KeyPair, type ValidatorSet } from '../../core/index.js';
import { BUILTIN, cred, everHeldKey, heldKeyAt, Keys, type Account, type KeyHistory, type Registry } from '../../vm/index.js';
import { openCredProofBundle, BundleError, type CredProofBundle } from '../cred-proofs.js';
import type { RecordQuery, RecordView } from '../facade.js';
import {
  buildAnchorBatch, createStatusList, CredError, credentialStatusEntries, didKeyOf, issueSdJwtVc, issuerOf, MIN_STATUS_LIST_BYTES, sdJwtIssuerJwtDigest, setBit, signCredentials,
  claimsValidator, statusListCredential, statusListUrl, validateClaims, verifyAnchorPath, verifyCredentialProofAndDigest, verifySdJwtVcPresentation, VC_V2_CONTEXT, type CredErrorCode, type StatusPurpose as StatusPurposeName, type StatusListCredential,
} from './cred/index.js';

/** Where a credential is in the ledger (signed into it). */
export interface LedgerRef {
  chainId: string;
  /** The issuer's ledger account, bech32m. */
  issuer: string;
  /** Its batch: the anchor's first status index. */
  batch: number;
  /** Its status index (batch + its position in the batch). */
  index: number;
  /** Its schema, typeId@version. */
  schema: string;
}

/** What a holder keeps: the credential and its Merkle path to its anchor. */
export interface CredentialPackage {
  format: 'vc' | 'sd-jwt';
  /** A VC (JSON) or an SD-JWT VC (as issued, or a presentation of it). */
  credential: Record<string, unknown> | string;
  /** Its position in the batch, the batch's size and the Merkle path (0x-hex hashes). */
  inclusion: { position: number; count: number; path: string[] };
}

export interface CredentialSubjectInput {
  /** A VC's subject id (a did:key), or null. */
  id?: string;
  /** An SD-JWT VC's holder key (key binding). */
  holderPublicKey?: Uint8Array;
  claims: Record<string, unknown>;
}

export interface IssueBatchInput {
  format: 'vc' | 'sd-jwt';
  chainId: string;
  addressPrefix: string;
  issuerKey: KeyPair;
  /** The schema: its id and type, and the claims disclosable selectively (SD-JWT). */
  schema: { id: string; typeId: string; selective: readonly string[] };
  /** The issuer's next status index (its cred_issuer record's nextIndex, or 0). */
  first: number;
  subjects: readonly CredentialSubjectInput[];
  /** Unix ms of the start and end of validity. */
  validFrom: number;
  validUntil: number;
  /** Unix ms of signing (the proof's `created`, an SD-JWT's `iat`): when the credential says it was issued (default: now). */
  issuedAt?: number;
  /** Where the issuer publishes its status list credentials (`${base}/revocation`, `/suspension`). */
  statusBaseUrl: string;
  /** The issuer's ledger account (default: the address of issuerKey). */
  issuerAccount?: Uint8Array;
  /** Salt generator for SD-JWT (tests). */
  saltGenerator?: () => string;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Whether an accreditation was active at `ms`, a time a credential gives to the second (the
 * status after its last change in or before that second).
 */
function activeAtTime(a: cred.Accreditation, ms: number): boolean {
  let status: number | null = null;
  for (const c of a.changes) if (Math.floor(c.time / 1000) * 1000 <= ms) status = c.status;
  return status === cred.AccreditationStatus.ACTIVE;
}

/** Sign a batch of credentials and build its Merkle batch: the packages, and the root and count to anchor (cred.anchor, first = input.first). */
export async function issueBatch(input: IssueBatchInput): Promise<{ packages: CredentialPackage[]; root: Uint8Array; count: number }> {
  const account = encodeAddress(input.addressPrefix, input.issuerAccount ?? addressFromPublicKey(input.issuerKey.publicKey));
  const did = didKeyOf(input.issuerKey.publicKey);
  const issuedAt = input.issuedAt ?? Date.now();
  const credentials: (Record<string, unknown> | string)[] = [];
  const digests: Uint8Array[] = [];
  const refOf = (i: number): LedgerRef => ({ chainId: input.chainId, issuer: account, batch: input.first, index: input.first + i, schema: input.schema.id });
  if (input.format === 'vc') {
    const unsigned = input.subjects.map((s, i) => ({
      '@context': [VC_V2_CONTEXT],
      id: `urn:sov:${input.chainId}:${account}:${input.first + i}`,
      type: ['VerifiableCredential', input.schema.typeId],
      issuer: { id: did, ledgerAccount: account },
      validFrom: iso(input.validFrom),
      validUntil: iso(input.validUntil),
      credentialSchema: { id: `urn:sov:${input.chainId}:schema:${input.schema.id}`, type: 'JsonSchema' },
      credentialSubject: { ...(s.id ? { id: s.id } : {}), ...s.claims },
      credentialStatus: credentialStatusEntries(input.statusBaseUrl, input.first + i),
      ledgerAnchor: refOf(i),
    }));
    for (const { credential, digest } of signCredentials(unsigned, input.issuerKey, { created: iso(issuedAt) })) {
      credentials.push(credential);
      digests.push(digest);
    }
  } else {
    for (const [i, s] of input.subjects.entries()) {
      if (!s.holderPublicKey) throw new CredError('CRED_MALFORMED', `subject ${i}: an SD-JWT VC needs the holder's public key`);
      const jwt = await issueSdJwtVc({
        issuerKey: input.issuerKey, iss: did, vct: input.schema.typeId, claims: s.claims, selective: input.schema.selective.filter((n) => n in s.claims), holderPublicKey: s.holderPublicKey,
        iat: Math.floor(issuedAt / 1000), nbf: Math.floor(input.validFrom / 1000), exp: Math.floor(input.validUntil / 1000),
        extra: { ledger: refOf(i), status: { base: input.statusBaseUrl, index: input.first + i } }, ...(input.saltGenerator ? { saltGenerator: input.saltGenerator } : {}),
      });
      credentials.push(jwt);
      digests.push(sdJwtIssuerJwtDigest(jwt));
    }
  }
  const batch = buildAnchorBatch(digests);
  const packages = credentials.map((credential, i) => ({
    format: input.format, credential, inclusion: { position: i, count: credentials.length, path: batch.path(i).map((h) => to0x(h)) },
  }));
  return { packages, root: batch.root, count: credentials.length };
}

export interface ExportStatusListInput {
  /** The issuer's ledger account, bech32m. */
  issuer: string;
  /** The key the list credential is signed with (the issuer's current key). */
  issuerKey: KeyPair;
  purpose: StatusPurposeName;
  /** The base URL the issuer's credentials point at (the list is `${base}/${purpose}`). */
  statusBaseUrl: string;
  /** Unix ms of signing (default: now). */
  created?: number;
}

/**
 * An issuer's status list of one purpose, read from the ledger's bits (at one height), as a
 * signed W3C BitstringStatusListCredential that wallets and verifiers of the W3C ecosystem
 * read without this SDK. Its length is at least the W3C minimum (131,072 entries). Also
 * answers how many entries the issuer has used and the height read.
 */
export async function exportStatusList(client: { status(): Promise<{ height: number }>; getRecord(q: RecordQuery, o?: { height?: number }): Promise<RecordView> }, input: ExportStatusListInput): Promise<{ credential: StatusListCredential; entries: number; height: number }> {
  const { height } = await client.status();
  const st = (await client.getRecord({ kind: 'cred_issuer', issuer: input.issuer }, { height })).value as { nextIndex: number | string } | null;
  const size = st === null ? 0 : Number(st.nextIndex);
  const purpose = input.purpose === 'revocation' ? cred.StatusPurpose.REVOCATION : cred.StatusPurpose.SUSPENSION;
  const bits = createStatusList(Math.max(size, MIN_STATUS_LIST_BYTES * 8));
  for (let base = 0; base < size; base += cred.STATUS_CHUNK_BITS) {
    const r = await client.getRecord({ kind: 'cred_status', issuer: input.issuer, chunk: cred.statusSlot(base, purpose).chunk }, { height });
    if (r.raw === null) continue;
    const stored = decode(cred.StatusChunkSchema, fromHex(r.raw)).bits;
    for (let b = 0; b < stored.length * 8 && base + b < size; b++) if (cred.chunkBit(stored, b)) setBit(bits, base + b, true);
  }
  const created = iso(input.created ?? Date.now());
  const id = statusListUrl(input.statusBaseUrl, input.purpose);
  const credential = statusListCredential({ id, issuer: didKeyOf(input.issuerKey.publicKey), purpose: input.purpose, bits, validFrom: created }, input.issuerKey, created);
  return { credential, entries: size, height };
}

/** The ledger reference signed into a credential (VC: `ledgerAnchor`; SD-JWT: the `ledger` claim). */
export function ledgerRefOf(pkg: CredentialPackage): LedgerRef {
  let ref: unknown;
  if (pkg.format === 'vc') ref = (pkg.credential as Record<string, unknown> | null)?.ledgerAnchor;
  else {
    try {
      const jwt = String(pkg.credential).split('~')[0]!;
      const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
      ref = payload.ledger;
    } catch {
      throw new CredError('CRED_MALFORMED', 'not an SD-JWT');
    }
  }
  const r = ref as Partial<LedgerRef> | undefined;
  if (!r || typeof r.chainId !== 'string' || typeof r.issuer !== 'string' || typeof r.schema !== 'string' || !Number.isSafeInteger(r.batch) || !Number.isSafeInteger(r.index)
    || r.batch! < 0 || r.index! < r.batch!) {
    throw new CredError('CRED_MALFORMED', 'the credential names no place in a ledger (ledgerAnchor / ledger: chainId, issuer, batch, index, schema)');
  }
  return r as LedgerRef;
}

export interface VerifyCredentialContext {
  chainId: string;
  addressPrefix: string;
  /** The validator set trusted for the bundle's height. */
  validators: ValidatorSet;
  /** Unix ms to check validity against (default: now). */
  now?: number;
  /** For an SD-JWT presentation: the audience and nonce the holder's key binding must name. */
  aud?: string;
  nonce?: string;
  /** For an SD-JWT presentation: the claims this verifier asked to see (one not disclosed is CRED_UNDISCLOSED_CLAIM). */
  requireDisclosed?: readonly string[];
  modules?: Registry;
  /** Certificates checked already (`${height}:${block hash}`): one check per height. */
  verified?: Set<string>;
  /** Record proofs checked already against a certified root (openCredProofBundle's `proven`). */
  proven?: Map<string, { raw: string | null; proof: string }>;
}

export type CredentialVerdict =
  | { valid: true; format: 'vc' | 'sd-jwt'; issuer: string; index: number; schema: string; claims: Record<string, unknown>; disclosed: string[] | null; anchoredAt: number; height: number }
  | { valid: false; code: CredErrorCode; message: string };

class Refused extends Error {
  constructor(readonly code: CredErrorCode, message: string) {
    super(message);
  }
}
const refuse = (code: CredErrorCode, message: string): never => {
  throw new Refused(code, message);
};

/** Verify a presented credential package against the ledger's proof bundle, offline. Never throws for bad input: a verdict says which check failed. */
export function verifyCredentialPackage(pkg: CredentialPackage, bundle: CredProofBundle, ctx: VerifyCredentialContext): CredentialVerdict {
  try {
    return check(pkg, bundle, ctx);
  } catch (e) {
    if (e instanceof Refused) return { valid: false, code: e.code, message: e.message };
    if (e instanceof CredError) return { valid: false, code: e.code as CredErrorCode, message: e.message };
    if (isSovError(e)) return { valid: false, code: 'CRED_MALFORMED', message: e.message };
    return { valid: false, code: 'CRED_MALFORMED', message: (e as Error)?.message ?? String(e) };
  }
}

function check(pkg: CredentialPackage, bundle: CredProofBundle, ctx: VerifyCredentialContext): CredentialVerdict {
  const reg = ctx.modules ?? BUILTIN;
  if (pkg === null || typeof pkg !== 'object' || (pkg.format !== 'vc' && pkg.format !== 'sd-jwt')) refuse('CRED_MALFORMED', 'a package has format "vc" or "sd-jwt"');
  const ref = ledgerRefOf(pkg);
  if (ref.chainId !== ctx.chainId) refuse('CRED_WRONG_SCHEMA', `the credential is of chain ${ref.chainId}, not ${ctx.chainId}`);
  let issuerAddr: Uint8Array;
  try {
    issuerAddr = decodeAddress(ref.issuer, ctx.addressPrefix);
  } catch (e) {
    return refuse('CRED_MALFORMED', `issuer account: ${(e as Error).message}`);
  }

  // The ledger's proofs.
  let opened;
  try {
    opened = openCredProofBundle(bundle, { chainId: ctx.chainId, addressPrefix: ctx.addressPrefix, validators: ctx.validators, modules: reg, ...(ctx.verified ? { verified: ctx.verified } : {}), ...(ctx.proven ? { proven: ctx.proven } : {}) });
  } catch (e) {
    if (e instanceof BundleError) return refuse('CRED_PROOF_INVALID', e.message);
    throw e;
  }
  const rec = <T>(key: Uint8Array): T | undefined => {
    const id = Buffer.from(key).toString('hex');
    if (!opened.records.has(id)) refuse('CRED_PROOF_INVALID', `the bundle holds no proof of ${id.slice(0, 8)}... that this credential needs`);
    return (opened.records.get(id) ?? undefined) as T | undefined;
  };

  // The signature, and what the credential says.
  let publicKey: Uint8Array;
  let digest: Uint8Array;
  let types: string[];
  let claims: Record<string, unknown>;
  let disclosed: string[] | null = null;
  let validFrom: number | null = null;
  let validUntil: number | null = null;
  let issuedAt: number | null = null;
  if (pkg.format === 'vc') {
    const vc = pkg.credential as Record<string, unknown>;
    ({ publicKey, digest } = verifyCredentialProofAndDigest(vc));
    const t = vc.type;
    types = Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : [String(t)];
    const subject = vc.credentialSubject as Record<string, unknown>;
    const { id: _id, ...rest } = subject;
    claims = rest;
    if (typeof vc.validFrom === 'string') validFrom = Date.parse(vc.validFrom);
    if (typeof vc.validUntil === 'string') validUntil = Date.parse(vc.validUntil);
    const created = (vc.proof as { created?: unknown } | undefined)?.created;
    if (typeof created === 'string') issuedAt = Date.parse(created);
    issuerOf(vc);
  } else {
    const v = verifySdJwtVcPresentation(String(pkg.credential), {
      ...(ctx.aud !== undefined ? { aud: ctx.aud } : {}), ...(ctx.nonce !== undefined ? { nonce: ctx.nonce } : {}), ...(ctx.requireDisclosed ? { requireDisclosed: ctx.requireDisclosed } : {}),
    });
    publicKey = v.issuerPublicKey;
    digest = v.issuerJwtDigest;
    types = [String(v.payload.vct)];
    const { iss: _i, vct: _v, iat, nbf, exp, cnf: _c, ledger: _l, status: _s, ...rest } = v.claims as Record<string, unknown>;
    if (typeof iat === 'number') issuedAt = iat * 1000;
    claims = rest;
    disclosed = v.disclosed;
    if (typeof nbf === 'number') validFrom = nbf * 1000;
    if (typeof exp === 'number') validUntil = exp * 1000;
  }

  // The issuer: the signing key is one its account has held, and it is accredited for the
  // credential's type, and was (with its accreditor) active when the credential says it was issued.
  const account = rec<Account>(Keys.account(issuerAddr));
  if (account === undefined) refuse('CRED_ISSUER_MISMATCH', `no account ${ref.issuer}`);
  const history = rec<KeyHistory>(Keys.keyHistory(issuerAddr));
  if (!everHeldKey(account!, history, publicKey)) refuse('CRED_ISSUER_MISMATCH', `the credential is signed by ${didKeyOf(publicKey)}, a key ${ref.issuer} never held`);
  const typeId = ref.schema.slice(0, ref.schema.lastIndexOf('@'));
  const acc = rec<cred.Accreditation>(cred.CredKeys.accreditation(issuerAddr));
  if (acc === undefined || acc.role !== cred.AccreditationRole.ISSUER || !acc.types.includes(typeId)) refuse('CRED_UNACCREDITED_ISSUER', `${ref.issuer} is not accredited to issue "${typeId}"`);
  const accreditor = rec<cred.Accreditation>(cred.CredKeys.accreditation(acc!.accreditedBy));
  if (issuedAt !== null && (!activeAtTime(acc!, issuedAt) || accreditor === undefined || !activeAtTime(accreditor, issuedAt))) {
    refuse('CRED_ACCREDITATION_INVALID', `the accreditation of ${ref.issuer} (or of its accreditor) was not active at ${iso(issuedAt)}, when the credential says it was issued`);
  }

  // The anchor, and the credential in it.
  const anchor = rec<cred.Anchor>(cred.CredKeys.anchor(issuerAddr, ref.batch));
  if (anchor === undefined) refuse('CRED_ANCHOR_MISSING', `${ref.issuer} anchored no batch at ${ref.batch}`);
  const { position, count, path } = pkg.inclusion ?? ({} as CredentialPackage['inclusion']);
  if (!Number.isSafeInteger(position) || position !== ref.index - ref.batch || count !== anchor!.count || !Array.isArray(path)) {
    refuse('CRED_ANCHOR_MISSING', `position ${position} of ${count} is not index ${ref.index} of this batch of ${anchor!.count}`);
  }
  let hashes: Uint8Array[];
  try {
    hashes = path.map((h) => fromHex(h, 32));
  } catch {
    return refuse('CRED_MALFORMED', 'the inclusion path holds something other than 32-byte hashes');
  }
  if (!verifyAnchorPath(anchor!.root, digest, position, count, hashes)) refuse('CRED_ANCHOR_MISSING', "the credential's digest is not in its batch's root");

  // At anchoring: the issuer's key, and both accreditations.
  if (!heldKeyAt(account!, history, publicKey, anchor!.height)) refuse('CRED_KEY_NOT_VALID', `${ref.issuer} did not hold the signing key when the credential was anchored (height ${anchor!.height})`);
  if (!cred.accreditationValidAt(acc!, anchor!.height) || accreditor === undefined || !cred.accreditationValidAt(accreditor, anchor!.height)) {
    refuse('CRED_ACCREDITATION_INVALID', `the accreditation of ${ref.issuer} (or of its accreditor) was not active at height ${anchor!.height}, when the credential was anchored`);
  }
  const schema = rec<cred.CredSchema>(cred.CredKeys.schema(anchor!.schema));
  if (schema === undefined) refuse('CRED_WRONG_SCHEMA', `no schema ${anchor!.schema}`);

  // Schema and claims.
  if (ref.schema !== anchor!.schema || !types.includes(schema!.typeId)) refuse('CRED_WRONG_SCHEMA', `the credential (${ref.schema}, ${types.join(', ')}) is not of its anchor's schema ${anchor!.schema}`);
  if (validFrom !== null && validUntil !== null && validUntil - validFrom > schema!.maxValidityMs) refuse('CRED_WRONG_SCHEMA', `a validity of ${validUntil - validFrom} ms exceeds the schema's ${schema!.maxValidityMs}`);
  let valid: { ok: true } | { ok: false; errors: string[] };
  if (disclosed === null) {
    valid = claimsValidator(schema!.jsonSchema)(claims);
  } else {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(schema!.jsonSchema) as Record<string, unknown>;
    } catch {
      return refuse('CRED_WRONG_SCHEMA', `schema ${anchor!.schema} is not JSON`);
    }
    // A selectively disclosable claim the holder did not disclose is not required of the presentation.
    if (Array.isArray(json.required)) {
      const shown = new Set(disclosed);
      json = { ...json, required: (json.required as string[]).filter((n) => !schema!.selective.includes(n) || shown.has(n)) };
    }
    valid = validateClaims(json, claims);
  }
  if (!valid.ok) refuse('CRED_CLAIMS_INVALID', `claims: ${valid.errors.slice(0, 3).join('; ')}`);

  // Validity, then status.
  const now = ctx.now ?? Date.now();
  if (validFrom !== null && now < validFrom) refuse('CRED_NOT_YET_VALID', `valid from ${iso(validFrom)}`);
  if (validUntil !== null && now > validUntil) refuse('CRED_EXPIRED', `expired at ${iso(validUntil)}`);
  const bit = (purpose: number): boolean => {
    const { chunk, bit: b } = cred.statusSlot(ref.index, purpose);
    const c = rec<{ bits: Uint8Array }>(cred.CredKeys.status(issuerAddr, chunk));
    return cred.chunkBit(c?.bits, b);
  };
  if (bit(cred.StatusPurpose.REVOCATION)) refuse('CRED_REVOKED', `credential ${ref.index} of ${ref.issuer} is revoked`);
  if (bit(cred.StatusPurpose.SUSPENSION)) refuse('CRED_SUSPENDED', `credential ${ref.index} of ${ref.issuer} is suspended`);
  return { valid: true, format: pkg.format, issuer: ref.issuer, index: ref.index, schema: ref.schema, claims, disclosed, anchoredAt: anchor!.height, height: opened.height };
}
