/**
 * rpc/client/bank/: the bank messaging adapter (ISO 20022) as SDK code. A bank runs it beside
 * its core system: camt.054.001.08 credit notifications become ramp deposits citing their
 * UETR or end-to-end id; ramp payouts become pacs.008.001.09 credit transfers, settled by
 * their pacs.002.001.11 status reports (a rejection returns the tokens); money waterfalls
 * become pacs.008 instructions to credit the customer's linked account. docs/bank-integration.md.
 */
export { BANK_ERRORS, BankMessageError, type BankErrorCode } from './errors.js';
export { parseIsoDocument, ISO_NS_PREFIX, MAX_MESSAGE_CHARS, type ParsedDocument } from './xml.js';
export { UETR_RE, checkUetr, checkEndToEndId, ledgerRef, amountToMinor, minorToAmount } from './refs.js';
export { CAMT054, parseCamt054, buildCamt054, camtDeposits, type Camt054, type CamtEntry, type CamtNotification, type CamtTx, type CamtOutcome, type CurrencyMap, type DepositArgsJs } from './camt054.js';
export {
  PACS008, parsePacs008, buildPacs008, payoutTransfer, waterfallTransfer, payoutEndToEndId, waterfallEndToEndId, payoutIdOf,
  type CreditTransfer, type CreditTransferTx, type BankIdentity, type PayoutRequestedFields, type WaterfallFields,
} from './pacs008.js';
export {
  PACS002, parsePacs002, buildPacs002, statusResults, txStatus,
  type StatusReport, type TxStatus, type GroupStatus, type OriginalGroup, type StatusOutcome, type StatusLookups, type PayoutResultArgsJs,
} from './pacs002.js';
export { CorrelationStore, CORRELATIONS_FILE, DEFAULT_MAX_CORRELATIONS, type Correlation } from './correlations.js';
export { schemaProblems, checkSchema, type SchemaProblem } from './schema.js';
export { BankAdapter, type BankAdapterOptions, type InboundReport, type LedgerOutcome, type OutgoingMessage, type SchemaTexts } from './adapter.js';
