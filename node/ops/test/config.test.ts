/**
 * config.toml: the rendered default parses back to the defaults; every problem names its key;
 * every key can be set by its environment variable and by `--set`; docs/config.md is the table.
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { applyOverrides, CONFIG_KEYS, ConfigError, configOverrides, configReference, defaultConfig, envNameOf, parseConfig, renderConfig } from '../config.js';
import { repoPath } from '../../../test/index.js';

t.test('the rendered default file parses to the defaults and documents every key', (tt) => {
  const text = renderConfig();
  tt.same(parseConfig(text), defaultConfig());
  for (const k of CONFIG_KEYS) tt.match(text, new RegExp(`\\n${k.key} = `), `${k.section}.${k.key} present`);
  tt.equal(text.split('\n').filter((l) => l.startsWith('# ') && l.includes('Default:')).length, CONFIG_KEYS.length, 'each key documented');
  const custom = parseConfig(renderConfig({ node: { moniker: 'central-bank' }, p2p: { persistent_peers: ['/ip4/127.0.0.1/tcp/1/p2p/x'] } }));
  tt.equal(custom.node.moniker, 'central-bank');
  tt.same(custom.p2p.persistent_peers, ['/ip4/127.0.0.1/tcp/1/p2p/x']);
  tt.same(parseConfig(''), defaultConfig(), 'an empty file is all defaults');
  tt.end();
});

t.test('every problem is reported with its key', (tt) => {
  const bad: [string, RegExp][] = [
    ['[node]\nmoniker = 3\n', /node\.moniker: must be a string/],
    ['[node]\nmode = "leader"\n', /node\.mode: must be one of validator, observer/],
    ['[mempool]\nmax_txs = 0\n', /mempool\.max_txs: must be at least 1/],
    ['[mempool]\nmax_txs = 1.5\n', /mempool\.max_txs: must be an integer/],
    ['[p2p]\nobservers = "x"\n', /p2p\.observers: must be a list of strings/],
    ['[node]\nmonikr = "x"\n', /unknown key node\.monikr/],
    ['[nodes]\n', /unknown section \[nodes\]/],
    ['node = 1\n', /node must be a table/],
    ['[node\n', /not valid TOML/],
    ['[storage]\nretain_blocks = 1\n', /storage\.retain_blocks: must be 0 \(keep all\) or at least 2/],
    ['[storage]\nretain_state = -3\n', /storage\.retain_state: must be at least 0/],
  ];
  for (const [text, re] of bad) {
    let err: unknown = null;
    try {
      parseConfig(text);
    } catch (e) {
      err = e;
    }
    tt.ok(err instanceof ConfigError, `${JSON.stringify(text)} refused with ConfigError`);
    tt.match((err as Error | null)?.message ?? '', re);
  }
  const many = (() => {
    try {
      parseConfig('[node]\nmoniker = 3\nmode = "x"\n[rpc]\nmax_batch = 0\n');
    } catch (e) {
      return (e as ConfigError).meta.problems as string[];
    }
    return [];
  })();
  tt.equal(many.length, 3, 'all problems, not only the first');
  tt.end();
});

t.test('every key can be set by its environment variable and by --set, checked like the file, the flag winning', async (tt) => {
  const base = parseConfig('[rpc]\nlisten = "127.0.0.1:8545"\n');
  tt.equal(envNameOf({ section: 'rpc', key: 'rate_limit_per_address' }), 'SOV_RPC_RATE_LIMIT_PER_ADDRESS');
  const env = { SOV_RPC_LISTEN: '127.0.0.1:9000', SOV_P2P_PERSISTENT_PEERS: '/ip4/1.2.3.4/tcp/1/p2p/a, /ip4/5.6.7.8/tcp/2/p2p/b', SOV_KEY_PASSWORD: 'not a config key', PATH: '/bin' };
  const c = applyOverrides(base, configOverrides(env, ['rpc.listen=127.0.0.1:9100', 'rpc.rate_limit_per_address=0']));
  tt.equal(c.rpc.listen, '127.0.0.1:9100', 'the flag wins over the environment');
  tt.equal(c.rpc.rate_limit_per_address, 0, 'an int');
  tt.same(c.p2p.persistent_peers, ['/ip4/1.2.3.4/tcp/1/p2p/a', '/ip4/5.6.7.8/tcp/2/p2p/b'], 'a list, comma-separated');
  tt.equal(applyOverrides(base, configOverrides({ SOV_RPC_LISTEN: '0.0.0.0:1' })).rpc.listen, '0.0.0.0:1', 'the environment over the file');
  tt.throws(() => applyOverrides(base, configOverrides({ SOV_RPC_MAX_BATCH: 'many' })), { code: 'CONFIG_INVALID', message: /SOV_RPC_MAX_BATCH: rpc\.max_batch must be an integer/ }, 'a bad value names its source');
  tt.throws(() => applyOverrides(base, configOverrides({}, ['rpc.nope=1'])), { code: 'CONFIG_INVALID', message: /--set rpc\.nope: no config key rpc\.nope/ });
  tt.throws(() => configOverrides({}, ['listen']), { code: 'CONFIG_INVALID', message: /section\.key=value/ });
  tt.throws(() => applyOverrides(base, configOverrides({ SOV_NODE_MODE: 'leader' })), { code: 'CONFIG_INVALID', message: /one of validator, observer/ });
  const pruning = applyOverrides(base, configOverrides({ SOV_STORAGE_RETAIN_STATE: '1000' }, ['storage.retain_blocks=50000']));
  tt.same(pruning.storage, { retain_state: 1000, retain_blocks: 50000, state_cache_nodes: 1_000_000 }, 'the retain settings too');
  tt.same(base.storage, { retain_state: 0, retain_blocks: 0, state_cache_nodes: 1_000_000 }, 'by default an archive node');
  tt.equal(applyOverrides(base, configOverrides({ SOV_STORAGE_STATE_CACHE_NODES: '4000000' })).storage.state_cache_nodes, 4_000_000, 'the state tree\'s node cache');
  tt.throws(() => applyOverrides(base, configOverrides({ SOV_STORAGE_STATE_CACHE_NODES: '5' })), { code: 'CONFIG_INVALID', message: /state_cache_nodes/ }, 'below its minimum');
  tt.throws(() => applyOverrides(base, configOverrides({ SOV_STORAGE_RETAIN_BLOCKS: '1' })), { code: 'CONFIG_INVALID', message: /SOV_STORAGE_RETAIN_BLOCKS: storage\.retain_blocks must be 0 \(keep all\) or at least 2/ });
});

t.test('docs/config.md is the config table (regenerate with SOV_WRITE_DOCS=1)', async (tt) => {
  const want = configReference();
  const path = repoPath('docs/config.md');
  if (process.env.SOV_WRITE_DOCS) writeFileSync(path, want);
  tt.equal(readFileSync(path, 'utf8'), want, 'docs/config.md is up to date');
  for (const k of CONFIG_KEYS) tt.ok(want.includes(`| \`${k.key}\` |`), `${k.section}.${k.key} is documented`);
});
