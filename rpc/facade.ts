/**
 * What the RPC layer needs from a node: a query/submit facade, implemented by node/, so the
 * RPC never reaches into the node's internals. Views are JSON-ready: bytes as 0x-hex,
 * amounts as decimal strings, addresses as bech32m.
 */
import type { SerializedResult } from './jsonrpc.js';
import type { IndexCursor, IndexItem, IndexRange } from '../state/index.js';

export interface StatusView {
  chainId: string;
  /** The bech32m prefix of this chain's addresses. */
  addressPrefix: string;
  moniker: string;
  nodeId: string;
  height: number;
  blockHash: string | null;
  stateRoot: string | null;
  time: number | null;
  peers: number;
  validator: string | null;
  syncing: boolean;
}

export interface HeaderView {
  version: number;
  chainId: string;
  height: number;
  time: number;
  lastBlockHash: string;
  lastCommitHash: string;
  txRoot: string;
  txCount: number;
  stateRoot: string;
  resultsRoot: string;
  validatorsHash: string;
  nextValidatorsHash: string;
  evidenceHash: string;
  proposer: string;
}

export interface CommitView {
  height: number;
  round: number;
  blockHash: string;
  signatures: { validator: string; signature: string }[];
}

export interface BlockView {
  hash: string;
  header: HeaderView;
  txs: string[];
  lastCommit: CommitView | null;
  commit: CommitView | null;
}

export interface SubmitView {
  hash: string;
  status: 'pending' | 'committed' | 'failed';
  height: number | null;
  code: number | null;
  message: string | null;
  /**
   * Admitted by this node: how many peers it relayed the transaction to. 0: none was linked;
   * it waits in this node's mempool and is offered to every peer that connects (a single
   * validator commits it itself).
   */
  relayedTo?: number;
}

export type AccountView = Record<string, unknown> & { address: string; nonce: number };

/** A connected peer node: its libp2p id, remote address, and whether it runs a validator. */
export interface PeerView {
  id: string;
  address: string | null;
  role: 'validator' | 'observer';
  direction: 'inbound' | 'outbound';
}

export interface MempoolView {
  count: number;
  bytes: number;
  maxTxs: number;
  maxBytes: number;
  maxPerAccount: number;
}

/** Operator views, served only to API keys with the admin role. Cheap, and never secrets. */
export interface NodeAdminFacade {
  peers(): Promise<PeerView[]>;
  mempool(): Promise<MempoolView>;
}

export interface NodeFacade extends NodeQueryFacade, NodeAdminFacade {
  status(): Promise<StatusView>;
  /** The block at `height` with its commit certificate, or null if there is none. */
  blockByHeight(height: number): Promise<BlockView | null>;
  /** The height of the block with this hash, or null if this node holds none (unknown, or pruned). */
  blockHeightOf(blockHash: Uint8Array): Promise<number | null>;
  /** Admit a signed transaction; with `wait`, resolve once it is committed (or fails). */
  submitTx(tx: Uint8Array, wait: boolean): Promise<SubmitView>;
  /** An account's state, or null when it does not exist. */
  account(address: string): Promise<AccountView | null>;
}

/** One event of a transaction: its module and name, and its data (the event schema's canonical bytes). */
export interface EventView {
  module: string;
  name: string;
  /** The event's canonical bytes, 0x-hex (what the receipt hash commits to). */
  data: string;
  /** The same decoded by its module's schema, with field names (null: no schema for it here). */
  fields: Record<string, unknown> | null;
}

export interface ReceiptView {
  status: 'ok' | 'failed';
  code: number;
  /** The vm's name of `code` (e.g. INSUFFICIENT_FUNDS), null on success. */
  codeName: string | null;
  message: string;
  work: number;
  events: EventView[];
  result: string;
}

export interface TxView {
  hash: string;
  height: number;
  index: number;
  /** The signed transaction's canonical bytes. */
  tx: string;
  signer: string;
  nonce: number;
  module: string;
  method: string;
  /** The method's args decoded by its schema, with field names (null: no such method here, or args that do not decode). */
  args: Record<string, unknown> | null;
  receipt: ReceiptView;
}

export interface ValidatorView {
  address: string;
  publicKey: string;
  power: number;
  /** The Ed25519 key its libp2p node must prove (0x-hex), or null if none is recorded. */
  nodeKey: string | null;
}

