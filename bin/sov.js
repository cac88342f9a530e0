#!/usr/bin/env node
// The `sov` command. Runs the compiled CLI (npm run build writes dist/).
import { main } from '../dist/node/index.js';

process.exitCode = await main(process.argv.slice(2));
