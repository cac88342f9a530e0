/**
 * The ramp module's records: bank references used once, stablecoin reserves, off-ramp
 * payouts, and banks' virtual accounts.
 */
import { addressField, amount, bytes32, str, struct, u8, uint, type Infer } from '../../../core/index.js';
import { record } from '../../keys.js';
import { field } from '../../module.js';
import { CounterSchema } from '../../records.js';
import { CURRENCY_CODE_RE, currencyCode } from '../money/records.js';

export const UsedReferenceSchema = struct('UsedReference', { height: uint, txHash: bytes32 });

export const ReserveSchema = struct('Reserve', { attested: amount, depositsInFlight: amount, payoutsInFlight: amount, attestedAt: uint });
export type Reserve = Infer<typeof ReserveSchema>;

export const PayoutStatus = { PENDING: 0, PAID: 1, FAILED: 2 } as const;
export const PayoutSchema = struct('Payout', {
  id: uint,
  currency: currencyCode,
  holder: addressField,
  bank: addressField,
  bankAccountId: str(64),
  amount,
  status: u8,
});
export type Payout = Infer<typeof PayoutSchema>;

export const VirtualAccountSchema = struct('VirtualAccount', { bankAccountId: str(64), account: addressField });
export type VirtualAccount = Infer<typeof VirtualAccountSchema>;

export const rampRecords = {
  bank_ref: record(0x50, [field.address('bank'), field.hashedText('reference')], UsedReferenceSchema, 'UsedReference [height, txHash]: a bank reference already used'),
  reserve: record(0x51, [field.text('currency', CURRENCY_CODE_RE)], ReserveSchema, 'Reserve [attested, depositsInFlight, payoutsInFlight, attestedAt]'),
  payout: record(0x52, [field.id('id')], PayoutSchema, 'Payout [id, currency, holder, bank, bankAccountId, amount, status (0 pending, 1 paid, 2 failed)]'),
  payout_seq: record(0x53, [], CounterSchema, 'Counter [next]: payout ids'),
  virtual_account: record(0x54, [field.address('bank'), field.hashedText('bankAccountId')], VirtualAccountSchema, 'VirtualAccount [bankAccountId, account]'),
};
export const RampKeys = {
  bankRef: rampRecords.bank_ref.keyOf,
  reserve: rampRecords.reserve.keyOf,
  payout: rampRecords.payout.keyOf,
  payoutSeq: rampRecords.payout_seq.keyOf,
  virtualAccount: rampRecords.virtual_account.keyOf,
};
