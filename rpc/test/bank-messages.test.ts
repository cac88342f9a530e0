/**
 * The bank adapter's messages, offline: each example fixture (camt.054.001.08,
 * pacs.008.001.09, pacs.002.001.11) is valid against its official XSD, parses, is built
 * again from what was read, and the rebuilt message is valid and reads the same (round
 * trip); the mappings to ramp deposits and payout results; format checks (UETR, end-to-end
 * id, amounts); malformed XML and schema failures are typed errors naming the element; the
 * published examples (fixtures/iso20022/published/, sources in its README) are valid against
 * the official XSDs, parse and round-trip; pacs.002 group statuses; the correlation store's
 * file (atomic, loaded again, bounded with settled entries pruned first).
 */
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BankMessageError, buildCamt054, buildPacs002, buildPacs008, camtDeposits, parseCamt054, parseIsoDocument, parsePacs002, parsePacs008, payoutTransfer, schemaProblems, statusResults,
  txStatus, waterfallTransfer, amountToMinor, checkSchema, minorToAmount, CorrelationStore, CORRELATIONS_FILE, type BankIdentity,
} from '../client/bank/index.js';

const FIX = new URL('../../../rpc/test/fixtures/iso20022/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, FIX), 'utf8');
const XSD = { camt: read('camt.054.001.08.xsd'), p8: read('pacs.008.001.09.xsd'), p2: read('pacs.002.001.11.xsd') };
const EUR = { EUR: { code: 'EURX', decimals: 2 } };

function fails(tt: Test, f: () => unknown, code: string, element: RegExp | string, what: string): void {
  try {
    f();
    tt.fail(`${what}: no error`);
  } catch (e) {
    tt.ok(e instanceof BankMessageError, `${what}: a BankMessageError`);
    tt.equal((e as BankMessageError).code, code, `${what}: ${code}`);
    tt.match((e as BankMessageError).element ?? '', element, `${what}: names ${String(element)}`);
  }
}

t.test('the example fixtures are valid against their XSDs and round-trip', async (tt) => {
  const cases = [
    { file: 'camt.054.001.08.example.xml', xsd: XSD.camt, parse: parseCamt054, build: buildCamt054 },
    { file: 'pacs.008.001.09.example.xml', xsd: XSD.p8, parse: parsePacs008, build: buildPacs008 },
    { file: 'pacs.002.001.11.example.xml', xsd: XSD.p2, parse: parsePacs002, build: buildPacs002 },
  ] as const;
  for (const c of cases) {
    const xml = read(c.file);
    tt.same(await schemaProblems(xml, c.xsd), [], `${c.file} is valid`);
    const m = (c.parse as (x: string) => unknown)(xml);
    const again = (c.build as (m: unknown) => string)(m);
    tt.same(await schemaProblems(again, c.xsd), [], `${c.file} rebuilt is valid`);
    tt.same((c.parse as (x: string) => unknown)(again), m, `${c.file} reads the same rebuilt`);
  }
});

t.test('camt.054: booked credits become deposits citing the UETR, else the end-to-end id', async (tt) => {
  const m = parseCamt054(read('camt.054.001.08.example.xml'));
  const out = camtDeposits(m, EUR);
  tt.same(out.map((o) => o.kind), ['deposit', 'skip']);
  tt.match(out[0], { kind: 'deposit', args: { currency: 'EURX', amount: 25000n, bankRef: 'eb6305c9-1f7f-49de-aed0-16487c27b42d', to: null, bankAccountId: 'DE89370400440532013000' } });
  const e = m.notifications[0]!.entries[0]!;
  const noUetr = { ...m, notifications: [{ ...m.notifications[0]!, entries: [{ ...e, txs: [{ ...e.txs[0]!, uetr: null }] }] }] };
  tt.match(camtDeposits(parseCamt054(buildCamt054(noUetr)), EUR)[0], { kind: 'deposit', args: { bankRef: 'e2e:E2E-INV-2026-0042' } }, 'the end-to-end id when there is no UETR');
  const bad = (tx: object) => camtDeposits({ ...m, notifications: [{ ...m.notifications[0]!, entries: [{ ...e, txs: [{ ...e.txs[0]!, ...tx }] }] }] }, EUR)[0]!;
  tt.match(bad({ uetr: 'EB6305C9-1F7F-49DE-AED0-16487C27B42D' }), { kind: 'error', error: { code: 'BANK_BAD_VALUE', element: /Refs\/UETR$/ } }, 'an upper-case UETR is refused');
  tt.match(bad({ uetr: null, endToEndId: 'NOTPROVIDED' }), { kind: 'error', error: { code: 'BANK_BAD_VALUE', element: /Refs\/EndToEndId$/ } }, 'NOTPROVIDED is no reference');
  tt.match(bad({ uetr: null, endToEndId: null }), { kind: 'error', error: { code: 'BANK_MISSING_ELEMENT' } }, 'no reference at all');
  tt.match(bad({ amount: { currency: 'EUR', text: '1.005' } }), { kind: 'error', error: { code: 'BANK_BAD_VALUE', element: /TxDtls\/Amt$/ } }, 'more decimals than the currency has');
  tt.match(bad({ amount: { currency: 'USD', text: '1' } }), { kind: 'error', error: { code: 'BANK_CONFIG' } }, 'a currency with no mapping');
});

t.test('pacs.008 for a payout and a waterfall; pacs.002 settles payouts', async (tt) => {
  const bank: BankIdentity = { bic: 'COBADEFF', name: 'Commercial Bank', settlementAccount: 'DE02100100100006820101', isoCurrencies: { EURX: { iso: 'EUR', decimals: 2 } } };
  const uetr = '174c245f-2682-4291-ad67-2a41e530cd27';
  const p = payoutTransfer(bank, { id: 7, currency: 'EURX', holder: 'dev1holder', bank: 'dev1bank', bankAccountId: 'DE89370400440532013000', amount: '123456' }, Date.UTC(2026, 2, 1), uetr);
  const xml = buildPacs008(p);
  tt.same(await schemaProblems(xml, XSD.p8), [], 'the payout pacs.008 is valid');
  tt.match(parsePacs008(xml).txs[0], { endToEndId: 'sov-payout-7', uetr, amount: { currency: 'EUR', text: '1234.56' }, creditorAccount: 'DE89370400440532013000' });
  const w = waterfallTransfer(bank, { currency: 'EURX', account: 'dev1cust', bank: 'dev1bank', linkedRef: 'ACC-778899', amount: '5000' }, '0xabcdef0123456789abcdef', 2);
  const wx = buildPacs008(w);
  tt.same(await schemaProblems(wx, XSD.p8), [], 'the waterfall pacs.008 is valid');
  tt.match(parsePacs008(wx).txs[0], { endToEndId: 'sov-wf-abcdef0123456789-2', creditorAccount: 'ACC-778899', amount: { text: '50.00' } });
  const report = (status: string, e2e: string | null, u: string | null = null) => parsePacs002(buildPacs002({
    msgId: 'R1', creDtTm: '2026-03-01T10:05:00Z', groups: [{ element: '', msgId: 'sov-payout-7', msgNmId: 'pacs.008.001.09', creDtTm: null, status: null, reasonCode: null, reasonText: null }],
    txs: [txStatus({ orgnlEndToEndId: e2e, orgnlUetr: u, status, reasonCode: status === 'RJCT' ? 'AC04' : null, reasonText: status === 'RJCT' ? 'Closed account number' : null })],
  }));
  tt.match(statusResults(report('ACSC', 'sov-payout-7')), [{ kind: 'result', args: { id: 7, ok: true, reason: '' } }]);
  tt.match(statusResults(report('RJCT', 'sov-payout-7')), [{ kind: 'result', args: { id: 7, ok: false, reason: 'AC04: Closed account number' } }]);
  tt.match(statusResults(report('ACSP', 'sov-payout-7')), [{ kind: 'skip', reason: /interim/ }]);
  tt.match(statusResults(report('ACSC', null, uetr), (u) => (u === uetr ? 7 : null)), [{ kind: 'result', args: { id: 7 } }], 'matched by UETR');
  tt.match(statusResults(parsePacs002(read('pacs.002.001.11.example.xml'))), [{ kind: 'skip', reason: /not a status of a ledger payout/ }]);
  const wfReport = parsePacs002(buildPacs002({ msgId: 'R4', creDtTm: '2026-03-01T10:05:00Z', groups: [], txs: [txStatus({ orgnlUetr: uetr, status: 'ACSC' })] }));
  tt.match(statusResults(wfReport, { payoutOfUetr: () => null, otherOf: (r) => (r === uetr ? 'the waterfall transfer sov-wf-1-0' : null) }),
    [{ kind: 'skip', reason: 'the waterfall transfer sov-wf-1-0: nothing to settle on the ledger' }], "a waterfall's status settles nothing");

  // A report with only a group status: it applies to the payout its original message carried.
  const group = (msgId: string, status: string | null) => parsePacs002(buildPacs002({
    msgId: 'R2', creDtTm: '2026-03-01T10:06:00Z', txs: [],
    groups: [{ element: '', msgId, msgNmId: 'pacs.008.001.09', creDtTm: '2026-03-01T10:00:00Z', status, reasonCode: status === 'RJCT' ? 'AM04' : null, reasonText: null }],
  }));
  tt.same(await schemaProblems(buildPacs002(group('sov-payout-7', 'RJCT')), XSD.p2), [], 'a group-status report is valid');
  tt.match(statusResults(group('sov-payout-7', 'RJCT')), [{ kind: 'result', element: /OrgnlGrpInfAndSts$/, args: { id: 7, ok: false, reason: 'AM04' } }], 'a group rejection by MsgId');
  tt.match(statusResults(group('PACS008-X', 'ACCC'), { payoutOfMsgId: (m) => (m === 'PACS008-X' ? 9 : null) }), [{ kind: 'result', args: { id: 9, ok: true } }], 'a message id we sent');
  tt.match(statusResults(group('sov-payout-7', null)), [{ kind: 'skip', reason: /no status \(GrpSts\)/ }], 'a group without a status');
  // TxSts is optional in this version: a transaction status without one changes nothing, unless its group has one.
  const noTxSts = parsePacs002(buildPacs002({ msgId: 'R3', creDtTm: '2026-03-01T10:07:00Z', groups: [], txs: [{ ...txStatus({ status: 'X' }), status: null, orgnlEndToEndId: 'sov-payout-7' }] }));
  tt.equal(noTxSts.txs[0]!.status, null);
  tt.match(statusResults(noTxSts), [{ kind: 'skip', reason: /no status \(TxSts\)/ }]);
  fails(tt, () => parsePacs002(buildPacs002(group('sov-payout-7', 'ACSC')).replace('<GrpSts>ACSC', '<GrpSts>ACCEPTED')), 'BANK_BAD_VALUE', /OrgnlGrpInfAndSts\/GrpSts$/, 'a bad group status');
});

t.test('published examples (rpc/test/fixtures/iso20022/published/) are valid, parse and round-trip', async (tt) => {
  const dir = new URL('published/', FIX);
  const files = readdirSync(dir).filter((f) => f.endsWith('.xml')).sort();
  tt.ok(files.length >= 1, 'at least one published example');
  tt.ok(files.includes('pacs.002.001.11.iso-mdr-example.xml'), 'the ISO 20022 RA pacs.002.001.11 business example');
  const readme = readFileSync(new URL('README.md', dir), 'utf8');
  const codecs: Record<string, { xsd: string; parse: (x: string) => unknown; build: (m: never) => string }> = {
    'camt.054.001.08': { xsd: XSD.camt, parse: parseCamt054, build: buildCamt054 },
    'pacs.008.001.09': { xsd: XSD.p8, parse: parsePacs008, build: buildPacs008 },
    'pacs.002.001.11': { xsd: XSD.p2, parse: parsePacs002, build: buildPacs002 },
  };
  for (const f of files) {
    const xml = readFileSync(new URL(f, dir), 'utf8');
    tt.ok(readme.includes(`\`${f}\``), `${f}: its source and licence are in the README`);
    const { messageId } = parseIsoDocument(xml);
    const c = codecs[messageId];
    if (c === undefined) {
      tt.fail(`${f}: ${messageId} is not a version the adapter reads`);
      continue;
    }
    tt.same(await schemaProblems(xml, c.xsd), [], `${f} is valid against the official ${messageId} XSD`);
    const m = c.parse(xml);
    const again = c.build(m as never);
    tt.same(await schemaProblems(again, c.xsd), [], `${f} rebuilt is valid`);
    tt.same(c.parse(again), m, `${f} reads the same rebuilt`);
  }
  const p2 = parsePacs002(readFileSync(new URL('pacs.002.001.11.iso-mdr-example.xml', dir), 'utf8'));
  tt.match(p2, {
    msgId: 'ABABUS23-STATUS-456/04', creDtTm: '2015-06-29T09:56:00',
    groups: [{ msgId: 'AAAA100628-123v', msgNmId: 'pacs.003.001.08', creDtTm: '2015-06-28T10:05:00', status: null }],
    txs: [{ statusId: 'AB/8568', orgnlEndToEndId: 'VA060327/0123', orgnlTxId: 'AAAAUS29/100628/ad458', orgnlUetr: null, status: 'RJCT', reasonCode: 'AM05', reasonText: null }],
  }, 'the example read: a rejection (AM05) of a direct debit');
  tt.match(statusResults(p2), [{ kind: 'skip', reason: 'not a status of a ledger payout' }], 'not one of ours: nothing done on the ledger');
});

t.test('the correlation store: a file written whole, loaded again, bounded with settled entries pruned first', async (tt) => {
  const dir = mkdtempSync(join(tmpdir(), 'sov-bank-corr-'));
  tt.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, CORRELATIONS_FILE);
  const u = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const s = new CorrelationStore(file, 3);
  tt.equal(existsSync(file), false, 'nothing written before the first entry');
  for (let i = 1; i <= 3; i++) s.add({ endToEndId: `sov-payout-${i}`, uetr: u(i), kind: 'payout', payout: i, height: 10 + i });
  tt.same(s.add({ endToEndId: 'sov-payout-1', uetr: u(99), kind: 'payout', payout: 1, height: 99 }).uetr, u(1), 'an end-to-end id recorded again keeps its UETR');
  s.settle('sov-payout-2');
  tt.same(readdirSync(dir), [CORRELATIONS_FILE], 'no temp file left beside it');
  const again = new CorrelationStore(file, 3);
  tt.same(again.entries(), s.entries(), 'loaded as it was written');
  tt.match(again.ofUetr(u(3)), { endToEndId: 'sov-payout-3', payout: 3, settled: false });
  again.add({ endToEndId: 'sov-wf-abc-0', uetr: u(4), kind: 'waterfall', payout: null, height: 20 });
  tt.same(again.entries().map((e) => e.endToEndId), ['sov-payout-1', 'sov-payout-3', 'sov-wf-abc-0'], 'past the bound, the settled entry went first');
  again.add({ endToEndId: 'sov-payout-5', uetr: u(5), kind: 'payout', payout: 5, height: 21 });
  tt.same(again.entries().map((e) => e.endToEndId), ['sov-payout-3', 'sov-wf-abc-0', 'sov-payout-5'], 'then the oldest');
  tt.same(new CorrelationStore(file, 3).entries().map((e) => e.endToEndId), ['sov-payout-3', 'sov-wf-abc-0', 'sov-payout-5'], 'as saved');
  writeFileSync(file, '{"format":1,"entries":[{"endToEndId":"x","uetr":"not-a-uuid"}]}');
  tt.throws(() => new CorrelationStore(file), { code: 'BANK_CONFIG', message: /entries\[0\] is not a correlation entry/ }, 'a bad file is a typed error');
  writeFileSync(file, '{"format":1,');
  tt.throws(() => new CorrelationStore(file), { code: 'BANK_CONFIG', message: /cannot be read/ });
  tt.throws(() => new CorrelationStore(null, 0), { code: 'BANK_CONFIG' });
});

