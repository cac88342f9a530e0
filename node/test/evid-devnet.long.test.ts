/**
 * Equivocation on a four-validator devnet: validator 3's key signs a second prevote, for a
 * block id nobody proposed, at the heights the network is deciding (a peer admitted as an
 * observer gossips them), so every node sees its two prevotes for one height and round. The
 * evidence goes into a block; every node records the same equivocation in state; validator 3
 * is suspended from the block's height + 2 (the network then commits with three validators,
 * its signature in no certificate); the council reinstates it (resolve_equivocation), and
 * it is back in the set and signing again.
 */
import t from 'tap';
import { addressFromPublicKey, encode, generateKeyPair, sha256, signTx, signVote, to0x, utf8, VoteType } from '../../core/index.js';
import { ActionKind, makeAction, SovClient, type EquivocationsView } from '../../rpc/index.js';
import { Devnet } from '../../test/devnet.js';
import { waitFor } from '../../test/index.js';
import { gov } from '../../vm/index.js';
import { P2PHost, peerIdOfNodeKey } from '../p2p/host.js';
import { encodeMessage } from '../p2p/wire.js';
import { loadHome } from '../node.js';
import { silentLogger } from '../ops/log.js';

const net = Devnet.create({ validators: 4, blockIntervalMs: 100, logLevel: 'info' });
const forgerKey = generateKeyPair();
let forger: P2PHost | null = null;
t.teardown(async () => {
  await forger?.stop().catch(() => undefined);
  await net.stop();
});
for (let i = 0; i < 4; i++) net.setConfig(i, 'p2p', 'observers', JSON.stringify([peerIdOfNodeKey(forgerKey.publicKey)]));

type Validators = { validators: { address: string; publicKey: string; power: number }[] };
type CommitView = { signatures: { validator: string }[] };

