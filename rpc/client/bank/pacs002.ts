/**
 * pacs.002.001.11 (FIToFIPaymentStatusReport): read and built. A transaction status for a
 * payout's pacs.008 (matched by its original end-to-end id `sov-payout-<id>` or instruction
 * id, or through a lookup of its original UETR) settles the payout on the ledger: ACSC or
 * ACCC paid; RJCT failed, and the ledger returns the tokens to the holder; any other status
 * (ACTC, ACSP, PDNG, ...) is an interim one and changes nothing. A report with no
 * transaction statuses but a group status (GrpSts) for an original message applies that
 * status to the payout the message carried (its MsgId `sov-payout-<id>`, or one we sent).
 *
 * Read: the group header, every original group (OrgnlGrpInfAndSts: message id and name,
 * creation time, group status and its first reason), every transaction status (status id,
 * the per-transaction original group, original instruction / end-to-end / transaction ids
 * and UETR, status (optional in this version) and its first reason). The rest (charges,
 * dates, agents, the original transaction's details) is not read.
 */
import { bankFail } from './errors.js';
import { checkUetr } from './refs.js';
import { payoutIdOf } from './pacs008.js';
import { buildIsoDocument, El, messageRoot, parseIsoDocument, type XNode } from './xml.js';

export const PACS002 = 'pacs.002.001.11';
const ROOT = 'FIToFIPmtStsRpt';
const PAID = new Set(['ACSC', 'ACCC']);
const FAILED = new Set(['RJCT']);
const STATUS_RE = /^[A-Z0-9]{4}$/;

export interface OriginalGroup {
  readonly msgId: string;
  /** The original message's name, e.g. pacs.008.001.09. */
  readonly msgNmId: string;
  readonly creDtTm: string | null;
}
export interface GroupStatus extends OriginalGroup {
  readonly element: string;
  /** GrpSts, when the report gives one for the whole original message. */
  readonly status: string | null;
  readonly reasonCode: string | null;
  readonly reasonText: string | null;
}
export interface TxStatus {
  readonly element: string;
  readonly statusId: string | null;
  /** OrgnlGrpInf: the original message of this transaction, when given per transaction. */
  readonly orgnlGroup: OriginalGroup | null;
  readonly orgnlInstrId: string | null;
  readonly orgnlEndToEndId: string | null;
  readonly orgnlTxId: string | null;
  readonly orgnlUetr: string | null;
  /** TxSts (optional in pacs.002.001.11: a report may carry only reasons). */
  readonly status: string | null;
  /** StsRsnInf/Rsn/Cd (or Prtry) of the first reason, e.g. AC04 (closed account). */
  readonly reasonCode: string | null;
  readonly reasonText: string | null;
}
export interface StatusReport {
  readonly msgId: string;
  readonly creDtTm: string;
  readonly groups: readonly GroupStatus[];
  readonly txs: readonly TxStatus[];
}

export function parsePacs002(xml: string): StatusReport {
  const doc = parseIsoDocument(xml);
  if (doc.messageId !== PACS002) bankFail('BANK_UNSUPPORTED_MESSAGE', `expected ${PACS002}, got ${doc.messageId}`, { element: 'Document' });
  const root = messageRoot(doc, ROOT);
  const hdr = root.need('GrpHdr');
  return { msgId: hdr.needText('MsgId'), creDtTm: hdr.needText('CreDtTm'), groups: root.all('OrgnlGrpInfAndSts').map(readGroup), txs: root.all('TxInfAndSts').map(readStatus) };
}

function statusCode(e: El, name: string): string | null {
  const s = e.optText(name);
  if (s !== null && !STATUS_RE.test(s)) e.bad(`${name} is a four-character status code`, name);
  return s;
}

function reason(e: El): { reasonCode: string | null; reasonText: string | null } {
  const rsn = e.all('StsRsnInf')[0] ?? null;
  return {
    reasonCode: rsn?.opt('Rsn')?.optText('Cd') ?? rsn?.opt('Rsn')?.optText('Prtry') ?? null,
    reasonText: rsn === null ? null : rsn.all('AddtlInf').map((a) => a.text()).join(' ') || null,
  };
}

const original = (e: El): OriginalGroup => ({ msgId: e.needText('OrgnlMsgId'), msgNmId: e.needText('OrgnlMsgNmId'), creDtTm: e.optText('OrgnlCreDtTm') });

function readGroup(g: El): GroupStatus {
  return { element: g.path, ...original(g), status: statusCode(g, 'GrpSts'), ...reason(g) };
}

function readStatus(t: El): TxStatus {
  const uetr = t.optText('OrgnlUETR');
  const grp = t.opt('OrgnlGrpInf');
  return {
    element: t.path, statusId: t.optText('StsId'), orgnlGroup: grp === null ? null : original(grp),
    orgnlInstrId: t.optText('OrgnlInstrId'), orgnlEndToEndId: t.optText('OrgnlEndToEndId'), orgnlTxId: t.optText('OrgnlTxId'),
    orgnlUetr: uetr === null ? null : checkUetr(uetr, `${t.path}/OrgnlUETR`), status: statusCode(t, 'TxSts'), ...reason(t),
  };
}

const reasonNode = (r: { reasonCode: string | null; reasonText: string | null }) => (r.reasonCode !== null || r.reasonText !== null ? {
  StsRsnInf: { ...(r.reasonCode !== null ? { Rsn: { Cd: r.reasonCode } } : {}), ...(r.reasonText !== null ? { AddtlInf: r.reasonText } : {}) },
} : {});
const originalNodes = (g: OriginalGroup) => ({ OrgnlMsgId: g.msgId, OrgnlMsgNmId: g.msgNmId, ...(g.creDtTm !== null ? { OrgnlCreDtTm: g.creDtTm } : {}) });

