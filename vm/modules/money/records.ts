/**
 * The money module's records: currencies with their tier policies, balances, rolling-window
 * usage, banks' limits, and the list of every currency.
 */
import { addressField, amount, bool, list, optional, str, struct, u8, uint, type Infer } from '../../../core/index.js';
import { record } from '../../keys.js';
import { field } from '../../module.js';

export const CURRENCY_CODE_RE = /^[A-Z][A-Z0-9]{1,11}$/;
export const currencyCode = str(12, CURRENCY_CODE_RE);
export const MAX_TIERS = 8;
export const MAX_DECIMALS = 18;
export const MAX_CURRENCIES = 256;

export const CurrencyKind = { CBDC: 1, STABLECOIN: 2 } as const;

/** Limits of one KYC tier for one currency; null is "no limit". */
export const TierPolicySchema = struct('TierPolicy', {
  holdingLimit: optional(amount),
  perTxLimit: optional(amount),
  dailyLimit: optional(amount),
  annualLimit: optional(amount),
});
export type TierPolicy = Infer<typeof TierPolicySchema>;

export const CurrencySchema = struct('Currency', {
  code: currencyCode,
  decimals: u8,
  issuer: addressField,
  kind: u8,
  paused: bool,
  supply: amount,
  /** tiers[i] is the policy of KYC tier i + 1. */
  tiers: list(TierPolicySchema, MAX_TIERS),
});
export type Currency = Infer<typeof CurrencySchema>;

export const BalanceSchema = struct('Balance', { amount });

export const CurrencyListSchema = struct('CurrencyList', { codes: list(currencyCode, MAX_CURRENCIES) });

const bucket = struct('UsageBucket', { index: uint, amount });
export const UsageSchema = struct('Usage', { daily: list(bucket, 1024), annual: list(bucket, 1024) });
export type Usage = Infer<typeof UsageSchema>;
export type UsageBucket = Infer<typeof bucket>;

export const BankLimitSchema = struct('BankLimit', { maxReserve: optional(amount), dailyOut: optional(amount) });
export type BankLimit = Infer<typeof BankLimitSchema>;

const cur = field.text('currency', CURRENCY_CODE_RE);
export const moneyRecords = {
  currency: record(0x20, [cur], CurrencySchema, 'Currency [code, decimals, issuer, kind, paused, supply, tiers [TierPolicy]]'),
  balance: record(0x21, [field.address('address'), cur], BalanceSchema, 'Balance [amount] (absent when zero)'),
  usage: record(0x22, [field.address('address'), cur], UsageSchema, 'Usage [daily [[index, amount]], annual [[index, amount]]]: rolling-window spend buckets'),
  bank_limit: record(0x23, [field.address('address'), cur], BankLimitSchema, 'BankLimit [maxReserve?, dailyOut?] of a bank (the address) in a currency'),
  currency_list: record(0x24, [], CurrencyListSchema, 'CurrencyList [codes]: every registered currency, in registration order (at most 256)'),
};
export const MoneyKeys = {
  currency: moneyRecords.currency.keyOf,
  balance: moneyRecords.balance.keyOf,
  usage: moneyRecords.usage.keyOf,
  bankLimit: moneyRecords.bank_limit.keyOf,
  currencyList: moneyRecords.currency_list.keyOf,
};
