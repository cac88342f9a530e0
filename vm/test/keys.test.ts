/**
 * Key encodings: u64be writes a safe non-negative integer without BigInt (a hot path), and
 * must give exactly the bytes, and the same refusals, as the BigInt encoding it replaced.
 */
import t from 'tap';
import { Rng } from '../../core/index.js';
import { u64be } from '../index.js';

const reference = (n: bigint | number): string => {
  const o = new Uint8Array(8);
  new DataView(o.buffer).setBigUint64(0, BigInt(n));
  return Buffer.from(o).toString('hex');
};
const outcome = (f: () => string): string => {
  try {
    return f();
  } catch (e) {
    return `throws ${(e as Error).name}`;
  }
};

t.test('u64be gives the bytes of the BigInt encoding, edges and random values', async (tt) => {
  const edges: (number | bigint)[] = [0, 1, 255, 256, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 1_767_225_600_000, 2 ** 53 - 1, -1, 1.5, 2 ** 53, 2 ** 64, 10n, 2n ** 64n - 1n];
  for (const n of edges) tt.equal(outcome(() => Buffer.from(u64be(n)).toString('hex')), outcome(() => reference(n)), `${String(n)}`);
  const rng = new Rng(64);
  let same = 0;
  for (let i = 0; i < 10_000; i++) {
    const n = rng.int(2 ** 21) * 2 ** 32 + rng.int(2 ** 32);
    if (Buffer.from(u64be(n)).toString('hex') === reference(n)) same++;
  }
  tt.equal(same, 10_000, '10,000 random safe integers');
});
