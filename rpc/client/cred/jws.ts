/**
 * Compact JWS with EdDSA (Ed25519) and Ed25519 JWKs (RFC 7515, RFC 8037), the small part of
 * JOSE the SD-JWT code needs, on the project's keys: signatures are made with core `sign` and
 * checked with core `verify` (SOV-ED25519-STRICT, docs/crypto.md), never a JOSE library's.
 * Parsing is strict: three segments of canonical base64url, a header and payload that are JSON
 * objects, a 64-byte signature; anything else is CRED_MALFORMED (or the `code` the caller
 * names, e.g. CRED_KEY_BINDING for a KB-JWT).
 */
import { isValidPublicKey, sign, utf8, verify, PUBLIC_KEY_LENGTH } from '../../../core/index.js';
import { CredError, type CredErrorCode } from './errors.js';
import { b64urlDecode, b64urlEncode, decodeUtf8, parseJson, type JsonObject } from './json.js';

export const JWS_ALG = 'EdDSA';

export interface ParsedJws {
  header: JsonObject;
  payload: JsonObject;
  /** `${header}.${payload}` as sent: what the signature covers. */
  signingInput: string;
  signature: Uint8Array;
}

/** The base64url Ed25519 signature of a JWS signing input. */
export function signJwsInput(signingInput: string, secretKey: Uint8Array): string {
  return b64urlEncode(sign(utf8(signingInput), secretKey));
}

/** Parse a compact JWS; a failure is a CredError with `code` (CRED_MALFORMED by default). */
export function parseCompactJws(jws: string, what: string, code: CredErrorCode = 'CRED_MALFORMED'): ParsedJws {
  try {
    if (typeof jws !== 'string') throw new CredError('CRED_MALFORMED', `${what} is not a string`);
    const parts = jws.split('.');
    if (parts.length !== 3) throw new CredError('CRED_MALFORMED', `${what} is not a compact JWS (three dot-separated parts)`);
    const [h, p, s] = parts as [string, string, string];
    const header = parseJson(decodeUtf8(b64urlDecode(h, `${what} header`), `${what} header`), `${what} header`);
    const payload = parseJson(decodeUtf8(b64urlDecode(p, `${what} payload`), `${what} payload`), `${what} payload`);
    if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new CredError('CRED_MALFORMED', `${what} header is not a JSON object`);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new CredError('CRED_MALFORMED', `${what} payload is not a JSON object`);
    const signature = b64urlDecode(s, `${what} signature`);
    if (signature.length !== 64) throw new CredError('CRED_MALFORMED', `${what} signature is not 64 bytes`);
    return { header, payload, signingInput: `${h}.${p}`, signature };
  } catch (e) {
    if (e instanceof CredError && e.code !== code) throw new CredError(code, e.message, e.meta as Record<string, unknown>);
    throw e;
  }
}

/** Check a parsed JWS's EdDSA signature with core `verify`. */
export function verifyJws(jws: ParsedJws, publicKey: Uint8Array): boolean {
  return verify(jws.signature, utf8(jws.signingInput), publicKey);
}

/** An Ed25519 public key as an OKP JWK (RFC 8037). */
export interface Ed25519Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
}

export function jwkOfPublicKey(publicKey: Uint8Array): Ed25519Jwk {
  if (!(publicKey instanceof Uint8Array) || !isValidPublicKey(publicKey)) throw new CredError('CRED_MALFORMED', 'not a valid Ed25519 public key');
  return { kty: 'OKP', crv: 'Ed25519', x: b64urlEncode(publicKey) };
}

/** The key of an Ed25519 OKP JWK; a failure is a CredError with `code`. */
export function publicKeyOfJwk(jwk: unknown, code: CredErrorCode = 'CRED_MALFORMED'): Uint8Array {
  const j = jwk as Partial<Ed25519Jwk> | null;
  if (typeof j !== 'object' || j === null || j.kty !== 'OKP' || j.crv !== 'Ed25519' || typeof j.x !== 'string') {
    throw new CredError(code, 'the key is not an Ed25519 OKP JWK');
  }
  let key: Uint8Array;
  try {
    key = b64urlDecode(j.x, 'jwk.x');
  } catch {
    throw new CredError(code, 'jwk.x is not base64url');
  }
  if (key.length !== PUBLIC_KEY_LENGTH || !isValidPublicKey(key)) throw new CredError(code, 'jwk.x is not a valid Ed25519 public key');
  return key;
}
