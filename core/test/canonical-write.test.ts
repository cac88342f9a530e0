/**
 * The fast path of canonical encoding (canonical-write.ts) against msgpackr with the
 * project's configuration, which defines the format: on every boundary of every form and on
 * seeded random wire values, the fast path writes the same bytes or gives up; it gives up on
 * exactly the forms it does not write; and what `encode` returns is a Buffer that stays
 * valid after later encodings.
 */
import t, { type Test } from 'tap';
import { Packr } from 'msgpackr';
import { encode, PACKR_OPTIONS, packWire, str, struct, bytes, uint, amount, list, toHex } from '../index.js';
import { WRITE_GIVE_UP, writeCanonicalWire } from '../canonical-write.js';
import { Rng } from '../../test/index.js';

const packr = new Packr({ ...PACKR_OPTIONS });

function same(tt: Test, wire: unknown, what: string): void {
  const fast = writeCanonicalWire(wire);
  tt.not(fast, WRITE_GIVE_UP, `${what}: written by the fast path`);
  if (fast === WRITE_GIVE_UP) return;
  tt.equal(toHex(fast), toHex(packr.pack(wire)), what);
}

const ascii = (n: number): string => 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(Math.ceil(n / 36) + 1).slice(0, n);

t.test('every boundary of every form written', async (tt) => {
  for (const n of [0, 1, 0x1f, 0x20, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0xffffffff]) same(tt, n, `number ${n}`);
  for (const b of [0n, 1n, 0x7fn, 0xffn, 2n ** 32n, 2n ** 63n - 1n, -1n, -(2n ** 63n)]) same(tt, b, `bigint ${b}`);
  for (const n of [0, 1, 0x1f, 0x20, 0xff, 0x100, 0xffff, 0x10000]) same(tt, ascii(n), `ascii string of ${n}`);
  for (const n of [0, 1, 0xff, 0x100, 0xffff, 0x10000, 70_000]) {
    same(tt, new Uint8Array(n).fill(7), `bin of ${n}`);
    same(tt, Buffer.alloc(n, 9), `Buffer of ${n}`);
  }
  for (const n of [0, 1, 0x0f, 0x10, 0xffff, 0x10000]) same(tt, new Array<number>(n).fill(1), `array of ${n}`);
  same(tt, null, 'null');
  same(tt, true, 'true');
  same(tt, false, 'false');
  same(tt, [[], [[1, 'a', new Uint8Array(3)]], null, 5n], 'nested');
});

t.test('the forms it does not write are given up', async (tt) => {
  const given = [-1, -0x80, 0.5, 2 ** 32, 2 ** 53, NaN, Infinity, 2n ** 63n, -(2n ** 63n) - 1n, 2n ** 70n, 'é', 'a\uD800', 'ok' + '\u{1F600}', undefined,
    new Uint16Array(2), new Int8Array(1), {}, new Map(), new Date(0), () => 1, Symbol('x'), [1, [2, -3]], ['a', 'ü']];
  for (const w of given) {
    tt.equal(writeCanonicalWire(w), WRITE_GIVE_UP, `gives up on ${typeof w === 'symbol' ? 'a symbol' : String(w as never)}`);
  }
  // packWire still encodes them (msgpackr), and a failure in the middle leaves no trace.
  tt.equal(toHex(packWire([1, -3])), toHex(packr.pack([1, -3])));
  same(tt, [1, 2], 'after giving up, the next value is written whole');
});

t.test('seeded random wire values: the same bytes as msgpackr', async (tt) => {
  const rng = new Rng(2026);
  const value = (depth: number): unknown => {
    switch (rng.int(depth > 3 ? 6 : 7)) {
      case 0: return [0, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0xffffffff][rng.int(8)]! - rng.int(2) * (rng.bool() ? 1 : 0) + 0;
      case 1: return BigInt(rng.int(2 ** 31)) * BigInt(rng.int(2 ** 31)) * (rng.bool(0.2) ? -1n : 1n);
      case 2: return ascii(rng.int(rng.bool(0.1) ? 300 : 40));
      case 3: return rng.bytes(rng.int(rng.bool(0.1) ? 400 : 40));
      case 4: return rng.bool();
      case 5: return null;
      default: return Array.from({ length: rng.int(rng.bool(0.1) ? 20 : 5) }, () => value(depth + 1));
    }
  };
  let written = 0;
  for (let i = 0; i < 3000; i++) {
    const w = value(0);
    const fast = writeCanonicalWire(w);
    if (fast === WRITE_GIVE_UP) continue;
    written++;
    if (toHex(fast) !== toHex(packr.pack(w))) {
      tt.fail(`value ${i} differs`);
      return;
    }
  }
  tt.ok(written > 2500, `${written} of 3000 written by the fast path, all equal`);
});

t.test('encode returns lasting Buffers', async (tt) => {
  const S = struct('S', { name: str(64), data: bytes({ max: 1 << 20 }), n: uint, a: amount, l: list(uint, 10) });
  const first = encode(S, { name: 'first', data: new Uint8Array([1, 2, 3]), n: 300, a: 5n, l: [1, 2] });
  const copy = Uint8Array.from(first);
  for (let i = 0; i < 5000; i++) encode(S, { name: `n${i}`, data: new Uint8Array(i % 100), n: i, a: BigInt(i), l: [i] });
  tt.ok(Buffer.isBuffer(first), 'a Buffer, as msgpackr gives');
  tt.same(Uint8Array.from(first), copy, 'unchanged by the encodings after it');
  const big = encode(S, { name: 'big', data: new Uint8Array(10_000).fill(3), n: 1, a: 1n, l: [] });
  tt.equal(toHex(big), toHex(packr.pack(['big', new Uint8Array(10_000).fill(3), 1, 1n, []])), 'a large value too');
});
