/**
 * Verifying an SD-JWT VC presentation (RFC 9901 section 7, draft-ietf-oauth-sd-jwt-vc), our
 * own code rather than @sd-jwt/core's `verify`, which reads the wall clock, keeps going past a
 * disclosure no digest refers to, and never checks `aud`. In order:
 *  1. the issuer-signed JWT: header alg EdDSA (else CRED_UNSUPPORTED) and typ dc+sd-jwt; `iss`
 *     a did:key (CRED_DID_INVALID), the expected issuer if the caller names one, and a `kid`
 *     if present one of its methods (CRED_ISSUER_MISMATCH); the signature checked with core
 *     `verify` against the did:key's key (CRED_TAMPERED);
 *  2. with `now` given: exp, nbf and iat (CRED_EXPIRED, CRED_NOT_YET_VALID);
 *  3. the disclosures, replaced into the payload where their digests are: a digest met twice,
 *     or a disclosure sent twice, is CRED_MALFORMED; a disclosure whose digest is in no signed
 *     `_sd` list or array slot is CRED_DISCLOSURE_MISMATCH (its value or salt was changed); one
 *     that lands where the signed payload has no place for it (an array-element disclosure in
 *     an `_sd` list, a property disclosure in an array slot, a name the object already has) is
 *     CRED_UNDISCLOSED_CLAIM, as is a claim the caller requires that is not disclosed; a claim
 *     SD-JWT VC never discloses selectively (iss, exp, cnf, vct, status, ...) is CRED_MALFORMED;
 *  4. key binding (CRED_KEY_BINDING): required when the credential has `cnf` (or the caller
 *     passes aud or nonce, or asks for it); the KB-JWT has typ kb+jwt, alg EdDSA, iat, aud,
 *     nonce and sd_hash (SHA-256 of everything before it), is signed by the cnf.jwk key (core
 *     `verify`), and its aud and nonce are the ones the caller expects.
 * A verifier that wants replay protection passes its own `aud` and a fresh `nonce`.
 */
import { sha256Text, setOwn, type JsonObject, type JsonValue } from './json.js';
import { credFail } from './errors.js';
import { parseVerificationMethod, publicKeyOfDidKey } from './did.js';
import { JWS_ALG, parseCompactJws, publicKeyOfJwk, verifyJws } from './jws.js';
import { decodeDisclosure, KB_JWT_TYP, NEVER_DISCLOSABLE, SD_ALG, SD_JWT_VC_TYPS, sdDigest, splitSdJwt, type Disclosure } from './sd-jwt-format.js';

/** Nesting allowed across disclosures (each a JSON value of at most MAX_JSON_DEPTH). */
const MAX_CLAIM_DEPTH = 128;

export interface VerifySdJwtOptions {
  /** The audience the KB-JWT must name (this verifier). */
  aud?: string;
  /** The nonce this verifier gave the holder. */
  nonce?: string;
  /** The did:key the credential must be issued by. */
  issuer?: string;
  /** Require a KB-JWT (default: when the credential has cnf, or aud or nonce is given). */
  requireKeyBinding?: boolean;
  /** Claim names (dotted paths) that must be among the disclosed ones. */
  requireDisclosed?: readonly string[];
  /** The time to check exp, nbf and iat against, in seconds since 1970 (no check without it). */
  now?: number;
  /** Clock skew allowed in those checks, in seconds (default 0). */
  skewSeconds?: number;
}

export interface KeyBindingClaims {
  aud: string;
  nonce: string;
  iat: number;
}

export interface SdJwtVcVerified {
  /** The issuer-signed JWT's header. */
  header: JsonObject;
  /** The issuer-signed payload as signed (digests, not disclosed values). */
  payload: JsonObject;
  /** The claims: the payload's plain claims plus the disclosed ones (no _sd, no _sd_alg). */
  claims: JsonObject;
  /** The disclosed claims' names (dotted paths for nested ones), sorted. */
  disclosed: string[];
  /** The `iss` did:key, and the key the signature was checked with. */
  issuer: string;
  issuerPublicKey: Uint8Array;
  /** SHA-256 of the issuer-signed JWT's compact string (what the ledger anchors). */
  issuerJwtDigest: Uint8Array;
  /** True when a KB-JWT signed by the cnf key was checked. */
  holderBound: boolean;
  /** The cnf key, when the credential has one. */
  holderPublicKey?: Uint8Array;
  /** The KB-JWT's claims, when holder-bound. */
  keyBinding?: KeyBindingClaims;
}

function numericDate(payload: JsonObject, name: string): number | undefined {
  const v = payload[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || v < 0) credFail('CRED_MALFORMED', `${name} must be a NumericDate (seconds since 1970)`);
  return v;
}

