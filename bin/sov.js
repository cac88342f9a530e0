#!/usr/bin/env -S node --max-semi-space-size=64
// The `sov` command. Runs the compiled CLI (npm run build writes dist/). The flag on the line
// above is the node's (node/ops/v8-flags.ts, NODE_V8_FLAGS; a test keeps the two the same).
// Before a build there is no dist/: say so in one line instead of a module-not-found trace.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/node/index.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('sov: not built yet: run `npm run build` in the repository (about a minute; `npm start` and `npm test` build first)\n');
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
