/**
 * The credential library's error table against its sources and tests: every code documented
 * in one line, every code-shaped CRED_ string in the sources in the table, every code of the
 * table thrown somewhere and expected by some test, and a CredError a SovError that says reject.
 * The sources are the library's and the ledger verification's (rpc/client/credentials.ts, whose
 * codes the node's credential tests expect).
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SovError } from '../../../../core/index.js';
import { repoPath } from '../../../../test/index.js';
import { CRED_ERRORS, CredError, CredErrorCodes, type CredErrorCode } from '../index.js';

const codes = Object.keys(CRED_ERRORS) as CredErrorCode[];
const dir = repoPath('rpc/client/cred');
const read = (d: string): string => readdirSync(d).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => readFileSync(join(d, f), 'utf8')).join('\n');
const sources = read(dir) + readFileSync(repoPath('rpc/client/credentials.ts'), 'utf8');
const nodeTests = repoPath('node/test');
const tests = read(join(dir, 'test')) + readdirSync(nodeTests).filter((f) => /^credentials.*\.test\.ts$/.test(f)).map((f) => readFileSync(join(nodeTests, f), 'utf8')).join('\n');

t.test('every code is documented in one line and named once', async (tt) => {
  for (const c of codes) {
    tt.match(c, /^CRED_[A-Z]+(_[A-Z]+)*$/);
    tt.ok(CRED_ERRORS[c].length > 20 && !CRED_ERRORS[c].includes('\n'), `${c} has a one-line meaning`);
    tt.equal(CredErrorCodes[c], c);
  }
  const e = new CredError('CRED_TAMPERED', 'x', { a: 1 });
  tt.ok(e instanceof SovError);
  tt.same([e.code, e.peerAction, e.message, e.meta, e.name], ['CRED_TAMPERED', 'reject', 'x', { a: 1 }, 'CredError']);
});

t.test('the table matches the sources and the tests', async (tt) => {
  const inSources = new Set((sources.match(/\bCRED_[A-Z_]*[A-Z]\b/g) ?? []).filter((c) => c !== 'CRED_ERRORS'));
  for (const c of inSources) tt.ok(c in CRED_ERRORS, `${c} (in the sources) is in the table`);
  for (const c of codes) {
    const thrown = new RegExp(`'${c}'`).test(sources.replace(/export const CRED_ERRORS = \{[\s\S]*?\} as const/, ''));
    tt.ok(thrown, `${c} is thrown somewhere`);
    tt.ok(new RegExp(`code: '${c}'|'${c}'\\]|\\), '${c}'`).test(tests), `${c} is expected by a test`);
  }
});
