/**
 * Module `money`: sovereign money. Two-tier issuance (the issuer mints to commercial banks'
 * reserve accounts, a bank burns what it returns); transfers with a memo and a payment
 * reference; batch payouts of up to max_payout_recipients with a result per recipient;
 * tier policies and bank limits; pause; seizure with a legal reference. Every credit and
 * debit goes through its ledger (ledger.ts), which it offers to the other modules, so supply
 * is always the sum of balances. A stablecoin mint must keep supply within reserves (ramp).
 */
import { addressField, amount, list, optional, struct, u8, type Infer } from '../../../core/index.js';
import { code, defineModule, type GenesisStepContext } from '../../module.js';
import { fail } from '../../errors.js';
import type { Event } from '../../receipts.js';
import { runAction } from '../../actions.js';
import { AccountKeys, AccountSchema } from '../account/records.js';
import { Role } from '../gov/records.js';
import { hasRole } from '../gov/roles.js';
import { BankLimitSchema, currencyCode, CurrencySchema, MAX_TIERS, MoneyKeys, moneyRecords, TierPolicySchema } from './records.js';
import { credit } from './ledger.js';
import { MoneyEvents } from './events.js';
import { moneyMethods } from './methods.js';

const DAY_MS = 86_400_000;
const p = (value: number, min: number, max: number, governable: boolean, doc: string) => ({ value, min, max, governable, doc });

export const GenesisCurrencySchema = struct('GenesisCurrency', { code: currencyCode, decimals: u8, issuer: addressField, kind: u8, tiers: list(TierPolicySchema, MAX_TIERS) });
export const GenesisBalanceSchema = struct('GenesisBalance', { address: addressField, currency: currencyCode, amount });
export const GenesisBankLimitSchema = struct('GenesisBankLimit', { currency: currencyCode, bank: addressField, maxReserve: optional(amount), dailyOut: optional(amount) });

type GenesisCurrency = Infer<typeof GenesisCurrencySchema>;
type GenesisBalance = Infer<typeof GenesisBalanceSchema>;
type GenesisBankLimit = Infer<typeof GenesisBankLimitSchema>;

const ADDRESS_BYTES = 20;
const BALANCE = moneyRecords.balance.prefix;

