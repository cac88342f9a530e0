/**
 * Module `ramp`: banks' on- and off-ramps for stablecoins, and virtual accounts.
 * - A commercial bank maps its own account identifiers to ledger accounts (virtual accounts).
 * - On-ramp: a bank attests a customer's deposit, citing its own reference for it (ISO 20022
 *   UETR or end-to-end id); the stablecoin is minted to the customer's ledger account (given
 *   directly or through the bank's virtual account id). A bank's reference is usable once.
 * - Off-ramp: a holder burns tokens asking a bank to pay them out to a bank account; the
 *   `payout_requested` event is what the bank's core system acts on; the bank reports the
 *   result, and on failure the tokens come back to the holder.
 * - A regulator or the central bank attests each stablecoin's reserves (reserve.ts).
 */
import { amount, decode, list, struct, type Infer } from '../../../core/index.js';
import { code, defineModule, type GenesisStepContext } from '../../module.js';
import { fail } from '../../errors.js';
import type { Event } from '../../receipts.js';
import { CurrencyKind, CurrencySchema, currencyCode, MoneyKeys } from '../money/records.js';
import { rampRecords } from './records.js';
import { getReserve, putReserve } from './reserve.js';
import { DepositEvent, rampMethods, RampEvents, VirtualEvent } from './methods.js';

export const GenesisReserveSchema = struct('GenesisReserve', { currency: currencyCode, attested: amount });
type GenesisReserve = Infer<typeof GenesisReserveSchema>;
interface GenesisCurrencyLike { readonly code: string; readonly kind: number }

export const rampModule = defineModule({
  name: 'ramp',
  doc: "Banks' on- and off-ramps for stablecoins (deposits minted against a bank's attestation and reference, redemptions paid out by a bank), stablecoin reserves, and banks' virtual accounts. "
    + 'A bank reference (ISO 20022 UETR or end-to-end id) is usable once per bank, for ever; `payout_requested` is what the bank\'s core system acts on.',
  records: rampRecords,
  codeRange: [600, 699],
  codes: {
    REFERENCE_USED: code(600, 'the bank reference was used before'),
    VIRTUAL_ACCOUNT_EXISTS: code(601, 'the bank account id is mapped already'),
    VIRTUAL_ACCOUNT_NOT_FOUND: code(602, 'the bank account id is not mapped'),
    PAYOUT_NOT_FOUND: code(603, 'no such payout'),
    PAYOUT_SETTLED: code(604, 'the payout has its result already'),
    NOT_PAYOUT_BANK: code(605, "the signer is not the payout's bank"),
  },
  params: {},
  events: RampEvents,
  methods: rampMethods,
  genesis: {
    fields: {
      reserves: { position: 10, schema: list(GenesisReserveSchema, 256), doc: "stablecoins' attested reserves; initial supply may not exceed them" },
    },
    steps: [
      {
        order: 60, name: 'reserves',
        run: async (g: GenesisStepContext) => {
          for (const [i, r] of (g.doc.reserves as GenesisReserve[]).entries()) {
            await g.step(`reserves[${i}]`, async () => {
              const cur = await g.ctx.get(CurrencySchema, MoneyKeys.currency(r.currency));
              if (cur === undefined || cur.kind !== CurrencyKind.STABLECOIN) fail('WRONG_CURRENCY_KIND', `${r.currency} is not a stablecoin`);
              putReserve(g.ctx, r.currency, { ...(await getReserve(g.ctx, r.currency)), attested: r.attested });
            });
          }
        },
      },
      {
        order: 90, name: 'stablecoin supply within reserves',
        run: async (g: GenesisStepContext) => {
          for (const c of g.doc.currencies as GenesisCurrencyLike[]) {
            if (c.kind !== CurrencyKind.STABLECOIN) continue;
            const cur = (await g.ctx.get(CurrencySchema, MoneyKeys.currency(c.code)))!;
            const r = await getReserve(g.ctx, c.code);
            if (cur.supply > r.attested) fail('BAD_GENESIS', `${c.code}: initial supply ${cur.supply} exceeds attested reserves ${r.attested}`);
          }
        },
      },
    ],
  },
  /** A deposit's account, a virtual account's mapped account. */
  concerns: (_written: readonly Uint8Array[], events: readonly Event[]) => {
    const out: Uint8Array[] = [];
    for (const e of events) {
      if (e.module !== 'ramp') continue;
      if (e.name === 'deposited') out.push(decode(DepositEvent, e.data).account);
      else if (e.name === 'virtual_linked' || e.name === 'virtual_unlinked') out.push(decode(VirtualEvent, e.data).account);
    }
    return out;
  },
});

export * from './records.js';
export * from './methods.js';
export { checkReserve, getReserve, putReserve } from './reserve.js';
