/**
 * Snapshots: exported at height h and imported into a fresh store, they reproduce h's root
 * and values and the store goes on committing; a tampered, truncated, reordered or garbage
 * snapshot is refused with STATE_SNAPSHOT_INVALID and leaves the target empty; importing
 * into a store that holds a height is STATE_NOT_EMPTY.
 */
import t from 'tap';
import { decode, encode, equalBytes } from '../../core/index.js';
import { Rng } from '../../test/index.js';
import { MemoryKV, SnapshotChunkSchema, StateErrorCodes, StateTree, exportSnapshot, importSnapshot } from '../index.js';
import { codeOf, utf } from './helpers.js';

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of it) out.push(c);
  return out;
}

t.test('export at h, import elsewhere, same root; tampering refused', async (tt) => {
  const rng = new Rng(11);
  const src = await StateTree.open(new MemoryKV());
  const keys = Array.from({ length: 900 }, (_, i) => utf(`s/${i}`));
  await src.commit(keys.map((key) => ({ key, value: rng.bytes(rng.int(20)) })));
  await src.commit(keys.filter((_, i) => i % 4 === 0).map((key) => ({ key, value: null })));
  const h = 2;
  await src.commit([{ key: keys[1]!, value: utf('after') }]);
  const chunks = await collect(exportSnapshot(src, h, 100));
  tt.ok(chunks.length > 5, 'several chunks');

  const dstKv = new MemoryKV();
  const dst = await importSnapshot(dstKv, chunks);
  tt.equal(dst.height, h, 'imported at h');
  tt.ok(equalBytes(dst.rootHash, await src.rootAt(h)), "reproduces h's root");
  for (const k of keys.slice(0, 40)) tt.same(await dst.get(k), await src.get(k, h), 'same values');
  tt.equal(await codeOf(dst.get(keys[0]!, h - 1)), StateErrorCodes.STATE_PRUNED, 'nothing older');
  await dst.commit([{ key: keys[1]!, value: utf('after') }]);
  tt.ok(equalBytes(dst.rootHash, src.rootHash), 'and continues to the same next root');
  tt.equal(await codeOf(importSnapshot(dstKv, chunks)), StateErrorCodes.STATE_NOT_EMPTY, 'no import over a committed height');

  const refuse = async (what: string, bad: Uint8Array[]): Promise<void> => {
    const kv = new MemoryKV();
    tt.equal(await codeOf(importSnapshot(kv, bad)), StateErrorCodes.STATE_SNAPSHOT_INVALID, what);
    tt.equal(kv.size, 0, `${what}: nothing left behind`);
    const again = await StateTree.open(kv);
    tt.equal(again.height, 0, `${what}: the store is still empty`);
  };
  const c2 = decode(SnapshotChunkSchema, chunks[2]!);
  const tampered = c2.entries.map((e, i) => (i === 7 ? { key: e.key, value: Uint8Array.from([...e.value, 1]) } : e));
  await refuse('a changed value', [chunks[0]!, chunks[1]!, encode(SnapshotChunkSchema, { entries: tampered }), ...chunks.slice(3)]);
  await refuse('a dropped entry', [chunks[0]!, chunks[1]!, encode(SnapshotChunkSchema, { entries: c2.entries.slice(1) }), ...chunks.slice(3)]);
  await refuse('a truncated snapshot', chunks.slice(0, -1));
  await refuse('reordered chunks', [chunks[0]!, chunks[2]!, chunks[1]!, ...chunks.slice(3)]);
  await refuse('a flipped byte', chunks.map((c, i) => (i === 3 ? Uint8Array.from(c, (b, j) => (j === 10 ? b ^ 1 : b)) : c)));
  await refuse('garbage', [chunks[0]!, utf('garbage')]);
  await refuse('no header', []);
});
