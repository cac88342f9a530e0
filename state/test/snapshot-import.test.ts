/**
 * State sync's chunk-at-a-time import: chunks exported with the proof of their last key and
 * imported one by one reproduce the root; each kind of bad chunk (a changed value, a dropped
 * entry, an injected entry, a wrong or foreign proof, a chunk out of order or replayed, a short
 * chunk, garbage) is refused at that chunk with STATE_SNAPSHOT_INVALID, changes nothing, and
 * the good chunk is then accepted; an abort or a crash mid-import leaves an empty store.
 */
import t from 'tap';
import { decode, encode, equalBytes } from '../../core/index.js';
import { Rng } from '../../test/index.js';
import {
  EMPTY_ROOT, LedgerStore, MemoryKV, ProofChunkSchema, SnapshotImporter, StateErrorCodes, StateTree, computeRoot, exportProofChunks, keyHashOf, leafHashOf, leftRootOf,
  valueHashOf, type ProofChunk, type SnapshotTarget,
} from '../index.js';
import { codeOf, utf } from './helpers.js';

async function source(n: number, seed = 5): Promise<{ tree: StateTree; h: number; keys: Uint8Array[] }> {
  const rng = new Rng(seed);
  const tree = await StateTree.open(new MemoryKV());
  const keys = Array.from({ length: n }, (_, i) => utf(`acct/${i}`));
  await tree.commit(keys.map((key) => ({ key, value: rng.bytes(1 + rng.int(30)) })));
  await tree.commit(keys.filter((_, i) => i % 5 === 0).map((key) => ({ key, value: null })));
  await tree.commit([{ key: keys[1]!, value: utf('later') }]);
  return { tree, h: 2, keys };
}

async function chunksOf(tree: StateTree, h: number, size: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of exportProofChunks(tree, h, size)) out.push(c.bytes);
  return out;
}

const dec = (b: Uint8Array): ProofChunk => decode(ProofChunkSchema, b);
const enc = (c: ProofChunk): Uint8Array => encode(ProofChunkSchema, c);

t.test('left root of a proof is the root of the entries up to its key', async (tt) => {
  const { tree, h } = await source(300);
  const all: [Uint8Array, Uint8Array][] = [];
  for await (const c of tree.entries(h)) all.push(...c);
  for (const i of [0, 1, 17, 150, all.length - 1]) {
    const [k, v] = all[i]!;
    const { proof } = await tree.prove(k, h);
    const kh = keyHashOf(k);
    tt.ok(equalBytes(leftRootOf(proof, kh, leafHashOf(kh, valueHashOf(v))), computeRoot(all.slice(0, i + 1))), `entries 0..${i}`);
  }
});

