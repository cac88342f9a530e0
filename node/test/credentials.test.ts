/**
 * Credentials end to end on a real node (in this process), through the SDK: governance
 * accredits an accreditor, which accredits issuers and registers schemas; an issuer signs
 * and anchors batches; a holder presents; a verifier checks the presentation offline
 * against cred_proofs' bundle and a trusted validator set, and cred_verify answers the same
 * on the node. Every rejection with its own code: an unaccredited issuer, an accreditation
 * withdrawn before issuance, a wrong schema, claims that fail the schema, expired, not yet
 * valid, suspended, revoked, a forged signature, a tampered claim, an undisclosed claim
 * presented as disclosed, a key rotated after issuance (still valid) and before it
 * (invalid), a missing anchor. And no claim's value is anywhere in the module's state.
 */
import t from 'tap';
import { addressFromPublicKey, decodeAddress, fromHex, generateKeyPair, utf8, ValidatorSet, type KeyPair } from '../../core/index.js';
import { makeAction, ActionKind } from '../../vm/index.js';
import { didKeyOf, issueBatch, presentSdJwtVc, signCredential, verifyCredentialPackage, type CredentialPackage, type CredentialVerdict } from '../../rpc/index.js';
import { inProcessChain, type Account } from './in-process-chain.js';

const chain = inProcessChain(t);
const { manifest: m, client } = chain;
const cb = chain.accounts['Central Bank']!;
const bank = chain.accounts['Commercial Bank']!;
const [c1, c2] = [chain.accounts['customer-1']!, chain.accounts['customer-2']!];
let signing = new Map<string, KeyPair[]>();
const send = (who: Account, module: string, method: string, args: unknown) => chain.send(who, module, method, args, signing.get(who.address));
const ok = async (r: Promise<{ status: string; message: string | null }>, what: string) => t.equal((await r).status, 'committed', `${what}${(await r).message ? `: ${(await r).message}` : ''}`);

const ID_SCHEMA = { type: 'object', required: ['givenName', 'birthDate'], properties: { givenName: { type: 'string' }, familyName: { type: 'string' }, birthDate: { type: 'string' }, region: { type: 'string' } } };
const DAY = 86_400_000;
let trusted: ValidatorSet;
const verify = async (pkg: CredentialPackage, o: { now?: number; aud?: string; nonce?: string; requireDisclosed?: string[] } = {}): Promise<CredentialVerdict> => {
  const ref = pkg.format === 'vc' ? (pkg.credential as { ledgerAnchor: { issuer: string; batch: number; index: number } }).ledgerAnchor : JSON.parse(Buffer.from(String(pkg.credential).split('.')[1]!, 'base64url').toString()).ledger;
  const bundle = await client.credProofs(ref.issuer, ref.batch, ref.index);
  return verifyCredentialPackage(pkg, bundle, { chainId: m.chain_id, addressPrefix: m.address_prefix, validators: trusted, ...o });
};
const codeOf = (v: CredentialVerdict) => (v.valid ? 'valid' : `${v.code}${process.env.SOV_DEBUG ? `: ${v.message}` : ''}`);

/** Issue `subjects` as one batch from `issuer` (schema id, format) and anchor it; returns the packages. */
async function issueAndAnchor(issuer: Account, schema: { id: string; typeId: string; selective: string[] }, format: 'vc' | 'sd-jwt', subjects: Parameters<typeof issueBatch>[0]['subjects'], o: { anchorSchema?: string; validFrom?: number; days?: number; key?: KeyPair } = {}) {
  const rec = await client.getRecord({ kind: 'cred_issuer', issuer: issuer.address });
  const first = rec.value === null ? 0 : Number((rec.value as { nextIndex: number }).nextIndex);
  const validFrom = o.validFrom ?? Date.now() - 60_000;
  const out = await issueBatch({
    format, chainId: m.chain_id, addressPrefix: m.address_prefix, issuerKey: o.key ?? issuer.keys, issuerAccount: decodeAddress(issuer.address, m.address_prefix), schema, first, subjects,
    validFrom, validUntil: validFrom + (o.days ?? 365) * DAY, statusBaseUrl: 'https://registry.example/status',
  });
  const r = await send(issuer, 'cred', 'anchor', { schema: o.anchorSchema ?? schema.id, first, count: out.count, root: out.root });
  t.equal(r.status, 'committed', `anchored ${out.count} ${schema.id} at ${first}${r.message ? `: ${r.message}` : ''}`);
  return out.packages;
}

const idSchema = { id: 'national-id@1', typeId: 'national-id', selective: ['birthDate', 'region'] };

