#!/usr/bin/env node
// Builds the ledger's console (docs/console.md) into dist/console/: the static files of
// rpc/console/ copied as they are (HTML, CSS and small ES modules: no framework, no build
// chain of their own), and the SDK's browser entry (dist/rpc/client/browser.js, compiled by
// tsc just before) bundled by esbuild into dist/console/sdk.js, one ES module the pages import.
// The bundle takes package.json "browser" (core's browser platform, the page's WebSocket) and
// must import nothing at run time: this script fails if it does. Run by `npm run build`.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'rpc', 'console');
const out = join(root, 'dist', 'console');
const entry = join(root, 'dist', 'rpc', 'client', 'browser.js');

if (!existsSync(entry)) {
  console.error(`build-console: ${entry} is missing: run tsc first (npm run build does)`);
  process.exit(1);
}
// Built aside, then put in place with two renames: a node starting meanwhile finds a whole console.
const next = `${out}.next-${process.pid}`;
const old = `${out}.old-${process.pid}`;
rmSync(next, { recursive: true, force: true });
mkdirSync(next, { recursive: true });
cpSync(src, next, { recursive: true, filter: (p) => !/(^|\/)\.|\.md$/.test(p.slice(src.length)) });

const res = await build({
  entryPoints: [entry], outfile: join(next, 'sdk.js'), absWorkingDir: root,
  bundle: true, platform: 'browser', format: 'esm', target: 'es2022', minify: true, legalComments: 'none',
  metafile: true, logLevel: 'silent',
});
const external = Object.values(res.metafile.inputs).flatMap((i) => i.imports.filter((x) => x.external && x.path !== '<runtime>').map((x) => x.path));
const nodeOnly = Object.keys(res.metafile.inputs).filter((f) => /^node:|(^|\/)node_modules\/(ws|classic-level|level)\/|dist\/core\/platform\.js$/.test(f));
if (res.errors.length > 0 || external.length > 0 || nodeOnly.length > 0) {
  rmSync(next, { recursive: true, force: true });
  console.error(`build-console: the SDK bundle is not a browser module: errors ${JSON.stringify(res.errors)}, imports left ${JSON.stringify(external)}, node-only inputs ${JSON.stringify(nodeOnly)}`);
  process.exit(1);
}
if (existsSync(out)) renameSync(out, old);
renameSync(next, out);
rmSync(old, { recursive: true, force: true });
