/**
 * `sov program` as an agency, a funder and the people it pays run it, against a one-validator
 * testnet from `sov testnet` (real processes: `sov start`, and the CLI as a child process).
 * The worked example: a monthly benefit with an explicit allocation of two rows and no
 * credential needed: the welfare agency (funded by the bank through `sov tx`) drafts it from a
 * terms file (the first row from its CSV), writes the second row (`rows --first 1`), approves
 * it (`finalize`, the version read from the ledger); customer-1 claims its first instalment;
 * the agency pushes to both rows (customer-2 is paid, customer-1 has nothing due); the report
 * and a row verify offline against the genesis validator set and not against a genesis with
 * another validator set (exit 1); the payments per program and per person. Then a Merkle
 * program: `merkle` computes the root and the rows' paths offline (the paths core's
 * merkleProof gives), `create` computes the same root from the same CSV, the agency funds it,
 * and customer-2 claims its row with the allocation file. A bad terms file is refused with one
 * line naming the field (exit 2, no stack trace).
 */
import t, { type Test as Tap } from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAddress, encode, merkleProof, merkleRoot, to0x } from '../../core/index.js';
import { prog } from '../../vm/index.js';
import { Devnet } from '../../test/devnet.js';
import { repoPath } from '../../test/index.js';

const net = Devnet.create({ validators: 1, blockIntervalMs: 100 });
const m = net.manifest;
const dir = mkdtempSync(join(tmpdir(), 'sov-prog-cli-'));
t.teardown(async () => {
  await net.stop();
  rmSync(dir, { recursive: true, force: true });
});
const file = (name: string) => join(dir, name);
const rpc = ['--rpc', m.nodes[0]!.rpc_url];
const genesis = join(m.nodes[0]!.home, 'genesis.json');
const account = (name: string) => m.accounts.find((a) => a.name === name)!;
const as = (name: string) => ['-k', account(name).keystore, '--password-file', m.accounts_password_file, ...rpc];
const welfare = account('Welfare Agency');
const [c1, c2, c3] = [account('customer-1'), account('customer-2'), account('customer-3')];
const CUR = m.currency.code;
const DAY = 86_400_000;

interface Run { code: number; out: string; err: string }
/** The CLI runs as a user runs it: without the test runner's loader (NODE_OPTIONS), with a bound on its time. */
const CLI_ENV = { ...process.env, NODE_OPTIONS: '' };
const sov = (...args: string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [repoPath('bin/sov.js'), ...args], { encoding: 'utf8', timeout: 120_000, env: CLI_ENV }, (e, out, err) => {
    resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err });
  });
});
/** `sov ...`, expecting success: its JSON output. */
const ok = async (tt: Tap, what: string, ...args: string[]): Promise<any> => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await sov(...args);
  tt.equal(r.code, 0, `${what}${r.code !== 0 ? `: ${r.err}${r.out}` : ''}`);
  return r.code === 0 ? JSON.parse(r.out) : {};
};
/** `sov ...`, expecting exit status `code`: stdout as JSON when it is. */
const fails = async (tt: Tap, code: number, what: string, ...args: string[]): Promise<Run & { json: any }> => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await sov(...args);
  tt.equal(r.code, code, `${what}: exit status ${code}${r.code !== code ? ` (${r.code}: ${r.err}${r.out})` : ''}`);
  tt.notMatch(r.err, /\n\s+at /, `${what}: no stack trace`);
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

