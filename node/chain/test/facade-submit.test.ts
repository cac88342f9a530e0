/**
 * Submissions without peers: by default a node with no linked peer holds the transaction and
 * says so (pending, relayedTo 0); with `[mempool] refuse_without_peers` it refuses it with
 * MEMPOOL_NO_PEERS, unless it is alone in its network.
 */
import t from 'tap';
import { NodeFacadeImpl, type FacadeDeps } from '../facade.js';
import { NodeErrorCodes } from '../../errors.js';

function facade(peers: number, refuse: (() => boolean) | undefined) {
  const added: Uint8Array[] = [];
  const deps = {
    peers: () => peers,
    refuseWithoutPeers: refuse,
    relay: () => peers,
    mempool: { add: async (txs: Uint8Array[]) => txs.map(() => { added.push(new Uint8Array()); return { hash: 'ab'.repeat(32), status: 'added' as const }; }) },
  } as unknown as FacadeDeps;
  return { f: new NodeFacadeImpl(deps), added };
}
const tx = new Uint8Array([1, 2, 3]);

t.test('by default: held, and the answer says no peer got it', async (tt) => {
  const { f, added } = facade(0, undefined);
  const r = await f.submitTx(tx, false);
  tt.match(r, { status: 'pending', relayedTo: 0 });
  tt.equal(added.length, 1);
});

t.test('refuse_without_peers: refused while no peer is linked, with its code', async (tt) => {
  const { f, added } = facade(0, () => true);
  const err = await f.submitTx(tx, false).then(() => null, (e: unknown) => e as { data?: { code?: string }; message: string });
  tt.equal(err?.data?.code, NodeErrorCodes.MEMPOOL_NO_PEERS, 'MEMPOOL_NO_PEERS');
  tt.match(err?.message, /no linked peer/);
  tt.equal(added.length, 0, 'not held');
});

t.test('refuse_without_peers: accepted once a peer is linked', async (tt) => {
  const { f } = facade(2, () => true);
  tt.match(await f.submitTx(tx, false), { status: 'pending', relayedTo: 2 });
});

t.test('refuse_without_peers on a node alone in its network: accepted', async (tt) => {
  const { f } = facade(0, () => false);
  tt.match(await f.submitTx(tx, false), { status: 'pending', relayedTo: 0 });
});
