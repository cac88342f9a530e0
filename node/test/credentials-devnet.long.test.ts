/**
 * The EBSI conformance flow on a 4-validator devnet, through the CLI and the SDK: governance
 * accredits an accreditor, the accreditor accredits an issuer and registers a schema, the
 * issuer issues and anchors, the credential verifies (CLI against a trusted genesis file, and
 * the SDK against another node); an SD-JWT VC is issued, presented with chosen disclosures and
 * verified through the CLI; the first credential is suspended (CRED_SUSPENDED), reinstated, revoked
 * (CRED_REVOKED); the exported status list decodes with the W3C status-list library. Then a
 * KYC credential: a transfer over the old tier's limit succeeds before its revocation at
 * height h and fails after, with the same receipt on every node.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeList } from '@digitalbazaar/vc-bitstring-status-list';
import { decodeAddress, fromHex, ValidatorSet } from '../../core/index.js';
import { buildTx, didKeyOf, issueBatch, readStatusListCredential, SovClient, verifyCredentialPackage, type CredentialPackage } from '../../rpc/index.js';
import { Devnet } from '../../test/devnet.js';
import { repoPath, waitFor } from '../../test/index.js';

const net = Devnet.create({ validators: 4, blockIntervalMs: 150 });
const m = net.manifest;
t.teardown(() => net.stop());
const dir = mkdtempSync(join(tmpdir(), 'sov-cred-'));
const accountsDir = join(m.accounts_password_file, '..');
const password = ['--password-file', m.accounts_password_file];
const keyOf = (file: string) => ['--key', join(accountsDir, file)];
const rpcOf = (i: number) => ['--rpc', m.nodes[i]!.rpc_url];
const genesis = join(m.nodes[0]!.home, 'genesis.json');

/** Run `sov ...`; its stdout parsed as JSON when it is. */
function sov(...args: string[]): Promise<{ code: number; out: string; err: string; json: () => Record<string, unknown> }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [repoPath('bin/sov.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err, json: () => JSON.parse(out) as Record<string, unknown> }));
  });
}
/** Every node at the highest height any has (a step's commit is known everywhere before the next step asks another node). */
async function settle(): Promise<void> {
  const top = Math.max(...(await Promise.all([0, 1, 2, 3].map((i) => net.height(i)))));
  for (let i = 0; i < 4; i++) await net.waitHeight(i, top, 60_000);
}
const must = async (args: string[], what: string) => {
  const r = await sov(...args);
  t.equal(r.code, 0, `${what}${r.code !== 0 ? `: ${r.err}${r.out}` : ''}`);
  await settle();
  return r;
};

const accounts = Object.fromEntries(m.accounts.map((a) => [a.name, a]));
const cb = accounts['Central Bank']!;
const bank = accounts['Commercial Bank']!;

t.before(async () => {
  net.startAll();
  for (let i = 0; i < 4; i++) await net.waitHeight(i, 2);
});

