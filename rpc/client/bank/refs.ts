/**
 * The formats the adapter checks on the fields it maps: the UETR (ISO 20022 UUIDv4Identifier:
 * lower-case UUID version 4), the end-to-end id (Max35Text, and not the NOTPROVIDED
 * placeholder, which cannot be a unique reference), amounts (a decimal with at most the
 * currency's decimals, read exactly into bigint minor units), and account identifiers (IBAN
 * or another id of at most 34 characters). The ledger reference a deposit cites is the UETR
 * when there is one, else `e2e:` and the end-to-end id.
 */
import { bankFail } from './errors.js';
import type { El } from './xml.js';

export const UETR_RE = /^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$/;
export const IBAN_RE = /^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}$/;
export const CCY_RE = /^[A-Z]{3}$/;
const MAX35 = 35;

export function checkUetr(v: string, element: string): string {
  if (!UETR_RE.test(v)) bankFail('BANK_BAD_VALUE', `${element}: "${v.slice(0, 60)}" is not a UETR (a lower-case UUID version 4)`, { element });
  return v;
}

export function checkEndToEndId(v: string, element: string): string {
  if (v.length === 0 || v.length > MAX35) bankFail('BANK_BAD_VALUE', `${element}: an end-to-end id has 1 to 35 characters`, { element });
  if (v === 'NOTPROVIDED') bankFail('BANK_BAD_VALUE', `${element}: NOTPROVIDED cannot be a unique reference (give a UETR)`, { element });
  if (/[\u0000-\u001f\u007f]/.test(v)) bankFail('BANK_BAD_VALUE', `${element}: control characters in an end-to-end id`, { element });
  return v;
}

/** The ledger reference a payment is cited by: its UETR, else `e2e:` + its end-to-end id. */
export function ledgerRef(uetr: string | null, endToEndId: string | null, element: string): string {
  if (uetr !== null) return uetr;
  if (endToEndId !== null) return `e2e:${endToEndId}`;
  return bankFail('BANK_MISSING_ELEMENT', `${element}: neither a UETR nor an end-to-end id to cite`, { element });
}

/** A decimal amount text as minor units with `decimals` places; more places than that (non-zero) is an error. */
export function amountToMinor(text: string, decimals: number, element: string): bigint {
  const m = /^([0-9]{1,18})(?:\.([0-9]{1,5}))?$/.exec(text);
  if (m === null) bankFail('BANK_BAD_VALUE', `${element}: "${text.slice(0, 40)}" is not an amount (digits, at most 5 decimals)`, { element });
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > decimals) bankFail('BANK_BAD_VALUE', `${element}: ${text} has more than the currency's ${decimals} decimals`, { element });
  return BigInt(m[1]!) * 10n ** BigInt(decimals) + BigInt((frac + '0'.repeat(decimals)).slice(0, decimals) || '0');
}

/** Minor units as an ISO 20022 decimal amount text. */
export function minorToAmount(minor: bigint, decimals: number): string {
  if (minor < 0n) bankFail('BANK_BAD_VALUE', 'a negative amount');
  if (decimals === 0) return minor.toString();
  const s = minor.toString().padStart(decimals + 1, '0');
  return `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
}

/** An amount element with its Ccy attribute. */
export function readAmount(e: El): { currency: string; text: string } {
  const currency = e.attr('Ccy');
  if (currency === null || !CCY_RE.test(currency)) e.bad('the Ccy attribute must be a three-letter currency code');
  const text = e.text();
  if (text === '') e.bad('an empty amount');
  return { currency, text };
}

/** An account id (AccountIdentification4Choice): its IBAN or Othr/Id. */
export function readAccountId(acct: El): string {
  const id = acct.need('Id');
  const iban = id.optText('IBAN');
  if (iban !== null) {
    if (!IBAN_RE.test(iban)) id.bad(`"${iban.slice(0, 40)}" is not an IBAN`, 'IBAN');
    return iban;
  }
  const othr = id.opt('Othr');
  if (othr === null) return bankFail('BANK_MISSING_ELEMENT', `${id.path}: IBAN or Othr/Id is missing`, { element: `${id.path}/IBAN` });
  const v = othr.needText('Id');
  if (v.length > 34) othr.bad('an account id has at most 34 characters', 'Id');
  return v;
}

/** The AccountIdentification4Choice of an account id, for building. */
export function accountIdNode(id: string): Record<string, unknown> {
  if (id.length === 0 || id.length > 34) bankFail('BANK_BAD_VALUE', `an account id has 1 to 34 characters: "${id.slice(0, 40)}"`);
  return IBAN_RE.test(id) ? { IBAN: id } : { Othr: { Id: id } };
}

/** An ISO date-time of now (or `ms`), to the second, UTC. */
export function isoDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
