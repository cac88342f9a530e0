/**
 * The SDK's entry point for a browser (package.json "exports" "." "browser", which bundlers
 * building for the browser choose): what a wallet in a web page needs, and nothing that
 * needs Node. The clients over HTTP (fetch) and WebSocket (the page's own, through
 * browser-ws.ts), typed errors, transaction builders and a wallet signing locally, addresses
 * and keys, amounts, the trusted validator set from a genesis given as text, proven balances
 * and any proven record checked offline, receipts, decoded events and args, the vm's
 * schemas, and the offline checks of compliance reads and data-exchange receipts. Each
 * export is the same as in sdk.ts, Node's entry. Not here: reading keystores or genesis
 * files by path, credentials (issuing, SD-JWT, status lists: node:crypto and node:zlib),
 * the travel rule and the bank adapter (node:crypto). It gives the page a global Buffer if
 * it has none (browser-buffer.ts), imported first: the ledger's modules use it as they load.
 */
import './browser-buffer.js';
export {
  SovClient, SovSocket, RpcCallError, NodeUnreachableError, RpcTimeoutError, DEFAULT_TIMEOUT_MS, buildTx, TypedMethods,
  type Notification, type PageOptions, type TxParams,
} from './client.js';
export { ResilientSocket, type ResilientOptions, type Topic, type SubscribeFilter } from './resilient-socket.js';
export {
  trustGenesis, getBalance, waitForReceipt, sendTransactions, parseAmount, formatAmount, AmountError, ReceiptTimeoutError, GenesisTrustError, type TrustedChain,
} from './helpers.js';
export { verifyRecord, VerifyError, type VerifyOptions } from './verify.js';
export * from '../facade.js';
export { recordKey, recordKinds, recordToJson, headerFromView, commitFromView, RECORD_KINDS } from '../records.js';
export { argsJson, decodeEventView, eventFields, eventView } from '../decode.js';
export { argsFromJson, describeArgs, methodArgsFromJson, describeMethodArgs, ArgsError } from './args-json.js';
export {
  txBuilders, Wallet, type ArgsOf, type MethodName, type ModuleBuilders, type ModuleName, type ModuleSenders, type SendOptions, type SignerSpec, type TxOptions,
} from './builders.js';
export { ActionKind, makeAction } from '../../vm/index.js';
export {
  verifyXchgReceipt, verifyDocProof, XchgVerifyError, XchgError, XCHG_ERRORS, recordToJson as xchgRecordToJson, recordFromJson as xchgRecordFromJson, RECEIPT_TYPE, DOC_PROOF_TYPE,
  type XchgReceipt, type XchgDocProof, type XchgErrorCode, type XchgRecordJson, type XchgVerifyOptions, type VerifiedReceipt, type VerifiedDocument, type CertifiedState,
} from '../xchg-receipts.js';
export type { XchgPageQuery, XchgRecordView } from '../xchg-query.js';
export {
  compRegisterRuleArgs, compSetRuleStatusArgs, compUpdateListArgs, compSetJurisdictionArgs, compHoldDecisionArgs, compListEntry, compRuleResult, compTemplateSource, parseRuleId,
  sendCompTx, compRules, compAlerts, compHolds, compAllAlerts, compAllHolds, CompError, COMP_ERRORS, RULE_ACTIONS, RULE_STATUSES,
  type CompRuleInput, type CompTxOutcome, type CompPage, type CompErrorCode, type RuleActionName, type RuleStatusName, type PaymentType, type CompRegisterRuleArgs,
  type CompSetRuleStatusArgs, type CompUpdateListArgs, type CompSetJurisdictionArgs, type CompHoldDecisionArgs, type CompAlertQuery, type CompAlertView, type CompHoldQuery,
  type CompHoldView, type CompRuleView,
} from './comp.js';
export { encodeAddress, decodeAddress, addressFromPublicKey, generateKeyPair, keyPairFromSecret, toHex, fromHex, to0x, SovError, ValidatorSet, Tx, type KeyPair } from '../../core/index.js';
export { money, account, comp, xchg, cred, gov, tax } from '../../vm/index.js';
