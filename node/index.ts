/**
 * node/: the runtime that does I/O. Only the CLI entry point imports it.
 */
export { main, buildCli } from './cli.js';
export { VerifyPool } from './verify-pool.js';
export { NODE_V8_FLAGS, missingV8Flags } from './v8-flags.js';
