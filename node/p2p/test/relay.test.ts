/**
 * Transaction relay: a node sends a transaction only to the peers outside the message's
 * `reached` list, so in a full mesh each node gets it once, and a node the origin is not
 * linked to still gets it through one that is.
 */
import t from 'tap';
import { NodeNetwork } from '../network.js';
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