/** The pacs.002.001.11 XML of `m` (the fields this adapter reads, in schema order). */
export function buildPacs002(m: StatusReport): string {
  for (const t of m.txs) {
    if (t.reasonText !== null && t.reasonText.length > 105) bankFail('BANK_BAD_VALUE', `${t.element || 'TxInfAndSts'}: a reason text has at most 105 characters`);
  }
  const body = {
    GrpHdr: { MsgId: m.msgId, CreDtTm: m.creDtTm },
    ...(m.groups.length ? { OrgnlGrpInfAndSts: m.groups.map((g) => ({ ...originalNodes(g), ...(g.status !== null ? { GrpSts: g.status } : {}), ...reasonNode(g) })) } : {}),
    ...(m.txs.length ? {
      TxInfAndSts: m.txs.map((t) => ({
        ...(t.statusId !== null ? { StsId: t.statusId } : {}), ...(t.orgnlGroup !== null ? { OrgnlGrpInf: originalNodes(t.orgnlGroup) } : {}),
        ...(t.orgnlInstrId !== null ? { OrgnlInstrId: t.orgnlInstrId } : {}), ...(t.orgnlEndToEndId !== null ? { OrgnlEndToEndId: t.orgnlEndToEndId } : {}),
        ...(t.orgnlTxId !== null ? { OrgnlTxId: t.orgnlTxId } : {}), ...(t.orgnlUetr !== null ? { OrgnlUETR: t.orgnlUetr } : {}),
        ...(t.status !== null ? { TxSts: t.status } : {}), ...reasonNode(t),
      })),
    } : {}),
  };
  return buildIsoDocument(PACS002, ROOT, body as unknown as XNode);
}

/** A transaction status of this adapter's own making (for tests and core-system simulators): the rest null. */
export function txStatus(t: Partial<TxStatus> & { status: string }): TxStatus {
  return { element: '', statusId: null, orgnlGroup: null, orgnlInstrId: null, orgnlEndToEndId: null, orgnlTxId: null, orgnlUetr: null, reasonCode: null, reasonText: null, ...t };
}

/** The args of ramp.payout_result. */
export interface PayoutResultArgsJs { id: number; ok: boolean; reason: string }

export type StatusOutcome =
  | { readonly kind: 'result'; readonly element: string; readonly args: PayoutResultArgsJs }
  | { readonly kind: 'skip'; readonly element: string; readonly reason: string };

/** What the lookups of the adapter's correlation store give for a reference it sent. */
export interface StatusLookups {
  /** The payout of a UETR this adapter sent. */
  payoutOfUetr?(uetr: string): number | null;
  /** The payout of a message id this adapter sent (its pacs.008's MsgId). */
  payoutOfMsgId?(msgId: string): number | null;
  /** A description of a non-payout message this adapter sent (a waterfall), by UETR or end-to-end id, to say why nothing is settled. */
  otherOf?(ref: string): string | null;
}

function outcome(element: string, id: number, status: string, r: { reasonCode: string | null; reasonText: string | null }): StatusOutcome {
  if (PAID.has(status)) return { kind: 'result', element, args: { id, ok: true, reason: '' } };
  if (FAILED.has(status)) {
    const why = [r.reasonCode, r.reasonText].filter((s) => s !== null).join(': ') || 'rejected';
    return { kind: 'result', element, args: { id, ok: false, reason: why.slice(0, 128) } };
  }
  return { kind: 'skip', element, reason: `interim status ${status}` };
}

/**
 * What each status asks of the ledger. `lookups` find the payout of a UETR or message id this
 * adapter sent (for reports that do not carry the original end-to-end id). A report of only
 * group statuses applies each to the payout of its original message.
 */
export function statusResults(r: StatusReport, lookups: StatusLookups | ((uetr: string) => number | null) = {}): StatusOutcome[] {
  const l: StatusLookups = typeof lookups === 'function' ? { payoutOfUetr: lookups } : lookups;
  const ofMsg = (msgId: string | undefined) => (msgId === undefined ? null : payoutIdOf(msgId) ?? l.payoutOfMsgId?.(msgId) ?? null);
  const out: StatusOutcome[] = r.txs.map((t): StatusOutcome => {
    const id = payoutIdOf(t.orgnlEndToEndId) ?? payoutIdOf(t.orgnlInstrId) ?? (t.orgnlUetr !== null ? l.payoutOfUetr?.(t.orgnlUetr) ?? null : null)
      ?? (r.txs.length === 1 ? ofMsg(t.orgnlGroup?.msgId ?? (r.groups.length === 1 ? r.groups[0]!.msgId : undefined)) : null);
    if (id === null) {
      const other = [t.orgnlUetr, t.orgnlEndToEndId].map((ref) => (ref === null ? null : l.otherOf?.(ref) ?? null)).find((s) => s !== null) ?? null;
      return { kind: 'skip', element: t.element, reason: other !== null ? `${other}: nothing to settle on the ledger` : 'not a status of a ledger payout' };
    }
    const status = t.status ?? (r.groups.length === 1 ? r.groups[0]!.status : null);
    if (status === null) return { kind: 'skip', element: t.element, reason: 'no status (TxSts) given' };
    return outcome(t.element, id, status, t.status !== null ? t : r.groups[0]!);
  });
  if (r.txs.length === 0) {
    for (const g of r.groups) {
      const id = ofMsg(g.msgId);
      if (id === null) out.push({ kind: 'skip', element: g.element, reason: 'not a status of a ledger payout' });
      else if (g.status === null) out.push({ kind: 'skip', element: g.element, reason: 'no status (GrpSts) given' });
      else out.push(outcome(g.element, id, g.status, g));
    }
  }
  return out;
}
