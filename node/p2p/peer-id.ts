/**
 * Peer ids of node keys, without loading the whole libp2p stack (the CLI uses it).
 */
import { publicKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPublicKey } from '@libp2p/peer-id';

/** The libp2p peer id (string form) of an Ed25519 node public key. */
export function peerIdOfNodeKey(publicKey: Uint8Array): string {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKey)).toString();
}
