/**
 * checkTx: the mempool's admission check against committed state: decode, authenticate
 * (auth.ts; a nonce ahead of the account's next is accepted when `allowFutureNonce`), and
 * optionally that the module method exists and its args decode. Returns a typed verdict,
 * never throws for bad input.
 */
import { decode, isSovError, Tx } from '../core/index.js';
import { VmCodes, VmError, type VmCode } from './errors.js';
import { authenticate, type AuthOptions } from './auth.js';
import { loadParams } from './params.js';
import { findMethod, type ModuleRegistry } from './module.js';
import { AccountSchema } from './records.js';
import { Keys } from './keys.js';
import type { StateReader } from './state.js';
import { MODULES } from './modules/index.js';

export interface CheckOptions extends AuthOptions {
  /** Also refuse unknown methods and malformed args (they would only fail in a block). */
  readonly checkArgs?: boolean;
  readonly modules?: ModuleRegistry;
}

export type CheckResult =
  | { readonly ok: true; readonly tx: Tx; /** The nonce is ahead of the account's next one. */ readonly queued: boolean }
  | { readonly ok: false; readonly code: VmCode; readonly num: number; readonly message: string };

const no = (code: VmCode, message: string): CheckResult => ({ ok: false, code, num: VmCodes[code], message });

export async function checkTx(state: StateReader, at: { chainId: string; height: number }, input: Tx | Uint8Array, opts: CheckOptions = {}): Promise<CheckResult> {
  let tx: Tx;
  try {
    tx = input instanceof Tx ? input : Tx.decode(input);
  } catch (e) {
    if (isSovError(e)) return no('TX_MALFORMED', e.message);
    throw e;
  }
  const params = await loadParams(state);
  const raw = await state.get(Keys.account(tx.signer));
  let account;
  try {
    account = authenticate({ ...at, params }, tx, raw === undefined ? undefined : decode(AccountSchema, raw), opts);
  } catch (e) {
    if (e instanceof VmError) return no(e.code as VmCode, e.message);
    throw e;
  }
  if (opts.checkArgs) {
    const m = findMethod(opts.modules ?? MODULES, tx.body.module, tx.body.method);
    if (m === 'no-module') return no('UNKNOWN_MODULE', `no module "${tx.body.module}"`);
    if (m === 'no-method') return no('UNKNOWN_METHOD', `no method "${tx.body.method}"`);
    try {
      decode(m.args, tx.body.args);
    } catch (e) {
      if (isSovError(e)) return no('MALFORMED_ARGS', e.message);
      throw e;
    }
  }
  return { ok: true, tx, queued: tx.nonce > account.nonce };
}
