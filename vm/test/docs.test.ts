/**
 * docs/vm.md's reference sections are the rendering of the built-in registry (vm/docs.ts):
 * the test fails when the file is stale. Regenerate with `SOV_WRITE_DOCS=1` set when running
 * this test. Also: every code, method, parameter and prefix of the registry is in it.
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { repoPath } from '../../test/index.js';
import { BUILTIN, PARAM_NAMES, Prefix, VmCodes } from '../index.js';
import { renderVmDoc } from '../docs.js';

const path = repoPath('docs/vm.md');
const doc = readFileSync(path, 'utf8');
const want = renderVmDoc(doc, BUILTIN);
if (process.env.SOV_WRITE_DOCS) writeFileSync(path, want);

t.test('docs/vm.md matches the module descriptors', async (t) => {
  t.equal(doc, want, 'docs/vm.md is up to date (regenerate with SOV_WRITE_DOCS=1)');
});

t.test('every error code, method, parameter and key prefix is in it', async (t) => {
  for (const [code, num] of Object.entries(VmCodes)) {
    if (code === 'OK') continue;
    t.ok(want.includes(`| ${num} | ${code} |`), `${num} ${code}`);
  }
  for (const [name, mod] of BUILTIN.byName) {
    t.ok(want.includes(`### ${name}\n`), `module ${name}`);
    for (const m of Object.keys(mod.methods)) t.ok(want.includes(`| ${m} |`), `${name}.${m}`);
  }
  for (const p of PARAM_NAMES) t.ok(want.includes(`| ${p} |`), `param ${p}`);
  for (const [name, p] of Object.entries(Prefix)) t.ok(want.includes(`| 0x${p.toString(16).padStart(2, '0')} |`), `prefix ${name}`);
});
