/**
 * Backtesting on a real node (in this process): the regulator registers, all live from one
 * height F, a velocity rule twice (shadow, and active as a flag) and a large-amount rule twice
 * (shadow, and active as a hold); customers then pay each other. comp_backtest over F..head
 * with the same sources finds exactly the payments the active rules flagged and held and the
 * shadow rules recorded (same transaction, payer, payee, amount and decision), no replay
 * differs from its committed receipt, and bad requests are refused with their reasons.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode, decodeAddress, encodeAddress, fromHex } from '../../core/index.js';
import { ActionKind, hashSecret, makeAction, RpcCallError, RpcCodes, SovClient, type BacktestResult } from '../../rpc/index.js';
import { comp, gov } from '../../vm/index.js';
import { repoPath, waitFor } from '../../test/index.js';
import { inProcessChain } from './in-process-chain.js';

const REGULATOR_SECRET = 'sov_comp-backtest-regulator-secret';
const BANK_SECRET = 'sov_comp-backtest-bank-secret';
const chain = inProcessChain(t, (net) => {
  writeFileSync(join(net.manifest.nodes[0]!.home, 'rpc-keys.toml'), [
    `[[key]]\nname = "regulator"\nsha256 = "${hashSecret(REGULATOR_SECRET)}"\nroles = ["regulator"]\n`,
    `[[key]]\nname = "bank"\nsha256 = "${hashSecret(BANK_SECRET)}"\nroles = ["bank"]\n`,
  ].join('\n'));
  net.setConfig(0, 'rpc', 'api_keys_file', '"rpc-keys.toml"');
});
const { manifest: m, client, send } = chain;
const regulator = new SovClient(m.nodes[0]!.rpc_url, { apiKey: REGULATOR_SECRET });
const bankKey = new SovClient(m.nodes[0]!.rpc_url, { apiKey: BANK_SECRET });
const cb = chain.accounts['Central Bank']!;
const customers = [1, 2, 3, 4].map((i) => chain.accounts[`customer-${i}`]!);
const raw = (a: string) => decodeAddress(a, m.address_prefix);
const addr = (b: Uint8Array) => encodeAddress(m.address_prefix, b);
const CUR = m.currency.code;

const VELOCITY = 'countOut(from.address, 3600000) >= 2';
const LARGE = 'tx.amount >= 3000000';

async function codeOf(p: Promise<unknown>): Promise<{ code: number | null; message: string }> {
  try {
    await p;
    return { code: null, message: '' };
  } catch (e) {
    if (e instanceof RpcCallError) return { code: e.rpcCode, message: e.message };
    throw e;
  }
}

interface TxView { hash: string; height: number; index: number; receipt: { status: string; events: { module: string; name: string; data: string }[] } }
/** A payment as a finding names it. */
const key = (tx: string, from: string, to: string, amount: bigint | string) => `${tx} ${from}->${to} ${amount}`;

