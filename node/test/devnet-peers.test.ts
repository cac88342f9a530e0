/**
 * Peers at the edges of a four-validator devnet on 127.0.0.1:
 * - a node outside the allowlist cannot connect, and nothing it sends is processed;
 * - once governance adds a validator run by that node, it is admitted (no restart), and once
 *   governance removes it, its links are closed;
 * - an observer named in the validators' configs connects and follows the chain;
 * - a peer (admitted as an observer) that sends garbage, oversized frames and messages with
 *   invalid signatures crashes and stalls nobody;
 * - a validator started from genesis after 1,000 blocks syncs to the tip and joins consensus.
 */
import t from 'tap';
import { mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { Devnet } from '../../test/devnet.js';
import { reservePorts, waitFor } from '../../test/index.js';
import { P2PHost, peerIdOfNodeKey } from '../p2p/host.js';
import { silentLogger } from '../ops/log.js';
import { renderConfig } from '../ops/config.js';
import { encodeMessage } from '../p2p/wire.js';
import { createKeystore } from '../../genesis/index.js';
import { addressFromPublicKey, decodeAddress, encode, generateKeyPair, signTx, to0x, VoteType } from '../../core/index.js';
import { ActionKind, gov, makeAction, type ProposalAction } from '../../vm/index.js';
import { Rng } from '../../test/index.js';
import { hashSecret, SovClient } from '../../rpc/index.js';

const net = Devnet.create({ validators: 4, blockIntervalMs: 0, logLevel: 'warn' });
const hosts: P2PHost[] = [];
t.teardown(async () => {
  for (const h of hosts) await h.stop().catch(() => undefined);
  await net.stop();
});

const observerKey = generateKeyPair();
const rogueKey = generateKeyPair();
const outsiderKey = generateKeyPair();
const observers = [peerIdOfNodeKey(observerKey.publicKey), peerIdOfNodeKey(rogueKey.publicKey)];
for (let i = 0; i < 4; i++) net.setConfig(i, 'p2p', 'observers', JSON.stringify(observers));
const ADMIN_SECRET = 'sov_peers-admin-secret';
writeFileSync(join(net.manifest.nodes[0]!.home, 'rpc-keys.toml'), `[[key]]\nname = "ops"\nsha256 = "${hashSecret(ADMIN_SECRET)}"\nroles = ["admin"]\n`);
net.setConfig(0, 'rpc', 'api_keys_file', '"rpc-keys.toml"');

// An observer home: the same genesis, its own node key, mode = observer.
const obsHome = join(net.dir, 'observer');
const obsPorts = reservePorts(1);
t.teardown(() => obsPorts.release());
const obsRpcPort = obsPorts.base + 1;
mkdirSync(join(obsHome, 'keys'), { recursive: true });
writeFileSync(join(obsHome, 'password.txt'), 'observer password\n');
writeFileSync(join(obsHome, 'keys', 'node.json'), JSON.stringify(createKeystore('node', 'observer password', { keyPair: observerKey, scrypt: { n: 1024, r: 8, p: 1 } })));
copyFileSync(join(net.manifest.nodes[0]!.home, 'genesis.json'), join(obsHome, 'genesis.json'));
writeFileSync(join(obsHome, 'config.toml'), renderConfig({
  node: { moniker: 'observer', mode: 'observer' },
  log: { level: 'warn' },
  keys: { password_file: 'password.txt' },
  p2p: { listen: '/ip4/127.0.0.1/tcp/0', persistent_peers: net.manifest.nodes.map((n) => n.p2p_address) },
  rpc: { listen: `127.0.0.1:${obsRpcPort}`, rate_limit_per_address: 0 },
  metrics: { listen: '' },
}));
const obsIndex = net.manifest.nodes.length;
net.manifest.nodes.push({ name: 'observer', home: obsHome, rpc_url: `http://127.0.0.1:${obsRpcPort}`, p2p_address: '', peer_id: observers[0]!, password_file: '' });

async function testHost(key: ReturnType<typeof generateKeyPair>): Promise<P2PHost> {
  const h = new P2PHost({
    nodeSecretKey: key.secretKey, listen: ['/ip4/127.0.0.1/tcp/0'], isAllowed: () => true, onFrame: () => undefined, log: silentLogger(), redialMs: 500,
  });
  await h.start();
  hosts.push(h);
  return h;
}

t.test('validators and an observer start; the observer follows', async (tt) => {
  for (let i = 0; i < 4; i++) net.start(i);
  net.start(obsIndex);
  await net.waitHeight(0, 5);
  await net.waitHeight(obsIndex, 5);
  const s = (await net.rpc(obsIndex, 'sov_status')) as { validator: string | null; peers: number };
  tt.equal(s.validator, null, 'the observer signs nothing');
  tt.ok(s.peers >= 1, 'the observer has peers');
  const admin = new SovClient(net.manifest.nodes[0]!.rpc_url, { apiKey: ADMIN_SECRET });
  type Peer = { id: string; address: string; role: string };
  let peers: Peer[] = [];
  await waitFor(async () => (peers = await admin.call<Peer[]>('admin_peers')).length === 4, 'node 0 connected to 3 validators and the observer', 60_000, 200);
  const roleOf = new Map(peers.map((p) => [p.id, p.role]));
  for (const n of net.manifest.nodes.slice(1, 4)) tt.equal(roleOf.get(n.peer_id), 'validator', `${n.name} is a validator`);
  tt.equal(roleOf.get(observers[0]!), 'observer', 'the observer is an observer');
  tt.ok(peers.every((p) => p.address.startsWith('/ip4/127.0.0.1/')), 'with remote addresses');
});

t.test('a node outside the allowlist cannot connect or be heard', async (tt) => {
  const outsider = await testHost(outsiderKey);
  const target = net.manifest.nodes[0]!.p2p_address;
  await outsider.dial(target).catch(() => undefined);
  await waitFor(() => !outsider.peers().includes(net.manifest.nodes[0]!.peer_id), 'no link from the outsider', 10_000);
  tt.equal(outsider.send(net.manifest.nodes[0]!.peer_id, new Uint8Array([1, 2, 3])), false, 'nothing can be sent');
  const h = await net.height(0);
  await net.waitHeight(0, h + 3);
  tt.pass('node 0 keeps committing');
});

t.test('the allowlist follows governance: an added validator\'s node is admitted, a removed one\'s is cut off', async (tt) => {
  const outsider = hosts.find((h) => h.peerId === peerIdOfNodeKey(outsiderKey.publicKey))!;
  const node0 = net.manifest.nodes[0]!;
  const cb = net.accountKeys().find((a) => net.manifest.accounts.find((m) => m.name === a.name)?.role === 'central_bank')!;
  const client = new SovClient(node0.rpc_url);
  const newValidator = generateKeyPair();
  const govTx = async (action: ProposalAction, reason: string) => {
    const nonce = (await client.getAccount(cb.address)).nonce;
    const args = encode(gov.ProposeArgs, { action, reason });
    const tx = signTx({ chainId: net.manifest.chain_id, signer: addressFromPublicKey(cb.keys.publicKey), nonce, expiry: (await net.height(0)) + 1000, body: { module: 'gov', method: 'propose', args } }, [cb.keys.secretKey]);
    const r = await client.sendTransaction(tx, true);
    tt.match(r, { status: 'committed', code: 0 }, `${reason}: committed and executed`);
  };
  outsider.addPersistentPeer(node0.p2p_address);
  await govTx(makeAction(ActionKind.ADD_VALIDATOR, { publicKey: newValidator.publicKey, power: 1, nodeKey: outsiderKey.publicKey }), 'add a validator run by the outsider');
  const vals = await client.getValidators();
  tt.equal(vals.validators.find((v) => v.publicKey === to0x(newValidator.publicKey))?.nodeKey, to0x(outsiderKey.publicKey), 'its node key is in state');
  await waitFor(() => outsider.peers().includes(node0.peer_id), 'node 0 admitting the new validator\'s node', 60_000, 100);
  tt.pass('its node is admitted without a restart');
  await govTx(makeAction(ActionKind.REMOVE_VALIDATOR, { address: addressFromPublicKey(newValidator.publicKey) }), 'remove it again');
  await waitFor(() => !outsider.peers().includes(node0.peer_id), 'node 0 closing the removed validator\'s link', 60_000, 100);
  tt.pass('its link is closed once it is removed');
  await outsider.stop();
  hosts.splice(hosts.indexOf(outsider), 1);
});

t.test('a peer sending garbage, oversized and badly signed messages harms nobody', async (tt) => {
  const rogue = await testHost(rogueKey);
  const rng = new Rng(99);
  for (const n of net.manifest.nodes.slice(0, 2)) rogue.addPersistentPeer(n.p2p_address);
  await waitFor(() => rogue.peers().length >= 2, 'the rogue peer linked to two validators', 90_000);
  const h0 = await net.height(0);
  const fakeValidator = addressFromPublicKey(generateKeyPair().publicKey);
  const realValidator = decodeAddress((net.manifest.nodes[1] as unknown as { validator_address: string }).validator_address, net.manifest.address_prefix);
  for (let round = 0; round < 20; round++) {
    const msgs: Uint8Array[] = [];
    for (let i = 0; i < 50; i++) msgs.push(rng.bytes(rng.int(300)));
    for (const validator of [fakeValidator, realValidator]) {
      msgs.push(encodeMessage('vote', { vote: { type: VoteType.PREVOTE, height: h0 + 1, round: 0, blockHash: rng.bytes(32), validator, signature: rng.bytes(64) } }));
    }
    msgs.push(encodeMessage('txs', { txs: [rng.bytes(100), rng.bytes(2000)], reached: [] }));
    msgs.push(encodeMessage('syncReq', { from: 1, count: 50 }));
    for (const m of msgs) rogue.broadcast(m);
  }
  // An oversized frame (over max_frame_bytes): the receiving link is dropped.
  rogue.broadcast(new Uint8Array(9 * 1024 * 1024));
  for (let i = 0; i < 4; i++) await net.waitHeight(i, h0 + 10, 120_000);
  tt.pass('every validator keeps committing');
  tt.ok(net.procs.slice(0, 4).every((p) => p !== null), 'no validator process died');
});

t.test('a validator started from genesis after 1,000 blocks syncs to the tip and joins', async (tt) => {
  await net.waitHeight(0, 1000, 400_000);
  await net.kill(3);
  rmSync(join(net.manifest.nodes[3]!.home, 'data'), { recursive: true, force: true });
  net.start(3);
  const tip = await net.height(0);
  await net.waitHeight(3, tip, 300_000);
  tt.pass(`synced from genesis to ${tip}`);
  const me = to0x(decodeAddress((net.manifest.nodes[3] as unknown as { validator_address: string }).validator_address, net.manifest.address_prefix));
  await waitFor(async () => {
    const h = await net.height(0);
    const b = (await net.rpc(0, 'sov_getBlock', [h])) as { commit: { signatures: { validator: string }[] } };
    return b.commit.signatures.some((s) => s.validator === me);
  }, 'the synced validator signing commits', 60_000, 200);
  tt.pass('and joined consensus');
});
