/**
 * The ledger's own reader of an SD-JWT VC presentation (RFC 9901, draft-ietf-oauth-sd-jwt-vc),
 * as the SDK writes them (rpc/client/cred/sd-jwt.ts; the vm may not import it): the compact
 * form `<issuer-signed JWT>~<disclosure>~...~[KB-JWT]`, strictly. Every segment is base64url
 * without padding and with canonical trailing bits, UTF-8 without a byte-order mark, JSON; the
 * header says alg EdDSA and typ dc+sd-jwt (no crit); `_sd_alg` is sha-256 (or absent: RFC 9901's
 * default); `iss` is the did:key of an Ed25519 key the network's rule accepts, and a `kid`, if
 * any, its verification method; iat, nbf and exp are whole seconds; `cnf.jwk` an Ed25519 OKP
 * key; `ledger` the credential's place in the ledger; `_sd` a list of distinct digests. Only
 * what the ledger needs is read, and nothing recursively: claim values are kept as parsed, and
 * only the top-level ones are ever looked at. Anything else is PRESENTATION_MALFORMED, never
 * another exception. Pure: no state, no signature check (presentation.ts does those).
 */
import { base58, base64urlnopad } from '@scure/base';
import { isValidPublicKey, sha256Utf8 } from '../../../core/index.js';
import { fail } from '../../errors.js';
import { SCHEMA_ID_RE } from './records.js';

/** The longest presentation read, in characters (its args field is str(16384) too). */
export const MAX_PRESENTATION_CHARS = 16_384;
/** The most disclosures one presentation may carry: a schema names at most 64 selective claims. */
export const MAX_DISCLOSURES = 64;
export const SD_JWT_VC_TYP = 'dc+sd-jwt';
export const JWS_ALG = 'EdDSA';
export const SD_ALG = 'sha-256';
/** Claims never disclosed selectively: the SD-JWT VC's own (draft-ietf-oauth-sd-jwt-vc 3.2.2.2) and the ledger's. */
export const NEVER_DISCLOSABLE: readonly string[] = ['iss', 'iat', 'nbf', 'exp', 'cnf', 'vct', 'vct#integrity', 'status', 'ledger', '_sd', '_sd_alg', '...'];

/** A JSON value as JSON.parse gives it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The credential's place in the ledger, as its `ledger` claim names it. */
export interface LedgerClaim {
  chainId: string;
  /** The issuer's account, bech32m with the chain's prefix (decoded against the chain's prefix by the caller). */
  issuer: string;
  batch: number;
  index: number;
  schema: string;
}

export interface Disclosure {
  /** base64url(SHA-256(the disclosure as sent)): what an `_sd` list holds. */
  digest: string;
  /** The claim name; undefined for an array-element disclosure ([salt, value]). */
  name: string | undefined;
  value: Json;
}

export interface ParsedSdJwt {
  /** The issuer-signed JWT as sent, its signing input (`header.payload`) and signature. */
  jwt: string;
  signingInput: string;
  signature: Uint8Array;
  payload: JsonObject;
  /** The key `iss` names. */
  issuerKey: Uint8Array;
  vct: string;
  iat: number | undefined;
  nbf: number | undefined;
  exp: number | undefined;
  /** The `cnf.jwk` key, or undefined when the credential binds no holder. */
  holderKey: Uint8Array | undefined;
  ledger: LedgerClaim;
  /** The payload's top-level `_sd` digests. */
  sd: ReadonlySet<string>;
  disclosures: Disclosure[];
}

const malformed = (message: string): never => fail('PRESENTATION_MALFORMED', message);

const CHARSET_RE = /^[A-Za-z0-9_.~-]*$/;
const SEGMENT_RE = /^[A-Za-z0-9_-]+$/;
const KB_JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const LONE_SURROGATE_RE = /\p{Cs}/u;
/** Keeps a leading byte-order mark (the default strips it: two byte strings would read as one text). */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict base64url (no padding, canonical last character). */
export function b64urlDecode(text: string, what: string): Uint8Array {
  if (!SEGMENT_RE.test(text)) malformed(`${what} is not base64url`);
  try {
    return base64urlnopad.decode(text);
  } catch {
    return malformed(`${what} is not canonical base64url`);
  }
}