t.test('a backtest finds what the same rule decided active and recorded in shadow', async (tt) => {
  const ok = async (p: ReturnType<typeof send>, what: string) => {
    const r = await p;
    tt.equal(r.status, 'committed', `${what}${r.message ? `: ${r.message}` : ''}`);
    return r;
  };
  await ok(send(cb, 'gov', 'propose', { action: makeAction(ActionKind.GRANT_ROLE, { institution: raw(cb.address), role: gov.Role.REGULATOR }), reason: 'supervision' }), 'the regulator role');
  // Far enough ahead for the four registrations to land first, however busy the machine (50 ms blocks).
  const F = (await client.status()).height + 40;
  const rule = (name: string, source: string, action: number, shadow: boolean) => ({
    name, version: 1, source, scope: { currencies: [], types: [], institutions: [] }, action, severity: 2, activation: F, shadow, legalRef: 'AML Act s.9',
  });
  await ok(send(cb, 'comp', 'register_rule', rule('velocity-shadow', VELOCITY, comp.RuleAction.FLAG, true)), 'velocity in shadow');
  await ok(send(cb, 'comp', 'register_rule', rule('velocity', VELOCITY, comp.RuleAction.FLAG, false)), 'velocity active');
  await ok(send(cb, 'comp', 'register_rule', rule('large-shadow', LARGE, comp.RuleAction.HOLD, true)), 'large in shadow');
  await ok(send(cb, 'comp', 'register_rule', rule('large', LARGE, comp.RuleAction.HOLD, false)), 'large active, holding');
  tt.ok((await client.status()).height < F, 'registered before they are live');
  await waitFor(async () => (await client.status()).height >= F, 'the rules live', 30_000);

  // Customers pay each other: some pay twice or more within the hour, a few large amounts.
  const plan: [number, number, bigint][] = [
    [0, 1, 10_000n], [1, 2, 20_000n], [0, 2, 30_000n], [2, 3, 3_500_000n], [0, 3, 40_000n], [3, 0, 50_000n],
    [1, 0, 4_000_000n], [2, 0, 60_000n], [1, 3, 70_000n], [3, 1, 80_000n], [0, 1, 5_000_000n], [2, 1, 90_000n],
  ];
  const hashes: string[] = [];
  for (const [f, to, a] of plan) {
    const r = await ok(send(customers[f]!, 'money', 'transfer', { currency: CUR, to: raw(customers[to]!.address), amount: a, memo: '', reference: '' }), `${f} pays ${to} ${a}`);
    hashes.push(r.hash);
  }
  const H = (await client.status()).height;

  // What the committed receipts say.
  const flagged = new Set<string>();
  const held = new Set<string>();
  const shadowFlag = new Set<string>();
  const shadowHold = new Set<string>();
  for (const h of hashes) {
    const v = await client.call<TxView>('sov_getTransaction', [h]);
    for (const e of v.receipt.events) {
      if (e.module !== 'comp') continue;
      const data = fromHex(e.data);
      if (e.name === 'alert') {
        const a = decode(comp.AlertEvent, data);
        if (a.rule === 'velocity@1') flagged.add(key(v.hash, addr(a.from), addr(a.to), a.amount));
      } else if (e.name === 'held') {
        const x = decode(comp.HeldEvent, data);
        if (x.rule === 'large@1') held.add(key(v.hash, addr(x.from), addr(x.to), x.amount));
      } else if (e.name === 'shadow_decision') {
        const s = decode(comp.ShadowDecisionEvent, data);
        const k = key(v.hash, addr(s.from), addr(s.to), s.amount);
        if (s.rule === 'velocity-shadow@1' && s.decision === comp.Decision.FLAG) shadowFlag.add(k);
        if (s.rule === 'large-shadow@1' && s.decision === comp.Decision.HOLD) shadowHold.add(k);
      }
    }
  }
  tt.ok(flagged.size >= 3 && held.size === 3, `the traffic was flagged (${flagged.size}) and held (${held.size})`);
  tt.same([...shadowFlag].sort(), [...flagged].sort(), 'the shadow velocity rule recorded what the active one flagged');
  tt.same([...shadowHold].sort(), [...held].sort(), 'the shadow large rule recorded what the active one held');

  const run = (name: string, source: string, action: string) => regulator.call<BacktestResult>('comp_backtest', { name, source, action, from: F, to: H });
  const vb = await run('try-velocity', VELOCITY, 'flag');
  const found = (r: BacktestResult, d: string) => r.findings.filter((f) => f.decision === d).map((f) => key(f.tx, f.from, f.to, f.amount)).sort();
  tt.same(found(vb, 'flag'), [...flagged].sort(), 'the backtest of the velocity rule finds what it flagged');
  tt.same(vb.decisions, { pass: plan.length - flagged.size, refuse: 0, flag: flagged.size, hold: 0, error: 0, travel: 0 }, 'and passed the rest');
  tt.same([vb.rule, vb.from, vb.to, vb.payments, vb.diverged, vb.truncated], ['try-velocity@1', F, H, plan.length, [], false], 'every payment evaluated once; no replay differed');
  const lb = await run('try-large', LARGE, 'hold');
  tt.same(found(lb, 'hold'), [...held].sort(), 'the backtest of the large rule finds what it held');
  const rb = await run('try-refuse', LARGE, 'refuse');
  tt.same(found(rb, 'refuse'), [...held].sort(), 'as a refuse rule, it would have refused the same payments');

  // The same through the command line, and a typology's template.
  const cli = (...args: string[]) => new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile(process.execPath, [repoPath('bin/sov.js'), 'compliance', 'backtest', ...args, '--rpc', m.nodes[0]!.rpc_url, '--api-key', REGULATOR_SECRET], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' } }, (e, out, err) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err });
    });
  });
  const viaCli = await cli('--source-text', VELOCITY, '--action', 'flag', '--from', String(F), '--to', String(H), '--name', 'cli-velocity@1', '--json');
  tt.equal(viaCli.code, 0, `sov compliance backtest ${viaCli.err}`);
  tt.same(found(JSON.parse(viaCli.out) as BacktestResult, 'flag'), [...flagged].sort(), 'sov compliance backtest finds the same');
  const human = await cli('--source-text', VELOCITY, '--action', 'flag', '--from', String(F), '--to', String(H));
  tt.match(human.out, new RegExp(`candidate@1 \\(worst-case cost \\d+\\) over blocks ${F}\\.\\.${H}: ${plan.length} transactions, ${plan.length} payments checked\\n  would have: refused 0, flagged ${flagged.size}, held 0; passed ${plan.length - flagged.size}; errored 0`), 'and says so in words');
  const noKey = await new Promise<number>((resolve) => execFile(process.execPath, [repoPath('bin/sov.js'), 'compliance', 'backtest', '--source-text', VELOCITY, '--action', 'flag', '--from', String(F), '--to', String(H), '--rpc', m.nodes[0]!.rpc_url], { env: { ...process.env, NODE_OPTIONS: '' } }, (e) => resolve(e ? Number(e.code) : 0)));
  tt.equal(noKey, 2, 'without the regulator key: refused, exit 2');

  // Refusals, with their reasons.
  const bad = await codeOf(run('broken', 'tx.amount >', 'flag'));
  tt.equal(bad.code, RpcCodes.INVALID_PARAMS);
  tt.match(bad.message, /RULE_INVALID/, 'a source that does not compile');
  const taken = await codeOf(run('velocity', VELOCITY, 'flag'));
  tt.match([taken.code, taken.message], [RpcCodes.INVALID_PARAMS, /RULE_EXISTS/], 'a registered rule id');
  tt.equal((await codeOf(regulator.call('comp_backtest', { source: VELOCITY, action: 'flag', from: F, to: H + 1000 }))).code, RpcCodes.NOT_FOUND, 'a range past the head');
  const badScope = await codeOf(regulator.call('comp_backtest', { source: VELOCITY, action: 'flag', from: F, to: H, scope: { institutions: ['dev1notanaddress'] } }));
  tt.equal(badScope.code, RpcCodes.INVALID_PARAMS, 'a scope institution that is not an address');
  tt.equal((await codeOf(bankKey.call('comp_backtest', { source: VELOCITY, action: 'flag', from: F, to: H }))).code, RpcCodes.UNAUTHORIZED, 'a bank key');
  tt.equal((await codeOf(client.call('comp_backtest', { source: VELOCITY, action: 'flag', from: F, to: H }))).code, RpcCodes.UNAUTHORIZED, 'the public');
});
