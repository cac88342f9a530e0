/**
 * The canonical codec: round trips, the wire forms of each schema type, and one rejection
 * test per class of non-canonical input, each with its stable error code.
 */
import t, { type Test } from 'tap';
import {
  amount, bool, bytes, CodecError, decode, encode, ErrorCodes, list, MAX_AMOUNT, optional, str, struct, toHex, u32, u8, uint, fromHex, type Schema,
} from '../index.js';
import { Rng } from '../../test/index.js';

const hexOf = <T>(s: Schema<T>, v: T): string => toHex(encode(s, v));
const rejects = (tt: Test, s: Schema<unknown>, hex: string, code: string, what: string): void => {
  try {
    decode(s, fromHex(hex));
    tt.fail(`${what}: accepted`);
  } catch (e) {
    tt.ok(e instanceof CodecError, `${what}: CodecError`);
    tt.equal((e as CodecError).code, code, `${what}: ${code}`);
  }
};

t.test('uint wire forms: shortest below 2^32, int64 above', (tt) => {
  const cases: [number, string][] = [
    [0, '00'], [127, '7f'], [128, 'cc80'], [255, 'ccff'], [256, 'cd0100'], [65535, 'cdffff'], [65536, 'ce00010000'],
    [2 ** 32 - 1, 'ceffffffff'], [2 ** 32, 'd30000000100000000'], [Number.MAX_SAFE_INTEGER, 'd3001fffffffffffff'],
  ];
  for (const [v, hex] of cases) {
    tt.equal(hexOf(uint, v), hex, `encode ${v}`);
    tt.equal(decode(uint, fromHex(hex)), v, `decode ${hex}`);
  }
  tt.throws(() => encode(uint, -1), { code: ErrorCodes.CODEC_OUT_OF_RANGE });
  tt.throws(() => encode(uint, 1.5), { code: ErrorCodes.CODEC_WRONG_TYPE });
  tt.throws(() => encode(uint, 2 ** 53), { code: ErrorCodes.CODEC_WRONG_TYPE });
  tt.end();
});

t.test('amount wire forms: int64, uint64, then the bigint extension', (tt) => {
  const cases: [bigint, string][] = [
    [0n, 'd30000000000000000'], [5n, 'd30000000000000005'], [2n ** 63n - 1n, 'd37fffffffffffffff'],
    [2n ** 63n, 'cf8000000000000000'], [2n ** 64n - 1n, 'cfffffffffffffffff'],
  ];
  for (const [v, hex] of cases) {
    tt.equal(hexOf(amount, v), hex, `encode ${v}`);
    tt.equal(decode(amount, fromHex(hex)), v, `decode ${hex}`);
  }
  for (const v of [2n ** 64n, 2n ** 100n, MAX_AMOUNT]) tt.equal(decode(amount, encode(amount, v)), v, `round trip ${v}`);
  tt.throws(() => encode(amount, MAX_AMOUNT + 1n), { code: ErrorCodes.CODEC_OUT_OF_RANGE });
  tt.throws(() => encode(amount, -1n), { code: ErrorCodes.CODEC_OUT_OF_RANGE });
  tt.throws(() => encode(amount, 5 as unknown as bigint), { code: ErrorCodes.CODEC_WRONG_TYPE });
  rejects(tt, amount, 'd3ffffffffffffffff', ErrorCodes.CODEC_OUT_OF_RANGE, 'negative amount');
  rejects(tt, amount, '05', ErrorCodes.CODEC_NON_CANONICAL, 'amount as fixint');
  tt.end();
});

t.test('structs encode as arrays in declared field order', (tt) => {
  const S = struct('S', { a: u8, b: str(10), c: optional(bytes({ max: 4 })), d: list(bool, 3) });
  const v = { a: 1, b: 'hi', c: new Uint8Array([9]), d: [true, false] };
  tt.equal(hexOf(S, v), '9401a26869c40109' + '92c3c2');
  tt.same(decode(S, encode(S, v)), v);
  tt.equal(hexOf(S, { ...v, c: null }), '9401a26869c092c3c2');
  rejects(tt, S, '9301a26869c0', ErrorCodes.CODEC_BAD_LENGTH, 'missing field');
  rejects(tt, S, '9501a26869c092c3c200', ErrorCodes.CODEC_BAD_LENGTH, 'extra field');
  rejects(tt, S, '94a26869a26869c092c3c2', ErrorCodes.CODEC_WRONG_TYPE, 'string for u8');
  rejects(tt, S, '9401a26869c40501020304059200c2', ErrorCodes.CODEC_BAD_LENGTH, 'oversized bytes');
  rejects(tt, S, '9401ab6869686968696869686968c092c3c2', ErrorCodes.CODEC_BAD_LENGTH, 'oversized string');
  rejects(tt, S, '9401a26869c094c3c2c3c2', ErrorCodes.CODEC_BAD_LENGTH, 'too many list items');
  tt.end();
});

