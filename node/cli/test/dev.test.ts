/**
 * `sov dev` as a developer runs it: a single-validator chain created on first use in the
 * given home, its RPC on `--port`, ready at once (GET /ready), and no per-address rate limit:
 * a script posting several hundred calls a second from one address gets every answer (a
 * production node's default would refuse calls past 50 a second with -32003); a second dev
 * chain on the same ports stops with one line naming the config key and the port. It prints
 * its RPC URL and accounts with their keystores on start.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath, reservePorts, waitFor } from '../../../test/index.js';

t.test('sov dev: a ready chain on --port, and no per-address rate limit', async (tt) => {
  const dir = mkdtempSync(join(tmpdir(), 'sov-dev-'));
  // The dev chain's p2p, RPC and metrics ports: --port - 1, --port, --port + 1.
  const ports = reservePorts(1);
  tt.teardown(() => ports.release());
  const port = ports.base + 1;
  const child = spawn(process.execPath, [repoPath('bin/sov.js'), 'dev', '--home', join(dir, 'dev'), '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' },
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  tt.teardown(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}/`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`sov dev exited: ${stderr}`);
    try {
      return (await fetch(`${url}ready`)).status === 200;
    } catch {
      return false;
    }
  }, 'the dev chain ready', 90_000, 100);
  // It prints its RPC URL and every account with its keystore, as anvil and hardhat do.
  await waitFor(async () => stdout.includes('Accounts'), 'the banner', 30_000, 50);
  tt.match(stdout, new RegExp(`RPC +http://127\\.0\\.0\\.1:${port}`), 'the RPC URL');
  for (const name of ['Central Bank', 'Commercial Bank', 'Tax Office', 'Welfare Agency', 'customer-1']) tt.match(stdout, name, `the account ${name}`);
  tt.match(stdout, /keystore .*accounts\/customer-1\.json/, 'its keystore');
  const call = async (): Promise<unknown> => (await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"sov_status","params":[]}' })).json());
  // 300 calls from 8 workers, one after another each: several hundred a second from one address.
  const answers: unknown[] = [];
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (answers.length < 300) answers.push(await call());
  }));
  const perSecond = answers.length / Math.max(0.001, (Date.now() - t0) / 1000);
  tt.ok(perSecond > 50, `faster than a production node's 50 calls a second (${Math.round(perSecond)}/s)`);
  const limited = answers.filter((a) => (a as { error?: { code: number } }).error?.code === -32003).length;
  tt.equal(limited, 0, `${answers.length} calls from one address: none rate-limited`);
  tt.ok(answers.every((a) => (a as { result?: { chainId?: string } }).result?.chainId === 'sov-dev'), 'every call answered');
  // A second dev chain on the same ports: one line naming the config key and the port, before its store is opened.
  const second = spawn(process.execPath, [repoPath('bin/sov.js'), 'dev', '--home', join(dir, 'second'), '--port', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' },
  });
  let secondErr = '';
  second.stderr.on('data', (d: Buffer) => void (secondErr += d.toString()));
  const secondCode = await new Promise<number | null>((resolve) => second.once('exit', resolve));
  const lines = secondErr.split('\n').filter((l) => l.startsWith('sov: '));
  tt.equal(secondCode, 2, 'a port in use: exit status 2');
  tt.match(lines.join('\n'), /^sov: NODE_PORT_IN_USE: \[p2p\] listen = 127\.0\.0\.1:[0-9]+: port [0-9]+ is in use$/, `one line names the key and the port: ${lines.join(' | ')}`);
  tt.notOk(existsSync(join(dir, 'second', 'node0', 'data', 'ledger')), 'no store was opened');
  const bad = spawn(process.execPath, [repoPath('bin/sov.js'), 'dev', '--home', join(dir, 'other'), '--port', '80'], { stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } });
  const code = await new Promise<number | null>((resolve) => bad.once('exit', resolve));
  tt.equal(code, 2, 'a port outside 1025..65534 is refused');
});
