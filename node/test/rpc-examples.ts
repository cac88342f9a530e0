/**
 * Records the request and response example of every RPC method (rpc/examples.json: the
 * OpenRPC document's `examples` and docs/rpc.md's), from a real node: a single-validator dev
 * chain in this process, with an admin and a regulator API key; the council grants the
 * central bank the regulator role, which registers a flag rule; customers pay each other;
 * the tax office sends a data-exchange record. Each method is then called as an integrator
 * would, and its params and answer are written (long lists cut to their first items, marked).
 * A method whose success needs more setup than this (a credential, a document) is recorded
 * with the error it answers here, marked as such. Run on purpose when the API changes:
 *   npm run build && node dist/node/test/rpc-examples.js
 * rpc/test/examples.test.ts checks every recorded example against its method's schemas.
 */
import tap from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAddress } from '../../core/index.js';
import { ActionKind, buildTx, hashSecret, makeAction, payloadDigest, RpcCallError, SovClient, SovSocket, xchgBatch } from '../../rpc/index.js';
import { comp, gov, tax as taxVm } from '../../vm/index.js';
import { repoPath } from '../../test/index.js';
import { inProcessChain } from './in-process-chain.js';

const ADMIN = 'sov_examples-admin-secret';
const REGULATOR = 'sov_examples-regulator-secret';
const chain = inProcessChain(tap, (net) => {
  writeFileSync(join(net.manifest.nodes[0]!.home, 'rpc-keys.toml'), [
    `[[key]]\nname = "admin"\nsha256 = "${hashSecret(ADMIN)}"\nroles = ["admin"]\n`,
    `[[key]]\nname = "regulator"\nsha256 = "${hashSecret(REGULATOR)}"\nroles = ["regulator"]\n`,
  ].join('\n'));
  net.setConfig(0, 'rpc', 'api_keys_file', '"rpc-keys.toml"');
});
const { manifest: m, client, send } = chain;
const url = m.nodes[0]!.rpc_url;
const admin = new SovClient(url, { apiKey: ADMIN });
const regulator = new SovClient(url, { apiKey: REGULATOR });
const raw = (a: string) => decodeAddress(a, m.address_prefix);

export interface RpcExample {
  params: unknown;
  result?: unknown;
  error?: { code: number; message: string };
  /** Where the answer was cut or what it shows. */
  note?: string;
}

/** Lists longer than 3 items keep their first 3 (the note says so). */
function trim(v: unknown, cut: { done: boolean }): unknown {
  if (Array.isArray(v)) {
    if (v.length > 3) cut.done = true;
    return v.slice(0, 3).map((x) => trim(x, cut));
  }
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, trim(x, cut)]));
  return v;
}

