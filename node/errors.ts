/**
 * The node's error codes: every code node/ throws or returns, each with what it means, in one
 * table (`NODE_ERRORS`); `NodeErrorCodes` names them for code that compares. The strings are
 * part of the public contract (RPC clients, logs and tests match on them, never on messages)
 * and never change. Every error node/ builds with a code of its own is a `NodeError` or a
 * subclass kept beside its code (`MempoolError` in chain/mempool.ts, `ConfigError` in
 * ops/config.ts, ...), whose constructor takes only a code of this table, so a code missing
 * here does not compile; a test checks the table against the sources. node/ also answers with
 * other layers' codes, which are theirs: the vm's TX_* rejections at mempool admission,
 * core's CODEC_* for a wire message, state's for a bad page, rpc's RpcError from the facade.
 */
import { SovError, type PeerAction } from '../core/index.js';

export const NODE_ERRORS = {
  // chain/: the ledger app
  APP_BAD_BLOCK: 'a proposed block fails a check (chain, height, last block or commit, time, validator sets, size, execution): no vote for it',
  APP_WRONG_HEIGHT: 'consensus asked the ledger app to build a block for another height than the next one',
  APP_STATE_DIVERGED: 'a committed block does not execute here to what its header claims: this node stops rather than write a wrong state',
  // chain/: the mempool and the signature-verification pool
  MEMPOOL_TX_TOO_LARGE: 'a transaction that is not bytes, or longer than the largest transaction allowed',
  MEMPOOL_ALREADY_COMMITTED: 'a transaction already in a recent block',
  MEMPOOL_NONCE_TAKEN: "another pending transaction holds this nonce of the signer's",
  MEMPOOL_FULL: 'the mempool holds its most transactions or bytes (`[mempool] max_txs`, `max_bytes`)',
  MEMPOOL_ACCOUNT_FULL: 'the signer has its most pending transactions (`[mempool] max_per_account`)',
  VERIFY_POOL_CLOSED: 'the signature-verification pool is closed (the node is stopping)',
  VERIFY_WORKER_DIED: 'a signature-verification worker stopped during a check (it is replaced)',
  INTERNAL: "a fault of this node's while checking a transaction (an untyped error), not the transaction's",
  // chain/: the consensus files
  EPOCHS_CORRUPT: 'the stored consensus epochs are unreadable, or hold no height the ledger can resume from',
  EPOCHS_MISSING: 'no consensus epochs stored for the height after a ledger past genesis',
  WAL_CORRUPT: 'the consensus WAL has a record that is too large or fails its checksum before its tail',
  // p2p/
  MEMPOOL_NO_PEERS: 'a submission refused because this node has no linked peer (`[mempool] refuse_without_peers`): retry, or submit to another node',
  P2P_BAD_FRAME: 'a peer sent a frame over the size limit: the link is dropped and the peer refused',
  P2P_BAD_COMPACT_BLOCK: 'a peer sent a compact proposal whose skeleton does not match the signed proposal (header hash, height) or whose transaction hashes do not match the header\'s txRoot and txCount: refused, counted against the peer',
  P2P_SEND_OVERFLOW: 'a peer reads too slowly: more bytes are queued for it than allowed, and the link is dropped',
  P2P_SEND_FAILED: "a write to a peer's stream failed: the link is dropped",
  MALFORMED: "a peer's message that failed to decode with an untyped error (counted against the peer)",
  STATE_SYNC_UNTRUSTED: "a snapshot whose block header or commit certificate does not verify against the validator sets this node trusts (the genesis set): it is refused, and state sync tries another or falls back to block sync",
  STATE_SYNC_BAD_CHUNK: 'a peer served a snapshot chunk that fails its check against the verified snapshot root: it is refused, asked of another peer, and counted against the peer',
  // ops/ and the composition root
  CONFIG_INVALID: 'config.toml, the API keys file or a listen address is unreadable or breaks a rule',
  NODE_DISK_FULL: "the disk (or quota) is full: the node's own file (WAL, epochs) was not written; the node stops",
  NODE_WRITE_FAILED: "any other failed write of the node's own files (WAL, epochs); the node stops",
  NODE_KEY_UNREADABLE: 'a keystore named by the node home cannot be read or is not JSON',
  NODE_PORT_IN_USE: 'a port the config names (p2p, RPC or metrics listen) is held by another process, checked before the node opens or writes anything',
  // cli/
  PASSWORD_UNAVAILABLE: 'no keystore password: the file or variable is unreadable, unset or empty, no terminal to ask on, or the two entries differ',
  CLI_ERROR: 'a bad argument or input file of a `sov` command (it exits with status 2)',
} as const satisfies Record<string, string>;

export type NodeErrorCode = keyof typeof NODE_ERRORS;

/** Each code by name: `NodeErrorCodes.MEMPOOL_FULL === 'MEMPOOL_FULL'`. */
export const NodeErrorCodes = Object.freeze(Object.fromEntries(Object.keys(NODE_ERRORS).map((c) => [c, c]))) as { readonly [C in NodeErrorCode]: C };

/** An error of the node, with a code of the table. */
export class NodeError extends SovError {
  constructor(code: NodeErrorCode, message: string, meta: Record<string, unknown> = {}, peerAction: PeerAction = 'reject') {
    super(code, message, meta, peerAction);
  }
}
