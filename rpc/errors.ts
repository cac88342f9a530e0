/**
 * JSON-RPC error codes. The -32700..-32600 range is JSON-RPC 2.0's own; the -32000 range is
 * this node's, stable, and listed in docs/rpc.md. An RpcError carries the code sent to the
 * client; `data` may carry the underlying SovError code.
 */
import { SovError } from '../core/index.js';

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
} as const;

export class RpcError extends SovError {
  constructor(
    readonly rpcCode: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(`RPC_${rpcCode}`, message, data === undefined ? {} : { data });
  }
}
