/**
 * Taxes end to end on a real node (in this process), through `sov tax` and the SDK: the
 * testnet's Tax Office (its genesis gives it tax_authority) registers a withholding rule from
 * the CLI; a customer's transfer is taxed (its receipt's `tax.withheld`: gross, tax, net; the
 * balances move exactly); tax_rules and tax_totals answer with proofs that verify offline
 * against the node's validator set, a tampered or incomplete answer does not, and the CLI
 * verifies them against the node home's genesis; a customer that tries to register a rule
 * gets NOT_AUTHORIZED; the rule retires from a height.
 */
import t, { type Test as Tap } from 'tap';
import { execFile } from 'node:child_process';
import { decodeAddress, fromHex, ValidatorSet } from '../../core/index.js';
import { BundleError, taxRules, taxTotals, verifyTaxRules, verifyTaxTotals, type TaxVerifyContext } from '../../rpc/index.js';
import { tax } from '../../vm/index.js';
import { repoPath, waitFor } from '../../test/index.js';
import { inProcessChain } from './in-process-chain.js';

const chain = inProcessChain(t);
const { manifest: m, client, send } = chain;
const rpc = ['--rpc', m.nodes[0]!.rpc_url];
const keystore = (name: string) => m.accounts.find((a) => a.name === name)!;
const as = (name: string) => ['--key', keystore(name).keystore, '--password-file', m.accounts_password_file, ...rpc];
const office = chain.accounts['Tax Office']!;
const c1 = chain.accounts['customer-1']!;
const c2 = chain.accounts['customer-2']!;
const raw = (a: string) => decodeAddress(a, m.address_prefix);
const CUR = m.currency.code;

interface Run { code: number; out: string; err: string }
const CLI_ENV = { ...process.env, NODE_OPTIONS: '' };
const sov = (...args: string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [repoPath('bin/sov.js'), 'tax', ...args], { encoding: 'utf8', timeout: 60_000, env: CLI_ENV }, (e, out, err) => {
    resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err });
  });
});
const ok = async (tt: Tap, what: string, ...args: string[]): Promise<any> => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await sov(...args);
  tt.equal(r.code, 0, `${what}${r.code !== 0 ? `: ${r.err}${r.out}` : ''}`);
  return r.code === 0 && args.includes('--json') ? JSON.parse(r.out) : r.out;
};
/** Whether `f` throws a BundleError (the SDK's refusal of an answer that does not check). */
const refused = (f: () => unknown): boolean => {
  try {
    f();
    return false;
  } catch (e) {
    return e instanceof BundleError;
  }
};
const balance = async (a: string): Promise<bigint> => BigInt(((await client.getRecord({ kind: 'balance', address: a, currency: CUR })).value as { amount: string } | null)?.amount ?? '0');

