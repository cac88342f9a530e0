/**
 * The validators' node peer ids the p2p allowlist admits, read from committed state: each
 * current validator (the ValidatorList) by the node key recorded for it (genesis, then
 * governance's add_validator). A validator with no recorded node key (a chain begun before
 * node keys were recorded in state) is admitted by the node key its genesis entry names, if
 * any; one with neither is left out and reported.
 */
import { addressFromPublicKey, decodeTrusted, toHex } from '../../core/index.js';
import { Keys, ValidatorListSchema, ValidatorNodeSchema, type StateReader } from '../../vm/index.js';
import { peerIdOfNodeKey } from './peer-id.js';

export interface GenesisNodeKey {
  readonly publicKey: Uint8Array;
  readonly nodeKey: Uint8Array;
}

export async function validatorPeerIds(
  read: StateReader,
  genesis: readonly GenesisNodeKey[],
  onMissing: (validatorHex: string) => void,
): Promise<Set<string>> {
  const inGenesis = new Map(genesis.map((g) => [toHex(addressFromPublicKey(g.publicKey)), g.nodeKey]));
  const raw = await read.get(Keys.validators());
  const peers = new Set<string>();
  for (const v of raw ? decodeTrusted(ValidatorListSchema, raw).validators : []) {
    const node = await read.get(Keys.validatorNode(v.address));
    const nodeKey = node ? decodeTrusted(ValidatorNodeSchema, node).nodeKey : inGenesis.get(toHex(v.address));
    if (nodeKey) peers.add(peerIdOfNodeKey(nodeKey));
    else onMissing(toHex(v.address));
  }
  return peers;
}
