/**
 * Checking an answer with nothing but a trusted validator set: a state record served with
 * `prove: true` is accepted only if (1) its key is the one the client asked for, (2) the
 * certificate is signed by more than 2/3 of the trusted set's power for the header's height
 * and hash (core verifyCommit), (3) the header is of this chain and height and names the
 * trusted set, and (4) the state proof of the stored bytes (or of absence) recomputes the
 * header's stateRoot (state verifyProof). The value returned is decoded here from the proven
 * bytes, never taken from the server's JSON.
 */
import { decode, equalBytes, fromHex, headerHash, SovError, verifyCommit, type ValidatorSet } from '../../core/index.js';
import { verifyProof } from '../../state/index.js';
import { recordSchemaOf, type Registry } from '../../vm/index.js';
import type { RecordQuery, RecordView } from '../facade.js';
import { commitFromView, headerFromView, recordKey, recordToJson } from '../records.js';

export class VerifyError extends SovError {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super('RPC_VERIFY_FAILED', message, meta);
  }
}

export interface VerifyOptions {
  chainId: string;
  addressPrefix: string;
  /** The validator set the client trusts for the answer's height. */
  validators: ValidatorSet;
  /** Also require header.validatorsHash to be the trusted set's hash (default true). */
  checkValidatorsHash?: boolean;
  /** The chain's module registry: its record kinds and schemas (the built-in modules by default). */
  modules?: Registry;
}

/** Verify a proven `sov_getRecord` answer for `query`; returns the proven value (JSON form, null if absent). Throws VerifyError. */
export function verifyRecord(query: RecordQuery, answer: RecordView, opts: VerifyOptions): { value: unknown; raw: Uint8Array | null; height: number } {
  const fail = (m: string): never => {
    throw new VerifyError(m, { kind: query.kind, height: answer?.height });
  };
  if (!answer?.proof) fail('the answer carries no proof');
  const p = answer.proof!;
  let key: Uint8Array;
  let raw: Uint8Array | null;
  let header;
  let commit;
  let proof;
  try {
    key = recordKey(query, opts.addressPrefix, opts.modules);
    raw = answer.raw === null ? null : fromHex(answer.raw);
    header = headerFromView(p.header);
    commit = commitFromView(p.commit);
    proof = fromHex(p.proof);
  } catch (e) {
    return fail(`malformed answer: ${(e as Error).message}`);
  }
  if (!equalBytes(fromHex(answer.key), key)) fail('the answer is for another key');
  if (header.chainId !== opts.chainId) fail(`header is of chain ${header.chainId}`);
  if (header.height !== answer.height) fail(`header is for height ${header.height}, the answer claims ${answer.height}`);
  if ((opts.checkValidatorsHash ?? true) && !equalBytes(header.validatorsHash, opts.validators.hash)) fail('header does not name the trusted validator set');
  try {
    verifyCommit(opts.chainId, commit, opts.validators, { height: header.height, blockHash: headerHash(header) });
  } catch (e) {
    fail(`commit certificate: ${(e as Error).message}`);
  }
  if (!verifyProof(header.stateRoot, key, raw, proof)) fail('state proof does not match the header\'s stateRoot');
  let value: unknown = null;
  if (raw !== null) {
    try {
      value = recordToJson(decode(recordSchemaOf(key, opts.modules)!.schema, raw), opts.addressPrefix);
    } catch (e) {
      fail(`proven bytes do not decode: ${(e as Error).message}`);
    }
  }
  return { value, raw, height: header.height };
}
