/**
 * The committed golden vectors still hold: our encoder produces exactly the committed bytes,
 * every committed "accept" encoding decodes and re-encodes to itself, every "reject" encoding
 * is refused with its code, and the committed objects decode and verify.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  amount, Block, bool, bytes, CodecError, decode, fromHex, optional, str, Tx, u32, uint, verifyCommit, verifyTxSignatures, decodeCommit,
  type Schema,
} from '../index.js';
import { repoPath } from '../../test/index.js';
import { buildChainVectors, buildCodecVectors, type CodecVectors } from './golden.js';
import { CHAIN_ID, VALSET } from './fixtures.js';

const read = (f: string): unknown => JSON.parse(readFileSync(repoPath('core/test/vectors', f), 'utf8'));
const SCHEMAS: Record<string, Schema<unknown>> = {
  uint: uint as Schema<unknown>, amount: amount as Schema<unknown>, str: str(1000) as Schema<unknown>, bytes: bytes({ max: 1000 }) as Schema<unknown>,
  bool: bool as Schema<unknown>, 'optional(u32)': optional(u32) as Schema<unknown>,
};

t.test('codec vectors', (tt) => {
  const committed = read('codec.json') as CodecVectors;
  tt.same(buildCodecVectors(), committed, 'encoder output equals the committed vectors');
  for (const a of committed.accept) {
    const s = SCHEMAS[a.type]!;
    const v = decode(s, fromHex(a.hex));
    tt.equal(typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean' || v === null ? String(v) : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v, a.value, `${a.type} ${a.value.slice(0, 20)}`);
  }
  for (const r of committed.reject) {
    let err: unknown = null;
    try {
      decode(SCHEMAS[r.type]!, fromHex(r.hex));
    } catch (e) {
      err = e;
    }
    tt.ok(err instanceof CodecError && err.code === r.code, `${r.type}: ${r.why} -> ${r.code}`);
  }
  tt.end();
});

t.test('chain vectors', (tt) => {
  const committed = read('chain.json') as ReturnType<typeof buildChainVectors> & {
    tx: { bytes: string }; commit: { bytes: string }; blocks: { bytes: string }[];
  };
  tt.same(buildChainVectors(), committed, 'encoder output equals the committed vectors');
  verifyTxSignatures(Tx.decode(fromHex(committed.tx.bytes)), CHAIN_ID);
  verifyCommit(CHAIN_ID, decodeCommit(fromHex(committed.commit.bytes)), VALSET);
  for (const b of committed.blocks) Block.decode(fromHex(b.bytes));
  tt.pass('committed tx, commit and blocks decode and verify');
  tt.end();
});
