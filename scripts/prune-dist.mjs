#!/usr/bin/env node
// Before a build: remove from dist/ every compiled file whose TypeScript source is gone (a file
// moved or deleted), so tap never runs a test that no longer exists and nothing imports a
// stale module. tsc writes what exists but never deletes; dist/native (the C++ build) and
// dist/console (the console's pages, scripts/build-console.mjs) are kept.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
let removed = 0;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (p !== join(dist, 'native') && p !== join(dist, 'console')) walk(p);
      continue;
    }
    const m = /^(.*)\.(js|js\.map|d\.ts|d\.ts\.map)$/.exec(relative(dist, p));
    if (m && !existsSync(join(root, `${m[1]}.ts`))) {
      rmSync(p);
      removed++;
    }
  }
}

if (existsSync(dist)) walk(dist);
if (removed > 0) console.log(`prune-dist: removed ${removed} compiled file(s) whose source is gone`);
// The build's one progress line (stderr, so JSON output of the commands that follow stays clean).
if (process.stderr.isTTY || !existsSync(join(dist, 'node', 'index.js'))) {
  process.stderr.write('build: compiling TypeScript into dist/ (tsc; about a minute on two cores), then the native state-tree module\n');
}
