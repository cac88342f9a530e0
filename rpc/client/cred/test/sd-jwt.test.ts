/**
 * SD-JWT VC: issue, present with a chosen subset and a KB-JWT, verify; the anchored digest is
 * the same in every form; @sd-jwt's own verifier (with our core-verify callbacks) agrees; and
 * every refusal has its code: a tampered JWT, a changed disclosure, a claim presented where the
 * signed payload has no place for it, bad key binding, bad shapes.
 */
import t from 'tap';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { keyPairFromSecret, sha256, toHex, utf8, verify } from '../../../../core/index.js';
import { Rng } from '../../../../test/index.js';
import {
  didKeyOf, issueSdJwtVc, presentSdJwtVc, sdDigest, sdJwtIssuerJwt, sdJwtIssuerJwtDigest, verificationMethodOf, verifySdJwtVcPresentation, type IssueSdJwtVcParams,
} from '../index.js';
import { b64urlDecode, b64urlEncode } from '../json.js';
import { jwkOfPublicKey, signJwsInput } from '../jws.js';

const rng = new Rng(11);
const issuerKey = keyPairFromSecret(rng.bytes(32));
const holderKey = keyPairFromSecret(rng.bytes(32));
const otherKey = keyPairFromSecret(rng.bytes(32));
const iss = didKeyOf(issuerKey.publicKey);
const AUD = 'https://verifier.example';
const NONCE = 'n-0S6_WzA2Mj';
const IAT = 1_760_000_000;

function salts(): () => string {
  let n = 0;
  return () => b64urlEncode(utf8(`salt-${n++}-0123456789`));
}

function params(over: Partial<IssueSdJwtVcParams> = {}): IssueSdJwtVcParams {
  return {
    issuerKey,
    iss,
    vct: 'https://registry.example/credentials/identity',
    claims: { given_name: 'Ada', family_name: 'Lovelace', birthdate: '1815-12-10', nationality: 'GB', address: { locality: 'London', country: 'GB' } },
    selective: ['given_name', 'family_name', 'birthdate', 'address'],
    holderPublicKey: holderKey.publicKey,
    iat: IAT,
    exp: IAT + 365 * 86400,
    extra: { status: { status_list: { idx: 42, uri: 'https://registry.example/status/1' } } },
    saltGenerator: salts(),
    ...over,
  };
}

const kb = { aud: AUD, nonce: NONCE, iat: IAT + 100 };
const decodeJson = (s: string): Record<string, unknown> => JSON.parse(Buffer.from(b64urlDecode(s, 'x')).toString('utf8')) as Record<string, unknown>;
const jwtParts = (sdJwt: string): [Record<string, unknown>, Record<string, unknown>, string] => {
  const [h, p, s] = sdJwtIssuerJwt(sdJwt).split('.') as [string, string, string];
  return [decodeJson(h), decodeJson(p), s];
};
/** A compact JWS signed with `key` (our own EdDSA signer), for crafting inputs. */
const jws = (header: Record<string, unknown>, payload: Record<string, unknown>, key = issuerKey): string => {
  const input = `${b64urlEncode(utf8(JSON.stringify(header)))}.${b64urlEncode(utf8(JSON.stringify(payload)))}`;
  return `${input}.${signJwsInput(input, key.secretKey)}`;
};
const disclosure = (arr: unknown[]): string => b64urlEncode(utf8(JSON.stringify(arr)));
const HEADER = { typ: 'dc+sd-jwt', alg: 'EdDSA', kid: verificationMethodOf(iss) };
const basePayload = (): Record<string, unknown> => ({ iss, iat: IAT, vct: 'https://registry.example/x', cnf: { jwk: jwkOfPublicKey(holderKey.publicKey) }, _sd_alg: 'sha-256' });
/** A KB-JWT over `prefix` (everything up to and including the last '~'). */
const kbJwt = (prefix: string, over: Record<string, unknown> = {}, key = holderKey, header: Record<string, unknown> = { typ: 'kb+jwt', alg: 'EdDSA' }): string =>
  jws(header, { aud: AUD, nonce: NONCE, iat: IAT + 100, sd_hash: sdDigest(prefix), ...over }, key);

