/**
 * A compact proposal is checked (consensus's precheckProposal: this round's proposer, this
 * height, a valid signature) before it takes one of the few places among proposals being
 * completed: a forged one is dropped and its sender struck, and nothing is asked for it.
 */
import t from 'tap';
import { Block, txRootOf, type Proposal, type SovError } from '../../../core/index.js';
import { ConsensusError, ConsensusErrorCodes } from '../../../consensus/index.js';
import { txHashOf } from '../../../state/index.js';
import { compactOf } from '../compact.js';
import { NodeNetwork } from '../network.js';
import { encodeMessage } from '../wire.js';
import type { P2PHost } from '../host.js';

t.test('a compact proposal that fails the precheck is dropped before it is held', async (tt) => {
  const sent: string[] = [];
  const struck: string[] = [];
  const host = { peerId: 'A', peers: () => ['B'], send: (to: string) => { sent.push(to); return true; }, broadcast: () => 1, disconnect: async () => undefined } as unknown as P2PHost;
  const quiet = { info: () => {}, debug: () => {}, warn: () => {}, error: () => {} };
  let verdict: SovError | null = new ConsensusError('VOTE_INVALID' as never, 'proposal signature does not verify');
  const events: string[] = [];
  let checks = 0;
  const precheckProposal = (): SovError | null => (checks++, verdict);
  const driver = { height: 5, round: 0, precheckProposal, event: async (ev: { type: string }) => { events.push(ev.type); return null; } };
  const metrics = { peers: { set: () => {} }, peerMisbehaviour: { inc: ({ code }: { code: string }) => void struck.push(code) }, compactFetchedTxs: { inc: () => {} } };
  const mempool = { pending: () => [], bytesOf: () => undefined };
  const net = new NodeNetwork({ host, driver: driver as never, mempool: mempool as never, ledger: { height: 4 } as never, log: quiet as never, metrics: metrics as never });
  net.onPeer('B', true);
  sent.length = 0;
  const txs = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5, 6])];
  const Z = new Uint8Array(32);
  const block = Block.fromData({
    header: {
      version: 1, chainId: 'test-chain', height: 5, time: 5000, lastBlockHash: Z, lastCommitHash: Z, txRoot: txRootOf(txs.map((x) => txHashOf(x))),
      txCount: txs.length, stateRoot: Z, resultsRoot: Z, validatorsHash: Z, nextValidatorsHash: Z, evidenceHash: Z, proposer: new Uint8Array(20),
    },
    txs, lastCommit: null, evidence: [],
  });
  const proposal: Proposal = { height: 5, round: 0, polRound: null, blockHash: block.hash, proposer: block.header.proposer, signature: new Uint8Array(64) };
  const frame = encodeMessage('compact', compactOf(proposal, block));
  // Until the frame has reached the precheck (what follows it runs in the same turn), 2 s at most.
  const deliver = async (): Promise<void> => {
    const want = checks + 1;
    net.onFrame('B', frame);
    const until = Date.now() + 2000;
    while (checks < want && Date.now() < until) await new Promise((r) => setImmediate(r));
    if (checks < want) throw new Error('the frame never reached the precheck');
    await new Promise((r) => setImmediate(r));
  };

  await deliver();
  tt.same(struck, ['VOTE_INVALID'], 'the sender is struck');
  tt.equal((net as unknown as { compact: { waiting: number } }).compact.waiting, 0, 'nothing held');
  tt.same(sent, [], 'nothing asked of anyone');

  verdict = new ConsensusError(ConsensusErrorCodes.WRONG_HEIGHT, 'message for height 5, at 6', {}, 'ignore');
  await deliver();
  tt.same(struck, ['VOTE_INVALID'], 'another height: dropped without a strike');

  verdict = null;
  await deliver();
  tt.equal((net as unknown as { compact: { waiting: number } }).compact.waiting, 1, 'a proposal that passes is held while its transactions are missing');
  tt.same(sent, ['B'], 'and they are asked of the sender');
  tt.same(events, [], 'no proposal reached consensus: the refused ones were dropped, the held one is incomplete');
});
