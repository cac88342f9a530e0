/**
 * Issuing and presenting SD-JWT VCs (RFC 9901 selective disclosure, draft-ietf-oauth-sd-jwt-vc)
 * with @sd-jwt/sd-jwt-vc: salted sha-256 digests of the selectively disclosable top-level
 * claims, an EdDSA (Ed25519) issuer signature made by our own signer callback on core `sign`,
 * and holder key binding: the issuer puts the holder's key in `cnf.jwk`, and a presentation
 * ends with a KB-JWT (aud, nonce, iat, sd_hash) the holder signs the same way. `iss` is the
 * issuer's did:key and the header's `kid` its verification method, so a verifier needs nothing
 * but the presentation (verifySdJwtVcPresentation in sd-jwt-verify.ts, which checks every
 * signature with core `verify`). Salts are 128 bits from node:crypto `randomBytes`; a test may
 * inject its own generator, and then the output is deterministic (times are always given).
 * The library's functions are asynchronous, so issuing and presenting return promises.
 */
import { randomBytes } from 'node:crypto';
import { equalBytes, sha256, type KeyPair } from '../../../core/index.js';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { assertKeyPair, didKeyOf, verificationMethodOf } from './did.js';
import { CredError, credFail } from './errors.js';
import { assertJsonObject, b64urlEncode, sha256Text, type JsonObject } from './json.js';
import { JWS_ALG, jwkOfPublicKey, signJwsInput } from './jws.js';
import { asCredError, NEVER_DISCLOSABLE, SD_ALG } from './sd-jwt-format.js';
import { verifySdJwtVcPresentation } from './sd-jwt-verify.js';

/** Payload names the issuer sets itself: neither `claims` nor `extra` may hold them. */
const RESERVED: readonly string[] = ['iss', 'vct', 'iat', 'nbf', 'exp', 'cnf', '_sd', '_sd_alg', '...', '__proto__'];

export interface IssueSdJwtVcParams {
  issuerKey: KeyPair;
  /** The issuer's did:key: it must be the did:key of issuerKey. */
  iss: string;
  /** The credential type (e.g. "https://registry.example/licence/driving"). */
  vct: string;
  /** The subject's claims (top-level names; plain JSON values). */
  claims: Record<string, unknown>;
  /** The names in `claims` that are selectively disclosable; the others are always visible. */
  selective: readonly string[];
  /** The holder's Ed25519 key, bound in cnf.jwk. */
  holderPublicKey: Uint8Array;
  /** Issued at, nbf and exp: NumericDates (whole seconds since 1970). */
  iat: number;
  nbf?: number;
  exp?: number;
  /** Other always-visible payload fields (e.g. `status`, a reference to a status list). */
  extra?: Record<string, unknown>;
  /** Salt generator for tests (default: 16 random bytes, base64url). */
  saltGenerator?: () => string;
}

export interface KeyBindingParams {
  aud: string;
  nonce: string;
  iat: number;
}

function hasher(data: string | ArrayBuffer, alg: string): Uint8Array {
  if (alg.toLowerCase() !== SD_ALG) throw new CredError('CRED_UNSUPPORTED', `digest algorithm ${alg} is not ${SD_ALG}`);
  return typeof data === 'string' ? sha256Text(data) : sha256(new Uint8Array(data));
}

function defaultSalt(): string {
  return b64urlEncode(randomBytes(16));
}

function numericDate(name: string, v: unknown, optional: boolean): void {
  if (v === undefined && optional) return;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) credFail('CRED_MALFORMED', `${name} must be a NumericDate (whole seconds since 1970)`);
}

