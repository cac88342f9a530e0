/**
 * The WAL file: records survive a reopen; a torn tail (any cut point) is cut off cleanly;
 * corruption before the tail is a typed error; truncateTo rewrites atomically.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalFile, WalCorruptError } from '../wal-file.js';
import { Rng } from '../../../test/index.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sov-wal-'));
  dirs.push(d);
  return d;
};
t.teardown(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

t.test('records survive a reopen', (tt) => {
  const dir = tmp();
  const rng = new Rng(1);
  const recs = Array.from({ length: 50 }, () => rng.bytes(rng.int(500)));
  const w = WalFile.open(dir);
  recs.forEach((r, i) => w.append(r, i % 10 === 0));
  w.close();
  const again = WalFile.open(dir);
  tt.same(again.records.map((r) => Buffer.from(r).toString('hex')), recs.map((r) => Buffer.from(r).toString('hex')));
  again.close();
  tt.end();
});

t.test('a torn tail at any cut point is cut off; earlier records stay', (tt) => {
  const dir = tmp();
  const w = WalFile.open(dir);
  const recs = [new Uint8Array([1, 2, 3]), new Uint8Array(40).fill(9), new Uint8Array([7])];
  recs.forEach((r) => w.append(r, true));
  w.close();
  const full = readFileSync(join(dir, 'wal.log'));
  const lastStart = full.length - (8 + 1);
  for (let cut = lastStart; cut < full.length; cut++) {
    writeFileSync(join(dir, 'wal.log'), full.subarray(0, cut));
    const r = WalFile.open(dir);
    tt.equal(r.records.length, 2, `cut at ${cut}`);
    tt.equal(r.sizeBytes, lastStart, 'the torn bytes are gone from disk');
    r.append(new Uint8Array([5]), true);
    r.close();
    tt.equal(WalFile.open(dir).records.length, 3, 'appends after recovery are readable');
  }
  // A torn last record with a bad checksum (bytes written but not all of them right).
  const bad = Buffer.from(full);
  bad[bad.length - 1]! ^= 0xff;
  writeFileSync(join(dir, 'wal.log'), bad);
  tt.equal(WalFile.open(dir).records.length, 2, 'bad checksum on the last record is a torn tail');
  tt.end();
});

t.test('corruption before the tail is an error, not skipped', (tt) => {
  const dir = tmp();
  const w = WalFile.open(dir);
  w.append(new Uint8Array(20).fill(1), true);
  w.append(new Uint8Array(20).fill(2), true);
  w.close();
  const buf = readFileSync(join(dir, 'wal.log'));
  buf[10]! ^= 1; // inside the first record's body
  writeFileSync(join(dir, 'wal.log'), buf);
  tt.throws(() => WalFile.open(dir), WalCorruptError);
  writeFileSync(join(dir, 'wal.log'), Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
  appendFileSync(join(dir, 'wal.log'), Buffer.alloc(16));
  tt.throws(() => WalFile.open(dir), { code: 'WAL_CORRUPT' }, 'absurd length');
  tt.end();
});

t.test('truncateTo keeps only the given records', (tt) => {
  const dir = tmp();
  const w = WalFile.open(dir);
  for (let i = 0; i < 10; i++) w.append(new Uint8Array([i]), false);
  w.truncateTo([new Uint8Array([42])]);
  w.append(new Uint8Array([43]), true);
  w.close();
  tt.same(WalFile.open(dir).records.map((r) => r[0]), [42, 43]);
  tt.end();
});
