/**
 * pacs.008.001.09 (FIToFICustomerCreditTransfer): read and built. The adapter builds one
 * for each ledger event its bank must act on: a ramp `payout_requested` (pay the holder's
 * bank account; its end-to-end id `sov-payout-<id>` carries the payout id back in the
 * pacs.002) and a money `waterfall` (credit the customer's linked account with the excess
 * over its holding limit; end-to-end id `sov-wf-<tx hash>-<event>`). Each gets a fresh UETR.
 */
import { randomUUID } from 'node:crypto';
import { bankFail } from './errors.js';
import { accountIdNode, checkEndToEndId, checkUetr, isoDateTime, minorToAmount, readAccountId, readAmount } from './refs.js';
import { buildIsoDocument, El, messageRoot, parseIsoDocument, type XNode } from './xml.js';

export const PACS008 = 'pacs.008.001.09';
const ROOT = 'FIToFICstmrCdtTrf';
const BIC_RE = /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/;

export interface CreditTransferTx {
  readonly instrId: string | null;
  readonly endToEndId: string;
  readonly uetr: string | null;
  readonly amount: { currency: string; text: string };
  /** SLEV, SHAR, DEBT or CRED. */
  readonly chargeBearer: string;
  readonly debtorName: string | null;
  readonly debtorAccount: string | null;
  /** A BIC, or an agent name when not a BIC. */
  readonly debtorAgent: string;
  readonly creditorAgent: string;
  readonly creditorName: string | null;
  readonly creditorAccount: string | null;
  readonly remittance: string | null;
}
export interface CreditTransfer {
  readonly msgId: string;
  readonly creDtTm: string;
  /** CLRG, INDA, INGA or COVE. */
  readonly settlementMethod: string;
  readonly txs: readonly CreditTransferTx[];
}

export function parsePacs008(xml: string): CreditTransfer {
  const doc = parseIsoDocument(xml);
  if (doc.messageId !== PACS008) bankFail('BANK_UNSUPPORTED_MESSAGE', `expected ${PACS008}, got ${doc.messageId}`, { element: 'Document' });
  const root = messageRoot(doc, ROOT);
  const hdr = root.need('GrpHdr');
  const txs = root.all('CdtTrfTxInf');
  if (txs.length === 0) bankFail('BANK_MISSING_ELEMENT', `${root.path}/CdtTrfTxInf is missing`, { element: `${root.path}/CdtTrfTxInf` });
  const nb = hdr.needText('NbOfTxs');
  if (nb !== String(txs.length)) hdr.bad(`NbOfTxs is ${nb} but the message has ${txs.length}`, 'NbOfTxs');
  return { msgId: hdr.needText('MsgId'), creDtTm: hdr.needText('CreDtTm'), settlementMethod: hdr.need('SttlmInf').needText('SttlmMtd'), txs: txs.map(readTx) };
}

const agent = (e: El): string => {
  const fi = e.need('FinInstnId');
  return fi.optText('BICFI') ?? fi.optText('Nm') ?? fi.opt('Othr')?.needText('Id') ?? bankFail('BANK_MISSING_ELEMENT', `${fi.path}/BICFI is missing`, { element: `${fi.path}/BICFI` });
};
const account = (e: El | null): string | null => (e === null ? null : readAccountId(e));

function readTx(t: El): CreditTransferTx {
  const id = t.need('PmtId');
  const uetr = id.optText('UETR');
  return {
    instrId: id.optText('InstrId'), endToEndId: checkEndToEndId(id.needText('EndToEndId'), `${id.path}/EndToEndId`), uetr: uetr === null ? null : checkUetr(uetr, `${id.path}/UETR`),
    amount: readAmount(t.need('IntrBkSttlmAmt')), chargeBearer: t.needText('ChrgBr'),
    debtorName: t.need('Dbtr').optText('Nm'), debtorAccount: account(t.opt('DbtrAcct')), debtorAgent: agent(t.need('DbtrAgt')),
    creditorAgent: agent(t.need('CdtrAgt')), creditorName: t.need('Cdtr').optText('Nm'), creditorAccount: account(t.opt('CdtrAcct')),
    remittance: t.opt('RmtInf')?.optText('Ustrd') ?? null,
  };
}

const agentNode = (a: string): XNode => ({ FinInstnId: BIC_RE.test(a) ? { BICFI: a } : { Nm: a } }) as XNode;

