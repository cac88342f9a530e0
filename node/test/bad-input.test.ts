/**
 * Bad input found on an outside tester's tour: log lines and CLI output never carry a
 * caller's control or bidi characters raw; `sov_getAccount` lists balances in every
 * registered currency, not only genesis's.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { encode, encodeAddress, generateKeyPair, addressFromPublicKey } from '../../core/index.js';
import { AccountSchema, BalanceSchema, CurrencyListSchema, Keys, MemoryState } from '../../vm/index.js';
import { createLogger } from '../ops/log.js';
import { NodeFacadeImpl, type FacadeDeps } from '../chain/facade.js';
import { repoPath } from '../../test/index.js';

const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|[\ud800-\udfff]/;

t.test('a log line escapes what a caller or peer chose, in its message and its fields', async (tt) => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString('utf8')); done(); } });
  const log = createLogger('info', sink);
  log.warn({ method: 'sov_\u202egnp.exe', peer: { agent: 'x\n{"level":"fatal","msg":"forged"}' } }, 'refused \u2066call\u2069');
  log.info('plain \u001b[31mred');
  log.debug({ hidden: '\u202e' }, 'below the level: nothing');
  await new Promise((r) => setImmediate(r));
  tt.equal(lines.length, 2, 'one line per call at or above the level');
  for (const l of lines) {
    tt.equal(l.trimEnd().split('\n').length, 1, 'one physical line');
    const parsed = JSON.parse(l) as Record<string, unknown>;
    tt.notOk(RAW.test(JSON.stringify(parsed)), `no raw character in ${l.trim()}`);
  }
  const first = JSON.parse(lines[0]!) as { method: string; msg: string; peer: { agent: string } };
  tt.equal(first.method, 'sov_\\u202egnp.exe');
  tt.equal(first.msg, 'refused \\u2066call\\u2069');
  tt.match(first.peer.agent, /^x\\u000a\{"level":"fatal"/);
});

t.test('the CLI prints a caller\'s characters escaped, in its own errors and in commander\'s', (tt) => {
  const sov = (...args: string[]) => spawnSync(process.execPath, [repoPath('bin/sov.js'), ...args], { encoding: 'utf8' });
  for (const args of [['no-such-\u202ecommand'], ['address', '--wat\u2066'], ['tx', 'mod\u202e', 'x']]) {
    const r = sov(...args);
    tt.equal(r.status, 2, args.join(' '));
    tt.notOk(RAW.test(r.stderr.replace(/\n/g, '')), `no raw character: ${JSON.stringify(r.stderr.slice(0, 200))}`);
    tt.match(r.stderr, /\\u(202e|2066)/, 'shown as an escape');
  }
  tt.end();
});

t.test('sov_getAccount lists a balance in a currency registered after genesis', async (tt) => {
  const state = new MemoryState();
  const kp = generateKeyPair();
  const a = addressFromPublicKey(kp.publicKey);
  state.apply([
    { key: Keys.account(a), value: encode(AccountSchema, { keys: [kp.publicKey], threshold: 1, nonce: 2, kind: 2, status: 0, tier: 1, bank: null, linkedRef: null, category: '' }) },
    // DEV came with genesis; GOV was registered by governance later.
    { key: Keys.currencyList(), value: encode(CurrencyListSchema, { codes: ['DEV', 'GOV'] }) },
    { key: Keys.balance(a, 'DEV'), value: encode(BalanceSchema, { amount: 5n }) },
    { key: Keys.balance(a, 'GOV'), value: encode(BalanceSchema, { amount: 70n }) },
  ]);
  const facade = new NodeFacadeImpl({ chainId: 'c', addressPrefix: 'sovt', moniker: 'm', reader: () => state } as unknown as FacadeDeps);
  const view = await facade.account(encodeAddress('sovt', a));
  tt.same(view?.balances, { DEV: '5', GOV: '70' });
});
