/**
 * camt.054.001.08 (BankToCustomerDebitCreditNotification): read and built. A booked credit
 * entry on an account the bank maps to the ledger (a virtual account) becomes a ramp
 * deposit, one per transaction detail, citing the transaction's UETR, else its end-to-end
 * id (format checked). Debits, unbooked entries and reversals are reported as skipped; an
 * entry whose fields fail their checks is reported with its typed error, the others go on.
 */
import { bankFail, BankMessageError } from './errors.js';
import { accountIdNode, amountToMinor, checkEndToEndId, checkUetr, ledgerRef, readAccountId, readAmount } from './refs.js';
import { buildIsoDocument, El, messageRoot, parseIsoDocument, type XNode } from './xml.js';

export const CAMT054 = 'camt.054.001.08';
const ROOT = 'BkToCstmrDbtCdtNtfctn';

export interface CamtTx {
  readonly endToEndId: string | null;
  readonly uetr: string | null;
  /** The transaction's own amount, when given (else the entry's). */
  readonly amount: { currency: string; text: string } | null;
}
export interface CamtEntry {
  readonly element: string;
  readonly amount: { currency: string; text: string };
  readonly credit: boolean;
  /** Sts/Cd (BOOK, PDNG, INFO, ...) or Sts/Prtry. */
  readonly status: string;
  readonly reversal: boolean;
  readonly bookingDate: string | null;
  readonly acctSvcrRef: string | null;
  readonly txs: readonly CamtTx[];
}
export interface CamtNotification {
  readonly id: string;
  /** The account (IBAN or other id) the entries are on. */
  readonly account: string;
  readonly entries: readonly CamtEntry[];
}
export interface Camt054 {
  readonly msgId: string;
  readonly creDtTm: string;
  readonly notifications: readonly CamtNotification[];
}

export function parseCamt054(xml: string): Camt054 {
  const doc = parseIsoDocument(xml);
  if (doc.messageId !== CAMT054) bankFail('BANK_UNSUPPORTED_MESSAGE', `expected ${CAMT054}, got ${doc.messageId}`, { element: 'Document' });
  return readCamt054(messageRoot(doc, ROOT));
}

export function readCamt054(root: El): Camt054 {
  const hdr = root.need('GrpHdr');
  const ntfctns = root.all('Ntfctn');
  if (ntfctns.length === 0) bankFail('BANK_MISSING_ELEMENT', `${root.path}/Ntfctn is missing`, { element: `${root.path}/Ntfctn` });
  return {
    msgId: hdr.needText('MsgId'), creDtTm: hdr.needText('CreDtTm'),
    notifications: ntfctns.map((n) => ({ id: n.needText('Id'), account: readAccountId(n.need('Acct')), entries: n.all('Ntry').map(readEntry) })),
  };
}

function readEntry(e: El): CamtEntry {
  const ind = e.needText('CdtDbtInd');
  if (ind !== 'CRDT' && ind !== 'DBIT') e.bad('CdtDbtInd is CRDT or DBIT', 'CdtDbtInd');
  const sts = e.need('Sts');
  const status = sts.optText('Cd') ?? sts.optText('Prtry') ?? bankFail('BANK_MISSING_ELEMENT', `${sts.path}/Cd is missing`, { element: `${sts.path}/Cd` });
  const bookg = e.opt('BookgDt');
  const txs = e.all('NtryDtls').flatMap((d) => d.all('TxDtls')).map((t): CamtTx => {
    const refs = t.opt('Refs');
    const uetr = refs?.optText('UETR') ?? null;
    const e2e = refs?.optText('EndToEndId') ?? null;
    const amt = t.opt('Amt');
    return { uetr, endToEndId: e2e, amount: amt === null ? null : readAmount(amt) };
  });
  return {
    element: e.path, amount: readAmount(e.need('Amt')), credit: ind === 'CRDT', status, reversal: e.optText('RvslInd') === 'true',
    bookingDate: bookg === null ? null : (bookg.optText('Dt') ?? bookg.optText('DtTm')), acctSvcrRef: e.optText('AcctSvcrRef'), txs,
  };
}

