/**
 * For the SDK's package tests: the repository packed (`npm pack`) and installed from the
 * tarball into a project outside the repository, as an integrator gets it.
 */
import type { Test } from 'tap';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/index.js';

/** Run a command to its end: its exit code and its output (stdout, then stderr). */
export const run = (cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) => new Promise<{ code: number; out: string }>((resolve) => {
  execFile(cmd, args, { cwd, encoding: 'utf8', timeout: 240_000, env: { ...process.env, NODE_OPTIONS: '', ...env } }, (e, out, err) => resolve({ code: e ? Number(e.code ?? 1) : 0, out: out + err }));
});

/**
 * Pack the repository into `dir`, and install the tarball into `dir/project`, an ESM
 * project named `name` (each step asserted on `t`). Returns the project's folder.
 */
export async function installedSdk(t: Test, dir: string, name: string): Promise<string> {
  const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--loglevel=error'], REPO_ROOT);
  t.equal(packed.code, 0, packed.out);
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  const project = join(dir, 'project');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  const installed = await run('npm', ['install', join(dir, tarball), '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], project);
  t.equal(installed.code, 0, `npm install of the tarball: ${installed.out}`);
  return project;
}
