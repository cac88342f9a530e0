/**
 * The fast path of canonical decoding (canonical-read.ts) against the full path
 * (`decodeFull`: structure scan, msgpackr, schema, re-encode comparison): on seeded random
 * and mutated inputs for every chain decoder, both give the same value or the same error;
 * each non-shortest form the fast path refuses still fails as before; schemas with bigint
 * fields never take it. And a transaction's sign bytes, cut from its encoding, equal the
 * encoded ones for every header size.
 */
import t from 'tap';
import {
  amount, Block, BlockSchema, CodecError, CommitSchema, decode, decodeFull, decodeOwned, DuplicateVoteEvidenceSchema, encode, equalBytes, ErrorCodes, fastDecodable,
  fromHex, HeaderSchema, list, ProposalSchema, str, struct, toHex, Tx, txSignBytes, TxSchema, u64, u8, uint, ValidatorListSchema, VoteSchema,
  bytes, optional, keyPairFromSecret, signTx, type Schema,
} from '../index.js';
import { Rng } from '../../test/index.js';
import { sampleBlocks, sampleProposal, sampleTx, sampleVote, VALSET } from './fixtures.js';

type Outcome = { ok: true; bytes: string; value: unknown } | { ok: false; code: string; message: string; typed: boolean };

function outcome(f: () => unknown, schema: Schema<unknown>): Outcome {
  try {
    const value = f();
    return { ok: true, bytes: toHex(encode(schema, value)), value };
  } catch (e) {
    return { ok: false, code: (e as CodecError).code, message: (e as Error).message, typed: e instanceof CodecError };
  }
}

const { first, second } = sampleBlocks();
/** Every integer kind side by side, so mutations swap their forms. */
const AMOUNTS = struct('Amounts', { a: amount, b: u64, n: uint, m: uint, small: u8, maybe: optional(amount), list: list(amount, 8) });
const seeds: [string, Schema<unknown>, Uint8Array[]][] = [
  ['Tx', TxSchema as Schema<unknown>, [sampleTx().bytes]],
  ['Block', BlockSchema as Schema<unknown>, [first.bytes, second.bytes]],
  ['Header', HeaderSchema as Schema<unknown>, [encode(HeaderSchema, second.header)]],
  ['Vote', VoteSchema as Schema<unknown>, [encode(VoteSchema, sampleVote(1, 1, 3, 0, null)), encode(VoteSchema, sampleVote(1, 2, 2 ** 40, 7, first.hash))]],
  ['Proposal', ProposalSchema as Schema<unknown>, [encode(ProposalSchema, sampleProposal(first.hash))]],
  ['Commit', CommitSchema as Schema<unknown>, [encode(CommitSchema, second.data.lastCommit!)]],
  ['Evidence', DuplicateVoteEvidenceSchema as Schema<unknown>, [encode(DuplicateVoteEvidenceSchema, second.data.evidence[0]!)]],
  ['ValidatorList', ValidatorListSchema as Schema<unknown>, [encode(ValidatorListSchema, VALSET.validators)]],
  ['Amounts', AMOUNTS as Schema<unknown>, [
    encode(AMOUNTS, { a: 5n, b: 0n, n: 7, m: 2 ** 40, small: 3, maybe: null, list: [1n, 2n ** 63n - 1n] }),
    encode(AMOUNTS, { a: 2n ** 64n + 5n, b: 2n ** 63n, n: 2 ** 32, m: 0, small: 255, maybe: 2n ** 40n, list: [] }),
  ]],
];

const INTERESTING = [0x00, 0x7f, 0x80, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd3,
  0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xe0, 0xff];

function mutate(rng: Rng, src: Uint8Array): Uint8Array {
  let b = Uint8Array.from(src);
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const at = b.length === 0 ? 0 : rng.int(b.length);
    switch (rng.int(6)) {
      case 0: if (b.length) b[at]! ^= 1 << rng.int(8); break;
      case 1: if (b.length) b[at] = rng.pick(INTERESTING); break;
      case 2: b = b.subarray(0, at); break;
      case 3: b = Uint8Array.from([...b.subarray(0, at), ...rng.bytes(1 + rng.int(4)), ...b.subarray(at)]); break;
      case 4: b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(Math.min(b.length, at + 1 + rng.int(4)))]); break;
      default: b = Uint8Array.from([...b, ...rng.bytes(1 + rng.int(3))]);
    }
  }
  return b;
}

