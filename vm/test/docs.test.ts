/**
 * docs/vm.md stays complete: every error code with its number, every module method, every
 * parameter and every key prefix appear in it.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { repoPath } from '../../test/index.js';
import { MODULES, PARAM_NAMES, Prefix, VmCodes } from '../index.js';

const doc = readFileSync(repoPath('docs/vm.md'), 'utf8');

t.test('every error code is documented with its number', async (t) => {
  for (const [code, num] of Object.entries(VmCodes)) {
    if (code === 'OK' || code === 'BAD_GENESIS') continue;
    t.ok(doc.includes(`| ${num} | ${code} |`), `${num} ${code}`);
  }
  t.ok(doc.includes('`BAD_GENESIS` (900)'));
});

t.test('every method, parameter and key prefix is documented', async (t) => {
  for (const [name, mod] of MODULES) {
    t.ok(doc.includes(`### ${name}`), `module ${name}`);
    for (const m of Object.keys(mod.methods)) t.ok(doc.includes(`| ${m} |`), `${name}.${m}`);
  }
  for (const p of PARAM_NAMES) t.ok(doc.includes(`| ${p} |`), `param ${p}`);
  for (const [name, p] of Object.entries(Prefix)) t.ok(doc.includes(`| 0x${p.toString(16).padStart(2, '0')} |`), `prefix ${name}`);
});
