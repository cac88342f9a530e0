/**
 * The node's configuration: `config.toml` in the node home. Every key is declared once in
 * CONFIG_KEYS with its type, default and documentation; the commented default file, the
 * docs and the validation all come from that table. Unknown keys and wrong types are
 * errors naming the key, never silently ignored. Paths are relative to the home.
 */
import { parse as parseToml } from 'smol-toml';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { NodeError } from '../errors.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './log.js';

type Kind = 'string' | 'int' | 'bool' | 'string[]';

interface KeySpec {
  readonly section: string;
  readonly key: string;
  readonly kind: Kind;
  readonly default: string | number | boolean | readonly string[];
  readonly doc: string;
  readonly oneOf?: readonly string[];
  readonly min?: number;
  /** An int that is 0 (off, or "all") or at least this. */
  readonly zeroOrMin?: number;
}

export const CONFIG_KEYS: readonly KeySpec[] = [
  { section: 'node', key: 'moniker', kind: 'string', default: 'node', doc: 'A name for this node in logs and metrics.' },
  { section: 'node', key: 'mode', kind: 'string', default: 'validator', oneOf: ['validator', 'observer'], doc: 'validator signs votes with keys.validator_key; observer follows the chain and serves RPC.' },
  { section: 'node', key: 'data_dir', kind: 'string', default: 'data', doc: 'Where the ledger database, WAL and signing state live.' },
  { section: 'node', key: 'genesis_file', kind: 'string', default: 'genesis.json', doc: 'The genesis document this node starts from.' },
  { section: 'log', key: 'level', kind: 'string', default: 'info', oneOf: LOG_LEVELS, doc: 'Log level; logs go to stderr.' },
  { section: 'log', key: 'format', kind: 'string', default: 'auto', oneOf: LOG_FORMATS, doc: 'json: JSON lines; text: one readable line per entry; auto: text on a terminal, JSON lines otherwise.' },
  { section: 'keys', key: 'node_key', kind: 'string', default: 'keys/node.json', doc: 'Keystore of the node key (the libp2p identity).' },
  { section: 'keys', key: 'validator_key', kind: 'string', default: 'keys/validator.json', doc: 'Keystore of the validator key (unused by an observer).' },
  { section: 'keys', key: 'password_file', kind: 'string', default: '', doc: 'File whose first line is the keystores\' password ("" to use password_env or a prompt).' },
  { section: 'keys', key: 'password_env', kind: 'string', default: 'SOV_KEY_PASSWORD', doc: 'Environment variable holding the keystores\' password, when password_file is "".' },
  { section: 'p2p', key: 'listen', kind: 'string', default: '/ip4/0.0.0.0/tcp/26656', doc: 'libp2p listen address.' },
  { section: 'p2p', key: 'persistent_peers', kind: 'string[]', default: [], doc: 'Peers to keep connected, as multiaddrs ending in /p2p/<peer id>.' },
  { section: 'p2p', key: 'observers', kind: 'string[]', default: [], doc: 'Peer ids admitted besides the current validators\' nodes (observers such as banks\' nodes). The validators are those of the state this node has reached: a node syncing from far behind a validator set that has since turned over entirely lists some current validators\' nodes here until it catches up.' },
  { section: 'p2p', key: 'max_frame_bytes', kind: 'int', default: 8 * 1024 * 1024, min: 1024, doc: 'Largest message accepted from a peer.' },
  { section: 'p2p', key: 'max_queued_bytes', kind: 'int', default: 64 * 1024 * 1024, min: 65536, doc: 'Most bytes queued for one peer before it is disconnected.' },
  { section: 'p2p', key: 'compact_blocks', kind: 'bool', default: true, doc: 'Send proposals as compact blocks (the transactions\' hashes; peers fill them in from their mempools and fetch what they lack) instead of whole blocks in parts. Both are understood on receipt.' },
  { section: 'consensus', key: 'block_interval_ms', kind: 'int', default: 1000, min: 0, doc: 'Pause after each committed block before the next height starts (timeout_commit).' },
  { section: 'rpc', key: 'listen', kind: 'string', default: '127.0.0.1:8545', doc: 'JSON-RPC HTTP and WebSocket address ("" to disable).' },
  { section: 'rpc', key: 'max_body_bytes', kind: 'int', default: 4 * 1024 * 1024, min: 1024, doc: 'Largest HTTP request (and WebSocket message) body: the default takes a transaction of the largest size (1 MiB, sent as hex) with room to spare.' },
  { section: 'rpc', key: 'max_batch', kind: 'int', default: 100, min: 1, doc: 'Most calls in one JSON-RPC batch.' },
  { section: 'rpc', key: 'cors_origins', kind: 'string[]', default: [], doc: 'Origins allowed by CORS (empty: no CORS headers).' },
  { section: 'rpc', key: 'ws_max_connections', kind: 'int', default: 2000, min: 0, doc: 'Most open WebSocket connections (0 disables WebSocket).' },
  { section: 'rpc', key: 'ws_max_queued_bytes', kind: 'int', default: 4 * 1024 * 1024, min: 1024, doc: 'Bytes queued to one WebSocket before subscription delivery pauses and calls are refused.' },
  { section: 'rpc', key: 'ws_max_subscriptions', kind: 'int', default: 32, min: 1, doc: 'Most subscriptions on one WebSocket connection.' },
  { section: 'rpc', key: 'max_connections', kind: 'int', default: 1000, min: 1, doc: 'Most open HTTP connections (WebSocket connections are capped by ws_max_connections on top).' },
  { section: 'rpc', key: 'max_connections_per_address', kind: 'int', default: 256, min: 0, doc: 'Most open connections, HTTP and WebSocket, from one remote address (0: no cap; trusted_proxies are exempt).' },
  { section: 'rpc', key: 'api_keys_file', kind: 'string', default: '', doc: 'TOML file of API keys ([[key]] name, sha256 of the secret, roles, optional rate_limit and burst; `sov rpc-key new` makes entries). "" for none: every caller is public.' },
  { section: 'rpc', key: 'rate_limit_per_address', kind: 'int', default: 50, min: 0, doc: 'Calls per second for each remote address of callers without an API key; each call of a batch counts (0: unlimited).' },
  { section: 'rpc', key: 'rate_limit_address_burst', kind: 'int', default: 100, min: 1, doc: 'Calls a public address may make at once after an idle spell (its token bucket size).' },
  { section: 'rpc', key: 'rate_limit_per_key', kind: 'int', default: 500, min: 0, doc: 'Calls per second for an API key without a rate_limit of its own (0: unlimited).' },
  { section: 'rpc', key: 'rate_limit_key_burst', kind: 'int', default: 1000, min: 1, doc: 'Bucket size for API keys without a burst of their own.' },
  { section: 'rpc', key: 'rate_limit_max_addresses', kind: 'int', default: 100_000, min: 1, doc: 'Most remote addresses tracked for rate limits; idle ones are dropped first, then the least recently seen.' },
  { section: 'rpc', key: 'tx_wait_timeout_ms', kind: 'int', default: 60_000, min: 1000, doc: 'How long sov_sendTransaction with wait=true waits for the commit before answering "pending".' },
  { section: 'rpc', key: 'trusted_proxies', kind: 'string[]', default: [], doc: 'Addresses of reverse proxies whose X-Forwarded-For header names the client (for rate limits).' },
  { section: 'rpc', key: 'console', kind: 'bool', default: false, doc: 'Serve the ledger\'s console (block explorer and regulator\'s dashboard: static pages that read this JSON-RPC and check proofs in the browser) at GET /console/ on the RPC address. Off by default; `sov dev` and `sov testnet` homes turn it on. docs/console.md.' },
  { section: 'mempool', key: 'max_txs', kind: 'int', default: 50_000, min: 1, doc: 'Most transactions held.' },
  { section: 'mempool', key: 'max_bytes', kind: 'int', default: 256 * 1024 * 1024, min: 1024, doc: 'Most bytes of transactions held.' },
  { section: 'mempool', key: 'max_per_account', kind: 'int', default: 1000, min: 1, doc: 'Most transactions held for one signer.' },
  { section: 'mempool', key: 'verify_workers', kind: 'int', default: 0, min: 0, doc: 'Signature-verification worker threads (0: one per core).' },
  { section: 'mempool', key: 'refuse_without_peers', kind: 'bool', default: false, doc: 'Refuse submissions (TX_REJECTED, data.code MEMPOOL_NO_PEERS) while no peer is linked, instead of holding them and answering pending with relayedTo 0 (held ones reach the validators once a link is up). Never applies to a node alone in its network (a single-validator chain).' },
  { section: 'metrics', key: 'listen', kind: 'string', default: '127.0.0.1:26660', doc: 'Prometheus metrics address ("" to disable).' },
  {
    section: 'storage', key: 'retain_state', kind: 'int', default: 0, min: 0, zeroOrMin: 2,
    doc: 'State versions kept readable: the latest N heights\' state (reads and proofs at a height, comp_backtest\'s start). 0 keeps every height (an archive node). Older versions are pruned inside each commit, at most 16 heights a commit, so turning pruning on over a long chain catches up gradually; a read of a pruned height answers the RPC error PRUNED naming the oldest height kept. docs/state.md, "Pruning".',
  },
  {
    section: 'storage', key: 'retain_blocks', kind: 'int', default: 0, min: 0, zeroOrMin: 2,
    doc: 'Blocks kept, with their commit certificates, transaction locations, receipts and account and module index entries: the latest N. 0 keeps every block (an archive node). Pruned inside each commit like retain_state. A read of a pruned block, certificate or receipt answers the RPC error PRUNED naming the oldest block kept (a transaction of one is NOT_FOUND, saying which blocks are kept), and peers asking this node for blocks below it are told to ask another: a node catching up from genesis by block sync needs a peer holding the blocks it lacks, so keep at least one archive node in a network, or start new nodes by state sync ([statesync] enable).',
  },
  {
    section: 'storage', key: 'state_cache_nodes', kind: 'int', default: 1_000_000, min: 10_000,
    doc: 'Internal nodes of the state tree\'s head kept in memory. A commit reads from the store only the nodes on its keys\' paths that are not held. A tree of N keys has about N / 3 internal nodes (bench:state: 3.3 million at 10 million keys), so the default holds every node of a chain of up to about 2 million keys (accounts, balances and module records together). Past the limit the cache is trimmed to half of it, deepest levels first, and commits read what is not held from the store: bench:state at 10 million keys took 19.8 µs an update with a cache of 2 million nodes, 12.5 to 15 µs with all 3.3 million held (about 0.6 KB of memory each). docs/state.md, "Node cache, and 10 million keys".',
  },
  {
    section: 'statesync', key: 'enable', kind: 'bool', default: false,
    doc: 'Join by state sync when the store is empty: take the newest snapshot peers offer, verify its block header and commit certificate against the genesis validator set, fetch and check its chunks (several peers at once; a bad chunk is refused and asked of another peer), then block-sync from its height and join consensus. The node then holds state and blocks from the snapshot height on (older reads answer PRUNED). Ignored when the store holds a height. Falls back to block sync when no peer offers a snapshot it can verify. Also `sov start --state-sync`. docs/state-sync.md.',
  },
  {
    section: 'statesync', key: 'snapshot_interval', kind: 'int', default: 1000, min: 0,
    doc: 'Make a snapshot of the state every N heights (at heights divisible by N), in the background, and serve it to state-syncing peers; 0: make none. Each snapshot is written to <data_dir>/snapshots (about the size of the state\'s entries).',
  },
  { section: 'statesync', key: 'snapshot_keep', kind: 'int', default: 2, min: 1, doc: 'The newest snapshots kept and served; older ones are deleted.' },
  {
    section: 'statesync', key: 'chunk_entries', kind: 'int', default: 2000, min: 1,
    doc: 'State entries per snapshot chunk in the snapshots this node makes (at most 10000); each chunk carries a proof of its last entry, and a joining node checks every chunk on arrival. Nodes offering the same height with other chunk sizes are distinct offers.',
  },
  { section: 'statesync', key: 'discovery_ms', kind: 'int', default: 3000, min: 0, doc: 'When joining by state sync: after the first peer offers snapshots, wait this long for other peers\' offers before choosing the newest.' },
];

