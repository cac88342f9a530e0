/**
 * Status bits in the ledger: each issuer keeps two bitstring lists over its status indexes
 * (revocation and suspension), stored in chunks of 16,384 bits (absent: all clear), most
 * significant bit first as W3C's Bitstring Status List writes them, so an issuer's list is
 * exported as it is. Also the tier a customer's KYC binding gives at execution time: the
 * credential's tier while it is valid, the lowest once it is expired, suspended or revoked.
 */
import type { TxContext } from '../../context.js';
import type { MaybePromise } from '../../state.js';
import { chainMaybe, mapMaybe } from '../../state.js';
import type { Account } from '../account/records.js';
import { AccountKind } from '../account/records.js';
import { CredKeys, KycBindingSchema, StatusChunkSchema, StatusPurpose, STATUS_CHUNK_BYTES, chunkBit, statusSlot } from './records.js';

/** The lowest KYC tier: what an account falls to when its KYC credential stops being valid. */
export const LOWEST_TIER = 1;

/** A status bit as stored (for reads outside a status change: the tier hook). */
export function statusBit(ctx: TxContext, issuer: Uint8Array, index: number, purpose: number): MaybePromise<boolean> {
  const { chunk, bit } = statusSlot(index, purpose);
  return mapMaybe(ctx.get(StatusChunkSchema, CredKeys.status(issuer, chunk)), (c) => chunkBit(c?.bits, bit));
}

/**
 * An issuer's status bits as one transaction changes them: each chunk it touches is read
 * once and, at `flush`, written once (deleted when all clear), however many of its bits
 * the transaction changes; a batch of 1,000 changes in one chunk writes 2 KB, not 2 MB.
 */
export class StatusBits {
  private readonly chunks = new Map<number, { key: Uint8Array; bits: Uint8Array }>();

  constructor(
    private readonly ctx: TxContext,
    private readonly issuer: Uint8Array,
  ) {}

  private async chunk(n: number): Promise<{ key: Uint8Array; bits: Uint8Array }> {
    let c = this.chunks.get(n);
    if (c === undefined) {
      const key = CredKeys.status(this.issuer, n);
      const stored = await this.ctx.get(StatusChunkSchema, key);
      const bits = new Uint8Array(STATUS_CHUNK_BYTES);
      if (stored) bits.set(stored.bits);
      c = { key, bits };
      this.chunks.set(n, c);
    }
    return c;
  }

  async get(index: number, purpose: number): Promise<boolean> {
    const { chunk, bit } = statusSlot(index, purpose);
    return chunkBit((await this.chunk(chunk)).bits, bit);
  }

  async set(index: number, purpose: number, value: boolean): Promise<void> {
    const { chunk, bit } = statusSlot(index, purpose);
    const { bits } = await this.chunk(chunk);
    const mask = 0x80 >> (bit & 7);
    if (value) bits[bit >> 3]! |= mask;
    else bits[bit >> 3]! &= ~mask;
  }

  /** Write every chunk touched, in the order first touched. */
  flush(): void {
    for (const { key, bits } of this.chunks.values()) {
      if (bits.every((b) => b === 0)) this.ctx.delete(key);
      else this.ctx.put(StatusChunkSchema, key, { bits });
    }
  }
}

/** The tier hook: a bound KYC credential decides a person's or business's tier. */
export function kycTier(ctx: TxContext, addr: Uint8Array, acct: Account, tier: number): MaybePromise<number> {
  if (acct.kind === AccountKind.INSTITUTION) return tier;
  return chainMaybe(ctx.get(KycBindingSchema, CredKeys.kyc(addr)), (b): MaybePromise<number> => {
    if (b === undefined) return tier;
    if (ctx.block.time > b.validUntil) return LOWEST_TIER;
    return chainMaybe(statusBit(ctx, b.issuer, b.index, StatusPurpose.REVOCATION), (revoked) =>
      revoked ? LOWEST_TIER : mapMaybe(statusBit(ctx, b.issuer, b.index, StatusPurpose.SUSPENSION), (suspended) => (suspended ? LOWEST_TIER : b.tier)));
  });
}
