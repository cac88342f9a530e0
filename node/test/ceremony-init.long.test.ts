/**
 * From the genesis ceremony to a running network with no hand edits: four bodies make their
 * keys and sign their entries (each validator with its node's p2p address on 127.0.0.1), the
 * coordinator collects and builds genesis.json; each body runs `sov init --genesis` with its
 * own keystores and ports; the four nodes start (`sov start --home`), find each other from
 * the addresses signed into genesis, and commit blocks. `sov init` refuses a key outside the
 * genesis set, a node key other than the one the entry names, and a non-empty home, writing
 * nothing; without a validator key it writes an observer's home.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath, reservePorts, waitFor } from '../../test/index.js';
import { NODE_V8_FLAGS } from '../index.js';

interface Run { status: number | null; stdout: string; stderr: string }
function sov(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [repoPath('bin/sov.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
async function pairs<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < jobs.length; i += 2) out.push(...(await Promise.all(jobs.slice(i, i + 2).map((j) => j()))));
  return out;
}

const BODIES = ['Central Bank', 'Ministry of Finance', 'Financial Regulator', 'Ministry of Interior'];
const INSTITUTIONS = [...BODIES, 'Commercial Bank A'];
const slug = (s: string): string => s.toLowerCase().replace(/ /g, '-');

const dir = mkdtempSync(join(tmpdir(), 'sov-ceremony-init-'));
const procs: ChildProcess[] = [];
t.teardown(async () => {
  await Promise.all(procs.map((p) => new Promise<void>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill('SIGKILL');
  })));
  if (!process.env.SOV_KEEP_DEVNET) rmSync(dir, { recursive: true, force: true });
});
const f = (name: string): string => join(dir, name);
const ports = reservePorts(BODIES.length);
t.teardown(() => ports.release());
const base = ports.base;
const p2pPort = (i: number) => base + 10 * i;

t.test('ceremony, sov init for each validator, and the network commits', async (tt) => {
  const init = await sov('genesis', 'init', '--chain-id', 'meridia-1', '--jurisdiction', 'MR', '--out', f('t.toml'));
  tt.equal(init.status, 0, init.stderr);
  writeFileSync(f('pw'), 'a long enough password\n');
  const pw = ['--password-file', f('pw')];
  const gen = (file: string, type: string) => () => sov('keys', 'generate', '--type', type, '--out', f(file), '--scrypt-n', '1024', ...pw);
  for (const m of await pairs([
    ...BODIES.map((b) => gen(`${slug(b)}-validator.json`, 'validator')),
    ...BODIES.map((b) => gen(`${slug(b)}-node.json`, 'node')),
    ...INSTITUTIONS.map((i) => gen(`${slug(i)}-account.json`, 'account')),
    gen('stranger-validator.json', 'validator'),
  ])) tt.equal(m.status, 0, m.stderr);
  const contributions: string[] = [];
  for (const s of await pairs([
    ...BODIES.map((b, i) => () => {
      contributions.push(f(`${slug(b)}-v.json`));
      return sov('genesis', 'contribute', '--template', f('t.toml'), '--entry', 'validator', '--name', b, '--key', f(`${slug(b)}-validator.json`),
        '--node-key', f(`${slug(b)}-node.json`), '--p2p-address', `127.0.0.1:${p2pPort(i)}`, '--out', f(`${slug(b)}-v.json`), ...pw);
    }),
    ...INSTITUTIONS.map((n) => () => {
      contributions.push(f(`${slug(n)}-i.json`));
      return sov('genesis', 'contribute', '--template', f('t.toml'), '--entry', 'institution', '--name', n, '--key', f(`${slug(n)}-account.json`), '--out', f(`${slug(n)}-i.json`), ...pw);
    }),
  ])) tt.equal(s.status, 0, s.stderr);
  const col = await sov('genesis', 'collect', '--template', f('t.toml'), ...contributions);
  tt.equal(col.status, 0, col.stderr);
  const built = await sov('genesis', 'build', '--template', f('t.toml'), '--out', f('genesis.json'));
  tt.equal(built.status, 0, built.stderr);

  // Refusals first: nothing is written.
  const stranger = await sov('init', '--genesis', f('genesis.json'), '--home', f('bad1'), '--validator-key', f('stranger-validator.json'), '--node-key', f('central-bank-node.json'), ...pw);
  tt.equal(stranger.status, 2);
  tt.match(stranger.stderr, /is not in the genesis validator set/, 'a validator key outside genesis');
  const wrongNode = await sov('init', '--genesis', f('genesis.json'), '--home', f('bad2'), '--validator-key', f('central-bank-validator.json'), '--node-key', f('ministry-of-finance-node.json'), ...pw);
  tt.equal(wrongNode.status, 2);
  tt.match(wrongNode.stderr, /the genesis names node key [0-9a-f]{64} for Central Bank/, 'a node key other than the entry names');
  tt.notOk(existsSync(f('bad1')) || existsSync(f('bad2')), 'nothing written');
  writeFileSync(f('busy'), '');
  const busy = await sov('init', '--genesis', f('genesis.json'), '--home', dir, ...pw);
  tt.match([busy.status, busy.stderr], [2, /exists and is not empty/], 'a non-empty home is never touched');

  // Each body writes its home from genesis.json, its own keys and its ports.
  const homes = BODIES.map((b) => f(`home-${slug(b)}`));
  for (const [i, b] of BODIES.entries()) {
    const r = await sov('init', '--genesis', f('genesis.json'), '--home', homes[i]!, '--validator-key', f(`${slug(b)}-validator.json`), '--node-key', f(`${slug(b)}-node.json`), ...pw,
      '--listen-host', '127.0.0.1', '--rpc-listen', `127.0.0.1:${p2pPort(i) + 1}`, '--metrics-listen', `127.0.0.1:${p2pPort(i) + 2}`);
    tt.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { mode: string; moniker: string; persistent_peers: number; p2p_listen: string };
    tt.same([out.mode, out.moniker, out.persistent_peers], ['validator', b, 3], `${b}: a validator home with three peers`);
    tt.match(out.p2p_listen, new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/${p2pPort(i)}/p2p/12D3KooW`), 'listening on the port it signed into genesis');
    const shown = await sov('keys', 'show', join(homes[i]!, 'keys', 'node.json'), '--home', homes[i]!);
    tt.match(shown.stdout, out.p2p_listen.split('/p2p/')[1]!, 'sov keys show names the same peer id');
  }
  const cfg = readFileSync(join(homes[0]!, 'config.toml'), 'utf8');
  tt.match(cfg, new RegExp(`persistent_peers = \\[.*/ip4/127\\.0\\.0\\.1/tcp/${p2pPort(1)}/p2p/12D3KooW`), "the other validators' nodes as persistent peers");
  tt.notMatch(cfg, new RegExp(`tcp/${p2pPort(0)}/p2p`), 'not itself');
  const observer = await sov('init', '--genesis', f('genesis.json'), '--home', f('home-observer'));
  tt.equal(observer.status, 0, observer.stderr);
  tt.match(JSON.parse(observer.stdout), { mode: 'observer', persistent_peers: 4 }, 'without a validator key: an observer home with a node key of its own');
  tt.same(readdirSync(f('home-observer')).sort(), ['config.toml', 'genesis.json', 'keys', 'password.txt']);

  // Start them as they are: no hand edits.
  for (const [i, home] of homes.entries()) {
    const fd = openSync(f(`node${i}.log`), 'a');
    procs.push(spawn(process.execPath, [...NODE_V8_FLAGS, repoPath('bin/sov.js'), 'start', '--home', home], { stdio: ['ignore', fd, fd], env: { ...process.env, NODE_OPTIONS: '' } }));
    closeSync(fd);
  }
  const height = async (i: number): Promise<number> => {
    try {
      const res = await fetch(`http://127.0.0.1:${p2pPort(i) + 1}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sov_status', params: [] }), signal: AbortSignal.timeout(3000) });
      return ((await res.json()) as { result: { height: number } }).result.height;
    } catch {
      return -1;
    }
  };
  try {
    await waitFor(async () => (await Promise.all(homes.map((_, i) => height(i)))).every((h) => h >= 3), 'all four nodes at height 3', 120_000, 250);
    tt.pass('the four validators commit blocks');
  } catch (e) {
    for (let i = 0; i < homes.length; i++) tt.comment(`node${i}.log:\n${readFileSync(f(`node${i}.log`), 'utf8').split('\n').slice(-15).join('\n')}`);
    throw e;
  }
});