t.test('a tax authority registers a rule from the CLI; a taxed transfer; rules and totals proven', async (tt) => {
  const v = await client.getValidators();
  const ctx: TaxVerifyContext = {
    chainId: m.chain_id, addressPrefix: m.address_prefix,
    validators: new ValidatorSet(v.validators.map((x) => ({ address: decodeAddress(x.address, m.address_prefix), publicKey: fromHex(x.publicKey, 32), power: x.power }))),
  };
  const denied = await sov('register-rule', 'VAT', ...as('customer-1'), '--currency', CUR, '--rate-bps', '1500', '--treasury', c1.address, '--legal-ref', 'none', '--json');
  tt.equal(denied.code, 1, 'a customer may not register a rule');
  tt.match(denied.err, /NOT_AUTHORIZED/);
  const bad = await sov('register-rule', 'VAT', ...as('Tax Office'), '--currency', CUR, '--rate-bps', '10001', '--treasury', office.address, '--legal-ref', 'x');
  tt.equal(bad.code, 2, 'a rate over 100% is bad input');

  const reg = await ok(tt, 'register a 10% withholding on transfers', 'register-rule', 'withholding', ...as('Tax Office'), '--currency', CUR, '--rate-bps', '1000', '--payer', 'payee', '--type', 'transfer',
    '--treasury', office.address, '--exempt', 'charity', '--activation', '+60', '--legal-ref', 'Income Tax Act s.12', '--json');
  const id = reg.id as number;
  tt.ok(id >= 1, `rule ${id}`);
  await waitFor(async () => (await client.status()).height >= reg.activationHeight, 'the activation height', 30_000);

  const before = await Promise.all([c1.address, c2.address, office.address].map(balance));
  const paid = await send(c1, 'money', 'transfer', { currency: CUR, to: raw(c2.address), amount: 12_345n, memo: 'invoice 9', reference: 'INV-9' });
  tt.equal(paid.status, 'committed', paid.message ?? '');
  const got = await client.getTransaction(paid.hash);
  const w = got.receipt.events.find((e) => e.module === 'tax' && e.name === 'withheld');
  tt.match(w?.fields, { rule: id, taxpayer: c2.address, treasury: office.address, payer: c1.address, payee: c2.address, currency: CUR, gross: '12345', tax: '1234', net: '11111' }, 'the receipt: gross, tax, net');
  const after = await Promise.all([c1.address, c2.address, office.address].map(balance));
  tt.same(after.map((b, i) => b - before[i]!), [-12_345n, 11_111n, 1_234n], 'payer, payee and treasury');
  const period = tax.periodOf((await client.getBlock(paid.height!)).header.time);

  // The rules, proven.
  const rules = await taxRules(client);
  const vr = verifyTaxRules(rules, ctx);
  tt.same(vr.rules.map((r) => [r.id, r.rateBps, r.payer, r.exemptTypes]), [[id, 1000, 1, ['charity']]], 'the proven rules');
  tt.same(rules.rules.map((r) => [r.id, r.status, r.payer, r.base]), [[id, 'active', 'payee', 'payment']]);
  tt.ok(refused(() => verifyTaxRules({ ...rules, rules: rules.rules.map((r) => ({ ...r, rateBps: 500 })) }, ctx)), 'a rate the proofs do not say');
  tt.ok(refused(() => verifyTaxRules({ ...rules, rules: [] }, ctx)), 'a rule left out');
  const forged = { ...rules, proofs: { ...rules.proofs, records: rules.proofs.records.map((r) => (r.query.kind === 'tax_rules' ? { ...r, raw: null } : r)) } };
  tt.ok(refused(() => verifyTaxRules({ ...forged, rules: [] }, ctx)), 'a record claimed absent');
  const one = await taxRules(client, CUR);
  tt.equal(verifyTaxRules(one, ctx, CUR).rules.length, 1, 'one currency');

  // The payee's totals for the month, complete; and through the index.
  const month = await taxTotals(client, { taxpayer: c2.address, period });
  const vm = verifyTaxTotals(c2.address, month, ctx, period);
  tt.same([vm.complete, vm.totals.map((x) => [x.rule, x.total.gross, x.total.tax, x.total.count])], [true, [[id, 12_345n, 1_234n, 1]]]);
  tt.ok(refused(() => verifyTaxTotals(c2.address, { ...month, totals: month.totals.map((x) => ({ ...x, tax: '1' })) }, ctx, period)), 'a tampered total');
  tt.ok(refused(() => verifyTaxTotals(c2.address, { ...month, totals: [] }, ctx, period)), 'a total left out of a period');
  tt.ok(refused(() => verifyTaxTotals(c1.address, month, ctx, period)), 'the answer of another taxpayer');
  const none = await taxTotals(client, { taxpayer: c1.address, period });
  tt.same(verifyTaxTotals(c1.address, none, ctx, period).totals, [], 'the payer owes none here: proven absent');
  const all = await taxTotals(client, { taxpayer: c2.address });
  tt.same(verifyTaxTotals(c2.address, all, ctx).totals.map((x) => [x.period, x.rule, x.total.tax]), [[period, id, 1_234n]], 'every month, through the index');

  // The CLI verifies against the node home's genesis.
  const home = m.nodes[0]!.home;
  const cliRules = await ok(tt, 'rules, verified', 'rules', ...rpc, '--home', home, '--json');
  tt.same([cliRules.verified, cliRules.rules.length], [true, 1]);
  const cliTotals = await ok(tt, 'totals, verified', 'totals', c2.address, '--period', String(period), ...rpc, '--home', home, '--json');
  tt.same([cliTotals.verified, cliTotals.complete, cliTotals.totals[0]?.tax], [true, true, '1234']);
  tt.match(await ok(tt, 'totals, summary', 'totals', c2.address, ...rpc), /1 payment\s+gross 12345 DEV\s+tax 1234 DEV/);

  // Retired from a height: no tax from then on.
  const ret = await ok(tt, 'retire', 'retire-rule', String(id), ...as('Tax Office'), '--at', '+60', '--legal-ref', 'repealed', '--json');
  await waitFor(async () => (await client.status()).height >= ret.atHeight, 'the retirement height', 30_000);
  const later = await send(c1, 'money', 'transfer', { currency: CUR, to: raw(c2.address), amount: 1_000n, memo: '', reference: '' });
  tt.same((await client.getTransaction(later.hash)).receipt.events.filter((e) => e.module === 'tax'), [], 'not taxed after its retirement');
  const after2 = await taxRules(client);
  tt.same(after2.rules.map((r) => [r.status, r.retireHeight]), [['retired', ret.atHeight]], 'listed as retired until the next change');
});
