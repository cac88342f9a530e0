/**
 * `sov start` (run a node from its home), `sov dev` (a single-validator dev chain under
 * ./.sov-dev with its RPC on 127.0.0.1:8545), and the RPC clients `sov status` and
 * `sov block`. A node stops cleanly on SIGINT or SIGTERM, and reloads its RPC API keys file
 * on SIGHUP.
 */
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { safeJsonText } from '../../../core/index.js';
import { CliError } from './keys.js';
import type { ConfigOverride } from '../../ops/config.js';
import { NODE_V8_FLAGS, missingV8Flags } from '../../ops/v8-flags.js';

/** What `sov dev` changes in its node's config as it starts it: one local developer, so no per-address rate limit (as hardhat and anvil take every call). */
const SET_FLAG = '--set <section.key=value>';
const SET_DOC = 'override a config key (repeatable; also SOV_SECTION_KEY in the environment; docs/config.md)';
const collect = (v: string, all: string[]): string[] => [...all, v];

function devOverrides(port: number): ConfigOverride[] {
  return [
    { section: 'rpc', key: 'rate_limit_per_address', text: '0', from: 'sov dev' },
    { section: 'rpc', key: 'listen', text: `127.0.0.1:${port}`, from: 'sov dev --port' },
    { section: 'rpc', key: 'console', text: 'true', from: 'sov dev' },
  ];
}

