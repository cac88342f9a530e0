/**
 * A full disk: the consensus WAL refuses an append with a typed error and stays a clean log;
 * a validator whose data directory fills up stops with a typed fatal error (no crash loop, no
 * hang), loses nothing it had committed, and once space is freed a restart resumes from its
 * last committed height with its chain intact.
 *
 * The files go on a small tmpfs, so the test needs the right to mount one (root in a
 * container that allows it); without it the tests are skipped and say so.
 */
import t from 'tap';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Devnet } from '../../test/devnet.js';
import { fillDisk, mountTmpfs, waitFor } from '../../test/index.js';
import { to0x } from '../../core/index.js';
import { WalFile } from '../chain/wal-file.js';

const fs = mountTmpfs(64);
t.teardown(() => fs?.unmount());
const skip = fs ? false : 'cannot mount a tmpfs here (needs root)';

t.test('the WAL on a full disk: a typed error, and the log stays whole', { skip }, async (tt) => {
  const dir = join(fs!.dir, 'wal');
  const wal = WalFile.open(dir);
  const rec = (i: number): Uint8Array => new Uint8Array(3000).fill(i);
  for (let i = 0; i < 5; i++) wal.append(rec(i), true);
  const filler = fillDisk(fs!.dir);
  let failures = 0;
  for (let i = 5; i < 50; i++) {
    try {
      wal.append(rec(i), true);
    } catch (e) {
      tt.equal((e as { code?: string }).code, 'NODE_DISK_FULL', 'a full disk is NODE_DISK_FULL');
      failures++;
      break;
    }
  }
  tt.equal(failures, 1, 'an append fails once the disk is full');
  tt.equal(statSync(join(dir, 'wal.log')).size, wal.sizeBytes, 'the failed append is cut back off: the file ends after the last whole record');
  tt.equal(wal.sizeBytes % 3008, 0, 'whole records only');
  wal.close();
  rmSync(filler);
  const again = WalFile.open(dir);
  tt.ok(again.records.length >= 5, 'every record written before is read back');
  tt.ok(again.records.every((r, i) => r.length === 3000 && r[0] === i), 'whole and in order, nothing torn');
  again.append(rec(99), true);
  tt.equal(WalFile.open(dir).records.length, again.records.length + 1, 'and appends work again once space is freed');
  again.close();
});

t.test('a validator on a full disk stops with a typed error, loses nothing, and resumes', { skip }, async (tt) => {
  const net = Devnet.create({ validators: 1, blockIntervalMs: 20, logLevel: 'info' });
  tt.teardown(() => net.stop());
  net.setConfig(0, 'node', 'data_dir', JSON.stringify(join(fs!.dir, 'data')));
  net.start(0);
  await net.waitHeight(0, 3);

  // A transfer committed before the disk fills.
  const [from, to] = net.accountKeys().filter((a) => a.name.startsWith('customer'));
  const tx = net.transfer(from!.keys, 0, to!.address, 5n, 100_000);
  const sent = (await net.rpc(0, 'sov_sendTransaction', [to0x(tx.bytes), true])) as { status: string; height: number };
  tt.equal(sent.status, 'committed', 'a transfer committed before the disk fills');

  const proc = net.procs[0]!;
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const filler = fillDisk(fs!.dir);
  // Keep the node writing: transfers and blocks, until it stops.
  let nonce = 1;
  let code: number | null | undefined;
  void exited.then((c) => (code = c));
  await waitFor(async () => {
    if (code !== undefined) return true;
    const more = net.transfer(from!.keys, nonce++, to!.address, 1n, 100_000);
    await net.rpc(0, 'sov_sendTransaction', [to0x(more.bytes), false], 2000).catch(() => undefined);
    return code !== undefined;
  }, 'the node stopping on the full disk', 120_000, 50);
  tt.equal(code, 1, 'it exits with status 1');
  const lines = readFileSync(net.logPath(0), 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const fatal = lines.filter((l) => l.level === 'fatal');
  tt.ok(fatal.some((l) => typeof l.code === 'string' && l.code.endsWith('DISK_FULL')), `a fatal line with a typed disk-full code (${fatal.map((l) => String(l.code)).join(', ')})`);
  tt.ok(fatal.some((l) => typeof l.hint === 'string' && /free/.test(l.hint)), 'telling the operator what to do');
  const committed = lines.filter((l) => l.msg === 'committed').map((l) => l.height as number);
  const last = Math.max(...committed);

  rmSync(filler);
  net.start(0);
  await net.waitHeight(0, last + 3, 60_000);
  tt.pass(`after space is freed it resumes past height ${last}`);
  const got = (await net.rpc(0, 'sov_getTransaction', [to0x(tx.hash)])) as { height: number };
  tt.equal(got.height, sent.height, 'the transfer committed before is still there');
  let prev = (await net.rpc(0, 'sov_getBlock', [1])) as { hash: string };
  for (let h = 2; h <= last + 3; h++) {
    const b = (await net.rpc(0, 'sov_getBlock', [h])) as { hash: string; header: { lastBlockHash: string } };
    if (b.header.lastBlockHash !== prev.hash) tt.fail(`block ${h} does not follow block ${h - 1}`);
    prev = b;
  }
  tt.pass('every block from 1 on follows the one before');
});