/**
 * A vm state record: which one, by kind and its key fields by name (the module registry's
 * record kinds: `address`, `currency` (a code), `id`, `name`, `bank`, `reference`,
 * `bankAccountId`, ...).
 */
export interface RecordQuery {
  kind: string;
  address?: string;
  currency?: string;
  id?: number;
  name?: string;
  readonly [field: string]: string | number | undefined;
}

export interface ProofView {
  /** The state proof (state's encodeProof), 0x-hex. */
  proof: string;
  header: HeaderView;
  commit: CommitView;
}

export interface RecordView {
  kind: string;
  /** The state key, 0x-hex. */
  key: string;
  height: number;
  /** The record decoded to JSON (amounts as decimal strings, bytes as 0x-hex, 20-byte addresses as bech32m), null when absent. */
  value: unknown;
  /** The stored bytes, 0x-hex, null when absent. */
  raw: string | null;
  /** With `prove`: the proof of `raw` (or absence) against the header's stateRoot, and that header's commit. */
  proof?: ProofView;
}

export interface PageCursor {
  height: number;
  index: number;
  event?: number;
}

export interface AccountTxsView {
  items: { height: number; index: number; hash: string }[];
  next: PageCursor | null;
}

export interface AccountEventsView {
  items: ({ height: number; index: number; event: number } & EventView)[];
  next: PageCursor | null;
}

/** What a committed block did: its view and, per transaction, signer, receipt status and events. */
export interface BlockActivity {
  block: BlockView;
  txs: { hash: string; index: number; signer: string; status: 'ok' | 'failed'; code: number; events: EventView[] }[];
}

/** The read methods added for wallets and banks; every node facade implements them. */
export interface NodeQueryFacade {
  /** Last committed height. */
  head(): number;
  txByHash(hash: string): Promise<TxView | null>;
  /** The commit certificate of `height`, or null. */
  commitByHeight(height: number): Promise<CommitView | null>;
  /** The validator set in state at `height` (default: head). */
  validators(height?: number): Promise<{ height: number; validators: ValidatorView[]; totalPower: number }>;
  /** A head read served from memory answers at once (its JSON text may be ready-made); anything else is a promise. */
  record(q: RecordQuery, height: number | undefined, prove: boolean): RecordView | SerializedResult<RecordView> | Promise<RecordView>;
  txsByAccount(address: string, page: { after?: PageCursor; limit?: number; order?: 'asc' | 'desc' }): Promise<AccountTxsView>;
  eventsByAccount(address: string, page: { after?: PageCursor; limit?: number; order?: 'asc' | 'desc' }): Promise<AccountEventsView>;
  /** What block `height` did, or null when there is no such block. */
  activity(height: number): Promise<BlockActivity | null>;
  /** A page of a module index (vm IndexSpec entries, kept beside the blocks): raw keys and values, with where each was written. */
  indexScan(range: IndexRange): Promise<{ items: IndexItem[]; next: IndexCursor | null }>;
  /** The canonical bytes of transaction `index` of block `height`, with its receipt's bytes, or null. */
  txAt(height: number, index: number): Promise<{ tx: Uint8Array; receipt: Uint8Array } | null>;
  /** Call `listener` after every commit with the new head; returns the unsubscribe function. */
  onHead(listener: (height: number) => void): () => void;
  /**
   * Replay committed blocks with a candidate compliance rule as a shadow rule (comp_backtest;
   * node/chain/backtest.ts). Optional: a facade without the block store's history has none.
   */
  backtest?(q: BacktestRequest): Promise<BacktestResult>;
}

/** A comp_backtest request, addresses as the chain prints them. */
export interface BacktestRequest {
  readonly name: string;
  readonly version: number;
  readonly source: string;
  readonly action: number;
  readonly severity: number;
  readonly scope: { readonly currencies: readonly string[]; readonly types: readonly string[]; readonly institutions: readonly string[] };
  readonly from: number;
  readonly to: number;
  readonly maxFindings: number;
}

/** What a backtest found, addresses as the chain prints them, amounts in decimal minor units. */
export interface BacktestResult {
  rule: string;
  cost: number;
  from: number;
  to: number;
  blocks: number;
  transactions: number;
  payments: number;
  decisions: { pass: number; refuse: number; flag: number; hold: number; error: number; travel: number };
  findings: { height: number; index: number; event: number; tx: string; decision: string; from: string; to: string; amount: string; currency: string }[];
  truncated: boolean;
  diverged: { height: number; index: number; tx: string; committed: number; replayed: number | string }[];
}
