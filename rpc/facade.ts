/**
 * What the RPC layer needs from a node: a query/submit facade, implemented by node/, so the
 * RPC never reaches into the node's internals. Views are JSON-ready: bytes as 0x-hex,
 * amounts as decimal strings, addresses as bech32m.
 */
export interface StatusView {
  chainId: string;
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
}

export type AccountView = Record<string, unknown> & { address: string; nonce: number };

export interface NodeFacade {
  status(): Promise<StatusView>;
  /** The block at `height` with its commit certificate, or null if there is none. */
  blockByHeight(height: number): Promise<BlockView | null>;
  /** Admit a signed transaction; with `wait`, resolve once it is committed (or fails). */
  submitTx(tx: Uint8Array, wait: boolean): Promise<SubmitView>;
  /** An account's state, or null when it does not exist. */
  account(address: string): Promise<AccountView | null>;
}
