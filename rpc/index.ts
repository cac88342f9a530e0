/**
 * rpc/: JSON-RPC 2.0 for wallets, banks and agencies, over HTTP and WebSocket (with subscriptions), with
 * every method declared once (schemas -> validation and the OpenRPC document).
 */
import { Type } from '@sinclair/typebox';
import { MethodRegistry } from './registry.js';
import { chainMethods, type RpcContext } from './methods/chain.js';
import { queryMethods } from './methods/query.js';
import { subscribeMethods } from './methods/subscribe.js';
import { adminMethods } from './methods/admin.js';
import { credMethods } from './methods/cred.js';
import { xchgMethods } from './methods/xchg.js';
import { progMethods } from './methods/prog.js';
import { taxMethods } from './methods/tax.js';
import { evidMethods } from './methods/evid.js';
import { compMethods } from './methods/comp.js';
import { compBacktestMethods } from './methods/comp-backtest.js';
import { openRpcDocument } from './openrpc.js';
import { BUILTIN, type Registry } from '../vm/index.js';

export * from './errors.js';
export * from './facade.js';
export { MethodRegistry, param, type MethodSpec, type ParamSpec } from './registry.js';
export { ConsoleFiles, CONSOLE_DIR, HttpRpcServer, isJsonContentType, type HttpRpcOptions, type Readiness } from './http-server.js';
export { errorResponse, handleJsonRpc, jsonDepthExceeds, responseJson, SerializedResult, MAX_JSON_DEPTH, type CallGate, type JsonRpcResponse, type MaybePromise } from './jsonrpc.js';
export { AccessControl, ROLES, hashSecret, mayCall, mintSecret, presentedSecret, type AccessOptions, type ApiKey, type Caller, type Role } from './access.js';
export { RateLimiter, type Grant, type LimiterOptions, type Rate } from './limiter.js';
export { openRpcDocument } from './openrpc.js';
export * from './records.js';
export { BundleError, credProofBundle, openCredProofBundle, type CredProofBundle, type CredProofRecord, type OpenBundleOptions } from './cred-proofs.js';
export { argsJson, decodeEventView, eventFields, eventView } from './decode.js';
export {
  equivocations, equivocationView, verifyEquivocations, MAX_EQUIVOCATIONS, type EquivocationsQuery, type EquivocationsVerifyContext, type EquivocationsView, type EquivocationView, type VoteView,
} from './evid-query.js';
export type { RpcContext, SubscriptionHost } from './methods/chain.js';
export { WsRpcServer, type WsRpcOptions } from './ws-server.js';

