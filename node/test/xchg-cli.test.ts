/**
 * `sov xchg` and `sov doc` against a real one-validator devnet, as agencies and an auditor
 * run them: the tax office sends records from a file in batches (their roots the SDK's), the
 * welfare agency acknowledges some; a record is read by id and found by pair (page by page),
 * agency, purpose and consent; its receipt verifies offline against the genesis file, a node
 * home and a saved validator set, and a changed byte exits 1 with the reason; a receipt
 * container signed by the welfare agency verifies. A document is registered, signed by the
 * tax office (group 0, by transaction) and by the welfare agency (group 1, an off-chain
 * signature submitted by the tax office), and its proof verifies offline.
 */
import t, { type Test as Tap } from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAddress, sha256, sha256Utf8, to0x } from '../../core/index.js';
import { consentRef, xchgBatch, type XchgRecordInput } from '../../rpc/index.js';
import { Devnet } from '../../test/devnet.js';
import { repoPath } from '../../test/index.js';

const net = Devnet.create({ validators: 1, blockIntervalMs: 50 });
t.teardown(() => net.stop());
const m = net.manifest;
const rpc = ['--rpc', m.nodes[0]!.rpc_url];
const genesis = join(m.nodes[0]!.home, 'genesis.json');
const dir = mkdtempSync(join(tmpdir(), 'sov-xchg-cli-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => join(dir, name);
const acct = (name: string) => m.accounts.find((a) => a.name === name)!;
const tax = acct('Tax Office');
const welfare = acct('Welfare Agency');
const as = (a: { keystore: string }) => ['--key', a.keystore, '--password-file', m.accounts_password_file, ...rpc];

interface Run { code: number; out: string; err: string }
/** The CLI runs as a user runs it: without the test runner's process-tracking loader (NODE_OPTIONS), which doubles each start-up. */
const CLI_ENV = { ...process.env, NODE_OPTIONS: '' };
const sov = (...args: string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [repoPath('bin/sov.js'), ...args], { encoding: 'utf8', timeout: 60_000, env: CLI_ENV }, (e, out, err) => {
    resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err });
  });
});
/** Run `sov ...`, expecting success; its output as JSON. */
const ok = async (tt: Tap, what: string, ...args: string[]): Promise<any> => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await sov(...args);
  tt.equal(r.code, 0, `${what}${r.code !== 0 ? `: ${r.err}${r.out}` : ''}`);
  return r.code === 0 ? JSON.parse(r.out) : {};
};
/** Run `sov ...`, expecting it to fail with exit status `code`; its stdout as JSON when it is. */
const fails = async (tt: Tap, code: number, what: string, ...args: string[]): Promise<Run & { json: any }> => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await sov(...args);
  tt.equal(r.code, code, `${what}: exit status ${code}`);
  let json: unknown = null;
  try {
    json = JSON.parse(r.out);
  } catch {
    json = null;
  }
  return { ...r, json };
};

t.before(async () => {
  net.startAll();
  await net.waitHeight(0, 2);
});

const TIME = 1_767_225_600_000;
const statement = 'Income statement 2025 of a household (the data itself: never on the ledger)';
const records = [
  { payload: 'file:statement.txt', purpose: 'income', legalBasis: 'Act 90/2003 art. 12', consent: 'id:urn:consent:42', time: TIME },
  { payload: 'text:household of three', purpose: 'household', legalBasis: 'Act 90/2003 art. 12', time: TIME + 1 },
  { payload: to0x(sha256Utf8('a digest made elsewhere')), purpose: 'income', legalBasis: 'Act 90/2003 art. 13', time: TIME + 2 },
  { payload: 'text:four', purpose: 'income', legalBasis: 'Act 90/2003 art. 12', time: TIME + 3 },
  { payload: 'text:five', purpose: 'income', legalBasis: 'Act 90/2003 art. 12', time: TIME + 4 },
];
/** The records as the SDK takes them, hashed as the CLI hashes them. */
const inputs: XchgRecordInput[] = [
  { payload: sha256(new TextEncoder().encode(statement)), purpose: 'income', legalBasis: 'Act 90/2003 art. 12', consent: consentRef('urn:consent:42'), time: TIME },
  { payload: sha256Utf8('household of three'), purpose: 'household', legalBasis: 'Act 90/2003 art. 12', time: TIME + 1 },
  { payload: sha256Utf8('a digest made elsewhere'), purpose: 'income', legalBasis: 'Act 90/2003 art. 13', time: TIME + 2 },
  { payload: sha256Utf8('four'), purpose: 'income', legalBasis: 'Act 90/2003 art. 12', time: TIME + 3 },
  { payload: sha256Utf8('five'), purpose: 'income', legalBasis: 'Act 90/2003 art. 12', time: TIME + 4 },
];
const id = (seq: number) => `${tax.address}/${seq}`;
const seqs = (page: { items: { record: { seq: number } }[] }) => page.items.map((r) => r.record.seq);

