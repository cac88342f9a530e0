/**
 * `sov testnet`: N homes with keystores that open with their password file, configs with
 * distinct ports and all other validators as peers, one genesis.json everywhere that loads
 * and lists every validator, and a manifest whose addresses and peer ids match the keys.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../../../test/index.js';
import { addressFromPublicKey, fromHex, toHex } from '../../../core/index.js';
import { loadGenesisFile, openKeystore, parseKeystore } from '../../../genesis/index.js';
import { loadConfig, homePath } from '../../ops/config.js';
import { peerIdOfNodeKey } from '../../p2p/host.js';

const sov = (...args: string[]) => spawnSync(process.execPath, [repoPath('bin/sov.js'), ...args], { encoding: 'utf8' });

interface Manifest {
  chain_id: string;
  genesis_hash: string;
  nodes: { name: string; home: string; rpc_url: string; p2p_address: string; peer_id: string; validator_public_key: string; node_public_key: string }[];
  accounts: { name: string; role: string; address: string; public_key: string; keystore: string; balance: string }[];
  accounts_password_file: string;
}

t.test('sov testnet --validators 4', async (tt) => {
  const dir = mkdtempSync(join(tmpdir(), 'sov-testnet-'));
  tt.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'net');
  const r = sov('testnet', '--validators', '4', '--out', out, '--base-port', '36600', '--chain-id', 'local-1');
  tt.equal(r.status, 0, r.stderr);
  const m = JSON.parse(readFileSync(join(out, 'testnet.json'), 'utf8')) as Manifest;
  tt.equal(m.nodes.length, 4);
  tt.equal(m.chain_id, 'local-1');
  const genesisText = readFileSync(join(out, 'genesis.json'), 'utf8');
  const ports = new Set<string>();
  for (const [i, n] of m.nodes.entries()) {
    const cfg = loadConfig(n.home);
    tt.equal(readFileSync(join(n.home, 'genesis.json'), 'utf8'), genesisText, `${n.name}: identical genesis.json`);
    for (const l of [cfg.p2p.listen, cfg.rpc.listen, cfg.metrics.listen]) ports.add(l.replace(/.*[:/]/, ''));
    tt.equal(n.rpc_url, `http://${cfg.rpc.listen}`);
    tt.match(cfg.rpc.listen, /^127\.0\.0\.1:/);
    tt.equal(cfg.p2p.listen, `/ip4/127.0.0.1/tcp/${36600 + 10 * i}`);
    tt.same(cfg.p2p.persistent_peers, m.nodes.filter((o) => o !== n).map((o) => o.p2p_address), 'every other validator is a persistent peer');
    const password = readFileSync(homePath(n.home, cfg.keys.password_file), 'utf8').trim();
    const nodeKey = openKeystore(parseKeystore(JSON.parse(readFileSync(homePath(n.home, cfg.keys.node_key), 'utf8'))), password);
    const valKey = openKeystore(parseKeystore(JSON.parse(readFileSync(homePath(n.home, cfg.keys.validator_key), 'utf8'))), password);
    tt.equal(toHex(nodeKey.publicKey), n.node_public_key);
    tt.equal(toHex(valKey.publicKey), n.validator_public_key);
    tt.equal(peerIdOfNodeKey(nodeKey.publicKey), n.peer_id);
    tt.ok(n.p2p_address.endsWith(`/p2p/${n.peer_id}`));
  }
  tt.equal(ports.size, 12, 'distinct ports');
  const g = await loadGenesisFile(join(m.nodes[0]!.home, 'genesis.json'));
  tt.equal('0x' + toHex(g.hash), m.genesis_hash);
  tt.same(g.doc.validators.map((v) => toHex(v.publicKey)).sort(), m.nodes.map((n) => n.validator_public_key).sort());
  tt.same(g.doc.validators.map((v) => v.p2pAddress).sort(), m.nodes.map((n) => n.p2p_address).sort());
  const accountsPw = readFileSync(m.accounts_password_file, 'utf8').trim();
  const customers = m.accounts.filter((a) => a.role === 'customer');
  tt.equal(customers.length, 4);
  for (const a of m.accounts) {
    const kp = openKeystore(parseKeystore(JSON.parse(readFileSync(a.keystore, 'utf8'))), accountsPw);
    tt.equal(toHex(kp.publicKey), a.public_key);
  }
  for (const c of customers) {
    const addr = toHex(addressFromPublicKey(fromHex(c.public_key)));
    const bal = g.doc.balances.find((b) => toHex(b.address) === addr);
    tt.ok(bal !== undefined && bal.amount === BigInt(c.balance) && bal.amount > 0n, `${c.name} is funded in genesis`);
  }
  tt.equal(sov('testnet', '--validators', '2', '--out', out).status, 2, 'refuses a non-empty directory');
  tt.equal(sov('testnet', '--validators', '0', '--out', join(dir, 'x')).status, 2, 'bad count');
  tt.equal(sov('testnet', '--validators', '2', '--out', join(dir, 'y'), '--base-port', '70000').status, 2, 'bad port');
});
