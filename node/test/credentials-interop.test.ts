/**
 * Credentials with the ledger, against an independent implementation (the Digital Bazaar vc,
 * data-integrity, eddsa-jcs-2022 and bitstring-status-list libraries), on a real node in
 * this process: (1) a credential issued and anchored with the SDK verifies with their VC
 * library, and its status (the list exported from the ledger's bits) with their
 * checkStatus, before and after a revocation on the ledger; (2) a credential issued by their
 * library with the key of an issuer the ledger accredits, then anchored, verifies with the
 * SDK against the ledger's proofs, and a tampered copy does not.
 */
import t from 'tap';
import * as dbVc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { createSignCryptosuite } from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import { decodeAddress, fromHex, to0x, ValidatorSet, type KeyPair } from '../../core/index.js';
import { makeAction, ActionKind } from '../../vm/index.js';
import {
  buildAnchorBatch, credentialDigest, credentialStatusEntries, didKeyOf, exportStatusList, issueBatch, VC_V2_CONTEXT, verificationMethodOf, verifyCredentialPackage,
  type CredentialPackage,
} from '../../rpc/index.js';
import { dbVerifySuite, offlineLoader } from '../../test/vc-interop.js';
import { inProcessChain } from './in-process-chain.js';

const chain = inProcessChain(t);
const { manifest: m, client } = chain;
const cb = chain.accounts['Central Bank']!;
const bank = chain.accounts['Commercial Bank']!;
async function ok(who: { name: string; address: string; keys: KeyPair }, module: string, method: string, args: unknown, what: string): Promise<void> {
  const r = await chain.send(who, module, method, args);
  t.equal(r.status, 'committed', `${what}${r.message ? `: ${r.message}` : ''}`);
}
const nextIndex = async (): Promise<number> => {
  const rec = await client.getRecord({ kind: 'cred_issuer', issuer: bank.address });
  return rec.value === null ? 0 : Number((rec.value as { nextIndex: number }).nextIndex);
};

const DAY = 86_400_000;
const STATUS_BASE = 'https://registry.example/status/commercial-bank';
const permit = { id: 'permit@1', typeId: 'permit', selective: [] as string[] };
const { documentLoader, served, onlyLocal } = offlineLoader();
let trusted: ValidatorSet;
const verify = async (pkg: CredentialPackage) => {
  const ref = (pkg.credential as { ledgerAnchor: { issuer: string; batch: number; index: number } }).ledgerAnchor;
  return verifyCredentialPackage(pkg, await client.credProofs(ref.issuer, ref.batch, ref.index), { chainId: m.chain_id, addressPrefix: m.address_prefix, validators: trusted });
};
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

t.test('the trust chain', async () => {
  const v = await client.getValidators();
  trusted = new ValidatorSet(v.validators.map((x) => ({ address: decodeAddress(x.address, m.address_prefix), publicKey: fromHex(x.publicKey, 32), power: x.power })));
  await ok(cb, 'gov', 'propose', { action: makeAction(ActionKind.ACCREDIT_ACCREDITOR, { account: decodeAddress(cb.address, m.address_prefix), jurisdiction: 'IS', types: [], legalRef: 'Act 12/2026' }), reason: 'root' }, 'accredit the accreditor');
  await ok(cb, 'cred', 'accredit_issuer', { account: decodeAddress(bank.address, m.address_prefix), jurisdiction: 'IS', types: ['permit'], legalRef: 'L-1' }, 'accredit the bank');
  await ok(cb, 'cred', 'register_schema', { typeId: 'permit', version: 1, jsonSchema: JSON.stringify({ type: 'object', required: ['kind'], properties: { kind: { type: 'string' }, zone: { type: 'integer' } } }), selective: [], issuers: [], maxValidityMs: 365 * DAY }, 'register permit@1');
});

