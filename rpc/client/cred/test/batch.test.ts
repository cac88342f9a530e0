/**
 * Anchor batches against core: the same root as core `merkleRoot`, for every size 1..300 and a
 * few large ones; every path equal to core `merkleProof`'s (where that is affordable) and
 * accepted by core `verifyMerkleProof`; wrong items, indexes and sizes refused.
 */
import t from 'tap';
import { merkleProof, merkleRoot, toHex, verifyMerkleProof } from '../../../../core/index.js';
import { Rng } from '../../../../test/index.js';
import { buildAnchorBatch, MAX_BATCH_ITEMS, verifyAnchorPath } from '../index.js';

const rng = new Rng(2024);
const digests = (n: number): Uint8Array[] => Array.from({ length: n }, () => rng.bytes(32));
const hexPath = (p: readonly Uint8Array[]): string[] => p.map(toHex);

t.test('sizes 1..300: the root of core merkleRoot, every path core merkleProof gives and verifyMerkleProof accepts', async (tt) => {
  let checked = 0;
  for (let n = 1; n <= 300; n++) {
    const items = digests(n);
    const batch = buildAnchorBatch(items);
    if (toHex(batch.root) !== toHex(merkleRoot(items))) tt.fail(`root differs at size ${n}`);
    tt.equal(batch.size, n);
    const paths = batch.paths();
    for (let i = 0; i < n; i++) {
      if (n <= 130 || i % 7 === 0 || i === n - 1) {
        if (hexPath(paths[i]!).join() !== hexPath(merkleProof(items, i)).join()) tt.fail(`path ${i} of ${n} differs from core merkleProof`);
      }
      if (!verifyMerkleProof(batch.root, items[i]!, i, n, paths[i]!)) tt.fail(`core refuses path ${i} of ${n}`);
      if (!verifyAnchorPath(batch.root, items[i]!, i, n, paths[i]!)) tt.fail(`verifyAnchorPath refuses path ${i} of ${n}`);
      checked++;
    }
  }
  tt.equal(checked, (300 * 301) / 2, 'every index of every size checked');
});

t.test('large batches, up to the maximum', async (tt) => {
  for (const n of [1000, 1025, 4097, MAX_BATCH_ITEMS]) {
    const items = digests(n);
    const batch = buildAnchorBatch(items);
    tt.equal(toHex(batch.root), toHex(merkleRoot(items)), `root of ${n}`);
    const paths = batch.paths();
    let ok = 0;
    for (let i = 0; i < n; i++) if (verifyMerkleProof(batch.root, items[i]!, i, n, paths[i]!)) ok++;
    tt.equal(ok, n, `core accepts all ${n} paths`);
    for (const i of [0, 1, n >> 1, n - 2, n - 1]) tt.same(hexPath(batch.path(i)), hexPath(merkleProof(items, i)), `path ${i} of ${n} is core's`);
  }
});

t.test('a path proves only its own item, index and size', async (tt) => {
  const items = digests(37);
  const batch = buildAnchorBatch(items);
  const path = batch.path(12);
  tt.ok(verifyAnchorPath(batch.root, items[12]!, 12, 37, path));
  tt.notOk(verifyAnchorPath(batch.root, items[13]!, 12, 37, path), 'another item');
  tt.notOk(verifyAnchorPath(batch.root, items[12]!, 13, 37, path), 'another index');
  tt.notOk(verifyAnchorPath(batch.root, items[12]!, 12, 16, path), 'another size with another path shape');
  // RFC 9162 verification authenticates the size only through the path's shape (12 of 38 has
  // the same shape as 12 of 37): the ledger's anchor record, not the path, fixes the size.
  tt.ok(verifyAnchorPath(batch.root, items[12]!, 12, 38, path), 'a size with the same shape is not told apart (the anchor record carries the size)');
  tt.notOk(verifyAnchorPath(rng.bytes(32), items[12]!, 12, 37, path), 'another root');
});

t.test('refusals are CRED_BATCH_INVALID', async (tt) => {
  tt.throws(() => buildAnchorBatch([]), { code: 'CRED_BATCH_INVALID' }, 'empty');
  tt.throws(() => buildAnchorBatch(digests(MAX_BATCH_ITEMS + 1)), { code: 'CRED_BATCH_INVALID' }, 'over the maximum');
  tt.throws(() => buildAnchorBatch([rng.bytes(32), rng.bytes(31)]), { code: 'CRED_BATCH_INVALID' }, 'an item of 31 bytes');
  tt.throws(() => buildAnchorBatch(['ab' as unknown as Uint8Array]), { code: 'CRED_BATCH_INVALID' }, 'an item that is a string');
  tt.throws(() => buildAnchorBatch(null as unknown as Uint8Array[]), { code: 'CRED_BATCH_INVALID' }, 'not a list');
  const batch = buildAnchorBatch(digests(5));
  for (const i of [-1, 5, 1.5, NaN]) tt.throws(() => batch.path(i), { code: 'CRED_BATCH_INVALID' }, `index ${i}`);
});
