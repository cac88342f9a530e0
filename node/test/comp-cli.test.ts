/**
 * `sov compliance` against a real node (in this process), as a regulator and a bank run it:
 * the council (the central bank alone) grants the central bank the regulator role; through
 * the CLI it lists the typologies and fills one in, updates two lists (an address written as
 * the rules see it; entries from a file), registers a rule from a source file and one from a
 * typology, while the commercial bank sets its customer's jurisdiction; payments trigger a
 * flag and two holds; alerts, holds and the rules are read back (--json, and the summaries);
 * the regulator releases a hold and the bank refuses the other; a rule is retired. A bad source fails with RULE_INVALID and its message (exit 1), a commercial bank
 * that registers a rule gets NOT_AUTHORIZED, bad input exits 2, and the alerts need the
 * regulator's API key.
 */
import t, { type Test as Tap } from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAddress, toHex } from '../../core/index.js';
import { ActionKind, compListEntry, compTemplateSource, hashSecret, makeAction } from '../../rpc/index.js';
import { comp, gov } from '../../vm/index.js';
import { repoPath, waitFor } from '../../test/index.js';
import { inProcessChain } from './in-process-chain.js';

const REGULATOR_SECRET = 'sov_comp-cli-regulator-secret';
const chain = inProcessChain(t, (net) => {
  writeFileSync(join(net.manifest.nodes[0]!.home, 'rpc-keys.toml'), `[[key]]\nname = "regulator"\nsha256 = "${hashSecret(REGULATOR_SECRET)}"\nroles = ["regulator"]\n`);
  net.setConfig(0, 'rpc', 'api_keys_file', '"rpc-keys.toml"');
});
const { manifest: m, client, send } = chain;
const rpc = ['--rpc', m.nodes[0]!.rpc_url];
const asRegulator = [...rpc, '--api-key', REGULATOR_SECRET];
const dir = mkdtempSync(join(tmpdir(), 'sov-comp-cli-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => join(dir, name);
const keystore = (name: string) => m.accounts.find((a) => a.name === name)!;
const as = (name: string) => ['--key', keystore(name).keystore, '--password-file', m.accounts_password_file, ...rpc];
const cb = chain.accounts['Central Bank']!;
const bank = chain.accounts['Commercial Bank']!;
const c1 = chain.accounts['customer-1']!;
const c2 = chain.accounts['customer-2']!;
const c3 = chain.accounts['customer-3']!;
const raw = (a: string) => decodeAddress(a, m.address_prefix);
const CUR = m.currency.code;

interface Run { code: number; out: string; err: string }
/** The CLI runs as a user runs it: without the test runner's process-tracking loader (NODE_OPTIONS), which doubles each start-up. */
const CLI_ENV = { ...process.env, NODE_OPTIONS: '', COMP_CLI_REGULATOR_KEY: REGULATOR_SECRET };
const sov = (...args: string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [repoPath('bin/sov.js'), 'compliance', ...args], { encoding: 'utf8', timeout: 60_000, env: CLI_ENV }, (e, out, err) => {
    resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err });
  });
});
/** `sov compliance ...`, expecting success; its output (as JSON with --json). */
const ok = async (tt: Tap, what: string, ...args: string[]): Promise<any> => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await sov(...args);
  tt.equal(r.code, 0, `${what}${r.code !== 0 ? `: ${r.err}${r.out}` : ''}`);
  if (r.code !== 0) return {};
  return args.includes('--json') ? JSON.parse(r.out) : r.out;
};
/** `sov compliance ...`, expecting exit status `code`; stdout as JSON when it is. */
const fails = async (tt: Tap, code: number, what: string, ...args: string[]): Promise<Run & { json: any }> => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await sov(...args);
  tt.equal(r.code, code, `${what}: exit status ${code}${r.code !== code ? ` (${r.code}: ${r.err}${r.out})` : ''}`);
  let json: unknown = null;
  try {
    json = JSON.parse(r.out);
  } catch {
    json = null;
  }
  return { ...r, json };
};

