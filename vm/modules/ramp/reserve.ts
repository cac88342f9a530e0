/**
 * A stablecoin's reserves. For each stablecoin the ledger keeps the last attested reserve
 * amount, the deposits minted since that attestation (mints in flight: the bank attested
 * each deposit) and the redemptions burned whose fiat payout is not yet confirmed (payouts in
 * flight: still owed out of the reserve). A mint is refused if supply after it would exceed
 *   attested + depositsInFlight - payoutsInFlight.
 * An attestation sets `attested` and clears depositsInFlight (it covers them); a confirmed
 * payout lowers both `attested` and payoutsInFlight; a failed one returns the tokens.
 */
import { fail } from '../../errors.js';
import type { TxContext } from '../../context.js';
import type { Currency } from '../money/records.js';
import { RampKeys, ReserveSchema, type Reserve } from './records.js';

export async function getReserve(ctx: TxContext, code: string): Promise<Reserve> {
  const r = await ctx.get(ReserveSchema, RampKeys.reserve(code));
  if (r === undefined) throw new Error(`stablecoin ${code} has no reserve record`);
  return r;
}

export function putReserve(ctx: TxContext, code: string, r: Reserve): void {
  ctx.put(ReserveSchema, RampKeys.reserve(code), r);
}

/** Refuse minting `amt` of `cur` beyond its reserves. */
export async function checkReserve(ctx: TxContext, cur: Currency, amt: bigint): Promise<void> {
  const r = await getReserve(ctx, cur.code);
  const room = r.attested + r.depositsInFlight - r.payoutsInFlight;
  if (cur.supply + amt > room) {
    fail('RESERVE_EXCEEDED', `${cur.code}: supply ${cur.supply} + ${amt} would exceed reserves of ${room < 0n ? 0n : room}`, { room: room.toString() });
  }
}