t.test('issue: the RFC 9901 shape, deterministic with injected salts', async (tt) => {
  const issued = await issueSdJwtVc(params());
  tt.equal(await issueSdJwtVc(params()), issued, 'same inputs and salts, same SD-JWT');
  tt.ok(issued.endsWith('~'), 'ends with "~" (no key binding yet)');
  const parts = issued.split('~');
  tt.equal(parts.length, 1 + 4 + 1, 'the JWT, four disclosures, and the empty last part');
  const [header, payload] = jwtParts(issued);
  tt.same(header, { typ: 'dc+sd-jwt', kid: verificationMethodOf(iss), alg: 'EdDSA' });
  tt.equal(payload.iss, iss);
  tt.equal(payload._sd_alg, 'sha-256');
  tt.same(payload.cnf, { jwk: { kty: 'OKP', crv: 'Ed25519', x: b64urlEncode(holderKey.publicKey) } });
  tt.equal(payload.nationality, 'GB', 'a claim not selective is in the clear');
  tt.notOk('given_name' in payload || 'address' in payload, 'selective claims are not');
  const sd = payload._sd as string[];
  tt.equal(sd.length, 4);
  tt.same([...sd].sort(), sd, '_sd is sorted (hides the claim order)');
  for (const d of parts.slice(1, -1)) {
    tt.ok(sd.includes(sdDigest(d)), 'each disclosure digest is in _sd');
    const arr = decodeJson(d) as unknown as unknown[];
    tt.equal(arr.length, 3);
  }
  const random1 = await issueSdJwtVc(params({ saltGenerator: undefined }));
  const random2 = await issueSdJwtVc(params({ saltGenerator: undefined }));
  tt.not(random1, random2, 'default salts are random');
  const salt = decodeJson(random1.split('~')[1]!) as unknown as string[];
  tt.equal(b64urlDecode(salt[0]!, 'salt').length, 16, '128-bit salts');
});

t.test('present a subset, verify it: claims, disclosed names, holder binding, anchored digest', async (tt) => {
  const issued = await issueSdJwtVc(params());
  const p = await presentSdJwtVc(issued, ['birthdate', 'address'], holderKey, kb);
  const r = verifySdJwtVcPresentation(p, { aud: AUD, nonce: NONCE, issuer: iss, now: IAT + 200 });
  tt.same(r.disclosed, ['address', 'birthdate']);
  tt.same(r.claims.address, { locality: 'London', country: 'GB' });
  tt.equal(r.claims.birthdate, '1815-12-10');
  tt.equal(r.claims.nationality, 'GB');
  tt.notOk('given_name' in r.claims || 'family_name' in r.claims, 'undisclosed claims stay hidden');
  tt.notOk('_sd' in r.claims || '_sd_alg' in r.claims);
  tt.equal(r.claims.iss, iss);
  tt.same(r.claims.status, { status_list: { idx: 42, uri: 'https://registry.example/status/1' } }, 'extra fields are plain claims');
  tt.ok(r.holderBound);
  tt.same(r.keyBinding, { aud: AUD, nonce: NONCE, iat: IAT + 100 });
  tt.equal(toHex(r.issuerPublicKey), toHex(issuerKey.publicKey), 'the key used is the did:key of iss');
  tt.equal(toHex(r.holderPublicKey!), toHex(holderKey.publicKey));
  tt.equal(r.issuer, iss);
  tt.same(r.payload, jwtParts(issued)[1], 'payload is the issuer-signed payload as signed');
  const anchored = sdJwtIssuerJwtDigest(issued);
  tt.equal(toHex(r.issuerJwtDigest), toHex(anchored), 'the anchored digest is the same in the issued form and the presentation');

  const none = await presentSdJwtVc(issued, [], holderKey, kb);
  tt.equal(none.split('~').length, 2, 'JWT~KB-JWT when nothing is disclosed');
  const r0 = verifySdJwtVcPresentation(none, { aud: AUD, nonce: NONCE });
  tt.same(r0.disclosed, []);
  tt.equal(toHex(r0.issuerJwtDigest), toHex(anchored));

  const all = verifySdJwtVcPresentation(issued, { requireKeyBinding: false });
  tt.same(all.disclosed, ['address', 'birthdate', 'family_name', 'given_name'], 'the issued form discloses everything');
  tt.notOk(all.holderBound);
});

