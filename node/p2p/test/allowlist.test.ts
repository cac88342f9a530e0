/**
 * The validators' peer ids the allowlist admits: by the node key recorded in state; by the
 * genesis entry's node key for a validator with none recorded (a chain begun before node keys
 * were in state); and none, reported, for a validator with neither.
 */
import t from 'tap';
import { addressFromPublicKey, encode, generateKeyPair, toHex } from '../../../core/index.js';
import { Keys, ValidatorListSchema, ValidatorNodeSchema, type StateReader } from '../../../vm/index.js';
import { validatorPeerIds } from '../allowlist.js';
import { peerIdOfNodeKey } from '../peer-id.js';

t.test('peer ids from recorded node keys, genesis node keys, or none', async (tt) => {
  const [a, b, c, gone] = [generateKeyPair(), generateKeyPair(), generateKeyPair(), generateKeyPair()];
  const [aNode, bNode, bOldNode, goneNode] = [generateKeyPair(), generateKeyPair(), generateKeyPair(), generateKeyPair()];
  const entry = (k: typeof a) => ({ address: addressFromPublicKey(k.publicKey), publicKey: k.publicKey, power: 1 });
  const state = new Map<string, Uint8Array>([
    // `gone` was a genesis validator but is no longer in the set.
    [toHex(Keys.validators()), encode(ValidatorListSchema, { validators: [a, b, c].map(entry) })],
    [toHex(Keys.validatorNode(addressFromPublicKey(a.publicKey))), encode(ValidatorNodeSchema, { nodeKey: aNode.publicKey })],
  ]);
  const read: StateReader = { get: (k) => state.get(toHex(k)) };
  const genesis = [
    { publicKey: b.publicKey, nodeKey: bOldNode.publicKey },
    { publicKey: gone.publicKey, nodeKey: goneNode.publicKey },
  ];
  const missing: string[] = [];
  let peers = await validatorPeerIds(read, genesis, (v) => missing.push(v));
  tt.same([...peers].sort(), [peerIdOfNodeKey(aNode.publicKey), peerIdOfNodeKey(bOldNode.publicKey)].sort(), 'a by its record, b by its genesis entry; a removed genesis validator is not admitted');
  tt.same(missing, [toHex(addressFromPublicKey(c.publicKey))], 'c, with neither, is reported');

  // Once b's node key is recorded (say governance re-added it), the record wins.
  state.set(toHex(Keys.validatorNode(addressFromPublicKey(b.publicKey))), encode(ValidatorNodeSchema, { nodeKey: bNode.publicKey }));
  peers = await validatorPeerIds(read, genesis, () => undefined);
  tt.ok(peers.has(peerIdOfNodeKey(bNode.publicKey)) && !peers.has(peerIdOfNodeKey(bOldNode.publicKey)), 'a recorded node key takes precedence');

  state.clear();
  tt.equal((await validatorPeerIds(read, genesis, () => undefined)).size, 0, 'no validator list: no validator peers');
});
