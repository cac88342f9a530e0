/**
 * Twins: a peer that keeps hearing two processes of one node id says so, and tells that node
 * id on every connection, so each process logs the other; a restart (the old instance falls
 * silent before the new one speaks) is not reported.
 */
import t from 'tap';
import { NodeNetwork } from '../network.js';
import { TwinWatch, TWIN_OVERLAP_MS, TWIN_REPORT_MS, instanceHex } from '../twins.js';
import { decodeMessage, encodeMessage } from '../wire.js';
import type { P2PHost } from '../host.js';

t.test('TwinWatch: a restart is not twins, alternating instances are', async (tt) => {
  const w = new TwinWatch();
  let now = 0;
  // A restart: instance 1 speaks every second, then falls silent; instance 2 takes over.
  for (let i = 0; i < 5; i++, now += 1000) tt.equal(w.observe('X', 1, now), null);
  now += 500;
  for (let i = 0; i < 10; i++, now += 1000) tt.equal(w.observe('X', 2, now), null, 'a restart is not twins');
  // Now instance 3 appears while 2 keeps speaking.
  tt.equal(w.observe('X', 3, now), null, 'not on first sight');
  now += TWIN_OVERLAP_MS - 1;
  tt.equal(w.observe('X', 2, now), null, 'not before the overlap');
  now += 1;
  tt.same(w.observe('X', 2, now), [2, 3], 'the old instance heard well after the new one appeared: twins');
  now += 1000;
  tt.equal(w.observe('X', 3, now), null, 'reported once a minute at most');
  now += TWIN_REPORT_MS;
  tt.same(w.observe('X', 2, now), [2, 3], 'and again after a minute');
  tt.equal(w.observe('Y', 2, now), null, 'per node id');
  w.forget('X');
  tt.equal(w.observe('X', 3, now + 5000), null, 'forgotten once its connections are gone');
});

t.test('TwinWatch: bounded per node id', async (tt) => {
  const w = new TwinWatch();
  // A node restarted many times (each instance heard once, in turn) never reports twins and never grows past its bound.
  for (let i = 0; i < 100; i++) tt.equal(w.observe('X', i, i * 10_000), null);
  const inner = (w as unknown as { heard: Map<string, Map<number, unknown>> }).heard.get('X')!;
  tt.ok(inner.size <= 4);
});

function network(self: number) {
  const warned: { obj: Record<string, unknown>; msg: string }[] = [];
  const everywhere: { peer: string; frame: Uint8Array }[] = [];
  const struck: string[] = [];
  let now = 1_000_000;
  const host = {
    peerId: 'A',
    peers: () => ['X'],
    send: () => true,
    broadcast: () => 1,
    addressesOf: (p: string) => (p === 'X' ? ['/ip4/127.0.0.1/tcp/5001', '/ip4/127.0.0.1/tcp/5002'] : []),
    sendOnEveryConnection: async (peer: string, frame: Uint8Array) => {
      everywhere.push({ peer, frame });
      return 2;
    },
  } as unknown as P2PHost;
  const log = { info: () => {}, debug: () => {}, warn: (obj: Record<string, unknown>, msg: string) => void warned.push({ obj, msg }) };
  const net = new NodeNetwork({
    host, driver: { height: 5, round: 0 } as never, mempool: { pending: () => [] } as never, ledger: { height: 4, oldestBlock: 1 } as never, log: log as never,
    metrics: { peers: { set: () => {} }, peerMisbehaviour: { inc: (l: { code: string }) => void struck.push(l.code) } } as never,
    statusMs: 1 << 30, now: () => now, instance: self,
  });
  const status = (peer: string, instance: number): void => {
    net.onFrame(peer, encodeMessage('status', { height: 5, round: 0, lastHeight: 4, instance }));
  };
  return { net, warned, everywhere, struck, status, tick: (ms: number) => void (now += ms) };
}

t.test('a peer hearing two processes of one node id logs it and tells both', async (tt) => {
  const a = network(0xaaaa);
  a.net.onPeer('X', true);
  for (let i = 0; i < 3; i++) {
    a.status('X', 0x1111);
    a.status('X', 0x2222);
    a.tick(1000);
  }
  await new Promise((r) => setImmediate(r));
  const w = a.warned.filter((e) => /two processes are running one node key/.test(e.msg));
  tt.equal(w.length, 1, 'one warning');
  tt.same(w[0]!.obj.instances, [instanceHex(0x1111), instanceHex(0x2222)], 'naming both instances');
  tt.same(w[0]!.obj.addresses, ['/ip4/127.0.0.1/tcp/5001', '/ip4/127.0.0.1/tcp/5002'], 'and the addresses they connect from');
  tt.equal(a.everywhere.length, 1, 'the node id is told, on every connection');
  const m = decodeMessage(a.everywhere[0]!.frame);
  tt.equal(m.kind, 'twin');
  if (m.kind === 'twin') tt.same(m.body.instances, [0x1111, 0x2222]);

  // Each twin, told so, logs the other.
  for (const [self, other] of [[0x1111, 0x2222], [0x2222, 0x1111]] as const) {
    const x = network(self);
    x.net.onPeer('A', true);
    x.net.onFrame('A', a.everywhere[0]!.frame);
    await new Promise((r) => setImmediate(r));
    const told = x.warned.filter((e) => /another process is running this node's key/.test(e.msg));
    tt.equal(told.length, 1, `instance ${self.toString(16)} logs it`);
    tt.same(told[0]!.obj.otherInstances, [instanceHex(other)], 'naming the other process');
    tt.equal(told[0]!.obj.reportedBy, 'A');
  }
});

t.test('a TWIN message not naming the receiver is refused as bad', async (tt) => {
  const x = network(0x3333);
  x.net.onPeer('A', true);
  x.net.onFrame('A', encodeMessage('twin', { instances: [0x1111, 0x2222], addresses: [] }));
  x.net.onFrame('A', encodeMessage('twin', { instances: [0x3333], addresses: [] }));
  await new Promise((r) => setImmediate(r));
  tt.equal(x.warned.length, 0, 'nothing logged');
  tt.equal(x.struck.length, 2, 'both struck against the sender');
});

t.test('a restarted peer is not reported', async (tt) => {
  const a = network(0xaaaa);
  a.net.onPeer('X', true);
  for (let i = 0; i < 5; i++, a.tick(1000)) a.status('X', 0x1111);
  a.net.onPeer('X', false);
  a.net.onPeer('X', true);
  for (let i = 0; i < 5; i++, a.tick(1000)) a.status('X', 0x2222);
  await new Promise((r) => setImmediate(r));
  tt.equal(a.warned.length, 0);
  tt.equal(a.everywhere.length, 0);
});
