/**
 * pacs.002.001.11 (FIToFIPaymentStatusReport): read and built. A transaction status for a
 * payout's pacs.008 (matched by its original end-to-end id `sov-payout-<id>`, or through a
 * lookup of its original UETR) settles the payout on the ledger: ACSC or ACCC paid; RJCT
 * failed, and the ledger returns the tokens to the holder; any other status (ACTC, ACSP,
 * PDNG, ...) is an interim one and changes nothing.
 */
import { bankFail } from './errors.js';
import { checkUetr } from './refs.js';
import { payoutIdOf } from './pacs008.js';
import { buildIsoDocument, El, messageRoot, parseIsoDocument, type XNode } from './xml.js';

export const PACS002 = 'pacs.002.001.11';
const ROOT = 'FIToFIPmtStsRpt';
const PAID = new Set(['ACSC', 'ACCC']);
const FAILED = new Set(['RJCT']);

export interface TxStatus {
  readonly element: string;
  readonly orgnlInstrId: string | null;
  readonly orgnlEndToEndId: string | null;
  readonly orgnlUetr: string | null;
  readonly status: string;
  /** StsRsnInf/Rsn/Cd (or Prtry), e.g. AC04 (closed account). */
  readonly reasonCode: string | null;
  readonly reasonText: string | null;
}
export interface StatusReport {
  readonly msgId: string;
  readonly creDtTm: string;
  readonly orgnlMsgId: string | null;
  readonly orgnlMsgNmId: string | null;
  readonly txs: readonly TxStatus[];
}

export function parsePacs002(xml: string): StatusReport {
  const doc = parseIsoDocument(xml);
  if (doc.messageId !== PACS002) bankFail('BANK_UNSUPPORTED_MESSAGE', `expected ${PACS002}, got ${doc.messageId}`, { element: 'Document' });
  const root = messageRoot(doc, ROOT);
  const hdr = root.need('GrpHdr');
  const grp = root.opt('OrgnlGrpInfAndSts');
  return {
    msgId: hdr.needText('MsgId'), creDtTm: hdr.needText('CreDtTm'),
    orgnlMsgId: grp?.optText('OrgnlMsgId') ?? null, orgnlMsgNmId: grp?.optText('OrgnlMsgNmId') ?? null,
    txs: root.all('TxInfAndSts').map(readStatus),
  };
}

function readStatus(t: El): TxStatus {
  const uetr = t.optText('OrgnlUETR');
  const rsn = t.all('StsRsnInf')[0] ?? null;
  const status = t.needText('TxSts');
  if (!/^[A-Z0-9]{4}$/.test(status)) t.bad('TxSts is a four-character status code', 'TxSts');
  return {
    element: t.path, orgnlInstrId: t.optText('OrgnlInstrId'), orgnlEndToEndId: t.optText('OrgnlEndToEndId'),
    orgnlUetr: uetr === null ? null : checkUetr(uetr, `${t.path}/OrgnlUETR`), status,
    reasonCode: rsn?.opt('Rsn')?.optText('Cd') ?? rsn?.opt('Rsn')?.optText('Prtry') ?? null,
    reasonText: rsn === null ? null : rsn.all('AddtlInf').map((a) => a.text()).join(' ') || null,
  };
}

/** The pacs.002.001.11 XML of `m` (the fields this adapter maps, in schema order). */
export function buildPacs002(m: StatusReport): string {
  const body = {
    GrpHdr: { MsgId: m.msgId, CreDtTm: m.creDtTm },
    ...(m.orgnlMsgId !== null ? { OrgnlGrpInfAndSts: { OrgnlMsgId: m.orgnlMsgId, OrgnlMsgNmId: m.orgnlMsgNmId ?? 'pacs.008.001.09' } } : {}),
    TxInfAndSts: m.txs.map((t) => ({
      ...(t.orgnlInstrId !== null ? { OrgnlInstrId: t.orgnlInstrId } : {}), ...(t.orgnlEndToEndId !== null ? { OrgnlEndToEndId: t.orgnlEndToEndId } : {}),
      ...(t.orgnlUetr !== null ? { OrgnlUETR: t.orgnlUetr } : {}), TxSts: t.status,
      ...(t.reasonCode !== null || t.reasonText !== null ? {
        StsRsnInf: { ...(t.reasonCode !== null ? { Rsn: { Cd: t.reasonCode } } : {}), ...(t.reasonText !== null ? { AddtlInf: t.reasonText } : {}) },
      } : {}),
    })),
  };
  return buildIsoDocument(PACS002, ROOT, body as unknown as XNode);
}

/** The args of ramp.payout_result. */
export interface PayoutResultArgsJs { id: number; ok: boolean; reason: string }

export type StatusOutcome =
  | { readonly kind: 'result'; readonly element: string; readonly args: PayoutResultArgsJs }
  | { readonly kind: 'skip'; readonly element: string; readonly reason: string };

/**
 * What each status asks of the ledger. `payoutOfUetr` finds the payout of a UETR this
 * adapter sent (for reports that do not carry the original end-to-end id).
 */
export function statusResults(r: StatusReport, payoutOfUetr: (uetr: string) => number | null = () => null): StatusOutcome[] {
  return r.txs.map((t): StatusOutcome => {
    const id = payoutIdOf(t.orgnlEndToEndId) ?? payoutIdOf(t.orgnlInstrId) ?? (t.orgnlUetr !== null ? payoutOfUetr(t.orgnlUetr) : null);
    if (id === null) return { kind: 'skip', element: t.element, reason: 'not a status of a ledger payout' };
    if (PAID.has(t.status)) return { kind: 'result', element: t.element, args: { id, ok: true, reason: '' } };
    if (FAILED.has(t.status)) {
      const reason = [t.reasonCode, t.reasonText].filter((s) => s !== null).join(': ') || 'rejected';
      return { kind: 'result', element: t.element, args: { id, ok: false, reason: reason.slice(0, 128) } };
    }
    return { kind: 'skip', element: t.element, reason: `interim status ${t.status}` };
  });
}
