/**
 * Block sync from a pruned peer (three nodes in this process): a validator that keeps every
 * block (an archive), an observer A following it with `[storage] retain_blocks = 8`, and a
 * new observer N started from genesis with A as its only peer. A answers N's request for
 * block 1 with SYNC_PRUNED naming its oldest block; N asks nobody else (no one else is ahead),
 * and says so at once instead of hanging: an error log naming the block it needs, the oldest
 * its peers keep and what to do (connect an archive peer), and the same as its /ready reason.
 * Then, as an operator would, N is given the archive as a peer: it catches up from it.
 */
import t from 'tap';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { generateKeyPair, type KeyPair } from '../../core/index.js';
import { createKeystore } from '../../genesis/index.js';
import type { Devnet } from '../../test/devnet.js';
import { waitFor } from '../../test/index.js';
import { loadHome, SovNode } from '../node.js';
import { renderConfig } from '../ops/config.js';
import { createLogger, silentLogger } from '../ops/log.js';
import { peerIdOfNodeKey } from '../p2p/host.js';
import { inProcessChain } from './in-process-chain.js';

const keyA = generateKeyPair();
const keyN = generateKeyPair();
const idA = peerIdOfNodeKey(keyA.publicKey);
const idN = peerIdOfNodeKey(keyN.publicKey);
let devnet: Devnet | undefined;
const chain = inProcessChain(t, (net) => {
  devnet = net;
  net.setConfig(0, 'p2p', 'observers', JSON.stringify([idA, idN]));
});
const m = chain.manifest;

const nodes: SovNode[] = [];
t.teardown(async () => {
  for (const n of nodes.reverse()) await n.stop();
});

/** An observer home beside the devnet's: the same genesis, its own node key, `config` over the defaults. */
function observerHome(name: string, key: KeyPair, config: Parameters<typeof renderConfig>[0]): string {
  const home = join(devnet!.dir, name);
  mkdirSync(join(home, 'keys'), { recursive: true });
  writeFileSync(join(home, 'password.txt'), 'observer password\n');
  writeFileSync(join(home, 'keys', 'node.json'), JSON.stringify(createKeystore('node', 'observer password', { keyPair: key, scrypt: { n: 1024, r: 8, p: 1 } })));
  copyFileSync(join(m.nodes[0]!.home, 'genesis.json'), join(home, 'genesis.json'));
  writeFileSync(join(home, 'config.toml'), renderConfig({
    node: { moniker: name, mode: 'observer' },
    keys: { password_file: 'password.txt' },
    rpc: { listen: '' },
    metrics: { listen: '' },
    ...config,
    p2p: { listen: '/ip4/127.0.0.1/tcp/0', ...config?.p2p },
  }));
  return home;
}

async function startNode(home: string, log = silentLogger()): Promise<SovNode> {
  const n = new SovNode(await loadHome(home, log));
  nodes.push(n);
  await n.start();
  return n;
}

const withPeerId = (addr: string, id: string): string => (addr.includes('/p2p/') ? addr : `${addr}/p2p/${id}`);

t.test('a node whose only peer pruned the blocks it needs says so, and catches up once given an archive peer', async (tt) => {
  // A: an observer of the archive validator, keeping 8 blocks and 8 state versions.
  const a = await startNode(observerHome('pruned-observer', keyA, {
    p2p: { persistent_peers: [m.nodes[0]!.p2p_address], observers: [idN] },
    storage: { retain_state: 8, retain_blocks: 8 },
  }));
  await waitFor(() => a.ledger.height >= 30 && a.ledger.oldestBlock > 10, 'the pruned observer following, blocks pruned', 60_000, 100);
  tt.ok(a.ledger.height - a.ledger.oldestBlock < 8 + 16, `A keeps blocks ${a.ledger.oldestBlock}..${a.ledger.height}`);

  // N: a new observer whose only peer is A.
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const addrA = withPeerId(a.host.multiaddrs().find((x) => x.includes('127.0.0.1'))!, idA);
  const n = await startNode(observerHome('new-observer', keyN, { p2p: { persistent_peers: [addrA], observers: [idA] } }), createLogger('info', sink, 'json'));
  const started = Date.now();
  const stallLine = (): Record<string, unknown> | undefined => lines.find((l) => l.level === 'error' && String(l.msg).startsWith('cannot catch up'));
  await waitFor(() => stallLine() !== undefined, 'the new node says it cannot catch up', 30_000, 100);
  const line = stallLine()!;
  tt.comment(`after ${Date.now() - started} ms: ${String(line.msg)}`);
  tt.equal(line.from, 1, 'it names the block it needs');
  tt.ok((line.oldestKeptByPeers as number) > 1, `and the oldest its peers keep (${String(line.oldestKeptByPeers)})`);
  tt.match(String(line.msg), /archive node, retain_blocks = 0/, 'and what to do');
  tt.equal(n.ledger.height, 0, 'nothing synced');
  tt.match(n.network.syncStallReason(), /block 1 is pruned on every peer ahead/, 'its /ready reason says so too');

  // The operator's fix: a peer that keeps every block (here the archive validator).
  n.host.addPersistentPeer(m.nodes[0]!.p2p_address);
  const target = a.ledger.oldestBlock + 5;
  await waitFor(() => n.ledger.height >= target, `the new node syncing from the archive to ${target}`, 60_000, 100);
  tt.equal(n.network.syncStallReason(), null, 'no longer stalled');
  tt.ok(lines.some((l) => String(l.msg).startsWith('a peer holds the blocks this node needs')), 'and it logs that it catches up again');
});
