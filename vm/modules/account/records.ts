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

export const accountRecords = {
  account: record(0x10, [field.address('address')], AccountSchema, 'Account [keys, threshold, nonce, kind, status, tier, bank?, linkedRef?, category]'),
};
export const AccountKeys = { account: accountRecords.account.keyOf };
