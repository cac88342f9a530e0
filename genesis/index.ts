/**
 * genesis/: key generation and keystores; jurisdiction templates, genesis documents and
 * testnet generation (in progress).
 */
export * from './keystore.js';
