/**
 * The whole ceremony through the CLI: `sov genesis init`, four bodies generate their own
 * validator keys (`sov keys generate`) and sign their entries (`sov genesis contribute`), the
 * coordinator collects and builds; `sov genesis validate` accepts the result and the hash is
 * the same on two runs, whatever order the contributions were collected in. Bad
 * contributions and bad templates fail with status 2, the field named, no stack trace.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../../../test/index.js';

interface Run { status: number | null; stdout: string; stderr: string }
function sov(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [repoPath('bin/sov.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Run jobs two at a time (the machine has two cores). */
async function pairs<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < jobs.length; i += 2) out.push(...(await Promise.all(jobs.slice(i, i + 2).map((j) => j()))));
  return out;
}

const BODIES = ['Central Bank', 'Ministry of Finance', 'Financial Regulator', 'Ministry of Interior'];
const INSTITUTIONS = [...BODIES, 'Commercial Bank A'];
const slug = (s: string): string => s.toLowerCase().replace(/ /g, '-');

t.test('ceremony: four bodies, their own keys, one genesis', async (tt) => {
  const dir = mkdtempSync(join(tmpdir(), 'sov-ceremony-'));
  tt.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const f = (name: string): string => join(dir, name);
  const init = await sov('genesis', 'init', '--chain-id', 'ruritania-1', '--jurisdiction', 'RU', '--genesis-time', '2026-05-01T00:00:00Z', '--out', f('t.toml'));
  tt.equal(init.status, 0, init.stderr);
  const draft = await sov('genesis', 'validate', f('t.toml'));
  tt.equal(draft.status, 2, 'an uncollected template is not valid');
  tt.match(draft.stderr, /validators\[0\]\.public_key: missing/);
  writeFileSync(f('pw'), 'a long enough password\n');
  const pw = ['--password-file', f('pw')];

  // Each body makes its own keys with the CLI (each would on its own machine), with a low
  // scrypt cost to keep the test fast (same file format; the default costs ~0.7 s a key).
  const gen = (file: string, type: string) => () => sov('keys', 'generate', '--type', type, '--out', f(file), '--scrypt-n', '1024', ...pw);
  const made = await pairs([
    ...BODIES.map((b) => gen(`${slug(b)}-validator.json`, 'validator')),
    ...BODIES.map((b) => gen(`${slug(b)}-node.json`, 'node')),
    ...INSTITUTIONS.map((i) => gen(`${slug(i)}-account.json`, 'account')),
  ]);
  for (const m of made) tt.equal(m.status, 0, m.stderr);

  // Each body signs its own entries.
  const contributions: string[] = [];
  const signed = await pairs([
    ...BODIES.map((b, i) => () => {
      contributions.push(f(`${slug(b)}-validator.contrib.json`));
      return sov('genesis', 'contribute', '--template', f('t.toml'), '--entry', 'validator', '--name', b, '--key', f(`${slug(b)}-validator.json`),
        '--node-key', f(`${slug(b)}-node.json`), '--p2p-address', `validator${i}.ruritania.example:26656`, '--out', f(`${slug(b)}-validator.contrib.json`), ...pw);
    }),
    ...INSTITUTIONS.map((n) => () => {
      contributions.push(f(`${slug(n)}-institution.contrib.json`));
      return sov('genesis', 'contribute', '--template', f('t.toml'), '--entry', 'institution', '--name', n, '--key', f(`${slug(n)}-account.json`),
        '--out', f(`${slug(n)}-institution.contrib.json`), ...pw);
    }),
  ]);
  for (const s of signed) tt.equal(s.status, 0, s.stderr);
  const c0 = JSON.parse(readFileSync(contributions[0]!, 'utf8')) as Record<string, unknown>;
  tt.equal(c0.entry, 'validator');
  tt.notMatch(JSON.stringify(c0), /secret|ciphertext/, 'no private material in a contribution');

  // The coordinator collects (in two different orders) and builds.
  const col1 = await sov('genesis', 'collect', '--template', f('t.toml'), '--out', f('t1.toml'), ...contributions);
  tt.equal(col1.status, 0, col1.stderr);
  const col2 = await sov('genesis', 'collect', '--template', f('t.toml'), '--out', f('t2.toml'), ...[...contributions].reverse());
  tt.equal(col2.status, 0, col2.stderr);
  const v1 = await sov('genesis', 'validate', f('t1.toml'));
  tt.equal(v1.status, 0, v1.stderr);
  const [b1, b2] = await Promise.all([
    sov('genesis', 'build', '--template', f('t1.toml'), '--out', f('g1.json')),
    sov('genesis', 'build', '--template', f('t2.toml'), '--out', f('g2.json')),
  ]);
  tt.equal(b1!.status, 0, b1!.stderr);
  tt.equal(b2!.status, 0, b2!.stderr);
  const s1 = JSON.parse(b1!.stdout) as { hash: string; state_root: string };
  const s2 = JSON.parse(b2!.stdout) as { hash: string; state_root: string };
  tt.match(s1.hash, /^0x[0-9a-f]{64}$/);
  tt.equal(s1.hash, s2.hash, 'same hash on two runs');
  tt.equal(s1.state_root, s2.state_root);
  tt.equal(readFileSync(f('g1.json'), 'utf8'), readFileSync(f('g2.json'), 'utf8'), 'byte-identical genesis.json');
  const vg = await sov('genesis', 'validate', f('g1.json'));
  tt.equal(vg.status, 0, vg.stderr);
  tt.equal((JSON.parse(vg.stdout) as { hash: string }).hash, s1.hash);

  // A contribution altered after signing, or for another chain, is refused with its field named.
  const bad = JSON.parse(readFileSync(contributions[1]!, 'utf8')) as Record<string, unknown>;
  writeFileSync(f('bad.json'), JSON.stringify({ ...bad, p2p_address: 'attacker.example:26656' }));
  writeFileSync(f('other.json'), JSON.stringify({ ...bad, chain_id: 'other-1' }));
  const rc = await sov('genesis', 'collect', '--template', f('t.toml'), '--out', f('t3.toml'), f('bad.json'), f('other.json'));
  tt.equal(rc.status, 2);
  tt.match(rc.stderr, /bad\.json\.signature: does not verify/);
  tt.match(rc.stderr, /other\.json\.signature: does not verify/);
  tt.notMatch(rc.stderr, /\n\s+at /, 'no stack trace');

  // A broken template: every problem on its own line, each naming its field.
  const broken = readFileSync(f('t1.toml'), 'utf8').replace('threshold = 2', 'threshold = 7').replace('roles = ["commercial_bank"]', 'roles = ["casino"]');
  writeFileSync(f('broken.toml'), broken);
  const vb = await sov('genesis', 'validate', f('broken.toml'));
  tt.equal(vb.status, 2);
  tt.match(vb.stderr, /council\.threshold: 7 is above the council's size 2/);
  tt.match(vb.stderr, /institutions\[4\]\.roles\[0\]: unknown role "casino"/);
  tt.notMatch(vb.stderr, /\n\s+at /, 'no stack trace');
});
