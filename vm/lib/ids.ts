/**
 * Helpers several modules share that belong to none: the next id of a counter record, and
 * the escrow address that holds a lock's or a grant's funds.
 */
import { concatBytes, hashOf, utf8 } from '../../core/index.js';
import { u64be } from '../keys.js';
import { CounterSchema } from '../records.js';
import type { TxContext } from '../context.js';

/** Take the next id of the counter at `key` (ids start at 1). */
export async function nextId(ctx: TxContext, key: Uint8Array): Promise<number> {
  const c = await ctx.get(CounterSchema, key);
  const id = c?.next ?? 1;
  ctx.put(CounterSchema, key, { next: id + 1 });
  return id;
}

/** The address holding a lock's or grant's funds: no keys, no account, only a balance. */
export function escrowAddress(kind: 'lock' | 'grant' | 'comp-hold' | 'prog', id: number): Uint8Array {
  return hashOf('vm-escrow', concatBytes(utf8(kind), u64be(id))).subarray(0, 20);
}
