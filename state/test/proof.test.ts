/**
 * Proofs: every proof the store produces (presence and absence, at the head and at an older
 * version) verifies; changing any byte of it, checking it against another root, another key
 * or another value, fails. Edge shapes: empty tree, single leaf.
 */
import t from 'tap';
import { Rng } from '../../test/index.js';
import { EMPTY_ROOT, MemoryKV, StateTree, encodeProof, verifyProof } from '../index.js';
import { utf } from './helpers.js';

t.test('produced proofs verify; any change breaks them', async (tt) => {
  const rng = new Rng(5);
  const tree = await StateTree.open(new MemoryKV());
  const keys = Array.from({ length: 300 }, (_, i) => utf(`p/${i}`));
  await tree.commit(keys.map((key) => ({ key, value: rng.bytes(1 + rng.int(30)) })));
  const root1 = tree.rootHash;
  await tree.commit(keys.filter((_, i) => i % 3 === 0).map((key, i) => ({ key, value: i % 2 ? null : rng.bytes(5) })));
  const root2 = tree.rootHash;
  let flips = 0;
  for (let i = 0; i < 60; i++) {
    const key = i % 2 ? keys[rng.int(keys.length)]! : utf(`absent/${i}`);
    const h = rng.bool() ? 1 : 2;
    const root = h === 1 ? root1 : root2;
    const { value, proof, rootHash } = await tree.prove(key, h);
    tt.same(rootHash, root, 'proof is against that version');
    const bytes = encodeProof(proof);
    if (!verifyProof(root, key, value, bytes) || !verifyProof(root, key, value, proof)) tt.fail(`proof ${i} does not verify`);
    if (verifyProof(h === 1 ? root2 : root1, key, value, bytes)) tt.fail(`proof ${i} verifies against another root`);
    if (verifyProof(root, utf(`other/${i}`), value, bytes)) tt.fail(`proof ${i} verifies for another key`);
    if (verifyProof(root, key, value === null ? utf('x') : null, bytes)) tt.fail(`proof ${i} verifies another value`);
    if (value !== null && verifyProof(root, key, Uint8Array.from([...value, 0]), bytes)) tt.fail(`proof ${i} verifies a longer value`);
    for (let pos = 0; pos < bytes.length; pos++) {
      for (const x of [0x01, 0x80, 0xff]) {
        const bad = bytes.slice();
        bad[pos] = bad[pos]! ^ x;
        flips++;
        if (verifyProof(root, key, value, bad)) tt.fail(`proof ${i}: byte ${pos} ^ ${x} still verifies`);
      }
    }
    if (verifyProof(root, key, value, bytes.subarray(0, bytes.length - 1))) tt.fail(`proof ${i}: truncated still verifies`);
    if (verifyProof(root, key, value, Uint8Array.from([...bytes, 0]))) tt.fail(`proof ${i}: extended still verifies`);
  }
  tt.ok(flips > 1000, `${flips} mutated proofs all refused`);
});

t.test('edge shapes: empty tree, one leaf', async (tt) => {
  const tree = await StateTree.open(new MemoryKV());
  let r = await tree.prove(utf('a'));
  tt.equal(r.value, null);
  tt.ok(verifyProof(EMPTY_ROOT, utf('a'), null, encodeProof(r.proof)), 'absence in the empty tree');
  tt.notOk(verifyProof(EMPTY_ROOT, utf('a'), utf('1'), encodeProof(r.proof)), 'no presence in the empty tree');
  await tree.commit([{ key: utf('a'), value: utf('1') }]);
  r = await tree.prove(utf('a'));
  tt.ok(verifyProof(tree.rootHash, utf('a'), utf('1'), encodeProof(r.proof)), 'the single leaf');
  r = await tree.prove(utf('b'));
  tt.equal(r.value, null);
  tt.ok(verifyProof(tree.rootHash, utf('b'), null, encodeProof(r.proof)), 'absence beside a single leaf');
  tt.notOk(verifyProof(tree.rootHash, utf('a'), null, encodeProof(r.proof)), 'that absence proof is not one for the leaf');
  tt.notOk(verifyProof(new Uint8Array(31), utf('a'), null, encodeProof(r.proof)), 'a malformed root is refused');
  tt.notOk(verifyProof(tree.rootHash, utf('b'), null, utf('junk')), 'junk bytes are refused');
});
