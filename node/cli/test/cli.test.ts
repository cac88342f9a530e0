/**
 * The `sov` command: its help lists the subcommands that exist, and bad input gives one
 * line and exit status 2, never a stack trace.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { repoPath } from '../../../test/index.js';
import { buildCli } from '../../index.js';

const sov = (...args: string[]) => spawnSync(process.execPath, [repoPath('bin/sov.js'), ...args], { encoding: 'utf8' });

t.test('sov --help lists every subcommand', (tt) => {
  const r = sov('--help');
  tt.equal(r.status, 0);
  const names = buildCli().commands.map((c) => c.name());
  tt.ok(names.length >= 2);
  for (const n of names) tt.match(r.stdout, new RegExp(`\\n\\s+${n}\\b`), `lists ${n}`);
  for (const n of names) {
    const h = sov(n, '--help');
    tt.equal(h.status, 0, `${n} --help`);
    tt.match(h.stdout, /Usage: sov /);
  }
  tt.end();
});

t.test('sov address derives the bech32m address', (tt) => {
  const r = sov('address', 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', '--prefix', 'gov');
  tt.equal(r.status, 0, r.stderr);
  tt.match(r.stdout.trim(), /^gov1[a-z0-9]{38}$/);
  tt.end();
});

t.test('bad input: one line on stderr, status 2', (tt) => {
  for (const args of [['address', 'zz'], ['address', '00'.repeat(32)], ['decode-tx', 'c0'], ['decode-tx', '0x1'], ['no-such-command']]) {
    const r = sov(...args);
    tt.equal(r.status, 2, args.join(' '));
    tt.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  tt.end();
});

t.test('sov keys generate / show', async (tt) => {
  const { mkdtempSync, writeFileSync, rmSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'sov-keys-'));
  try {
    writeFileSync(join(dir, 'pw'), 'correct horse battery\n');
    const out = join(dir, 'v.json');
    const g = sov('keys', 'generate', '--type', 'validator', '--out', out, '--password-file', join(dir, 'pw'), '--prefix', 'gov');
    tt.equal(g.status, 0, g.stderr);
    const made = JSON.parse(g.stdout) as { address: string; publicKey: string };
    const s = sov('keys', 'show', out, '--prefix', 'gov');
    tt.equal(s.status, 0, s.stderr);
    tt.same(JSON.parse(s.stdout), { type: 'validator', address: made.address, publicKey: made.publicKey });
    tt.equal(JSON.parse(readFileSync(out, 'utf8')).type, 'validator');
    tt.equal(sov('keys', 'generate', '--out', out, '--password-file', join(dir, 'pw')).status, 2, 'refuses to overwrite');
    tt.equal(sov('keys', 'generate', '--out', join(dir, 'x.json')).status, 2, 'no password source and no terminal');
    tt.equal(sov('keys', 'show', join(dir, 'pw')).status, 2, 'not a keystore');
    tt.equal(sov('keys', 'show', join(dir, 'missing.json')).status, 2, 'missing file');
    // A node home: its node key's peer id and the full multiaddr peers dial (what the testnet's manifest lists).
    tt.equal(sov('testnet', '--validators', '1', '--out', join(dir, 'net'), '--base-port', '39100', '--accounts', '1').status, 0);
    const manifest = JSON.parse(readFileSync(join(dir, 'net', 'testnet.json'), 'utf8')) as { nodes: { home: string; peer_id: string; p2p_address: string }[] };
    const n = sov('keys', 'show', '--home', manifest.nodes[0]!.home);
    tt.equal(n.status, 0, n.stderr);
    tt.match(JSON.parse(n.stdout), { type: 'node', peerId: manifest.nodes[0]!.peer_id, multiaddr: manifest.nodes[0]!.p2p_address });
    tt.equal(sov('keys', 'show').status, 2, 'neither a file nor a home');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
