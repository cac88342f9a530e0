/**
 * node/: the runtime that does I/O, and its one public surface: the CLI entry point
 * (bin/sov.js), the devnet harness and the benchmarks import this file and nothing deeper.
 * Inside, `node.ts` is the composition root; `chain/` the chain runtime (the ledger app behind
 * the application interface, the consensus driver, the mempool, the WAL and epochs files, the
 * RPC facade); `p2p/` the messages between nodes, the libp2p host and block sync; `cli/` the
 * `sov` command; `ops/` config, logs, metrics, the disk and the API keys file; `errors.ts` the
 * node's error codes.
 */
export { main, buildCli } from './cli/cli.js';
export { VerifyPool } from './chain/verify-pool.js';
export { NODE_V8_FLAGS, missingV8Flags } from './ops/v8-flags.js';
/** For the chain fabricator (scripts/make-chain.ts): the ledger app and the epochs file, to write a node's data dir as consensus would. */
export { LedgerApp } from './chain/app.js';
export { EpochFile, advanceTriple, type EpochTriple } from './chain/epochs.js';
export { TAMPER_SNAPSHOT_CHUNKS_ENV } from './p2p/state-sync.js';
