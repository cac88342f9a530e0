/**
 * Twins on a four-validator devnet: a copy of validator 3's home (same node key, same
 * validator key, its own ports) started beside it. Its peers hear two processes of one node
 * id and say so; each of the two processes logs the other, by instance number, whichever of
 * them won the peers' links; the other three validators keep committing.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Devnet } from '../../test/devnet.js';
import { repoPath, waitFor } from '../../test/index.js';

const net = Devnet.create({ validators: 4, blockIntervalMs: 200, logLevel: 'info' });
let twin: ChildProcess | null = null;
t.teardown(async () => {
  if (twin && twin.exitCode === null) {
    const exited = new Promise((r) => twin!.once('exit', r));
    twin.kill('SIGKILL');
    await exited;
  }
  await net.stop();
});

const instanceOf = (log: string): string | null => /"instance":"([0-9a-f]{12})"[^\n]*"node started"|"node started"[^\n]*"instance":"([0-9a-f]{12})"/.exec(log)?.slice(1).find(Boolean) ?? null;

t.test('two processes on one validator\'s keys: both are named, in the logs of both and of their peers', async (tt) => {
  net.startAll();
  await net.waitHeight(0, 3);
  const home = net.manifest.nodes[3]!.home;
  const twinHome = join(net.dir, 'twin-home');
  cpSync(home, twinHome, { recursive: true });
  // Its own ports (p2p, rpc, metrics): the twin listens beside the original, everything else the same.
  const cfgPath = join(twinHome, 'config.toml');
  let cfg = readFileSync(cfgPath, 'utf8');
  cfg = cfg.replace(/^(listen = "[^"]*?)(\d+)(")$/gm, (_m, a: string, port: string, z: string) => `${a}${Number(port) + 5}${z}`);
  writeFileSync(cfgPath, cfg);
  const twinLog = join(net.dir, 'twin.log');
  const fd = openSync(twinLog, 'a');
  twin = spawn(process.execPath, [repoPath('bin/sov.js'), 'start', '--home', twinHome], { stdio: ['ignore', fd, fd] });
  closeSync(fd);

  const read = (p: string): string => readFileSync(p, 'utf8');
  await waitFor(() => instanceOf(read(twinLog)) !== null, 'the twin started', 60_000);
  await waitFor(() => instanceOf(read(net.logPath(3))) !== null, 'validator 3 logged its instance', 10_000);
  const original = instanceOf(read(net.logPath(3)))!;
  const second = instanceOf(read(twinLog))!;
  tt.not(original, second, 'two processes, two instances');

  // A peer (any of 0..2) names both instances.
  await waitFor(() => [0, 1, 2].some((i) => read(net.logPath(i)).includes('two processes are running one node key')), 'a peer reports twins', 60_000, 200);
  const peerLine = [0, 1, 2].map((i) => read(net.logPath(i))).join('\n').split('\n').find((l) => l.includes('two processes are running one node key'))!;
  tt.match(peerLine, original, 'the peer\'s warning names the original');
  tt.match(peerLine, second, 'and the twin');

  // Each process names the other.
  const told = (p: string): string | undefined => read(p).split('\n').find((l) => l.includes('another process is running this node\'s key'));
  await waitFor(() => told(net.logPath(3)) !== undefined && told(twinLog) !== undefined, 'both processes told', 60_000, 200);
  tt.match(told(net.logPath(3))!, new RegExp(`"otherInstances":\\["${second}"\\]`), 'the original names the twin');
  tt.match(told(twinLog)!, new RegExp(`"otherInstances":\\["${original}"\\]`), 'the twin names the original');
  tt.match(told(net.logPath(3))!, /"level":"?(warn|40)/, 'at warn');

  // The others keep committing.
  const h = await net.height(0);
  await net.waitHeight(0, h + 5, 60_000);
  await net.waitHeight(1, h + 5, 60_000);
  tt.pass('the chain keeps committing');
});
