/**
 * The money module's events (what wallets and banks see in receipts and subscriptions).
 */
import { addressField, amount, bool, optional, str, struct, u8, u32 } from '../../../core/index.js';
import { event } from '../../module.js';
import { currencyCode } from './records.js';

const memo = str(140);
const reference = str(64);
const legalRef = str(128);

export const TransferEvent = struct('TransferEvent', { currency: currencyCode, from: addressField, to: addressField, amount, memo, reference });
export const PayoutEvent = struct('PayoutEvent', { currency: currencyCode, from: addressField, recipients: u32, failed: u32, paid: amount, memo, reference });
export const SupplyEvent = struct('SupplyEvent', { currency: currencyCode, account: addressField, amount, supply: amount, reference });
export const PolicyEvent = struct('PolicyEvent', { currency: currencyCode, tier: u8, by: addressField });
export const BankLimitEvent = struct('BankLimitEvent', { currency: currencyCode, bank: addressField, maxReserve: optional(amount), dailyOut: optional(amount) });
export const PauseEvent = struct('PauseEvent', { currency: currencyCode, paused: bool, legalRef, by: addressField });
export const SeizeEvent = struct('SeizeEvent', { currency: currencyCode, from: addressField, to: addressField, amount, legalRef, by: addressField });
export const WaterfallEvent = struct('Waterfall', { currency: str(12), account: addressField, bank: addressField, linkedRef: str(64), amount });

export const MoneyEvents = {
  transfer: event('money', 'transfer', TransferEvent, 'a payment: currency, from, to, amount, memo, reference'),
  payout: event('money', 'payout', PayoutEvent, 'a batch payout: recipients, how many failed, the total paid'),
  minted: event('money', 'minted', SupplyEvent, 'money issued to an account, with the supply after'),
  burned: event('money', 'burned', SupplyEvent, 'money returned by a bank, with the supply after'),
  waterfall: event('money', 'waterfall', WaterfallEvent, "the excess over a holding limit went to the account's bank, to credit its linked account"),
  tier_policy: event('money', 'tier_policy', PolicyEvent, "a tier's limits changed"),
  bank_limit: event('money', 'bank_limit', BankLimitEvent, "a bank's limits changed"),
  paused: event('money', 'paused', PauseEvent, 'a currency paused or resumed'),
  seized: event('money', 'seized', SeizeEvent, 'funds seized under a legal reference'),
};