t.test('a bad terms file: one line naming the field, exit status 2', async (tt) => {
  const terms = { name: 'Benefit', funder: welfare.address, currency: CUR, budget: '100.00', schedules: [{ kind: 'weekly', start: 'now' }], legalRef: 'Act 1' };
  writeFileSync(file('bad-kind.json'), JSON.stringify(terms));
  const kind = await fails(tt, 2, 'an unknown schedule kind', 'program', 'create', '--terms', file('bad-kind.json'), ...as(welfare.name));
  tt.match(kind.err, /^sov: CLI_ERROR: .*bad-kind\.json: schedules\[0\]\.kind is lump, vesting or instalments, not "weekly"\n$/);
  writeFileSync(file('bad-amount.json'), JSON.stringify({ ...terms, schedules: [{ kind: 'lump' }], budget: '10.005' }));
  const amount = await fails(tt, 2, 'more decimals than the currency has', 'program', 'create', '--terms', file('bad-amount.json'), ...as(welfare.name));
  tt.match(amount.err, /budget: "10\.005" has 3 decimals; the currency has 2/);
  writeFileSync(file('bad-field.json'), JSON.stringify({ ...terms, schedules: [{ kind: 'lump' }], expires: '2030-01-01' }));
  const field = await fails(tt, 2, 'an unknown field', 'program', 'create', '--terms', file('bad-field.json'), ...as(welfare.name));
  tt.match(field.err, /unknown field "expires"/);
  const missing = await fails(tt, 2, 'no such file', 'program', 'create', '--terms', file('none.json'), ...as(welfare.name));
  tt.match(missing.err, /cannot read terms file .*none\.json: ENOENT/);
  tt.equal((await fails(tt, 2, 'a bad row list', 'program', 'push', '--program', '1', '--rows', '3-1', ...as(welfare.name))).err.split('\n').length, 2, 'one line');
});