t.test('the trust chain, issuance and every verification outcome', async (tt) => {
  const v = await client.getValidators();
  trusted = new ValidatorSet(v.validators.map((x) => ({ address: decodeAddress(x.address, m.address_prefix), publicKey: fromHex(x.publicKey, 32), power: x.power })));
  // Governance (the central bank alone on the testnet's council) accredits the central bank as an accreditor.
  await ok(send(cb, 'gov', 'propose', { action: makeAction(ActionKind.ACCREDIT_ACCREDITOR, { account: decodeAddress(cb.address, m.address_prefix), jurisdiction: 'IS', types: [], legalRef: 'Act 12/2026' }), reason: 'root' }), 'accredit the accreditor');
  await ok(send(cb, 'cred', 'accredit_issuer', { account: decodeAddress(bank.address, m.address_prefix), jurisdiction: 'IS', types: ['national-id', 'permit', 'kyc'], legalRef: 'L-1' }), 'accredit the bank');
  await ok(send(cb, 'cred', 'register_schema', { typeId: 'national-id', version: 1, jsonSchema: JSON.stringify(ID_SCHEMA), selective: ['birthDate', 'region'], issuers: [], maxValidityMs: 3650 * DAY }), 'register national-id@1');
  await ok(send(cb, 'cred', 'register_schema', { typeId: 'permit', version: 1, jsonSchema: JSON.stringify({ type: 'object' }), selective: [], issuers: [], maxValidityMs: 30 * DAY }), 'register permit@1');

  const holder = generateKeyPair();
  const people = [
    { id: didKeyOf(holder.publicKey), claims: { givenName: 'Sigríður', familyName: 'Jónsdóttir', birthDate: '1984-03-02', region: 'Reykjavík' } },
    { id: didKeyOf(generateKeyPair().publicKey), claims: { givenName: 'Jón', familyName: 'Guðmundsson', birthDate: '1990-11-11', region: 'Akureyri' } },
    { id: didKeyOf(generateKeyPair().publicKey), claims: { givenName: 42, birthDate: '2001-01-01' } },
  ];
  const [good, other, badClaims] = await issueAndAnchor(bank, idSchema, 'vc', people);
  tt.equal(codeOf(await verify(good!)), 'valid', 'a valid VC verifies offline');
  const onNode = await client.call<{ valid: boolean; claims: unknown }>('cred_verify', { package: good });
  tt.same([onNode.valid, (onNode.claims as { givenName: string }).givenName], [true, 'Sigríður'], 'and on the node (cred_verify)');
  tt.equal(codeOf(await verify(other!)), 'valid');
  tt.equal(codeOf(await verify(badClaims!)), 'CRED_CLAIMS_INVALID', 'claims that fail the schema');

  // The ledger's proofs: checked against the trusted validator set, and every record against the certificate's state root.
  const goodRef = (good!.credential as { ledgerAnchor: { issuer: string; batch: number; index: number } }).ledgerAnchor;
  const bundle = await client.credProofs(goodRef.issuer, goodRef.batch, goodRef.index);
  const stranger = generateKeyPair();
  const strangers = new ValidatorSet([{ address: addressFromPublicKey(stranger.publicKey), publicKey: stranger.publicKey, power: 1 }]);
  const against = (b: typeof bundle, validators: ValidatorSet) => verifyCredentialPackage(good!, b, { chainId: m.chain_id, addressPrefix: m.address_prefix, validators });
  tt.equal(codeOf(against(bundle, strangers)), 'CRED_PROOF_INVALID', 'a bundle certified by validators the verifier does not trust');
  const forgedBundle = structuredClone(bundle);
  const anchorRecord = forgedBundle.records.find((r) => r.query.kind === 'cred_anchor' && r.raw !== null)!;
  anchorRecord.raw = anchorRecord.raw!.slice(0, -2) + (anchorRecord.raw!.endsWith('00') ? '01' : '00');
  tt.equal(codeOf(against(forgedBundle, trusted)), 'CRED_PROOF_INVALID', 'a bundle whose anchor record was edited after the node made it');
  // A verifier's caches (certificates and record proofs checked once) never accept what a fresh check refuses.
  const caches = { verified: new Set<string>(), proven: new Map<string, { raw: string | null; proof: string }>() };
  const cached = (b: typeof bundle) => verifyCredentialPackage(good!, b, { chainId: m.chain_id, addressPrefix: m.address_prefix, validators: trusted, ...caches });
  tt.equal(codeOf(cached(bundle)), 'valid');
  tt.ok(caches.verified.size === 1 && caches.proven.size === bundle.records.length, 'one certificate and every record proof remembered');
  tt.equal(codeOf(cached(bundle)), 'valid', 'and valid again from the caches');
  tt.equal(codeOf(cached(forgedBundle)), 'CRED_PROOF_INVALID', 'an edited record is checked afresh, and refused');
  const otherProof = structuredClone(bundle);
  otherProof.records[0]!.proof = otherProof.records[1]!.proof;
  tt.equal(codeOf(cached(otherProof)), 'CRED_PROOF_INVALID', "another record's proof is checked afresh, and refused");

  // A tampered claim; a forged signature (another key, naming the bank's account); a missing anchor.
  const tampered = structuredClone(good!) as CredentialPackage;
  (tampered.credential as { credentialSubject: { givenName: string } }).credentialSubject.givenName = 'Sigga';
  tt.equal(codeOf(await verify(tampered)), 'CRED_TAMPERED', 'one tampered claim');
  const forger = generateKeyPair();
  const { proof: _p, ...unsigned } = good!.credential as Record<string, unknown>;
  const forged = { ...good!, credential: signCredential({ ...unsigned, issuer: { id: didKeyOf(forger.publicKey), ledgerAccount: bank.address } }, forger, { created: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }) };
  tt.equal(codeOf(await verify(forged)), 'CRED_ISSUER_MISMATCH', 'a forged signature: a key the issuer never held');
  const elsewhere = structuredClone(good!) as CredentialPackage;
  elsewhere.inclusion = { ...elsewhere.inclusion, path: elsewhere.inclusion.path.map(() => '0x' + '00'.repeat(32)) };
  tt.equal(codeOf(await verify(elsewhere)), 'CRED_ANCHOR_MISSING', 'not in its anchor (a wrong path)');
  const { proof: _q, ...unsignedLater } = good!.credential as Record<string, unknown>;
  const neverAnchored = { ...good!, credential: signCredential({ ...unsignedLater, ledgerAnchor: { ...(unsignedLater.ledgerAnchor as object), batch: 500, index: 500 } }, bank.keys, { created: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }), inclusion: { position: 0, count: 1, path: [] } };
  tt.equal(codeOf(await verify(neverAnchored)), 'CRED_ANCHOR_MISSING', 'an anchor that does not exist');

  // Validity.
  tt.equal(codeOf(await verify(good!, { now: Date.now() + 400 * DAY })), 'CRED_EXPIRED', 'expired');
  tt.equal(codeOf(await verify(good!, { now: Date.now() - 5 * DAY })), 'CRED_NOT_YET_VALID', 'not yet valid');

  // A wrong schema: a permit credential anchored as national-id.
  const [wrongSchema] = await issueAndAnchor(bank, { id: 'permit@1', typeId: 'permit', selective: [] }, 'vc', [{ claims: { purpose: 'fishing' } }], { anchorSchema: 'national-id@1', days: 10 });
  tt.equal(codeOf(await verify(wrongSchema!)), 'CRED_WRONG_SCHEMA', 'a credential of another schema than its anchor\'s');

  // Status: suspend, reinstate, revoke.
  const index = (good!.credential as { ledgerAnchor: { index: number } }).ledgerAnchor.index;
  await ok(send(bank, 'cred', 'set_status', { changes: [{ index, purpose: 1, set: true, reason: 1 }] }), 'suspend');
  tt.equal(codeOf(await verify(good!)), 'CRED_SUSPENDED', 'suspended');
  await ok(send(bank, 'cred', 'set_status', { changes: [{ index, purpose: 1, set: false, reason: 2 }] }), 'reinstate');
  tt.equal(codeOf(await verify(good!)), 'valid', 'reinstated');
  const otherIndex = (other!.credential as { ledgerAnchor: { index: number } }).ledgerAnchor.index;
  await ok(send(bank, 'cred', 'set_status', { changes: [{ index: otherIndex, purpose: 0, set: true, reason: 3 }] }), 'revoke');
  tt.equal(codeOf(await verify(other!)), 'CRED_REVOKED', 'revoked');

  // An unaccredited issuer, and an issuer whose accreditation was withdrawn before it issued.
  const [rogue] = (await issueBatch({
    format: 'vc', chainId: m.chain_id, addressPrefix: m.address_prefix, issuerKey: c1.keys, schema: idSchema, first: 0, subjects: [people[0]!], validFrom: Date.now() - 1000, validUntil: Date.now() + DAY,
    statusBaseUrl: 'https://rogue.example/status',
  })).packages;
  tt.equal(codeOf(await verify(rogue!)), 'CRED_UNACCREDITED_ISSUER', 'an unaccredited issuer');
  await ok(send(cb, 'cred', 'accredit_issuer', { account: decodeAddress(c2.address, m.address_prefix), jurisdiction: 'IS', types: ['national-id'], legalRef: 'L-2' }), 'accredit a second issuer');
  await ok(send(cb, 'cred', 'set_issuer_status', { account: decodeAddress(c2.address, m.address_prefix), status: 2, legalRef: 'licence withdrawn' }), 'withdraw it');
  const [late] = (await issueBatch({
    format: 'vc', chainId: m.chain_id, addressPrefix: m.address_prefix, issuerKey: c2.keys, schema: idSchema, first: 0, subjects: [people[1]!], validFrom: Date.now(), validUntil: Date.now() + DAY, issuedAt: Date.now() + 2000,
    statusBaseUrl: 'https://second.example/status',
  })).packages;
  tt.equal(codeOf(await verify(late!, { now: Date.now() + 3000 })), 'CRED_ACCREDITATION_INVALID', 'issued after its accreditation was withdrawn');

  // SD-JWT VC: selective disclosure with holder key binding.
  const [sd] = await issueAndAnchor(bank, idSchema, 'sd-jwt', [{ holderPublicKey: holder.publicKey, claims: people[0]!.claims }]);
  const presentation = { ...sd!, credential: await presentSdJwtVc(String(sd!.credential), ['region'], holder, { aud: 'https://bank.example', nonce: 'n-1', iat: Math.floor(Date.now() / 1000) }) };
  const shown = await verify(presentation, { aud: 'https://bank.example', nonce: 'n-1' });
  tt.equal(codeOf(shown), 'valid', 'an SD-JWT presentation disclosing only the region verifies');
  tt.same(shown.valid && [shown.claims.region, shown.claims.birthDate, shown.disclosed], ['Reykjavík', undefined, ['region']], 'with only what was disclosed');
  tt.equal(codeOf(await verify(presentation, { aud: 'https://bank.example', nonce: 'n-1', requireDisclosed: ['birthDate'] })), 'CRED_UNDISCLOSED_CLAIM', 'an undisclosed claim presented as disclosed');
  const onNodeSd = (requireDisclosed: string[]) => client.call<{ valid: boolean; code: string | null }>('cred_verify', { package: presentation, aud: 'https://bank.example', nonce: 'n-1', requireDisclosed });
  tt.same([(await onNodeSd(['region'])).valid, (await onNodeSd(['birthDate'])).code], [true, 'CRED_UNDISCLOSED_CLAIM'], 'and cred_verify with the claims a verifier requires');
  tt.equal(codeOf(await verify(presentation, { aud: 'https://other.example', nonce: 'n-1' })), 'CRED_KEY_BINDING', 'presented to another audience');

  // Keys: rotated after issuance (still valid); rotated before it (invalid).
  const newKey = generateKeyPair();
  await ok(send(bank, 'account', 'rotate_keys', { keys: [newKey.publicKey], threshold: 1 }), 'the bank rotates its key');
  signing = new Map([[bank.address, [newKey]]]);
  tt.equal(codeOf(await verify(good!)), 'valid', 'a key rotated after issuance: still valid');
  const [stale] = await issueAndAnchor(bank, idSchema, 'vc', [people[1]!], { key: bank.keys });
  tt.equal(codeOf(await verify(stale!)), 'CRED_KEY_NOT_VALID', 'signed with a key rotated out before it was anchored');
  const [fresh] = await issueAndAnchor(bank, idSchema, 'vc', [people[1]!], { key: newKey });
  tt.equal(codeOf(await verify(fresh!)), 'valid', 'signed with the new key');

  // No personal data in state: no claim's value in any record the module (or the key history) wrote.
  const values = people.flatMap((p) => Object.values(p.claims)).filter((x): x is string => typeof x === 'string');
  tt.ok(values.length >= 8);
  const ledger = chain.node().ledger;
  let scanned = 0;
  for await (const entries of ledger.state.entries(ledger.height)) {
    for (const [key, value] of entries) {
      if (!((key[0]! >= 0xa0 && key[0]! <= 0xaf) || key[0] === 0x12)) continue;
      scanned++;
      const bytes = Buffer.concat([Buffer.from(key), Buffer.from(value)]);
      const found = values.filter((v) => bytes.includes(Buffer.from(utf8(v))));
      if (found.length > 0) tt.fail(`record 0x${Buffer.from(key).toString('hex').slice(0, 12)}... holds ${found.join(', ')}`);
    }
  }
  tt.ok(scanned >= 10, `no claim's value in any of the ${scanned} records of the credentials module and the key history`);
});
