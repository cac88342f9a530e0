/**
 * The bank adapter: what a commercial bank runs beside its core system, signing with the
 * bank's key. Inbound, a camt.054 credit notification becomes ramp deposits and a pacs.002
 * status report settles payouts (`handleMessage`). Outbound, the ledger's events for the
 * bank (ramp `payout_requested`, money `waterfall`) become pacs.008 credit transfers
 * (`scan`). With the XSDs given, every message in and out is checked against its schema.
 * Each ledger refusal is reported with its code name (REFERENCE_USED for a reused UETR or
 * end-to-end id); a message that cannot be read is a BankMessageError; nothing else throws
 * for bad input. The UETR and end-to-end id of every pacs.008 it builds are kept in its
 * correlation store (correlations.ts), in a file of `stateDir` when given, so that a pacs.002
 * citing only the UETR is matched after a restart too.
 */
import { join } from 'node:path';
import type { SubmitView, TxView } from '../../facade.js';
import type { SovClient } from '../client.js';
import type { Wallet } from '../builders.js';
import { CAMT054, camtDeposits, parseCamt054, type CurrencyMap } from './camt054.js';
import { CorrelationStore, CORRELATIONS_FILE, DEFAULT_MAX_CORRELATIONS } from './correlations.js';
import { BankMessageError } from './errors.js';
import { randomUUID } from 'node:crypto';
import {
  buildPacs008, PACS008, payoutEndToEndId, payoutTransfer, waterfallEndToEndId, waterfallTransfer, type BankIdentity, type PayoutRequestedFields, type WaterfallFields,
} from './pacs008.js';
import { PACS002, parsePacs002, statusResults } from './pacs002.js';
import { checkSchema } from './schema.js';
import { parseIsoDocument } from './xml.js';

export type SchemaTexts = Partial<Record<typeof CAMT054 | typeof PACS008 | typeof PACS002, string>>;

export interface BankAdapterOptions {
  readonly client: SovClient;
  /** Signs as the bank (its keystore's key). */
  readonly wallet: Wallet;
  /** The bank's ledger address (bech32m): the events it acts on name it. */
  readonly bankAddress: string;
  readonly identity: BankIdentity;
  /** ISO currency -> ledger currency, for incoming credits. */
  readonly currencies: CurrencyMap;
  /** The XSD texts by message id: messages in and out are checked against them. */
  readonly schemas?: SchemaTexts;
  /**
   * A folder for the adapter's state: its correlation store, `.sov-bank-correlations.json`
   * (loaded now, rewritten atomically on every change). Without it the store is in memory.
   */
  readonly stateDir?: string;
  /** The most correlation entries kept (default 10,000; settled ones are pruned first). */
  readonly maxCorrelations?: number;
}

/** What one ledger call for one element of a message came to. */
export interface LedgerOutcome {
  readonly element: string;
  readonly action: 'deposit' | 'payout_result' | 'skip' | 'error';
  /** The ledger reference (deposit) or payout id (payout_result). */
  readonly ref?: string | number;
  readonly status: 'committed' | 'failed' | 'pending' | 'skipped' | 'error';
  readonly hash?: string;
  /** The vm's code name of a refusal (REFERENCE_USED, PAYOUT_SETTLED, ...) or the adapter's error code. */
  readonly code?: string;
  readonly message?: string;
}
export interface InboundReport { readonly messageId: string; readonly msgId: string; readonly outcomes: readonly LedgerOutcome[] }

/** One outgoing message the bank's core system must act on. */
export interface OutgoingMessage {
  readonly kind: 'payout' | 'waterfall';
  /** A file name for it (its end-to-end id). */
  readonly name: string;
  readonly endToEndId: string;
  readonly uetr: string;
  readonly height: number;
  readonly xml: string;
}

export class BankAdapter {
  /** The pacs.008 this adapter built: end-to-end id, UETR, payout (for reports without the end-to-end id). */
  readonly correlations: CorrelationStore;

  constructor(private readonly o: BankAdapterOptions) {
    this.correlations = new CorrelationStore(o.stateDir === undefined ? null : join(o.stateDir, CORRELATIONS_FILE), o.maxCorrelations ?? DEFAULT_MAX_CORRELATIONS);
  }

  /** Read an incoming message (camt.054 or pacs.002) and carry it out on the ledger. */
  async handleMessage(xml: string): Promise<InboundReport> {
    const { messageId } = parseIsoDocument(xml);
    if (messageId !== CAMT054 && messageId !== PACS002) {
      throw new BankMessageError('BANK_UNSUPPORTED_MESSAGE', `the adapter reads ${CAMT054} and ${PACS002}, not ${messageId}`, { element: 'Document' });
    }
    const xsd = this.o.schemas?.[messageId];
    if (xsd !== undefined) await checkSchema(xml, xsd, messageId);
    return messageId === CAMT054 ? this.deposits(xml) : this.results(xml);
  }

  private async deposits(xml: string): Promise<InboundReport> {
    const m = parseCamt054(xml);
    const outcomes: LedgerOutcome[] = [];
    for (const c of camtDeposits(m, this.o.currencies)) {
      if (c.kind === 'skip') outcomes.push({ element: c.element, action: 'skip', status: 'skipped', message: c.reason });
      else if (c.kind === 'error') outcomes.push({ element: c.element, action: 'error', status: 'error', code: c.error.code, message: c.error.message });
      else outcomes.push({ element: c.element, action: 'deposit', ref: c.args.bankRef, ...(await this.send('deposit', c.args)) });
    }
    return { messageId: CAMT054, msgId: m.msgId, outcomes };
  }