t.test('EBSI conformance: accredit, accredit, register, issue and anchor, verify, suspend, reinstate, revoke', async (tt) => {
  const action = { action: { accredit_accreditor: { account: cb.address, jurisdiction: 'IS', types: [], legalRef: 'Act 12/2026 s.4' } }, reason: 'the root accreditor' };
  await must(['tx', 'gov', 'propose', '--args', JSON.stringify(action), ...keyOf('central-bank.json'), ...password, ...rpcOf(0), '--wait'], 'governance accredits the central bank as an accreditor');
  const issuer = { account: bank.address, jurisdiction: 'IS', types: ['national-id', 'kyc'], legalRef: 'Licence 7' };
  await must(['tx', 'cred', 'accredit_issuer', '--args', JSON.stringify(issuer), ...keyOf('central-bank.json'), ...password, ...rpcOf(1), '--wait'], 'the accreditor accredits the bank as an issuer');
  writeFileSync(join(dir, 'id.schema.json'), JSON.stringify({ type: 'object', required: ['givenName'], properties: { givenName: { type: 'string' }, birthDate: { type: 'string' } } }));
  await must(['cred', 'register-schema', '--type', 'national-id', '--schema-version', '1', '--json-schema', join(dir, 'id.schema.json'), '--selective', 'birthDate', ...keyOf('central-bank.json'), ...password, ...rpcOf(2)], 'the accreditor registers national-id@1');
  writeFileSync(join(dir, 'subjects.json'), JSON.stringify([{ id: 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp', claims: { givenName: 'Anna', birthDate: '1999-09-09' } }, { claims: { givenName: 'Björn' } }]));
  const issued = (await must(['cred', 'issue', '--schema', 'national-id@1', '--subjects', join(dir, 'subjects.json'), '--out', join(dir, 'out'), '--status-url', 'https://bank.example/status',
    ...keyOf('commercial-bank.json'), ...password, ...rpcOf(3)], 'the bank issues and anchors two credentials')).json();
  tt.match(issued, { schema: 'national-id@1', first: 0, count: 2 });
  const pkg = join(dir, 'out', '0.json');
  const verify = async (i: number) => {
    const r = await sov('cred', 'verify', pkg, '--verify', genesis, ...rpcOf(i));
    try {
      return r.json();
    } catch {
      return { out: r.out, err: r.err };
    }
  };
  tt.match(await verify(0), { valid: true, claims: { givenName: 'Anna' } }, 'the CLI verifies it against the genesis validator set');

  // The SDK, against another node.
  const client = new SovClient(m.nodes[2]!.rpc_url);
  const v = await client.getValidators();
  const trusted = new ValidatorSet(v.validators.map((x) => ({ address: decodeAddress(x.address, m.address_prefix), publicKey: fromHex(x.publicKey, 32), power: x.power })));
  const sdk = async () => {
    const p = JSON.parse(readFileSync(pkg, 'utf8')) as CredentialPackage;
    return verifyCredentialPackage(p, await client.credProofs(bank.address, 0, 0), { chainId: m.chain_id, addressPrefix: m.address_prefix, validators: trusted });
  };
  tt.equal((await sdk()).valid, true, 'the SDK verifies it against node 2');

  // An SD-JWT VC bound to a holder's key (customer-1's), presented with chosen disclosures through the CLI.
  const holder = net.accountKeys().find((a) => a.name === 'customer-1')!;
  writeFileSync(join(dir, 'holders.json'), JSON.stringify([{ holderPublicKey: Buffer.from(holder.keys.publicKey).toString('hex'), claims: { givenName: 'Dóra', birthDate: '2001-02-03' } }]));
  const sd = (await must(['cred', 'issue', '--format', 'sd-jwt', '--schema', 'national-id@1', '--subjects', join(dir, 'holders.json'), '--out', join(dir, 'sd'), '--status-url', 'https://bank.example/status',
    ...keyOf('commercial-bank.json'), ...password, ...rpcOf(0)], 'the bank issues and anchors an SD-JWT VC')).json();
  const sdPkg = join(dir, 'sd', `${sd.first as number}.json`);
  const present = (disclose: string, out: string) => must(['cred', 'present', sdPkg, '--disclose', disclose, '--aud', 'https://shop.example', '--nonce', 'n-42', '--holder-key', join(accountsDir, 'customer-1.json'), ...password, '--out', join(dir, out)], `present (${disclose || 'nothing'} disclosed)`);
  await present('birthDate', 'shown.json');
  await present('', 'hidden.json');
  const verifySd = async (file: string, ...extra: string[]) => (await sov('cred', 'verify', join(dir, file), '--verify', genesis, ...rpcOf(1), ...extra)).json();
  tt.match(await verifySd('shown.json', '--aud', 'https://shop.example', '--nonce', 'n-42', '--require', 'birthDate'), { valid: true, claims: { givenName: 'Dóra', birthDate: '2001-02-03' }, disclosed: ['birthDate'] }, 'the presentation disclosing birthDate verifies');
  tt.match(await verifySd('hidden.json', '--aud', 'https://shop.example', '--nonce', 'n-42', '--require', 'birthDate'), { valid: false, code: 'CRED_UNDISCLOSED_CLAIM' }, 'one that hides it does not satisfy a verifier requiring it');
  tt.match(await verifySd('shown.json', '--aud', 'https://other.example', '--nonce', 'n-42'), { valid: false, code: 'CRED_KEY_BINDING' }, 'nor one presented to another verifier');

  await must(['cred', 'suspend', '--index', '0', '--reason', '11', ...keyOf('commercial-bank.json'), ...password, ...rpcOf(0)], 'suspend');
  tt.match(await verify(1), { valid: false, code: 'CRED_SUSPENDED' }, 'suspended');
  tt.match(await sdk(), { valid: false, code: 'CRED_SUSPENDED' });
  await must(['cred', 'reinstate', '--index', '0', ...keyOf('commercial-bank.json'), ...password, ...rpcOf(1)], 'reinstate');
  tt.match(await verify(2), { valid: true }, 'reinstated');
  await must(['cred', 'revoke', '--index', '0', '--reason', '3', ...keyOf('commercial-bank.json'), ...password, ...rpcOf(2)], 'revoke');
  tt.match(await verify(3), { valid: false, code: 'CRED_REVOKED' }, 'revoked');
  tt.equal((await sov('cred', 'verify', pkg, '--verify', genesis, ...rpcOf(0))).code, 1, 'verify exits 1 for an invalid credential');
  await must(['cred', 'reinstate', '--index', '0', ...keyOf('commercial-bank.json'), ...password, ...rpcOf(0)], 'lifting a suspension that is not there');
  tt.match(await verify(1), { valid: false, code: 'CRED_REVOKED' }, 'a revocation is final: reinstating does not undo it');

  // The status list, exported and signed by the issuer, decodes with the W3C status-list library.
  const out = join(dir, 'revocation.json');
  await must(['cred', 'export-status', '--purpose', 'revocation', '--status-url', 'https://bank.example/status', '--out', out, ...keyOf('commercial-bank.json'), ...password, ...rpcOf(3)], 'export the revocation list');
  const exported = JSON.parse(readFileSync(out, 'utf8')) as { credentialSubject: { encodedList: string; statusPurpose: string }; issuer: string };
  tt.equal(exported.issuer, didKeyOf((net.accountKeys().find((a) => a.name === 'Commercial Bank')!.keys.publicKey)), 'issued by the bank\'s did:key');
  const list = await decodeList({ encodedList: exported.credentialSubject.encodedList });
  tt.same([list.getStatus(0), list.getStatus(1)], [true, false], 'the W3C library reads credential 0 revoked, credential 1 not');
  tt.equal(readStatusListCredential(exported).purpose ?? exported.credentialSubject.statusPurpose, 'revocation');
});

t.test('a KYC credential revoked at height h: a transfer over the old tier\'s limit succeeds before h and fails after, on every node', async (tt) => {
  const keys = Object.fromEntries(net.accountKeys().map((a) => [a.name, a.keys]));
  const customer = accounts['customer-1']!;
  const client = new SovClient(m.nodes[0]!.rpc_url);
  const nonces = new Map<string, number>();
  const send = async (name: string, module: string, method: string, args: unknown) => {
    const a = accounts[name]!;
    const n = nonces.get(name) ?? (await client.getAccount(a.address)).nonce;
    nonces.set(name, n + 1);
    const h = (await client.status()).height;
    return client.sendTransaction(buildTx({ chainId: m.chain_id, keys: [keys[name]!], nonce: n, expiry: h + 200 }, module, method, args), true);
  };
  const cur = m.currency.code;
  // Tier 1 may pay at most 100.00 at once; tier 2 has no limit (the testnet's policy).
  tt.match(await send('Central Bank', 'money', 'set_tier_policy', { currency: cur, tier: 1, policy: { holdingLimit: null, perTxLimit: 10_000n, dailyLimit: null, annualLimit: null } }), { status: 'committed' });
  tt.match(await send('Central Bank', 'cred', 'register_schema', { typeId: 'kyc', version: 1, jsonSchema: JSON.stringify({ type: 'object', properties: { tier: { type: 'integer' } } }), selective: [], issuers: [], maxValidityMs: 365 * 86_400_000 }), { status: 'committed' });
  const first = Number(((await client.getRecord({ kind: 'cred_issuer', issuer: bank.address })).value as { nextIndex: number }).nextIndex);
  const batch = await issueBatch({
    format: 'vc', chainId: m.chain_id, addressPrefix: m.address_prefix, issuerKey: keys['Commercial Bank']!, schema: { id: 'kyc@1', typeId: 'kyc', selective: [] }, first,
    subjects: [{ claims: { tier: 2 } }], validFrom: Date.now(), validUntil: Date.now() + 300 * 86_400_000, statusBaseUrl: 'https://bank.example/status',
  });
  tt.match(await send('Commercial Bank', 'cred', 'anchor', { schema: 'kyc@1', first, count: 1, root: batch.root }), { status: 'committed' });
  const payee = decodeAddress(accounts['customer-2']!.address, m.address_prefix);
  const pay = () => send('customer-1', 'money', 'transfer', { currency: cur, to: payee, amount: 50_000n, memo: 'rent', reference: '' });
  tt.match(await pay(), { status: 'failed' }, 'tier 1: 500.00 is over its limit');
  tt.match(await send('Commercial Bank', 'cred', 'bind_kyc', {
    account: decodeAddress(customer.address, m.address_prefix), index: first, tier: 2, assurance: 2, validUntil: Date.now() + 300 * 86_400_000, digest: new Uint8Array(32),
  }), { status: 'committed' });
  const before = await pay();
  tt.equal(before.status, 'committed', 'with the tier-2 KYC credential, paid');
  const revoked = await send('Commercial Bank', 'cred', 'set_status', { changes: [{ index: first, purpose: 0, set: true, reason: 9 }] });
  tt.equal(revoked.status, 'committed');
  const h = revoked.height!;
  const after = await pay();
  tt.equal(after.status, 'failed', `revoked at height ${h}: the same transfer fails`);
  tt.ok(after.height! > h && before.height! < h);
  for (let i = 0; i < 4; i++) {
    await waitFor(async () => (await net.height(i)) >= after.height!, `node ${i} at ${after.height}`, 60_000, 100);
    const c = new SovClient(m.nodes[i]!.rpc_url);
    tt.match(await c.getTransaction(before.hash), { receipt: { status: 'ok' } }, `node ${i}: paid before ${h}`);
    tt.match(await c.getTransaction(after.hash), { receipt: { status: 'failed', codeName: 'PER_TX_LIMIT' } }, `node ${i}: refused after ${h}`);
  }
});
