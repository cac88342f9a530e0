/**
 * The state seam: Overlay checkpoints (nested commit and revert), the sorted write set with
 * deletes, decoded-record caching, and MemoryState's stand-in root.
 */
import t from 'tap';
import { equalBytes, struct, uint, utf8 } from '../../core/index.js';
import { decodeStored, keyId, latin1Documented } from '../state.js';
import { encode } from '../../core/index.js';
import { MemoryState, Overlay } from '../index.js';

const Rec = struct('Rec', { v: uint });
const k = (s: string): Uint8Array => utf8(s);

t.test('overlay: reads through, nested checkpoints, sorted write set', async (t) => {
  const base = new MemoryState();
  const o0 = new Overlay(base);
  o0.put(Rec, k('b'), { v: 1 });
  o0.put(Rec, k('a'), { v: 2 });
  base.apply(o0.writeSet());
  const o = new Overlay(base);
  t.same(await o.get(Rec, k('a')), { v: 2 }, 'reads the base');
  o.checkpoint();
  o.put(Rec, k('a'), { v: 3 });
  o.checkpoint();
  o.put(Rec, k('c'), { v: 4 });
  o.delete(k('b'));
  t.equal(await o.get(Rec, k('b')), undefined, 'a delete is visible');
  o.revert();
  t.same(await o.get(Rec, k('b')), { v: 1 }, 'the inner revert restores b');
  t.equal(await o.get(Rec, k('c')), undefined, 'and removes c');
  t.same(await o.get(Rec, k('a')), { v: 3 }, 'the outer write stays');
  o.checkpoint();
  o.put(Rec, k('z'), { v: 9 });
  o.delete(k('b'));
  o.commit();
  t.equal(o.depth, 1);
  o.commit();
  const ws = o.writeSet();
  t.same(ws.map((w) => String.fromCharCode(...w.key)), ['a', 'b', 'z'], 'sorted by key');
  t.equal(ws[1]!.value, null, 'b deleted');
  t.throws(() => o.commit(), 'commit without a checkpoint is a bug');
  const o2 = new Overlay(base);
  o2.checkpoint();
  t.throws(() => o2.writeSet(), 'write set with an open checkpoint is a bug');
  o2.put(Rec, k('q'), { v: 1 });
  o2.revert();
  t.same(o2.writeSet(), [], 'everything reverted');
});

t.test('memory state: apply, entries in key order, a root that depends on every entry', async (t) => {
  const a = new MemoryState();
  const b = new MemoryState();
  const r0 = a.root();
  a.apply([{ key: k('x'), value: new Uint8Array([1]) }, { key: k('y'), value: new Uint8Array([2]) }]);
  b.apply([{ key: k('y'), value: new Uint8Array([2]) }]);
  b.apply([{ key: k('x'), value: new Uint8Array([1]) }]);
  t.ok(equalBytes(a.root(), b.root()), 'order of application does not matter');
  t.notOk(equalBytes(a.root(), r0));
  b.apply([{ key: k('x'), value: new Uint8Array([3]) }]);
  t.notOk(equalBytes(a.root(), b.root()), 'a value changes the root');
  b.apply([{ key: k('x'), value: null }]);
  t.equal(b.size, 1, 'deleted');
  t.same(a.entries().map(([key]) => String.fromCharCode(...key)), ['x', 'y']);
  t.equal(keyId(new Uint8Array([0, 255, 16])), '\u0000\u00ff\u0010');
  const every = Uint8Array.from({ length: 256 }, (_, i) => i);
  t.equal(keyId(every), String.fromCharCode(...every), 'one char per byte, for every byte value');
  t.equal(keyId(every.subarray(100, 103)), '\u0064\u0065\u0066', 'a view: only its own bytes');
  t.equal(keyId(new Uint8Array(0)), '');
  t.equal(latin1Documented.call(every, 0, 256), keyId(every), 'the documented fallback gives the same ids');
  t.equal(latin1Documented.call(every.subarray(100, 103), 0, 3), keyId(every.subarray(100, 103)));
  t.ok(keyId(Uint8Array.of(0x7f, 0xff)) < keyId(Uint8Array.of(0x80)) && keyId(Uint8Array.of(1)) < keyId(Uint8Array.of(1, 0)), 'ids compare in byte order');
  t.same(decodeStored(Rec, encode(Rec, { v: 5 })), { v: 5 });
  t.throws(() => decodeStored(Rec, encode(struct('S', { v: uint, w: uint }), { v: 1, w: 2 })), 'the schema still checks stored values');
});

t.test('the public surface is not thenable (a `then` export would break dynamic import)', async (t) => {
  const ns = await import('../index.js');
  t.equal((ns as Record<string, unknown>)['then'], undefined);
  t.equal(typeof ns.executeBlock, 'function');
});
