/**
 * The layer check passes on this repository and fails on each kind of crossing, in a
 * scratch tree built for the purpose.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoPath } from '../../test/index.js';

const script = repoPath('scripts/check-layers.mjs');
const run = (root?: string) => spawnSync(process.execPath, root ? [script, root] : [script], { encoding: 'utf8' });

t.test('the repository passes', (tt) => {
  const r = run();
  tt.equal(r.status, 0, r.stderr);
  tt.end();
});

const cases: [string, Record<string, string>, RegExp][] = [
  ['consensus imports node/', { 'consensus/a.ts': "import { x } from '../node/index.js';\n" }, /consensus\/ may not import node\//],
  ['vm imports node/', { 'vm/a.ts': "export { x } from '../node/index.js';\n" }, /vm\/ may not import node\//],
  ['core imports state/', { 'core/a.ts': "import '../state/index.js';\n" }, /core\/ may not import state\//],
  ['deep import past index.ts', { 'state/a.ts': "import { x } from '../core/codec.js';\n" }, /deep import/],
  ['consensus reads the clock', { 'consensus/a.ts': 'export const now = () => Date.now();\n' }, /must be deterministic/],
  ['vm uses Math.random', { 'vm/a.ts': 'export const r = Math.random();\n' }, /must be deterministic/],
  ['consensus does file I/O', { 'consensus/a.ts': "import { readFileSync } from 'node:fs';\n" }, /must do no I\/O/],
  ['dynamic import across layers', { 'rpc/a.ts': "const m = await import('../consensus/index.js');\n" }, /rpc\/ may not import consensus\//],
];

for (const [name, files, expected] of cases) {
  t.test(`fails when ${name}`, (tt) => {
    const dir = mkdtempSync(join(tmpdir(), 'sov-layers-'));
    try {
      for (const [f, src] of Object.entries(files)) {
        mkdirSync(join(dir, dirname(f)), { recursive: true });
        writeFileSync(join(dir, f), src);
      }
      const r = run(dir);
      tt.equal(r.status, 1, 'exit status 1');
      tt.match(r.stderr, expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    tt.end();
  });
}

t.test('tests may use the clock and shared test helpers', (tt) => {
  const dir = mkdtempSync(join(tmpdir(), 'sov-layers-'));
  try {
    mkdirSync(join(dir, 'consensus/test'), { recursive: true });
    writeFileSync(join(dir, 'consensus/test/a.test.ts'), "import { Rng } from '../../test/index.js';\nconst t0 = Date.now();\n");
    tt.equal(run(dir).status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  tt.end();
});
