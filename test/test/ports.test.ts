/**
 * Test port reservations: a block held by one reservation (in this process or another live
 * one) is refused to the next, a port in use makes its block refused without keeping any lock,
 * a dead owner's lock is taken over, and a released block is free again.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { portLockPath, reservePorts, tryReservePorts } from '../index.js';

const listen = (port: number): Promise<Server> => new Promise((resolve, reject) => {
  const s = createServer();
  s.once('error', reject);
  s.listen(port, '127.0.0.1', () => resolve(s));
});

t.test('a reserved block is refused to an overlapping one until released', async (tt) => {
  const a = reservePorts(3);
  tt.ok(a.base >= 20_000 && a.base + 30 <= 32_768 && a.base % 10 === 0, `base ${a.base}`);
  tt.ok(existsSync(portLockPath(a.base + 20)), 'a lock per slot');
  tt.equal(tryReservePorts(a.base + 20, 2), null, 'an overlapping block is refused');
  tt.ok(existsSync(portLockPath(a.base + 20)), "the refusal leaves the holder's lock");
  tt.notOk(existsSync(portLockPath(a.base + 30)), 'and takes none of its own');
  const b = reservePorts(2);
  tt.ok(b.base + 20 <= a.base || b.base >= a.base + 30, `a second reservation does not overlap (${a.base}, ${b.base})`);
  a.release();
  a.release();
  tt.notOk(existsSync(portLockPath(a.base)), 'released: no lock left');
  const again = tryReservePorts(a.base, 3);
  tt.ok(again, 'free again after release');
  again?.release();
  b.release();
});

t.test('a port in use refuses its block', async (tt) => {
  const a = reservePorts(2);
  a.release();
  const server = await listen(a.base + 11);
  tt.teardown(() => new Promise<void>((r) => server.close(() => r())));
  tt.equal(tryReservePorts(a.base, 2), null, "slot 1's RPC port is in use");
  tt.notOk(existsSync(portLockPath(a.base)), 'no lock kept');
  const first = tryReservePorts(a.base, 1);
  tt.ok(first, 'the slot before it is free');
  first?.release();
});

t.test("a dead owner's lock is taken over", async (tt) => {
  const a = reservePorts(1);
  a.release();
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(portLockPath(a.base), dead.stdout);
  const b = tryReservePorts(a.base, 1);
  tt.ok(b, `taken over from pid ${dead.stdout}`);
  b?.release();
  writeFileSync(portLockPath(a.base), String(process.ppid));
  tt.equal(tryReservePorts(a.base, 1), null, "a live process's lock is kept");
  unlinkSync(portLockPath(a.base));
});
