/**
 * The bank adapter's typed errors. Every failure to read a bank message is a
 * `BankMessageError` with a stable code and, where there is one, the element it concerns
 * (`element`: a path such as `Document/BkToCstmrDbtCdtNtfctn/Ntfctn[0]/Ntry[1]/Amt`) and the
 * line and column of malformed XML. Nothing here throws anything else for bad input.
 */
import { SovError } from '../../../core/index.js';

export const BANK_ERRORS = {
  /** Not well-formed XML (or a DOCTYPE, which ISO 20022 messages never carry). */
  BANK_BAD_XML: 'the message is not well-formed XML',
  /** A message type or version the adapter does not read. */
  BANK_UNSUPPORTED_MESSAGE: 'not a supported ISO 20022 message or version',
  /** A required element is absent. */
  BANK_MISSING_ELEMENT: 'a required element is missing',
  /** An element's value is out of its format (an amount, a UETR, an end-to-end id, a code). */
  BANK_BAD_VALUE: "an element's value is not valid",
  /** The message fails its ISO 20022 XML schema. */
  BANK_SCHEMA_INVALID: 'the message fails its XML schema',
  /** The adapter's own configuration (a currency it has no mapping for, a bad BIC). */
  BANK_CONFIG: 'the adapter is not configured for this',
} as const;
export type BankErrorCode = keyof typeof BANK_ERRORS;

export class BankMessageError extends SovError {
  /** The element concerned (a path from the root), when known. */
  readonly element: string | null;
  constructor(code: BankErrorCode, message: string, meta: { element?: string | null; line?: number; col?: number; [k: string]: unknown } = {}) {
    super(code, message, meta);
    this.element = meta.element ?? null;
  }
}

export function bankFail(code: BankErrorCode, message: string, meta: { element?: string | null; line?: number; col?: number; [k: string]: unknown } = {}): never {
  throw new BankMessageError(code, message, meta);
}
