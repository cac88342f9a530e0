/**
 * W3C Verifiable Credentials 2.0 (JSON) secured with a Data Integrity proof of the cryptosuite
 * eddsa-jcs-2022 (W3C "Data Integrity EdDSA Cryptosuites v1.0", section 3.3). Signing: the
 * proof configuration is {type DataIntegrityProof, cryptosuite eddsa-jcs-2022, created,
 * verificationMethod, proofPurpose assertionMethod, @context copied from the document}; the
 * hash data is SHA-256(JCS(proof configuration)) || SHA-256(JCS(document without proof)); the
 * Ed25519 signature over it (core `sign`) is the proof's `proofValue`, multibase base58btc. As
 * the specification's Create Proof does (and its test vector shows), the emitted proof keeps
 * the @context. Verifying follows its Verify Proof: a proof @context must be a prefix of the
 * document's and then stands for it; the configuration is the proof without proofValue; the
 * signature is checked with core `verify` (SOV-ED25519-STRICT, docs/crypto.md), never another
 * library's. Verification methods are did:key URLs, so the key comes from the proof itself;
 * `verifyCredentialProof` also requires (unless told not to) that the credential's issuer is
 * that did:key. `credentialDigest` is SHA-256 of the JCS of the whole signed credential, proof
 * included: the value the ledger anchors. Errors: CRED_MALFORMED (shape), CRED_UNSUPPORTED
 * (another proof type or cryptosuite), CRED_DID_INVALID, CRED_TAMPERED (the signature does not
 * verify over the content), CRED_ISSUER_MISMATCH.
 */
import { sign, verify, type KeyPair } from '../../../core/index.js';
import { base58btc } from 'multiformats/bases/base58';
import { assertKeyPair, didKeyOf, parseVerificationMethod, verificationMethodOf } from './did.js';
import { credFail } from './errors.js';
import { assertJsonObject, isDateTimeStamp, jcs, sha256Text, type JsonObject, type JsonValue } from './json.js';

export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const PROOF_TYPE = 'DataIntegrityProof';
export const CRYPTOSUITE = 'eddsa-jcs-2022';
export const PROOF_PURPOSE = 'assertionMethod';

/** A Data Integrity proof of this cryptosuite, as it appears in a secured document. */
export interface DataIntegrityProof {
  type: typeof PROOF_TYPE;
  cryptosuite: typeof CRYPTOSUITE;
  created: string;
  verificationMethod: string;
  proofPurpose: typeof PROOF_PURPOSE;
  '@context'?: JsonValue;
  proofValue: string;
}

export interface ProofOptions {
  /** XML Schema dateTimeStamp, e.g. "2025-01-01T00:00:00Z" (given, never read from a clock: output is deterministic). */
  created: string;
  /** A did:key verification method of the signing key (the default: the key's own). */
  verificationMethod?: string;
}

export interface ProofCheck {
  /** The key the proof verified with. */
  publicKey: Uint8Array;
  /** The proof's verification method id. */
  verificationMethod: string;
  /** The did:key controlling it. */
  controller: string;
}

/** A member of an object as JCS writes it: `"key":value`. */
const memberText = (key: string, value: JsonValue): string => `${JSON.stringify(key)}:${jcs(value)}`;
/** JCS of an object from its members' texts (JCS orders members by their keys' UTF-16 code units, as Array#sort does). */
const objectText = (members: [string, string][]): string => `{${members.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((m) => m[1]).join(',')}}`;

function hashData(proofConfig: JsonObject, document: JsonObject): Uint8Array {
  const out = new Uint8Array(64);
  out.set(sha256Text(jcs(proofConfig)), 0);
  out.set(sha256Text(jcs(document)), 32);
  return out;
}

/**
 * Secure any JSON object with an eddsa-jcs-2022 proof (no VC rules: `signCredential` adds
 * them). Returns a new object; the input is not changed.
 */
