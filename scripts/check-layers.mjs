#!/usr/bin/env node
/**
 * The layer check (run by `npm run lint` and CI). It reads every TypeScript file of the
 * layers in ../shared/design.md and fails when an import crosses the rules:
 * - which top-level folder may import which (ALLOWED below);
 * - a folder's public surface is its index.ts: an import into another folder must name
 *   that folder's index.js, never a file deeper inside;
 * - consensus/ and vm/ stay pure: no node: built-ins but node:crypto's hashing, and no clock,
 *   timer or randomness (Date, setTimeout, Math.random, performance.now, process).
 * Tests (files under a test/ folder) follow the same import rules; the purity rule applies
 * to the library code only.
 * Prints one line per violation and exits 1 if there is any.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// The tree to check: the repository, or the folder given as the first argument (tests).
const root = process.argv[2] ? resolve(process.argv[2]) : resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LAYERS = ['core', 'state', 'vm', 'consensus', 'node', 'rpc', 'genesis', 'scripts'];
const ALLOWED = {
  core: [],
  state: ['core'],
  vm: ['core', 'state'],
  consensus: ['core'],
  rpc: ['core', 'state', 'vm'],
  genesis: ['core', 'state', 'vm'],
  node: ['core', 'state', 'vm', 'consensus', 'rpc', 'genesis'],
  scripts: ['core', 'state', 'vm', 'consensus', 'rpc', 'genesis', 'node'],
};
const PURE = new Set(['consensus', 'vm']);
const PURE_BUILTINS = new Set(['node:crypto']);
const IMPURE_TOKENS = [/\bDate\b/, /\bsetTimeout\b/, /\bsetInterval\b/, /\bsetImmediate\b/, /\bMath\.random\b/, /\bperformance\b/, /\bprocess\./];

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) yield p;
  }
}

const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function stripComments(src) {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const violations = [];
for (const layer of LAYERS) {
  const dir = join(root, layer);
  try {
    statSync(dir);
  } catch {
    continue;
  }
  for (const file of walk(dir)) {
    const rel = relative(root, file);
    const isTest = rel.split(sep).includes('test');
    const src = stripComments(readFileSync(file, 'utf8'));
    for (const m of src.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec.startsWith('.')) {
        const target = relative(root, resolve(dirname(file), spec));
        const [top, ...rest] = target.split(sep);
        if (top === layer) continue;
        if (top === 'test' && (isTest || layer === 'scripts')) continue; // shared test helpers (tests, scripts)
        if (!LAYERS.includes(top)) {
          if (top !== 'package.json' && !target.startsWith('..' + sep + 'shared')) violations.push(`${rel}: imports ${spec}, outside the layers`);
          continue;
        }
        if (!ALLOWED[layer].includes(top)) violations.push(`${rel}: ${layer}/ may not import ${top}/ (${spec})`);
        else if (rest.join('/') !== 'index.js') violations.push(`${rel}: deep import ${spec}; import ${top}/index.js instead`);
      } else if (PURE.has(layer) && !isTest && spec.startsWith('node:') && !PURE_BUILTINS.has(spec)) {
        violations.push(`${rel}: ${layer}/ must do no I/O, but imports ${spec}`);
      }
    }
    if (PURE.has(layer) && !isTest) {
      for (const re of IMPURE_TOKENS) {
        if (re.test(src)) violations.push(`${rel}: ${layer}/ must be deterministic, but uses ${re.source.replace(/\\b|\\/g, '')}`);
      }
    }
  }
}

if (violations.length > 0) {
  for (const v of violations) console.error(`layer check: ${v}`);
  console.error(`layer check: ${violations.length} violation(s)`);
  process.exit(1);
}
console.log('layer check: ok');