t.test('each class of malformed input gets its own typed error', (tt) => {
  const S = struct('S', { a: u32, b: bytes({ max: 100 }) });
  rejects(tt, S, '9201c4', ErrorCodes.CODEC_TRUNCATED, 'truncated bin header');
  rejects(tt, S, '9201c40301', ErrorCodes.CODEC_TRUNCATED, 'truncated bin body');
  rejects(tt, S, '92', ErrorCodes.CODEC_TRUNCATED, 'truncated array');
  rejects(tt, S, '', ErrorCodes.CODEC_TRUNCATED, 'empty input');
  rejects(tt, S, '9201c40000', ErrorCodes.CODEC_TRAILING_BYTES, 'trailing byte');
  rejects(tt, S, '92cc01c400', ErrorCodes.CODEC_NON_CANONICAL, 'non-minimal uint8');
  rejects(tt, S, '92ce00000001c400', ErrorCodes.CODEC_NON_CANONICAL, 'non-minimal uint32');
  rejects(tt, S, '92d30000000000000001c400', ErrorCodes.CODEC_NON_CANONICAL, 'int64 for a u32');
  rejects(tt, S, '9201c50000', ErrorCodes.CODEC_NON_CANONICAL, 'non-minimal bin16');
  rejects(tt, S, 'dc000201c400', ErrorCodes.CODEC_NON_CANONICAL, 'non-minimal array16');
  rejects(tt, S, '92cb3ff0000000000000c400', ErrorCodes.CODEC_FORBIDDEN_TYPE, 'float64');
  rejects(tt, S, '92ca3f800000c400', ErrorCodes.CODEC_FORBIDDEN_TYPE, 'float32');
  rejects(tt, S, '928101' + '02c400', ErrorCodes.CODEC_FORBIDDEN_TYPE, 'map');
  rejects(tt, S, '92d6ff00000001c400', ErrorCodes.CODEC_FORBIDDEN_TYPE, 'timestamp extension');
  rejects(tt, S, '92c1c400', ErrorCodes.CODEC_FORBIDDEN_TYPE, 'reserved 0xc1');
  rejects(tt, S, '92ff' + 'c400', ErrorCodes.CODEC_OUT_OF_RANGE, 'negative fixint');
  rejects(tt, S, '9201a0', ErrorCodes.CODEC_WRONG_TYPE, 'string for bytes');
  rejects(tt, S, '9201a2c328', ErrorCodes.CODEC_INVALID_UTF8, 'invalid UTF-8');
  rejects(tt, S, '92dd7fffffff', ErrorCodes.CODEC_TRUNCATED, 'array count overruns input');
  rejects(tt, S, '91'.repeat(40) + '00', ErrorCodes.CODEC_TOO_DEEP, 'deep nesting');
  tt.throws(() => decode(S, new Uint8Array(200), 100), { code: ErrorCodes.CODEC_TOO_LARGE });
  tt.throws(() => decode(S, 'abc' as unknown as Uint8Array), { code: ErrorCodes.CODEC_WRONG_TYPE });
  tt.end();
});

t.test('strings take the shortest msgpack header (property)', (tt) => {
  const rng = new Rng(7);
  const alphabet = ['a', 'é', '€', '𝄞', 'z', ' '];
  const S = str(200_000);
  for (let i = 0; i < 2000; i++) {
    const n = rng.pick([0, 1, 5, 10, 11, 20, 31, 32, 33, 85, 86, 100, 255, 256, 1000, 21_845, 21_846, 65_535, 65_536]);
    const parts: string[] = [];
    let len = 0;
    while (len < n) {
      const c = rng.pick(alphabet);
      parts.push(c);
      len += Buffer.byteLength(c);
    }
    const s = parts.join('');
    const enc = encode(S, s);
    const header = len < 32 ? 1 : len < 256 ? 2 : len < 65536 ? 3 : 5;
    if (enc.length !== len + header) {
      tt.fail(`string of ${len} bytes took a ${enc.length - len}-byte header`);
      return tt.end();
    }
    if (decode(S, enc) !== s) {
      tt.fail(`string of ${len} bytes does not round-trip`);
      return tt.end();
    }
  }
  tt.pass('2000 random strings');
  tt.end();
});
