/**
 * Before a build there is no dist/: `sov` says so in one line (and how to build) with exit
 * status 2, not a module-not-found stack trace.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../../../test/index.js';

t.test('sov before a build: one line naming the command that builds', async (tt) => {
  const dir = mkdtempSync(join(tmpdir(), 'sov-unbuilt-'));
  tt.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'bin'));
  copyFileSync(repoPath('bin/sov.js'), join(dir, 'bin', 'sov.js'));
  const r = spawnSync(process.execPath, [join(dir, 'bin', 'sov.js'), '--help'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  tt.equal(r.status, 2, 'exit status 2');
  tt.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  tt.match(r.stderr, /^sov: not built yet: run `npm run build`/);
  tt.notMatch(r.stderr, /ERR_MODULE_NOT_FOUND|at /, 'no stack trace');
});
