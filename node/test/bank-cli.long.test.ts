/**
 * `sov bank` as a bank runs it: a one-validator testnet (`sov start` as a process), a euro
 * stablecoin (EURX) registered through governance with a holding limit for KYC tier 1, and
 * `sov bank` as a child process with an inbox, an outbox, the official XSDs and an HTTP port.
 * Folder mode: a camt.054 dropped in the inbox becomes a deposit and the file moves to
 * inbox/done with its report; a redemption becomes a pacs.008 in the outbox; a pacs.002
 * dropped in settles the payout (ACSC, matched by its UETR alone) or returns the tokens
 * (RJCT); malformed XML and a schema failure move to inbox/failed with the typed error naming
 * the element. HTTP mode: the same messages POSTed, with their status codes and bodies. A
 * live waterfall: a deposit over the customer's holding limit sends the excess to the bank
 * and the adapter writes the pacs.008 crediting the customer's linked account. A restart of
 * `sov bank` between a pacs.008 and its pacs.002 (which cites only the UETR): matched from
 * the correlation file. Every wait is for a condition, bounded; processes and folders are
 * cleaned up.
 */
import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { decodeAddress, type KeyPair } from '../../core/index.js';
import { ActionKind, buildCamt054, buildPacs002, buildTx, makeAction, parseCamt054, parsePacs008, SovClient, type SubmitView } from '../../rpc/index.js';
import { gov } from '../../vm/index.js';
import { Devnet } from '../../test/devnet.js';
import { repoPath, waitFor } from '../../test/index.js';

const net = Devnet.create({ validators: 1, blockIntervalMs: 100 });
const m = net.manifest;
const client = new SovClient(m.nodes[0]!.rpc_url);
const dir = mkdtempSync(join(tmpdir(), 'sov-bank-cli-'));
const [inbox, outbox] = [join(dir, 'inbox'), join(dir, 'outbox')];
const FIX = repoPath('rpc/test/fixtures/iso20022');
const fixture = (name: string) => readFileSync(join(FIX, name), 'utf8');
const XSD = { p8: fixture('pacs.008.001.09.xsd') };
const procs: ChildProcess[] = [];
t.teardown(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await net.stop();
  rmSync(dir, { recursive: true, force: true });
});

const keys = Object.fromEntries(net.accountKeys().map((a) => [a.name, a])) as Record<string, { name: string; address: string; keys: KeyPair }>;
const [cb, bank, c1, c3] = [keys['Central Bank']!, keys['Commercial Bank']!, keys['customer-1']!, keys['customer-3']!];
const keystore = (name: string) => m.accounts.find((a) => a.name === name)!.keystore;
const raw = (a: string) => decodeAddress(a, m.address_prefix);
const IBAN1 = 'DE89370400440532013000';
const IBAN3 = 'DE75512108001245126199';
const LINKED = 'DE44500105175407324931';
const WAIT = 60_000;

const nonces = new Map<string, number>();
async function send(who: { address: string; keys: KeyPair }, module: string, method: string, args: unknown): Promise<SubmitView> {
  const n = nonces.get(who.address) ?? (await client.getAccount(who.address)).nonce;
  nonces.set(who.address, n + 1);
  const h = (await client.status()).height;
  return client.sendTransaction(buildTx({ chainId: m.chain_id, keys: [who.keys], signer: raw(who.address), nonce: n, expiry: h + 100 }, module, method, args), true);
}
async function ok(tt: Test, p: Promise<SubmitView>, what: string): Promise<SubmitView> {
  const r = await p;
  tt.equal(r.status, 'committed', `${what}${r.message ? `: ${r.message}` : ''}`);
  return r;
}
async function balance(addr: string, cur: string): Promise<string> {
  const a = await client.getAccount(addr) as unknown as { balances: Record<string, string> | { currency: string; amount: string }[] };
  const b = a.balances;
  return Array.isArray(b) ? (b.find((x) => x.currency === cur)?.amount ?? '0') : (b[cur] ?? '0');
}
/** The fields of the first event `name` of a committed transaction. */
async function eventOf(hash: string, name: string): Promise<Record<string, unknown>> {
  const tx = await client.getTransaction(hash);
  return (tx.receipt.events.find((e) => e.name === name)?.fields ?? {}) as Record<string, unknown>;
}

