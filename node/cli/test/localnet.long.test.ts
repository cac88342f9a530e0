/**
 * `sov localnet`: one command makes a 2-validator testnet and starts it; both nodes' logs come
 * out interleaved, each line labelled with its node; the nodes commit; SIGINT stops them all
 * and the command exits 0 with nothing left running. Run again on the same directory it
 * reuses the testnet; a node that fails on its own (a broken config) stops the others and the
 * command exits 1.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath, reservePorts, waitFor } from '../../../test/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sov-localnet-'));
const net = join(dir, 'net');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const ports = reservePorts(2);
t.teardown(() => ports.release());
const base = ports.base;

function localnet(): { out: () => string; exit: Promise<number | null>; kill: (s: NodeJS.Signals) => void } {
  const p = spawn(process.execPath, [repoPath('bin/sov.js'), 'localnet', '--dir', net, '-n', '2', '--base-port', String(base), '--accounts', '1'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => p.once('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (p.exitCode === null) p.kill('SIGKILL');
  });
  return { out: () => out, exit, kill: (s) => p.kill(s) };
}

const height = async (port: number): Promise<number> => {
  try {
    const res = await fetch(`http://127.0.0.1:${port}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sov_status', params: [] }), signal: AbortSignal.timeout(2000) });
    return ((await res.json()) as { result: { height: number } }).result.height;
  } catch {
    return -1;
  }
};

t.test('one command: a network started, labelled, committing, stopped together', async (tt) => {
  const run = localnet();
  await waitFor(async () => (await height(base + 1)) >= 2 && (await height(base + 11)) >= 2, 'both nodes at height 2', 90_000, 250);
  tt.match(run.out(), /^localnet sov-testnet: 2 nodes from .*; RPC node0 http:\/\/127\.0\.0\.1:\d+, node1/m, 'it says what it started');
  tt.match(run.out(), /^node0 \| \S/m, "node0's lines are labelled");
  tt.match(run.out(), /^node1 \| \S/m, "node1's lines are labelled");
  run.kill('SIGINT');
  tt.equal(await run.exit, 0, 'Ctrl-C: exit 0');
  tt.match(run.out(), /localnet stopped\n$/, 'it says so');
  tt.same([await height(base + 1), await height(base + 11)], [-1, -1], 'no node is left running');
});

t.test('a node that fails on its own stops the others, exit 1', async (tt) => {
  const cfg = join(net, 'node1', 'config.toml');
  writeFileSync(cfg, readFileSync(cfg, 'utf8').replace(/^moniker = .*$/m, 'moniker = 42'));
  const run = localnet();
  tt.equal(await run.exit, 1, 'exit 1');
  tt.match(run.out(), /^node1 \| exited on its own \(code \d+\): stopping the others$/m, 'the failed node is named');
  tt.match(run.out(), /localnet stopped: a node exited on its own/);
  tt.equal(await height(base + 1), -1, 'node0 was stopped too');
});
