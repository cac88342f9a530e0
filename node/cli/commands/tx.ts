/**
 * `sov tx MODULE METHOD --args JSON --key KEYSTORE`: build, sign and submit any state-machine
 * operation from the shell, through the SDK (args converted from JSON by the method's own
 * schema, so a wrong field is refused before anything is signed). Without a method it lists
 * a module's methods; without a module, every module. `--describe` prints the args a method
 * takes; `--offline` signs and prints the transaction without contacting a node.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { decodeAddress, safeJsonText, to0x, type KeyPair } from '../../../core/index.js';
import { MODULE_DEFS } from '../../../vm/index.js';
import { buildTx, describeMethodArgs, loadKeystore, methodArgsFromJson, SovClient, Wallet, type SendOptions } from '../../../rpc/index.js';
import { resolvePassword } from '../password.js';
import { CliError } from './keys.js';

export const DEFAULT_RPC = 'http://127.0.0.1:8545';

interface TxOpts {
  args?: string;
  argsFile?: string;
  key: string[];
  passwordFile?: string;
  passwordEnv?: string;
  signer?: string;
  rpc: string;
  apiKey?: string;
  nonce?: string;
  expiry?: string;
  wait?: boolean;
  describe?: boolean;
  offline?: boolean;
  chainId?: string;
  prefix?: string;
}

type MethodTable = Record<string, { doc: string }>;

function moduleTable(): Record<string, MethodTable> {
  return Object.fromEntries(Object.entries(MODULE_DEFS).map(([name, def]) => [name, def.methods as unknown as MethodTable]));
}

/** A non-negative integer argument; anything else is a CliError naming `what`. */
export function uintArg(v: string, what: string): number {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(v) || !Number.isSafeInteger(Number(v))) throw new CliError(`${what} must be a non-negative integer`);
  return Number(v);
}

const uint = (v: string | undefined, flag: string): number | undefined => (v === undefined ? undefined : uintArg(v, flag));

function readArgs(o: TxOpts): unknown {
  if (o.args !== undefined && o.argsFile !== undefined) throw new CliError('give --args or --args-file, not both');
  let text = o.args ?? '{}';
  if (o.argsFile !== undefined) {
    try {
      text = readFileSync(o.argsFile, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read ${o.argsFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`the args are not JSON: ${(e as Error).message}`);
  }
}

export function clientFor(o: { rpc: string; apiKey?: string }): SovClient {
  return new SovClient(o.rpc, { timeoutMs: 60_000, ...(o.apiKey ? { apiKey: o.apiKey } : {}) });
}

async function loadKeys(o: TxOpts): Promise<KeyPair[]> {
  if (o.key.length === 0) throw new CliError('give the signing keystore with --key FILE (repeat it for an account with several keys)');
  const password = await resolvePassword(o, { confirm: false });
  return Promise.all(o.key.map((k) => loadKeystore(k, password)));
}

function listMethods(module?: string): void {
  const mods = moduleTable();
  const names = module === undefined ? Object.keys(mods) : [module];
  for (const m of names) {
    for (const [name, def] of Object.entries(mods[m]!)) console.log(`${m} ${name}\t${def.doc}`);
  }
}

export function registerTx(program: Command): void {
  program
    .command('tx')
    .description('build, sign and submit a transaction calling MODULE METHOD (without them: list the methods)')
    .argument('[module]', `the module: ${Object.keys(MODULE_DEFS).join(', ')}`)
    .argument('[method]', "the module's method")
    .option('--args <json>', 'the method\'s args as JSON (amounts as decimal strings, addresses bech32m, bytes 0x-hex)')
    .option('--args-file <file>', 'read the args JSON from a file')
    .option('-k, --key <file>', 'a signing keystore (repeat for several keys)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--password-file <file>', "read the keystores' password from the first line of this file")
    .option('--password-env <var>', "read the keystores' password from this environment variable")
    .option('--signer <address>', 'the signing account when it is not the first key\'s own address')
    .option('--rpc <url>', "the node's JSON-RPC URL", DEFAULT_RPC)
    .option('--api-key <key>', 'an RPC API key, sent as a bearer token')
    .option('--nonce <n>', "the nonce (default: the account's next one)")
    .option('--expiry <height>', 'the last height it may be included at (default: head + 100)')
    .option('--wait', 'wait until the transaction is committed and print its outcome')
    .option('--describe', 'print the args the method takes, and exit')
    .option('--offline', 'sign and print the transaction bytes without contacting a node (needs --chain-id, --prefix, --nonce, --expiry)')
    .option('--chain-id <id>', 'the chain id (with --offline)')
    .option('--prefix <prefix>', "the chain's address prefix (with --offline)")
    .action(async (module: string | undefined, method: string | undefined, o: TxOpts) => {
      const mods = moduleTable();
      if (module !== undefined && !Object.hasOwn(mods, module)) throw new CliError(`no module "${module}"; modules: ${Object.keys(mods).join(', ')}`);
      if (module === undefined || method === undefined) return listMethods(module);
      const def = Object.hasOwn(mods[module]!, method) ? mods[module]![method]! : undefined;
      if (!def) throw new CliError(`no method ${module}.${method}; methods: ${Object.keys(mods[module]!).join(', ')}`);
      if (o.describe) {
        console.log(safeJsonText({ method: `${module}.${method}`, doc: def.doc, args: describeMethodArgs(module, method) }, 2));
        return;
      }
      const json = readArgs(o);
      const nonce = uint(o.nonce, '--nonce');
      const expiry = uint(o.expiry, '--expiry');
      if (o.offline) {
        if (o.chainId === undefined || o.prefix === undefined || nonce === undefined || expiry === undefined) {
          throw new CliError('--offline needs --chain-id, --prefix, --nonce and --expiry');
        }
        const args = methodArgsFromJson(module, method, json, o.prefix);
        const keys = await loadKeys(o);
        const signer = o.signer !== undefined ? decodeAddress(o.signer, o.prefix) : undefined;
        const tx = buildTx({ chainId: o.chainId, keys, ...(signer ? { signer } : {}), nonce, expiry }, module, method, args);
        console.log(safeJsonText({ hash: to0x(tx.hash), tx: to0x(tx.bytes) }, 2));
        return;
      }
      const client = clientFor(o);
      const status = await client.status();
      const args = methodArgsFromJson(module, method, json, status.addressPrefix);
      const keys = await loadKeys(o);
      const signer = o.signer !== undefined ? decodeAddress(o.signer, status.addressPrefix) : undefined;
      const wallet = new Wallet(client, keys, { chainId: status.chainId, ...(signer ? { signer } : {}) });
      const send: SendOptions = { wait: o.wait ?? false, expiry: expiry ?? status.height + 100, ...(nonce !== undefined ? { nonce } : {}) };
      const out = await wallet.send(module, method, args, send);
      if (o.wait && out.status !== 'pending' && out.height !== null) {
        const got = await client.getTransaction(out.hash);
        console.log(safeJsonText({ ...out, module: got.module, method: got.method, args: got.args, receipt: got.receipt }, 2));
      } else {
        console.log(safeJsonText(out, 2));
      }
      if (out.status === 'failed') process.exitCode = 1;
    });
}
