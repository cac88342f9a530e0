/**
 * The bank adapter against a node in this process (the testnet's Commercial Bank and its
 * customers): governance registers a stablecoin (EURX) and the central bank attests its
 * reserves; the bank maps a customer's IBAN to the ledger (a virtual account). A camt.054
 * credit notification (the example fixture) becomes a deposit citing its UETR; the same
 * notification again is refused by the ledger (REFERENCE_USED) and mints nothing. The
 * customer redeems; the adapter turns the payout_requested event into a pacs.008, valid
 * against the XSD; a pacs.002 rejecting it returns the tokens to the holder; a second
 * report for the same payout is refused (PAYOUT_SETTLED). Malformed XML is a typed error.
 * The adapter restarted between a pacs.008 and its pacs.002 (citing only the UETR) still
 * matches it, from the correlation file of its state folder; one without the file cannot.
 * A deposit over the customer's holding limit sends the excess to the bank (money.waterfall)
 * and the adapter turns it into a pacs.008 crediting the customer's linked account.
 */
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAddress } from '../../core/index.js';
import { ActionKind, makeAction, Wallet } from '../../rpc/index.js';
import { BankAdapter, buildCamt054, buildPacs002, parseCamt054, parsePacs008 } from '../../rpc/index.js';
import { gov } from '../../vm/index.js';
import { inProcessChain } from './in-process-chain.js';

const FIX = new URL('../../../rpc/test/fixtures/iso20022/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, FIX), 'utf8');
const schemas = { 'camt.054.001.08': read('camt.054.001.08.xsd'), 'pacs.008.001.09': read('pacs.008.001.09.xsd'), 'pacs.002.001.11': read('pacs.002.001.11.xsd') };
const IBAN = 'DE89370400440532013000';
const IDENTITY = { bic: 'COBADEFF', name: 'Commercial Bank', settlementAccount: 'DE02100100100006820101', isoCurrencies: { EURX: { iso: 'EUR', decimals: 2 }, EURW: { iso: 'EUR', decimals: 2 } } };
const stateDir = mkdtempSync(join(tmpdir(), 'sov-bank-state-'));
t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));

const chain = inProcessChain(t);
const { manifest: m, client, send } = chain;
const cb = chain.accounts['Central Bank']!;
const bank = chain.accounts['Commercial Bank']!;
const c1 = chain.accounts['customer-1']!;
const raw = (a: string) => decodeAddress(a, m.address_prefix);
const ok = async (p: ReturnType<typeof send>, what: string) => {
  const r = await p;
  t.equal(r.status, 'committed', `${what}${r.message ? `: ${r.message}` : ''}`);
  return r;
};
const balance = async (addr: string, cur: string) => {
  const a = await client.getAccount(addr) as unknown as { balances: Record<string, string> | { currency: string; amount: string }[] };
  const b = a.balances;
  return Array.isArray(b) ? (b.find((x) => x.currency === cur)?.amount ?? '0') : (b[cur] ?? '0');
};