tap.test('record every method\'s example', async (t) => {
  const cb = chain.accounts['Central Bank']!;
  const c1 = chain.accounts['customer-1']!;
  const c2 = chain.accounts['customer-2']!;
  const tax = chain.accounts['Tax Office']!;
  const welfare = chain.accounts['Welfare Agency']!;
  await send(cb, 'gov', 'propose', { action: makeAction(ActionKind.GRANT_ROLE, { institution: raw(cb.address), role: gov.Role.REGULATOR }), reason: 'supervision' });
  const h = (await client.status()).height;
  await send(cb, 'comp', 'register_rule', { name: 'large', version: 1, source: 'tx.amount >= 100000', scope: { currencies: [], types: [], institutions: [] }, action: comp.RuleAction.FLAG, severity: 2, activation: h + 2, shadow: false, legalRef: 'AML Act s.5' });
  while ((await client.status()).height < h + 2) await new Promise((r) => setTimeout(r, 50));
  const paid = await send(c1, 'money', 'transfer', { currency: m.currency.code, to: raw(c2.address), amount: 150_000n, memo: 'invoice 7', reference: 'INV-7' });
  await send(c2, 'money', 'transfer', { currency: m.currency.code, to: raw(c1.address), amount: 2_500n, memo: '', reference: '' });
  const b = xchgBatch(raw(tax.address), raw(welfare.address), 0, [{ payload: payloadDigest('income statement 1'), purpose: 'income', legalBasis: 'Act 90/2003 art. 12', time: 1_767_225_600_000 }]);
  await send(tax, 'xchg', 'send', b.args);
  // The tax office (tax_authority in the testnet genesis) registers a VAT on merchant payments.
  await send(tax, 'tax', 'register_rule', {
    name: 'VAT', currency: m.currency.code, rateBps: 1500, base: 0, payer: 0, appliesTo: { types: [], payeeCategory: 'merchant', payerCategory: '' }, treasury: raw(tax.address),
    exemptTypes: ['charity'], activationHeight: (await client.status()).height + 5, legalRef: 'VAT Act 2026 s.1',
  });
  // A program: the welfare agency, funded by the bank, pays customer-1 a lump sum, which customer-1 claims.
  const bank = chain.accounts['Commercial Bank']!;
  await send(bank, 'money', 'transfer', { currency: m.currency.code, to: raw(welfare.address), amount: 100_000n, memo: '', reference: 'funding' });
  const terms = {
    name: 'Winter heating grant', funder: raw(welfare.address), currency: m.currency.code, budget: 50_000n, eligibility: { types: [], issuers: [], predicates: [] }, reportClaim: '', mode: 0,
    root: new Uint8Array(32), rows: 0, schedules: [{ kind: 0, start: 0, cliffMs: 0, durationMs: 0, intervalMs: 0, count: 0 }], expiresAt: 0, graceMs: 0, category: '', spendMs: 0, legalRef: 'Heating Grant Regulation 2026',
  };
  await send(welfare, 'prog', 'create', terms);
  await send(welfare, 'prog', 'set_rows', { program: 1, first: 0, rows: [{ beneficiary: raw(c1.address), amount: 20_000n, schedule: 0 }] });
  await send(welfare, 'prog', 'finalize', { program: 1, version: 2 });
  await send(c1, 'prog', 'claim', { program: 1, row: 0, leaf: null, path: [], presentation: null });
  const head = (await client.status()).height;
  const ex: Record<string, RpcExample> = {};
  const rec = async (method: string, params: unknown, c: SovClient | SovSocket = client, note?: string) => {
    try {
      const cut = { done: false };
      const result = trim(await c.call(method, params as Record<string, unknown>), cut);
      ex[method] = { params, result, ...(note || cut.done ? { note: [note, cut.done ? 'lists cut to their first 3 items' : ''].filter(Boolean).join('; ') } : {}) };
    } catch (e) {
      if (!(e instanceof RpcCallError)) throw e;
      ex[method] = { params, error: { code: e.rpcCode, message: e.message.replace(`${method}: `, '') }, note: note ?? 'an error answer' };
    }
  };
  await rec('sov_status', []);
  await rec('sov_whoami', []);
  await rec('sov_getBlock', [paid.height]);
  await rec('sov_getBlockByHash', [((await client.call('sov_getBlock', [paid.height])) as { hash: string }).hash]);
  await rec('sov_getCommit', [paid.height]);
  await rec('sov_getValidators', []);
  await rec('sov_getAccount', [c1.address]);
  await rec('sov_getTransaction', [paid.hash]);
  await rec('sov_getRecord', { query: { kind: 'balance', address: c1.address, currency: m.currency.code }, prove: true });
  await rec('sov_getAccountTransactions', { address: c1.address, limit: 2, order: 'desc' });
  await rec('sov_getAccountEvents', { address: c1.address, limit: 2, order: 'desc' });
  const w = (await client.status()).height;
  const tx = buildTx({ chainId: m.chain_id, keys: [c1.keys], nonce: (await client.getAccount(c1.address)).nonce, expiry: w + 100 }, 'money', 'transfer', { currency: m.currency.code, to: raw(c2.address), amount: 1_000n, memo: '', reference: '' });
  await rec('sov_sendTransaction', ['0x' + Buffer.from(tx.bytes).toString('hex'), true], client, 'a signed money.transfer, waiting for its block');
  await rec('xchg_getRecord', { sender: tax.address, seq: 0 });
  await rec('xchg_getReceipt', { sender: tax.address, seq: 0 });
  await rec('xchg_listRecords', { by: 'pair', sender: tax.address, receiver: welfare.address, limit: 10 });
  await rec('xchg_findDocuments', { digest: '0x' + Buffer.from(payloadDigest('a contract')).toString('hex') });
  await rec('xchg_getDocument', { id: 1 }, client, 'no document was signed on this chain: the not-found answer');
  await rec('cred_proofs', { issuer: cb.address, batch: 0, index: 0 }, client, 'no credential batch was anchored on this chain: the answer proves there is none');
  await rec('cred_verify', {
    package: { format: 'vc', credential: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'], issuer: `did:sov:${cb.address}`, credentialSubject: { id: 'did:example:holder' } }, inclusion: { position: 0, count: 1, path: [] } },
  }, client, 'an unsigned credential: the answer names the check that failed');
  await rec('comp_rules', {});
  await rec('comp_alerts', { by: 'account', account: c1.address, limit: 10 }, regulator);
  await rec('comp_holds', { limit: 10 }, regulator);
  const now = (await client.status()).time ?? Date.now();
  await rec('comp_report', { institution: chain.accounts['Commercial Bank']!.address, from: now - 86_400_000, to: now + 60_000, period: 'day' }, regulator);
  await rec('comp_backtest', { source: 'tx.amount >= 100000', action: 'flag', from: h + 2, to: head, name: 'candidate' }, regulator);
  await rec('prog_getReport', { program: 1 });
  await rec('prog_getRow', { program: 1, row: 0 });
  await rec('prog_listPayments', { by: 'beneficiary', beneficiary: c1.address, limit: 10 });
  await rec('tax_rules', {});
  await rec('tax_totals', { taxpayer: c1.address, period: taxVm.periodOf(now) }, client, 'no taxed payment of hers this month: each rule\'s total proven absent');
  await rec('evid_equivocations', {}, client, 'no validator has equivocated on this chain: the empty list of equivocations, proven');
  await rec('admin_peers', [], admin);
  await rec('admin_mempool', [], admin);
  await rec('admin_rpcAccess', [], admin);
  await rec('rpc.discover', [], client, 'the whole OpenRPC document (cut)');
  const ws = await SovSocket.connect(url);
  await rec('sov_subscribe', { topic: 'account', filter: { address: c1.address }, fromHeight: w }, ws, 'notifications follow as {"method":"sov_subscription","params":{"subscription":ID,"result":{height, blockHash, txs}}}');
  await rec('sov_unsubscribe', [ex.sov_subscribe!.result], ws);
  await ws.close();
  const doc = ex['rpc.discover']!.result as { methods?: unknown[] };
  if (doc?.methods) ex['rpc.discover']!.result = { ...(doc as object), methods: doc.methods.slice(0, 1) };
  writeFileSync(repoPath('rpc/examples.json'), JSON.stringify(ex, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n');
  t.pass(`${Object.keys(ex).length} examples written to rpc/examples.json`);
});