export interface NodeConfig {
  node: { moniker: string; mode: 'validator' | 'observer'; data_dir: string; genesis_file: string };
  log: { level: LogLevel; format: LogFormat };
  keys: { node_key: string; validator_key: string; password_file: string; password_env: string };
  p2p: { listen: string; persistent_peers: string[]; observers: string[]; max_frame_bytes: number; max_queued_bytes: number; compact_blocks: boolean };
  consensus: { block_interval_ms: number };
  rpc: {
    listen: string; max_body_bytes: number; max_batch: number; cors_origins: string[]; ws_max_connections: number; ws_max_queued_bytes: number; ws_max_subscriptions: number;
    max_connections: number; max_connections_per_address: number; api_keys_file: string; rate_limit_per_address: number; rate_limit_address_burst: number;
    rate_limit_per_key: number; rate_limit_key_burst: number; rate_limit_max_addresses: number; trusted_proxies: string[]; tx_wait_timeout_ms: number; console: boolean;
  };
  mempool: { max_txs: number; max_bytes: number; max_per_account: number; verify_workers: number; refuse_without_peers: boolean };
  metrics: { listen: string };
  storage: { retain_state: number; retain_blocks: number; state_cache_nodes: number };
  statesync: { enable: boolean; snapshot_interval: number; snapshot_keep: number; chunk_entries: number; discovery_ms: number };
}