t.test('a monthly benefit, explicit allocation: create, rows, finalize, claim, push, report verified, payments', async (tt) => {
  const funded = await ok(tt, 'the bank funds the agency (sov tx)', 'tx', 'money', 'transfer', '--args',
    JSON.stringify({ currency: CUR, to: welfare.address, amount: '1000000', memo: '', reference: 'funding' }), ...as('Commercial Bank'), '--wait');
  tt.equal(funded.status, 'committed');

  // Three monthly instalments of 100.00 from yesterday: the first is due now.
  writeFileSync(file('rows-a.csv'), `beneficiary,amount,schedule\n${c1.address},300.00,0\n`);
  writeFileSync(file('rows-b.csv'), `# the second row\n${c2.address},30000\n`);
  const start = new Date(Date.now() - DAY).toISOString();
  writeFileSync(file('benefit.json'), JSON.stringify({
    name: 'Monthly benefit', funder: welfare.address, currency: CUR, budget: '1000.00', eligibility: { types: [], issuers: [], predicates: [] },
    allocation: { rows: 'rows-a.csv' }, schedules: [{ kind: 'instalments', start, interval: '30d', count: 3 }], legalRef: 'Benefit Act 2026 s.1',
  }));
  const created = await ok(tt, 'the agency drafts it', 'program', 'create', '--terms', file('benefit.json'), ...as(welfare.name));
  tt.match(created, { ok: true, version: 2, status: 'draft', funder: welfare.address, currency: CUR, budget: '100000', allocation: { mode: 'explicit', rows: 1, allocated: '30000' } });
  tt.same(created.transactions.map((x: { method: string }) => x.method), ['create', 'set_rows'], 'the program, then its rows');
  const id = String(created.program);
  const rows = await ok(tt, 'the second row', 'program', 'rows', '--program', id, '--rows', file('rows-b.csv'), '--first', '1', ...as(welfare.name));
  tt.match(rows, { ok: true, version: 3, first: 1, rows: 1, totalRows: 2, allocated: '60000' });
  const final = await ok(tt, 'the funder approves the current version', 'program', 'finalize', '--program', id, ...as(welfare.name));
  tt.match(final, { ok: true, version: 3, budget: '100000' });

  const claimed = await ok(tt, 'customer-1 claims', 'program', 'claim', '--program', id, '--row', '0', ...as(c1.name));
  tt.match(claimed, { ok: true, row: 0, paid: '10000', step: 1, claimed: '10000', currency: CUR });
  const again = await fails(tt, 1, 'a claim with nothing due', 'program', 'claim', '--program', id, '--row', '0', ...as(c1.name));
  tt.match(again.json, { ok: false, method: 'prog.claim', status: 'failed', code: 'NOTHING_DUE' });
  tt.match(again.err, /prog\.claim failed at height \d+: NOTHING_DUE: /);
  const pushed = await ok(tt, 'the agency pushes', 'program', 'push', '--program', id, '--rows', '0-1', ...as(welfare.name));
  tt.match(pushed, { ok: true, rows: 2, paidRows: 1, paid: '10000', notPaid: { NOTHING_DUE: [0] } }, 'customer-2 paid; customer-1 had its instalment');

  const report = await ok(tt, 'the report, verified', 'program', 'report', '--program', id, '--verify', genesis, ...rpc);
  tt.match(report, {
    verified: true, trusted: [genesis], status: 'final',
    report: { program: { version: 3, terms: { name: 'Monthly benefit', legalRef: 'Benefit Act 2026 s.1', rows: 2 } }, totals: { paid: '20000', payments: 2, beneficiaries: 2 }, escrow: { balance: '80000' } },
  });
  // A genesis file that is valid but names another validator set: the proofs do not check against it.
  const other = await sov('testnet', '--validators', '1', '--out', file('other'), '--chain-id', m.chain_id, '--accounts', '1');
  tt.equal(other.code, 0, other.err);
  const g = JSON.parse(readFileSync(genesis, 'utf8'));
  g.validators = JSON.parse(readFileSync(file('other/genesis.json'), 'utf8')).validators;
  writeFileSync(file('tampered-genesis.json'), JSON.stringify(g, null, 2));
  const tampered = await fails(tt, 1, 'the report against another validator set', 'program', 'report', '--program', id, '--verify', file('tampered-genesis.json'), ...rpc);
  tt.match(tampered.json, { valid: false, code: 'CRED_PROOF_INVALID' });
  tt.match(tampered.err, /sov: not valid: /);
  const rowFails = await fails(tt, 1, 'a row against another validator set', 'program', 'row', '--program', id, '--row', '0', '--verify', file('tampered-genesis.json'), ...rpc);
  tt.match(rowFails.json, { valid: false });
  const row = await ok(tt, "customer-1's row, verified", 'program', 'row', '--program', id, '--row', '0', '--verify', genesis, ...rpc);
  tt.match(row, { verified: true, paidInFull: false, state: { beneficiary: c1.address, amount: '30000', claimed: '10000', step: 1, revoked: false } });
  const unverified = await ok(tt, 'the report, unverified', 'program', 'report', '--program', id, ...rpc);
  tt.match(unverified, { verified: false, status: 'final', report: { totals: { paid: '20000' } } });

  const byProgram = await ok(tt, "the program's payments", 'program', 'payments', '--program', id, ...rpc);
  tt.same(byProgram.items.map((p: { row: number; via: string; amount: string; version: number }) => [p.row, p.via, p.amount, p.version]), [[0, 'claim', '10000', 3], [1, 'push', '10000', 3]]);
  tt.equal(byProgram.next, null);
  const paged = await ok(tt, 'a page of one', 'program', 'payments', '--program', id, '--limit', '1', ...rpc);
  tt.equal(paged.items.length, 1);
  const rest = await ok(tt, 'the next page', 'program', 'payments', '--program', id, '--cursor', paged.next, ...rpc);
  tt.same(rest.items.map((p: { row: number }) => p.row), [1]);
  const mine = await ok(tt, "customer-1's payments", 'program', 'payments', '--beneficiary', c1.address, ...rpc);
  tt.match(mine.items, [{ program: Number(id), row: 0, beneficiary: c1.address, via: 'claim', credential: null, tx: { hash: claimed.hash } }]);
  tt.equal(mine.items.length, 1);
});