t.test("@sd-jwt's own verifier, with core-verify callbacks, agrees with ours", async (tt) => {
  // Without a status reference: the library's verify would fetch the status list over the network.
  const issued = await issueSdJwtVc(params({ extra: {} }));
  const p = await presentSdJwtVc(issued, ['given_name'], holderKey, kb);
  const sig = (s: string): Uint8Array => b64urlDecode(s, 'signature');
  const lib = new SDJwtVcInstance({
    hasher: (data: string | ArrayBuffer) => sha256(typeof data === 'string' ? utf8(data) : new Uint8Array(data)),
    hashAlg: 'sha-256',
    verifier: (data: string, s: string) => verify(sig(s), utf8(data), issuerKey.publicKey),
    kbVerifier: (data: string, s: string) => verify(sig(s), utf8(data), holderKey.publicKey),
  });
  const res = await lib.verify(p, { keyBindingNonce: NONCE, currentDate: IAT + 200 });
  const ours = verifySdJwtVcPresentation(p, { aud: AUD, nonce: NONCE });
  tt.same(res.payload, ours.claims, 'the same claims');
  tt.equal(res.kb?.payload.aud, AUD);
});

t.test('CRED_TAMPERED: the issuer-signed JWT changed', async (tt) => {
  const issued = await issueSdJwtVc(params());
  const [h, p, s] = sdJwtIssuerJwt(issued).split('.') as [string, string, string];
  const rest = issued.slice(sdJwtIssuerJwt(issued).length);
  const payload = decodeJson(p);
  payload.nationality = 'FR';
  const changedPayload = `${h}.${b64urlEncode(utf8(JSON.stringify(payload)))}.${s}${rest}`;
  tt.throws(() => verifySdJwtVcPresentation(changedPayload, { requireKeyBinding: false }), { code: 'CRED_TAMPERED' }, 'a plain claim changed');
  payload.nationality = 'GB';
  (payload._sd as string[])[0] = sdDigest('forged');
  tt.throws(() => verifySdJwtVcPresentation(`${h}.${b64urlEncode(utf8(JSON.stringify(payload)))}.${s}${rest}`, { requireKeyBinding: false }), { code: 'CRED_TAMPERED' }, 'a digest swapped');
  const sigBytes = b64urlDecode(s, 's');
  sigBytes[0]! ^= 1;
  tt.throws(() => verifySdJwtVcPresentation(`${h}.${p}.${b64urlEncode(sigBytes)}${rest}`, { requireKeyBinding: false }), { code: 'CRED_TAMPERED' }, 'the signature changed');
  const byOther = jws(HEADER, { ...jwtParts(issued)[1] }, otherKey) + rest;
  tt.throws(() => verifySdJwtVcPresentation(byOther, { requireKeyBinding: false }), { code: 'CRED_TAMPERED' }, "signed by a key that is not iss's");
});

t.test('CRED_DISCLOSURE_MISMATCH: a disclosure no signed digest refers to', async (tt) => {
  const issued = await issueSdJwtVc(params());
  const p = await presentSdJwtVc(issued, ['birthdate'], holderKey, kb);
  const [jwt, d] = p.split('~') as [string, string];
  const [salt, name] = decodeJson(d) as unknown as [string, string];
  const forged = disclosure([salt, name, '2001-01-01']);
  const prefix = `${jwt}~${forged}~`;
  tt.throws(() => verifySdJwtVcPresentation(prefix + kbJwt(prefix), { aud: AUD, nonce: NONCE }), { code: 'CRED_DISCLOSURE_MISMATCH' }, 'a changed value (with a valid KB-JWT over it)');
  const resalted = `${jwt}~${disclosure(['other-salt', name, '1815-12-10'])}~`;
  tt.throws(() => verifySdJwtVcPresentation(resalted, { requireKeyBinding: false }), { code: 'CRED_DISCLOSURE_MISMATCH' }, 'a changed salt');
  const reencoded = `${jwt}~${b64urlEncode(utf8(JSON.stringify([salt, name, '1815-12-10'], null, 1)))}~`;
  tt.throws(() => verifySdJwtVcPresentation(reencoded, { requireKeyBinding: false }), { code: 'CRED_DISCLOSURE_MISMATCH' }, 'the same JSON encoded differently (digests cover the string as sent)');
  const otherIssued = await issueSdJwtVc(params({ saltGenerator: () => 'another-issuance-salt' + rng.int(1e9) }));
  const foreign = otherIssued.split('~')[1]!;
  tt.throws(() => verifySdJwtVcPresentation(`${jwt}~${foreign}~`, { requireKeyBinding: false }), { code: 'CRED_DISCLOSURE_MISMATCH' }, "another credential's disclosure");
});