/** Replace disclosures into the payload (RFC 9901 7.1 step 3), recording what was disclosed. */
function unpack(payload: JsonObject, disclosures: readonly Disclosure[]): { claims: JsonObject; disclosed: string[] } {
  const byDigest = new Map<string, Disclosure>();
  for (const d of disclosures) {
    if (byDigest.has(d.digest)) credFail('CRED_MALFORMED', 'the same disclosure is sent twice');
    byDigest.set(d.digest, d);
  }
  const seen = new Set<string>();
  const used = new Set<string>();
  const disclosed: string[] = [];
  const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

  const take = (digest: JsonValue | undefined, where: string): Disclosure | undefined => {
    if (typeof digest !== 'string') credFail('CRED_MALFORMED', `a digest in ${where} is not a string`);
    if (seen.has(digest)) credFail('CRED_MALFORMED', `the digest ${digest} appears twice in the payload`);
    seen.add(digest);
    const d = byDigest.get(digest);
    if (d !== undefined) used.add(digest);
    return d;
  };

  const value = (v: JsonValue, path: string, depth: number): JsonValue => {
    if (depth > MAX_CLAIM_DEPTH) credFail('CRED_MALFORMED', 'claims nested too deep');
    if (Array.isArray(v)) return array(v, path, depth);
    if (typeof v === 'object' && v !== null) return object(v, path, depth, false);
    return v;
  };

  const array = (arr: JsonValue[], path: string, depth: number): JsonValue[] => {
    const out: JsonValue[] = [];
    arr.forEach((el, i) => {
      const slot = typeof el === 'object' && el !== null && !Array.isArray(el) && Object.keys(el).length === 1 && Object.hasOwn(el, '...');
      if (!slot) {
        out.push(value(el, join(path, String(i)), depth + 1));
        return;
      }
      const d = take((el as JsonObject)['...'], join(path, String(i)));
      if (d === undefined) return; // an element not disclosed (or a decoy)
      if (d.name !== undefined) credFail('CRED_UNDISCLOSED_CLAIM', `the disclosure of claim ${JSON.stringify(d.name)} is presented for an array element (${join(path, String(i))})`, { path: join(path, String(i)) });
      disclosed.push(join(path, String(i)));
      out.push(value(d.value, join(path, String(i)), depth + 1));
    });
    return out;
  };

  const object = (obj: JsonObject, path: string, depth: number, top: boolean): JsonObject => {
    const out: JsonObject = {};
    for (const key of Object.keys(obj)) {
      if (key === '_sd' || (top && key === '_sd_alg')) continue;
      if (key === '...') credFail('CRED_MALFORMED', `"..." is only an array element's key (at ${path || '$'})`);
      setOwn(out, key, value(obj[key]!, join(path, key), depth + 1));
    }
    const sd = obj._sd;
    if (sd === undefined) return out;
    if (!Array.isArray(sd)) credFail('CRED_MALFORMED', `_sd is not an array (at ${path || '$'})`);
    for (const digest of sd) {
      const d = take(digest, `${path || '$'}._sd`);
      if (d === undefined) continue; // not disclosed (or a decoy)
      if (d.name === undefined) credFail('CRED_UNDISCLOSED_CLAIM', `an array-element disclosure is presented as a claim of ${path || 'the payload'}`, { path });
      if (Object.hasOwn(out, d.name)) credFail('CRED_UNDISCLOSED_CLAIM', `the disclosed claim ${join(path, d.name)} is already in the signed payload`, { path: join(path, d.name) });
      if (top && NEVER_DISCLOSABLE.includes(d.name)) credFail('CRED_MALFORMED', `the claim ${d.name} may not be selectively disclosed in an SD-JWT VC`);
      disclosed.push(join(path, d.name));
      setOwn(out, d.name, value(d.value, join(path, d.name), depth + 1));
    }
    return out;
  };

  const claims = object(payload, '', 0, true);
  for (const d of disclosures) {
    if (!used.has(d.digest)) {
      credFail('CRED_DISCLOSURE_MISMATCH', `the disclosure${d.name === undefined ? '' : ` of ${JSON.stringify(d.name)}`} is not referred to by any signed digest`, { digest: d.digest, ...(d.name === undefined ? {} : { name: d.name }) });
    }
  }
  return { claims, disclosed: disclosed.sort() };
}

