/**
 * JSON-RPC error codes. The -32700..-32600 range is JSON-RPC 2.0's own; the -32000 range is
 * this node's, stable, and listed in docs/rpc.md. An RpcError carries the code sent to the
 * client; `data` may carry the underlying SovError code.
 */
import { isSovError, SovError } from '../core/index.js';

export const RpcCodes = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  NOT_FOUND: -32001,
  TX_REJECTED: -32002,
  RATE_LIMITED: -32003,
  BATCH_TOO_LARGE: -32004,
  REQUEST_TOO_LARGE: -32005,
  UNAUTHORIZED: -32006,
  UNAVAILABLE: -32007,
  TIMEOUT: -32008,
  PRUNED: -32009,
} as const;

/** What each code means, for docs/rpc.md. */
export const RPC_CODE_MEANINGS: Record<keyof typeof RpcCodes, string> = {
  PARSE_ERROR: 'the body is not JSON',
  INVALID_REQUEST: 'not a JSON-RPC 2.0 request (or an empty batch, or JSON nested too deep)',
  METHOD_NOT_FOUND: 'no such method',
  INVALID_PARAMS: 'params missing, unknown or not matching the schema',
  INTERNAL_ERROR: 'a fault in the node (reported, never details)',
  NOT_FOUND: 'no such block, transaction, account or height',
  TX_REJECTED: 'the mempool refused the transaction; `data.code` says why: the vm\'s own rejection code (TX_UNKNOWN_SIGNER, TX_KEY_NOT_AUTHORIZED, TX_THRESHOLD_NOT_MET, TX_EXPIRY_TOO_FAR, TX_NONCE_REPLAYED, ...: docs/vm.md) or a MEMPOOL_* code (full, nonce already held)',
  RATE_LIMITED: 'over the rate limit (`data.retryAfterMs`: when to retry; HTTP 429 when no call ran), or a per-connection WebSocket limit',
  BATCH_TOO_LARGE: 'more calls in a batch than `[rpc] max_batch`',
  REQUEST_TOO_LARGE: 'a body over `[rpc] max_body_bytes` (HTTP 413)',
  UNAUTHORIZED: 'the method needs an API key with one of the roles in `data.roles`; or (HTTP 401) the API key presented matches no key',
  UNAVAILABLE: 'the node cannot serve this now (e.g. a subscription ended)',
  TIMEOUT: 'the call took too long',
  PRUNED: 'the height asked for is pruned on this node (`[storage] retain_state`, `retain_blocks`): `data.oldest` is the oldest height it keeps, `data.what` `state` or `block`, `data.height` the height asked for; an archive node (retain 0) has it',
};

export class RpcError extends SovError {
  constructor(
    readonly rpcCode: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(`RPC_${rpcCode}`, message, data === undefined ? {} : { data });
  }
}

/** The state layer's code for a pruned height (matched by its string: the client bundle imports this file, never state/). */
const STATE_PRUNED = 'STATE_PRUNED';

/** True for the state layer's STATE_PRUNED (a state version or a block older than this node keeps). */
export const isPrunedError = (e: unknown): e is SovError => isSovError(e) && e.code === STATE_PRUNED;

/**
 * The RPC answer to a pruned height: PRUNED, its message naming the oldest height kept, and
 * `data` { code, what, height, oldest } from the state layer's error.
 */
export function prunedError(e: SovError): RpcError {
  const { what, height, oldest } = e.meta as { what?: unknown; height?: unknown; oldest?: unknown };
  const kind = what === 'state' ? 'state versions' : 'blocks';
  const message = typeof oldest === 'number' ? `${e.message}: this node keeps ${kind} from height ${oldest} on; an archive node keeps every height` : e.message;
  return new RpcError(RpcCodes.PRUNED, message, { code: STATE_PRUNED, what: what ?? null, height: height ?? null, oldest: oldest ?? null });
}
