/**
 * Admission: the vm's own authentication (auth.ts) as a node runs it before it holds a
 * transaction, so that nothing the vm would reject is ever held, relayed or proposed.
 * `admissionProblem` checks a decoded transaction against its signer's account in the
 * latest committed state, as the next block would (its height is the head's + 1), except
 * that a nonce ahead of the account's next one may wait (the mempool queues it) and the
 * signatures may be checked apart (the node's worker threads do, then mark them verified).
 * `checkTx` is the same check for callers with bytes and a state at hand: decode, read,
 * authenticate, and optionally the method and its args. Both answer bad input with a typed
 * verdict and never throw for it.
 */
import { decode, decodeTrusted, isSovError, Tx } from '../core/index.js';
import { codeNumber, VmError, type VmCode } from './errors.js';
import { authenticate, type AuthOptions } from './auth.js';
import { loadParams, type Params } from './params.js';
import { findMethod, type Registry } from './registry.js';
import { AccountKeys, AccountSchema, type Account } from './modules/account/records.js';
import { mapMaybe, type MaybePromise, type StateReader } from './state.js';
import { BUILTIN } from './builtin.js';

/** The signer's account in `state` (undefined when there is none); at once when the read is. */
export function readAccount(state: StateReader, signer: Uint8Array): MaybePromise<Account | undefined> {
  return mapMaybe(state.get(AccountKeys.account(signer)), (raw) => (raw === undefined ? undefined : decodeTrusted(AccountSchema, raw)));
}

export interface AdmissionInput {
  readonly chainId: string;
  /** The height of the block the transaction would be in: the latest committed height + 1. */
  readonly height: number;
  readonly params: Params;
}

/**
 * Why the vm would reject `tx` from a block at `at.height` on this state (a VmError with its
 * TX_* code), or null. `queue` admits a nonce above the account's next one; `signaturesChecked`
 * skips the curve arithmetic only (every other check of authenticate runs).
 */
export function admissionProblem(at: AdmissionInput, tx: Tx, account: Account | undefined, opts: { queue: boolean; signaturesChecked: boolean }): VmError | null {
  try {
    authenticate(at, tx, account, { allowFutureNonce: opts.queue, signaturesVerified: opts.signaturesChecked });
    return null;
  } catch (e) {
    if (e instanceof VmError) return e;
    throw e;
  }
}

export interface CheckOptions extends Pick<AuthOptions, 'signaturesVerified' | 'allowFutureNonce'> {
  /** Also refuse unknown methods and malformed args (they would only fail in a block). */
  readonly checkArgs?: boolean;
  readonly modules?: Registry;
}

export type CheckResult =
  | { readonly ok: true; readonly tx: Tx; /** The nonce is ahead of the account's next one. */ readonly queued: boolean }
  | { readonly ok: false; readonly code: VmCode; readonly num: number; readonly message: string };

const no = (code: VmCode, message: string): CheckResult => ({ ok: false, code, num: codeNumber(code)!, message });

/** Decode and authenticate `input` against `state` as a block at `at.height` would. */
export async function checkTx(state: StateReader, at: { chainId: string; height: number }, input: Tx | Uint8Array, opts: CheckOptions = {}): Promise<CheckResult> {
  let tx: Tx;
  try {
    tx = input instanceof Tx ? input : Tx.decode(input);
  } catch (e) {
    if (isSovError(e)) return no('TX_MALFORMED', e.message);
    throw e;
  }
  const params = await loadParams(state, opts.modules ?? BUILTIN);
  const account = await readAccount(state, tx.signer);
  const problem = admissionProblem({ ...at, params }, tx, account, { queue: opts.allowFutureNonce === true, signaturesChecked: opts.signaturesVerified === true });
  if (problem) return no(problem.code as VmCode, problem.message);
  if (opts.checkArgs) {
    const m = findMethod(opts.modules ?? BUILTIN, tx.body.module, tx.body.method);
    if (m === 'no-module') return no('UNKNOWN_MODULE', `no module "${tx.body.module}"`);
    if (m === 'no-method') return no('UNKNOWN_METHOD', `no method "${tx.body.method}"`);
    try {
      decode(m.args, tx.body.args);
    } catch (e) {
      if (isSovError(e)) return no('MALFORMED_ARGS', e.message);
      throw e;
    }
  }
  return { ok: true, tx, queued: tx.nonce > account!.nonce };
}
