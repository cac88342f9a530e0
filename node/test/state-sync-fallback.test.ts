/**
 * State sync with nothing to sync from: an observer started with `[statesync] enable = true`
 * whose only peer makes no snapshots (`snapshot_interval = 0`) hears the peer answer with no
 * offer, says so, and falls back to block sync from genesis, following the chain.
 */
import t from 'tap';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { generateKeyPair } from '../../core/index.js';
import { createKeystore } from '../../genesis/index.js';
import type { Devnet } from '../../test/devnet.js';
import { waitFor } from '../../test/index.js';
import { loadHome, SovNode } from '../node.js';
import { renderConfig } from '../ops/config.js';
import { createLogger } from '../ops/log.js';
import { peerIdOfNodeKey } from '../p2p/host.js';
import { inProcessChain } from './in-process-chain.js';

const key = generateKeyPair();
const id = peerIdOfNodeKey(key.publicKey);
let devnet: Devnet | undefined;
const chain = inProcessChain(t, (net) => {
  devnet = net;
  net.setConfig(0, 'p2p', 'observers', JSON.stringify([id]));
  net.setConfig(0, 'statesync', 'snapshot_interval', '0');
});
const m = chain.manifest;
let node: SovNode | undefined;
t.teardown(async () => {
  await node?.stop();
});

t.test('no snapshot offered: block sync from genesis', async (tt) => {
  const home = join(devnet!.dir, 'joiner');
  mkdirSync(join(home, 'keys'), { recursive: true });
  writeFileSync(join(home, 'password.txt'), 'observer password\n');
  writeFileSync(join(home, 'keys', 'node.json'), JSON.stringify(createKeystore('node', 'observer password', { keyPair: key, scrypt: { n: 1024, r: 8, p: 1 } })));
  copyFileSync(join(m.nodes[0]!.home, 'genesis.json'), join(home, 'genesis.json'));
  writeFileSync(join(home, 'config.toml'), renderConfig({
    node: { moniker: 'joiner', mode: 'observer' }, keys: { password_file: 'password.txt' }, rpc: { listen: '' }, metrics: { listen: '' },
    p2p: { listen: '/ip4/127.0.0.1/tcp/0', persistent_peers: [m.nodes[0]!.p2p_address], observers: [] },
    statesync: { enable: true, discovery_ms: 500 },
  }));
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      for (const l of c.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  node = new SovNode(await loadHome(home, createLogger('info', sink, 'json')));
  await node.start();
  await node.joined();
  tt.ok(lines.some((l) => String(l.msg).startsWith('state sync: no peer offers a snapshot')), 'it says no peer offers a snapshot');
  const target = chain.node().ledger.height + 3;
  await waitFor(() => node!.ledger.height >= target, `block sync to ${target}`, 20_000, 50);
  tt.equal(node.ledger.oldestBlock, 1, 'it holds every block from 1');
});
