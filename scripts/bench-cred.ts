/**
 * bench:cred: the credential registry's figures, in one run on this machine.
 *
 * 1. Issuance on a 4-validator devnet (`sov testnet`), batches of 1,000. After the trust chain
 *    (governance accredits an accreditor, which accredits the issuer and registers the
 *    national-id@1 schema), the issuer signs BATCHES x 1,000 national-ID credentials (VC 2.0,
 *    eddsa-jcs-2022; one worker thread per core, the validators idling beside them), then
 *    anchors every batch as fast as the nodes admit (one anchor transaction a batch, in
 *    JSON-RPC batches to node 0) until the last is committed. As bench:devnet signs its
 *    transfers before its peak, the signing is timed apart from the anchoring: the figures
 *    are credentials signed per second (all cores), anchored per second (the ledger), and
 *    issued and anchored per second from the first signature to the last commit (this one
 *    machine doing both, one after the other). Then the issuer revokes 1% of them (every
 *    100th, so that every status-list chunk exists).
 * 2. State on disk at that many credentials: node 0's ledger directory once stopped and
 *    compacted (blocks, state and indexes: everything) per credential, and the credential
 *    records' live bytes (keys and values of every record the module wrote) per credential.
 * 3. Offline verification on one core: presented credentials (a sample across the batches)
 *    checked with verifyCredentialPackage against cred_proofs bundles and the trusted
 *    validator set (signature, anchor and status proofs, key and accreditation; each
 *    commit certificate checked once per height), against core's raw Ed25519 verification
 *    on one core (one worker thread), measured before the nodes start and after they stop.
 *    `ratio` = verifications/s / raw verifications/s. Then again with the verifier's cache
 *    of record proofs (`proven`: an issuer's records, its batch's anchor and its status
 *    chunk are the same for its credentials at one height), for reference.
 * 4. bench:devnet's transfer tx/s, run as a child after the rest (its own 4 validators),
 *    to compare issuance with.
 * Usage: node dist/scripts/bench-cred.js [--batches 1000] [--verify-seconds 5] [--devnet-seconds 30] [--no-devnet]
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Level } from 'level';
import { decodeAddress, fromHex, generateKeyPair, to0x, ValidatorSet, type KeyPair } from '../core/index.js';
import { LedgerStore } from '../state/index.js';
import { ActionKind, makeAction } from '../vm/index.js';
import { buildTx, didKeyOf, SovClient, verifyCredentialPackage, type CredentialPackage, type CredProofBundle } from '../rpc/index.js';
import { Devnet } from '../test/devnet.js';
import { waitFor } from '../test/wait.js';
import { rawVerifyCapacity } from './bench-util.js';
import type { SignJob } from './cred-sign-worker.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const BATCHES = arg('batches', 1000);
const SIZE = 1000;
const TOTAL = BATCHES * SIZE;
const VERIFY_SECONDS = arg('verify-seconds', 5);
const SAMPLE = 500;
const DAY = 86_400_000;
const STATUS_BASE = 'https://registry.example/status/national-id';
const ID_SCHEMA = {
  type: 'object', required: ['givenName', 'familyName', 'birthDate', 'personalId'],
  properties: { givenName: { type: 'string' }, familyName: { type: 'string' }, birthDate: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, region: { type: 'string' }, personalId: { type: 'string' } },
};

/** Bytes under a directory. */
function dirBytes(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    n += s.isDirectory() ? dirBytes(p) : s.size;
  }
  return n;
}