export class ConfigError extends NodeError {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super('CONFIG_INVALID', message, meta);
  }
}

export function defaultConfig(): NodeConfig {
  const out: Record<string, Record<string, unknown>> = {};
  for (const k of CONFIG_KEYS) {
    out[k.section] ??= {};
    out[k.section]![k.key] = Array.isArray(k.default) ? [...k.default] : k.default;
  }
  return out as unknown as NodeConfig;
}

function tomlValue(v: KeySpec['default']): string {
  if (Array.isArray(v)) return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** The commented config.toml, with `overrides` applied (section -> key -> value). */
export function renderConfig(overrides: Partial<Record<string, Record<string, KeySpec['default']>>> = {}): string {
  const lines = ['# Sovereign Ledger node configuration. Every key is shown with its default.', '# Paths are relative to the node home.', ''];
  let section = '';
  for (const k of CONFIG_KEYS) {
    if (k.section !== section) {
      if (section) lines.push('');
      lines.push(`[${k.section}]`);
      section = k.section;
    }
    const choice = k.oneOf ? ` One of: ${k.oneOf.join(', ')}.` : '';
    lines.push(`# ${k.doc}${choice} Default: ${tomlValue(k.default)}.`);
    lines.push(`${k.key} = ${tomlValue(overrides[k.section]?.[k.key] ?? k.default)}`);
  }
  return lines.join('\n') + '\n';
}

/** Parse and check config TOML text; every key not given takes its default. */
export function parseConfig(text: string, source = 'config.toml'): NodeConfig {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`${source}: not valid TOML: ${(e as Error).message.split('\n')[0]}`);
  }
  const cfg = defaultConfig() as unknown as Record<string, Record<string, unknown>>;
  const problems: string[] = [];
  for (const [section, body] of Object.entries(doc)) {
    if (!(section in cfg)) {
      problems.push(`unknown section [${section}]`);
      continue;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      problems.push(`${section} must be a table`);
      continue;
    }
    for (const [key, value] of Object.entries(body)) {
      const spec = CONFIG_KEYS.find((k) => k.section === section && k.key === key);
      if (!spec) {
        problems.push(`unknown key ${section}.${key}`);
        continue;
      }
      const why = checkValue(spec, value);
      if (why) problems.push(`${section}.${key}: ${why}`);
      else cfg[section]![key] = value;
    }
  }
  if (problems.length > 0) throw new ConfigError(`${source}: ${problems.join('; ')}`, { problems });
  return cfg as unknown as NodeConfig;
}

