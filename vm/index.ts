/**
 * vm/: the deterministic ledger state machine. This file is the folder's whole public
 * surface: block and transaction execution, the mempool check, genesis, the state interface
 * and its in-memory stand-in, receipts and events, the key table and record schemas for
 * queries, parameters, error codes, and the native modules' argument schemas for clients.
 */
export { VmCodes, VmError, vmCodeName, type VmCode } from './errors.js';
export { Overlay, MemoryState, keyId, mapMaybe, type MaybePromise, type StateReader, type StateStore, type Write, type WriteSet } from './state.js';
export { Keys, Prefix, u64be } from './keys.js';
export * from './records.js';
export { PARAM_SPECS, PARAM_NAMES, defaultParams, loadParams, paramProblem, type ParamName, type Params } from './params.js';
export { EventSchema, ReceiptCommitmentSchema, ReceiptSchema, ReceiptStatus, receiptBytes, receiptHash, receiptHashOfBytes, resultsRootOf, type Event, type Receipt } from './receipts.js';
export { TxContext, type BlockContext, type ValidatorUpdate } from './context.js';
export { method, registry, type MethodDef, type ModuleDef, type ModuleRegistry } from './module.js';
export { authenticate, type AuthOptions } from './auth.js';
export { commitBlock, executeBlock, type BlockResult, type ExecuteOptions, type Rejection } from './execute.js';
export { admissionProblem, checkTx, readAccount, type AdmissionInput, type CheckOptions, type CheckResult } from './check.js';
export { applyGenesis, GenesisSchema, type GenesisDoc, type GenesisResult } from './genesis.js';
export { readRecord, recordSchemaOf } from './query.js';
export { MODULES, MODULE_DEFS } from './modules/index.js';
export * as account from './modules/account.js';
export * as gov from './modules/gov.js';
export * as money from './modules/money.js';
export * as ramp from './modules/ramp.js';
export * as lock from './modules/lock.js';
export * as grant from './modules/grant.js';
export { ActionKind, ACTIONS, makeAction } from './modules/actions.js';
export { escrowAddress } from './modules/common.js';
