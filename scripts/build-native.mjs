#!/usr/bin/env node
// Builds the native tree update (state/native/*.cc) into dist/native/state.node with the
// machine's C++ compiler and Node's own headers. The node runs without it (the state store
// falls back to its JavaScript update, with the same bytes, only slower): when no compiler
// or headers are found this prints why and exits 0, unless SOV_REQUIRE_NATIVE=1.
// Rebuilds only when a source is newer than the module.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'state', 'native');
const out = join(root, 'dist', 'native', 'state.node');
const sources = readdirSync(srcDir).filter((f) => /\.(cc|h)$/.test(f)).map((f) => join(srcDir, f));
const required = process.env.SOV_REQUIRE_NATIVE === '1';

function skip(why) {
  const msg = `native state update not built (${why}); the store uses its JavaScript update`;
  if (required) {
    console.error(`build-native: ${msg}`);
    process.exit(1);
  }
  console.warn(`build-native: ${msg}`);
  process.exit(0);
}

if (existsSync(out)) {
  const built = statSync(out).mtimeMs;
  if (sources.every((s) => statSync(s).mtimeMs <= built) && statSync(fileURLToPath(import.meta.url)).mtimeMs <= built) process.exit(0);
}

const candidates = [
  process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
  join(dirname(dirname(process.execPath)), 'include', 'node'),
  '/usr/include/node',
].filter(Boolean);
const include = candidates.find((d) => existsSync(join(d, 'node_api.h')));
if (!include) skip(`no node_api.h under ${candidates.join(', ')}`);

const cxx = process.env.CXX || 'g++';
mkdirSync(dirname(out), { recursive: true });
const args = ['-O2', '-std=c++17', '-shared', '-fPIC', '-fvisibility=hidden', '-Wall', '-Wextra', '-Wno-unused-parameter', `-I${include}`, join(srcDir, 'binding.cc'), '-o', out];
const r = spawnSync(cxx, args, { stdio: ['ignore', 'inherit', 'inherit'] });
if (r.error) skip(`${cxx}: ${r.error.message}`);
if (r.status !== 0) skip(`${cxx} exited with ${r.status}`);