export function b64urlEncode(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

/** Parse base64url-encoded UTF-8 JSON. */
function b64Json(text: string, what: string): Json {
  const bytes = b64urlDecode(text, what);
  let s: string;
  try {
    s = UTF8.decode(bytes);
  } catch {
    return malformed(`${what} is not UTF-8`);
  }
  try {
    return JSON.parse(s) as Json;
  } catch {
    return malformed(`${what} is not JSON`);
  }
}

export const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
/** An own property (a payload may hold a key such as `__proto__` or `constructor`). */
export const own = (o: JsonObject, key: string): Json | undefined => (Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined);
export const wellFormed = (s: string): boolean => !LONE_SURROGATE_RE.test(s);

function jsonObject(text: string, what: string): JsonObject {
  const v = b64Json(text, what);
  if (!isObject(v)) malformed(`${what} is not a JSON object`);
  return v as JsonObject;
}

/** A NumericDate: whole seconds since 1970 whose milliseconds are still a safe integer. */
function numericDate(payload: JsonObject, name: string): number | undefined {
  const v = own(payload, name);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || !Number.isSafeInteger(v * 1000)) malformed(`${name} is not a NumericDate (whole seconds since 1970)`);
  return v as number;
}

const DID_KEY_PREFIX = 'did:key:';
/** The ed25519-pub multicodec, as its two varint bytes. */
const ED25519_PUB = [0xed, 0x01];

/** The Ed25519 key of a did:key (`did:key:z6Mk...`). */
export function publicKeyOfDidKey(did: Json | undefined): Uint8Array {
  if (typeof did !== 'string' || did.length > 64 || !did.startsWith(`${DID_KEY_PREFIX}z`)) return malformed('iss is not a did:key');
  let bytes: Uint8Array;
  try {
    bytes = base58.decode(did.slice(DID_KEY_PREFIX.length + 1));
  } catch {
    return malformed('iss is not a did:key (base58btc)');
  }
  if (bytes.length !== 34 || bytes[0] !== ED25519_PUB[0] || bytes[1] !== ED25519_PUB[1]) malformed('iss is not the did:key of an Ed25519 key');
  const key = bytes.slice(2);
  if (!isValidPublicKey(key)) malformed("iss holds a key the network's verification rule refuses");
  return key;
}

/** The key of an Ed25519 OKP JWK. */
function publicKeyOfJwk(jwk: Json | undefined): Uint8Array {
  if (!isObject(jwk) || own(jwk, 'kty') !== 'OKP' || own(jwk, 'crv') !== 'Ed25519' || typeof own(jwk, 'x') !== 'string') malformed('cnf.jwk is not an Ed25519 OKP JWK');
  const key = b64urlDecode((jwk as JsonObject).x as string, 'cnf.jwk.x');
  if (!isValidPublicKey(key)) malformed('cnf.jwk.x is not a valid Ed25519 public key');
  return key;
}

function ledgerClaim(v: Json | undefined): LedgerClaim {
  if (!isObject(v)) return malformed('the credential has no `ledger` claim (its place in the ledger)');
  const chainId = own(v, 'chainId');
  const issuer = own(v, 'issuer');
  const batch = own(v, 'batch');
  const index = own(v, 'index');
  const schema = own(v, 'schema');
  if (typeof chainId !== 'string' || typeof issuer !== 'string' || typeof schema !== 'string' || !SCHEMA_ID_RE.test(schema)) malformed('the ledger claim needs chainId, issuer and schema (typeId@version) strings');
  if (typeof batch !== 'number' || typeof index !== 'number' || !Number.isSafeInteger(batch) || !Number.isSafeInteger(index) || batch < 0 || index < batch) {
    malformed("the ledger claim's batch and index are whole numbers, index >= batch");
  }
  return { chainId: chainId as string, issuer: issuer as string, batch: batch as number, index: index as number, schema: schema as string };
}

function disclosure(encoded: string, i: number): Disclosure {
  const what = `disclosure ${i}`;
  const arr = b64Json(encoded, what);
  if (!Array.isArray(arr) || (arr.length !== 2 && arr.length !== 3) || typeof arr[0] !== 'string') return malformed(`${what} is not a JSON array [salt, name, value] or [salt, value]`);
  const digest = b64urlEncode(sha256Utf8(encoded));
  if (arr.length === 2) return { digest, name: undefined, value: arr[1]! };
  const name = arr[1];
  if (typeof name !== 'string' || !wellFormed(name)) return malformed(`${what}'s claim name is not a string`);
  return { digest, name, value: arr[2]! };
}

