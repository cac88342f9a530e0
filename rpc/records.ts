/**
 * Vm state records as the RPC names them, derived from the module registry: a `RecordQuery`
 * (a record kind, e.g. `balance`, plus its key fields by name, e.g. `address` and
 * `currency`) maps to exactly one vm state key, so a server reads and proves that key and a
 * client recomputes it and checks the proof against the key it asked for. Every record kind
 * of every module is served, with no table here to keep. Also the JSON form of decoded
 * records and headers/commits (bytes 0x-hex, bigints decimal strings, 20-byte fields
 * bech32m addresses), shared by the node and the SDK.
 */
import {
  decodeAddress, encodeAddress, fromHex, to0x, type Commit, type Header,
} from '../core/index.js';
import { BUILTIN, type Registry } from '../vm/index.js';
import { RpcCodes, RpcError } from './errors.js';
import type { CommitView, HeaderView, RecordQuery } from './facade.js';

/** Every record kind of `reg` and the key fields (by name, in key order) its key is built from. */
export function recordKinds(reg: Registry = BUILTIN): Readonly<Record<string, readonly string[]>> {
  return Object.freeze(Object.fromEntries(reg.records.map((r) => [r.name, r.spec.key.map((f) => f.name)])));
}

/** The record kinds of the built-in modules. */
export const RECORD_KINDS = recordKinds(BUILTIN);

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

const invalid = (message: string): RpcError => new RpcError(RpcCodes.INVALID_PARAMS, message);

/**
 * The vm state key of `q` under `reg`. Throws RpcError(INVALID_PARAMS) for an unknown kind,
 * a field the kind does not take, a missing field, a bad address, a text field not of its
 * form (a malformed currency code names no record: answering "absent" would read as a zero
 * balance).
 */
export function recordKey(q: RecordQuery, addressPrefix: string, reg: Registry = BUILTIN): Uint8Array {
  const r = reg.recordsByName.get(String(q.kind));
  if (r === undefined) throw invalid(`unknown record kind "${String(q.kind).slice(0, 32)}"`);
  const fields = r.spec.key;
  for (const k of Object.keys(q)) {
    if (k !== 'kind' && (q as Record<string, unknown>)[k] !== undefined && !fields.some((f) => f.name === k)) throw invalid(`record kind "${q.kind}" takes no "${k}"`);
  }
  const values = fields.map((f) => {
    const v = (q as Record<string, unknown>)[f.name];
    if (v === undefined) throw invalid(`record kind "${q.kind}" needs "${f.name}"`);
    switch (f.kind) {
      case 'address':
        if (typeof v !== 'string') throw invalid(`"${f.name}" must be an address`);
        try {
          return decodeAddressCached(v, addressPrefix);
        } catch (e) {
          throw invalid(`bad address: ${(e as Error).message}`);
        }
      case 'id':
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalid(`"${f.name}" must be a non-negative integer`);
        return v;
      default:
        if (typeof v !== 'string') throw invalid(`"${f.name}" must be a string`);
        if (f.pattern && !f.pattern.test(v)) throw invalid(`"${f.name}" must match ${f.pattern}, got ${JSON.stringify(v.slice(0, 32))}`);
        return v;
    }
  });
  return (r.spec.keyOf as (...a: unknown[]) => Uint8Array)(...values);
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