const PER_SCHEMA = 20_000;

for (const [name, schema, samples] of seeds) {
  t.test(`${name}: the fast path and the full path agree on ${PER_SCHEMA} inputs`, (tt) => {
    tt.ok(fastDecodable(schema), `${name} takes the fast path`);
    const rng = new Rng(name.length * 104729 + 3);
    let accepted = 0;
    let disagreements = 0;
    for (let i = 0; i < PER_SCHEMA; i++) {
      const input = i < samples.length ? samples[i]! : rng.bool(0.1) ? rng.bytes(rng.int(64)) : mutate(rng, rng.pick(samples));
      const fast = outcome(() => decode(schema, input), schema);
      const full = outcome(() => decodeFull(schema, input), schema);
      // decodeOwned (views instead of copies) gives the same answer as decode.
      const owned = outcome(() => decodeOwned(schema, input), schema);
      if (owned.ok !== fast.ok || (owned.ok && fast.ok && owned.bytes !== fast.bytes) || (!owned.ok && !fast.ok && owned.message !== fast.message)) disagreements++;
      if (fast.ok) {
        accepted++;
        if (!full.ok || fast.bytes !== full.bytes || fast.bytes !== toHex(input)) disagreements++;
      } else if (full.ok || fast.code !== full.code || fast.message !== full.message || !fast.typed) {
        disagreements++;
      }
      if (disagreements === 1 && (fast.ok !== full.ok)) tt.fail(`first disagreement on ${toHex(input)}: ${JSON.stringify([fast.ok, full.ok])}`);
    }
    tt.equal(disagreements, 0, 'no input where they differ');
    tt.ok(accepted >= samples.length, `${accepted} accepted (the samples at least)`);
    tt.end();
  });
}

t.test('decodeOwned: byte fields are views into the input; decode copies them; a Tx and a Block keep views', (tt) => {
  const tx = sampleTx();
  const viewOf = (b: Uint8Array, of: Uint8Array): boolean => b.buffer === of.buffer && b.byteOffset >= of.byteOffset && b.byteOffset + b.length <= of.byteOffset + of.length;
  const owned = decodeOwned(TxSchema, tx.bytes);
  const copied = decode(TxSchema, tx.bytes);
  tt.ok(viewOf(owned.signer, tx.bytes) && viewOf(owned.body.args, tx.bytes) && viewOf(owned.signatures[0]!.signature, tx.bytes), 'decodeOwned: views');
  tt.notOk(viewOf(copied.signer, tx.bytes) || viewOf(copied.signatures[0]!.signature, tx.bytes), 'decode: copies');
  tt.same(owned, copied, 'the same value');
  const again = Tx.decode(tx.bytes);
  tt.ok(viewOf(again.signer, tx.bytes), 'Tx.decode keeps views into its bytes');
  tt.equal(again.hashHex, toHex(again.hash), 'hashHex is the hash in hex');
  tt.equal(again.hashHex, again.hashHex, 'and stays the same');
  tt.equal(Tx.decode(tx.bytes, again.hash, 'ab').hashHex, 'ab', 'a hex given with the hash is taken as it is (not computed again)');
  tt.equal(Tx.decode(tx.bytes, undefined, 'ab').hashHex, toHex(tx.hash), 'a hex given without its hash is not taken');
  tt.ok(Object.isFrozen(again), 'a Tx stays frozen');
  const block = Block.decode(first.bytes);
  tt.ok(block.data.txs.length > 0 && block.data.txs.every((b) => viewOf(b, first.bytes)), "a Block's transactions are views into its bytes");
  tt.end();
});