t.test('a Merkle allocation: merkle offline, create, finalize, claim with the allocation file', async (tt) => {
  writeFileSync(file('grant.csv'), `beneficiary,amount,schedule\n${c1.address},50.00,0\n${c2.address},7500,0\n${c3.address},25.00,0\n`);
  const noDecimals = await fails(tt, 2, 'amounts with a point need the decimals offline', 'program', 'merkle', '--rows', file('grant.csv'), '--out', file('allocation.json'));
  tt.match(noDecimals.err, /grant\.csv line 2: amount: "50\.00" is in the currency's units/);
  const merkle = await ok(tt, 'the root and the paths, offline', 'program', 'merkle', '--rows', file('grant.csv'), '--out', file('allocation.json'), '--decimals', '2');
  const leaves = [[c1, 5000n], [c2, 7500n], [c3, 2500n]].map(([a, amount]) => encode(prog.AllocationLeafSchema, { beneficiary: decodeAddress((a as { address: string }).address, m.address_prefix), amount: amount as bigint, schedule: 0 }));
  tt.match(merkle, { root: to0x(merkleRoot(leaves)), rows: 3, allocated: '15000' }, "core merkleRoot over the leaves' encodings");
  const alloc = JSON.parse(readFileSync(file('allocation.json'), 'utf8'));
  tt.same(alloc.entries.map((x: { leaf: string; path: string[] }) => [x.leaf, x.path]), leaves.map((l, i) => [to0x(l), merkleProof(leaves, i).map(to0x)]), "each row's leaf and path: core merkleProof");

  const expires = new Date(Date.now() + 30 * DAY).toISOString();
  writeFileSync(file('grant.json'), JSON.stringify({
    name: 'Energy grant', funder: welfare.address, currency: CUR, budget: '200.00', allocation: { merkle: 'grant.csv' },
    schedules: [{ kind: 'lump', start: 'now' }], expiresAt: expires, grace: '7d', legalRef: 'Energy Support Act s.4',
  }));
  const created = await ok(tt, 'the agency drafts it from the same rows', 'program', 'create', '--terms', file('grant.json'), ...as(welfare.name));
  tt.match(created, { ok: true, version: 1, allocation: { mode: 'merkle', root: merkle.root, rows: 3, allocated: '15000' } }, 'the same root');
  const id = String(created.program);
  tt.match(await ok(tt, 'funded', 'program', 'finalize', '--program', id, ...as(welfare.name)), { ok: true, version: 1 });
  const without = await fails(tt, 2, 'a Merkle claim without the allocation file', 'program', 'claim', '--program', id, '--row', '1', ...as(c2.name));
  tt.match(without.err, /allocates by Merkle root: give the allocation file/);
  const claimed = await ok(tt, 'customer-2 claims its row with the allocation file', 'program', 'claim', '--program', id, '--row', '1', '--allocation', file('allocation.json'), ...as(c2.name));
  tt.match(claimed, { ok: true, row: 1, paid: '7500', step: 1, claimed: '7500' });
  const notMine = await fails(tt, 1, "customer-2 claims customer-1's row", 'program', 'claim', '--program', id, '--row', '0', '--allocation', file('allocation.json'), ...as(c2.name));
  tt.match(notMine.json, { ok: false, code: 'NOT_BENEFICIARY' });
  const row = await ok(tt, 'the row, verified', 'program', 'row', '--program', id, '--row', '1', '--verify', genesis, ...rpc);
  tt.match(row, { verified: true, paidInFull: true, state: { beneficiary: c2.address, claimed: '7500' } });
  const mine = await ok(tt, "customer-2's payments", 'program', 'payments', '--beneficiary', c2.address, ...rpc);
  tt.same(mine.items.map((p: { program: number; via: string; amount: string }) => [p.program, p.via, p.amount]), [[Number(id) - 1, 'push', '10000'], [Number(id), 'claim', '7500']]);
});