t.test('an equivocating validator is recorded on every node, suspended, and reinstated by the council', async (tt) => {
  net.startAll();
  await net.waitHeight(0, 3);
  const v3 = (await loadHome(net.manifest.nodes[3]!.home, silentLogger())).validatorKey!;
  const v3Address = addressFromPublicKey(v3.publicKey);
  const v3Hex = to0x(v3Address);
  forger = new P2PHost({ nodeSecretKey: forgerKey.secretKey, listen: ['/ip4/127.0.0.1/tcp/0'], isAllowed: () => true, onFrame: () => undefined, log: silentLogger(), redialMs: 500 });
  await forger.start();
  for (const n of net.manifest.nodes) forger.addPersistentPeer(n.p2p_address);
  await waitFor(() => forger!.peers().length >= 4, 'the forging peer linked to the four validators', 60_000);

  // Validator 3's second prevote at round 0 of the height being decided and the next (held until then).
  let n = 0;
  const equivocations = async (i: number): Promise<EquivocationsView> => (await net.rpc(i, 'evid_equivocations', [])) as EquivocationsView;
  await waitFor(async () => {
    const h = await net.height(0);
    for (const height of [h + 1, h + 2]) {
      const vote = signVote(net.manifest.chain_id, { type: VoteType.PREVOTE, height, round: 0, blockHash: sha256(utf8(`forged ${n++}`)), validator: v3Address }, v3.secretKey);
      forger!.broadcast(encodeMessage('vote', { vote }));
    }
    return (await equivocations(0)).items.length > 0;
  }, 'the equivocation recorded on node 0', 90_000, 150);
  await forger.stop();
  forger = null;

  const first = (await equivocations(0)).items[0]!;
  tt.equal(first.voteType, 'prevote', 'a prevote');
  tt.equal(to0x(addressFromPublicKey(Buffer.from(first.publicKey.slice(2), 'hex'))), v3Hex, 'validator 3\'s');
  tt.equal(first.suspendedFrom, first.recordedHeight + 2, 'suspended from the recording block\'s height + 2');
  tt.ok(first.voteA.blockHash !== first.voteB.blockHash, 'two block ids');
  // (Validator 3's own node is cut off once suspended: no peer admits it until it is back; it is compared at the end.)
  const view = (e: EquivocationsView) => JSON.stringify(e.items.filter((x) => x.recordedHeight <= first.recordedHeight + 5));
  for (let i = 0; i < 3; i++) await net.waitHeight(i, first.recordedHeight + 6);
  const seen = view(await equivocations(0));
  for (let i = 1; i < 3; i++) tt.equal(view(await equivocations(i)), seen, `node ${i} holds the same records`);

  // Suspended: out of the set, and in no certificate from its height on.
  const vals = (await net.rpc(0, 'sov_getValidators', [])) as Validators;
  tt.notOk(vals.validators.some((v) => v.publicKey === to0x(v3.publicKey)), 'out of the validator set');
  const from = first.suspendedFrom!;
  await net.waitHeight(0, from + 3);
  for (const h of [from, from + 1, from + 2]) {
    const c = (await net.rpc(0, 'sov_getCommit', [h])) as CommitView;
    tt.notOk(c.signatures.some((s) => s.validator === v3Hex), `height ${h} committed without it`);
  }

  // The council (the central bank, threshold 1) reinstates it.
  const cb = net.accountKeys().find((a) => net.manifest.accounts.find((m) => m.name === a.name)?.role === 'central_bank')!;
  const client = new SovClient(net.manifest.nodes[0]!.rpc_url);
  const action = makeAction(ActionKind.RESOLVE_EQUIVOCATION, { validator: v3Address, height: first.height, round: first.round, voteType: VoteType.PREVOTE, decision: 3, power: 0, legalRef: 'Council minute 2026/3' });
  const nonce = (await client.getAccount(cb.address)).nonce;
  const tx = signTx({ chainId: net.manifest.chain_id, signer: addressFromPublicKey(cb.keys.publicKey), nonce, expiry: (await net.height(0)) + 1000, body: { module: 'gov', method: 'propose', args: encode(gov.ProposeArgs, { action, reason: 'its operator fixed the fault' }) } }, [cb.keys.secretKey]);
  const sent = await client.sendTransaction(tx, true);
  tt.match(sent, { status: 'committed', code: 0 }, 'the decision is committed');
  const decided = (await equivocations(0)).items.find((x) => x.height === first.height && x.recordedHeight === first.recordedHeight)!;
  tt.match(decided, { decision: 'reinstate', legalRef: 'Council minute 2026/3' }, 'recorded with the evidence');
  const back = (await net.rpc(0, 'sov_getValidators', [])) as Validators;
  tt.ok(back.validators.some((v) => v.publicKey === to0x(v3.publicKey) && v.power === decided.decidedPower), 'back in the set with its power');
  let signedAt = 0;
  try {
    await waitFor(async () => {
      const h = await net.height(0);
      const c = (await net.rpc(0, 'sov_getCommit', [h])) as CommitView;
      if (c.signatures.some((s) => s.validator === v3Hex)) signedAt = h;
      return signedAt > 0;
    }, 'validator 3 signing again', 120_000, 200);
  } catch (e) {
    // One CI run timed out here (745 passed, 1 failed); seven local runs, three of them under
    // load, did not: a failure says where each node was, and what its log said last.
    throw new Error(`${(e as Error).message}; decision committed at ${sent.height}\n${await net.report(40)}`);
  }
  // A set change committed at height H takes effect at H + 2: its precommit may be in that height's certificate already (whether it is depends on whether it arrived before the first two thirds did), never in an earlier one.
  tt.ok(signedAt >= sent.height! + 2, `its precommit is in the certificate of height ${signedAt} (the decision committed at ${sent.height})`);
  const final = JSON.stringify((await equivocations(0)).items);
  for (let i = 1; i < 4; i++) {
    await net.waitHeight(i, signedAt);
    tt.equal(JSON.stringify((await equivocations(i)).items), final, `node ${i} holds the same records and decision`);
  }
});