  private async results(xml: string): Promise<InboundReport> {
    const r = parsePacs002(xml);
    const c = this.correlations;
    const payoutOf = (e: ReturnType<CorrelationStore['ofUetr']>) => (e?.kind === 'payout' ? e.payout : null);
    const outcomes: LedgerOutcome[] = [];
    const results = statusResults(r, {
      payoutOfUetr: (u) => payoutOf(c.ofUetr(u)), payoutOfMsgId: (m) => payoutOf(c.ofEndToEndId(m)),
      otherOf: (ref) => {
        const e = c.ofUetr(ref) ?? c.ofEndToEndId(ref);
        return e?.kind === 'waterfall' ? `the waterfall transfer ${e.endToEndId}` : null;
      },
    });
    for (const s of results) {
      if (s.kind === 'skip') {
        outcomes.push({ element: s.element, action: 'skip', status: 'skipped', message: s.reason });
        continue;
      }
      const sent = await this.send('payout_result', s.args);
      outcomes.push({ element: s.element, action: 'payout_result', ref: s.args.id, ...sent });
      // Settled on the ledger now, or before (a report repeated): its correlation is done with.
      if (sent.status === 'committed' || sent.code === 'PAYOUT_SETTLED') {
        for (const e of c.entries()) if (e.kind === 'payout' && e.payout === s.args.id) c.settle(e.endToEndId);
      }
    }
    // A final status of a waterfall transfer: nothing on the ledger, but its correlation is done with.
    for (const t of r.txs) {
      const e = (t.orgnlUetr !== null ? c.ofUetr(t.orgnlUetr) : null) ?? (t.orgnlEndToEndId !== null ? c.ofEndToEndId(t.orgnlEndToEndId) : null);
      if (e?.kind === 'waterfall' && t.status !== null && ['ACSC', 'ACCC', 'RJCT'].includes(t.status)) c.settle(e.endToEndId);
    }
    return { messageId: PACS002, msgId: r.msgId, outcomes };
  }

  private async send(method: string, args: unknown): Promise<Pick<LedgerOutcome, 'status' | 'hash' | 'code' | 'message'>> {
    const out: SubmitView = await this.o.wallet.send('ramp', method, args, { wait: true });
    if (out.status !== 'failed') return { status: out.status, hash: out.hash };
    const code = out.height !== null ? (await this.o.client.getTransaction(out.hash).catch(() => null))?.receipt.codeName ?? undefined : undefined;
    return { status: 'failed', hash: out.hash, ...(code ? { code } : out.code !== null ? { code: String(out.code) } : {}), ...(out.message ? { message: out.message } : {}) };
  }

  /** The outgoing messages for blocks `from`..`to` (inclusive; default: the head). */
  async scan(from: number, to?: number): Promise<{ messages: OutgoingMessage[]; next: number }> {
    const head = to ?? (await this.o.client.status()).height;
    const messages: OutgoingMessage[] = [];
    for (let h = Math.max(1, from); h <= head; h++) {
      const block = await this.o.client.getBlock(h);
      for (const hash of block.txs) messages.push(...(await this.outgoingOf(await this.o.client.getTransaction(hash))));
    }
    return { messages, next: head + 1 };
  }

  /** The outgoing messages one committed transaction asks of this bank. */
  async outgoingOf(tx: TxView): Promise<OutgoingMessage[]> {
    const out: OutgoingMessage[] = [];
    if (tx.receipt.status !== 'ok') return out;
    for (const [i, e] of tx.receipt.events.entries()) {
      const f = e.fields as Record<string, unknown> | null;
      if (f === null || f['bank'] !== this.o.bankAddress) continue;
      const payout = e.module === 'ramp' && e.name === 'payout_requested';
      if (!payout && !(e.module === 'money' && e.name === 'waterfall')) continue;
      // The same event scanned again gets the UETR it was given the first time.
      const e2e = payout ? payoutEndToEndId((f as unknown as PayoutRequestedFields).id) : waterfallEndToEndId(tx.hash, i);
      const uetr = this.correlations.ofEndToEndId(e2e)?.uetr ?? randomUUID();
      const ct = payout
        ? payoutTransfer(this.o.identity, f as unknown as PayoutRequestedFields, Date.now(), uetr)
        : waterfallTransfer(this.o.identity, f as unknown as WaterfallFields, tx.hash, i, Date.now(), uetr);
      const t = ct.txs[0]!;
      const xml = buildPacs008(ct);
      const xsd = this.o.schemas?.[PACS008];
      if (xsd !== undefined) await checkSchema(xml, xsd, `the pacs.008 for ${t.endToEndId}`);
      this.correlations.add({ endToEndId: t.endToEndId, uetr, kind: payout ? 'payout' : 'waterfall', payout: payout ? (f as unknown as PayoutRequestedFields).id : null, height: tx.height });
      out.push({ kind: payout ? 'payout' : 'waterfall', name: t.endToEndId, endToEndId: t.endToEndId, uetr, height: tx.height, xml });
    }
    return out;
  }
}
