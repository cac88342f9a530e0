/**
 * The account module's record: an account of an institution, a person or a business.
 */
import { addressField, list, optional, publicKeyField, str, struct, u8, uint, type Infer } from '../../../core/index.js';
import { record } from '../../keys.js';
import { field } from '../../module.js';

export const MAX_ACCOUNT_KEYS = 8;
export const AccountKind = { INSTITUTION: 1, PERSON: 2, BUSINESS: 3 } as const;
export const AccountStatus = { ACTIVE: 0, FROZEN: 1, CLOSED: 2 } as const;

export const AccountSchema = struct('Account', {
  keys: list(publicKeyField, MAX_ACCOUNT_KEYS),
  threshold: u8,
  nonce: uint,
  kind: u8,
  status: u8,
  /** KYC tier (1..), 0 for institutions. */
  tier: u8,
  /** The bank that opened the account (null for institutions). */
  bank: optional(addressField),
  /** The linked bank account reference the waterfall credits (null: no link). */
  linkedRef: optional(str(64)),
  /** The account's category (merchant category for purpose-bound funds), or "". */
  category: str(32),
});
export type Account = Infer<typeof AccountSchema>;

/** Most key sets an account's history keeps (the oldest go first). */
export const MAX_KEY_EPOCHS = 64;
/** One key set of an account and the block time from which it held it (0: since the account was opened). */
export const KeyEpochSchema = struct('KeyEpoch', { keys: list(publicKeyField, MAX_ACCOUNT_KEYS), threshold: u8, since: uint, height: uint });
export type KeyEpoch = Infer<typeof KeyEpochSchema>;
/** Every key set an account has held, oldest first: written at its first rotation or recovery, so a signature made before one still verifies against the key of its time. */
export const KeyHistorySchema = struct('KeyHistory', { epochs: list(KeyEpochSchema, MAX_KEY_EPOCHS) });
export type KeyHistory = Infer<typeof KeyHistorySchema>;

export const accountRecords = {
  account: record(0x10, [field.address('address')], AccountSchema, 'Account [keys, threshold, nonce, kind, status, tier, bank?, linkedRef?, category]'),
  key_history: record(0x12, [field.address('address')], KeyHistorySchema, 'KeyHistory [epochs [[keys, threshold, since (block time; 0: since opened), height]]]: every key set the account held, absent until its first rotation'),
};
export const AccountKeys = { account: accountRecords.account.keyOf, keyHistory: accountRecords.key_history.keyOf };

/**
 * Whether `publicKey` was one of the account's keys for a signature anchored at `height`:
 * in the key set in force after the blocks before it, or in a set installed in that very
 * block (a rotation in the same block may come before or after). Without a history, the
 * account's keys are the ones it was opened with.
 */
export function heldKeyAt(acct: Account, history: KeyHistory | undefined, publicKey: Uint8Array, height: number): boolean {
  const has = (keys: readonly Uint8Array[]): boolean => keys.some((k) => k.length === publicKey.length && k.every((b, i) => b === publicKey[i]));
  if (history === undefined || history.epochs.length === 0) return has(acct.keys);
  let before: KeyEpoch | null = null;
  for (const e of history.epochs) {
    if (e.height < height) before = e;
    else if (e.height === height && has(e.keys)) return true;
  }
  return before !== null && has(before.keys);
}

/** Whether `publicKey` was ever one of the account's keys (as far as its history goes). */
export function everHeldKey(acct: Account, history: KeyHistory | undefined, publicKey: Uint8Array): boolean {
  const has = (keys: readonly Uint8Array[]): boolean => keys.some((k) => k.length === publicKey.length && k.every((b, i) => b === publicKey[i]));
  return has(acct.keys) || (history?.epochs.some((e) => has(e.keys)) ?? false);
}
