/**
 * The node-to-node messages, one per frame: the msgpack array [type, body], body being the
 * canonical encoding of the type's schema. Decoding goes through the core codec, so a
 * malformed message is a CodecError (the peer broke the protocol: reject it).
 *
 *   1 PROPOSAL    [proposal, partsTotal, partsRoot]      a signed proposal; its block follows in parts
 *   2 BLOCK_PART  [height, round, blockHash, index, total, bytes, proof]   one part, with its Merkle path
 *   3 VOTE        [vote]
 *   4 TXS         [[tx bytes ...], [peer id ...]]          transactions to relay, and the nodes they have reached
 *   5 STATUS      [height, round, lastHeight, instance]   what a peer is working on; `instance` is random per process (twins.ts)
 *   6 SYNC_REQ    [from, count]                           ask for committed blocks
 *   7 SYNC_RES    [[block bytes, commit] ...]             committed blocks with their certificates
 *   8 EVIDENCE    [evidence]
 *   9 SYNC_PRUNED [from, oldest]                          the blocks asked for from `from` are pruned here; the oldest kept is `oldest`
 *  10 TWIN        [[instance ...], [address ...]]         the sender hears these processes all running the receiver's node key, from these addresses
 * State sync (state-sync.ts; docs/state-sync.md):
 *  11 SNAP_OFFERS_REQ [format]                           which snapshots do you serve?
 *  12 SNAP_OFFERS  [[height, root, chunks, chunkEntries, format] ...]   the snapshots served here, newest first
 *  13 SNAP_CHUNK_REQ [height, index, part]               part `part` of chunk `index` of the snapshot of `height`
 *  14 SNAP_CHUNK   [height, index, part, parts, bytes]   that part (a chunk's bytes are cut in parts of at most 4 MiB)
 *  15 SNAP_REFUSED [height, index, reason]               not served: no such snapshot or chunk, or busy
 * Compact blocks (compact.ts):
 *  20 COMPACT     [proposal, skeleton, [tx hash ...]]     a proposal: the block without its transactions, and their hashes
 *  21 TXS_REQ     [[tx hash ...]]                         send me these transactions (missing from a compact proposal)
 *  22 TXS_RES     [[tx bytes ...]]                        the ones asked for that the sender holds
 */
import {
  bytes, bytes32, CodecError, str, CommitSchema, decode, DuplicateVoteEvidenceSchema, encode, ErrorCodes, Limits, list, ProposalSchema, struct, u32, u8,
  uint, VoteSchema, type Infer, type Schema,
} from '../../core/index.js';

export const PART_BYTES = 512 * 1024;
export const MAX_PARTS = Math.ceil(Limits.MAX_BLOCK_BYTES / PART_BYTES);
export const MAX_SYNC_BATCH = 50;
export const MAX_TXS_PER_MESSAGE = 5000;
/** Most node ids a TXS message lists as reached. */
export const MAX_REACHED = 256;
/** Largest part of a snapshot chunk in one SNAP_CHUNK message. */
export const SNAP_PART_BYTES = 4 * 1024 * 1024;
/** Most snapshots listed in one SNAP_OFFERS message. */
export const MAX_SNAP_OFFERS = 16;

const Envelope = struct('Envelope', { type: u8, body: bytes({ max: 16 * 1024 * 1024 }) });

export const Schemas = {
  proposal: struct('ProposalMsg', { proposal: ProposalSchema, partsTotal: u32, partsRoot: bytes32 }),
  part: struct('BlockPartMsg', { height: uint, round: u32, blockHash: bytes32, index: u32, total: u32, bytes: bytes({ max: PART_BYTES }), proof: list(bytes32, 32) }),
  vote: struct('VoteMsg', { vote: VoteSchema }),
  txs: struct('TxsMsg', { txs: list(bytes({ max: Limits.MAX_TX_BYTES }), MAX_TXS_PER_MESSAGE), reached: list(str(64), MAX_REACHED) }),
  status: struct('StatusMsg', { height: uint, round: u32, lastHeight: uint, instance: uint }),
  syncReq: struct('SyncReqMsg', { from: uint, count: u32 }),
  syncRes: struct('SyncResMsg', { blocks: list(struct('SyncBlock', { block: bytes({ max: Limits.MAX_BLOCK_BYTES }), commit: CommitSchema }), MAX_SYNC_BATCH) }),
  evidence: struct('EvidenceMsg', { evidence: DuplicateVoteEvidenceSchema }),
  syncPruned: struct('SyncPrunedMsg', { from: uint, oldest: uint }),
  twin: struct('TwinMsg', { instances: list(uint, 4), addresses: list(str(256), 8) }),
  compact: struct('CompactMsg', { proposal: ProposalSchema, skeleton: bytes({ max: Limits.MAX_BLOCK_BYTES }), txHashes: list(bytes32, Limits.MAX_BLOCK_TXS) }),
  txsReq: struct('TxsReqMsg', { hashes: list(bytes32, Limits.MAX_BLOCK_TXS) }),
  txsRes: struct('TxsResMsg', { txs: list(bytes({ max: Limits.MAX_TX_BYTES }), Limits.MAX_BLOCK_TXS) }),
  snapOffersReq: struct('SnapOffersReqMsg', { format: u8 }),
  snapOffers: struct('SnapOffersMsg', {
    snapshots: list(struct('SnapOffer', { height: uint, rootHash: bytes32, chunks: u32, chunkEntries: u32, format: u8 }), MAX_SNAP_OFFERS),
  }),
  snapChunkReq: struct('SnapChunkReqMsg', { height: uint, index: u32, part: u32 }),
  snapChunk: struct('SnapChunkMsg', { height: uint, index: u32, part: u32, parts: u32, bytes: bytes({ max: SNAP_PART_BYTES }) }),
  snapRefused: struct('SnapRefusedMsg', { height: uint, index: u32, reason: str(200) }),
} as const;

export const MsgType = { proposal: 1, part: 2, vote: 3, txs: 4, status: 5, syncReq: 6, syncRes: 7, evidence: 8, syncPruned: 9, twin: 10,
  snapOffersReq: 11, snapOffers: 12, snapChunkReq: 13, snapChunk: 14, snapRefused: 15,
  compact: 20, txsReq: 21, txsRes: 22 } as const;
type Kind = keyof typeof Schemas;
const KIND_OF = new Map<number, Kind>(Object.entries(MsgType).map(([k, v]) => [v, k as Kind]));

export type WireMessage = { [K in Kind]: { kind: K; body: Infer<(typeof Schemas)[K]> } }[Kind];

export function encodeMessage<K extends Kind>(kind: K, body: Infer<(typeof Schemas)[K]>): Uint8Array {
  const inner = encode(Schemas[kind] as Schema<unknown>, body);
  return encode(Envelope, { type: MsgType[kind], body: inner });
}

/** Decode one frame; throws CodecError for anything that is not a well-formed message. */
export function decodeMessage(frame: Uint8Array): WireMessage {
  const env = decode(Envelope, frame, 17 * 1024 * 1024);
  const kind = KIND_OF.get(env.type);
  if (!kind) throw new CodecError(ErrorCodes.CODEC_OUT_OF_RANGE, `unknown message type ${env.type}`);
  const body = decode(Schemas[kind] as Schema<unknown>, env.body, Limits.MAX_BLOCK_BYTES + 1024 * 1024);
  return { kind, body } as WireMessage;
}
