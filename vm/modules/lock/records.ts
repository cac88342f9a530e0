/**
 * The lock module's records: conditional payments and their id counter.
 */
import { addressField, amount, bytes32, optional, struct, u8, uint, type Infer } from '../../../core/index.js';
import { record } from '../../keys.js';
import { field } from '../../module.js';
import { CounterSchema } from '../../records.js';
import { currencyCode } from '../money/records.js';

export const LockKind = { CLAIM: 0, ESCROW: 1, HTLC: 2 } as const;
export const LockStatus = { OPEN: 0, RELEASED: 1, REFUNDED: 2 } as const;
export const LockSchema = struct('Lock', {
  id: uint,
  kind: u8,
  currency: currencyCode,
  payer: addressField,
  payee: addressField,
  amount,
  arbiter: optional(addressField),
  hashlock: optional(bytes32),
  expiresAt: uint,
  status: u8,
});
export type Lock = Infer<typeof LockSchema>;

export const lockRecords = {
  lock: record(0x60, [field.id('id')], LockSchema, 'Lock [id, kind, currency, payer, payee, amount, arbiter?, hashlock?, expiresAt, status (0 open, 1 released, 2 refunded)]'),
  lock_seq: record(0x61, [], CounterSchema, 'Counter [next]: lock ids'),
};
export const LockKeys = { lock: lockRecords.lock.keyOf, lockSeq: lockRecords.lock_seq.keyOf };