t.test('every longer-than-needed form still fails with its code', (tt) => {
  const S = struct('S', { n: uint, s: str(300), b: bytes({ max: 300 }), l: list(u8, 100), o: optional(u8) });
  tt.ok(fastDecodable(S));
  const ok = encode(S, { n: 5, s: 'ab', b: Uint8Array.of(1), l: [1, 2], o: null });
  tt.equal(toHex(ok), '9505a26162c40101920102c0');
  tt.same(decode(S, ok), { n: 5, s: 'ab', b: Uint8Array.of(1), l: [1, 2], o: null });
  const cases: [string, string][] = [
    ['95cc05a26162c40101920102c0', 'uint 5 as uint8'],
    ['95cd0005a26162c40101920102c0', 'uint 5 as uint16'],
    ['95ce00000005a26162c40101920102c0', 'uint 5 as uint32'],
    ['95d30000000000000005a26162c40101920102c0', 'uint 5 as int64'],
    ['9505d9026162c40101920102c0', 'a short string as str8'],
    ['9505da00026162c40101920102c0', 'a short string as str16'],
    ['9505a26162c5000101920102c0', 'short bytes as bin16'],
    ['9505a26162c40101dc00020102c0', 'a short list as array16'],
  ];
  for (const [hex, what] of cases) {
    tt.throws(() => decode(S, fromHex(hex)), { code: ErrorCodes.CODEC_NON_CANONICAL }, what);
  }
  tt.throws(() => decode(S, fromHex('9505a26162c40101920102c000')), { code: ErrorCodes.CODEC_TRAILING_BYTES }, 'trailing byte');
  tt.throws(() => decode(S, fromHex('9505a26162c40101920102')), { code: ErrorCodes.CODEC_TRUNCATED }, 'truncated');
  tt.throws(() => decode(S, fromHex('95ff a26162c40101920102c0'.replace(' ', ''))), { code: ErrorCodes.CODEC_OUT_OF_RANGE }, 'negative fixint');
  tt.throws(() => decode(S, fromHex('9505a2ff62c40101920102c0')), { code: ErrorCodes.CODEC_INVALID_UTF8 }, 'bad UTF-8');
  // Large uints are int64 on the wire, and read back on the fast path.
  const big = encode(S, { n: 2 ** 40, s: 'é'.repeat(40), b: new Uint8Array(300), l: Array.from({ length: 20 }, () => 1), o: 7 });
  tt.same(decode(S, big), decodeFull(S, big));
  tt.end();
});

t.test('bigint fields: int64 is read on the fast path, a shorter form still fails', (tt) => {
  const A = struct('A', { a: amount, h: uint });
  tt.ok(fastDecodable(A));
  tt.throws(() => decode(A, fromHex('920501')), { code: ErrorCodes.CODEC_NON_CANONICAL }, 'an amount as a fixint');
  tt.throws(() => decode(A, fromHex('92cc8001')), { code: ErrorCodes.CODEC_NON_CANONICAL }, 'an amount as uint8');
  tt.throws(() => decode(A, fromHex('92d30000000000000005d30000000000000001')), { code: ErrorCodes.CODEC_NON_CANONICAL }, 'a small uint as int64');
  tt.throws(() => decode(struct('B', { b: u8 }), fromHex('91d30000000000000005')), { code: ErrorCodes.CODEC_NON_CANONICAL }, 'a u8 as int64');
  tt.equal(decode(A, encode(A, { a: 5n, h: 1 })).a, 5n);
  tt.equal(decode(A, encode(A, { a: 2n ** 62n, h: 2 ** 40 })).a, 2n ** 62n);
  tt.equal(decode(A, encode(A, { a: 2n ** 100n, h: 1 })).a, 2n ** 100n, 'a bigint extension value (full path)');
  // A schema made outside core's constructors is never trusted with the fast path.
  const custom: Schema<number> = { name: 'custom', shape: { kind: 'int' }, toWire: (v) => v, fromWire: (w) => w as number };
  tt.notOk(fastDecodable(custom));
  tt.notOk(fastDecodable(struct('C', { c: custom })));
  tt.end();
});

t.test('a transaction\'s sign bytes cut from its encoding equal the encoded ones', (tt) => {
  const rng = new Rng(99);
  const keys = Array.from({ length: 16 }, (_, i) => keyPairFromSecret(new Uint8Array(32).fill(i + 1)).secretKey);
  const base = sampleTx();
  for (const sigs of [1, 2, 15, 16]) {
    for (const argLen of [0, 10, 200, 300, 70_000]) {
      for (const chainId of ['c', 'a'.repeat(31), 'b'.repeat(32), 'x'.repeat(48)]) {
        const tx = signTx({ chainId, signer: base.signer, nonce: rng.int(2 ** 31) * 3, expiry: 2 ** 33, body: { module: 'money', method: 'transfer', args: rng.bytes(argLen) } }, keys.slice(0, sigs));
        const again = Tx.decode(tx.bytes);
        tt.ok(equalBytes(again.signBytes(), txSignBytes(again.data)), `${sigs} signatures, ${argLen} bytes of args, chain id of ${chainId.length}`);
      }
    }
  }
  tt.end();
});