/** Issue an SD-JWT VC: the issuer-signed JWT followed by every disclosure, `~`-separated (ending in `~`). */
export async function issueSdJwtVc(params: IssueSdJwtVcParams): Promise<string> {
  if (typeof params !== 'object' || params === null) credFail('CRED_MALFORMED', 'issueSdJwtVc takes an object of parameters');
  const { issuerKey, iss, vct, claims, selective, holderPublicKey, iat, nbf, exp, extra = {} } = params;
  assertKeyPair(issuerKey, 'issuerKey');
  const did = didKeyOf(issuerKey.publicKey);
  if (iss !== did) credFail('CRED_ISSUER_MISMATCH', `iss ${String(iss)} is not the issuer key's did:key ${did}`, { iss, did });
  if (typeof vct !== 'string' || vct === '') credFail('CRED_MALFORMED', 'vct must be a non-empty string');
  numericDate('iat', iat, false);
  numericDate('nbf', nbf, true);
  numericDate('exp', exp, true);
  if (exp !== undefined && exp <= Math.max(iat, nbf ?? 0)) credFail('CRED_MALFORMED', 'exp must be after iat and nbf');
  assertJsonObject(claims, 'claims', { forbidKeys: ['_sd', '...'] });
  assertJsonObject(extra, 'extra', { forbidKeys: ['_sd', '...'] });
  for (const name of [...Object.keys(claims), ...Object.keys(extra)]) {
    if (RESERVED.includes(name)) credFail('CRED_MALFORMED', `the claim name ${name} is set by the issuer itself`, { name });
  }
  for (const name of Object.keys(extra)) {
    if (Object.hasOwn(claims, name)) credFail('CRED_MALFORMED', `${name} is both a claim and an extra field`, { name });
  }
  if (!Array.isArray(selective) || new Set(selective).size !== selective.length) credFail('CRED_MALFORMED', 'selective must be a list of distinct claim names');
  for (const name of selective) {
    if (typeof name !== 'string' || !Object.hasOwn(claims, name)) credFail('CRED_MALFORMED', `the selective claim ${String(name)} is not in claims`, { name });
    if (NEVER_DISCLOSABLE.includes(name)) credFail('CRED_MALFORMED', `${name} may not be selectively disclosable in an SD-JWT VC`, { name });
  }
  const payload: JsonObject = { iss, iat, ...(nbf === undefined ? {} : { nbf }), ...(exp === undefined ? {} : { exp }), vct, cnf: { jwk: { ...jwkOfPublicKey(holderPublicKey) } }, ...extra, ...claims };
  const salt = params.saltGenerator ?? defaultSalt;
  const instance = new SDJwtVcInstance({
    signer: (input: string) => signJwsInput(input, issuerKey.secretKey),
    signAlg: JWS_ALG,
    hasher,
    hashAlg: SD_ALG,
    saltGenerator: () => salt(),
  });
  try {
    return await instance.issue(payload as JsonObject & { vct: string }, { _sd: [...selective] } as never, { header: { kid: verificationMethodOf(iss) } });
  } catch (e) {
    throw asCredError(e, 'CRED_MALFORMED', 'issuing the SD-JWT VC');
  }
}

/**
 * Present an issued SD-JWT VC: keep the disclosures of the claims named in `disclose` and add
 * a KB-JWT signed by the holder's key (which must be the credential's cnf key). The issued
 * credential is verified first; a name with no disclosure is CRED_UNDISCLOSED_CLAIM.
 */
export async function presentSdJwtVc(issued: string, disclose: readonly string[], holderKey: KeyPair, kb: KeyBindingParams): Promise<string> {
  assertKeyPair(holderKey, 'holderKey');
  const checked = verifySdJwtVcPresentation(issued, { requireKeyBinding: false });
  if (checked.holderBound) credFail('CRED_MALFORMED', 'the credential to present already carries a key binding JWT');
  if (checked.holderPublicKey === undefined || !equalBytes(checked.holderPublicKey, holderKey.publicKey)) {
    credFail('CRED_KEY_BINDING', "the holder key is not the credential's cnf key");
  }
  if (!Array.isArray(disclose)) credFail('CRED_MALFORMED', 'disclose must be a list of claim names');
  for (const name of disclose) {
    if (!checked.disclosed.includes(name)) credFail('CRED_UNDISCLOSED_CLAIM', `the credential has no disclosure for ${String(name)}`, { name });
  }
  if (typeof kb?.aud !== 'string' || typeof kb.nonce !== 'string' || kb.aud === '' || kb.nonce === '') credFail('CRED_MALFORMED', 'aud and nonce must be non-empty strings');
  numericDate('iat', kb.iat, false);
  const instance = new SDJwtVcInstance({
    hasher,
    hashAlg: SD_ALG,
    kbSigner: (input: string) => signJwsInput(input, holderKey.secretKey),
    kbSignAlg: JWS_ALG,
  });
  const frame = Object.fromEntries(disclose.map((n) => [n, true]));
  try {
    return await instance.present(issued, frame, { kb: { payload: { aud: kb.aud, nonce: kb.nonce, iat: kb.iat } } });
  } catch (e) {
    throw asCredError(e, 'CRED_MALFORMED', 'presenting the SD-JWT VC');
  }
}
