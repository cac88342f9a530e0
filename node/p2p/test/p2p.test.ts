/**
 * The p2p layer on 127.0.0.1: framing, an allowlist enforced at the handshake and after a
 * change, ordered batched delivery, and peers that misbehave (oversized frames, a reader that
 * never drains) dropped without harm to the host.
 */
import t from 'tap';
import { encodeFrame, encodeFrames, FrameDecoder, FrameError } from '../framing.js';
import { P2PHost, peerIdOfNodeKey, WIRE_PROTOCOL } from '../host.js';
import { silentLogger } from '../../ops/log.js';
import { generateKeyPair, type SovError } from '../../../core/index.js';
import { Rng, waitFor } from '../../../test/index.js';

t.test('frames survive any chunking; oversized frames are refused from the header', (tt) => {
  const rng = new Rng(3);
  const bodies = Array.from({ length: 200 }, () => rng.bytes(rng.int(300)));
  const wire = encodeFrames(bodies);
  for (let trial = 0; trial < 50; trial++) {
    const dec = new FrameDecoder(1000);
    const got: Uint8Array[] = [];
    for (let o = 0; o < wire.length; ) {
      const n = 1 + rng.int(64);
      got.push(...dec.push(wire.subarray(o, o + n)));
      o += n;
    }
    if (got.length !== bodies.length || got.some((g, i) => Buffer.compare(g, bodies[i]!) !== 0)) {
      tt.fail(`trial ${trial}: frames differ`);
      return tt.end();
    }
    tt.equal(dec.pendingBytes, 0);
  }
  const dec = new FrameDecoder(10);
  tt.same(dec.push(encodeFrames([new Uint8Array(3), new Uint8Array(11)]).subarray(0, 11)), [new Uint8Array(3)], 'frames before it still come');
  tt.ok(dec.error instanceof FrameError, 'the oversized header alone is enough to refuse');
  tt.same(dec.push(new Uint8Array(5)), [], 'nothing after it');
  tt.same(new FrameDecoder(10).push(encodeFrame(new Uint8Array(0))), [new Uint8Array(0)], 'empty frame');
  tt.end();
});

interface TestNode { host: P2PHost; id: string; got: { from: string; frame: Uint8Array }[]; allowed: Set<string>; misbehaved: SovError[] }

async function makeNode(allowed: Set<string>, limits = {}): Promise<TestNode> {
  const kp = generateKeyPair();
  const got: TestNode['got'] = [];
  const misbehaved: SovError[] = [];
  const host = new P2PHost({
    nodeSecretKey: kp.secretKey,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    isAllowed: (id) => allowed.has(id),
    onFrame: (from, frame) => got.push({ from, frame }),
    onMisbehaviour: (_id, err) => misbehaved.push(err),
    log: silentLogger(),
    limits,
    redialMs: 200,
  });
  await host.start();
  tt_ids.push(host);
  const id = peerIdOfNodeKey(kp.publicKey);
  return { host, id, got, allowed, misbehaved };
}
const tt_ids: P2PHost[] = [];
t.teardown(async () => {
  for (const h of tt_ids) await h.stop().catch(() => undefined);
});

t.test('allowlisted peers exchange messages in order; others are refused', async (tt) => {
  const a = await makeNode(new Set());
  const b = await makeNode(new Set());
  const c = await makeNode(new Set());
  tt.equal(a.host.peerId, a.id, 'peer id derives from the node key');
  a.allowed.add(b.id);
  b.allowed.add(a.id);
  c.allowed.add(a.id).add(b.id);
  a.host.addPersistentPeer(`${b.host.multiaddrs()[0]}`);
  await waitFor(() => a.host.peers().includes(b.id) && b.host.peers().includes(a.id), 'a and b linked');
  const N = 10_000;
  for (let i = 0; i < N; i++) a.host.send(b.id, new Uint8Array([i & 0xff, (i >> 8) & 0xff]));
  await waitFor(() => b.got.length >= N, `${N} messages`);
  tt.ok(b.got.every((g, i) => g.from === a.id && g.frame[0] === (i & 0xff) && g.frame[1] === ((i >> 8) & 0xff)), 'all in order, from a');
  // c may complete its half of a handshake before b's gater closes it; what matters is that
  // b keeps no connection to c and processes nothing from it.
  await c.host.dial(b.host.multiaddrs()[0]!).catch(() => undefined);
  for (let i = 0; i < 100; i++) c.host.send(b.id, new Uint8Array([7]));
  await tt.rejects(b.host.dial(c.host.multiaddrs()[0]!), 'b refuses to dial c');
  const before = b.got.length;
  a.host.send(b.id, new Uint8Array([0xee, 0xee, 0xee]));
  await waitFor(() => b.got.length > before, 'a marker from a after c tried');
  await waitFor(() => !b.host.connections().includes(c.id), 'b holds no connection to c');
  tt.ok(b.got.every((g) => g.from !== c.id), 'nothing from c processed');
  tt.equal(c.host.peers().includes(b.id), false, 'c has no link to b');

  // The allowlist follows a change without a restart.
  b.allowed.delete(a.id);
  await b.host.enforceAllowlist();
  await waitFor(() => !b.host.peers().includes(a.id) && !a.host.peers().includes(b.id), 'a and b disconnected');
  tt.pass('disconnected after the allowlist changed');
});

t.test('a peer sending an oversized frame is dropped; the host keeps serving', async (tt) => {
  const a = await makeNode(new Set(), { maxFrameBytes: 1024 });
  const b = await makeNode(new Set([a.id]));
  a.allowed.add(b.id);
  await b.host.dial(a.host.multiaddrs()[0]!);
  await waitFor(() => b.host.peers().includes(a.id), 'b linked to a');
  b.host.send(a.id, new Uint8Array(10)); // fine
  b.host.send(a.id, new Uint8Array(4096)); // over a's limit
  await waitFor(() => a.misbehaved.length > 0, 'a notices');
  tt.equal(a.misbehaved[0]!.code, 'P2P_BAD_FRAME');
  tt.equal(a.got.length, 1, 'the good frame before it was delivered, the bad one not');
  // b reconnects (a persistent peer) and a still works.
  b.host.addPersistentPeer(a.host.multiaddrs()[0]!);
  await waitFor(() => b.host.peers().includes(a.id), 'b links again', 30_000);
  // The connection can be up a moment before the wire stream is: send until it arrives.
  await waitFor(() => {
    if (a.got.some((g) => g.frame.length === 1 && g.frame[0] === 42)) return true;
    b.host.send(a.id, new Uint8Array([42]));
    return false;
  }, 'a receives again', 30_000);
  tt.pass('host still serving');
});

t.test('our queue for a peer is bounded: overflow drops the link, memory does not grow', async (tt) => {
  const a = await makeNode(new Set(), { maxQueuedBytes: 256 * 1024 });
  const b = await makeNode(new Set([a.id]));
  a.allowed.add(b.id);
  await a.host.dial(b.host.multiaddrs()[0]!);
  await waitFor(() => a.host.peers().includes(b.id), 'a linked to b');
  let refused = 0;
  for (let i = 0; i < 200; i++) if (!a.host.send(b.id, new Uint8Array(4096))) refused++;
  tt.ok(refused > 0, `sends beyond the cap are refused (${refused})`);
  tt.equal(a.host.peers().includes(b.id), false, 'the link was dropped');
  tt.equal(WIRE_PROTOCOL, '/sov/wire/1');
});
