/**
 * What other modules ask of accounts: load one (ACCOUNT_NOT_FOUND), require it active
 * (ACCOUNT_FROZEN, ACCOUNT_CLOSED), check a key list and threshold, and the address a new
 * account gets (that of its first key).
 */
import { addressFromPublicKey, equalBytes, isValidPublicKey, toHex } from '../../../core/index.js';
import { fail } from '../../errors.js';
import type { TxContext } from '../../context.js';
import { mapMaybe, type MaybePromise } from '../../state.js';
import { AccountKeys, AccountSchema, AccountStatus, MAX_ACCOUNT_KEYS, type Account } from './records.js';

export function getAccount(ctx: TxContext, addr: Uint8Array): MaybePromise<Account> {
  return mapMaybe(ctx.get(AccountSchema, AccountKeys.account(addr)), (a) => {
    if (a === undefined) fail('ACCOUNT_NOT_FOUND', `no account ${toHex(addr)}`);
    return a;
  });
}

export function requireActive(a: Account, addr: Uint8Array): void {
  if (a.status === AccountStatus.FROZEN) fail('ACCOUNT_FROZEN', `account ${toHex(addr)} is frozen`);
  if (a.status === AccountStatus.CLOSED) fail('ACCOUNT_CLOSED', `account ${toHex(addr)} is closed`);
}

/** Check a key list and threshold for an account. */
export function checkKeys(keys: readonly Uint8Array[], threshold: number): void {
  if (keys.length === 0 || keys.length > MAX_ACCOUNT_KEYS) fail('BAD_KEYS', `an account holds 1..${MAX_ACCOUNT_KEYS} keys`);
  for (let i = 0; i < keys.length; i++) {
    if (!isValidPublicKey(keys[i]!)) fail('BAD_KEYS', `key ${i} is not a valid Ed25519 public key`, { index: i });
    for (let j = 0; j < i; j++) if (equalBytes(keys[i]!, keys[j]!)) fail('BAD_KEYS', `key ${i} repeats key ${j}`, { index: i });
  }
  if (threshold < 1 || threshold > keys.length) fail('BAD_THRESHOLD', `threshold must be 1..${keys.length}`);
}

/** The address of a new account: that of its first key. */
export function addressOfKeys(keys: readonly Uint8Array[]): Uint8Array {
  return addressFromPublicKey(keys[0]!);
}