t.test('a credential the SDK issues and anchors verifies with their libraries, and so does its status from the ledger', async (tt) => {
  const first = await nextIndex();
  const out = await issueBatch({
    format: 'vc', chainId: m.chain_id, addressPrefix: m.address_prefix, issuerKey: bank.keys, schema: permit, first,
    subjects: [{ id: didKeyOf(fromHex('11'.repeat(32), 32)), claims: { kind: 'fishing', zone: 4 } }, { claims: { kind: 'hunting', zone: 2 } }],
    validFrom: Date.now() - 60_000, validUntil: Date.now() + 30 * DAY, statusBaseUrl: STATUS_BASE,
  });
  await ok(bank, 'cred', 'anchor', { schema: permit.id, first, count: out.count, root: out.root }, 'anchor the batch');
  const [fishing, hunting] = out.packages as [CredentialPackage, CredentialPackage];
  const publish = async () => {
    for (const purpose of ['revocation', 'suspension'] as const) {
      const { credential } = await exportStatusList(client, { issuer: bank.address, issuerKey: bank.keys, purpose, statusBaseUrl: STATUS_BASE });
      served.set(credential.id, credential);
    }
  };
  const theirVerdict = async (pkg: CredentialPackage) => {
    const r = await dbVc.verifyCredential({ credential: pkg.credential as Record<string, unknown>, suite: dbVerifySuite(), documentLoader, checkStatus });
    tt.ok(r.verified, `they verify it: ${JSON.stringify(r.error?.errors?.map((e) => e.message) ?? r.error?.message ?? '')}`);
    tt.ok(r.statusResult?.verified, 'and its status lists (signed, from its issuer)');
    return Object.fromEntries((r.statusResult?.results ?? []).map((x) => [x.credentialStatus.statusPurpose, x.status]));
  };
  await publish();
  tt.same(await theirVerdict(fishing), { revocation: false, suspension: false }, 'neither revoked nor suspended, for them');
  tt.equal((await verify(fishing)).valid, true, 'and for the SDK');

  await ok(bank, 'cred', 'set_status', { changes: [{ index: first, purpose: 0, set: true, reason: 3 }, { index: first + 1, purpose: 1, set: true, reason: 1 }] }, 'revoke one, suspend the other');
  await publish();
  tt.same(await theirVerdict(fishing), { revocation: true, suspension: false }, 'they read the revocation from the exported list');
  tt.same(await theirVerdict(hunting), { revocation: false, suspension: true }, 'and the suspension');
  const [a, b] = [await verify(fishing), await verify(hunting)];
  tt.same([a.valid || a.code, b.valid || b.code], ['CRED_REVOKED', 'CRED_SUSPENDED'], 'as the SDK does from the ledger');
  const tampered = structuredClone(fishing.credential) as { credentialSubject: { zone: number } };
  tampered.credentialSubject.zone = 5;
  tt.notOk((await dbVc.verifyCredential({ credential: tampered, suite: dbVerifySuite(), documentLoader })).verified, 'they refuse a tampered copy');
  tt.ok(onlyLocal(), 'nothing was fetched from the network');
});

t.test('a credential their library issues with an accredited key, anchored, verifies with the SDK', async (tt) => {
  const key = await Ed25519Multikey.generate({ seed: bank.keys.secretKey });
  const did = `did:key:${key.publicKeyMultibase}`;
  tt.equal(did, didKeyOf(bank.keys.publicKey), "their key from the bank's seed is the bank's account key");
  key.controller = did;
  key.id = verificationMethodOf(did);
  const index = await nextIndex();
  const credential = {
    '@context': [VC_V2_CONTEXT],
    id: `urn:example:permit:${index}`,
    type: ['VerifiableCredential', 'permit'],
    issuer: { id: did, ledgerAccount: bank.address },
    validFrom: iso(Date.now() - 60_000),
    validUntil: iso(Date.now() + 10 * DAY),
    credentialSubject: { kind: 'forestry', zone: 7 },
    credentialStatus: credentialStatusEntries(STATUS_BASE, index),
    ledgerAnchor: { chainId: m.chain_id, issuer: bank.address, batch: index, index, schema: permit.id },
  };
  const suite = new DataIntegrityProof({ signer: key.signer(), cryptosuite: createSignCryptosuite(), date: iso(Date.now()) });
  const theirs = await dbVc.issue({ credential, suite, documentLoader }) as Record<string, unknown>;
  tt.equal((theirs.proof as { cryptosuite: string }).cryptosuite, 'eddsa-jcs-2022');
  const batch = buildAnchorBatch([credentialDigest(theirs)]);
  await ok(bank, 'cred', 'anchor', { schema: permit.id, first: index, count: 1, root: batch.root }, 'the bank anchors their credential');
  const pkg: CredentialPackage = { format: 'vc', credential: theirs, inclusion: { position: 0, count: 1, path: batch.path(0).map((h) => to0x(h)) } };
  const verdict = await verify(pkg);
  tt.same(verdict.valid && [verdict.schema, verdict.claims], [permit.id, { kind: 'forestry', zone: 7 }], `the SDK verifies it against the ledger${verdict.valid ? '' : `: ${verdict.code} ${verdict.message}`}`);
  const onNode = await client.call<{ valid: boolean }>('cred_verify', { package: pkg });
  tt.equal(onNode.valid, true, 'and so does cred_verify');
  const tampered = structuredClone(pkg);
  (tampered.credential as { credentialSubject: { zone: number } }).credentialSubject.zone = 8;
  const refused = await verify(tampered);
  tt.equal(refused.valid || refused.code, 'CRED_TAMPERED', 'a tampered copy does not');
});