async function runNode(home: string, sets: readonly string[], dev?: { port: number; started?: () => void }): Promise<void> {
  // Loaded here, not at the top: the rest of the CLI starts without libp2p and LevelDB.
  const { loadHome, SovNode } = await import('../../node.js');
  const { configOverrides } = await import('../../ops/config.js');
  // sov dev's own settings first, then the environment, then --set flags: the later wins.
  const parts = await loadHome(home, undefined, [...(dev ? devOverrides(dev.port) : []), ...configOverrides(process.env, sets)]);
  const missing = missingV8Flags();
  if (missing.length > 0) parts.log.info({ missing }, `running without the node's V8 flags (more garbage collection under load): start it as \`node ${NODE_V8_FLAGS.join(' ')} bin/sov.js ...\`, or run bin/sov.js itself`);
  const node = new SovNode(parts);
  let signals = 0;
  const onSignal = (sig: string): void => {
    signals++;
    if (signals > 1) process.exit(130);
    parts.log.info({ signal: sig }, 'shutting down');
    void node.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  // SIGHUP: reload the RPC API keys file (revoke or add keys without a restart).
  process.on('SIGHUP', () => void node.reloadApiKeys());
  try {
    await node.start();
  } catch (e) {
    await node.stop().catch(() => undefined);
    throw e;
  }
  dev?.started?.();
  await new Promise<void>(() => undefined); // run until a signal
}

/** What `sov dev` prints once its node serves, as anvil and hardhat do: the RPC URL, the chain, and each account with its keystore. */
function devBanner(dir: string, port: number): string {
  let m: { chain_id: string; address_prefix: string; currency: { code: string; decimals: number }; accounts_password_file: string; accounts: { name: string; role: string; address: string; keystore: string; balance: string }[] };
  try {
    m = JSON.parse(readFileSync(join(dir, 'testnet.json'), 'utf8')) as typeof m;
  } catch {
    return `dev chain: RPC http://127.0.0.1:${port} (no ${join(dir, 'testnet.json')} to list its accounts)\n`;
  }
  const amount = (minor: string): string => {
    const v = BigInt(minor);
    const unit = 10n ** BigInt(m.currency.decimals);
    return `${v / unit}.${(v % unit).toString().padStart(m.currency.decimals, '0')}`;
  };
  const lines = [
    '',
    `Dev chain ${m.chain_id} (addresses ${m.address_prefix}1...), one validator`,
    `RPC            http://127.0.0.1:${port}   (GET /ready, JSON-RPC POST; no rate limit)`,
    `Console        http://127.0.0.1:${port}/console/   (block explorer, regulator's dashboard)`,
    `Keystores      ${join(dir, 'accounts')}   password in ${m.accounts_password_file}`,
    '',
    'Accounts',
    ...m.accounts.map((a) => `  ${a.name.padEnd(16)} ${a.role.padEnd(16)} ${a.address}  ${amount(a.balance)} ${m.currency.code}\n  ${''.padEnd(16)} keystore ${a.keystore}`),
    '',
    `Try: sov tx money transfer --key ${m.accounts.find((a) => a.role === 'customer')?.keystore ?? '<keystore>'} --password-file ${m.accounts_password_file} --rpc http://127.0.0.1:${port} ...  (sov tx --help)`,
    '',
  ];
  return lines.join('\n');
}

async function rpcCall(url: string, method: string, params: unknown[]): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    throw new CliError(`cannot reach ${url}: ${(e as Error).message}`);
  }
  let body: { result?: unknown; error?: { code: number; message: string } };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new CliError(`${url} did not answer with JSON-RPC (HTTP ${res.status})`);
  }
  if (body.error) throw new CliError(`${method}: ${body.error.message} (code ${body.error.code})`);
  return body.result;
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run a node from its home directory (config.toml, genesis.json, keys/)')
    .requiredOption('--home <dir>', 'the node home')
    .option(SET_FLAG, SET_DOC, collect, [] as string[])
    .option('--state-sync', 'join by state sync if the store is empty (the same as --set statesync.enable=true; docs/state-sync.md)')
    .action(async (opts: { home: string; set: string[]; stateSync?: boolean }) => {
      const home = resolve(opts.home);
      if (!existsSync(home)) throw new CliError(`no node home at ${home}`);
      await runNode(home, opts.stateSync ? [...opts.set, 'statesync.enable=true'] : opts.set);
    });

  program
    .command('dev')
    .description('run a single-validator dev chain under ./.sov-dev, RPC on http://127.0.0.1:8545 (created on first use); one local developer: no per-address rate limit')
    .option('--home <dir>', 'where the dev chain lives', '.sov-dev')
    .option('--port <n>', 'the RPC port (the chain is created with its p2p port one below, its metrics port one above)', '8545')
    .option(SET_FLAG, SET_DOC, collect, [] as string[])
    .action(async (opts: { home: string; port: string; set: string[] }) => {
      if (!/^[0-9]{1,5}$/.test(opts.port) || Number(opts.port) < 1025 || Number(opts.port) > 65534) throw new CliError(`--port must be a port of 1025..65534, got ${JSON.stringify(opts.port)}`);
      const port = Number(opts.port);
      const dir = resolve(opts.home);
      if (!existsSync(resolveHome(dir))) {
        const { main } = await import('../cli.js');
        const code = await main(['testnet', '--validators', '1', '--out', dir, '--base-port', String(port - 1), '--chain-id', 'sov-dev', '--accounts', '4']);
        if (code !== 0) throw new CliError(`could not create the dev chain in ${dir}`);
        process.stderr.write(`created a dev chain in ${dir} (accounts' keystores in ${dir}/accounts)\n`);
      }
      await runNode(resolveHome(dir), opts.set, { port, started: () => process.stdout.write(devBanner(dir, port)) });
    });

  program
    .command('status')
    .description("print a node's status as JSON (height, block hash, state root, peers)")
    .option('--rpc <url>', "the node's JSON-RPC URL", 'http://127.0.0.1:8545')
    .action(async (opts: { rpc: string }) => {
      console.log(safeJsonText(await rpcCall(opts.rpc, 'sov_status', []), 2));
    });

  program
    .command('block')
    .description('print a committed block as JSON (header, transaction hashes, commit certificate)')
    .argument('<height>', 'the block height')
    .option('--rpc <url>', "the node's JSON-RPC URL", 'http://127.0.0.1:8545')
    .action(async (height: string, opts: { rpc: string }) => {
      if (!/^[1-9][0-9]{0,15}$/.test(height)) throw new CliError('height must be a positive integer');
      console.log(safeJsonText(await rpcCall(opts.rpc, 'sov_getBlock', [Number(height)]), 2));
    });
}

/** The dev chain's node home inside its testnet directory. */
function resolveHome(dir: string): string {
  return resolve(dir, 'node0');
}