/** The pacs.008.001.09 XML of `m` (the fields this adapter maps, in schema order). */
export function buildPacs008(m: CreditTransfer): string {
  const body = {
    GrpHdr: { MsgId: m.msgId, CreDtTm: m.creDtTm, NbOfTxs: String(m.txs.length), SttlmInf: { SttlmMtd: m.settlementMethod } },
    CdtTrfTxInf: m.txs.map((t) => ({
      PmtId: { ...(t.instrId !== null ? { InstrId: t.instrId } : {}), EndToEndId: t.endToEndId, ...(t.uetr !== null ? { UETR: t.uetr } : {}) },
      IntrBkSttlmAmt: { '@Ccy': t.amount.currency, '#text': t.amount.text }, ChrgBr: t.chargeBearer,
      Dbtr: t.debtorName !== null ? { Nm: t.debtorName } : {}, ...(t.debtorAccount !== null ? { DbtrAcct: { Id: accountIdNode(t.debtorAccount) } } : {}),
      DbtrAgt: agentNode(t.debtorAgent), CdtrAgt: agentNode(t.creditorAgent),
      Cdtr: t.creditorName !== null ? { Nm: t.creditorName } : {}, ...(t.creditorAccount !== null ? { CdtrAcct: { Id: accountIdNode(t.creditorAccount) } } : {}),
      ...(t.remittance !== null ? { RmtInf: { Ustrd: t.remittance } } : {}),
    })),
  };
  return buildIsoDocument(PACS008, ROOT, body as unknown as XNode);
}

/** The bank's side of the outgoing transfers: who pays, from which account, and the currencies' ISO codes. */
export interface BankIdentity {
  /** The bank's BIC (or its name, when it has none). */
  readonly bic: string;
  readonly name: string;
  /** The bank's own account the payouts are paid from. */
  readonly settlementAccount: string;
  /** Ledger currency code -> ISO currency code and decimals. */
  readonly isoCurrencies: Readonly<Record<string, { readonly iso: string; readonly decimals: number }>>;
}

/** A ledger event the bank acts on (its decoded fields, as the RPC gives them). */
export interface PayoutRequestedFields { id: number; currency: string; holder: string; bank: string; bankAccountId: string; amount: string }
export interface WaterfallFields { currency: string; account: string; bank: string; linkedRef: string; amount: string }

export const payoutEndToEndId = (id: number): string => `sov-payout-${id}`;
/** The payout id an end-to-end id (ours) carries, or null. */
export function payoutIdOf(endToEndId: string | null): number | null {
  const m = endToEndId === null ? null : /^sov-payout-([0-9]{1,15})$/.exec(endToEndId);
  return m ? Number(m[1]) : null;
}

function isoAmount(bank: BankIdentity, currency: string, amount: string): { currency: string; text: string } {
  const c = bank.isoCurrencies[currency] ?? bankFail('BANK_CONFIG', `no ISO currency configured for the ledger currency ${currency}`);
  if (!/^[0-9]{1,30}$/.test(amount)) bankFail('BANK_BAD_VALUE', `a ledger amount "${amount}" is not minor units`);
  return { currency: c.iso, text: minorToAmount(BigInt(amount), c.decimals) };
}

function transfer(bank: BankIdentity, tx: Omit<CreditTransferTx, 'chargeBearer' | 'debtorName' | 'debtorAccount' | 'debtorAgent' | 'creditorAgent'>, now: number, msgId: string): CreditTransfer {
  return {
    msgId, creDtTm: isoDateTime(now), settlementMethod: 'CLRG',
    txs: [{ ...tx, chargeBearer: 'SLEV', debtorName: bank.name, debtorAccount: bank.settlementAccount, debtorAgent: bank.bic, creditorAgent: bank.bic }],
  };
}

/** The pacs.008 that pays out a ramp redemption to the holder's bank account. */
export function payoutTransfer(bank: BankIdentity, p: PayoutRequestedFields, now = Date.now(), uetr: string = randomUUID()): CreditTransfer {
  const e2e = payoutEndToEndId(p.id);
  return transfer(bank, {
    instrId: e2e, endToEndId: e2e, uetr, amount: isoAmount(bank, p.currency, p.amount), creditorName: p.holder, creditorAccount: p.bankAccountId,
    remittance: `Sovereign Ledger redemption ${p.id} of ${p.currency}`,
  }, now, e2e);
}

/** The end-to-end id of the pacs.008 for the waterfall of event `event` of tx `txHash`. */
export const waterfallEndToEndId = (txHash: string, event: number): string => `sov-wf-${txHash.replace(/^0x/, '').slice(0, 16)}-${event}`;

/** The pacs.008 that credits a customer's linked account with a waterfall's excess (event `event` of tx `txHash`). */
export function waterfallTransfer(bank: BankIdentity, w: WaterfallFields, txHash: string, event: number, now = Date.now(), uetr: string = randomUUID()): CreditTransfer {
  const e2e = waterfallEndToEndId(txHash, event);
  return transfer(bank, {
    instrId: e2e, endToEndId: e2e, uetr, amount: isoAmount(bank, w.currency, w.amount), creditorName: w.account, creditorAccount: w.linkedRef,
    remittance: `Sovereign Ledger holding-limit waterfall of ${w.currency}`,
  }, now, e2e);
}