/** The node's method registry: every method, plus `rpc.discover` describing them all. `modules`: the chain's module registry (the built-in modules by default). */
export function buildRegistry(version: string, modules: Registry = BUILTIN): MethodRegistry<RpcContext> {
  const reg = new MethodRegistry<RpcContext>();
  for (const m of [...chainMethods, ...queryMethods(modules), ...subscribeMethods, ...adminMethods, ...credMethods, ...xchgMethods, ...compMethods, ...compBacktestMethods, ...progMethods, ...taxMethods, ...evidMethods]) reg.add(m);
  reg.add({
    name: 'rpc.discover',
    summary: 'The OpenRPC document of every method.',
    params: [],
    result: Type.Object({ openrpc: Type.String(), info: Type.Object({}), methods: Type.Array(Type.Object({})) }, { additionalProperties: true }),
    handler: async () => openRpcDocument(reg.list(), { title: 'Sovereign Ledger JSON-RPC', version }),
  });
  return reg;
}
export {
  SovClient, SovSocket, RpcCallError, buildTx, verifyRecord, VerifyError, loadKeystore, argsFromJson, describeArgs, methodArgsFromJson, describeMethodArgs, ArgsError, txBuilders, Wallet, ActionKind, makeAction,
  type Notification, type PageOptions, type VerifyOptions, type TxParams, type ArgsOf, type MethodName, type ModuleBuilders, type ModuleName, type ModuleSenders, type SendOptions, type SignerSpec, type TxOptions,
} from './client/index.js';
export * from './client/cred/index.js';
export {
  exportStatusList, issueBatch, ledgerRefOf, verifyCredentialPackage, type CredentialPackage, type CredentialSubjectInput, type CredentialVerdict, type ExportStatusListInput, type IssueBatchInput,
  type LedgerRef,
  type VerifyCredentialContext,
} from './client/credentials.js';
export {
  verifyXchgReceipt, verifyDocProof, XchgVerifyError, XchgError, XCHG_ERRORS, xchgRecordToJson, xchgRecordFromJson, RECEIPT_TYPE, DOC_PROOF_TYPE,
  xchgBatch, sendXchgRecords, nextRecordSeq, payloadDigest, consentRef, signDocument, exportReceiptContainer, verifyReceiptContainer, RECEIPT_CONTAINER_TYPE,
  type XchgReceipt, type XchgDocProof, type XchgErrorCode, type XchgRecordJson, type XchgVerifyOptions, type VerifiedReceipt, type VerifiedDocument, type CertifiedState,
  type XchgPageQuery, type XchgRecordView, type XchgBatch, type XchgRecordInput, type ReceiptContainer,
} from './client/index.js';
export {
  compRegisterRuleArgs, compSetRuleStatusArgs, compUpdateListArgs, compSetJurisdictionArgs, compHoldDecisionArgs, compListEntry, compRuleResult, compTemplateSource, parseRuleId,
  sendCompTx, compRules, compAlerts, compHolds, compAllAlerts, compAllHolds, CompError, COMP_ERRORS, RULE_ACTIONS, RULE_STATUSES,
  type CompRuleInput, type CompTxOutcome, type CompPage, type CompErrorCode, type RuleActionName, type RuleStatusName, type PaymentType, type CompRegisterRuleArgs,
  type CompSetRuleStatusArgs, type CompUpdateListArgs, type CompSetJurisdictionArgs, type CompHoldDecisionArgs, type CompAlertQuery, type CompAlertView, type CompHoldQuery,
  type CompHoldView, type CompRuleView,
} from './client/index.js';
export {
  sealTravelRule, openTravelRule, travelDigest, travelKeyPair, travelPublicKey, travelPrivateKey, checkIvms101, TravelRuleError,
  type Ivms101Payload, type Ivms101Person, type Ivms101Name, type TravelRecipient,
} from './client/index.js';
export { BankAdapter, BankMessageError, BANK_ERRORS, buildPacs002, parsePacs008, parseCamt054, parsePacs002, buildPacs008, buildCamt054, type SchemaTexts, type BankErrorCode } from './client/index.js';
export { verifyProgramReport, verifyProgramRow, ledgerPresentation, type ProgVerifyContext, type VerifiedProgramReport, type VerifiedProgramRow, type ProgPaymentQuery, type ProgPaymentView, type ProgReportView, type ProgRowView } from './client/index.js';
export {
  taxRegisterRuleArgs, taxRetireRuleArgs, taxClaimExemptionArgs, taxRuleIdResult, sendTaxTx, taxRules, taxTotals, verifyTaxRules, verifyTaxTotals, TaxError, TAX_ERRORS, TAX_BASES, TAX_PAYERS,
  type TaxRuleInput, type TaxTxOutcome, type TaxVerifyContext, type VerifiedTaxRules, type VerifiedTaxTotals, type TaxErrorCode, type TaxBaseName, type TaxPayerName, type TaxPaymentType,
  type TaxRegisterRuleArgs, type TaxRetireRuleArgs, type TaxClaimExemptionArgs, type TaxRulesView, type TaxRuleView, type TaxTotalsQuery, type TaxTotalsView, type TaxTotalView,
} from './client/index.js';
