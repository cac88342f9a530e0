/**
 * What an integrator reaches for first, on top of the typed methods: the trusted validator
 * set from a genesis file in one call, a proven balance, waiting for a transaction's receipt,
 * amounts parsed and formatted by a currency's decimals, and many signed transactions
 * submitted in one JSON-RPC batch.
 */
import { addressFromPublicKey, fromHex, isValidPublicKey, SovError, to0x, ValidatorSet, type Tx } from '../../core/index.js';
import type { SubmitView, TxView } from '../facade.js';
import { RpcCallError, type SovClient } from './client.js';
import { verifyRecord } from './verify.js';

/** What a client needs to check proven answers: the chain, its address prefix and the validator set it trusts. */
export interface TrustedChain {
  readonly chainId: string;
  readonly addressPrefix: string;
  readonly validators: ValidatorSet;
}

export class GenesisTrustError extends SovError {
  constructor(source: string, message: string) {
    super('RPC_BAD_GENESIS', `${source}: ${message}`, { source });
  }
}

/**
 * A file's text, through node:fs looked up only when a path is given (process.getBuiltinModule),
 * so that a browser bundle of the SDK carries no node:fs; there, pass the genesis as `{ json }`.
 */
async function readText(path: string): Promise<string> {
  const fs = globalThis.process?.getBuiltinModule?.('node:fs/promises');
  if (fs === undefined) throw new Error('no file system here: pass the genesis as { json }');
  return fs.readFile(path, 'utf8');
}

/**
 * The chain and genesis validator set of a genesis.json (text, or a path to read): its
 * chain_id, address_prefix and validators' public keys and powers, each checked (a valid
 * Ed25519 key, a positive power, no key twice). The file is the trust anchor: get it from
 * the jurisdiction and compare its hash out of band (`sov genesis validate`).
 */
export async function trustGenesis(genesis: { readonly path: string } | { readonly json: string }): Promise<TrustedChain> {
  const source = 'path' in genesis ? genesis.path : 'genesis.json';
  const bad = (m: string): never => {
    throw new GenesisTrustError(source, m);
  };
  let doc: { chain_id?: unknown; address_prefix?: unknown; validators?: unknown };
  try {
    doc = JSON.parse('json' in genesis ? genesis.json : await readText(genesis.path)) as typeof doc;
  } catch (e) {
    return bad(`not a readable JSON genesis (${(e as Error).message})`);
  }
  if (typeof doc?.chain_id !== 'string' || doc.chain_id === '') bad('no chain_id');
  if (typeof doc.address_prefix !== 'string' || doc.address_prefix === '') bad('no address_prefix');
  if (!Array.isArray(doc.validators) || doc.validators.length === 0) bad('no validators');
  const seen = new Set<string>();
  const members = (doc.validators as { public_key?: unknown; power?: unknown }[]).map((v, i) => {
    const hex = typeof v?.public_key === 'string' && /^[0-9a-f]{64}$/.test(v.public_key) ? v.public_key : bad(`validators[${i}].public_key is not 32 bytes of hex`);
    const publicKey = fromHex(hex);
    if (!isValidPublicKey(publicKey)) bad(`validators[${i}].public_key is not an Ed25519 key`);
    if (seen.has(hex)) bad(`validators[${i}].public_key appears twice`);
    seen.add(hex);
    if (!Number.isSafeInteger(v.power) || (v.power as number) < 1) bad(`validators[${i}].power is not a positive integer`);
    return { address: addressFromPublicKey(publicKey), publicKey, power: v.power as number };
  });
  return { chainId: doc.chain_id as string, addressPrefix: doc.address_prefix as string, validators: new ValidatorSet(members) };
}

export class AmountError extends SovError {
  constructor(message: string) {
    super('RPC_BAD_AMOUNT', message);
  }
}

/** "12.34" in a currency of `decimals` decimals as minor units (1234n); refuses more decimals than the currency has, signs and exponents. */
export function parseAmount(text: string, decimals: number): bigint {
  const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(text.trim().replace(/_/g, ''));
  if (m === null) throw new AmountError(`"${text}" is not an amount (digits, optionally a point and up to ${decimals} decimals)`);
  const frac = m[2] ?? '';
  if (frac.length > decimals) throw new AmountError(`"${text}" has ${frac.length} decimals; the currency has ${decimals}`);
  return BigInt(m[1]! + frac.padEnd(decimals, '0'));
}

/** Minor units as a decimal string with the currency's decimals (1234n, 2 -> "12.34"). */
export function formatAmount(minor: bigint, decimals: number): string {
  const neg = minor < 0n;
  const s = (neg ? -minor : minor).toString().padStart(decimals + 1, '0');
  const out = decimals === 0 ? s : `${s.slice(0, s.length - decimals)}.${s.slice(s.length - decimals)}`;
  return neg ? `-${out}` : out;
}

/**
 * An account's balance of `currency` in minor units. With `trust`, the answer is proven and
 * checked against the trusted validator set (VerifyError if it does not check out); without,
 * it is the node's word.
 */
export async function getBalance(client: SovClient, address: string, currency: string, trust?: TrustedChain): Promise<{ amount: bigint; height: number; verified: boolean }> {
  const query = { kind: 'balance', address, currency };
  const answer = await client.getRecord(query, { prove: trust !== undefined });
  if (trust === undefined) return { amount: BigInt((answer.value as { amount?: string } | null)?.amount ?? '0'), height: answer.height, verified: false };
  const v = verifyRecord(query, answer, { chainId: trust.chainId, addressPrefix: trust.addressPrefix, validators: trust.validators });
  return { amount: BigInt((v.value as { amount?: string } | null)?.amount ?? '0'), height: v.height, verified: true };
}

export class ReceiptTimeoutError extends SovError {
  constructor(hash: string, ms: number) {
    super('RPC_RECEIPT_TIMEOUT', `no receipt for ${hash} within ${ms} ms`, { hash });
  }
}

/** The transaction `hash` once it is committed (polling sov_getTransaction), or ReceiptTimeoutError after `timeoutMs` (default 60 s). */
export async function waitForReceipt(client: SovClient, hash: string, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<TxView> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await client.getTransaction(hash);
    } catch (e) {
      if (!(e instanceof RpcCallError) || e.rpcCode !== -32001) throw e;
    }
    if (Date.now() >= until) throw new ReceiptTimeoutError(hash, timeoutMs);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
}

/**
 * Submit many signed transactions in one JSON-RPC batch (the node's rpc.max_batch bounds
 * it); one result per transaction, in order: its SubmitView, or the RpcCallError it was
 * refused with.
 */
export async function sendTransactions(client: SovClient, txs: readonly (Tx | Uint8Array)[], wait = false): Promise<(SubmitView | RpcCallError)[]> {
  const hex = (t: Tx | Uint8Array) => to0x(t instanceof Uint8Array ? t : t.bytes);
  return client.batch<SubmitView>(txs.map((t) => ({ method: 'sov_sendTransaction', params: [hex(t), wait] })));
}
