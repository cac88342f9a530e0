/**
 * Interoperability with the Digital Bazaar libraries (@digitalbazaar/vc, data-integrity,
 * eddsa-jcs-2022-cryptosuite, ed25519-multikey, vc-bitstring-status-list), fully offline: the
 * document loader serves the JSON-LD contexts from their npm packages, builds did:key
 * documents locally, and serves the status list credentials made here; anything else throws.
 * Proves: (1) a credential signed by signCredential verifies with their VC library and
 * eddsa-jcs-2022 suite, and a tampered one does not; (2) a credential they issue with an
 * Ed25519 key verifies with verifyCredentialProof, and a tampered one is CRED_TAMPERED; (3)
 * encodedLists cross both ways with the same bits; (4) their checkStatus accepts our signed
 * status list credentials and the entries of credentialStatusEntries, and reads the bits we set.
 */
import t from 'tap';
import * as dbVc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { createSignCryptosuite } from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { checkStatus, createList, decodeList } from '@digitalbazaar/vc-bitstring-status-list';
import { readFileSync } from 'node:fs';
import { keyPairFromSecret, toHex } from '../../../../core/index.js';
import { repoPath, Rng } from '../../../../test/index.js';
import { dbVerifySuite as verifySuite, offlineLoader } from '../../../../test/vc-interop.js';
import {
  createStatusList, credentialStatusEntries, decodeStatusList, didKeyOf, encodeStatusList, getBit, MIN_STATUS_LIST_BYTES, setBit, signCredential, statusListCredential, statusListUrl,
  VC_V2_CONTEXT, verificationMethodOf, verifyCredentialProof,
} from '../index.js';

const rng = new Rng(31);
const issuerKey = keyPairFromSecret(rng.bytes(32));
const issuer = didKeyOf(issuerKey.publicKey);
const CREATED = '2025-04-01T08:00:00Z';

const { documentLoader, served, onlyLocal } = offlineLoader();

function unsigned(issuerDid: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@context': [VC_V2_CONTEXT],
    id: 'urn:uuid:6a0d6b5e-2a4f-4d61-9c3a-1f0e9b8d7c6a',
    type: ['VerifiableCredential'],
    issuer: issuerDid,
    validFrom: '2025-01-01T00:00:00Z',
    credentialSubject: { id: 'did:example:citizen-1', permit: { kind: 'fishing', zone: 4 } },
    ...extra,
  };
}

t.test('a credential signed by signCredential verifies with @digitalbazaar/vc and eddsa-jcs-2022', async (tt) => {
  const vc = signCredential(unsigned(issuer), issuerKey, { created: CREATED });
  const result = await dbVc.verifyCredential({ credential: vc, suite: verifySuite(), documentLoader });
  tt.ok(result.verified, JSON.stringify(result.error?.errors?.map((e) => e.message) ?? result.error?.message ?? ''));
  const tampered = structuredClone(vc) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  tampered.credentialSubject.permit.zone = 5;
  const refused = await dbVc.verifyCredential({ credential: tampered, suite: verifySuite(), documentLoader });
  tt.notOk(refused.verified, 'they refuse it once tampered');
  tt.ok(onlyLocal(), 'only local documents were asked for');
});

t.test('a credential they issue with an Ed25519 key verifies with verifyCredentialProof', async (tt) => {
  const key = await Ed25519Multikey.generate({ seed: rng.bytes(32) });
  const did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = verificationMethodOf(did);
  const suite = new DataIntegrityProof({ signer: key.signer(), cryptosuite: createSignCryptosuite(), date: CREATED });
  const theirs = await dbVc.issue({ credential: unsigned(did), suite, documentLoader });
  tt.equal((theirs.proof as Record<string, unknown>).cryptosuite, 'eddsa-jcs-2022');
  const r = verifyCredentialProof(theirs);
  tt.equal(r.verificationMethod, verificationMethodOf(did));
  tt.equal(didKeyOf(r.publicKey), did);
  const tampered = structuredClone(theirs) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  tampered.credentialSubject.permit.kind = 'hunting';
  tt.throws(() => verifyCredentialProof(tampered), { code: 'CRED_TAMPERED' });
  tt.ok((await dbVc.verifyCredential({ credential: theirs, suite: verifySuite(), documentLoader })).verified, 'and their own verifier agrees');
});