t.test('malformed XML, wrong messages and schema failures: typed errors naming the element', async (tt) => {
  const good = read('camt.054.001.08.example.xml');
  fails(tt, () => parseCamt054(good.replace('</Amt>', '</Amount>')), 'BANK_BAD_XML', 'Amt', 'a mismatched closing tag');
  fails(tt, () => parseCamt054(good.replace('</Document>', '')), 'BANK_BAD_XML', 'Document', 'an unclosed root');
  fails(tt, () => parseCamt054('<!DOCTYPE x [<!ENTITY a "b">]>' + good.slice(good.indexOf('<Document'))), 'BANK_BAD_XML', 'DOCTYPE', 'a DOCTYPE');
  fails(tt, () => parseCamt054(good.replace(/<MsgId>[^<]*<\/MsgId>/, '')), 'BANK_MISSING_ELEMENT', 'Document/BkToCstmrDbtCdtNtfctn/GrpHdr/MsgId', 'a missing MsgId');
  fails(tt, () => parseCamt054(good.replace('<CdtDbtInd>CRDT', '<CdtDbtInd>CRED')), 'BANK_BAD_VALUE', /Ntry\[0\]\/CdtDbtInd$/, 'a bad credit/debit code');
  fails(tt, () => parseCamt054(read('pacs.008.001.09.example.xml')), 'BANK_UNSUPPORTED_MESSAGE', 'Document', 'another message type');
  fails(tt, () => parsePacs008(read('pacs.008.001.09.example.xml').replace('<NbOfTxs>1', '<NbOfTxs>2')), 'BANK_BAD_VALUE', /NbOfTxs$/, 'a wrong NbOfTxs');
  fails(tt, () => parseCamt054('not xml at all'), 'BANK_BAD_XML', /.*/, 'text');
  const invalid = good.replace('<Cd>BOOK</Cd>', '<Code>BOOK</Code>');
  const p = await schemaProblems(invalid, XSD.camt);
  tt.ok(p.length > 0 && p[0]!.element === 'Code', 'the schema names the unexpected element');
  await tt.rejects(checkSchema(invalid, XSD.camt), { code: 'BANK_SCHEMA_INVALID', element: 'Code' });
});

t.test('amounts read exactly', async (tt) => {
  tt.equal(amountToMinor('12000000', 2, 'x'), 1_200_000_000n);
  tt.equal(amountToMinor('0.10', 2, 'x'), 10n);
  tt.equal(amountToMinor('5.5', 0 + 2, 'x'), 550n);
  tt.equal(amountToMinor('7.00000', 0, 'x'), 7n);
  tt.equal(minorToAmount(5n, 2), '0.05');
  tt.equal(minorToAmount(120n, 0), '120');
  for (const bad of ['-1', '1e3', '1.', '.5', '1.123456', ' 1']) tt.throws(() => amountToMinor(bad, 2, 'x'), { code: 'BANK_BAD_VALUE' }, bad);
});
