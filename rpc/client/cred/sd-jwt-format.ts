/**
 * The SD-JWT compact form (RFC 9901) as this library reads it: `<issuer-signed JWT>~<disclosure>~
 * ...~<KB-JWT or nothing>`. A disclosure is the base64url of a JSON array: [salt, name, value]
 * for an object property, [salt, value] for an array element; its digest is the base64url of
 * SHA-256 over the ASCII of the disclosure exactly as sent (the only `_sd_alg` supported is
 * sha-256). Limits (MAX_SD_JWT_LENGTH, MAX_DISCLOSURES) bound the work a presentation can ask
 * for. Also the two ledger helpers: the issuer-signed JWT of an SD-JWT, and its SHA-256 (the
 * value the ledger anchors: it is the same in the issued form and in every presentation).
 */
import { CredError, credFail } from './errors.js';
import { parseCompactJws } from './jws.js';
import { b64urlDecode, b64urlEncode, decodeUtf8, parseJson, sha256Text, type JsonValue } from './json.js';

/** The typ of an SD-JWT VC (draft-ietf-oauth-sd-jwt-vc); `vc+sd-jwt` is its former name, also accepted. */
export const SD_JWT_VC_TYP = 'dc+sd-jwt';
export const SD_JWT_VC_TYPS: readonly string[] = ['dc+sd-jwt', 'vc+sd-jwt'];
export const KB_JWT_TYP = 'kb+jwt';
export const SD_ALG = 'sha-256';
/** The longest SD-JWT accepted (issued or presented), in characters. */
export const MAX_SD_JWT_LENGTH = 1024 * 1024;
/** The most disclosures an SD-JWT may carry. */
export const MAX_DISCLOSURES = 1000;
/** Claim names an SD-JWT VC never makes selectively disclosable (draft-ietf-oauth-sd-jwt-vc 3.2.2.2). */
export const NEVER_DISCLOSABLE: readonly string[] = ['iss', 'nbf', 'exp', 'cnf', 'vct', 'vct#integrity', 'status'];

export interface SdJwtParts {
  /** The issuer-signed JWT (compact JWS). */
  jwt: string;
  /** The disclosures as sent. */
  disclosures: string[];
  /** The KB-JWT, or '' when there is none. */
  kb: string;
}

/** Split an SD-JWT (or SD-JWT+KB) into its parts; CRED_MALFORMED if it is not one. */
export function splitSdJwt(sdJwt: string): SdJwtParts {
  if (typeof sdJwt !== 'string') credFail('CRED_MALFORMED', 'an SD-JWT is a string');
  if (sdJwt.length > MAX_SD_JWT_LENGTH) credFail('CRED_MALFORMED', `the SD-JWT is longer than ${MAX_SD_JWT_LENGTH} characters`, { length: sdJwt.length });
  const parts = sdJwt.split('~');
  if (parts.length < 2) credFail('CRED_MALFORMED', 'an SD-JWT has a "~" after the issuer-signed JWT');
  const jwt = parts[0]!;
  const kb = parts[parts.length - 1]!;
  const disclosures = parts.slice(1, -1);
  if (jwt === '') credFail('CRED_MALFORMED', 'the SD-JWT has no issuer-signed JWT');
  if (disclosures.length > MAX_DISCLOSURES) credFail('CRED_MALFORMED', `more than ${MAX_DISCLOSURES} disclosures`, { count: disclosures.length });
  if (disclosures.some((d) => d === '')) credFail('CRED_MALFORMED', 'an empty disclosure ("~~")');
  return { jwt, disclosures, kb };
}

export interface Disclosure {
  /** As sent (base64url). */
  encoded: string;
  /** base64url(SHA-256(ASCII(encoded))). */
  digest: string;
  salt: string;
  /** The claim name; undefined for an array element. */
  name?: string;
  value: JsonValue;
}

/** The digest of a disclosure or of any SD-JWT part: base64url of SHA-256 of its ASCII. */
export function sdDigest(text: string): string {
  return b64urlEncode(sha256Text(text));
}

/** Decode one disclosure; CRED_MALFORMED if it is not one. */
export function decodeDisclosure(encoded: string): Disclosure {
  const arr = parseJson(decodeUtf8(b64urlDecode(encoded, 'a disclosure'), 'a disclosure'), 'a disclosure');
  if (!Array.isArray(arr) || (arr.length !== 2 && arr.length !== 3)) credFail('CRED_MALFORMED', 'a disclosure is a JSON array of 2 or 3 elements');
  const salt = arr[0];
  if (typeof salt !== 'string') credFail('CRED_MALFORMED', "a disclosure's salt is a string");
  const digest = sdDigest(encoded);
  if (arr.length === 2) return { encoded, digest, salt, value: arr[1]! };
  const name = arr[1];
  if (typeof name !== 'string') credFail('CRED_MALFORMED', "a disclosure's claim name is a string");
  if (name === '_sd' || name === '...') credFail('CRED_MALFORMED', `a disclosure may not name the claim ${JSON.stringify(name)}`);
  return { encoded, digest, salt, name, value: arr[2]! };
}

/** The issuer-signed JWT of an SD-JWT (issued or presented). */
export function sdJwtIssuerJwt(sdJwt: string): string {
  return splitSdJwt(sdJwt).jwt;
}

/** SHA-256 of the issuer-signed JWT's compact string: what the ledger anchors for an SD-JWT VC. */
export function sdJwtIssuerJwtDigest(sdJwt: string): Uint8Array {
  const jwt = sdJwtIssuerJwt(sdJwt);
  parseCompactJws(jwt, 'the issuer-signed JWT');
  return sha256Text(jwt);
}

/** Re-throw anything that is not a CredError (a library's error) as one with `code`. */
export function asCredError(e: unknown, code: 'CRED_MALFORMED' | 'CRED_KEY_BINDING', what: string): CredError {
  if (e instanceof CredError) return e;
  return new CredError(code, `${what}: ${(e as Error)?.message ?? String(e)}`);
}