t.test('camt.054 in, deposits; a reused UETR refused; payout out as pacs.008; a failed pacs.002 returns the tokens', async (tt) => {
  const noLimits = { holdingLimit: null, perTxLimit: null, dailyLimit: null, annualLimit: null };
  await ok(send(cb, 'gov', 'propose', { action: makeAction(ActionKind.GRANT_ROLE, { institution: raw(cb.address), role: gov.Role.ISSUER }), reason: 'issuer of EURX' }), 'the central bank may issue a stablecoin');
  await ok(send(cb, 'gov', 'propose', {
    action: makeAction(ActionKind.REGISTER_CURRENCY, { code: 'EURX', decimals: 2, issuer: raw(cb.address), kind: 2, tiers: [noLimits, noLimits] }), reason: 'a euro stablecoin',
  }), 'EURX registered');
  await ok(send(cb, 'ramp', 'attest_reserves', { currency: 'EURX', amount: 100_000_000n, reference: 'audit' }), 'reserves attested');
  await ok(send(bank, 'ramp', 'link_virtual', { bankAccountId: IBAN, account: raw(c1.address) }), "the customer's IBAN mapped");

  const wallet = new Wallet(client, [bank.keys], { chainId: m.chain_id });
  const adapter = new BankAdapter({
    client, wallet, bankAddress: bank.address, currencies: { EUR: { code: 'EURX', decimals: 2 } }, schemas,
    identity: { bic: 'COBADEFF', name: 'Commercial Bank', settlementAccount: 'DE02100100100006820101', isoCurrencies: { EURX: { iso: 'EUR', decimals: 2 } } },
  });
  const camt = read('camt.054.001.08.example.xml');
  const first = await adapter.handleMessage(camt);
  tt.match(first.outcomes, [{ action: 'deposit', status: 'committed', ref: 'eb6305c9-1f7f-49de-aed0-16487c27b42d' }, { action: 'skip', message: 'a debit' }]);
  tt.equal(await balance(c1.address, 'EURX'), '25000', '250.00 EUR minted as EURX to the customer');
  const again = await adapter.handleMessage(camt);
  tt.match(again.outcomes[0], { action: 'deposit', status: 'failed', code: 'REFERENCE_USED' }, 'the reused UETR is refused by the ledger');
  tt.equal(await balance(c1.address, 'EURX'), '25000', 'nothing minted twice');

  const from = (await client.status()).height + 1;
  await ok(send(c1, 'ramp', 'redeem', { currency: 'EURX', amount: 10_000n, bank: raw(bank.address), bankAccountId: IBAN }), 'the customer redeems 100.00');
  tt.equal(await balance(c1.address, 'EURX'), '15000');
  const { messages } = await adapter.scan(from);
  tt.equal(messages.length, 1, 'one outgoing message');
  const out = messages[0]!;
  tt.match(out, { kind: 'payout', endToEndId: /^sov-payout-\d+$/ });
  tt.match(parsePacs008(out.xml).txs[0], { amount: { currency: 'EUR', text: '100.00' }, creditorAccount: IBAN, uetr: out.uetr });

  const report = buildPacs002({
    msgId: 'STS-1', creDtTm: '2026-03-01T10:05:00Z', groups: [],
    txs: [{ element: '', statusId: null, orgnlGroup: null, orgnlInstrId: null, orgnlEndToEndId: null, orgnlTxId: null, orgnlUetr: out.uetr, status: 'RJCT', reasonCode: 'AC04', reasonText: 'Closed account number' }],
  });
  const settled = await adapter.handleMessage(report);
  tt.match(settled.outcomes, [{ action: 'payout_result', status: 'committed' }], 'the rejection (matched by UETR) settles the payout');
  tt.equal(await balance(c1.address, 'EURX'), '25000', 'the tokens are back with the holder');
  const twice = await adapter.handleMessage(report);
  tt.match(twice.outcomes, [{ action: 'payout_result', status: 'failed', code: 'PAYOUT_SETTLED' }], 'a second report changes nothing');

  await tt.rejects(adapter.handleMessage(camt.replace('</Ntfctn>', '</Notification>')), { code: 'BANK_BAD_XML', element: 'Ntfctn' }, 'malformed XML names the element');
  await tt.rejects(adapter.handleMessage(camt.replace('<Cd>BOOK</Cd>', '<Code>BOOK</Code>')), { code: 'BANK_SCHEMA_INVALID', element: 'Code' }, 'a schema failure names the element');
});

const statusOf = (uetr: string, status: string) => buildPacs002({
  msgId: `STS-${status}-${uetr.slice(0, 8)}`, creDtTm: '2026-03-01T11:00:00Z', groups: [],
  txs: [{ element: '', statusId: null, orgnlGroup: null, orgnlInstrId: null, orgnlEndToEndId: null, orgnlTxId: null, orgnlUetr: uetr, status, reasonCode: null, reasonText: null }],
});

t.test('a restart between the pacs.008 and its pacs.002: the UETR is matched from the state folder', async (tt) => {
  const wallet = new Wallet(client, [bank.keys], { chainId: m.chain_id });
  const make = (dir?: string) => new BankAdapter({
    client, wallet, bankAddress: bank.address, currencies: { EUR: { code: 'EURX', decimals: 2 } }, schemas, identity: IDENTITY, ...(dir !== undefined ? { stateDir: dir } : {}),
  });
  const before = make(stateDir);
  const from = (await client.status()).height + 1;
  await ok(send(c1, 'ramp', 'redeem', { currency: 'EURX', amount: 5_000n, bank: raw(bank.address), bankAccountId: IBAN }), 'the customer redeems 50.00');
  const { messages } = await before.scan(from);
  tt.equal(messages.length, 1);
  const out = messages[0]!;
  tt.ok(existsSync(join(stateDir, '.sov-bank-correlations.json')), 'the correlation written to the state folder');

  const forgetful = make();
  tt.match((await forgetful.handleMessage(statusOf(out.uetr, 'ACSC'))).outcomes, [{ action: 'skip', message: 'not a status of a ledger payout' }],
    'an adapter without the state cannot match a UETR-only report');
  const after = make(stateDir);
  tt.match(after.correlations.ofUetr(out.uetr), { endToEndId: out.endToEndId, kind: 'payout', settled: false }, 'the restarted adapter loaded it');
  const rescan = await after.scan(from);
  tt.equal(rescan.messages[0]!.uetr, out.uetr, 'a block scanned again gives the same UETR');
  const settled = await after.handleMessage(statusOf(out.uetr, 'ACSC'));
  tt.match(settled.outcomes, [{ action: 'payout_result', status: 'committed', ref: Number(out.endToEndId.slice('sov-payout-'.length)) }], 'the report after the restart settles the payout');
  tt.equal(await balance(c1.address, 'EURX'), '20000', 'paid: the tokens stay burnt');
  tt.equal(make(stateDir).correlations.ofUetr(out.uetr)?.settled, true, 'marked settled in the file');
});

