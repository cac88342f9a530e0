/**
 * An account's events: the events of its transactions (the block store's per-account index,
 * sov_getAccountTransactions), read from their receipts, which carry them. The store keeps
 * no records of events of their own, so a commit writes three records fewer per transfer.
 *
 * Paged by (height, index, event), oldest first or newest first. A cursor names the last
 * event returned; the next page starts with the rest of that transaction's events. A page
 * reads at most MAX_SCAN_TXS transactions: an account whose transactions have no events (all
 * failed, say) gives a short or empty page with a cursor past what was read, never an
 * unbounded scan.
 */
import { decode } from '../../core/index.js';
import { MAX_PAGE, invalidInput, type BlockReader, type TxRef } from '../../state/index.js';
import { ReceiptSchema, type Event } from '../../vm/index.js';

export interface EventCursor {
  readonly height: number;
  readonly index: number;
  /** The last event returned (absent: the start of that transaction). */
  readonly event?: number;
}

export interface AccountEvent {
  readonly height: number;
  readonly index: number;
  readonly event: number;
  readonly data: Event;
}

export const MAX_SCAN_TXS = 10 * MAX_PAGE;
const LAST_U32 = 0xffffffff;

/**
 * The account index cursor that makes a page of transactions start AT transaction (h, i)
 * (the index's `after` is exclusive): the entry just before it in the page's order.
 */
function startingAt(c: TxRef, desc: boolean): TxRef | undefined {
  if (desc) return c.index < LAST_U32 ? { height: c.height, index: c.index + 1 } : { height: c.height + 1, index: 0 };
  if (c.index > 0) return { height: c.height, index: c.index - 1 };
  return c.height > 0 ? { height: c.height - 1, index: LAST_U32 } : undefined;
}

export async function accountEvents(
  blocks: BlockReader,
  account: Uint8Array,
  page: { after?: EventCursor; limit?: number; order?: 'asc' | 'desc' },
  maxScan: number = MAX_SCAN_TXS,
): Promise<{ items: AccountEvent[]; next: EventCursor | null }> {
  const limit = page.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw invalidInput(`a page holds 1..${MAX_PAGE} items`);
  const desc = page.order === 'desc';
  const after = page.after;
  const items: AccountEvent[] = [];
  // Start at the cursor's transaction for the rest of its events. A cursor without an event
  // is a transaction's, and the page starts after it (as sov_getAccountTransactions pages);
  // so does one whose event leaves nothing of its transaction (0 newest first, the last u32
  // oldest first: what a page that reached its scan bound returns).
  const pastTx = after !== undefined && (after.event === undefined || after.event === (desc ? 0 : LAST_U32));
  let cursor: TxRef | undefined = after === undefined ? undefined : pastTx ? { height: after.height, index: after.index } : startingAt(after, desc);
  let scanned = 0;
  let more = true;
  let last: TxRef | null = null;
  while (more && items.length <= limit && scanned < maxScan) {
    const chunk = Math.min(MAX_PAGE, limit + 1, maxScan - scanned);
    const txs = await blocks.txsByAccount(account, { limit: chunk, ...(desc ? { order: 'desc' as const } : {}), ...(cursor ? { after: cursor } : {}) });
    const receipts = await Promise.all(txs.items.map((t) => blocks.getReceipt(t.height, t.index)));
    txs.items.forEach((t, k) => {
      const events = decode(ReceiptSchema, receipts[k]!).events;
      const from = after !== undefined && after.event !== undefined && t.height === after.height && t.index === after.index ? after.event : null;
      for (let n = 0; n < events.length; n++) {
        const j = desc ? events.length - 1 - n : n;
        if (from !== null && (desc ? j >= from : j <= from)) continue;
        items.push({ height: t.height, index: t.index, event: j, data: events[j]! });
      }
    });
    scanned += txs.items.length;
    const end = txs.items[txs.items.length - 1];
    if (end) last = { height: end.height, index: end.index };
    cursor = txs.next ?? undefined;
    more = txs.next !== null;
  }
  if (items.length > limit) {
    const l = items[limit - 1]!;
    return { items: items.slice(0, limit), next: { height: l.height, index: l.index, event: l.event } };
  }
  // The scan stopped before the end: continue after the last transaction read, all of it.
  if (more && last !== null) return { items, next: { ...last, event: desc ? 0 : LAST_U32 } };
  return { items, next: null };
}
