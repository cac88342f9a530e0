/**
 * The store on a full disk: a batch write fails with STATE_DISK_FULL, nothing of that batch is
 * applied, and once space is freed the reopened store holds exactly what was written before.
 * Needs the right to mount a small tmpfs (root in a container that allows it); skipped
 * otherwise, saying so.
 */
import t from 'tap';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LevelKV } from '../level-kv.js';
import { StateErrorCodes } from '../errors.js';
import { fillDisk, mountTmpfs } from '../../test/index.js';

const fs = mountTmpfs(16);
t.teardown(() => fs?.unmount());

t.test('a batch write on a full disk is STATE_DISK_FULL and applies nothing', { skip: fs ? false : 'cannot mount a tmpfs here (needs root)' }, async (tt) => {
  const dir = join(fs!.dir, 'db');
  const key = (b: number, i: number): Uint8Array => Uint8Array.from([b, i >> 8, i & 0xff]);
  let kv = await LevelKV.open(dir);
  await kv.batch(Array.from({ length: 100 }, (_, i) => ({ type: 'put' as const, key: key(1, i), value: randomBytes(100) })), { sync: true });
  const before = await kv.get(key(1, 7));
  const filler = fillDisk(fs!.dir);
  let code: string | undefined;
  for (let b = 2; b < 200 && code === undefined; b++) {
    try {
      await kv.batch(Array.from({ length: 100 }, (_, i) => ({ type: 'put' as const, key: key(b, i), value: randomBytes(4000) })), { sync: true });
    } catch (e) {
      code = (e as { code?: string }).code;
    }
  }
  tt.equal(code, StateErrorCodes.STATE_DISK_FULL, 'the failed write is STATE_DISK_FULL');
  await kv.close();
  rmSync(filler);
  kv = await LevelKV.open(dir);
  tt.same(await kv.get(key(1, 7)), before, 'what was written before is still there');
  const batches = new Set<number>();
  for await (const [k] of kv.iterate({})) batches.add(k[0]!);
  // Each batch is whole or absent: every batch found holds all its 100 keys.
  for (const b of batches) {
    let n = 0;
    for await (const [k] of kv.iterate({ gte: Uint8Array.of(b), lt: Uint8Array.of(b + 1) })) if (k.length === 3) n++;
    if (n !== 100) tt.fail(`batch ${b} holds ${n} of its 100 keys`);
  }
  tt.pass(`${batches.size} batches, each whole`);
  await kv.batch([{ type: 'put', key: key(250, 0), value: new Uint8Array(10) }], { sync: true });
  tt.ok(await kv.get(key(250, 0)), 'and it takes writes again');
  await kv.close();
});