t.test('CRED_UNDISCLOSED_CLAIM: a claim presented as disclosed without its disclosure in place', async (tt) => {
  const issued = await issueSdJwtVc(params());
  await tt.rejects(presentSdJwtVc(issued, ['nationality'], holderKey, kb), { code: 'CRED_UNDISCLOSED_CLAIM' }, 'presenting a claim that has no disclosure');
  await tt.rejects(presentSdJwtVc(issued, ['photo'], holderKey, kb), { code: 'CRED_UNDISCLOSED_CLAIM' }, 'presenting a claim the credential does not have');
  const p = await presentSdJwtVc(issued, ['birthdate'], holderKey, kb);
  tt.throws(() => verifySdJwtVcPresentation(p, { aud: AUD, nonce: NONCE, requireDisclosed: ['birthdate', 'given_name'] }), { code: 'CRED_UNDISCLOSED_CLAIM' }, 'the verifier requires a claim not disclosed');
  tt.ok(verifySdJwtVcPresentation(p, { aud: AUD, nonce: NONCE, requireDisclosed: ['birthdate'] }));

  // Crafted by the issuer's key, so the signature is fine and only the placement is wrong.
  const element = disclosure(['s1', 'GB']); // an array-element disclosure
  const asClaim = jws(HEADER, { ...basePayload(), _sd: [sdDigest(element)] });
  tt.throws(() => verifySdJwtVcPresentation(`${asClaim}~${element}~`, { requireKeyBinding: false }), { code: 'CRED_UNDISCLOSED_CLAIM' }, 'an array-element disclosure presented as a claim');
  const property = disclosure(['s2', 'nationality', 'GB']);
  const inArray = jws(HEADER, { ...basePayload(), nationalities: [{ '...': sdDigest(property) }] });
  tt.throws(() => verifySdJwtVcPresentation(`${inArray}~${property}~`, { requireKeyBinding: false }), { code: 'CRED_UNDISCLOSED_CLAIM' }, 'a claim disclosure presented in an array slot');
  const shadow = disclosure(['s3', 'name', 'Mallory']);
  const clash = jws(HEADER, { ...basePayload(), name: 'Ada', _sd: [sdDigest(shadow)] });
  tt.throws(() => verifySdJwtVcPresentation(`${clash}~${shadow}~`, { requireKeyBinding: false }), { code: 'CRED_UNDISCLOSED_CLAIM' }, 'a disclosure naming a claim the signed payload already has');
  tt.ok(verifySdJwtVcPresentation(`${clash}~`, { requireKeyBinding: false }), 'without that disclosure the credential is fine');

  // Array elements and nested disclosures, when placed right, are understood.
  const nested = disclosure(['s4', 'GB']);
  const decoy = sdDigest('decoy');
  const good = jws(HEADER, { ...basePayload(), nationalities: [{ '...': sdDigest(nested) }, { '...': decoy }, 'FR'] });
  const r = verifySdJwtVcPresentation(`${good}~${nested}~`, { requireKeyBinding: false });
  tt.same(r.claims.nationalities, ['GB', 'FR']);
  tt.same(r.disclosed, ['nationalities.0']);

  // A disclosure naming __proto__ becomes an own claim, never the object's prototype.
  const proto = disclosure(['s5', '__proto__', { polluted: true }]);
  const withProto = jws(HEADER, { ...basePayload(), _sd: [sdDigest(proto)] });
  const rp = verifySdJwtVcPresentation(`${withProto}~${proto}~`, { requireKeyBinding: false });
  tt.equal(Object.getPrototypeOf(rp.claims), Object.prototype);
  tt.same(Object.getOwnPropertyDescriptor(rp.claims, '__proto__')?.value, { polluted: true });
  tt.equal(({} as Record<string, unknown>).polluted, undefined);
});

