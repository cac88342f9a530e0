/**
 * What other modules ask of currencies: load one (UNKNOWN_CURRENCY), one that is not paused
 * (CURRENCY_PAUSED), and the supply after a mint or burn (AMOUNT_OVERFLOW).
 */
import { MAX_AMOUNT } from '../../../core/index.js';
import { fail } from '../../errors.js';
import type { TxContext } from '../../context.js';
import { mapMaybe, type MaybePromise } from '../../state.js';
import { CurrencySchema, MoneyKeys, type Currency } from './records.js';

export function getCurrency(ctx: TxContext, code: string): MaybePromise<Currency> {
  return mapMaybe(ctx.get(CurrencySchema, MoneyKeys.currency(code)), (c) => {
    if (c === undefined) fail('UNKNOWN_CURRENCY', `no currency ${code}`);
    return c;
  });
}

/** A currency that is not paused. */
export function liveCurrency(ctx: TxContext, code: string): MaybePromise<Currency> {
  return mapMaybe(getCurrency(ctx, code), (c) => {
    if (c.paused) fail('CURRENCY_PAUSED', `${code} is paused`);
    return c;
  });
}

/** Change a currency's supply by `delta` (mint > 0, burn < 0). */
export function supplyAfter(cur: Currency, delta: bigint): bigint {
  const s = cur.supply + delta;
  if (s > MAX_AMOUNT) fail('AMOUNT_OVERFLOW', `${cur.code} supply would overflow`);
  if (s < 0n) throw new Error(`${cur.code} supply would go negative`);
  return s;
}
