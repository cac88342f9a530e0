/**
 * The node's V8 flags are given in three places that must agree with NODE_V8_FLAGS: the `#!`
 * line of bin/sov.js, `npm start`, and the devnet harness (which spreads the constant). And
 * `missingV8Flags` reads both the command line and NODE_OPTIONS, in either spelling.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { repoPath } from '../../../test/index.js';
import { NODE_V8_FLAGS, missingV8Flags } from '../../index.js';

t.test('bin/sov.js and npm start pass exactly the node flags', async (t) => {
  const shebang = readFileSync(repoPath('bin/sov.js'), 'utf8').split('\n')[0]!;
  t.equal(shebang, `#!/usr/bin/env -S node ${NODE_V8_FLAGS.join(' ')}`);
  const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { scripts: Record<string, string> };
  t.match(pkg.scripts['start']!, `node ${NODE_V8_FLAGS.join(' ')} bin/sov.js dev`);
  // The state store runs inside the node, so its benchmark runs under the node's flags too.
  t.match(pkg.scripts['bench:state']!, `node ${NODE_V8_FLAGS.join(' ')} dist/scripts/bench-state.js`);
  t.match(readFileSync(repoPath('test/devnet.ts'), 'utf8'), '[...NODE_V8_FLAGS,');
});

t.test('missingV8Flags reads argv and NODE_OPTIONS', async (t) => {
  t.same(missingV8Flags([], ''), [...NODE_V8_FLAGS]);
  t.same(missingV8Flags(['--max-semi-space-size=64'], ''), []);
  t.same(missingV8Flags([], '--inspect --max_semi_space_size=16'), [], 'another size, underscore spelling: given, not missing');
  t.same(missingV8Flags(['--max-old-space-size=4096'], ''), [...NODE_V8_FLAGS]);
});

t.test('the flags reach V8, and bin/sov.js runs as a program with them', async (t) => {
  const limit = "process.stdout.write(String(require('v8').getHeapStatistics().heap_size_limit))";
  const withFlags = Number(execFileSync(process.execPath, [...NODE_V8_FLAGS, '-e', limit], { encoding: 'utf8' }));
  const without = Number(execFileSync(process.execPath, ['-e', limit], { encoding: 'utf8' }));
  t.ok(withFlags > without, `heap limit ${withFlags} with the flags, ${without} without (larger semi-spaces)`);
  // Run through its #! line (env -S splits the flags off the interpreter's name).
  t.match(execFileSync(repoPath('bin/sov.js'), ['--help'], { encoding: 'utf8', env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` } }), 'start');
});
