/**
 * config.toml: the rendered default parses back to the defaults; every problem names its key.
 */
import t from 'tap';
import { CONFIG_KEYS, ConfigError, defaultConfig, parseConfig, renderConfig } from '../config.js';

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
