/**
 * The RPC API keys file: a good file loads; each kind of bad entry is a ConfigError naming
 * the entry and the field; `sov rpc-key new` mints a secret whose hash is in the printed
 * entry, `--append` refuses a duplicate name, and `sov rpc-key check` lists the keys.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSecret } from '../../../rpc/index.js';
import { repoPath } from '../../../test/index.js';
import { ConfigError } from '../config.js';
import { apiKeyEntry, loadApiKeys, parseApiKeys } from '../rpc-keys.js';

const HASH = 'a'.repeat(64);
const HASH2 = 'b'.repeat(64);
const sov = (...args: string[]) => spawnSync(process.execPath, [repoPath('bin/sov.js'), ...args], { encoding: 'utf8' });

t.test('a good file loads', (tt) => {
  const text = apiKeyEntry({ name: 'bank-a', sha256: HASH, roles: ['bank'] }) + '\n' + apiKeyEntry({ name: 'ops.1', sha256: HASH2, roles: ['admin', 'regulator'], rateLimit: 20, burst: 50 });
  const keys = parseApiKeys(text);
  tt.same(keys.map((k) => [k.name, k.roles, k.rateLimit ?? null]), [['bank-a', ['bank'], null], ['ops.1', ['admin', 'regulator'], { perSecond: 20, burst: 50 }]]);
  tt.same(Buffer.from(keys[0]!.hash).toString('hex'), HASH);
  tt.same(parseApiKeys('[[key]]\nname = "w"\nsha256 = "' + HASH + '"\nroles = []\nrate_limit = 7\n')[0]!.rateLimit, { perSecond: 7, burst: 14 }, 'burst defaults to twice the rate');
  tt.same(parseApiKeys(''), [], 'an empty file: no keys');
  tt.same(loadApiKeys('/nowhere', ''), [], '"" names no file');
  tt.end();
});

t.test('every kind of bad entry is a ConfigError naming the entry and field', (tt) => {
  const entry = (fields: string) => `[[key]]\n${fields}\n`;
  const good = `name = "k"\nsha256 = "${HASH}"\nroles = ["bank"]`;
  const bad: [string, string, RegExp][] = [
    ['unknown role', entry(`name = "k"\nsha256 = "${HASH}"\nroles = ["king"]`), /key #1 \("k"\): unknown role "king"/],
    ['role twice', entry(`name = "k"\nsha256 = "${HASH}"\nroles = ["bank", "bank"]`), /key #1 \("k"\): a role is listed twice/],
    ['roles not a list', entry(`name = "k"\nsha256 = "${HASH}"\nroles = "bank"`), /key #1 \("k"\): roles must be a list/],
    ['no roles field', entry(`name = "k"\nsha256 = "${HASH}"`), /key #1 \("k"\): roles must be a list/],
    ['short hash', entry(`name = "k"\nsha256 = "abcd"\nroles = []`), /key #1 \("k"\): sha256 must be 64 lowercase hex/],
    ['uppercase hash', entry(`name = "k"\nsha256 = "${HASH.toUpperCase()}"\nroles = []`), /sha256 must be 64 lowercase hex/],
    ['no hash', entry(`name = "k"\nroles = []`), /key #1 \("k"\): sha256 must be/],
    ['a secret instead of a hash', entry(`name = "k"\nsecret = "sov_x"\nsha256 = "${HASH}"\nroles = []`), /key #1 \("k"\): unknown field "secret"/],
    ['no name', entry(`sha256 = "${HASH}"\nroles = []`), /key #1: name must be/],
    ['bad name', entry(`name = "a b"\nsha256 = "${HASH}"\nroles = []`), /key #1 \("a b"\): name must be/],
    ['duplicate name', entry(good) + entry(`name = "k"\nsha256 = "${HASH2}"\nroles = []`), /key #2 \("k"\): duplicate name, also key #1/],
    ['duplicate hash', entry(good) + entry(`name = "k2"\nsha256 = "${HASH}"\nroles = []`), /key #2 \("k2"\): same sha256 as key #1/],
    ['negative rate', entry(`${good}\nrate_limit = -1`), /key #1 \("k"\): rate_limit must be an integer >= 0/],
    ['fractional rate', entry(`${good}\nrate_limit = 1.5`), /rate_limit must be an integer/],
    ['burst alone', entry(`${good}\nburst = 5`), /key #1 \("k"\): burst needs a rate_limit/],
    ['zero burst', entry(`${good}\nrate_limit = 5\nburst = 0`), /burst must be an integer >= 1/],
    ['unknown top level', `keys = 1\n${entry(good)}`, /unknown top-level "keys"/],
    ['key as one table', `[key]\n${good}\n`, /"key" must be an array of tables/],
    ['not TOML', '[[key]\nname = ', /not valid TOML/],
  ];
  for (const [what, text, re] of bad) {
    let err: unknown = null;
    try {
      parseApiKeys(text, 'keys.toml');
    } catch (e) {
      err = e;
    }
    tt.ok(err instanceof ConfigError, `${what}: ConfigError`);
    tt.match((err as Error | null)?.message ?? '', re, what);
  }
  let all: string[] = [];
  try {
    parseApiKeys(entry(`name = "x"\nsha256 = "1"\nroles = ["god"]`) + entry(good) + entry(good));
  } catch (e) {
    all = (e as ConfigError).meta.problems as string[];
  }
  tt.equal(all.length, 4, 'every problem at once (hash, role, duplicate name, duplicate hash)');
  tt.throws(() => loadApiKeys('/nowhere', 'keys.toml'), ConfigError, 'a missing file');
  tt.end();
});

t.test('sov rpc-key new / check', (tt) => {
  const dir = mkdtempSync(join(tmpdir(), 'sov-rpckey-'));
  try {
    const r = sov('rpc-key', 'new', '--name', 'ops', '--role', 'admin', '--role', 'regulator,bank');
    tt.equal(r.status, 0, r.stderr);
    const secret = r.stdout.split('\n').find((l) => l.startsWith('sov_'))!;
    tt.ok(secret && secret.length > 40, 'a secret is printed');
    const keys = parseApiKeys(r.stdout.slice(r.stdout.indexOf('[[key]]')));
    tt.same(keys.map((k) => [k.name, k.roles]), [['ops', ['admin', 'regulator', 'bank']]], 'the entry pastes as is');
    tt.equal(Buffer.from(keys[0]!.hash).toString('hex'), hashSecret(secret), 'the entry holds the hash of the printed secret');
    tt.notOk(r.stdout.slice(r.stdout.indexOf('[[key]]')).includes(secret), 'the entry never holds the secret');

    const file = join(dir, 'keys.toml');
    tt.equal(sov('rpc-key', 'new', '--name', 'bank-a', '--role', 'bank', '--rate-limit', '100', '--append', file).status, 0);
    tt.equal(sov('rpc-key', 'new', '--name', 'bank-b', '--append', file).status, 0);
    const dup = sov('rpc-key', 'new', '--name', 'bank-a', '--append', file);
    tt.equal(dup.status, 2, 'a duplicate name is refused');
    tt.match(dup.stderr, /duplicate name/);
    tt.equal(parseApiKeys(readFileSync(file, 'utf8')).length, 2, 'and the file is unchanged');
    const c = sov('rpc-key', 'check', file);
    tt.equal(c.status, 0, c.stderr);
    tt.same(c.stdout.trim().split('\n').map((l) => JSON.parse(l).name), ['bank-a', 'bank-b']);
    writeFileSync(join(dir, 'bad.toml'), '[[key]]\nname = "x"\nsha256 = "zz"\nroles = []\n');
    tt.equal(sov('rpc-key', 'check', join(dir, 'bad.toml')).status, 2, 'check refuses a bad file');
    for (const args of [['--name', 'x', '--role', 'king'], ['--name', 'x', '--burst', '3'], ['--name', 'x', '--rate-limit', '-1'], ['--name', 'a b']]) {
      const b = sov('rpc-key', 'new', ...args);
      tt.equal(b.status, 2, args.join(' '));
      tt.notMatch(b.stderr, /\n\s+at /, 'no stack trace');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  tt.end();
});
