/**
 * Fuzz every decoder with 100,000 random and mutated byte strings each (seeded, so any
 * failure replays): no uncaught or untyped exception, every rejection a CodecError, and
 * every accepted input re-encodes to exactly the same bytes.
 */
import t from 'tap';
import {
  Block, CodecError, decode, encode, Tx, ValidatorListSchema, HeaderSchema, VoteSchema, ProposalSchema, CommitSchema, DuplicateVoteEvidenceSchema,
  TxSchema, BlockSchema, equalBytes, type Schema,
} from '../index.js';
import { Rng } from '../../test/index.js';
import { sampleBlocks, sampleProposal, sampleTx, sampleVote, VALSET } from './fixtures.js';

const PER_DECODER = 100_000;
const { first, second } = sampleBlocks();
const seeds: Record<string, { schema: Schema<unknown>; samples: Uint8Array[]; decodeFn: (b: Uint8Array) => Uint8Array }> = {
  Tx: { schema: TxSchema as Schema<unknown>, samples: [sampleTx().bytes], decodeFn: (b) => Tx.decode(b).bytes },
  Block: { schema: BlockSchema as Schema<unknown>, samples: [first.bytes, second.bytes], decodeFn: (b) => Block.decode(b).bytes },
  Header: { schema: HeaderSchema as Schema<unknown>, samples: [encode(HeaderSchema, second.header)], decodeFn: (b) => b },
  Vote: { schema: VoteSchema as Schema<unknown>, samples: [encode(VoteSchema, sampleVote(1, 1, 3, 0, null)), encode(VoteSchema, sampleVote(1, 2, 2 ** 40, 7, first.hash))], decodeFn: (b) => b },
  Proposal: { schema: ProposalSchema as Schema<unknown>, samples: [encode(ProposalSchema, sampleProposal(first.hash))], decodeFn: (b) => b },
  Commit: { schema: CommitSchema as Schema<unknown>, samples: [encode(CommitSchema, second.data.lastCommit!)], decodeFn: (b) => b },
  Evidence: { schema: DuplicateVoteEvidenceSchema as Schema<unknown>, samples: [encode(DuplicateVoteEvidenceSchema, second.data.evidence[0]!)], decodeFn: (b) => b },
  ValidatorList: { schema: ValidatorListSchema as Schema<unknown>, samples: [encode(ValidatorListSchema, VALSET.validators)], decodeFn: (b) => b },
};

const INTERESTING = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xca, 0xcb, 0xcc, 0xcd, 0xce,
  0xcf, 0xd0, 0xd3, 0xd4, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff, 0x42];

function mutate(rng: Rng, src: Uint8Array): Uint8Array {
  let b = Uint8Array.from(src);
  const ops = 1 + rng.int(4);
  for (let k = 0; k < ops; k++) {
    const at = b.length === 0 ? 0 : rng.int(b.length);
    switch (rng.int(8)) {
      case 0: if (b.length) b[at]! ^= 1 << rng.int(8); break;
      case 1: if (b.length) b[at] = rng.pick(INTERESTING); break;
      case 2: if (b.length) b[at] = rng.int(256); break;
      case 3: b = b.subarray(0, at); break; // truncate
      case 4: b = Uint8Array.from([...b.subarray(0, at), ...rng.bytes(1 + rng.int(8)), ...b.subarray(at)]); break; // insert
      case 5: b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(Math.min(b.length, at + 1 + rng.int(8)))]); break; // delete
      case 6: b = Uint8Array.from([...b, ...rng.bytes(1 + rng.int(4))]); break; // append
      default: { // overwrite a length-like field with a large value
        if (b.length > at + 4) b.set([0xff, 0xff, 0xff, 0xff].slice(0, 1 + rng.int(4)), at + 1);
      }
    }
  }
  return b;
}

for (const [name, { schema, samples, decodeFn }] of Object.entries(seeds)) {
  t.test(`fuzz ${name} decoder (${PER_DECODER} inputs)`, (tt) => {
    const rng = new Rng(name.length * 7919 + 17);
    for (const s of samples) tt.ok(equalBytes(decodeFn(s), s), 'seed sample decodes');
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < PER_DECODER; i++) {
      const input = rng.bool(0.25) ? rng.bytes(rng.int(96)) : mutate(rng, rng.pick(samples));
      let value: unknown;
      try {
        decodeFn(input);
        value = decode(schema, input);
      } catch (e) {
        if (!(e instanceof CodecError)) {
          tt.fail(`input ${i} (${Buffer.from(input).toString('hex').slice(0, 200)}) threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
          return tt.end();
        }
        rejected++;
        continue;
      }
      accepted++;
      if (!equalBytes(encode(schema, value), input)) {
        tt.fail(`input ${i} was accepted but does not re-encode to itself`);
        return tt.end();
      }
    }
    tt.equal(accepted + rejected, PER_DECODER, `${accepted} accepted (each re-encodes to itself), ${rejected} rejected with CodecError`);
    tt.end();
  });
}