t.test('records: send from a file, acknowledge, read, list, receipts verified offline', async (tt) => {
  writeFileSync(file('statement.txt'), statement);
  writeFileSync(file('records.json'), JSON.stringify(records));
  const sent = await ok(tt, 'the tax office sends 5 records in batches of 2', 'xchg', 'send', '--to', welfare.address, '--file', file('records.json'), '--batch-size', '2', ...as(tax));
  tt.match(sent, { sender: tax.address, receiver: welfare.address, records: 5, first: 0, last: 4 });
  tt.same(sent.batches.map((b: { ids: string }) => b.ids), [`${id(0)}..1`, `${id(2)}..3`, `${id(4)}..4`], 'the record ids of each batch');
  const raw = (a: string) => decodeAddress(a, m.address_prefix);
  const roots = [[0, 2], [2, 4], [4, 5]].map(([a, b]) => to0x(xchgBatch(raw(tax.address), raw(welfare.address), a!, inputs.slice(a, b)).root));
  tt.same(sent.batches.map((b: { root: string }) => b.root), roots, "each batch's root is the one the SDK computes for the same records");

  const [inside, acked] = await Promise.all([
    fails(tt, 2, 'acknowledging from inside a batch', 'xchg', 'ack', '--from', tax.address, '--first', '3', ...as(welfare)),
    ok(tt, 'the welfare agency acknowledges record 3', 'xchg', 'ack', '--from', tax.address, '--first', '2', '--offset', '1', ...as(welfare)),
  ]);
  tt.match(inside.err, /record 3 is in the batch starting at 2: --first 2 --offset 1/, 'names the batch');
  tt.match(acked, { acknowledged: `${id(3)}..3`, count: 1 });
  tt.match(await ok(tt, 'and the whole first batch', 'xchg', 'ack', '--from', tax.address, '--first', '0', ...as(welfare)), { acknowledged: `${id(0)}..1`, count: 2 });

  /** By pair, two records a page, until the cursor runs out. */
  const byPages = async (): Promise<number[]> => {
    const listed: number[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await ok(tt, `page ${pages}`, 'xchg', 'list', '--pair', `${tax.address},${welfare.address}`, '--limit', '2', ...(cursor ? ['--cursor', cursor] : []), ...rpc);
      listed.push(...seqs(page));
      cursor = page.next;
      if (cursor === null) break;
    }
    return listed;
  };
  const [r0, missing, listed, pending, household, consent] = await Promise.all([
    ok(tt, 'get record 0', 'xchg', 'get', id(0), ...rpc),
    fails(tt, 2, 'no record past the last', 'xchg', 'get', id(5), ...rpc),
    byPages(),
    ok(tt, 'by agency, status and time', 'xchg', 'list', '--agency', welfare.address, '--role', 'received', '--status', 'pending', '--from', '2020-01-01', ...rpc),
    ok(tt, 'by purpose', 'xchg', 'list', '--purpose', 'household', ...rpc),
    ok(tt, 'by consent', 'xchg', 'list', '--consent', 'id:urn:consent:42', ...rpc),
  ]);
  tt.match(r0, { id: id(0), status: 'acknowledged', record: { payload: to0x(inputs[0]!.payload as Uint8Array), consent: to0x(consentRef('urn:consent:42')), time: TIME }, batch: { first: 0, count: 2 } }, 'a record by id: the file hashed, the consent id hashed');
  tt.match(missing.err, /no record/);
  tt.same(listed, [0, 1, 2, 3, 4], 'by pair, page by page: each record once, in order');
  tt.same([seqs(pending), seqs(household), seqs(consent)], [[2, 4], [1], [0]], 'by agency, status and time; by purpose; by consent');

  // Receipts, and a container signed by the welfare agency; then verified offline.
  const [, , exported] = await Promise.all([
    ok(tt, 'receipt of record 1', 'xchg', 'receipt', id(1), '--out', file('r1.json'), ...rpc),
    ok(tt, 'receipt of record 4', 'xchg', 'receipt', id(4), '--out', file('r4.json'), ...rpc),
    ok(tt, 'a receipt container', 'xchg', 'receipt', id(1), '--container', '--out', file('c1.json'), '--key', welfare.keystore, '--password-file', m.accounts_password_file, ...rpc),
  ]);
  tt.match(exported, { container: true, exporter: /^did:key:z6Mk/ });
  writeFileSync(file('validators.json'), JSON.stringify(await net.rpc(0, 'sov_getValidators')));
  const receipt = JSON.parse(readFileSync(file('r1.json'), 'utf8'));
  receipt.record.purpose = 'income';
  writeFileSync(file('tampered.json'), JSON.stringify(receipt));
  const [byGenesis, byHome, bySet, tampered, boxed] = await Promise.all([
    ok(tt, 'verify against the genesis file', 'xchg', 'verify', file('r1.json'), '--genesis', genesis),
    ok(tt, 'verify against a node home', 'xchg', 'verify', file('r1.json'), '--home', m.nodes[0]!.home),
    ok(tt, 'verify against a saved validator set', 'xchg', 'verify', file('r4.json'), '--validators', file('validators.json')),
    fails(tt, 1, 'a changed receipt', 'xchg', 'verify', file('tampered.json'), '--genesis', genesis),
    ok(tt, 'verify the container', 'xchg', 'verify', file('c1.json'), '--genesis', genesis),
  ]);
  tt.match(byGenesis, { valid: true, id: id(1), status: 'acknowledged', record: { purpose: 'household' }, verdict: /sent at height \d+: acknowledged/ });
  tt.ok(byGenesis.sent.height > 0 && byGenesis.provenAt.height >= byGenesis.sent.height, "the height it was sent at, and the proof's");
  tt.equal(byHome.valid, true);
  tt.match(bySet, { valid: true, id: id(4), status: 'pending' });
  tt.match(tampered.json, { valid: false, code: 'XCHG_VERIFY_FAILED', reason: /not in its batch/ }, 'a changed receipt: the reason');
  tt.match(tampered.err, /not valid: the record is not in its batch/);
  tt.match(boxed, { valid: true, id: id(1), container: { exporterAddress: welfare.address } }, "the container names its exporter's address");
});

