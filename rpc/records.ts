/**
 * Vm state records as the RPC names them: a `RecordQuery` (kind plus address, currency code,
 * id or name) maps to exactly one vm state key (vm `Keys`), so a server reads and proves that
 * key and a client recomputes it and checks the proof against the key it asked for. Also the
 * JSON form of decoded records and headers/commits (bytes 0x-hex, bigints decimal strings,
 * 20-byte fields bech32m addresses), shared by the node and the SDK.
 */
import {
  decodeAddress, encodeAddress, fromHex, to0x, type Commit, type Header,
} from '../core/index.js';
import { CURRENCY_CODE_RE, Keys } from '../vm/index.js';
import { RpcCodes, RpcError } from './errors.js';
import type { CommitView, HeaderView, RecordQuery } from './facade.js';

type Need = 'address' | 'currency' | 'id' | 'name';
/** Every record kind the RPC serves, and the fields its key is built from. */
export const RECORD_KINDS: Readonly<Record<string, readonly Need[]>> = Object.freeze({
  account: ['address'],
  institution: ['address'],
  balance: ['address', 'currency'],
  usage: ['address', 'currency'],
  bank_limit: ['address', 'currency'],
  currency: ['currency'],
  reserve: ['currency'],
  currency_list: [],
  council: [],
  validators: [],
  chain: [],
  param: ['name'],
  proposal: ['id'],
  payout: ['id'],
  lock: ['id'],
  grant: ['id'],
});

function need<T>(q: RecordQuery, f: Need): T {
  const v = q[f];
  if (v === undefined) throw new RpcError(RpcCodes.INVALID_PARAMS, `record kind "${q.kind}" needs "${f}"`);
  return v as T;
}

/** Recently decoded addresses (RPC clients ask about the same accounts again and again; bech32m's checksum is the costly part). */
const addressCaches = new Map<string, Map<string, Uint8Array>>();
const ADDRESS_CACHE_ENTRIES = 10_000;

function decodeAddressCached(address: string, prefix: string): Uint8Array {
  let cache = addressCaches.get(prefix);
  if (cache === undefined) addressCaches.set(prefix, (cache = new Map()));
  const hit = cache.get(address);
  if (hit) return hit;
  const bytes = decodeAddress(address, prefix);
  if (cache.size >= ADDRESS_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(address, bytes);
  return bytes;
}

/** The vm state key of `q`. Throws RpcError(INVALID_PARAMS) for an unknown kind, a missing field or a bad address. */
export function recordKey(q: RecordQuery, addressPrefix: string): Uint8Array {
  const fields = RECORD_KINDS[q.kind];
  if (!fields || !Object.hasOwn(RECORD_KINDS, q.kind)) throw new RpcError(RpcCodes.INVALID_PARAMS, `unknown record kind "${String(q.kind).slice(0, 32)}"`);
  for (const f of ['address', 'currency', 'id', 'name'] as const) {
    if (q[f] !== undefined && !fields.includes(f)) throw new RpcError(RpcCodes.INVALID_PARAMS, `record kind "${q.kind}" takes no "${f}"`);
  }
  const addr = (): Uint8Array => {
    try {
      return decodeAddressCached(need<string>(q, 'address'), addressPrefix);
    } catch (e) {
      if (e instanceof RpcError) throw e;
      throw new RpcError(RpcCodes.INVALID_PARAMS, `bad address: ${(e as Error).message}`);
    }
  };
  const cur = (): string => {
    const code = need<string>(q, 'currency');
    // A malformed code names no record: answering "absent" would read as a zero balance.
    if (typeof code !== 'string' || !CURRENCY_CODE_RE.test(code)) {
      throw new RpcError(RpcCodes.INVALID_PARAMS, `"currency" must be a currency code (2..12 of A-Z 0-9, starting with a letter), got ${JSON.stringify(String(code).slice(0, 32))}`);
    }
    return code;
  };
  const id = (): number => need<number>(q, 'id');
  switch (q.kind) {
    case 'account': return Keys.account(addr());
    case 'institution': return Keys.institution(addr());
    case 'balance': return Keys.balance(addr(), cur());
    case 'usage': return Keys.usage(addr(), cur());
    case 'bank_limit': return Keys.bankLimit(addr(), cur());
    case 'currency': return Keys.currency(cur());
    case 'reserve': return Keys.reserve(cur());
    case 'currency_list': return Keys.currencyList();
    case 'council': return Keys.council();
    case 'validators': return Keys.validators();
    case 'chain': return Keys.chain();
    case 'param': return Keys.param(need<string>(q, 'name'));
    case 'proposal': return Keys.proposal(id());
    case 'payout': return Keys.payout(id());
    case 'lock': return Keys.lock(id());
    default: return Keys.grant(id());
  }
}

/** A decoded record as JSON: bigint -> decimal string, 20 bytes -> bech32m address, other bytes -> 0x-hex. */
export function recordToJson(v: unknown, addressPrefix: string): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return v.length === 20 ? encodeAddress(addressPrefix, v) : to0x(v);
  if (Array.isArray(v)) return v.map((x) => recordToJson(x, addressPrefix));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) out[k] = recordToJson(o[k], addressPrefix);
    return out;
  }
  return v === undefined ? null : v;
}

export function headerToView(h: Header): HeaderView {
  return {
    version: h.version, chainId: h.chainId, height: h.height, time: h.time, lastBlockHash: to0x(h.lastBlockHash), lastCommitHash: to0x(h.lastCommitHash),
    txRoot: to0x(h.txRoot), txCount: h.txCount, stateRoot: to0x(h.stateRoot), resultsRoot: to0x(h.resultsRoot), validatorsHash: to0x(h.validatorsHash),
    nextValidatorsHash: to0x(h.nextValidatorsHash), evidenceHash: to0x(h.evidenceHash), proposer: to0x(h.proposer),
  };
}

export function headerFromView(v: HeaderView): Header {
  return {
    version: v.version, chainId: v.chainId, height: v.height, time: v.time, lastBlockHash: fromHex(v.lastBlockHash, 32), lastCommitHash: fromHex(v.lastCommitHash, 32),
    txRoot: fromHex(v.txRoot, 32), txCount: v.txCount, stateRoot: fromHex(v.stateRoot, 32), resultsRoot: fromHex(v.resultsRoot, 32), validatorsHash: fromHex(v.validatorsHash, 32),
    nextValidatorsHash: fromHex(v.nextValidatorsHash, 32), evidenceHash: fromHex(v.evidenceHash, 32), proposer: fromHex(v.proposer, 20),
  };
}

export const commitToView = (c: Commit): CommitView => ({
  height: c.height, round: c.round, blockHash: to0x(c.blockHash), signatures: c.signatures.map((s) => ({ validator: to0x(s.validator), signature: to0x(s.signature) })),
});

export const commitFromView = (v: CommitView): Commit => ({
  height: v.height, round: v.round, blockHash: fromHex(v.blockHash, 32), signatures: v.signatures.map((s) => ({ validator: fromHex(s.validator, 20), signature: fromHex(s.signature, 64) })),
});
