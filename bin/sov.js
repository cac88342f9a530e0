#!/usr/bin/env -S node --max-semi-space-size=32
// The `sov` command. Runs the compiled CLI (npm run build writes dist/). The flag on the line
// above is the node's (node/ops/v8-flags.ts, NODE_V8_FLAGS; a test keeps the two the same).
import { main } from '../dist/node/index.js';

process.exitCode = await main(process.argv.slice(2));
