/**
 * Golden vectors: the bytes and hashes of fixed chain objects and of the codec's integer,
 * string and byte forms, so any other implementation can check itself against ours.
 * `buildGolden()` computes them; core/test/vectors/{codec,chain}.json hold the committed
 * copies, and golden.test.ts requires the two to be equal. Regenerate (only for an intended
 * format change, which is a hard fork) with `node dist/core/test/gen-golden.js`.
 */
import {
  amount, bytes, CommitSchema, DuplicateVoteEvidenceSchema, encode, encodeAddress, addressFromPublicKey, HeaderSchema, merkleRoot, ProposalSchema,
  str, toHex, txSignBytes, u32, uint, utf8, ValidatorListSchema, VoteSchema, voteSignBytes, commitHash, evidenceHash, type Schema, ErrorCodes, bool, optional,
} from '../index.js';
import { CHAIN_ID, KEYS, ALICE, VALSET, sampleBlocks, sampleProposal, sampleTx } from './fixtures.js';

const hex = <T>(s: Schema<T>, v: T): string => toHex(encode(s, v));

export interface CodecVectors {
  about: string;
  accept: { type: string; value: string; hex: string }[];
  reject: { type: string; hex: string; code: string; why: string }[];
}

export function buildCodecVectors(): CodecVectors {
  const accept: CodecVectors['accept'] = [];
  for (const v of [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) accept.push({ type: 'uint', value: String(v), hex: hex(uint, v) });
  for (const v of [0n, 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n, 2n ** 100n, 2n ** 128n - 1n]) accept.push({ type: 'amount', value: v.toString(), hex: hex(amount, v) });
  for (const v of ['', 'a', 'x'.repeat(31), 'x'.repeat(32), 'x'.repeat(255), 'x'.repeat(256), 'é€𝄞']) accept.push({ type: 'str', value: v, hex: hex(str(1000), v) });
  for (const n of [0, 1, 255, 256]) accept.push({ type: 'bytes', value: toHex(new Uint8Array(n).fill(0xab)), hex: hex(bytes({ max: 1000 }), new Uint8Array(n).fill(0xab)) });
  accept.push({ type: 'bool', value: 'true', hex: hex(bool, true) }, { type: 'optional(u32)', value: 'null', hex: hex(optional(u32), null) });
  const reject: CodecVectors['reject'] = [
    { type: 'uint', hex: 'cc05', code: ErrorCodes.CODEC_NON_CANONICAL, why: 'uint8 form of a value that fits a fixint' },
    { type: 'uint', hex: 'd30000000000000005', code: ErrorCodes.CODEC_NON_CANONICAL, why: 'int64 form below 2^32' },
    { type: 'uint', hex: 'cb3ff0000000000000', code: ErrorCodes.CODEC_FORBIDDEN_TYPE, why: 'float' },
    { type: 'amount', hex: '05', code: ErrorCodes.CODEC_NON_CANONICAL, why: 'amounts are always 64-bit or wider' },
    { type: 'amount', hex: 'cf0000000000000005', code: ErrorCodes.CODEC_NON_CANONICAL, why: 'uint64 form below 2^63' },
    { type: 'str', hex: 'd90161', code: ErrorCodes.CODEC_NON_CANONICAL, why: 'str8 header for a fixstr' },
    { type: 'str', hex: 'a2c328', code: ErrorCodes.CODEC_INVALID_UTF8, why: 'invalid UTF-8' },
    { type: 'bytes', hex: 'c50000', code: ErrorCodes.CODEC_NON_CANONICAL, why: 'bin16 header for an empty bin' },
    { type: 'uint', hex: '0500', code: ErrorCodes.CODEC_TRAILING_BYTES, why: 'trailing byte' },
    { type: 'bytes', hex: 'c40301', code: ErrorCodes.CODEC_TRUNCATED, why: 'truncated' },
    { type: 'uint', hex: '8100', code: ErrorCodes.CODEC_FORBIDDEN_TYPE, why: 'map' },
  ];
  return {
    about: 'Canonical codec vectors (docs/encoding.md): "accept" gives the one encoding of each value; "reject" gives encodings that every decoder must refuse, with the error code.',
    accept,
    reject,
  };
}

export function buildChainVectors(): Record<string, unknown> {
  const tx = sampleTx();
  const { first, second } = sampleBlocks();
  const vote = second.data.evidence[0]!.voteA;
  const proposal = sampleProposal(first.hash);
  const lists = [0, 1, 2, 3, 5].map((n) => {
    const items = Array.from({ length: n }, (_, i) => utf8(String.fromCharCode(97 + i)));
    return { items: items.map(toHex), root: toHex(merkleRoot(items)) };
  });
  return {
    about: 'Chain object vectors (docs/encoding.md): keys are derived as secret = SHA-256(utf8(seed)); every object is given as its canonical bytes and hash; signatures are deterministic Ed25519 (RFC 8032).',
    chainId: CHAIN_ID,
    keys: [...KEYS.map((k, i) => ({ seed: `validator-${i}`, k })), { seed: 'alice', k: ALICE }].map(({ seed, k }) => ({
      seed, secretKey: toHex(k.secretKey), publicKey: toHex(k.publicKey), address: toHex(addressFromPublicKey(k.publicKey)),
      bech32m: encodeAddress('sov', addressFromPublicKey(k.publicKey)),
    })),
    tx: { signBytes: toHex(txSignBytes(tx.data)), bytes: toHex(tx.bytes), hash: toHex(tx.hash) },
    vote: { signBytes: toHex(voteSignBytes(CHAIN_ID, vote)), bytes: hex(VoteSchema, vote) },
    proposal: { bytes: hex(ProposalSchema, proposal) },
    commit: { bytes: hex(CommitSchema, second.data.lastCommit!), hash: toHex(commitHash(second.data.lastCommit!)) },
    evidence: { bytes: hex(DuplicateVoteEvidenceSchema, second.data.evidence[0]!), hash: toHex(evidenceHash(second.data.evidence[0]!)) },
    validatorSet: { bytes: hex(ValidatorListSchema, VALSET.validators), hash: toHex(VALSET.hash) },
    headers: [first, second].map((b) => ({ height: b.height, bytes: hex(HeaderSchema, b.header), hash: toHex(b.hash) })),
    blocks: [first, second].map((b) => ({ height: b.height, bytes: toHex(b.bytes) })),
    merkle: lists,
  };
}