t.test('the W3C eddsa-jcs-2022 vector: their library and ours make the same decisions', async (tt) => {
  const vector = JSON.parse(readFileSync(repoPath('rpc/client/cred/test/vectors/eddsa-jcs-2022.json'), 'utf8')) as { signed: object };
  tt.ok(verifyCredentialProof(vector.signed, { checkIssuer: false }), 'ours verifies the proof');
  const result = await dbVc.verifyCredential({ credential: vector.signed, suite: verifySuite(), documentLoader });
  tt.notOk(result.verified, "their VC library refuses it as ours does by default: the issuer (an https URL) is not the key's controller");
  tt.match(JSON.stringify(result.error?.errors?.map((e) => e.message)), /issuer must match the verification method controller/);
  const asIssued = { ...vector.signed, issuer: 'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2' };
  const again = await dbVc.verifyCredential({ credential: asIssued, suite: verifySuite(), documentLoader });
  tt.notOk(again.verified, 'and with the issuer changed to the did:key, the signature no longer covers it (their check)');
  tt.throws(() => verifyCredentialProof(asIssued), { code: 'CRED_TAMPERED' }, '(ours)');
});

t.test('encodedList both ways: the same bits', async (tt) => {
  const ours = createStatusList(MIN_STATUS_LIST_BYTES * 8 * 2);
  const set = Array.from({ length: 300 }, () => rng.int(ours.length * 8));
  for (const i of set) setBit(ours, i, true);
  const theirsDecoded = await decodeList({ encodedList: encodeStatusList(ours) });
  tt.equal(theirsDecoded.length, ours.length * 8);
  tt.equal(toHex(theirsDecoded.bitstring.bits), toHex(ours), 'they decode our list to our bytes');
  tt.ok(set.every((i) => theirsDecoded.getStatus(i)), 'every index we set is set for them');
  const unset = Array.from({ length: 1000 }, (_, i) => i).filter((i) => !set.includes(i));
  tt.ok(unset.every((i) => !theirsDecoded.getStatus(i)), 'the indexes we did not set are not');

  const list = await createList({ length: MIN_STATUS_LIST_BYTES * 8 });
  const theirSet = [0, 7, 8, 94567, MIN_STATUS_LIST_BYTES * 8 - 1];
  for (const i of theirSet) list.setStatus(i, true);
  const decoded = decodeStatusList(await list.encode());
  tt.equal(toHex(decoded), toHex(list.bitstring.bits), 'we decode their list to their bytes');
  tt.ok(theirSet.every((i) => getBit(decoded, i)));
  tt.notOk(getBit(decoded, 1));
  tt.equal(decoded[0], 0x81, 'both put index 0 in the most significant bit');
});

t.test('their checkStatus accepts our status list credentials and entries', async (tt) => {
  const base = 'https://registry.example/status/agency-3';
  const revoked = 1234;
  const suspended = 77;
  for (const purpose of ['revocation', 'suspension'] as const) {
    const bits = createStatusList();
    setBit(bits, purpose === 'revocation' ? revoked : suspended, true);
    const id = statusListUrl(base, purpose);
    served.set(id, statusListCredential({ id, issuer, purpose, bits, validFrom: '2025-01-01T00:00:00Z' }, issuerKey, CREATED));
  }
  // The verifier's whole flow: the credential's proof, then each entry's list (loaded, its proof
  // verified, its issuer matched to the credential's), then the bit.
  const statusOf = async (index: number): Promise<Record<string, boolean>> => {
    const vc = signCredential(unsigned(issuer, { credentialStatus: credentialStatusEntries(base, index) }), issuerKey, { created: CREATED });
    const v = await dbVc.verifyCredential({ credential: vc, suite: verifySuite(), documentLoader, checkStatus });
    tt.ok(v.statusResult?.verified, `the lists of ${index} verified`);
    const statuses = Object.fromEntries((v.statusResult?.results ?? []).map((x) => [x.credentialStatus.statusPurpose, x.status]));
    tt.ok(v.verified, `the credential at ${index} and its lists verify for them (a set bit is reported in the results)`);
    return statuses;
  };
  tt.same(await statusOf(revoked), { revocation: true, suspension: false });
  tt.same(await statusOf(suspended), { revocation: false, suspension: true });
  tt.same(await statusOf(5), { revocation: false, suspension: false });
  const forged = structuredClone(served.get(statusListUrl(base, 'revocation'))) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  forged.credentialSubject.encodedList = encodeStatusList(createStatusList());
  served.set(statusListUrl(base, 'revocation'), forged);
  const vc = signCredential(unsigned(issuer, { credentialStatus: credentialStatusEntries(base, revoked) }), issuerKey, { created: CREATED });
  const r = await checkStatus({ credential: vc, documentLoader, suite: verifySuite(), verifyBitstringStatusListCredential: true });
  tt.notOk(r.verified, 'a list edited after signing is refused by them');
});