export const moneyModule = defineModule({
  name: 'money',
  doc: 'Sovereign money: a CBDC and regulated stablecoins, issued two-tier, with tier policies, bank limits, transfers, batch payouts, pause and seizure; its ledger (debit and credit) is what every module moves funds through. '
    + "Payouts: each recipient is credited in its own nested checkpoint; a recipient that cannot be credited (unknown, frozen, over its holding limit without a link, zero amount, the payer itself) gets its code in the result and its amount stays with the payer; then the payer is debited the total actually paid, under its funds and limits, or the whole payout fails.",
  records: moneyRecords,
  codeRange: [500, 599],
  codes: {
    UNKNOWN_CURRENCY: code(500, 'no currency of that code'),
    CURRENCY_EXISTS: code(501, 'the currency is registered already'),
    CURRENCY_PAUSED: code(502, 'the currency is paused'),
    INSUFFICIENT_FUNDS: code(503, 'the balance (or grant) is too small'),
    HOLDING_LIMIT: code(504, 'the credit would exceed the holding limit (no linked account for the waterfall)'),
    PER_TX_LIMIT: code(505, "the amount exceeds the tier's per-transaction limit"),
    DAILY_LIMIT: code(506, 'the rolling daily limit would be exceeded'),
    ANNUAL_LIMIT: code(507, 'the rolling annual limit would be exceeded'),
    BANK_LIMIT: code(508, 'a bank limit (reserve cap or daily outflow) would be exceeded'),
    AMOUNT_OVERFLOW: code(509, 'a balance or supply would pass 2^128 - 1'),
    ZERO_AMOUNT: code(510, 'a zero amount (or nothing to pay)'),
    SELF_TRANSFER: code(511, 'paying oneself'),
    TIER_NOT_ALLOWED: code(512, "the currency has no policy for the account's tier"),
    NOT_ISSUER: code(513, 'the signer is not the issuer (or central bank) of the currency'),
    NOT_A_BANK: code(514, 'the target is not a commercial bank'),
    BAD_CURRENCY: code(515, 'bad decimals, kind, tier count, or too many currencies'),
    WRONG_CURRENCY_KIND: code(516, 'the operation needs a stablecoin'),
    TOO_MANY_RECIPIENTS: code(517, 'a payout over max_payout_recipients'),
    RESERVE_EXCEEDED: code(518, 'the mint would take supply beyond reserves'),
    BAD_LEVY: code(519, 'a payment hook levied a negative amount, or withheld more from the payee than the payment (a module bug: taxes never do)'),
  },
  params: {
    cost_recipient: p(20, 0, 1_000_000, true, 'work per batch-payout recipient, on top of its reads and writes'),
    max_payout_recipients: p(10_000, 1, 10_000, true, 'most recipients in one batch payout'),
    daily_window_ms: p(DAY_MS, 60_000, 30 * DAY_MS, false, 'length of the rolling daily window'),
    daily_window_buckets: p(24, 1, 1024, false, 'buckets of the daily window (its granularity)'),
    annual_window_ms: p(365 * DAY_MS, DAY_MS, 3650 * DAY_MS, false, 'length of the rolling annual window'),
    annual_window_buckets: p(73, 1, 1024, false, 'buckets of the annual window (5-day granularity by default)'),
  },
  events: MoneyEvents,
  methods: moneyMethods,
  genesis: {
    fields: {
      currencies: { position: 7, schema: list(GenesisCurrencySchema, 256), doc: 'currencies: code, decimals, issuer (holding the role for the kind), kind (1 CBDC, 2 stablecoin), tier policies' },
      balances: { position: 9, schema: list(GenesisBalanceSchema, 1_000_000), doc: 'initial balances, credited under the holding and bank limits; each adds to supply' },
      bankLimits: { position: 11, schema: list(GenesisBankLimitSchema, 4096), doc: "banks' limits per currency" },
    },
    steps: [
      {
        order: 40, name: 'currencies',
        run: async (g: GenesisStepContext) => {
          for (const [i, c] of (g.doc.currencies as GenesisCurrency[]).entries()) await g.step(`currencies[${i}]`, () => runAction(g.ctx, 'register_currency', c));
        },
      },
      {
        order: 70, name: 'bankLimits',
        run: async (g: GenesisStepContext) => {
          for (const [i, l] of (g.doc.bankLimits as GenesisBankLimit[]).entries()) {
            await g.step(`bankLimits[${i}]`, async () => {
              if ((await g.ctx.get(CurrencySchema, MoneyKeys.currency(l.currency))) === undefined) fail('UNKNOWN_CURRENCY', l.currency);
              if (!(await hasRole(g.ctx, l.bank, Role.COMMERCIAL_BANK))) fail('NOT_A_BANK', 'not a commercial bank');
              g.ctx.put(BankLimitSchema, MoneyKeys.bankLimit(l.bank, l.currency), { maxReserve: l.maxReserve, dailyOut: l.dailyOut });
            });
          }
        },
      },
      {
        order: 80, name: 'balances',
        run: async (g: GenesisStepContext) => {
          for (const [i, b] of (g.doc.balances as GenesisBalance[]).entries()) {
            await g.step(`balances[${i}]`, async () => {
              const cur = await g.ctx.get(CurrencySchema, MoneyKeys.currency(b.currency));
              if (cur === undefined) fail('UNKNOWN_CURRENCY', b.currency);
              const acct = await g.ctx.get(AccountSchema, AccountKeys.account(b.address));
              if (acct === undefined) fail('ACCOUNT_NOT_FOUND', 'no such account');
              // Initial balances respect holding limits and bank limits like any credit.
              await credit(g.ctx, cur, b.address, acct, b.amount, { limits: true, waterfall: false });
              g.ctx.put(CurrencySchema, MoneyKeys.currency(b.currency), { ...cur, supply: cur.supply + b.amount });
            });
          }
        },
      },
    ],
  },
  /** The owner of every balance the transaction wrote (a payee, a minted-to or paid-out account), in write order. */
  concerns: (written: readonly Uint8Array[], _events: readonly Event[]) => {
    const out: Uint8Array[] = [];
    for (const k of written) if (k[0] === BALANCE && k.length > 1 + ADDRESS_BYTES) out.push(k.subarray(1, 1 + ADDRESS_BYTES));
    return out;
  },
});

export * from './records.js';
export * from './events.js';
export { TransferArgs, PayoutItem, PayoutArgs, MintArgs, BurnArgs, SetTierPolicyArgs, SetBankLimitArgs, PauseArgs, SeizeArgs, PayoutResult, mintTo } from './methods.js';
export { balanceOf, credit, debit, idiv, tierPolicy, type CreditOptions, type CreditResult, type DebitOptions } from './ledger.js';
export { getCurrency, liveCurrency, supplyAfter } from './currencies.js';