export function addDataIntegrityProof<T extends Record<string, unknown>>(document: T, key: KeyPair, opts: ProofOptions): T & { proof: DataIntegrityProof } {
  assertJsonObject(document, 'document');
  assertKeyPair(key, 'the signing key');
  if ('proof' in document) credFail('CRED_MALFORMED', 'the document already has a proof');
  if (!isDateTimeStamp(opts?.created)) credFail('CRED_MALFORMED', 'created must be an XML Schema dateTimeStamp (e.g. 2025-01-01T00:00:00Z)');
  const own = verificationMethodOf(didKeyOf(key.publicKey));
  const verificationMethod = opts.verificationMethod ?? own;
  if (verificationMethod !== own) {
    parseVerificationMethod(verificationMethod);
    credFail('CRED_ISSUER_MISMATCH', "verificationMethod is not the signing key's did:key method", { verificationMethod });
  }
  const config: JsonObject = { type: PROOF_TYPE, cryptosuite: CRYPTOSUITE, created: opts.created, verificationMethod, proofPurpose: PROOF_PURPOSE };
  if (document['@context'] !== undefined) config['@context'] = document['@context'];
  const signature = sign(hashData(config, document), key.secretKey);
  const proof = { ...config, proofValue: base58btc.encode(signature) } as unknown as DataIntegrityProof;
  return { ...document, proof };
}

function contextList(c: JsonValue | undefined): JsonValue[] {
  return c === undefined ? [] : Array.isArray(c) ? c : [c];
}

/**
 * Verify the eddsa-jcs-2022 proof of a secured JSON object (no VC rules). Returns the key and
 * method it verified with; throws CredError.
 */
export function verifyDataIntegrityProof(secured: unknown): ProofCheck {
  assertJsonObject(secured, 'secured document');
  const { digest: _digest, ...check } = checkProof(secured);
  return check;
}

/**
 * The proof check, on the document's members canonicalized once: the hash data of Verify
 * Proof, and (when asked) the credentialDigest of the whole secured document from the same
 * member texts.
 */
function checkProof(secured: JsonObject, withDigest = false): ProofCheck & { digest: Uint8Array | null } {
  const { proof, ...unsecured } = secured;
  if (proof === undefined) credFail('CRED_MALFORMED', 'the document has no proof');
  if (Array.isArray(proof)) credFail('CRED_UNSUPPORTED', 'proof sets (several proofs) are not supported');
  if (typeof proof !== 'object' || proof === null) credFail('CRED_MALFORMED', 'proof must be an object');
  if (proof.type !== PROOF_TYPE) credFail('CRED_UNSUPPORTED', `proof type ${JSON.stringify(proof.type)} is not ${PROOF_TYPE}`);
  if (proof.cryptosuite !== CRYPTOSUITE) credFail('CRED_UNSUPPORTED', `cryptosuite ${JSON.stringify(proof.cryptosuite)} is not ${CRYPTOSUITE}`);
  if (proof.proofPurpose !== PROOF_PURPOSE) credFail('CRED_MALFORMED', `proofPurpose must be ${PROOF_PURPOSE}`);
  if (proof.created !== undefined && !isDateTimeStamp(proof.created)) credFail('CRED_MALFORMED', 'proof.created is not an XML Schema dateTimeStamp');
  if (proof.expires !== undefined && !isDateTimeStamp(proof.expires)) credFail('CRED_MALFORMED', 'proof.expires is not an XML Schema dateTimeStamp');
  if (typeof proof.verificationMethod !== 'string') credFail('CRED_MALFORMED', 'proof.verificationMethod must be a string (a did:key URL)');
  const method = parseVerificationMethod(proof.verificationMethod);
  const { proofValue, ...config } = proof;
  if (typeof proofValue !== 'string' || proofValue[0] !== 'z') credFail('CRED_MALFORMED', 'proof.proofValue must be multibase base58btc ("z...")');
  let signature: Uint8Array;
  try {
    signature = base58btc.decode(proofValue);
  } catch {
    return credFail('CRED_MALFORMED', 'proof.proofValue is not base58btc');
  }
  if (signature.length !== 64) credFail('CRED_MALFORMED', `proof.proofValue holds ${signature.length} bytes, not an Ed25519 signature's 64`);
  const members = Object.keys(unsecured).map((k): [string, string] => [k, memberText(k, unsecured[k]!)]);
  let signedMembers = members;
  if (config['@context'] !== undefined) {
    // Verify Proof step 4: the document's @context starts with the proof's, which then stands for it.
    const proofContext = contextList(config['@context']);
    const docContext = contextList(unsecured['@context']);
    const prefix = proofContext.every((c, i) => i < docContext.length && jcs(c) === jcs(docContext[i]!));
    if (!prefix) credFail('CRED_TAMPERED', "the document's @context does not start with the proof's @context");
    const context = memberText('@context', config['@context']);
    signedMembers = [...members.filter((m) => m[0] !== '@context'), ['@context', context]];
  }
  const hash = new Uint8Array(64);
  hash.set(sha256Text(jcs(config)), 0);
  hash.set(sha256Text(objectText([...signedMembers])), 32);
  if (!verify(signature, hash, method.publicKey)) {
    credFail('CRED_TAMPERED', 'the proof signature does not verify over the document', { verificationMethod: proof.verificationMethod });
  }
  const digest = withDigest ? sha256Text(objectText([...members, ['proof', memberText('proof', proof)]])) : null;
  return { publicKey: method.publicKey, verificationMethod: proof.verificationMethod, controller: method.did, digest };
}

