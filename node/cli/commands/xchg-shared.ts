/**
 * What `sov xchg` and `sov doc` share: reading files and arguments (digests, addresses,
 * times, deadlines), keystores and the RPC flags, submitting a call and reading its result,
 * and the validator sets an offline verification trusts (a genesis file's, a node home's,
 * and saved `sov_getValidators` answers).
 */
import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { addressFromPublicKey, decode, decodeAddress, escapeText, fromHex, safeJsonText, to0x, ValidatorSet, type KeyPair } from '../../../core/index.js';
import { loadGenesisFile } from '../../../genesis/index.js';
import { xchg } from '../../../vm/index.js';
import { loadKeystore, Wallet, type SovClient } from '../../../rpc/index.js';
import { homePath, loadConfig } from '../../ops/config.js';
import { resolvePassword } from '../password.js';
import { CliError } from './keys.js';
import { DEFAULT_RPC, uintArg } from './tx.js';


export const print = (v: unknown): void => console.log(safeJsonText(v, 2));

export interface RpcOpts {
  rpc: string;
  apiKey?: string;
}
export interface KeyOpts extends RpcOpts {
  key: string;
  passwordFile?: string;
  passwordEnv?: string;
  signer?: string;
}

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function readBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CliError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function readJson(path: string, what: string): unknown {
  const text = readText(path, what);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${what} ${path} is not JSON: ${(e as Error).message}`);
  }
}

/** Write `v` as JSON to `path`, or print it when no path is given. */
export function writeJson(path: string | undefined, v: unknown): void {
  if (path === undefined) return print(v);
  try {
    writeFileSync(path, safeJsonText(v, 2) + '\n');
  } catch (e) {
    throw new CliError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export async function keyOf(o: { key: string; passwordFile?: string; passwordEnv?: string }): Promise<KeyPair> {
  const password = await resolvePassword(o, { confirm: false });
  return loadKeystore(o.key, password);
}

export function withRpc(c: Command): Command {
  return c.option('--rpc <url>', "the node's JSON-RPC URL", DEFAULT_RPC).option('--api-key <key>', 'an RPC API key, sent as a bearer token');
}

export function withKey(c: Command, signerDoc = "the signing account when it is not the key's own address"): Command {
  return withRpc(c
    .requiredOption('-k, --key <file>', "the signer's keystore")
    .option('--password-file <file>', "read the keystore's password from the first line of this file")
    .option('--password-env <var>', "read the keystore's password from this environment variable")
    .option('--signer <address>', signerDoc));
}

/** A 32-byte digest written as 0x-hex (or bare hex); anything else is a CliError naming `what`. */
export function digestArg(v: string, what: string): Uint8Array {
  try {
    return fromHex(v, 32);
  } catch {
    throw new CliError(`${what} is 32 bytes of hex (0x...), not "${v.slice(0, 80)}"`);
  }
}

export function addressArg(v: string, prefix: string, what: string): Uint8Array {
  try {
    return decodeAddress(v.trim(), prefix);
  } catch (e) {
    throw new CliError(`${what}: "${v.slice(0, 100)}" is not an address of this chain (${(e as Error).message})`);
  }
}

/** A time in ms: an integer, or an ISO 8601 date (2026-03-01, 2026-03-01T12:00:00Z). */
export function timeArg(v: string, what: string): number {
  if (/^[0-9]+$/.test(v)) return uintArg(v, what);
  const t = /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(t) || t < 0) throw new CliError(`${what} is a time: milliseconds, or an ISO date such as 2026-03-01T12:00:00Z`);
  return t;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A deadline: an ISO date or ms, or `+N` with a unit s, m, h or d from `now`. */
export function deadlineArg(v: string, now: number, what: string): number {
  const rel = /^\+([0-9]{1,9})([smhd])$/.exec(v);
  if (rel !== null) return now + Number(rel[1]) * UNIT_MS[rel[2]!]!;
  return timeArg(v, what);
}

/** Submit `xchg.method(args)` signed by the key and wait; a failure is a CliError with its code name. */
export async function submitXchg(client: SovClient, key: KeyPair, signer: Uint8Array | undefined, method: string, args: unknown): Promise<{ hash: string; height: number | null; result: string }> {
  const status = await client.status();
  const wallet = new Wallet(client, [key], { chainId: status.chainId, ...(signer ? { signer } : {}) });
  const out = await wallet.send('xchg', method, args, { wait: true });
  if (out.status !== 'committed') {
    const name = out.height !== null ? (await client.getTransaction(out.hash).catch(() => null))?.receipt.codeName : null;
    throw new CliError(`xchg.${method} ${out.status}${name ? ` (${name})` : out.code !== null ? ` with code ${out.code}` : ''}${out.message ? `: ${out.message}` : ''}`);
  }
  const got = await client.getTransaction(out.hash);
  return { hash: out.hash, height: out.height, result: got.receipt.result };
}

// ---- trusted validator sets, for offline verification ----

export interface TrustOpts {
  genesis?: string;
  home?: string;
  validators?: string[];
}

export function withTrust(c: Command): Command {
  return c
    .option('--genesis <file>', 'a trusted genesis file: its validator set, chain id and address prefix')
    .option('--home <dir>', "a node home: its genesis file (config.toml's genesis_file), instead of --genesis")
    .option('--validators <file>', 'a JSON sov_getValidators answer (`sov query validators --height H`) adding a trusted set, for proofs made after a validator-set change (repeatable)',
      (v: string, acc: string[] | undefined) => [...(acc ?? []), v]);
}

export interface Trust {
  sets: ValidatorSet[];
  /** From the genesis file, when one is given: the proof must be of this chain. */
  chainId?: string;
  addressPrefix?: string;
  sources: string[];
}

/** The validator sets an offline verification trusts: the genesis file's (--genesis, or --home's) and each --validators file. */
export async function trustedSets(o: TrustOpts): Promise<Trust> {
  if (o.genesis !== undefined && o.home !== undefined) throw new CliError('give --genesis or --home, not both');
  let genesisPath = o.genesis;
  if (o.home !== undefined) {
    try {
      genesisPath = homePath(resolve(o.home), loadConfig(resolve(o.home)).node.genesis_file);
    } catch (e) {
      throw new CliError(`cannot read the node home ${o.home}: ${(e as Error).message}`);
    }
  }
  const files = o.validators ?? [];
  if (genesisPath === undefined && files.length === 0) {
    throw new CliError('nothing to trust: give --genesis FILE (or --home DIR), and --validators FILE for each later validator set');
  }
  const trust: Trust = { sets: [], sources: [] };
  if (genesisPath !== undefined) {
    const g = await loadGenesisFile(genesisPath);
    trust.chainId = g.doc.chainId;
    trust.addressPrefix = g.doc.addressPrefix;
    trust.sets.push(new ValidatorSet(g.state.validators.map((v) => ({ address: addressFromPublicKey(v.publicKey), publicKey: v.publicKey, power: v.power }))));
    trust.sources.push(genesisPath);
  }
  for (const f of files) {
    trust.sets.push(validatorsFile(f));
    trust.sources.push(f);
  }
  return trust;
}

/** A validator set from a `sov_getValidators` answer (or the JSON-RPC response holding it); each address must be its key's. */
function validatorsFile(path: string): ValidatorSet {
  const j = readJson(path, 'validator set') as { result?: unknown; validators?: unknown };
  const answer = (j !== null && typeof j === 'object' && 'result' in j ? j.result : j) as { validators?: unknown } | null;
  const list = answer?.validators;
  if (!Array.isArray(list) || list.length === 0) throw new CliError(`${path}: not a sov_getValidators answer ({"validators": [{"address", "publicKey", "power"}]})`);
  return new ValidatorSet(list.map((v: { address?: unknown; publicKey?: unknown; power?: unknown }, i) => {
    let publicKey: Uint8Array;
    try {
      publicKey = fromHex(String(v.publicKey), 32);
    } catch {
      throw new CliError(`${path}: validator ${i} has no 32-byte publicKey`);
    }
    if (!Number.isSafeInteger(v.power) || (v.power as number) < 1) throw new CliError(`${path}: validator ${i} has no positive power`);
    const address = addressFromPublicKey(publicKey);
    if (typeof v.address === 'string') {
      let given: Uint8Array | null = null;
      try {
        given = decodeAddress(v.address, v.address.slice(0, v.address.lastIndexOf('1')));
      } catch {
        given = null;
      }
      if (given === null || to0x(given) !== to0x(address)) throw new CliError(`${path}: validator ${i}'s address is not its key's`);
    }
    return { address, publicKey, power: v.power as number };
  }));
}

/** Print a failed verification (exit status 1), or nothing when it passed. */
export function verdictFailed(e: unknown): void {
  const err = e as { code?: string; message?: string };
  print({ valid: false, code: err.code ?? 'ERROR', reason: err.message ?? String(e) });
  process.stderr.write(`sov: not valid: ${escapeText(err.message ?? String(e))}\n`);
  process.exitCode = 1;
}

export const docIdOf = (result: string): number => decode(xchg.DocIdResult, fromHex(result)).id;