/** `sov bank` as a child process; its stdout lines as JSON. */
interface Bank { proc: ChildProcess; lines: Record<string, unknown>[]; port: number }
async function startBank(): Promise<Bank> {
  const proc = spawn(process.execPath, [
    repoPath('bin/sov.js'), 'bank', '--config', join(dir, 'bank.json'), '-k', keystore('Commercial Bank'), '--password-file', m.accounts_password_file,
    '--rpc', m.nodes[0]!.rpc_url, '--inbox', inbox, '--outbox', outbox, '--xsd-dir', FIX, '--listen', '127.0.0.1:0', '--poll-ms', '100',
  ], { env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(proc);
  const lines: Record<string, unknown>[] = [];
  let err = '';
  let buf = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ text: line });
      }
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  await waitFor(() => {
    if (proc.exitCode !== null) throw new Error(`sov bank exited ${proc.exitCode}: ${err}`);
    return lines.some((l) => typeof l['listening'] === 'string');
  }, 'sov bank listening', WAIT, 50);
  const port = Number(String(lines.find((l) => typeof l['listening'] === 'string')!['listening']).split(':').pop());
  return { proc, lines, port };
}
async function stopBank(b: Bank): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => b.proc.once('exit', (code) => resolve(code)));
  b.proc.kill('SIGTERM');
  const timer = setTimeout(() => b.proc.kill('SIGKILL'), 20_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

/** Drop a message into the inbox the way a core system should: written aside, then renamed in. */
function drop(name: string, xml: string): void {
  writeFileSync(join(inbox, `.${name}.part`), xml);
  renameSync(join(inbox, `.${name}.part`), join(inbox, name));
}
/** Wait for the inbox to have carried out `name`: its report from done/ or failed/. */
async function reportOf(name: string): Promise<{ folder: 'done' | 'failed'; report: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  let found: 'done' | 'failed' | null = null;
  await waitFor(() => {
    for (const f of ['done', 'failed'] as const) if (existsSync(join(inbox, f, name)) && existsSync(join(inbox, f, `${name}.report.json`))) found = f;
    return found !== null;
  }, `${name} carried out`, WAIT, 50);
  return { folder: found!, report: JSON.parse(readFileSync(join(inbox, found!, `${name}.report.json`), 'utf8')) };
}
async function outboxFile(e2e: string): Promise<string> {
  const f = join(outbox, `${e2e}.pacs.008.xml`);
  await waitFor(() => existsSync(f), `${e2e}.pacs.008.xml in the outbox`, WAIT, 50);
  return readFileSync(f, 'utf8');
}
async function redeem(tt: Test, amount: bigint): Promise<number> {
  const r = await ok(tt, send(c1, 'ramp', 'redeem', { currency: 'EURX', amount, bank: raw(bank.address), bankAccountId: IBAN1 }), `customer-1 redeems ${amount}`);
  return Number((await eventOf(r.hash, 'payout_requested'))['id']);
}
/** A camt.054 crediting `account` with `amount` EUR, cited by `uetr`. */
function camt(msgId: string, account: string, amount: string, uetr: string): string {
  const ex = parseCamt054(fixture('camt.054.001.08.example.xml'));
  const n = ex.notifications[0]!;
  const e = n.entries[0]!;
  return buildCamt054({ ...ex, msgId, notifications: [{ ...n, account, entries: [{ ...e, amount: { currency: 'EUR', text: amount }, txs: [{ endToEndId: `E2E-${msgId}`, uetr, amount: { currency: 'EUR', text: amount } }] }] }] });
}
function status(msgId: string, ref: { uetr?: string; e2e?: string }, sts: string): string {
  return buildPacs002({
    msgId, creDtTm: '2026-03-01T12:00:00Z', groups: [],
    txs: [{
      element: '', statusId: null, orgnlGroup: null, orgnlInstrId: null, orgnlEndToEndId: ref.e2e ?? null, orgnlTxId: null, orgnlUetr: ref.uetr ?? null, status: sts,
      reasonCode: sts === 'RJCT' ? 'AC04' : null, reasonText: sts === 'RJCT' ? 'Closed account number' : null,
    }],
  });
}
const uetrOf = (xml: string) => parsePacs008(xml).txs[0]!.uetr!;

let bankProc: Bank;

t.before(async () => {
  net.startAll();
  await net.waitHeight(0, 2);
  const noLimits = { holdingLimit: null, perTxLimit: null, dailyLimit: null, annualLimit: null };
  const steps: [typeof cb, string, string, unknown][] = [
    [cb, 'gov', 'propose', { action: makeAction(ActionKind.GRANT_ROLE, { institution: raw(cb.address), role: gov.Role.ISSUER }), reason: 'issuer of EURX' }],
    [cb, 'gov', 'propose', {
      action: makeAction(ActionKind.REGISTER_CURRENCY, { code: 'EURX', decimals: 2, issuer: raw(cb.address), kind: 2, tiers: [{ ...noLimits, holdingLimit: 1_000_00n }, noLimits] }),
      reason: 'a euro stablecoin; tier 1 holds at most 1000.00',
    }],
    [cb, 'ramp', 'attest_reserves', { currency: 'EURX', amount: 100_000_000n, reference: 'audit' }],
    // Everything the bank signs itself comes before `sov bank` starts (it keeps the bank's nonce).
    [bank, 'ramp', 'link_virtual', { bankAccountId: IBAN1, account: raw(c1.address) }],
    [bank, 'ramp', 'link_virtual', { bankAccountId: IBAN3, account: raw(c3.address) }],
    [bank, 'account', 'set_link', { account: raw(c3.address), linkedRef: LINKED }],
  ];
  for (const [who, mod, meth, args] of steps) {
    const r = await send(who, mod, meth, args);
    if (r.status !== 'committed') throw new Error(`${mod}.${meth}: ${r.status} ${r.message ?? ''}`);
  }
  mkdirSync(inbox, { recursive: true });
  writeFileSync(join(dir, 'bank.json'), JSON.stringify({ bic: 'COBADEFF', name: 'Commercial Bank', settlementAccount: 'DE02100100100006820101', currencies: { EUR: { code: 'EURX', decimals: 2 } } }));
  bankProc = await startBank();
});

t.test('folder mode: camt.054 in, deposit; payouts out as pacs.008; pacs.002 settles (ACSC) or returns the tokens (RJCT); bad XML to failed/', async (tt) => {
  drop('a-camt.xml', fixture('camt.054.001.08.example.xml'));
  const dep = await reportOf('a-camt.xml');
  tt.equal(dep.folder, 'done', 'the notification moved to inbox/done');
  tt.match(dep.report, { ok: true, report: { messageId: 'camt.054.001.08', outcomes: [{ action: 'deposit', status: 'committed', ref: 'eb6305c9-1f7f-49de-aed0-16487c27b42d' }, { action: 'skip', message: 'a debit' }] } });
  tt.equal(await balance(c1.address, 'EURX'), '25000', '250.00 EURX deposited to customer-1');
  tt.notOk(existsSync(join(inbox, 'a-camt.xml')), 'gone from the inbox');

  const [a, b] = [await redeem(tt, 6_000n), await redeem(tt, 4_000n)];
  tt.equal(await balance(c1.address, 'EURX'), '15000');
  const xa = await outboxFile(`sov-payout-${a}`);
  tt.match(parsePacs008(await outboxFile(`sov-payout-${b}`)).txs[0], { endToEndId: `sov-payout-${b}`, amount: { text: '40.00' } }, 'and one for the second payout');
  tt.match(parsePacs008(xa).txs[0], { endToEndId: `sov-payout-${a}`, amount: { currency: 'EUR', text: '60.00' }, creditorAccount: IBAN1, debtorAgent: 'COBADEFF' }, 'a pacs.008 paying the holder');
  tt.equal((await validateXML({ xml: [{ fileName: 'a.xml', contents: xa }], schema: [{ fileName: 'p8.xsd', contents: XSD.p8 }] })).valid, true, 'valid against the official XSD');
  tt.ok(existsSync(join(outbox, '.sov-bank-correlations.json')), 'the correlation store is a file of the state folder (the outbox)');

  drop('b-acsc.xml', status('STS-A', { uetr: uetrOf(xa) }, 'ACSC'));
  const paid = await reportOf('b-acsc.xml');
  tt.match(paid, { folder: 'done', report: { ok: true, report: { messageId: 'pacs.002.001.11', outcomes: [{ action: 'payout_result', ref: a, status: 'committed' }] } } }, 'ACSC, matched by the UETR alone');
  tt.match(await eventOf(paid.report.report.outcomes[0].hash, 'payout_settled'), { id: a, ok: true }, 'the payout settled paid');
  drop('c-rjct.xml', status('STS-B', { e2e: `sov-payout-${b}` }, 'RJCT'));
  const rejected = await reportOf('c-rjct.xml');
  tt.match(rejected.report, { ok: true, report: { outcomes: [{ action: 'payout_result', ref: b, status: 'committed' }] } });
  tt.match(await eventOf(rejected.report.report.outcomes[0].hash, 'payout_settled'), { id: b, ok: false, reason: 'AC04: Closed account number' });
  tt.equal(await balance(c1.address, 'EURX'), '19000', 'the rejected 40.00 returned to the holder');

  drop('d-bad.xml', fixture('camt.054.001.08.example.xml').replace('</Ntfctn>', '</Notification>'));
  const bad = await reportOf('d-bad.xml');
  tt.match(bad, { folder: 'failed', report: { ok: false, error: { code: 'BANK_BAD_XML', element: 'Ntfctn', message: /line \d+, column \d+/ } } }, 'malformed XML: inbox/failed, the typed error naming the element');
  drop('e-schema.xml', camt('CAMT-SCHEMA', IBAN1, '1.00', 'aaf2c1d4-5e6f-4a1b-8c2d-3e4f5a6b7c8d').replace('<Cd>BOOK</Cd>', '<Code>BOOK</Code>'));
  tt.match(await reportOf('e-schema.xml'), { folder: 'failed', report: { ok: false, error: { code: 'BANK_SCHEMA_INVALID', element: 'Code' } } }, 'a schema failure: inbox/failed, naming the element');
  tt.equal(await balance(c1.address, 'EURX'), '19000', 'neither minted anything');
});

t.test('HTTP mode: POST /messages answers the report, or the typed error with 400', async (tt) => {
  const url = `http://127.0.0.1:${bankProc.port}`;
  const post = async (xml: string, path = '/messages') => {
    const r = await fetch(url + path, { method: 'POST', body: xml, headers: { 'content-type': 'application/xml' } });
    return { status: r.status, type: r.headers.get('content-type'), body: await r.json() as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const msg = camt('CAMT-HTTP-1', IBAN1, '30.00', '5d0e8f3a-2b4c-4d6e-8f1a-3b5c7d9e1f2a');
  const first = await post(msg);
  tt.match(first, { status: 200, type: 'application/json', body: { ok: true, report: { messageId: 'camt.054.001.08', msgId: 'CAMT-HTTP-1', outcomes: [{ action: 'deposit', status: 'committed' }] } } }, 'a deposit: 200 and its report');
  tt.equal(await balance(c1.address, 'EURX'), '22000');
  tt.match(await post(msg), { status: 200, body: { ok: true, report: { outcomes: [{ action: 'deposit', status: 'failed', code: 'REFERENCE_USED' }] } } }, 'the same UETR again: refused by the ledger, reported');
  tt.match(await post(msg.replace('</GrpHdr>', '</GroupHeader>')), { status: 400, body: { ok: false, error: { code: 'BANK_BAD_XML', element: 'GrpHdr' } } }, 'malformed XML: 400, naming the element');
  tt.match(await post(msg.replace('<Cd>BOOK</Cd>', '<Code>BOOK</Code>')), { status: 400, body: { ok: false, error: { code: 'BANK_SCHEMA_INVALID', element: 'Code' } } }, 'a schema failure: 400');
  tt.match(await post(fixture('pacs.008.001.09.example.xml')), { status: 400, body: { ok: false, error: { code: 'BANK_UNSUPPORTED_MESSAGE', element: 'Document' } } }, 'a message the adapter does not take in: 400');
  tt.match(await post(msg, '/other'), { status: 404, body: { ok: false } });
  const get = await fetch(`${url}/messages`);
  tt.equal(get.status, 405, 'GET /messages: 405');
  await get.text();

  const c = await redeem(tt, 2_000n);
  const xc = await outboxFile(`sov-payout-${c}`);
  const rj = await post(status('STS-C', { uetr: uetrOf(xc) }, 'RJCT'));
  tt.match(rj, { status: 200, body: { ok: true, report: { messageId: 'pacs.002.001.11', outcomes: [{ action: 'payout_result', ref: c, status: 'committed' }] } } }, 'a rejection POSTed settles the payout');
  tt.equal(await balance(c1.address, 'EURX'), '22000', 'and the tokens are back');
  tt.match(await post(status('STS-C2', { uetr: uetrOf(xc) }, 'ACSC')), { status: 200, body: { ok: true, report: { outcomes: [{ action: 'payout_result', status: 'failed', code: 'PAYOUT_SETTLED' }] } } }, 'a second report changes nothing');
});

t.test('a live waterfall: a credit over the holding limit becomes a pacs.008 to the linked account', async (tt) => {
  const bankBefore = BigInt(await balance(bank.address, 'EURX'));
  drop('f-waterfall.xml', camt('CAMT-WF-1', IBAN3, '1500.00', '7c9e6679-7425-40de-944b-e07fc1f90ae7'));
  const r = await reportOf('f-waterfall.xml');
  tt.match(r.report, { ok: true, report: { outcomes: [{ action: 'deposit', status: 'committed' }] } });
  tt.equal(await balance(c3.address, 'EURX'), '100000', 'customer-3 keeps its limit, 1000.00');
  tt.equal(BigInt(await balance(bank.address, 'EURX')) - bankBefore, 50_000n, 'the excess, 500.00, went to its bank');
  const hash = r.report.report.outcomes[0].hash as string;
  tt.match(await eventOf(hash, 'waterfall'), { currency: 'EURX', account: c3.address, bank: bank.address, linkedRef: LINKED, amount: '50000' }, 'the money.waterfall event');
  const tx = await client.getTransaction(hash);
  const i = tx.receipt.events.findIndex((e) => e.name === 'waterfall');
  const xml = await outboxFile(`sov-wf-${hash.replace(/^0x/, '').slice(0, 16)}-${i}`);
  tt.match(parsePacs008(xml).txs[0], {
    amount: { currency: 'EUR', text: '500.00' }, creditorAccount: LINKED, creditorName: c3.address, debtorName: 'Commercial Bank', debtorAccount: 'DE02100100100006820101',
  }, "a pacs.008 crediting the customer's linked account with the excess");
  tt.equal((await validateXML({ xml: [{ fileName: 'wf.xml', contents: xml }], schema: [{ fileName: 'p8.xsd', contents: XSD.p8 }] })).valid, true, 'valid against the official XSD');
  tt.ok(bankProc.lines.some((l) => l['kind'] === 'waterfall'), 'sov bank reported writing it');
});

t.test('a restart between the pacs.008 and its pacs.002: matched from the state folder', async (tt) => {
  const d = await redeem(tt, 1_000n);
  const xd = await outboxFile(`sov-payout-${d}`);
  const code = await stopBank(bankProc);
  tt.equal(code, 0, 'sov bank stops cleanly on SIGTERM');
  const store = JSON.parse(readFileSync(join(outbox, '.sov-bank-correlations.json'), 'utf8'));
  tt.match(store.entries.find((e: { endToEndId: string }) => e.endToEndId === `sov-payout-${d}`), { uetr: uetrOf(xd), kind: 'payout', payout: d, settled: false }, 'the UETR is in the file');
  bankProc = await startBank();
  drop('g-after-restart.xml', status('STS-D', { uetr: uetrOf(xd) }, 'ACSC'));
  const r = await reportOf('g-after-restart.xml');
  tt.match(r, { folder: 'done', report: { ok: true, report: { outcomes: [{ action: 'payout_result', ref: d, status: 'committed' }] } } }, 'the restarted adapter matches the UETR');
  tt.match(await eventOf(r.report.report.outcomes[0].hash, 'payout_settled'), { id: d, ok: true });
  tt.notOk(bankProc.lines.some((l) => typeof l['wrote'] === 'string'), 'nothing written again: the outbox mark held');
  tt.equal(await stopBank(bankProc), 0);
});