t.test('a deposit over the holding limit: the waterfall event becomes a pacs.008 to the linked account', async (tt) => {
  const noLimits = { holdingLimit: null, perTxLimit: null, dailyLimit: null, annualLimit: null };
  await ok(send(cb, 'gov', 'propose', {
    action: makeAction(ActionKind.REGISTER_CURRENCY, { code: 'EURW', decimals: 2, issuer: raw(cb.address), kind: 2, tiers: [{ ...noLimits, holdingLimit: 100_00n }, noLimits] }), reason: 'a euro stablecoin with a holding limit',
  }), 'EURW registered, tier 1 holding at most 100.00');
  await ok(send(cb, 'ramp', 'attest_reserves', { currency: 'EURW', amount: 100_000_000n, reference: 'audit' }), 'reserves attested');
  const c2 = chain.accounts['customer-2']!;
  const iban2 = 'DE75512108001245126199';
  const linked = 'DE44500105175407324931';
  // The bank signs through one wallet from here on (the adapters above advanced its nonce).
  const wallet = new Wallet(client, [bank.keys], { chainId: m.chain_id });
  await ok(wallet.send('ramp', 'link_virtual', { bankAccountId: iban2, account: raw(c2.address) }, { wait: true }), "customer-2's IBAN mapped");
  await ok(wallet.send('account', 'set_link', { account: raw(c2.address), linkedRef: linked }, { wait: true }), "customer-2's linked bank account");
  const adapter = new BankAdapter({
    client, wallet, bankAddress: bank.address, currencies: { EUR: { code: 'EURW', decimals: 2 } }, schemas, identity: IDENTITY,
  });
  const ex = parseCamt054(read('camt.054.001.08.example.xml'));
  const n = ex.notifications[0]!;
  const e = n.entries[0]!;
  const camt = buildCamt054({
    ...ex, msgId: 'CAMT054-WF-1',
    notifications: [{ ...n, account: iban2, entries: [{ ...e, amount: { currency: 'EUR', text: '250.00' }, txs: [{ endToEndId: 'E2E-WF-1', uetr: '3f1c8a52-1d4e-4b7a-9c2e-5a6b7c8d9e0f', amount: { currency: 'EUR', text: '250.00' } }] }] }],
  });
  const bankBefore = BigInt(await balance(bank.address, 'EURW'));
  const from = (await client.status()).height + 1;
  const r = await adapter.handleMessage(camt);
  tt.match(r.outcomes, [{ action: 'deposit', status: 'committed' }]);
  tt.equal(await balance(c2.address, 'EURW'), '10000', 'the customer keeps its limit, 100.00');
  tt.equal(BigInt(await balance(bank.address, 'EURW')) - bankBefore, 15_000n, 'the excess, 150.00, went to its bank');
  const tx = await client.getTransaction(r.outcomes[0]!.hash!);
  tt.match(tx.receipt.events.find((x) => x.name === 'waterfall'), { module: 'money', fields: { currency: 'EURW', account: c2.address, bank: bank.address, linkedRef: linked, amount: '15000' } }, 'a money.waterfall event');
  const { messages } = await adapter.scan(from);
  tt.equal(messages.length, 1, 'one outgoing message');
  tt.match(messages[0], { kind: 'waterfall', endToEndId: /^sov-wf-[0-9a-f]{16}-\d+$/ });
  tt.match(parsePacs008(messages[0]!.xml).txs[0], { amount: { currency: 'EUR', text: '150.00' }, creditorAccount: linked, creditorName: c2.address, debtorAccount: IDENTITY.settlementAccount });
});
