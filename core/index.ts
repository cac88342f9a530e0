/**
 * core/: the primitives every layer shares. This file is the folder's whole public surface.
 */
export * from './errors.js';
export * from './bytes.js';
export * from './codec.js';
export * from './schema.js';
export * from './hash.js';
export * from './ed25519.js';
export * from './address.js';
export * from './fields.js';
export * from './signing.js';
export * from './tx.js';
export * from './validators.js';
export * from './votes.js';
export * from './block.js';
export * from './rng.js';
export * from './keystore.js';
export * from './text.js';
