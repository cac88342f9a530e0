/**
 * The bank adapter against a node in this process (the testnet's Commercial Bank and its
 * customers): governance registers a stablecoin (EURX) and the central bank attests its
 * reserves; the bank maps a customer's IBAN to the ledger (a virtual account). A camt.054
 * credit notification (the example fixture) becomes a deposit citing its UETR; the same
 * notification again is refused by the ledger (REFERENCE_USED) and mints nothing. The
 * customer redeems; the adapter turns the payout_requested event into a pacs.008, valid
 * against the XSD; a pacs.002 rejecting it returns the tokens to the holder; a second
 * report for the same payout is refused (PAYOUT_SETTLED). Malformed XML is a typed error.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { decodeAddress } from '../../core/index.js';
import { ActionKind, makeAction, Wallet } from '../../rpc/index.js';
import { BankAdapter, buildPacs002, parsePacs008 } from '../../rpc/index.js';
import { gov } from '../../vm/index.js';
import { inProcessChain } from './in-process-chain.js';

const FIX = new URL('../../../rpc/test/fixtures/iso20022/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, FIX), 'utf8');
const schemas = { 'camt.054.001.08': read('camt.054.001.08.xsd'), 'pacs.008.001.09': read('pacs.008.001.09.xsd'), 'pacs.002.001.11': read('pacs.002.001.11.xsd') };
const IBAN = 'DE89370400440532013000';

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
    msgId: 'STS-1', creDtTm: '2026-03-01T10:05:00Z', orgnlMsgId: out.endToEndId, orgnlMsgNmId: 'pacs.008.001.09',
    txs: [{ element: '', orgnlInstrId: null, orgnlEndToEndId: null, orgnlUetr: out.uetr, status: 'RJCT', reasonCode: 'AC04', reasonText: 'Closed account number' }],
  });
  const settled = await adapter.handleMessage(report);
  tt.match(settled.outcomes, [{ action: 'payout_result', status: 'committed' }], 'the rejection (matched by UETR) settles the payout');
  tt.equal(await balance(c1.address, 'EURX'), '25000', 'the tokens are back with the holder');
  const twice = await adapter.handleMessage(report);
  tt.match(twice.outcomes, [{ action: 'payout_result', status: 'failed', code: 'PAYOUT_SETTLED' }], 'a second report changes nothing');

  await tt.rejects(adapter.handleMessage(camt.replace('</Ntfctn>', '</Notification>')), { code: 'BANK_BAD_XML', element: 'Ntfctn' }, 'malformed XML names the element');
  await tt.rejects(adapter.handleMessage(camt.replace('<Cd>BOOK</Cd>', '<Code>BOOK</Code>')), { code: 'BANK_SCHEMA_INVALID', element: 'Code' }, 'a schema failure names the element');
});