/** Refuse anything but a string of at most MAX_PRESENTATION_CHARS, before any work: its length. */
export function checkSize(sdJwt: unknown): number {
  if (typeof sdJwt !== 'string' || sdJwt.length > MAX_PRESENTATION_CHARS) malformed(`a presentation is a string of at most ${MAX_PRESENTATION_CHARS} characters`);
  return (sdJwt as string).length;
}

/** Parse a compact SD-JWT VC (issued, or presented with or without a KB-JWT). */
export function parseSdJwt(sdJwt: string): ParsedSdJwt {
  checkSize(sdJwt);
  if (!CHARSET_RE.test(sdJwt)) malformed('a compact SD-JWT holds only base64url characters, "." and "~"');
  const parts = sdJwt.split('~');
  if (parts.length < 2) malformed('an SD-JWT has a "~" after the issuer-signed JWT');
  const jwt = parts[0]!;
  const kb = parts[parts.length - 1]!;
  const encoded = parts.slice(1, -1);
  if (encoded.length > MAX_DISCLOSURES) malformed(`more than ${MAX_DISCLOSURES} disclosures`);
  if (encoded.some((d) => d === '')) malformed('an empty disclosure ("~~")');
  // A KB-JWT is accepted in its compact shape and not checked (presentation.ts says why).
  if (kb !== '' && !KB_JWT_RE.test(kb)) malformed('the part after the last "~" is neither empty nor a compact JWT');

  const segs = jwt.split('.');
  if (segs.length !== 3) malformed('the issuer-signed JWT is not a compact JWS (three dot-separated parts)');
  const [h, p, s] = segs as [string, string, string];
  const header = jsonObject(h, 'the JWT header');
  const payload = jsonObject(p, 'the JWT payload');
  const signature = b64urlDecode(s, 'the JWT signature');
  if (signature.length !== 64) malformed('the JWT signature is not 64 bytes');
  if (own(header, 'alg') !== JWS_ALG) malformed(`the JWT's alg is not ${JWS_ALG}`);
  if (own(header, 'typ') !== SD_JWT_VC_TYP) malformed(`the JWT's typ is not ${SD_JWT_VC_TYP}`);
  if (own(header, 'crit') !== undefined) malformed('a JWT with crit header parameters');

  const iss = own(payload, 'iss');
  const issuerKey = publicKeyOfDidKey(iss);
  const kid = own(header, 'kid');
  if (kid !== undefined && kid !== `${iss as string}#${(iss as string).slice(DID_KEY_PREFIX.length)}`) malformed("the header's kid is not iss's verification method");
  const sdAlg = own(payload, '_sd_alg');
  if (sdAlg !== undefined && sdAlg !== SD_ALG) malformed(`_sd_alg is not ${SD_ALG}`);
  const vct = own(payload, 'vct');
  if (typeof vct !== 'string' || vct === '') malformed('an SD-JWT VC has a vct string');
  const cnf = own(payload, 'cnf');
  if (cnf !== undefined && !isObject(cnf)) malformed('cnf is not a JSON object');
  const holderKey = cnf === undefined ? undefined : publicKeyOfJwk(own(cnf as JsonObject, 'jwk'));
  const sdList = own(payload, '_sd') ?? [];
  if (!Array.isArray(sdList) || sdList.some((d) => typeof d !== 'string')) malformed('_sd is not a list of digests');
  const sd = new Set(sdList as string[]);
  if (sd.size !== (sdList as string[]).length) malformed('a digest appears twice in _sd');

  return {
    jwt, signingInput: `${h}.${p}`, signature, payload, issuerKey, vct: vct as string,
    iat: numericDate(payload, 'iat'), nbf: numericDate(payload, 'nbf'), exp: numericDate(payload, 'exp'),
    holderKey, ledger: ledgerClaim(own(payload, 'ledger')), sd, disclosures: encoded.map(disclosure),
  };
}