t.test('CRED_KEY_BINDING: missing, wrong key, wrong aud, nonce or sd_hash, wrong shape', async (tt) => {
  const issued = await issueSdJwtVc(params());
  const p = await presentSdJwtVc(issued, ['birthdate'], holderKey, kb);
  const prefix = p.slice(0, p.lastIndexOf('~') + 1);
  tt.throws(() => verifySdJwtVcPresentation(prefix, {}), { code: 'CRED_KEY_BINDING' }, 'no KB-JWT while the credential has cnf');
  tt.throws(() => verifySdJwtVcPresentation(issued), { code: 'CRED_KEY_BINDING' }, 'the issued form is not a presentation');
  tt.throws(() => verifySdJwtVcPresentation(p, { aud: 'https://other.example', nonce: NONCE }), { code: 'CRED_KEY_BINDING' }, 'another audience');
  tt.throws(() => verifySdJwtVcPresentation(p, { aud: AUD, nonce: 'replayed' }), { code: 'CRED_KEY_BINDING' }, 'another nonce');
  tt.throws(() => verifySdJwtVcPresentation(prefix + kbJwt(prefix, {}, otherKey), { aud: AUD, nonce: NONCE }), { code: 'CRED_KEY_BINDING' }, 'signed by a key not the cnf key');
  const jwt = p.split('~')[0]!;
  tt.throws(() => verifySdJwtVcPresentation(`${jwt}~${p.slice(p.lastIndexOf('~') + 1)}`, { aud: AUD, nonce: NONCE }), { code: 'CRED_KEY_BINDING' }, 'a disclosure dropped after binding (sd_hash)');
  tt.throws(() => verifySdJwtVcPresentation(prefix + kbJwt(prefix, { sd_hash: sdDigest(issued) }), { aud: AUD, nonce: NONCE }), { code: 'CRED_KEY_BINDING' }, 'sd_hash of another string');
  tt.throws(() => verifySdJwtVcPresentation(prefix + kbJwt(prefix, { nonce: undefined }), {}), { code: 'CRED_KEY_BINDING' }, 'no nonce');
  tt.throws(() => verifySdJwtVcPresentation(prefix + kbJwt(prefix, { iat: 'yesterday' }), {}), { code: 'CRED_KEY_BINDING' }, 'iat not a number');
  tt.throws(() => verifySdJwtVcPresentation(prefix + kbJwt(prefix, {}, holderKey, { typ: 'JWT', alg: 'EdDSA' }), {}), { code: 'CRED_KEY_BINDING' }, 'typ not kb+jwt');
  tt.throws(() => verifySdJwtVcPresentation(prefix + kbJwt(prefix, {}, holderKey, { typ: 'kb+jwt', alg: 'ES256' }), {}), { code: 'CRED_KEY_BINDING' }, 'alg not EdDSA');
  tt.throws(() => verifySdJwtVcPresentation(prefix + 'not.a.jwt', {}), { code: 'CRED_KEY_BINDING' }, 'a KB-JWT that does not parse');
  tt.throws(() => verifySdJwtVcPresentation(prefix + kbJwt(prefix), { aud: AUD, nonce: NONCE, now: IAT }), { code: 'CRED_KEY_BINDING' }, 'a KB-JWT issued after now');
  await tt.rejects(presentSdJwtVc(issued, ['birthdate'], otherKey, kb), { code: 'CRED_KEY_BINDING' }, "presenting with a key not the credential's");
  const unbound = jws(HEADER, { iss, iat: IAT, vct: 'https://registry.example/x' });
  tt.ok(verifySdJwtVcPresentation(`${unbound}~`), 'a credential without cnf needs no KB-JWT by default');
  tt.throws(() => verifySdJwtVcPresentation(`${unbound}~`, { aud: AUD }), { code: 'CRED_KEY_BINDING' }, 'unless the verifier asks for one');
  tt.throws(() => verifySdJwtVcPresentation(`${unbound}~` + kbJwt(`${unbound}~`)), { code: 'CRED_KEY_BINDING' }, 'a KB-JWT with no cnf key to check it against');
});

