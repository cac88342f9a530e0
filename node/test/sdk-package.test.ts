/**
 * The SDK as an integrator gets it: the repository packed (`npm pack`), installed from the
 * tarball into a project outside the repository, and used through the package's entry point
 * (its exports map) by a program of 30 lines or fewer that trusts the genesis validator set,
 * reads a proven balance, subscribes over a WebSocket that reconnects, sends a transfer and
 * waits for its receipt, and receives the transfer's decoded event though the test cuts the
 * WebSocket (a TCP proxy drops every connection) in the middle. Also: the package exposes no
 * internal path (a deep import is refused by the exports map).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { createServer, connect, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inProcessChain } from './in-process-chain.js';
import { installedSdk, run } from './sdk-project.js';

const chain = inProcessChain(t);
const { manifest: m } = chain;
const dir = mkdtempSync(join(tmpdir(), 'sov-sdk-project-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** The program an integrator writes (counted: at most 30 lines). */
const PROGRAM = `import { SovClient, ResilientSocket, Wallet, trustGenesis, getBalance, waitForReceipt, loadKeystore, parseAmount, formatAmount, decodeAddress } from 'sovereign-ledger';
const { RPC, GENESIS, KEYSTORE, PASSWORD, FROM, TO, CUR } = process.env;
const trust = await trustGenesis({ path: GENESIS });
const client = new SovClient(RPC);
const before = await getBalance(client, FROM, CUR, trust);
console.log(JSON.stringify({ step: 'balance', amount: formatAmount(before.amount, 2), verified: before.verified }));
const ws = await ResilientSocket.connect(RPC, { onState: (s) => console.log(JSON.stringify({ step: 'socket', state: s })) });
let resolve;
const got = new Promise((r) => (resolve = r));
await ws.subscribe('account', { address: TO }, (n) => {
  for (const tx of n.result.txs) for (const e of tx.events) if (e.module === 'money' && e.name === 'transfer') resolve(e.fields);
});
console.log(JSON.stringify({ step: 'ready' }));
await new Promise((r) => process.stdin.once('data', () => r(process.stdin.destroy())));
const wallet = new Wallet(client, [await loadKeystore(KEYSTORE, PASSWORD)]);
const sent = await wallet.tx.money.transfer({ currency: CUR, to: decodeAddress(TO, trust.addressPrefix), amount: parseAmount('12.34', 2), memo: 'sdk', reference: '' });
const receipt = await waitForReceipt(client, sent.hash);
console.log(JSON.stringify({ step: 'receipt', status: receipt.receipt.status }));
console.log(JSON.stringify({ step: 'event', fields: await got }));
await ws.close();
`;

t.test('installed from its tarball, the SDK does the integrator\'s first program in 30 lines', async (tt) => {
  tt.ok(PROGRAM.trimEnd().split('\n').length <= 30, 'the program is at most 30 lines');
  const project = await installedSdk(tt, dir, 'bank-integration');
  writeFileSync(join(project, 'main.mjs'), PROGRAM);
  const deep = await run(process.execPath, ['--input-type=module', '-e', "await import('sovereign-ledger/dist/node/node.js')"], project);
  tt.match(deep.out, /ERR_PACKAGE_PATH_NOT_EXPORTED/, 'internal paths are not exported');

  // A proxy in front of the node's RPC port, which the test can cut.
  const target = new URL(m.nodes[0]!.rpc_url);
  const open = new Set<Socket>();
  const proxy = createServer((c) => {
    const up = connect(Number(target.port), target.hostname);
    open.add(c);
    c.pipe(up).pipe(c);
    const drop = () => {
      open.delete(c);
      c.destroy();
      up.destroy();
    };
    c.on('error', drop).on('close', drop);
    up.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  tt.teardown(() => proxy.close());
  const port = (proxy.address() as { port: number }).port;

  const from = chain.accounts['customer-1']!;
  const to = chain.accounts['customer-2']!;
  const ks = m.accounts.find((a) => a.name === 'customer-1')!.keystore;
  const child = spawn(process.execPath, ['main.mjs'], {
    cwd: project, stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', RPC: `http://127.0.0.1:${port}`, GENESIS: join(m.nodes[0]!.home, 'genesis.json'), KEYSTORE: ks, PASSWORD: readFileSync(m.accounts_password_file, 'utf8').split('\n')[0]!, FROM: from.address, TO: to.address, CUR: m.currency.code },
  });
  tt.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const steps: Record<string, unknown>[] = [];
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const s = JSON.parse(buf.slice(0, i)) as Record<string, unknown>;
      buf = buf.slice(i + 1);
      steps.push(s);
      if (s.step === 'ready') {
        // Cut every connection (the WebSocket among them), then let the program go on.
        for (const c of open) c.destroy();
        child.stdin.write('go\n');
      }
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const code = await done;
  clearTimeout(timer);
  tt.equal(code, 0, `the program ran: ${err} ${JSON.stringify(steps)}`);
  const by = (k: string) => steps.filter((s) => s.step === k);
  tt.match(by('balance')[0], { verified: true, amount: /^\d+\.\d\d$/ }, 'a proven balance, checked against the genesis validator set');
  tt.ok(by('socket').some((s) => s.state === 'down') && by('socket').some((s) => s.state === 'up'), 'the WebSocket was cut and reconnected');
  tt.match(by('receipt')[0], { status: 'ok' }, 'the transfer committed and its receipt came back');
  tt.match(by('event')[0], { fields: { from: from.address, to: to.address, amount: '1234', currency: m.currency.code, memo: 'sdk' } }, 'its decoded event arrived over the reconnected socket');
});