/** Verify an SD-JWT VC (issued or presented, with or without a KB-JWT). Throws CredError. */
export function verifySdJwtVcPresentation(presentation: string, options: VerifySdJwtOptions = {}): SdJwtVcVerified {
  const opts = options ?? {};
  const parts = splitSdJwt(presentation);
  const jws = parseCompactJws(parts.jwt, 'the issuer-signed JWT');
  const { header, payload } = jws;
  if (header.alg !== JWS_ALG) credFail('CRED_UNSUPPORTED', `the issuer-signed JWT's alg ${JSON.stringify(header.alg)} is not ${JWS_ALG}`);
  if (header.crit !== undefined) credFail('CRED_UNSUPPORTED', 'a JWS with crit header parameters');
  if (typeof header.typ !== 'string' || !SD_JWT_VC_TYPS.includes(header.typ)) credFail('CRED_MALFORMED', `the issuer-signed JWT's typ ${JSON.stringify(header.typ)} is not dc+sd-jwt`);
  const issuer = payload.iss;
  if (typeof issuer !== 'string') credFail('CRED_MALFORMED', 'iss must be a string (a did:key)');
  const issuerPublicKey = publicKeyOfDidKey(issuer);
  if (opts.issuer !== undefined && issuer !== opts.issuer) credFail('CRED_ISSUER_MISMATCH', `issued by ${issuer}, not by ${opts.issuer}`, { issuer, expected: opts.issuer });
  if (header.kid !== undefined) {
    if (typeof header.kid !== 'string' || parseVerificationMethod(header.kid).did !== issuer) credFail('CRED_ISSUER_MISMATCH', "the header's kid is not a verification method of iss", { kid: header.kid });
  }
  if (!verifyJws(jws, issuerPublicKey)) credFail('CRED_TAMPERED', 'the issuer signature does not verify', { issuer });

  if (typeof payload.vct !== 'string' || payload.vct === '') credFail('CRED_MALFORMED', 'an SD-JWT VC has a vct string');
  if (payload._sd_alg !== undefined && payload._sd_alg !== SD_ALG) credFail('CRED_UNSUPPORTED', `_sd_alg ${JSON.stringify(payload._sd_alg)} is not ${SD_ALG}`);
  const iat = numericDate(payload, 'iat');
  const nbf = numericDate(payload, 'nbf');
  const exp = numericDate(payload, 'exp');
  const holderPublicKey = payload.cnf === undefined ? undefined : publicKeyOfJwk((payload.cnf as JsonObject | null)?.jwk, 'CRED_MALFORMED');
  if (opts.now !== undefined) {
    const skew = opts.skewSeconds ?? 0;
    if (exp !== undefined && opts.now >= exp + skew) credFail('CRED_EXPIRED', `expired at ${exp}`, { exp, now: opts.now });
    if (nbf !== undefined && opts.now + skew < nbf) credFail('CRED_NOT_YET_VALID', `not valid before ${nbf}`, { nbf, now: opts.now });
    if (iat !== undefined && opts.now + skew < iat) credFail('CRED_NOT_YET_VALID', `issued in the future (${iat})`, { iat, now: opts.now });
  }

  const { claims, disclosed } = unpack(payload, parts.disclosures.map(decodeDisclosure));
  for (const name of opts.requireDisclosed ?? []) {
    if (!disclosed.includes(name)) credFail('CRED_UNDISCLOSED_CLAIM', `the claim ${name} is required but not disclosed`, { name });
  }

  const result: SdJwtVcVerified = {
    header,
    payload,
    claims,
    disclosed,
    issuer,
    issuerPublicKey,
    issuerJwtDigest: sha256Text(parts.jwt),
    holderBound: false,
    ...(holderPublicKey === undefined ? {} : { holderPublicKey }),
  };
  const requireKb = opts.requireKeyBinding ?? (holderPublicKey !== undefined || opts.aud !== undefined || opts.nonce !== undefined);
  if (parts.kb === '') {
    if (requireKb) credFail('CRED_KEY_BINDING', 'no key binding JWT in the presentation');
    return result;
  }
  if (holderPublicKey === undefined) credFail('CRED_KEY_BINDING', 'a key binding JWT, but the credential has no cnf key to check it with');
  const kb = parseCompactJws(parts.kb, 'the KB-JWT', 'CRED_KEY_BINDING');
  if (kb.header.typ !== KB_JWT_TYP) credFail('CRED_KEY_BINDING', `the KB-JWT's typ is not ${KB_JWT_TYP}`);
  if (kb.header.alg !== JWS_ALG) credFail('CRED_KEY_BINDING', `the KB-JWT's alg is not ${JWS_ALG}`);
  if (kb.header.crit !== undefined) credFail('CRED_KEY_BINDING', 'a KB-JWT with crit header parameters');
  const { aud, nonce, iat: kbIat, sd_hash: sdHash } = kb.payload;
  if (typeof aud !== 'string' || typeof nonce !== 'string' || typeof kbIat !== 'number' || typeof sdHash !== 'string') {
    credFail('CRED_KEY_BINDING', 'the KB-JWT must have aud and nonce strings, a numeric iat and an sd_hash');
  }
  if (!verifyJws(kb, holderPublicKey)) credFail('CRED_KEY_BINDING', 'the KB-JWT is not signed by the cnf key');
  if (sdHash !== sdDigest(presentation.slice(0, presentation.length - parts.kb.length))) credFail('CRED_KEY_BINDING', "the KB-JWT's sd_hash is not the presentation's");
  if (opts.aud !== undefined && aud !== opts.aud) credFail('CRED_KEY_BINDING', `the KB-JWT is for the audience ${aud}`, { aud, expected: opts.aud });
  if (opts.nonce !== undefined && nonce !== opts.nonce) credFail('CRED_KEY_BINDING', "the KB-JWT's nonce is not the one given", { nonce });
  if (opts.now !== undefined && kbIat > opts.now + (opts.skewSeconds ?? 0)) credFail('CRED_KEY_BINDING', 'the KB-JWT is issued in the future', { iat: kbIat, now: opts.now });
  result.holderBound = true;
  result.keyBinding = { aud, nonce, iat: kbIat };
  return result;
}