t.test('a regulator runs the Regulatory OS from the command line', async (tt) => {
  const granted = await send(cb, 'gov', 'propose', { action: makeAction(ActionKind.GRANT_ROLE, { institution: raw(cb.address), role: gov.Role.REGULATOR }), reason: 'the central bank supervises' });
  tt.equal(granted.status, 'committed', 'the council grants the central bank the regulator role');

  // Three lanes at once (each signer's transactions in turn): the typologies and bad input
  // (offline); the regulator's lists and rules; the commercial bank, which may not register a
  // rule but may set its customer's jurisdiction.
  writeFileSync(file('high-risk.txt'), '# FATF high-risk, as of this test\nXX\n\nYY\n');
  writeFileSync(file('watched.cel'), 'inList("watch", to.address) && tx.amount >= 100000\n');
  const offline = Promise.all([
    ok(tt, 'templates', 'templates', '--json'),
    ok(tt, 'a template filled in', 'template', 'structuring', '--param', 'window=2h', '--param', 'count=4'),
    ok(tt, 'a template filled in, as JSON', 'template', 'high-risk-jurisdiction', '--param', 'amount=1000', '--json'),
    fails(tt, 2, 'a rule id without a version', 'register', 'watched', '--source-text', 'true', '--action', 'flag', '--legal-ref', 'x', ...as('Central Bank')),
  ]);
  const byBankLane = (async () => {
    const tried = await fails(tt, 1, 'a commercial bank registers a rule', 'register', 'mine@1', '--source-text', 'true', '--action', 'flag', '--legal-ref', 'none', '--json', ...as('Commercial Bank'));
    const jurisdiction = await ok(tt, "the bank sets its customer's jurisdiction", 'jurisdiction', c3.address, 'xx', '--legal-ref', 'AML Act s.9', '--json', ...as('Commercial Bank'));
    return { tried, jurisdiction };
  })();
  const byRegulator = (async () => {
    const watch = await ok(tt, 'the watch list', 'list-update', 'watch', '--add', c2.address, '--add', 'someone else', '--legal-ref', 'AML Act s.7', '--json', ...as('Central Bank'));
    const fromFile = await ok(tt, 'a list from a file', 'list-update', 'high-risk-jurisdictions', '--file', file('high-risk.txt'), '--legal-ref', 'FATF 2026-02', ...as('Central Bank'));
    const watched = await ok(tt, 'a rule from a file', 'register', 'watched@1', '--source', file('watched.cel'), '--action', 'flag', '--severity', '3', '--currency', CUR, '--type', 'transfer',
      '--legal-ref', 'AML Act s.5', '--activation', '+20', '--json', ...as('Central Bank'));
    const risky = await ok(tt, 'a rule from a typology', 'register', 'risky@1', '--template', 'high-risk-jurisdiction', '--param', 'amount=1000', '--legal-ref', 'AML Act s.6', '--activation', '+20', ...as('Central Bank'));
    const badSource = await fails(tt, 1, 'a source that does not compile', 'register', 'broken@1', '--source-text', 'tx.amount >', '--action', 'flag', '--legal-ref', 'x', '--json', ...as('Central Bank'));
    return { watch, fromFile, watched, risky, badSource };
  })();
  const [[templates, filled, filledJson, badId], { tried, jurisdiction }, { watch, fromFile, watched, risky, badSource }] = await Promise.all([offline, byBankLane, byRegulator]);

  tt.same(templates.templates.map((x: { name: string }) => x.name), comp.TYPOLOGIES.map((x) => x.name), 'every typology');
  tt.match(templates.templates[0], { name: 'structuring', action: 'flag', params: { threshold: { default: '1000000' } }, source: comp.typologySource('structuring') });
  tt.equal(filled.trim(), compTemplateSource('structuring', { window: 7_200_000n, count: 4n }), 'the source, with a duration in hours');
  tt.match(filledJson, { name: 'high-risk-jurisdiction', action: 'hold', lists: ['high-risk-jurisdictions'], params: { amount: '1000' }, source: compTemplateSource('high-risk-jurisdiction', { amount: 1000n }) });
  tt.match(badId.err, /a rule id is name@version/);

  tt.match(tried.json, { ok: false, status: 'failed', code: 'NOT_AUTHORIZED' }, 'a commercial bank is no regulator');
  tt.match(tried.err, /NOT_AUTHORIZED: .*lacks the role/);
  tt.match(jurisdiction, { ok: true, jurisdiction: 'XX' }, 'upper-cased');

  // Lists: an address is written as the rules see it.
  tt.match(watch, { ok: true, list: 'watch', added: 2, removed: 0, add: [toHex(raw(c2.address)), 'someone else'] });
  tt.equal(watch.transactions.length, 1, 'one transaction');
  tt.match(fromFile, /^high-risk-jurisdictions: 2 added, 0 removed in 1 transaction \(0x[0-9a-f]{64} at height \d+\)/);
  const listed = await client.getRecord({ kind: 'comp_list', list: 'watch', value: compListEntry(c2.address, m.address_prefix) });
  tt.match(listed.value, { legalRef: 'AML Act s.7' }, 'on the list as 40 hex digits');

  // Rules: from a file, from a typology (its usual action, hold); a bad source.
  tt.match(watched, { ok: true, rule: 'watched@1', action: 'flag', severity: 3, status: 'active' });
  tt.ok(watched.cost > 0, 'its worst-case cost');
  const riskyLine = /^registered risky@1: hold, active from height (\d+), worst-case cost (\d+) \(tx 0x[0-9a-f]{64} at height (\d+)\)/.exec(risky);
  tt.ok(riskyLine, `the summary: ${risky}`);
  tt.match(badSource.json, { ok: false, method: 'comp.register_rule', status: 'failed', code: 'RULE_INVALID', message: /RULE_PARSE/ }, 'RULE_INVALID with the rule language\'s message');
  tt.match(badSource.err, /comp\.register_rule failed at height \d+: RULE_INVALID: RULE_PARSE/);
  const activation = Math.max(watched.activation, Number(riskyLine?.[1] ?? 0));
  await waitFor(async () => (await client.status()).height >= activation, 'the rules in force', 30_000);

  // Payments: one flagged (to a watched account), two held (to an account in a high-risk jurisdiction).
  const pay = (from: typeof c1, to: typeof c1, amount: bigint) => send(from, 'money', 'transfer', { currency: CUR, to: raw(to.address), amount, memo: '', reference: '' });
  const paid = [await pay(c1, c2, 200_000n), await pay(c1, c3, 5_000n), await pay(c2, c3, 7_000n)];
  tt.same(paid.map((p) => p.status), ['committed', 'committed', 'committed'], 'the payments go through (flagged, held)');

  const [byAccount, byRule, summary, noKey, held, rules, rulesText] = await Promise.all([
    ok(tt, "customer-2's alerts", 'alerts', '--account', c2.address, '--json', ...asRegulator),
    ok(tt, "the rule's alerts, every page", 'alerts', '--rule', 'watched@1', '--from', '2020-01-01', '--all', '--limit', '1', '--json', ...asRegulator),
    ok(tt, 'the alerts, summarized', 'alerts', '--account', c1.address, ...asRegulator),
    fails(tt, 2, 'the alerts without a key', 'alerts', '--account', c2.address, ...rpc),
    ok(tt, 'the holds (the key from the environment)', 'holds', '--status', 'held', '--json', ...rpc, '--api-key-env', 'COMP_CLI_REGULATOR_KEY'),
    ok(tt, 'the rules', 'rules', '--json', ...rpc),
    ok(tt, 'the rules, summarized', 'rules', ...rpc),
  ]);
  const alert = { rule: 'watched@1', severity: 3, from: c1.address, to: c2.address, amount: '200000', currency: CUR, height: paid[0]!.height, tx: { hash: paid[0]!.hash } };
  tt.match(byAccount, { items: [alert], next: null });
  tt.equal(byAccount.items.length, 1, 'one alert');
  tt.match(byRule, { items: [alert], next: null }, 'by rule, from a date');
  tt.match(summary, /^1 alert \(account .*\) at height \d+:\n.*height \d+  watched@1 \(severity 3\)  \S+ -> \S+  200000 /);
  tt.match(noKey.err, /comp_alerts refused: .*\(an RPC API key with the regulator role reads it: --api-key KEY or --api-key-env VAR\)/);
  tt.same(held.items.map((h: { id: number; rule: string; status: string; from: string; to: string; amount: string }) => [h.id, h.rule, h.status, h.from, h.to, h.amount]), [
    [1, 'risky@1', 'held', c1.address, c3.address, '5000'],
    [2, 'risky@1', 'held', c2.address, c3.address, '7000'],
  ], 'two holds');
  tt.same(rules.rules.map((r: { id: string; action: string; status: string; severity: number; source: string; scope: { currencies: string[]; types: string[] }; legalRef: string }) =>
    [r.id, r.action, r.status, r.severity, r.source, r.scope.currencies, r.scope.types, r.legalRef]), [
    ['risky@1', 'hold', 'active', 1, compTemplateSource('high-risk-jurisdiction', { amount: 1000n }), [], [], 'AML Act s.6'],
    ['watched@1', 'flag', 'active', 3, 'inList("watch", to.address) && tx.amount >= 100000\n', [CUR], ['transfer'], 'AML Act s.5'],
  ], 'the rules in force, as registered');
  tt.match(rulesText, /^2 rules in force at height \d+, in the order they run:\nrisky@1  hold  active  severity 1  cost \d+/);

  // Decisions on the holds: the regulator releases one, the payee's bank refuses the other.
  const [released, refusedByBank, noKeyGiven] = await Promise.all([
    ok(tt, 'release hold 1', 'release', '1', '--reason', 'documents checked', '--json', ...as('Central Bank')),
    ok(tt, 'refuse hold 2', 'refuse', '2', '--reason', 'no invoice', ...as('Commercial Bank')),
    fails(tt, 2, 'a decision without a key', 'refuse', '2', '--reason', 'no invoice', ...rpc),
  ]);
  tt.match(released, { ok: true, hold: 1, status: 'released' });
  tt.match(refusedByBank, /^hold 2 refused \(tx 0x/);
  tt.match(noKeyGiven.err, /required option '-k, --key <file>'/);
  // And, beside the second look at them, a rule retired (final).
  const [settled, again, retired] = await Promise.all([
    ok(tt, 'the holds again', 'holds', '--institution', bank.address, '--json', ...asRegulator),
    fails(tt, 1, 'refuse it twice', 'refuse', '2', '--reason', 'again', ...as('Commercial Bank')),
    ok(tt, 'retire the watched rule', 'status', 'watched@1', 'retired', '--legal-ref', 'AML Act s.5 repealed', '--json', ...as('Central Bank')),
  ]);
  tt.same(settled.items.map((h: { id: number; status: string; reason: string; decidedBy: string }) => [h.id, h.status, h.reason, h.decidedBy]),
    [[1, 'released', 'documents checked', cb.address], [2, 'refused', 'no invoice', bank.address]]);
  tt.match(again.err, /HOLD_SETTLED: hold 2 is refused already/);

  tt.match(retired, { ok: true, rule: 'watched@1', status: 'retired' });
  const [after, revive] = await Promise.all([
    ok(tt, 'the rules after', 'rules', '--json', ...rpc),
    fails(tt, 1, 'a retired rule stays retired', 'status', 'watched@1', 'active', '--legal-ref', 'x', '--json', ...as('Central Bank')),
  ]);
  tt.same(after.rules.map((r: { id: string }) => r.id), ['risky@1'], 'the retired rule left the rules in force');
  tt.match(revive.json, { code: 'BAD_RULE_STATUS' });
});
