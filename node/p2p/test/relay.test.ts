/**
 * Transaction relay: a node sends a transaction only to the peers outside the message's
 * `reached` list, so in a full mesh each node gets it once, and a node the origin is not
 * linked to still gets it through one that is.
 */
import t from 'tap';
import { NodeNetwork, SILENT_PEERS_MS } from '../network.js';
import { decodeMessage } from '../wire.js';
import type { P2PHost } from '../host.js';

function nodeWith(self: string, peers: string[]) {
  const sent: { to: string; txs: number; reached: readonly string[] }[] = [];
  const host = {
    peerId: self,
    peers: () => peers,
    send: (to: string, frame: Uint8Array) => {
      const m = decodeMessage(frame);
      if (m.kind !== 'txs') throw new Error('not a txs message');
      sent.push({ to, txs: m.body.txs.length, reached: m.body.reached });
      return true;
    },
  } as unknown as P2PHost;
  const net = new NodeNetwork({ host, driver: null as never, mempool: null as never, ledger: null as never, log: null as never, metrics: null as never });
  return { net, sent };
}
const txs = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])];

t.test('from a client: to every peer, naming them all as reached', async (tt) => {
  const { net, sent } = nodeWith('A', ['B', 'C', 'D']);
  net.relayTxs(txs);
  tt.same(sent.map((s) => s.to), ['B', 'C', 'D']);
  tt.same([...sent[0]!.reached].sort(), ['A', 'B', 'C', 'D']);
  tt.equal(sent[0]!.txs, 2);
});

t.test('in a full mesh, a relayed message goes no further', async (tt) => {
  const { net, sent } = nodeWith('B', ['A', 'C', 'D']);
  net.relayTxs(txs, { peer: 'A', reached: ['A', 'B', 'C', 'D'] });
  tt.same(sent, []);
});

t.test('a peer the sender did not reach gets it from this node', async (tt) => {
  // An observer O linked only to A submits; A reaches B and C, C also links to E.
  const a = nodeWith('A', ['O', 'B', 'C']);
  a.net.relayTxs(txs, { peer: 'O', reached: ['O', 'A'] });
  tt.same(a.sent.map((s) => s.to), ['B', 'C']);
  const reached = a.sent[0]!.reached;
  tt.same([...reached].sort(), ['A', 'B', 'C', 'O']);
  const c = nodeWith('C', ['A', 'B', 'E']);
  c.net.relayTxs(txs, { peer: 'A', reached });
  tt.same(c.sent.map((s) => s.to), ['E'], 'only E, which no one had reached');
});

t.test('a hostile sender cannot make the list unbounded: it is cut, which only adds relays', async (tt) => {
  const { net, sent } = nodeWith('B', ['C']);
  net.relayTxs(txs, { peer: 'A', reached: Array.from({ length: 256 }, (_, i) => `p${i}`) });
  tt.same(sent.map((s) => s.to), ['C']);
  tt.equal(sent[0]!.reached.length, 256);
});

t.test('a peer that connects is offered the pending transactions, once per connection', async (tt) => {
  const sent: { to: string; kind: string; txs: number; reached: readonly string[] }[] = [];
  const pending = [new Uint8Array([7, 7]), new Uint8Array([8])];
  const host = {
    peerId: 'A',
    peers: () => ['B'],
    send: (to: string, frame: Uint8Array) => {
      const m = decodeMessage(frame);
      sent.push({ to, kind: m.kind, txs: m.kind === 'txs' ? m.body.txs.length : 0, reached: m.kind === 'txs' ? m.body.reached : [] });
      return true;
    },
  } as unknown as P2PHost;
  const quiet = { info: () => {}, debug: () => {}, warn: () => {} };
  const metrics = { peers: { set: () => {} } };
  const driver = { height: 5, round: 0 };
  const mempool = { pending: (max: number) => (max > 0 ? pending : []) };
  const net = new NodeNetwork({ host, driver: driver as never, mempool: mempool as never, ledger: { height: 4 } as never, log: quiet as never, metrics: metrics as never });
  net.onPeer('B', true);
  tt.same(sent.map((s) => [s.to, s.kind, s.txs]), [['B', 'status', 0], ['B', 'txs', 2]], 'a status, then the two pending transactions');
  tt.same([...sent[1]!.reached].sort(), ['A', 'B'], 'naming this node and the peer as reached, so the peer relays them on');
  net.onPeer('B', true);
  tt.equal(sent.filter((s) => s.kind === 'txs').length, 1, 'a second link event of a connected peer offers nothing again');
  net.onPeer('B', false);
  net.onPeer('B', true);
  tt.equal(sent.filter((s) => s.kind === 'txs').length, 2, 'after a reconnection they are offered again');
});

t.test('linked peers that send nothing for SILENT_PEERS_MS make the node unready, with one warning naming them', async (tt) => {
  let now = 1_000_000;
  const warned: unknown[] = [];
  const infos: string[] = [];
  const host = { peerId: 'A', peers: () => ['B', 'C'], send: () => true, broadcast: () => 2 } as unknown as P2PHost;
  const log = { info: (_o: unknown, m: string) => void infos.push(m), debug: () => {}, warn: (o: unknown) => void warned.push(o) };
  const net = new NodeNetwork({
    host, driver: { height: 5, round: 0 } as never, mempool: { pending: () => [] } as never, ledger: { height: 4 } as never, log: log as never,
    metrics: { peers: { set: () => {} }, peerMisbehaviour: { inc: () => {} } } as never, statusMs: 1 << 30, now: () => now,
  });
  net.onPeer('B', true);
  net.onPeer('C', true);
  const tick = (): void => (net as unknown as { announce(): void }).announce();
  now += SILENT_PEERS_MS - 1;
  tick();
  tt.equal(net.silentReason(), null, 'not yet');
  tt.equal(warned.length, 0);
  now += 1;
  tick();
  tick();
  tt.match(net.silentReason(), /linked to 2 peer\(s\) but heard nothing from any for 10 s/, 'unready, saying why');
  tt.equal(warned.length, 1, 'warned once');
  tt.same((warned[0] as { peers: string[] }).peers, ['B', 'C'], 'naming the silent peers');
  net.onFrame('C', new Uint8Array([0xc1])); // any frame counts as hearing from it (a malformed one is struck, but heard)
  tick();
  tt.equal(net.silentReason(), null, 'ready again once one speaks');
  tt.ok(infos.includes('peers heard again'));
});