function checkValue(spec: KeySpec, v: unknown): string | null {
  switch (spec.kind) {
    case 'string':
      if (typeof v !== 'string') return 'must be a string';
      if (spec.oneOf && !spec.oneOf.includes(v)) return `must be one of ${spec.oneOf.join(', ')}`;
      return null;
    case 'int':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) return 'must be an integer';
      if (spec.min !== undefined && v < spec.min) return `must be at least ${spec.min}`;
      if (spec.zeroOrMin !== undefined && v !== 0 && v < spec.zeroOrMin) return `must be 0 (keep all) or at least ${spec.zeroOrMin}`;
      return null;
    case 'bool':
      return typeof v === 'boolean' ? null : 'must be true or false';
    case 'string[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? null : 'must be a list of strings';
  }
}

export function loadConfig(home: string, overrides: readonly ConfigOverride[] = []): NodeConfig {
  const file = join(home, 'config.toml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return applyOverrides(parseConfig(text, file), overrides);
}

/** One key set from outside the file: by an environment variable or a `--set` flag. */
export interface ConfigOverride {
  section: string;
  key: string;
  /** The value as text (a list: comma-separated). */
  text: string;
  /** Where it came from, for messages: `SOV_RPC_LISTEN`, `--set rpc.listen=...`. */
  from: string;
}

/** The environment variable of a config key: SOV_, the section, an underscore, the key, upper case (`SOV_RPC_LISTEN`). */
export const envNameOf = (k: { section: string; key: string }): string => `SOV_${k.section}_${k.key}`.toUpperCase();

/** Overrides from the environment (every key's SOV_SECTION_KEY), then from `--set section.key=value` flags (later wins). */
export function configOverrides(env: Readonly<Record<string, string | undefined>>, sets: readonly string[] = []): ConfigOverride[] {
  const out: ConfigOverride[] = [];
  for (const k of CONFIG_KEYS) {
    const v = env[envNameOf(k)];
    if (v !== undefined) out.push({ section: k.section, key: k.key, text: v, from: envNameOf(k) });
  }
  for (const s of sets) {
    const m = /^([a-z0-9_]+)\.([a-z0-9_]+)=(.*)$/s.exec(s);
    if (m === null) throw new ConfigError(`--set ${JSON.stringify(s.slice(0, 80))}: write section.key=value (e.g. --set rpc.listen=127.0.0.1:9545)`);
    out.push({ section: m[1]!, key: m[2]!, text: m[3]!, from: `--set ${m[1]}.${m[2]}` });
  }
  return out;
}

/** `cfg` with the overrides applied, each checked as the file's values are. */
export function applyOverrides(cfg: NodeConfig, overrides: readonly ConfigOverride[]): NodeConfig {
  if (overrides.length === 0) return cfg;
  const out = JSON.parse(JSON.stringify(cfg)) as Record<string, Record<string, unknown>>;
  const problems: string[] = [];
  for (const o of overrides) {
    const spec = CONFIG_KEYS.find((k) => k.section === o.section && k.key === o.key);
    if (!spec) {
      problems.push(`${o.from}: no config key ${o.section}.${o.key}`);
      continue;
    }
    const value = spec.kind === 'int' ? (/^-?[0-9]+$/.test(o.text.trim()) ? Number(o.text.trim()) : o.text)
      : spec.kind === 'bool' ? (o.text === 'true' ? true : o.text === 'false' ? false : o.text)
        : spec.kind === 'string[]' ? o.text.split(',').map((x) => x.trim()).filter((x) => x.length > 0)
          : o.text;
    const why = checkValue(spec, value);
    if (why) problems.push(`${o.from}: ${o.section}.${o.key} ${why}`);
    else out[o.section]![o.key] = value;
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '), { problems });
  return out as unknown as NodeConfig;
}

/** docs/config.md: every key of the config table, its kind, default, environment variable and meaning. */
export function configReference(): string {
  const lines = [
    '# Node configuration reference',
    '',
    'Generated from the config table (node/ops/config.ts); node/ops/test/config.test.ts checks it is current',
    '(regenerate with `SOV_WRITE_DOCS=1 node dist/node/ops/test/config.test.js`).',
    '',
    "A node reads `config.toml` in its home. Every key not in the file takes its default. Each key can also be set",
    'by its environment variable, and by the flag `--set section.key=value` of `sov start` and `sov dev` (repeatable;',
    'a list is comma-separated). A flag wins over the environment, which wins over the file. A value is checked as',
    'the file\'s are: a wrong one stops the node with a message naming where it came from.',
    '',
  ];
  let section = '';
  for (const k of CONFIG_KEYS) {
    if (k.section !== section) {
      section = k.section;
      lines.push(`## [${section}]`, '', '| key | kind | default | environment | meaning |', '| --- | --- | --- | --- | --- |');
    }
    const choice = k.oneOf ? ` One of: ${k.oneOf.join(', ')}.` : '';
    const min = k.zeroOrMin !== undefined ? ` 0, or at least ${k.zeroOrMin}.` : k.min !== undefined ? ` At least ${k.min}.` : '';
    lines.push(`| \`${k.key}\` | ${k.kind} | \`${tomlValue(k.default).replace(/\|/g, '\\|')}\` | \`${envNameOf(k)}\` | ${k.doc.replace(/\|/g, '\\|')}${choice}${min} |`);
    const next = CONFIG_KEYS[CONFIG_KEYS.indexOf(k) + 1];
    if (next === undefined || next.section !== section) lines.push('');
  }
  return lines.join('\n');
}

/** A path from the config, resolved against the home. */
export function homePath(home: string, p: string): string {
  return isAbsolute(p) ? p : join(home, p);
}