/** The issuer id of a credential: `issuer` as a string, or its `id`. */
export function issuerOf(vc: Record<string, unknown>): string {
  const issuer = vc.issuer;
  if (typeof issuer === 'string') return issuer;
  if (typeof issuer === 'object' && issuer !== null && !Array.isArray(issuer) && typeof (issuer as { id?: unknown }).id === 'string') return (issuer as { id: string }).id;
  return credFail('CRED_MALFORMED', 'issuer must be a URL string or an object with an id');
}

/** The VC 2.0 shape checked before signing or verifying. */
function assertCredentialShape(vc: unknown): asserts vc is JsonObject {
  assertJsonObject(vc, 'credential');
  const ctx = vc['@context'];
  if (!Array.isArray(ctx) || ctx[0] !== VC_V2_CONTEXT) credFail('CRED_MALFORMED', `@context must be an array starting with ${VC_V2_CONTEXT}`);
  const type = vc.type;
  if (!(type === 'VerifiableCredential' || (Array.isArray(type) && type.includes('VerifiableCredential')))) {
    credFail('CRED_MALFORMED', 'type must include VerifiableCredential');
  }
  issuerOf(vc);
  const subject = vc.credentialSubject;
  const subjects = Array.isArray(subject) ? subject : [subject];
  if (subjects.length === 0 || subjects.some((s) => typeof s !== 'object' || s === null || Array.isArray(s))) {
    credFail('CRED_MALFORMED', 'credentialSubject must be an object (or a non-empty array of objects)');
  }
  for (const field of ['validFrom', 'validUntil'] as const) {
    if (vc[field] !== undefined && !isDateTimeStamp(vc[field])) credFail('CRED_MALFORMED', `${field} must be an XML Schema dateTimeStamp`);
  }
}

/**
 * Sign a VC 2.0 credential (JSON) with eddsa-jcs-2022. Its issuer must be the did:key of `key`
 * (CRED_ISSUER_MISMATCH otherwise). Returns a new object with `proof`.
 */
export function signCredential<T extends Record<string, unknown>>(unsigned: T, key: KeyPair, opts: ProofOptions): T & { proof: DataIntegrityProof } {
  assertCredentialShape(unsigned);
  assertKeyPair(key, 'the signing key');
  const did = didKeyOf(key.publicKey);
  const issuer = issuerOf(unsigned);
  if (issuer !== did) credFail('CRED_ISSUER_MISMATCH', `the issuer ${issuer} is not the signing key's did:key ${did}`, { issuer, did });
  return addDataIntegrityProof(unsigned, key, opts);
}

/** One credential of `signCredentials`: signed, with its credentialDigest. */
export interface SignedCredential<T> {
  credential: T & { proof: DataIntegrityProof };
  digest: Uint8Array;
}

/**
 * Sign many VC 2.0 credentials with one key and one `created`: each exactly as signCredential
 * signs it, returned with its credentialDigest (the same bytes; a test compares them). For an
 * issuer's batches: the proof configuration is hashed once per @context, the credential is
 * checked once, and its canonical form is built once from its members and reused for the
 * digest of the signed credential.
 */
