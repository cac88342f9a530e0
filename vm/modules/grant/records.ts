/**
 * The grant module's records: purpose-bound, expiring funds and their id counter.
 */
import { addressField, amount, str, struct, uint, type Infer } from '../../../core/index.js';
import { record } from '../../keys.js';
import { field } from '../../module.js';
import { CounterSchema } from '../../records.js';
import { currencyCode } from '../money/records.js';

export const GrantSchema = struct('Grant', {
  id: uint,
  currency: currencyCode,
  grantor: addressField,
  holder: addressField,
  category: str(32),
  expiresAt: uint,
  /** Still spendable (also the balance of the grant's escrow address). */
  remaining: amount,
});
export type Grant = Infer<typeof GrantSchema>;

export const grantRecords = {
  grant: record(0x70, [field.id('id')], GrantSchema, 'Grant [id, currency, grantor, holder, category, expiresAt, remaining]'),
  grant_seq: record(0x71, [], CounterSchema, 'Counter [next]: grant ids'),
};
export const GrantKeys = { grant: grantRecords.grant.keyOf, grantSeq: grantRecords.grant_seq.keyOf };