/** The camt.054.001.08 XML of `m` (the fields this adapter maps, in schema order). */
export function buildCamt054(m: Camt054): string {
  const body: XNode = {
    GrpHdr: { MsgId: m.msgId, CreDtTm: m.creDtTm },
    Ntfctn: m.notifications.map((n) => ({
      Id: n.id, Acct: { Id: accountIdNode(n.account) },
      Ntry: n.entries.map((e) => ({
        Amt: { '@Ccy': e.amount.currency, '#text': e.amount.text }, CdtDbtInd: e.credit ? 'CRDT' : 'DBIT', ...(e.reversal ? { RvslInd: 'true' } : {}),
        Sts: { Cd: e.status }, ...(e.bookingDate !== null ? { BookgDt: { Dt: e.bookingDate } } : {}), ...(e.acctSvcrRef !== null ? { AcctSvcrRef: e.acctSvcrRef } : {}),
        BkTxCd: { Domn: { Cd: 'PMNT', Fmly: { Cd: 'RCDT', SubFmlyCd: 'ESCT' } } },
        ...(e.txs.length ? {
          NtryDtls: {
            TxDtls: e.txs.map((t) => ({
              Refs: { ...(t.endToEndId !== null ? { EndToEndId: t.endToEndId } : {}), ...(t.uetr !== null ? { UETR: t.uetr } : {}) },
              ...(t.amount !== null ? { Amt: { '@Ccy': t.amount.currency, '#text': t.amount.text } } : {}),
            })),
          },
        } : {}),
      })),
    })),
  } as unknown as XNode;
  return buildIsoDocument(CAMT054, ROOT, body);
}

/** An ISO currency's ledger currency: its code and decimals. */
export type CurrencyMap = Readonly<Record<string, { readonly code: string; readonly decimals: number }>>;

/** The args of ramp.deposit (to: null: the bank's virtual account `bankAccountId`). */
export interface DepositArgsJs { currency: string; amount: bigint; bankRef: string; to: null; bankAccountId: string }

export type CamtOutcome =
  | { readonly kind: 'deposit'; readonly element: string; readonly args: DepositArgsJs }
  | { readonly kind: 'skip'; readonly element: string; readonly reason: string }
  | { readonly kind: 'error'; readonly element: string; readonly error: BankMessageError };

/** What each entry of a notification asks of the ledger: deposits for booked credits, the rest skipped or in error. */
export function camtDeposits(m: Camt054, currencies: CurrencyMap): CamtOutcome[] {
  const out: CamtOutcome[] = [];
  for (const n of m.notifications) {
    for (const e of n.entries) {
      if (!e.credit) out.push({ kind: 'skip', element: e.element, reason: 'a debit' });
      else if (e.status !== 'BOOK') out.push({ kind: 'skip', element: e.element, reason: `status ${e.status}, not booked` });
      else if (e.reversal) out.push({ kind: 'skip', element: e.element, reason: 'a reversal' });
      else out.push(...entryDeposits(n.account, e, currencies));
    }
  }
  return out;
}

function entryDeposits(account: string, e: CamtEntry, currencies: CurrencyMap): CamtOutcome[] {
  const txs = e.txs.length ? e.txs : [{ uetr: null, endToEndId: null, amount: null }];
  if (txs.length > 1 && txs.some((t) => t.amount === null)) {
    return [{ kind: 'error', element: e.element, error: new BankMessageError('BANK_MISSING_ELEMENT', `${e.element}: an entry with several transactions needs each one's Amt`, { element: `${e.element}/NtryDtls/TxDtls/Amt` }) }];
  }
  return txs.map((t, i): CamtOutcome => {
    const at = e.txs.length ? `${e.element}/NtryDtls/TxDtls${e.txs.length > 1 ? `[${i}]` : ''}` : e.element;
    try {
      const uetr = t.uetr === null ? null : checkUetr(t.uetr, `${at}/Refs/UETR`);
      const e2e = t.endToEndId === null ? null : t.endToEndId === 'NOTPROVIDED' && uetr !== null ? null : checkEndToEndId(t.endToEndId, `${at}/Refs/EndToEndId`);
      const amt = t.amount ?? e.amount;
      const cur = currencies[amt.currency] ?? bankFail('BANK_CONFIG', `${at}: no ledger currency for ${amt.currency}`, { element: `${at}/Amt` });
      const amount = amountToMinor(amt.text, cur.decimals, `${t.amount ? at : e.element}/Amt`);
      if (amount === 0n) bankFail('BANK_BAD_VALUE', `${at}/Amt: a zero amount`, { element: `${at}/Amt` });
      return { kind: 'deposit', element: at, args: { currency: cur.code, amount, bankRef: ledgerRef(uetr, e2e, `${at}/Refs`), to: null, bankAccountId: account } };
    } catch (err) {
      if (err instanceof BankMessageError) return { kind: 'error', element: at, error: err };
      throw err;
    }
  });
}