export function signCredentials<T extends Record<string, unknown>>(unsigned: readonly T[], key: KeyPair, opts: ProofOptions): SignedCredential<T>[] {
  assertKeyPair(key, 'the signing key');
  if (!isDateTimeStamp(opts?.created)) credFail('CRED_MALFORMED', 'created must be an XML Schema dateTimeStamp (e.g. 2025-01-01T00:00:00Z)');
  const did = didKeyOf(key.publicKey);
  const verificationMethod = verificationMethodOf(did);
  if (opts.verificationMethod !== undefined && opts.verificationMethod !== verificationMethod) {
    parseVerificationMethod(opts.verificationMethod);
    credFail('CRED_ISSUER_MISMATCH', "verificationMethod is not the signing key's did:key method", { verificationMethod: opts.verificationMethod });
  }
  const configs = new Map<string, { config: JsonObject; hash: Uint8Array }>();
  return unsigned.map((doc) => {
    assertCredentialShape(doc);
    const issuer = issuerOf(doc);
    if (issuer !== did) credFail('CRED_ISSUER_MISMATCH', `the issuer ${issuer} is not the signing key's did:key ${did}`, { issuer, did });
    if ('proof' in doc) credFail('CRED_MALFORMED', 'the document already has a proof');
    const contextText = jcs(doc['@context']!);
    let c = configs.get(contextText);
    if (c === undefined) {
      const config: JsonObject = { type: PROOF_TYPE, cryptosuite: CRYPTOSUITE, created: opts.created, verificationMethod, proofPurpose: PROOF_PURPOSE, '@context': doc['@context']! };
      c = { config, hash: sha256Text(jcs(config)) };
      configs.set(contextText, c);
    }
    const members = Object.keys(doc).map((k): [string, string] => [k, memberText(k, doc[k]!)]);
    const hash = new Uint8Array(64);
    hash.set(c.hash, 0);
    hash.set(sha256Text(objectText(members)), 32);
    const proof = { ...c.config, proofValue: base58btc.encode(sign(hash, key.secretKey)) } as unknown as DataIntegrityProof;
    members.push(['proof', memberText('proof', proof as unknown as JsonObject)]);
    return { credential: { ...doc, proof } as T & { proof: DataIntegrityProof }, digest: sha256Text(objectText(members)) };
  });
}

export interface VerifyCredentialOptions {
  /** Require the credential's issuer to be the did:key that signed it (default true). */
  checkIssuer?: boolean;
}

/**
 * Verify a VC 2.0 credential's eddsa-jcs-2022 proof: its shape (CRED_MALFORMED), the signature
 * over its content (CRED_TAMPERED), and that its issuer is the signing did:key
 * (CRED_ISSUER_MISMATCH). Says nothing of validity dates or status (the caller's policy).
 */
export function verifyCredentialProof(vc: unknown, opts: VerifyCredentialOptions = {}): { publicKey: Uint8Array; verificationMethod: string } {
  const { publicKey, verificationMethod } = verifyCredentialProofAndDigest(vc, opts);
  return { publicKey, verificationMethod };
}

/** verifyCredentialProof, also answering the credential's credentialDigest (computed from the same canonical form). */
export function verifyCredentialProofAndDigest(vc: unknown, opts: VerifyCredentialOptions = {}): { publicKey: Uint8Array; verificationMethod: string; digest: Uint8Array } {
  assertCredentialShape(vc);
  const check = checkProof(vc, true);
  if (opts?.checkIssuer ?? true) {
    const issuer = issuerOf(vc);
    if (issuer !== check.controller) credFail('CRED_ISSUER_MISMATCH', `the proof's key belongs to ${check.controller}, not to the issuer ${issuer}`, { issuer, controller: check.controller });
  }
  return { publicKey: check.publicKey, verificationMethod: check.verificationMethod, digest: check.digest! };
}

/** SHA-256 of the JCS of the whole signed credential, proof included: what the ledger anchors. */
export function credentialDigest(vc: unknown): Uint8Array {
  assertJsonObject(vc, 'credential');
  return sha256Text(jcs(vc));
}