t.test('issuer, time, malformed and unsupported inputs', async (tt) => {
  const issued = await issueSdJwtVc(params());
  const p = await presentSdJwtVc(issued, ['birthdate'], holderKey, kb);
  const other = didKeyOf(otherKey.publicKey);
  tt.throws(() => verifySdJwtVcPresentation(p, { aud: AUD, nonce: NONCE, issuer: other }), { code: 'CRED_ISSUER_MISMATCH' }, 'not the expected issuer');
  const wrongKid = jws({ ...HEADER, kid: verificationMethodOf(other) }, basePayload());
  tt.throws(() => verifySdJwtVcPresentation(`${wrongKid}~`, { requireKeyBinding: false }), { code: 'CRED_ISSUER_MISMATCH' }, "a kid that is not iss's");
  tt.throws(() => verifySdJwtVcPresentation(`${jws(HEADER, { ...basePayload(), iss: 'https://agency.example' })}~`, { requireKeyBinding: false }), { code: 'CRED_DID_INVALID' }, 'iss not a did:key');

  tt.throws(() => verifySdJwtVcPresentation(p, { aud: AUD, nonce: NONCE, now: IAT + 365 * 86400 }), { code: 'CRED_EXPIRED' });
  tt.throws(() => verifySdJwtVcPresentation(p, { aud: AUD, nonce: NONCE, now: IAT - 10 }), { code: 'CRED_NOT_YET_VALID' }, 'iat in the future');
  tt.ok(verifySdJwtVcPresentation(p, { aud: AUD, nonce: NONCE, now: IAT - 10, skewSeconds: 200 }), 'within the allowed skew');
  const nbf = await issueSdJwtVc(params({ nbf: IAT + 1000 }));
  tt.throws(() => verifySdJwtVcPresentation(nbf, { requireKeyBinding: false, now: IAT + 500 }), { code: 'CRED_NOT_YET_VALID' }, 'before nbf');

  const malformed: [string, unknown][] = [
    ['not a string', 7],
    ['no ~', sdJwtIssuerJwt(issued)],
    ['an empty JWT', '~'],
    ['two dots', 'a.b~'],
    ['a JWT of non-base64url', 'a*b.c.d~'],
    ['padding', sdJwtIssuerJwt(issued) + '=~'],
    ['an empty disclosure', `${sdJwtIssuerJwt(issued)}~~`],
    ['a disclosure that is not JSON', `${sdJwtIssuerJwt(issued)}~${b64urlEncode(utf8('nope'))}~`],
    ['a disclosure of four elements', `${sdJwtIssuerJwt(issued)}~${disclosure(['s', 'a', 1, 2])}~`],
    ['a disclosure with a numeric name', `${sdJwtIssuerJwt(issued)}~${disclosure(['s', 1, 2])}~`],
    ['a disclosure naming _sd', `${sdJwtIssuerJwt(issued)}~${disclosure(['s', '_sd', []])}~`],
    ['a disclosure of invalid UTF-8', `${sdJwtIssuerJwt(issued)}~${b64urlEncode(Uint8Array.of(0x5b, 0xff, 0x5d))}~`],
    ['the same disclosure twice', (() => { const [j, d] = issued.split('~'); return `${j}~${d}~${d}~`; })()],
    ['too long', 'a'.repeat(1024 * 1024 + 1)],
    ['too many disclosures', `${sdJwtIssuerJwt(issued)}~${'x~'.repeat(1001)}`],
    ['a payload that is an array', `${jws(HEADER, [] as unknown as Record<string, unknown>)}~`],
    ['no vct', `${jws(HEADER, { iss, iat: IAT })}~`],
    ['iat a string', `${jws(HEADER, { ...basePayload(), iat: 'now' })}~`],
    ['typ JWT', `${jws({ ...HEADER, typ: 'JWT' }, basePayload())}~`],
    ['a bad cnf', `${jws(HEADER, { ...basePayload(), cnf: { jwk: { kty: 'EC' } } })}~`],
    ['_sd not an array', `${jws(HEADER, { ...basePayload(), _sd: 'x' })}~`],
    ['a digest twice in _sd', `${jws(HEADER, { ...basePayload(), _sd: ['a', 'a'] })}~`],
    ['"..." outside an array', `${jws(HEADER, { ...basePayload(), x: { '...': 'a' } })}~`],
    ['exp disclosed selectively', (() => { const d = disclosure(['s', 'exp', 1]); return `${jws(HEADER, { ...basePayload(), _sd: [sdDigest(d)] })}~${d}~`; })()],
  ];
  for (const [what, input] of malformed) tt.throws(() => verifySdJwtVcPresentation(input as string, { requireKeyBinding: false }), { code: 'CRED_MALFORMED' }, what);
  tt.throws(() => verifySdJwtVcPresentation(`${jws({ ...HEADER, alg: 'ES256' }, basePayload())}~`, { requireKeyBinding: false }), { code: 'CRED_UNSUPPORTED' }, 'alg ES256');
  tt.throws(() => verifySdJwtVcPresentation(`${jws({ ...HEADER, crit: ['b64'] }, basePayload())}~`, { requireKeyBinding: false }), { code: 'CRED_UNSUPPORTED' }, 'crit');
  tt.throws(() => verifySdJwtVcPresentation(`${jws(HEADER, { ...basePayload(), _sd_alg: 'sha-512' })}~`, { requireKeyBinding: false }), { code: 'CRED_UNSUPPORTED' }, '_sd_alg sha-512');
  tt.throws(() => sdJwtIssuerJwtDigest('nope~'), { code: 'CRED_MALFORMED' });
});

