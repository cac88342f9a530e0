/**
 * `sov localnet`: a local network in one command. It makes a testnet in DIR (as `sov
 * testnet`) unless DIR holds one already, starts every node of DIR/testnet.json as its own
 * process (`sov start --home`), and prints their output interleaved, each line labelled with
 * its node's name, as docker compose does. Ctrl-C (SIGINT) or SIGTERM stops them all (each
 * gets SIGTERM, then SIGKILL after a grace period) and exits 0; a node that exits on its own
 * is reported with its exit code and the others are stopped too, and the command exits 1, so
 * a broken network never looks healthy.
 */
import type { Command } from 'commander';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { NODE_V8_FLAGS } from '../../ops/v8-flags.js';
import { CliError } from './keys.js';

const SOV = fileURLToPath(new URL('../../../../bin/sov.js', import.meta.url));
/** How long a node has to stop after SIGTERM before it is killed. */
const GRACE_MS = 10_000;

interface Manifest {
  chain_id: string;
  nodes: { name: string; home: string; rpc_url: string }[];
}

function readManifest(dir: string): Manifest {
  const p = join(dir, 'testnet.json');
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as Manifest;
  } catch (e) {
    throw new CliError(`${p} is not a testnet manifest: ${(e as Error).message}`);
  }
}

/** Every line of `stream`, written to `out` with `label` before it. */
function pipeLabelled(stream: NodeJS.ReadableStream, label: string, out: NodeJS.WritableStream): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (l) => out.write(`${label} ${l}\n`));
}

export function registerLocalnet(program: Command): void {
  program
    .command('localnet')
    .description('a local network in one command: makes a testnet in DIR (unless it has one), starts all its nodes, prints their logs interleaved and labelled; Ctrl-C stops them all')
    .option('-d, --dir <dir>', 'the testnet directory (created with `sov testnet` when it has no testnet.json)', '.sov-localnet')
    .option('-n, --validators <n>', 'validators, when the testnet is created', '4')
    .option('--base-port <port>', 'first port, when the testnet is created (node i: base+10i p2p, +1 RPC, +2 metrics)', '26600')
    .option('--accounts <n>', 'funded customer accounts, when the testnet is created', '4')
    .action(async (o: { dir: string; validators: string; basePort: string; accounts: string }) => {
      const dir = resolve(o.dir);
      if (!existsSync(join(dir, 'testnet.json'))) {
        const { main } = await import('../cli.js');
        const code = await main(['testnet', '--validators', o.validators, '--out', dir, '--base-port', o.basePort, '--accounts', o.accounts]);
        if (code !== 0) throw new CliError(`could not create a testnet in ${dir}`);
      }
      const m = readManifest(dir);
      const width = Math.max(...m.nodes.map((n) => n.name.length));
      const procs = new Map<string, ChildProcess>();
      let stopping = false;
      let failed = false;
      const exited = m.nodes.map((n) => {
        const p = spawn(process.execPath, [...NODE_V8_FLAGS, SOV, 'start', '--home', n.home], { stdio: ['ignore', 'pipe', 'pipe'] });
        procs.set(n.name, p);
        const label = `${n.name.padEnd(width)} |`;
        pipeLabelled(p.stdout!, label, process.stdout);
        pipeLabelled(p.stderr!, label, process.stdout);
        return new Promise<void>((done) => p.once('exit', (code, signal) => {
          procs.delete(n.name);
          if (!stopping) {
            failed = true;
            process.stdout.write(`${label} exited on its own (${signal ?? `code ${code}`}): stopping the others\n`);
            stop();
          }
          done();
        }));
      });
      const stop = (): void => {
        if (stopping) return;
        stopping = true;
        for (const p of procs.values()) p.kill('SIGTERM');
        setTimeout(() => {
          for (const p of procs.values()) p.kill('SIGKILL');
        }, GRACE_MS).unref();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      process.stdout.write(`localnet ${m.chain_id}: ${m.nodes.length} nodes from ${dir}; RPC ${m.nodes.map((n) => `${n.name} ${n.rpc_url}`).join(', ')}; Ctrl-C stops them all\n`);
      await Promise.all(exited);
      process.stdout.write(failed ? 'localnet stopped: a node exited on its own (its last lines are above)\n' : 'localnet stopped\n');
      if (failed) process.exitCode = 1;
    });
}
