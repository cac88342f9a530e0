/**
 * The SDK's entry point: what `import ... from 'sovereign-ledger'` gives a bank's or an
 * agency's program (package.json "exports"). Clients over HTTP and a WebSocket that
 * reconnects, typed errors, transaction builders and a wallet, the helpers integrators need
 * first (trusted validator set from genesis, proven balances, receipts, amounts, batches),
 * verification of proven answers, decoded events and args, and the module-level SDKs
 * (credentials, data exchange, compliance, travel rule). Nothing of the node's internals.
 */
export {
  SovClient, SovSocket, RpcCallError, NodeUnreachableError, RpcTimeoutError, DEFAULT_TIMEOUT_MS, buildTx, TypedMethods,
  type Notification, type PageOptions, type TxParams,
} from './client.js';
export { ResilientSocket, type ResilientOptions, type Topic, type SubscribeFilter } from './resilient-socket.js';
export {
  trustGenesis, getBalance, waitForReceipt, sendTransactions, parseAmount, formatAmount, AmountError, ReceiptTimeoutError, GenesisTrustError, type TrustedChain,
} from './helpers.js';
export * from './index.js';
export { encodeAddress, decodeAddress, addressFromPublicKey, generateKeyPair, keyPairFromSecret, toHex, fromHex, to0x, SovError, ValidatorSet, Tx, type KeyPair } from '../../core/index.js';
export { money, account, comp, xchg, cred, gov, tax } from '../../vm/index.js';
