/**
 * Module `xchg`: the data-exchange layer. Agencies exchange data directly (tax office and
 * welfare agency, registry and bank); the ledger keeps append-only, verifiable proofs that
 * agency A sent data D (its digest, never the data) to agency B for purpose P, under legal
 * basis L, with consent C, and that B acknowledged it (exchange.ts), on one consensus order
 * that no party can rewrite or deny; and documents that several institutions sign, in
 * order, by a deadline (documents.ts). Records are batched (one Merkle root per batch in
 * state, each record provable against it) and indexed by every node for queries; every
 * answer is proven from the state. docs/data-exchange.md describes the whole flow.
 */
import { decode } from '../../../core/index.js';
import { code, defineModule } from '../../module.js';
import type { Event } from '../../receipts.js';
import { MAX_XCHG_BATCH, XchgIndexes, xchgRecords } from './records.js';
import { AckEvent, exchangeActions, ExchangeEvents, exchangeMethods, SentEvent } from './exchange.js';
import { DocSignedEvent, DocumentEvents, documentMethods } from './documents.js';

export const xchgModule = defineModule({
  name: 'xchg',
  doc: 'The data-exchange layer: proof records that agency A sent data (its digest) to agency B for a purpose, under a legal basis, with consent, batched as Merkle roots and acknowledged by the receiver; and documents signed by several institutions in order by a deadline. docs/data-exchange.md describes the whole flow.',
  records: xchgRecords,
  codeRange: [1100, 1199],
  codes: {
    NOT_XCHG_SENDER: code(1100, 'the signer holds no agency role and governance has not allowed it to send'),
    BAD_XCHG_BATCH: code(1101, 'a batch of no record, or of more than max_xchg_batch (when governance has set it below the 10,000 the schema allows)'),
    BAD_XCHG_RECEIVER: code(1102, 'the receiver is not an institution, or is the sender'),
    BAD_XCHG_RECORD: code(1103, 'a record naming a purpose or legal basis the batch does not list, an empty legal basis, or a consent reference neither empty nor 32 bytes'),
    DUPLICATE_RECORD_ID: code(1104, "the batch's record ids are taken: its first is below the sender's next"),
    XCHG_SEQ_GAP: code(1105, "the batch's first record id is past the sender's next"),
    BAD_XCHG_ACK: code(1106, 'an acknowledgment of no record, or of more than max_xchg_batch'),
    XCHG_RECORD_NOT_FOUND: code(1107, 'no such batch, or a range outside it'),
    XCHG_NOT_RECEIVER: code(1108, 'only the receiver acknowledges a record'),
    XCHG_ALREADY_ACKNOWLEDGED: code(1109, 'a record is acknowledged already'),
    DOC_NOT_FOUND: code(1110, 'no such document'),
    DOC_CLOSED: code(1111, 'the document is complete, refused or expired'),
    DOC_DEADLINE_PASSED: code(1112, "the document's deadline has passed"),
    DOC_NOT_SIGNER: code(1113, "the account is not on the document's list of signers"),
    DOC_ALREADY_SIGNED: code(1114, 'the signer has signed the document already'),
    DOC_OUT_OF_ORDER: code(1115, "the signer's group comes after a group that has not finished signing"),
    DOC_BAD_SIGNATURE: code(1116, "a signature that is not the signer's over the document, or no signature from another account"),
    DOC_BAD_SIGNERS: code(1117, 'no group, an empty group, a signer listed twice or that is not an institution, or too many'),
    DOC_BAD_DEADLINE: code(1118, 'a deadline not after the block'),
    DOC_NOT_EXPIRED: code(1119, "the document's deadline has not passed"),
  },
  params: {
    max_xchg_batch: { value: MAX_XCHG_BATCH, min: 1, max: MAX_XCHG_BATCH, governable: true, doc: 'most records one batch (or one acknowledgment) may hold' },
    xchg_ack_window_ms: { value: 86_400_000, min: 1_000, max: 365 * 86_400_000, governable: true, doc: 'time a receiver has to acknowledge a record before queries report it overdue (ms)' },
    cost_xchg_record: { value: 10, min: 0, max: 1_000_000, governable: true, doc: 'work per record sent or acknowledged, on top of the bytes' },
  },
  events: { ...ExchangeEvents, ...DocumentEvents },
  methods: { ...exchangeMethods, ...documentMethods },
  actions: exchangeActions,
  indexes: XchgIndexes,
  /** The receiver of a batch, the sender of acknowledged records, a signer whose signature someone else submitted. */
  concerns: (_written: readonly Uint8Array[], events: readonly Event[]) => {
    const out: Uint8Array[] = [];
    for (const e of events) {
      if (e.module !== 'xchg') continue;
      if (e.name === 'sent') out.push(decode(SentEvent, e.data).receiver);
      else if (e.name === 'acknowledged') out.push(decode(AckEvent, e.data).sender);
      else if (e.name === 'doc_signed') out.push(decode(DocSignedEvent, e.data).signer);
    }
    return out;
  },
});

export * from './records.js';
export { SendArgs, SendResult, AckRange, AckArgs, AllowSenderArgs, SentEvent, AckEvent, AllowedEvent, ExchangeEvents } from './exchange.js';
export {
  RegisterDocArgs, DocIdResult, SignDocArgs, RefuseDocArgs, ExpireDocArgs, DocRegisteredEvent, DocSignedEvent, DocClosedEvent, DocumentEvents, docSignPayload,
} from './documents.js';
