/**
 * The node's table of error codes (errors.ts): every code documented in one line and named
 * once, none shared with another layer's table; and the table against node/'s sources: no
 * error built outside the typed classes, no code-shaped string that no table knows, and no
 * code in the table that nothing uses.
 */
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ErrorCodes } from '../../core/index.js';
import { StateErrorCodes } from '../../state/index.js';
import { VmCodes } from '../../vm/index.js';
import { ConsensusErrorCodes } from '../../consensus/index.js';
import { GenesisErrors } from '../../genesis/index.js';
import { BANK_ERRORS, CRED_ERRORS, XCHG_ERRORS } from '../../rpc/index.js';
import { repoPath } from '../../test/index.js';
import { NODE_ERRORS, NodeErrorCodes, NodeError } from '../errors.js';

const codes = Object.keys(NODE_ERRORS) as (keyof typeof NODE_ERRORS)[];

/** Every other layer's codes, by layer. */
const OTHER_LAYERS: Record<string, readonly string[]> = {
  core: Object.values(ErrorCodes),
  state: Object.values(StateErrorCodes),
  vm: Object.keys(VmCodes),
  consensus: Object.values(ConsensusErrorCodes),
  genesis: Object.values(GenesisErrors),
  'rpc (the credential SDK)': Object.keys(CRED_ERRORS),
  'rpc (the data-exchange SDK)': Object.keys(XCHG_ERRORS),
  'rpc (the bank adapter)': Object.keys(BANK_ERRORS),
};

/** Code-shaped strings in node/ that are not error codes. */
const NOT_CODES: Record<string, string> = {
  SOV_KEY_PASSWORD: 'the default environment variable of the keystore password (ops/config.ts)',
  DISK_FULL: "the suffix ops/disk.ts's fatalHint matches: NODE_DISK_FULL and the store's STATE_DISK_FULL",
  WRITE_FAILED: "the suffix ops/disk.ts's fatalHint matches: NODE_WRITE_FAILED and the store's STATE_WRITE_FAILED",
  LEDGER_UNAVAILABLE: "sov bank's answer when the node does not answer (cli/commands/bank.ts; docs/bank-integration.md): the message stays to be retried",
  NOT_FOUND: "sov bank's HTTP answer to a path other than /messages (404)",
  METHOD_NOT_ALLOWED: "sov bank's HTTP answer to a method other than POST (405)",
  SOV_FAULT_TAMPER_SNAPSHOT_CHUNKS: 'the environment variable of the state-sync fault injection (p2p/state-sync.ts; docs/state-sync.md)',
};

t.test('every code is documented in one line and named once', async (tt) => {
  tt.ok(codes.length > 0);
  for (const c of codes) {
    tt.match(c, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/, `${c} is upper-case words`);
    const meaning = NODE_ERRORS[c];
    tt.ok(meaning.trim().length > 10 && !meaning.includes('\n'), `${c} has a one-line meaning`);
    tt.equal(NodeErrorCodes[c], c, `NodeErrorCodes.${c} is the code itself`);
  }
  tt.same(Object.keys(NodeErrorCodes).sort(), [...codes].sort(), 'NodeErrorCodes names exactly the table');
  const e = new NodeError('MEMPOOL_FULL', 'x');
  tt.same([e.code, e.peerAction, e.message], ['MEMPOOL_FULL', 'reject', 'x'], 'a NodeError carries its code');
});

t.test('no code is also another layer\'s', async (tt) => {
  for (const [layer, theirs] of Object.entries(OTHER_LAYERS)) {
    const shared = codes.filter((c) => theirs.includes(c));
    tt.same(shared, [], `none shared with ${layer}/`);
  }
});

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'test') yield* sources(p);
    } else if (p.endsWith('.ts')) {
      yield p;
    }
  }
}

const stripComments = (src: string): string => src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

t.test('the codes node/ uses are in the tables, and every code of the table is used', async (tt) => {
  const root = repoPath('node');
  const known = new Set<string>([...codes, ...Object.values(OTHER_LAYERS).flat()]);
  const used = new Set<string>();
  const unknown: string[] = [];
  const untyped: string[] = [];
  for (const file of sources(root)) {
    const rel = relative(root, file);
    if (rel === 'errors.ts') continue;
    const src = stripComments(readFileSync(file, 'utf8'));
    if (/new SovError\(|extends SovError\b/.test(src)) untyped.push(rel);
    for (const m of src.matchAll(/['"]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|INTERNAL|MALFORMED)['"]/g)) {
      const s = m[1]!;
      used.add(s);
      if (!known.has(s) && !Object.hasOwn(NOT_CODES, s)) unknown.push(`${rel}: ${s}`);
    }
    for (const m of src.matchAll(/\bNodeErrorCodes\.([A-Z0-9_]+)/g)) used.add(m[1]!);
  }
  tt.same(untyped, [], 'every error node/ builds is a NodeError (or a subclass), whose code the compiler checks');
  tt.same(unknown, [], 'every code-shaped string in node/ is a code of a table (or a known non-code)');
  tt.same(codes.filter((c) => !used.has(c)), [], 'every code of the table is used in node/');
});
