/**
 * vm/: the deterministic ledger state machine. This file is the folder's whole public
 * surface: block and transaction execution, admission, genesis, the state interface and
 * its in-memory stand-in, receipts and events, the module descriptors and the registry with
 * every table derived from it (keys, prefixes, codes, parameters, actions, record schemas),
 * and each built-in module's schemas for clients.
 */
export { VmError, vmCodeName, codeNumber, fail, type VmCode } from './errors.js';
export { Overlay, MemoryState, keyId, mapMaybe, type MaybePromise, type StateReader, type StateStore, type Write, type WriteSet } from './state.js';
export { u64be, record, keyPattern } from './keys.js';
export { ChainMetaSchema, CounterSchema, ParamValueSchema, type ChainMeta } from './records.js';
export { defaultParams, NEW_CHAIN_PARAMS, isParamName, loadParams, paramProblem, type ParamName, type Params } from './params.js';
export { EventSchema, ReceiptCommitmentSchema, ReceiptSchema, ReceiptStatus, receiptBytes, receiptHash, receiptHashOfBytes, resultsRootOf, type Event, type Receipt } from './receipts.js';
export { TxContext, type BlockContext, type ValidatorUpdate } from './context.js';
export {
  action, code, defineModule, event, field, method, type ActionDef, type CodeSpec, type EventSpec, type GenesisField, type GenesisSection, type GenesisStep,
  type GenesisStepContext, type KeyArgs, type KeyField, type KeyFieldKind, type MethodDef, type ModuleDescriptor, type ModuleHooks, type Movement, type Payment, type PaymentDecision, type Levy, type IndexSpec, type IndexEntry, type ParamSpec,
  type RecordSpec,
} from './module.js';
export {
  createRegistry, eventSpec, findMethod, recordOfKey, RegistryError, type ActionEntry, type CodeEntry, type GenesisFieldEntry, type ParamEntry, type RecordEntry,
  type Registry,
} from './registry.js';
export { ENGINE } from './engine.js';
export { decodeAction, makeActionIn, runAction, type ProposalActionValue } from './actions.js';
export { authenticate, type AuthOptions } from './auth.js';
export { commitBlock, executeBlock, type BlockResult, type EvidenceRejection, type ExecuteOptions, type Rejection } from './execute.js';
export { admissionProblem, checkTx, readAccount, type AdmissionInput, type CheckOptions, type CheckResult } from './check.js';
export { applyGenesis, genesisSchemaOf, GenesisSchema, FIRST_FORMAT_FIELDS, type GenesisDoc, type GenesisResult } from './genesis.js';
export { readRecord, recordSchemaOf } from './query.js';
export { renderVmDoc, vmDocSections, shapeText } from './docs.js';
export { BUILTIN, BUILTIN as MODULES, Keys, Prefix, VmCodes, PARAM_SPECS, PARAM_NAMES, ActionKind, ACTIONS, makeAction } from './builtin.js';
export { MODULE_DEFS } from './modules/index.js';
export { escrowAddress, nextId } from './lib/ids.js';
export * as account from './modules/account/index.js';
export * as gov from './modules/gov/index.js';
export * as money from './modules/money/index.js';
export * as ramp from './modules/ramp/index.js';
export * as lock from './modules/lock/index.js';
export * as grant from './modules/grant/index.js';
export * as cred from './modules/cred/index.js';
export * as xchg from './modules/xchg/index.js';
export * as comp from './modules/comp/index.js';
export * as prog from './modules/prog/index.js';
export * as tax from './modules/tax/index.js';
export * as evid from './modules/evid/index.js';
// The built-in modules' records and enums, by name (clients, genesis and the node read them).
export {
  AccountKind, AccountSchema, AccountStatus, everHeldKey, heldKeyAt, KeyHistorySchema, MAX_ACCOUNT_KEYS, type Account, type KeyHistory,
} from './modules/account/records.js';
export {
  ALL_ROLES, ApprovalSchema, CouncilSchema, InstitutionSchema, MAX_COUNCIL, ProposalActionSchema, ProposalSchema, ProposalStatus, Role, ROLE_NAMES, ValidatorEntrySchema,
  ValidatorListSchema, ValidatorNodeSchema, type Council, type Institution, type Proposal, type ProposalAction, type ValidatorEntry,
} from './modules/gov/records.js';
export {
  BalanceSchema, BankLimitSchema, CURRENCY_CODE_RE, currencyCode, CurrencyKind, CurrencyListSchema, CurrencySchema, MAX_CURRENCIES, MAX_DECIMALS, MAX_TIERS,
  TierPolicySchema, UsageSchema, type BankLimit, type Currency, type TierPolicy, type Usage, type UsageBucket,
} from './modules/money/records.js';
export { PayoutSchema, PayoutStatus, ReserveSchema, UsedReferenceSchema, VirtualAccountSchema, type Payout, type Reserve, type VirtualAccount } from './modules/ramp/records.js';
export { LockKind, LockSchema, LockStatus, type Lock } from './modules/lock/records.js';
export { GrantSchema, type Grant } from './modules/grant/records.js';