/** Sign the batches in one worker thread per core; resolves with each batch's root, and the packages of the `keep` batches. */
async function signAll(job: Omit<SignJob, 'firsts' | 'keep'>, keep: number[]): Promise<{ roots: Map<number, string>; packages: CredentialPackage[] }> {
  const threads = availableParallelism();
  const roots = new Map<number, string>();
  const packages: CredentialPackage[] = [];
  await Promise.all(Array.from({ length: threads }, (_, w) => new Promise<void>((resolve, reject) => {
    const firsts = Array.from({ length: BATCHES }, (_, b) => b * SIZE).filter((_, b) => b % threads === w);
    const worker = new Worker(new URL('./cred-sign-worker.js', import.meta.url), { workerData: { ...job, firsts, keep } satisfies SignJob });
    let done = false;
    worker.on('message', (m: { done?: true; first: number; root: string; packages: CredentialPackage[] | null }) => {
      if (m.done) {
        done = true;
        return void worker.terminate().then(() => resolve());
      }
      roots.set(m.first, m.root);
      if (m.packages) packages.push(...m.packages);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => (done ? undefined : reject(new Error(`a signing worker exited (code ${code}) before signing its batches`))));
  })));
  return { roots, packages };
}

async function main(): Promise<void> {
  console.log(`bench:cred: ${BATCHES} batches of ${SIZE} credentials on 4 validators; verification on one core for ${VERIFY_SECONDS} s`);
  const rawBefore = await rawVerifyCapacity(3000, 1);
  console.log(`raw Ed25519 verifications on one core: ${Math.round(rawBefore)}/s`);

  const net = Devnet.create({ validators: 4, blockIntervalMs: 250, logLevel: 'warn' });
  for (let i = 0; i < 4; i++) net.setConfig(i, 'rpc', 'max_batch', '1000');
  const m = net.manifest;
  const client = new SovClient(m.nodes[0]!.rpc_url);
  const accounts = Object.fromEntries(net.accountKeys().map((a) => [a.name, a])) as Record<string, { address: string; keys: KeyPair }>;
  const cb = accounts['Central Bank']!;
  const issuer = accounts['Commercial Bank']!;
  const nonces = new Map<string, number>();
  const txFor = async (who: { address: string; keys: KeyPair }, module: string, method: string, args: unknown) => {
    const n = nonces.get(who.address) ?? (await client.getAccount(who.address)).nonce;
    nonces.set(who.address, n + 1);
    const h = (await client.status()).height;
    return buildTx({ chainId: m.chain_id, keys: [who.keys], signer: decodeAddress(who.address, m.address_prefix), nonce: n, expiry: h + 200 }, module, method, args);
  };
  const commit = async (who: { address: string; keys: KeyPair }, module: string, method: string, args: unknown, what: string): Promise<void> => {
    const r = await client.sendTransaction(await txFor(who, module, method, args), true);
    if (r.status !== 'committed') throw new Error(`${what}: ${r.status} ${r.message ?? ''}`);
  };
  /** Send transactions to node 0 in JSON-RPC batches of 100; every one must be admitted. */
  const submit = async (txs: { bytes: Uint8Array }[]): Promise<void> => {
    for (let i = 0; i < txs.length; i += 100) {
      const body = txs.slice(i, i + 100).map((tx, id) => ({ jsonrpc: '2.0', id, method: 'sov_sendTransaction', params: [to0x(tx.bytes)] }));
      const res = await fetch(m.nodes[0]!.rpc_url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const replies = (await res.json()) as { error?: { message: string } }[];
      const bad = replies.find((r) => r.error);
      if (bad) throw new Error(`a transaction was refused: ${bad.error!.message}`);
    }
  };
  const nextIndex = async (): Promise<number> => {
    const rec = await client.getRecord({ kind: 'cred_issuer', issuer: issuer.address });
    return rec.value === null ? 0 : Number((rec.value as { nextIndex: number }).nextIndex);
  };

  let figures: Record<string, number>;
  let sample: { pkg: CredentialPackage; bundle: CredProofBundle }[] = [];
  let trusted: ValidatorSet;
  try {
    net.startAll();
    for (let i = 0; i < 4; i++) await net.waitHeight(i, 2);

    // The trust chain.
    await commit(cb, 'gov', 'propose', { action: makeAction(ActionKind.ACCREDIT_ACCREDITOR, { account: decodeAddress(cb.address, m.address_prefix), jurisdiction: 'IS', types: [], legalRef: 'Act 12/2026' }), reason: 'bench' }, 'accredit the accreditor');
    await commit(cb, 'cred', 'accredit_issuer', { account: decodeAddress(issuer.address, m.address_prefix), jurisdiction: 'IS', types: ['national-id'], legalRef: 'Registers Iceland' }, 'accredit the issuer');
    await commit(cb, 'cred', 'register_schema', { typeId: 'national-id', version: 1, jsonSchema: JSON.stringify(ID_SCHEMA), selective: [], issuers: [], maxValidityMs: 3650 * DAY }, 'register national-id@1');
    const accredited = Date.now();
    // Credentials say (to the second) when they were issued: after the accreditation's second.
    await waitFor(async () => Date.now() >= Math.floor(accredited / 1000) * 1000 + 2000, 'the second after the accreditation', 5000);
    const v = await client.getValidators();
    trusted = new ValidatorSet(v.validators.map((x) => ({ address: decodeAddress(x.address, m.address_prefix), publicKey: fromHex(x.publicKey, 32), power: x.power })));

    // Sign.
    const subjectDids = Array.from({ length: 256 }, () => didKeyOf(generateKeyPair().publicKey));
    const keep = [0, Math.floor(BATCHES / 2), BATCHES - 1].map((b) => b * SIZE);
    const t0 = performance.now();
    const { roots, packages } = await signAll({
      chainId: m.chain_id, addressPrefix: m.address_prefix, secretKey: issuer.keys.secretKey, size: SIZE, subjectDids,
      validFrom: Date.now() - DAY, validUntil: Date.now() + 3000 * DAY, issuedAt: Date.now(), statusBaseUrl: STATUS_BASE,
    }, keep);
    const signSeconds = (performance.now() - t0) / 1000;
    console.log(`signed ${TOTAL} credentials in ${signSeconds.toFixed(1)} s on ${availableParallelism()} threads: ${Math.round(TOTAL / signSeconds)}/s`);

    // Anchor every batch, as fast as the nodes admit.
    const h0 = await net.height(0);
    const anchors = [];
    for (let b = 0; b < BATCHES; b++) anchors.push(await txFor(issuer, 'cred', 'anchor', { schema: 'national-id@1', first: b * SIZE, count: SIZE, root: fromHex(roots.get(b * SIZE)!, 32) }));
    const t1 = performance.now();
    await submit(anchors);
    await waitFor(async () => (await nextIndex()) === TOTAL, `all ${TOTAL} credentials anchored`, 300_000, 50);
    const anchorSeconds = (performance.now() - t1) / 1000;
    const blocks = (await net.height(0)) - h0;
    console.log(`anchored ${BATCHES} batches in ${anchorSeconds.toFixed(2)} s (about ${blocks} blocks): ${Math.round(TOTAL / anchorSeconds)} credentials/s`);

    // Revoke every 100th credential (reason 3), in transactions of up to 1,000 changes.
    for (let i = 0; i < TOTAL; i += 100_000) {
      const changes = Array.from({ length: Math.min(100_000, TOTAL - i) / 100 }, (_, j) => ({ index: i + j * 100, purpose: 0, set: true, reason: 3 }));
      await commit(issuer, 'cred', 'set_status', { changes }, `revoke ${changes.length} credentials from ${i}`);
    }
    console.log(`revoked ${TOTAL / 100} credentials (every 100th)`);

    // The verification sample: presented credentials that are valid, with the node's bundles.
    const valid = packages.filter((p) => (p.credential as { ledgerAnchor: { index: number } }).ledgerAnchor.index % 100 !== 0);
    const picked = Array.from({ length: SAMPLE }, (_, i) => valid[Math.floor((i * valid.length) / SAMPLE)]!);
    sample = [];
    for (const pkg of picked) {
      const ref = (pkg.credential as { ledgerAnchor: { issuer: string; batch: number; index: number } }).ledgerAnchor;
      sample.push({ pkg, bundle: await client.credProofs(ref.issuer, ref.batch, ref.index) });
    }
    figures = {
      credentials: TOTAL,
      signedPerSec: Math.round(TOTAL / signSeconds),
      signedPerSecPerCore: Math.round(TOTAL / signSeconds / availableParallelism()),
      anchoredPerSec: Math.round(TOTAL / anchorSeconds),
      anchorBlocks: blocks,
      issuedAndAnchoredPerSec: Math.round(TOTAL / (signSeconds + anchorSeconds)),
    };
  } catch (e) {
    await net.stop();
    throw e;
  }

  // State on disk: node 0 stopped, its ledger compacted.
  await Promise.all([0, 1, 2, 3].map((i) => net.kill(i, 'SIGTERM')));
  const ledgerDir = join(m.nodes[0]!.home, 'data', 'ledger');
  try {
    const db = new Level<Uint8Array, Uint8Array>(ledgerDir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    // (On Node, `level` is classic-level, which compacts; its browser twin in the type does not.)
    await (db as unknown as { compactRange(start: Uint8Array, end: Uint8Array): Promise<void> }).compactRange(new Uint8Array(0), new Uint8Array(64).fill(0xff));
    await db.close();
    const ledgerBytes = dirBytes(ledgerDir);
    const store = await LedgerStore.open({ path: ledgerDir, pruneWindow: null });
    let recordBytes = 0;
    let records = 0;
    for await (const entries of store.state.entries(store.height)) {
      for (const [key, value] of entries) {
        if (key[0]! < 0xa0 || key[0]! > 0xaf) continue;
        records++;
        recordBytes += key.length + value.length;
      }
    }
    await store.close();
    console.log(`node 0's ledger, compacted: ${(ledgerBytes / 1e6).toFixed(1)} MB (${(ledgerBytes / TOTAL).toFixed(2)} bytes a credential); the credential records: ${records}, ${(recordBytes / 1e6).toFixed(2)} MB (${(recordBytes / TOTAL).toFixed(3)} bytes a credential)`);
    figures.ledgerBytesPerCredential = Number((ledgerBytes / TOTAL).toFixed(2));
    figures.credentialRecordBytesPerCredential = Number((recordBytes / TOTAL).toFixed(3));
  } finally {
    await net.stop();
  }

  // Offline verification on one core: every proof of every bundle checked (certificates once
  // a height), and then with the verifier's cache of record proofs as well.
  const verifyRate = (caches: { verified: Set<string>; proven?: Map<string, { raw: string | null; proof: string }> }): number => {
    const ctx = { chainId: m.chain_id, addressPrefix: m.address_prefix, validators: trusted!, ...caches };
    for (const s of sample) {
      const r = verifyCredentialPackage(s.pkg, s.bundle, ctx);
      if (!r.valid) throw new Error(`a sample credential did not verify: ${r.code} ${r.message}`);
    }
    const tv = performance.now();
    let n = 0;
    while (performance.now() - tv < VERIFY_SECONDS * 1000) {
      for (const s of sample) if (!verifyCredentialPackage(s.pkg, s.bundle, ctx).valid) throw new Error('a valid credential failed');
      n += sample.length;
    }
    return n / ((performance.now() - tv) / 1000);
  };
  const verifyPerSec = verifyRate({ verified: new Set() });
  const cachedPerSec = verifyRate({ verified: new Set(), proven: new Map() });
  const rawAfter = await rawVerifyCapacity(3000, 1);
  const raw = (rawBefore + rawAfter) / 2;
  const heights = new Set(sample.map((s) => s.bundle.height)).size;
  console.log(`offline verification, one core: ${Math.round(verifyPerSec)}/s (${SAMPLE} credentials, bundles at ${heights} heights); with record proofs cached too: ${Math.round(cachedPerSec)}/s`);
  console.log(`raw Ed25519 verifications on one core: ${Math.round(rawAfter)}/s after (${Math.round(raw)}/s mean)`);

  // bench:devnet's transfers, in the same run.
  let tps = NaN;
  if (!process.argv.includes('--no-devnet')) {
    console.log('bench:devnet (transfers), for comparison:');
    const out = execFileSync(process.execPath, [new URL('./bench-devnet.js', import.meta.url).pathname, '--seconds', String(arg('devnet-seconds', 30))], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const last = out.trim().split('\n').at(-1)!;
    tps = (JSON.parse(last) as { tps: number }).tps;
    console.log(`  ${last}`);
  }
  console.log(JSON.stringify({
    ...figures,
    verifyPerSec: Math.round(verifyPerSec),
    verifyPerSecRecordProofsCached: Math.round(cachedPerSec),
    ratioRecordProofsCached: Number((cachedPerSec / raw).toFixed(3)),
    rawVerifyPerSecOneCore: Math.round(raw),
    rawVerifyBefore: Math.round(rawBefore),
    rawVerifyAfter: Math.round(rawAfter),
    transferTps: tps,
    issuedAndAnchoredVsTransfers: Number((figures.issuedAndAnchoredPerSec! / tps).toFixed(2)),
    anchoredVsTransfers: Number((figures.anchoredPerSec! / tps).toFixed(1)),
    ratio: Number((verifyPerSec / raw).toFixed(3)),
  }));
}

await main();
