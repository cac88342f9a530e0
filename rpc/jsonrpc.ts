/**
 * JSON-RPC 2.0 message handling, independent of the transport: parse a request body (with
 * a nesting limit checked before JSON.parse), validate each call's envelope, run batches,
 * and shape responses. Never throws for any input. Error messages are escaped (core
 * `escapeText`): one that echoes a caller's input never carries its control or bidi characters.
 */
import { escapeText, isSovError } from '../core/index.js';
import { isPrunedError, prunedError, RpcCodes, RpcError } from './errors.js';
import type { Grant } from './limiter.js';
import type { MethodRegistry } from './registry.js';

export const MAX_JSON_DEPTH = 64;

export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: string | number | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** Deepest nesting of arrays and objects in JSON text, stopping early past `limit`. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > limit) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

export function errorResponse(id: JsonRpcResponse['id'], e: unknown): JsonRpcResponse {
  if (e instanceof RpcError) {
    return { jsonrpc: '2.0', id, error: { code: e.rpcCode, message: escapeText(e.message), ...(e.data !== undefined ? { data: e.data } : {}) } };
  }
  // A height this node pruned (state or block), from whichever read met it: PRUNED, naming the oldest kept.
  if (isPrunedError(e)) return errorResponse(id, prunedError(e));
  if (isSovError(e)) {
    // A typed error from below the RPC layer: bad input the client sent (e.g. undecodable bytes).
    return { jsonrpc: '2.0', id, error: { code: RpcCodes.INVALID_PARAMS, message: escapeText(e.message), data: { code: e.code } } };
  }
  return { jsonrpc: '2.0', id, error: { code: RpcCodes.INTERNAL_ERROR, message: 'internal error' } };
}

/** What a caller may do: its roles (checked per method), and its rate limit (one token per call). */
export interface CallGate {
  roles: readonly string[];
  /** Take tokens for `n` calls; the calls past the grant are answered RATE_LIMITED. */
  admit?: (n: number) => Grant;
  /** Calls already paid for before the body was read (HTTP takes the first token up front). */
  prepaid?: number;
}

export function rateLimited(retryAfterMs: number): RpcError {
  return new RpcError(RpcCodes.RATE_LIMITED, `rate limit exceeded; retry after ${retryAfterMs} ms`, { retryAfterMs });
}

function validId(id: unknown): id is string | number | null {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

/**
 * A result whose JSON text is already known (a head read answered from the node's cache):
 * `responseJson` splices `text` into the response instead of serializing a value again.
 * `toJSON` parses the text back, so any other JSON.stringify of it yields the same JSON.
 */
export class SerializedResult<T = unknown> {
  constructor(readonly text: string) {}

  toJSON(): T {
    return JSON.parse(this.text) as T;
  }
}

/** The JSON text of a response or a batch of them. */
export function responseJson(out: JsonRpcResponse | readonly JsonRpcResponse[]): string {
  if (Array.isArray(out)) return `[${out.map((r: JsonRpcResponse) => responseJson(r)).join(',')}]`;
  const r = out as JsonRpcResponse;
  if (r.result instanceof SerializedResult) return `{"jsonrpc":"2.0","id":${JSON.stringify(r.id)},"result":${r.result.text}}`;
  return JSON.stringify(r);
}

/** A value, or a promise of it: the read paths answer synchronously when they can (no microtask hops). */
export type MaybePromise<T> = T | Promise<T>;

function callOne<C>(registry: MethodRegistry<C>, ctx: C, req: unknown, roles: readonly string[], refusal: RpcError | null): MaybePromise<JsonRpcResponse | null> {
  if (typeof req !== 'object' || req === null || Array.isArray(req)) {
    return errorResponse(null, new RpcError(RpcCodes.INVALID_REQUEST, 'a request must be an object'));
  }
  const r = req as Record<string, unknown>;
  const hasId = 'id' in r;
  const id = hasId && validId(r.id) ? r.id : null;
  if (r.jsonrpc !== '2.0' || typeof r.method !== 'string' || (hasId && !validId(r.id))) {
    return errorResponse(id, new RpcError(RpcCodes.INVALID_REQUEST, 'not a JSON-RPC 2.0 request (jsonrpc "2.0", method string, id string/number/null)'));
  }
  if (refusal) return hasId ? errorResponse(id, refusal) : null;
  const ok = (result: unknown): JsonRpcResponse | null => (hasId ? { jsonrpc: '2.0', id, result: result === undefined ? null : result } : null);
  const failed = (e: unknown): JsonRpcResponse | null => (hasId ? errorResponse(id, e) : null);
  let result: unknown;
  try {
    result = registry.call(ctx, r.method, r.params, roles);
  } catch (e) {
    return failed(e);
  }
  return result instanceof Promise ? result.then(ok, failed) : ok(result);
}

/**
 * Handle one HTTP body or WebSocket message. Returns the response value to send, or null
 * when there is nothing to send (only notifications).
 */
export function handleJsonRpc<C>(
  registry: MethodRegistry<C>, ctx: C, text: string, maxBatch: number, gate: CallGate = { roles: [] },
): MaybePromise<JsonRpcResponse | JsonRpcResponse[] | null> {
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    return errorResponse(null, new RpcError(RpcCodes.INVALID_REQUEST, `JSON nested deeper than ${MAX_JSON_DEPTH}`));
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return errorResponse(null, new RpcError(RpcCodes.PARSE_ERROR, 'parse error: not valid JSON'));
  }
  if (Array.isArray(body)) {
    if (body.length === 0) return errorResponse(null, new RpcError(RpcCodes.INVALID_REQUEST, 'empty batch'));
    if (body.length > maxBatch) return errorResponse(null, new RpcError(RpcCodes.BATCH_TOO_LARGE, `batch of ${body.length} calls exceeds ${maxBatch}`));
    // Each call of a batch takes a token; the ones past the grant are refused. The calls run
    // together (the node coalesces, e.g., transaction admission); responses keep the order.
    const { allowed, refusal } = admit(gate, body.length);
    return Promise.all(body.map((req, i) => callOne(registry, ctx, req, gate.roles, i < allowed ? null : refusal))).then((results) => {
      const out = results.filter((r): r is JsonRpcResponse => r !== null);
      return out.length > 0 ? out : null;
    });
  }
  const { allowed, refusal } = admit(gate, 1);
  return callOne(registry, ctx, body, gate.roles, allowed >= 1 ? null : refusal);
}

function admit(gate: CallGate, calls: number): { allowed: number; refusal: RpcError | null } {
  const prepaid = Math.min(calls, gate.prepaid ?? 0);
  if (!gate.admit || prepaid >= calls) return { allowed: calls, refusal: null };
  const g = gate.admit(calls - prepaid);
  return { allowed: prepaid + g.granted, refusal: g.granted < calls - prepaid ? rateLimited(g.retryAfterMs) : null };
}