t.test('a document signed by two groups, one signature made off chain, its proof verified offline', async (tt) => {
  writeFileSync(file('agreement.txt'), 'Data-sharing agreement between the tax office and the welfare agency, v3');
  const digest = to0x(sha256(readFileSync(file('agreement.txt'))));
  const reg = await ok(tt, 'the tax office registers the agreement', 'doc', 'register', '--file', file('agreement.txt'), '--title', 'Data-sharing agreement',
    '--groups', `${tax.address};${welfare.address}`, '--deadline', '+1h', '--legal-ref', 'Act 90/2003', ...as(tax));
  tt.match(reg, { digest, groups: [[tax.address], [welfare.address]] });
  const docId = String(reg.id);
  await ok(tt, 'the welfare agency signs off chain', 'doc', 'sign', docId, '--offline', '--file', file('agreement.txt'), '--out', file('welfare.sig'), ...as(welfare));
  const sig = JSON.parse(readFileSync(file('welfare.sig'), 'utf8'));
  tt.match(sig, { id: Number(docId), chainId: m.chain_id, digest, signer: welfare.address, signature: /^0x[0-9a-f]{128}$/ });
  tt.match(await ok(tt, 'the tax office signs by transaction', 'doc', 'sign', docId, ...as(tax)), { signer: tax.address, by: 'transaction' });
  tt.match(await ok(tt, "and submits the welfare agency's signature", 'doc', 'sign', docId, '--signer', welfare.address, '--signature', sig.signature, ...as(tax)), { signer: welfare.address, by: 'signature' });
  const [doc] = await Promise.all([ok(tt, 'read it', 'doc', 'get', docId, ...rpc), ok(tt, 'its proof', 'doc', 'proof', docId, '--out', file('doc.json'), ...rpc)]);
  tt.match(doc, { status: 'complete', digest, signatures: [{ signer: tax.address, signature: null }, { signer: welfare.address, signature: sig.signature }] });
  const [v, other] = await Promise.all([
    ok(tt, 'verified offline', 'doc', 'verify', file('doc.json'), '--genesis', genesis, '--file', file('agreement.txt'), '--require-complete'),
    fails(tt, 1, 'another document', 'doc', 'verify', file('doc.json'), '--genesis', genesis, '--digest', to0x(sha256Utf8('another document'))),
  ]);
  tt.match(v, { valid: true, status: 'complete', verdict: /complete at height \d+; 2 of 2 signatures/ });
  tt.match(other.json, { valid: false, reason: /is of digest/ }, 'another document: the reason');
});
