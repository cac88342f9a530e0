/**
 * consensus/: the Tendermint BFT engine as a pure state machine, its vote sets, commit
 * certificates, proposer selection, validator-set schedule, double-sign guard, WAL records,
 * and a deterministic simulator. This file is the folder's whole public surface.
 */
export * from './errors.js';
export * from './types.js';
export * from './proposer.js';
export * from './epoch.js';
export * from './voteset.js';
export * from './guard.js';
export * from './engine.js';
export * from './wal.js';
export * from './sim/index.js';
