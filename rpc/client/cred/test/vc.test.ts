/**
 * VC 2.0 with eddsa-jcs-2022: the W3C specification's test vector (each intermediate value,
 * and the same signature from the same key), round trips, the digest the ledger anchors, and
 * each refusal with its code.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { base58btc } from 'multiformats/bases/base58';
import { keyPairFromSecret, sha256, toHex, utf8 } from '../../../../core/index.js';
import { repoPath, Rng } from '../../../../test/index.js';
import canonicalize from 'canonicalize';
import {
  addDataIntegrityProof, credentialDigest, didKeyOf, signCredential, signCredentials, VC_V2_CONTEXT, verificationMethodOf, verifyCredentialProof, verifyCredentialProofAndDigest, verifyDataIntegrityProof,
} from '../index.js';

interface JcsVector {
  keyPair: { publicKeyMultibase: string; privateKeyMultibase: string };
  proofConfig: Record<string, unknown>;
  signed: Record<string, unknown> & { proof: Record<string, unknown> };
  canonicalDocument: string;
  canonicalProofConfig: string;
  documentHash: string;
  proofConfigHash: string;
  combinedHash: string;
  signatureHex: string;
  proofValue: string;
}
const vector = JSON.parse(readFileSync(repoPath('rpc/client/cred/test/vectors/eddsa-jcs-2022.json'), 'utf8')) as JcsVector;
const clone = <T>(v: T): T => structuredClone(v);

const rng = new Rng(7);
const issuerKey = keyPairFromSecret(rng.bytes(32));
const issuer = didKeyOf(issuerKey.publicKey);
const CREATED = '2025-03-01T10:00:00Z';

function unsigned(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@context': [VC_V2_CONTEXT],
    id: 'urn:uuid:2f1c5e8a-9a8d-4a4e-9f0e-2b3c4d5e6f70',
    type: ['VerifiableCredential', 'DrivingLicenceCredential'],
    issuer,
    validFrom: '2025-03-01T00:00:00Z',
    credentialSubject: { id: 'did:example:holder', licence: { class: ['B', 'C1'], number: 'DL-1234567' }, name: 'Ada Lovelace' },
    ...extra,
  };
}

t.test("the W3C eddsa-jcs-2022 test vector: every intermediate value and the signature", async (tt) => {
  const { proof, ...doc } = vector.signed;
  tt.equal(canonicalize(doc), vector.canonicalDocument, 'JCS of the document');
  tt.equal(canonicalize(vector.proofConfig), vector.canonicalProofConfig, 'JCS of the proof configuration');
  tt.equal(toHex(sha256(utf8(vector.canonicalDocument))), vector.documentHash);
  tt.equal(toHex(sha256(utf8(vector.canonicalProofConfig))), vector.proofConfigHash);
  tt.equal(vector.combinedHash, vector.proofConfigHash + vector.documentHash, 'hash data = proof config hash || document hash');
  tt.equal(toHex(base58btc.decode(vector.proofValue)), vector.signatureHex);

  // The vector's key: multicodec ed25519-priv (0x1300, varint 0x80 0x26) + the 32-byte seed.
  const secret = base58btc.decode(vector.keyPair.privateKeyMultibase);
  tt.same([secret[0], secret[1], secret.length], [0x80, 0x26, 34]);
  const key = keyPairFromSecret(secret.slice(2));
  tt.equal(didKeyOf(key.publicKey), `did:key:${vector.keyPair.publicKeyMultibase}`);

  const check = verifyDataIntegrityProof(vector.signed);
  tt.equal(check.verificationMethod, proof.verificationMethod);
  tt.equal(check.controller, `did:key:${vector.keyPair.publicKeyMultibase}`);
  tt.equal(toHex(check.publicKey), toHex(key.publicKey));

  const ours = addDataIntegrityProof(doc, key, { created: proof.created as string });
  tt.same(ours, vector.signed, 'the same key signs the vector document to the same secured document (Ed25519 is deterministic)');
  tt.same(Object.keys(ours.proof), Object.keys(proof), 'with the proof fields in the same order');

  // The vector's issuer is an https URL, not the did:key: the VC-level check refuses it unless told not to.
  tt.throws(() => verifyCredentialProof(vector.signed), { code: 'CRED_ISSUER_MISMATCH' });
  tt.same(verifyCredentialProof(vector.signed, { checkIssuer: false }).verificationMethod, proof.verificationMethod);
  const tampered = clone(vector.signed);
  (tampered.credentialSubject as Record<string, unknown>).alumniOf = 'Another School';
  tt.throws(() => verifyDataIntegrityProof(tampered), { code: 'CRED_TAMPERED' });
});

t.test('sign and verify a credential; the input is not changed; output is deterministic', async (tt) => {
  const input = unsigned();
  const before = JSON.stringify(input);
  const vc = signCredential(input, issuerKey, { created: CREATED });
  tt.equal(JSON.stringify(input), before, 'the unsigned credential is not changed');
  tt.same(vc.proof, {
    type: 'DataIntegrityProof', cryptosuite: 'eddsa-jcs-2022', created: CREATED, verificationMethod: verificationMethodOf(issuer), proofPurpose: 'assertionMethod',
    '@context': [VC_V2_CONTEXT], proofValue: vc.proof.proofValue,
  });
  tt.match(vc.proof.proofValue, /^z[1-9A-HJ-NP-Za-km-z]+$/);
  tt.same(signCredential(unsigned(), issuerKey, { created: CREATED }), vc, 'signing twice gives the same bytes');
  const r = verifyCredentialProof(vc);
  tt.equal(toHex(r.publicKey), toHex(issuerKey.publicKey));
  tt.equal(r.verificationMethod, verificationMethodOf(issuer));
  tt.same(verifyCredentialProof(JSON.parse(JSON.stringify(vc))), r, 'verifies after a JSON round trip');
  const reordered = Object.fromEntries(Object.entries(vc).reverse());
  tt.same(verifyCredentialProof(reordered), r, 'key order does not matter (JCS)');
  tt.ok(signCredential({ ...unsigned(), issuer: { id: issuer, name: 'Transport Agency' } }, issuerKey, { created: CREATED }), 'an issuer object with an id');
  const explicit = signCredential(unsigned(), issuerKey, { created: CREATED, verificationMethod: verificationMethodOf(issuer) });
  tt.same(explicit, vc, 'naming the default verification method changes nothing');
});

t.test('credentialDigest: SHA-256 of the JCS of the whole signed credential', async (tt) => {
  const vc = signCredential(unsigned(), issuerKey, { created: CREATED });
  const d = credentialDigest(vc);
  tt.equal(d.length, 32);
  tt.equal(toHex(d), toHex(sha256(utf8(canonicalize(vc)!))));
  tt.equal(toHex(credentialDigest(Object.fromEntries(Object.entries(vc).reverse()))), toHex(d), 'independent of key order');
  const later = signCredential(unsigned(), issuerKey, { created: '2025-03-02T10:00:00Z' });
  tt.not(toHex(credentialDigest(later)), toHex(d), 'the proof is part of it');
  tt.throws(() => credentialDigest('x'), { code: 'CRED_MALFORMED' });
});

t.test('tampering anywhere is CRED_TAMPERED', async (tt) => {
  const vc = signCredential(unsigned(), issuerKey, { created: CREATED });
  const edits: [string, (v: Record<string, any>) => void][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ['a subject claim', (v) => (v.credentialSubject.name = 'Ada King')],
    ['a nested claim', (v) => v.credentialSubject.licence.class.push('D')],
    ['a new claim', (v) => (v.credentialSubject.age = 30)],
    ['a removed claim', (v) => delete v.credentialSubject.licence],
    ['validFrom', (v) => (v.validFrom = '2020-01-01T00:00:00Z')],
    ['validUntil added', (v) => (v.validUntil = '2099-01-01T00:00:00Z')],
    ['the type', (v) => v.type.push('PassportCredential')],
    ['proof.created', (v) => (v.proof.created = '2025-03-01T10:00:01Z')],
    ['the signature', (v) => (v.proof.proofValue = base58btc.encode(base58btc.decode(v.proof.proofValue).map((b: number, i: number) => (i === 5 ? b ^ 1 : b))))],
    ["the proof's @context (no longer a prefix)", (v) => (v.proof['@context'] = ['https://example.org/other'])],
    ['a number written differently but equal (1.0 vs 1 is the same JSON number: no change)', () => {}],
  ];
  for (const [what, edit] of edits) {
    const copy = clone(vc) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    edit(copy);
    if (what.startsWith('a number')) tt.ok(verifyCredentialProof(copy), what);
    else tt.throws(() => verifyCredentialProof(copy), { code: 'CRED_TAMPERED' }, what);
  }
  // A context appended after the proof's is allowed by the specification (the proof's @context stands for it).
  const appended = clone(vc) as Record<string, unknown>;
  appended['@context'] = [VC_V2_CONTEXT, 'https://www.w3.org/ns/credentials/examples/v2'];
  tt.ok(verifyCredentialProof(appended), "a document context that extends the proof's verifies (spec: Verify Proof step 4)");
  tt.not(toHex(credentialDigest(appended)), toHex(credentialDigest(vc)), 'but its digest is not the anchored one');
  const noContext = clone(vc) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  delete noContext.proof['@context'];
  tt.throws(() => verifyCredentialProof(noContext), { code: 'CRED_TAMPERED' }, 'the @context was part of the signed proof configuration');
});

t.test('the issuer must be the signing did:key', async (tt) => {
  const other = keyPairFromSecret(rng.bytes(32));
  tt.throws(() => signCredential(unsigned(), other, { created: CREATED }), { code: 'CRED_ISSUER_MISMATCH' }, "signing another issuer's credential");
  const byOther = addDataIntegrityProof(unsigned(), other, { created: CREATED });
  tt.throws(() => verifyCredentialProof(byOther), { code: 'CRED_ISSUER_MISMATCH' }, "verifying a credential signed by a key not the issuer's");
  tt.ok(verifyCredentialProof(byOther, { checkIssuer: false }));
  tt.throws(() => signCredential(unsigned(), issuerKey, { created: CREATED, verificationMethod: verificationMethodOf(didKeyOf(other.publicKey)) }), { code: 'CRED_ISSUER_MISMATCH' });
  tt.throws(() => signCredential(unsigned(), issuerKey, { created: CREATED, verificationMethod: 'https://agency.example/keys/1' }), { code: 'CRED_DID_INVALID' });
});

t.test('shape problems are CRED_MALFORMED, other suites CRED_UNSUPPORTED, bad methods CRED_DID_INVALID', async (tt) => {
  const vc = signCredential(unsigned(), issuerKey, { created: CREATED });
  const variant = (edit: (v: Record<string, any>) => void): unknown => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const c = clone(vc) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    edit(c);
    return c;
  };
  const cycle: Record<string, unknown> = unsigned();
  cycle.self = cycle;
  const cases: [string, unknown, string][] = [
    ['not an object', 'vc', 'CRED_MALFORMED'],
    ['null', null, 'CRED_MALFORMED'],
    ['an array', [vc], 'CRED_MALFORMED'],
    ['no proof', variant((v) => delete v.proof), 'CRED_MALFORMED'],
    ['proof not an object', variant((v) => (v.proof = 'z123')), 'CRED_MALFORMED'],
    ['a proof set', variant((v) => (v.proof = [v.proof, v.proof])), 'CRED_UNSUPPORTED'],
    ['another proof type', variant((v) => (v.proof.type = 'Ed25519Signature2020')), 'CRED_UNSUPPORTED'],
    ['another cryptosuite', variant((v) => (v.proof.cryptosuite = 'eddsa-rdfc-2022')), 'CRED_UNSUPPORTED'],
    ['another proof purpose', variant((v) => (v.proof.proofPurpose = 'authentication')), 'CRED_MALFORMED'],
    ['created not a dateTimeStamp', variant((v) => (v.proof.created = '2025-03-01')), 'CRED_MALFORMED'],
    ['created without a time zone', variant((v) => (v.proof.created = '2025-03-01T10:00:00')), 'CRED_MALFORMED'],
    ['created on Feb 30', variant((v) => (v.proof.created = '2025-02-30T10:00:00Z')), 'CRED_MALFORMED'],
    ['expires malformed', variant((v) => (v.proof.expires = 'tomorrow')), 'CRED_MALFORMED'],
    ['no verificationMethod', variant((v) => delete v.proof.verificationMethod), 'CRED_MALFORMED'],
    ['an https verificationMethod', variant((v) => (v.proof.verificationMethod = 'https://agency.example/keys/1')), 'CRED_DID_INVALID'],
    ['a did:key method with a wrong fragment', variant((v) => (v.proof.verificationMethod = `${issuer}#key-1`)), 'CRED_DID_INVALID'],
    ['proofValue not multibase base58btc', variant((v) => (v.proof.proofValue = 'u' + v.proof.proofValue.slice(1))), 'CRED_MALFORMED'],
    ['proofValue with a non-base58 character', variant((v) => (v.proof.proofValue = v.proof.proofValue.slice(0, -1) + '0')), 'CRED_MALFORMED'],
    ['proofValue too short', variant((v) => (v.proof.proofValue = base58btc.encode(new Uint8Array(63)))), 'CRED_MALFORMED'],
    ['no @context', variant((v) => delete v['@context']), 'CRED_MALFORMED'],
    ['a VC 1.1 @context', variant((v) => (v['@context'] = ['https://www.w3.org/2018/credentials/v1'])), 'CRED_MALFORMED'],
    ['no VerifiableCredential type', variant((v) => (v.type = ['Licence'])), 'CRED_MALFORMED'],
    ['no issuer', variant((v) => delete v.issuer), 'CRED_MALFORMED'],
    ['issuer a number', variant((v) => (v.issuer = 7)), 'CRED_MALFORMED'],
    ['no credentialSubject', variant((v) => delete v.credentialSubject), 'CRED_MALFORMED'],
    ['credentialSubject a string', variant((v) => (v.credentialSubject = 'x')), 'CRED_MALFORMED'],
    ['validFrom not a date-time', variant((v) => (v.validFrom = 'yesterday')), 'CRED_MALFORMED'],
    ['a cycle', cycle, 'CRED_MALFORMED'],
    ['a Date inside', variant((v) => (v.credentialSubject.born = new Date(0))), 'CRED_MALFORMED'],
    ['a bigint inside', variant((v) => (v.credentialSubject.n = 1n)), 'CRED_MALFORMED'],
    ['undefined inside', variant((v) => (v.credentialSubject.u = undefined)), 'CRED_MALFORMED'],
    ['NaN inside', variant((v) => (v.credentialSubject.n = NaN)), 'CRED_MALFORMED'],
    ['a lone surrogate', variant((v) => (v.credentialSubject.name = 'a\ud800b')), 'CRED_MALFORMED'],
  ];
  for (const [what, input, code] of cases) tt.throws(() => verifyCredentialProof(input), { code }, what);
  let deep: unknown = 'x';
  for (let i = 0; i < 100; i++) deep = [deep];
  tt.throws(() => verifyCredentialProof({ ...unsigned(), deep, proof: vc.proof }), { code: 'CRED_MALFORMED' }, 'nested too deep');

  tt.throws(() => signCredential(unsigned(), issuerKey, { created: 'now' }), { code: 'CRED_MALFORMED' }, 'created must be a dateTimeStamp');
  tt.throws(() => signCredential({ ...unsigned(), proof: {} }, issuerKey, { created: CREATED }), { code: 'CRED_MALFORMED' }, 'already has a proof');
  tt.throws(() => signCredential({ ...unsigned(), '@context': ['https://www.w3.org/2018/credentials/v1'] }, issuerKey, { created: CREATED }), { code: 'CRED_MALFORMED' });
  tt.throws(() => signCredential(cycle, issuerKey, { created: CREATED }), { code: 'CRED_MALFORMED' });
  tt.throws(() => signCredential(null as unknown as Record<string, unknown>, issuerKey, { created: CREATED }), { code: 'CRED_MALFORMED' });
  tt.throws(() => signCredential(unsigned(), undefined as unknown as typeof issuerKey, { created: CREATED }), { code: 'CRED_MALFORMED' }, 'no key');
  tt.throws(() => signCredential(unsigned(), { secretKey: new Uint8Array(31), publicKey: issuerKey.publicKey }, { created: CREATED }), { code: 'CRED_MALFORMED' }, 'a short secret key');
  tt.throws(() => signCredential(unsigned(), { secretKey: rng.bytes(32), publicKey: issuerKey.publicKey }, { created: CREATED }), { code: 'CRED_MALFORMED' }, "a public key that is not the secret key's");
  tt.throws(() => signCredential(unsigned(), issuerKey, undefined as unknown as { created: string }), { code: 'CRED_MALFORMED' }, 'no options');
});

t.test('a credential with an Unicode, nested, numeric subject round-trips (JCS number and string forms)', async (tt) => {
  const vc = signCredential(unsigned({ credentialSubject: { id: 'did:example:x', name: 'Zoë Ŝmith 👩‍⚕️', scores: [1, 1.5, -0, 1e21, 0.000001], nested: { '€': true, a: null } } }), issuerKey, { created: CREATED });
  tt.ok(verifyCredentialProof(JSON.parse(JSON.stringify(vc))));
});

t.test('signCredentials signs each credential exactly as signCredential, with its credentialDigest', async (tt) => {
  const docs = [
    unsigned(),
    unsigned({ credentialSubject: { id: 'did:example:x', name: 'Zoë Ŝmith 👩‍⚕️', scores: [1, 1.5, -0, 1e21], nested: { '€': true, a: null, B: 1, '\u00e9': 2, '\ud83d\ude00': 3 } } }),
    { ...unsigned({ '@context': [VC_V2_CONTEXT, 'https://example.org/ctx/v1'] }), zeta: 1, Alpha: 2, 'ünïcode': 3, proofx: 4, pro: 5 },
    unsigned({ issuer: { id: issuer, name: 'Agency' }, validUntil: '2026-01-01T00:00:00Z' }),
  ];
  const batch = signCredentials(docs, issuerKey, { created: CREATED });
  tt.equal(batch.length, docs.length);
  for (const [i, doc] of docs.entries()) {
    const one = signCredential(doc, issuerKey, { created: CREATED });
    tt.equal(canonicalize(batch[i]!.credential), canonicalize(one), `credential ${i}: the same signed credential`);
    tt.equal(toHex(batch[i]!.digest), toHex(credentialDigest(one)), `credential ${i}: the same digest`);
    tt.ok(verifyCredentialProof(batch[i]!.credential));
  }
  tt.throws(() => signCredentials([unsigned({ issuer: 'did:example:other' })], issuerKey, { created: CREATED }), { code: 'CRED_ISSUER_MISMATCH' });
  tt.throws(() => signCredentials([{ ...unsigned(), proof: {} }], issuerKey, { created: CREATED }), { code: 'CRED_MALFORMED' });
  tt.throws(() => signCredentials([unsigned()], issuerKey, { created: 'yesterday' }), { code: 'CRED_MALFORMED' });
  tt.throws(() => signCredentials([unsigned({ type: ['Other'] })], issuerKey, { created: CREATED }), { code: 'CRED_MALFORMED' });
});

t.test('verifyCredentialProofAndDigest: the key, and the digest credentialDigest gives', async (tt) => {
  for (const doc of [unsigned(), unsigned({ '@context': [VC_V2_CONTEXT, 'https://example.org/ctx/v1'], 'z-last': { b: 1, a: [2, 'é'] } })]) {
    const vc = signCredential(doc, issuerKey, { created: CREATED });
    const r = verifyCredentialProofAndDigest(vc);
    tt.equal(toHex(r.digest), toHex(credentialDigest(vc)));
    tt.equal(toHex(r.publicKey), toHex(issuerKey.publicKey));
  }
  // A proof whose @context is a strict prefix of the document's (Verify Proof step 4): the digest is still of the whole document.
  const vector = JSON.parse(readFileSync(repoPath('rpc/client/cred/test/vectors/eddsa-jcs-2022.json'), 'utf8')) as { signed: Record<string, unknown> };
  const r = verifyCredentialProofAndDigest(vector.signed, { checkIssuer: false });
  tt.equal(toHex(r.digest), toHex(credentialDigest(vector.signed)));
  const tampered = structuredClone(vector.signed) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  tampered.credentialSubject = { ...tampered.credentialSubject, extra: 1 };
  tt.throws(() => verifyCredentialProofAndDigest(tampered, { checkIssuer: false }), { code: 'CRED_TAMPERED' });
});