t.test('chunk by chunk import reproduces the root; bad chunks refused one at a time', async (tt) => {
  const { tree, h, keys } = await source(700);
  const size = 64;
  const chunks = await chunksOf(tree, h, size);
  tt.ok(chunks.length >= 8, `${chunks.length} chunks`);
  const target: SnapshotTarget = { height: h, rootHash: await tree.rootAt(h), chunks: chunks.length, chunkEntries: size };

  const kv = new MemoryKV();
  const ledger = await LedgerStore.open({ kv });
  const imp = await ledger.beginStateSync(target);
  const refuse = async (what: string, index: number, bytes: Uint8Array): Promise<void> => {
    const before = imp.nextChunk;
    const entries = imp.entries;
    tt.equal(await codeOf(imp.add(index, bytes)), StateErrorCodes.STATE_SNAPSHOT_INVALID, what);
    tt.equal(imp.nextChunk, before, `${what}: nothing taken`);
    tt.equal(imp.entries, entries, `${what}: no entry counted`);
  };

  await imp.add(0, chunks[0]!);
  await imp.add(1, chunks[1]!);
  const c2 = dec(chunks[2]!);
  const c3 = dec(chunks[3]!);
  await refuse('a changed value', 2, enc({ ...c2, entries: c2.entries.map((e, i) => (i === 9 ? { key: e.key, value: Uint8Array.from([...e.value, 7]) } : e)) }));
  await refuse('a changed value in the last entry (its proof no longer verifies)', 2, enc({ ...c2, entries: c2.entries.map((e, i) => (i === c2.entries.length - 1 ? { key: e.key, value: utf('x') } : e)) }));
  // A dropped entry, the chunk still of full size: the next chunk's first entry appended.
  const { proof: p3 } = await tree.prove(c3.entries[0]!.key, h);
  await refuse('a dropped entry (a true proof of the new last entry)', 2, enc({ entries: [...c2.entries.slice(0, 5), ...c2.entries.slice(6), c3.entries[0]!], proof: p3 }));
  await refuse('a dropped entry (short chunk)', 2, enc({ ...c2, entries: c2.entries.slice(1) }));
  // An injected key that is not in the state, placed in key-hash order (full size kept).
  const fake = Array.from({ length: 4000 }, (_, i) => utf(`fake/${i}`)).map((key) => ({ key, kh: keyHashOf(key) }));
  const lo = keyHashOf(c2.entries[3]!.key);
  const hi = keyHashOf(c2.entries[4]!.key);
  const inj = fake.find((f) => Buffer.compare(f.kh, lo) > 0 && Buffer.compare(f.kh, hi) < 0);
  if (inj) {
    const entries = [...c2.entries.slice(0, 4), { key: inj.key, value: utf('minted') }, ...c2.entries.slice(4, -1)];
    const last = entries[entries.length - 1]!;
    const { proof } = await tree.prove(last.key, h);
    await refuse('an injected entry', 2, enc({ entries, proof }));
  } else tt.fail('no fake key between two entries (widen the search)');
  await refuse('a wrong proof (another chunk\'s)', 2, enc({ ...c2, proof: c3.proof }));
  const { proof: oldProof } = await tree.prove(c2.entries[c2.entries.length - 1]!.key, 1);
  await refuse('a proof at another height', 2, enc({ ...c2, proof: oldProof }));
  await refuse('a later chunk first', 3, chunks[3]!);
  await refuse('an earlier chunk replayed as this one', 2, chunks[1]!);
  await refuse('an earlier chunk replayed', 1, chunks[1]!);
  await refuse('garbage', 2, utf('garbage'));
  await refuse('a flipped byte', 2, Uint8Array.from(chunks[2]!, (b, j) => (j === 40 ? b ^ 1 : b)));

  for (let i = 2; i < chunks.length - 1; i++) await imp.add(i, chunks[i]!);
  const cl = dec(chunks[chunks.length - 1]!);
  await refuse('a dropped entry in the last (short) chunk', chunks.length - 1, enc({ ...cl, entries: [...cl.entries.slice(0, 2), ...cl.entries.slice(3)] }));
  tt.notOk(imp.complete, 'not complete before the last chunk');
  await imp.add(chunks.length - 1, chunks[chunks.length - 1]!);
  tt.ok(imp.complete, 'complete after the last chunk');
  tt.equal(ledger.height, 0, 'nothing committed before finish');
  // The block and commit are checked in node tests; here, the state alone.
  await imp.finish();
  tt.equal(ledger.state.height, h, 'the imported height is the head');
  tt.ok(equalBytes(ledger.rootHash, target.rootHash), 'with the root');
  for (const k of keys.slice(0, 50)) tt.same(await ledger.get(k), await tree.get(k, h), 'same values');
  tt.equal(await codeOf(ledger.get(keys[0]!, h - 1)), StateErrorCodes.STATE_PRUNED, 'nothing older');
  await ledger.state.commit([{ key: keys[1]!, value: utf('later') }]);
  tt.ok(equalBytes(ledger.rootHash, tree.rootHash), 'and continues to the same next root');
});

t.test('a snapshot whose last chunk does not complete the root, or an empty store required', async (tt) => {
  const { tree, h } = await source(200);
  const chunks = await chunksOf(tree, h, 50);
  const root = await tree.rootAt(h);
  const imp = await SnapshotImporter.begin(await StateTree.open(new MemoryKV()), { height: h, rootHash: root, chunks: chunks.length - 1, chunkEntries: 50 });
  for (let i = 0; i < chunks.length - 2; i++) await imp.add(i, chunks[i]!);
  tt.equal(await codeOf(imp.add(chunks.length - 2, chunks[chunks.length - 2]!)), StateErrorCodes.STATE_SNAPSHOT_INVALID, 'an offer with too few chunks fails at its last');
  tt.equal(await codeOf(imp.finish()), StateErrorCodes.STATE_SNAPSHOT_INVALID, 'and cannot finish');
  tt.equal(await codeOf(SnapshotImporter.begin(tree, { height: h, rootHash: root, chunks: 1, chunkEntries: 50 })), StateErrorCodes.STATE_NOT_EMPTY, 'not into a store with a height');
  tt.ok(!equalBytes(root, EMPTY_ROOT));
});

t.test('abort, and a crash mid-import, leave an empty store', async (tt) => {
  const { tree, h } = await source(200);
  const chunks = await chunksOf(tree, h, 50);
  const target = { height: h, rootHash: await tree.rootAt(h), chunks: chunks.length, chunkEntries: 50 };
  const kv = new MemoryKV();
  const imp = await SnapshotImporter.begin(await StateTree.open(kv), target);
  await imp.add(0, chunks[0]!);
  await imp.abort();
  tt.equal(kv.size, 0, 'abort deletes what was imported');

  const kv2 = new MemoryKV();
  const imp2 = await SnapshotImporter.begin(await StateTree.open(kv2), target);
  await imp2.add(0, chunks[0]!);
  await imp2.add(1, chunks[1]!);
  tt.ok(kv2.size > 0, 'chunks written');
  // "Crash": the process goes away; the next open finds the marker and no metadata.
  const reopened = await StateTree.open(kv2);
  tt.equal(reopened.height, 0, 'reopens empty');
  tt.equal(kv2.size, 0, 'and wiped');
});