t.test('issuing and presenting refuse bad parameters', async (tt) => {
  const rejects: [string, Partial<IssueSdJwtVcParams>, string][] = [
    ["iss not the key's did:key", { iss: didKeyOf(otherKey.publicKey) }, 'CRED_ISSUER_MISMATCH'],
    ['an empty vct', { vct: '' }, 'CRED_MALFORMED'],
    ['iat fractional', { iat: 1.5 }, 'CRED_MALFORMED'],
    ['exp before iat', { exp: IAT - 1 }, 'CRED_MALFORMED'],
    ['a selective name not in claims', { selective: ['photo'] }, 'CRED_MALFORMED'],
    ['a selective name twice', { selective: ['birthdate', 'birthdate'] }, 'CRED_MALFORMED'],
    ['a reserved claim name', { claims: { iss: 'x' }, selective: [] }, 'CRED_MALFORMED'],
    ['status selective', { claims: { status: 1 }, selective: ['status'], extra: {} }, 'CRED_MALFORMED'],
    ['a claim both in claims and extra', { extra: { nationality: 'FR' } }, 'CRED_MALFORMED'],
    ['_sd inside a claim value', { claims: { a: { _sd: [] } }, selective: [] }, 'CRED_MALFORMED'],
    ['a claim value that is not JSON', { claims: { a: new Map() }, selective: [] }, 'CRED_MALFORMED'],
    ['a holder key that is not a key', { holderPublicKey: new Uint8Array(5) }, 'CRED_MALFORMED'],
    ['a claim named __proto__', { claims: JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>, selective: [] }, 'CRED_MALFORMED'],
    ['no issuer key', { issuerKey: undefined }, 'CRED_MALFORMED'],
    ['an issuer key pair that does not match', { issuerKey: { secretKey: otherKey.secretKey, publicKey: issuerKey.publicKey } }, 'CRED_MALFORMED'],
  ];
  for (const [what, over, code] of rejects) await tt.rejects(issueSdJwtVc(params(over)), { code }, what);
  const issued = await issueSdJwtVc(params());
  await tt.rejects(presentSdJwtVc(issued, ['birthdate'], holderKey, { ...kb, aud: '' }), { code: 'CRED_MALFORMED' }, 'an empty aud');
  await tt.rejects(presentSdJwtVc(issued, 'birthdate' as unknown as string[], holderKey, kb), { code: 'CRED_MALFORMED' }, 'disclose not a list');
  const p = await presentSdJwtVc(issued, ['birthdate'], holderKey, kb);
  await tt.rejects(presentSdJwtVc(p, ['birthdate'], holderKey, kb), { code: 'CRED_MALFORMED' }, 'presenting a presentation');
  await tt.rejects(presentSdJwtVc('garbage', [], holderKey, kb), { code: 'CRED_MALFORMED' });
  await tt.rejects(presentSdJwtVc(issued, [], null as unknown as typeof holderKey, kb), { code: 'CRED_MALFORMED' }, 'no holder key');
  await tt.rejects(issueSdJwtVc(null as unknown as IssueSdJwtVcParams), { code: 'CRED_MALFORMED' }, 'no parameters');
});
