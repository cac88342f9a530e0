/**
 * `sov`, the one command-line tool. Each subcommand says what it does in its help. Errors
 * from bad arguments print one line and exit with status 2; nothing prints a stack trace
 * for bad input, and nothing prints a caller's control or bidi characters raw (core
 * `escapeText`, `safeJsonText`).
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { addressFromPublicKey, encodeAddress, fromHex, escapeText, isSovError, isValidPublicKey, safeJsonText, to0x, Tx } from '../../core/index.js';
import { argsJson } from '../../rpc/index.js';
import { registerKeys } from './commands/keys.js';
import { registerGenesis } from './commands/genesis.js';
import { registerTestnet } from './commands/testnet.js';
import { registerInit } from './commands/init.js';
import { registerLocalnet } from './commands/localnet.js';
import { registerStart } from './commands/start.js';
import { registerTx } from './commands/tx.js';
import { registerQuery } from './commands/query.js';
import { registerRpcKey } from './commands/rpc-key.js';
import { registerCred } from './commands/cred.js';
import { registerXchg } from './commands/xchg.js';
import { registerCompliance } from './commands/compliance.js';
import { registerDoc } from './commands/doc.js';
import { registerBank } from './commands/bank.js';
import { registerTax } from './commands/tax.js';
import { registerProgram } from './commands/program.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildCli(): Command {
  const program = new Command('sov')
    .description('Sovereign Ledger: a permissioned BFT ledger node for sovereign digital infrastructure.')
    .version(pkg.version, '-V, --version', 'print the version')
    .showHelpAfterError()
    // Commander's own errors echo what was typed (an unknown command or option): escaped, line by line.
    .configureOutput({ outputError: (text, write) => write(text.split('\n').map(escapeText).join('\n')) })
    .exitOverride();

  program
    .command('address')
    .description('print the bech32m address of an Ed25519 public key')
    .argument('<public-key>', 'the public key, 32 bytes in hex')
    .option('-p, --prefix <prefix>', "the chain's address prefix", 'sov')
    .action((publicKeyHex: string, opts: { prefix: string }) => {
      const publicKey = fromHex(publicKeyHex, 32);
      if (!isValidPublicKey(publicKey)) throw new Error('not a valid Ed25519 public key under the network rule');
      console.log(encodeAddress(opts.prefix, addressFromPublicKey(publicKey)));
    });

  program
    .command('decode-tx')
    .description('decode a signed transaction (canonical bytes in hex) and print it as JSON')
    .argument('<hex>', 'the transaction bytes in hex')
    .option('-p, --prefix <prefix>', "the chain's address prefix, for the decoded args' addresses", 'sov')
    .action((hex: string, opts: unknown) => {
      const tx = Tx.decode(fromHex(hex));
      const prefix = (opts as { prefix: string }).prefix;
      // The args decoded by the method's schema, with field names, beside their bytes.
      const decoded = argsJson(tx.data.body.module, tx.data.body.method, tx.data.body.args, prefix);
      console.log(safeJsonText({ ...(toJson({ hash: tx.hash, ...tx.data }) as object), args: decoded }, 2));
    });

  registerStart(program);
  registerKeys(program);
  registerGenesis(program);
  registerTestnet(program);
  registerInit(program);
  registerLocalnet(program);
  registerTx(program);
  registerQuery(program);
  registerRpcKey(program);
  registerCred(program);
  registerXchg(program);
  registerCompliance(program);
  registerDoc(program);
  registerBank(program);
  registerTax(program);
  registerProgram(program);
  return program;
}

/** JSON view of chain objects: bytes as 0x-hex, bigints as decimal strings. */
function toJson(v: unknown): unknown {
  if (v instanceof Uint8Array) return to0x(v);
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(toJson);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync(argv, { from: 'user' });
    // A command that ran but reports a failure (a transaction that failed, a credential that
    // does not verify) sets process.exitCode; the caller writes our answer over it.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const msg = isSovError(e) ? `${e.code}: ${e.message}` : (e as Error).message;
    process.stderr.write(`sov: ${escapeText(msg)}\n`);
    return 2;
  }
}
