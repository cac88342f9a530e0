/**
 * rpc/client/: the typed TypeScript SDK for wallets, banks and agencies: HTTP and WebSocket
 * clients for every method, subscriptions, transaction builders, and the verification of
 * proven answers against a trusted validator set.
 */
export { SovClient, SovSocket, RpcCallError, TypedMethods, buildTx, type Notification, type PageOptions, type TxParams } from './client.js';
export { verifyRecord, VerifyError, type VerifyOptions } from './verify.js';
export * from '../facade.js';
export { recordKey, recordKinds, recordToJson, headerFromView, commitFromView, RECORD_KINDS } from '../records.js';
export { argsJson, decodeEventView, eventFields, eventView } from '../decode.js';
export { loadKeystore } from './keys.js';
export { argsFromJson, describeArgs, methodArgsFromJson, describeMethodArgs, ArgsError } from './args-json.js';
export {
  txBuilders, Wallet, type ArgsOf, type MethodName, type ModuleBuilders, type ModuleName, type ModuleSenders, type SendOptions, type SignerSpec, type TxOptions,
} from './builders.js';
export { ActionKind, makeAction } from '../../vm/index.js';
export * from './cred/index.js';
export {
  exportStatusList, issueBatch, ledgerRefOf, verifyCredentialPackage, type CredentialPackage, type CredentialSubjectInput, type CredentialVerdict, type ExportStatusListInput, type IssueBatchInput,
  type LedgerRef,
  type VerifyCredentialContext,
} from './credentials.js';
export {
  verifyXchgReceipt, verifyDocProof, XchgVerifyError, XchgError, XCHG_ERRORS, recordToJson as xchgRecordToJson, recordFromJson as xchgRecordFromJson, RECEIPT_TYPE, DOC_PROOF_TYPE,
  type XchgReceipt, type XchgDocProof, type XchgErrorCode, type XchgRecordJson, type XchgVerifyOptions, type VerifiedReceipt, type VerifiedDocument, type CertifiedState,
} from '../xchg-receipts.js';
export type { XchgPageQuery, XchgRecordView } from '../xchg-query.js';
export { verifyProgramReport, verifyProgramRow, ledgerPresentation, type ProgVerifyContext, type VerifiedProgramReport, type VerifiedProgramRow } from './prog.js';
export type { ProgPaymentQuery, ProgPaymentView, ProgReportView, ProgRowView } from '../prog-query.js';
export {
  xchgBatch, sendXchgRecords, nextRecordSeq, payloadDigest, consentRef, signDocument, exportReceiptContainer, verifyReceiptContainer, RECEIPT_CONTAINER_TYPE,
  type XchgBatch, type XchgRecordInput, type ReceiptContainer,
} from './xchg.js';
export {
  compRegisterRuleArgs, compSetRuleStatusArgs, compUpdateListArgs, compSetJurisdictionArgs, compHoldDecisionArgs, compListEntry, compRuleResult, compTemplateSource, parseRuleId,
  sendCompTx, compRules, compAlerts, compHolds, compAllAlerts, compAllHolds, CompError, COMP_ERRORS, RULE_ACTIONS, RULE_STATUSES,
  type CompRuleInput, type CompTxOutcome, type CompPage, type CompErrorCode, type RuleActionName, type RuleStatusName, type PaymentType, type CompRegisterRuleArgs,
  type CompSetRuleStatusArgs, type CompUpdateListArgs, type CompSetJurisdictionArgs, type CompHoldDecisionArgs, type CompAlertQuery, type CompAlertView, type CompHoldQuery,
  type CompHoldView, type CompRuleView,
} from './comp.js';
export {
  sealTravelRule, openTravelRule, travelDigest, travelKeyPair, travelPublicKey, travelPrivateKey, checkIvms101, TravelRuleError,
  type Ivms101Payload, type Ivms101Person, type Ivms101Name, type TravelRecipient,
} from './travel-rule.js';
export {
  BANK_ERRORS, BankMessageError, parseIsoDocument, ISO_NS_PREFIX, MAX_MESSAGE_CHARS, UETR_RE, checkUetr, checkEndToEndId, ledgerRef, amountToMinor, minorToAmount,
  CAMT054, parseCamt054, buildCamt054, camtDeposits, PACS008, parsePacs008, buildPacs008, payoutTransfer, waterfallTransfer, payoutEndToEndId, payoutIdOf,
  PACS002, parsePacs002, buildPacs002, statusResults, schemaProblems, checkSchema as checkIsoSchema, BankAdapter,
  type BankErrorCode, type ParsedDocument, type Camt054, type CamtEntry, type CamtNotification, type CamtTx, type CamtOutcome, type CurrencyMap, type DepositArgsJs,
  type CreditTransfer, type CreditTransferTx, type BankIdentity, type PayoutRequestedFields, type WaterfallFields, type StatusReport, type TxStatus, type StatusOutcome,
  type PayoutResultArgsJs, type SchemaProblem, type BankAdapterOptions, type InboundReport, type LedgerOutcome, type OutgoingMessage, type SchemaTexts,
} from './bank/index.js';
export {
  taxRegisterRuleArgs, taxRetireRuleArgs, taxClaimExemptionArgs, taxRuleIdResult, sendTaxTx, taxRules, taxTotals, verifyTaxRules, verifyTaxTotals, TaxError, TAX_ERRORS, TAX_BASES, TAX_PAYERS,
  type TaxRuleInput, type TaxTxOutcome, type TaxVerifyContext, type VerifiedTaxRules, type VerifiedTaxTotals, type TaxErrorCode, type TaxBaseName, type TaxPayerName, type TaxPaymentType,
  type TaxRegisterRuleArgs, type TaxRetireRuleArgs, type TaxClaimExemptionArgs, type TaxRulesView, type TaxRuleView, type TaxTotalsQuery, type TaxTotalsView, type TaxTotalView,
} from './tax.js';
