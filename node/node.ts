/**
 * The composition root: one running node. `SovNode.open(home)` reads the home (config.toml,
 * genesis.json, keystores) and builds every component; `start()` starts them in dependency
 * order (ledger, application, p2p host, network, consensus, RPC, metrics) and `stop()` stops
 * them in reverse. Nothing else wires components together.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { addressFromPublicKey, decodeAddress, SovError, toHex, ValidatorSet, type KeyPair, type Proposal } from '../core/index.js';
import { LedgerStore, MAX_PROOF_CHUNK_ENTRIES, nativeUnavailable } from '../state/index.js';
import type { Registry } from '../vm/index.js';
import { loadGenesisFile, openKeystore, parseKeystore, type LoadedGenesis } from '../genesis/index.js';
import { AccessControl, buildRegistry, ConsoleFiles, HttpRpcServer, RateLimiter, WsRpcServer, type ApiKey, type Readiness, type RpcContext } from '../rpc/index.js';
import { ConfigError, homePath, loadConfig, type ConfigOverride, type NodeConfig } from './ops/config.js';
import { createLogger, type Logger } from './ops/log.js';
import { NodeMetrics, startMetricsServer } from './ops/metrics.js';
import { checkPorts, multiaddrPort } from './ops/ports.js';
import { VerifyPool } from './chain/verify-pool.js';
import { Mempool } from './chain/mempool.js';
import { LedgerApp } from './chain/app.js';
import { WalFile } from './chain/wal-file.js';
import { EpochFile } from './chain/epochs.js';
import { ConsensusDriver } from './chain/consensus-driver.js';
import { NodeNetwork } from './p2p/network.js';
import { SnapshotStore } from './chain/snapshot-store.js';
import { StateSyncClient, StateSyncServer, TAMPER_SNAPSHOT_CHUNKS_ENV, tamperChunkPart } from './p2p/state-sync.js';
import { P2PHost } from './p2p/host.js';
import { instanceHex } from './p2p/twins.js';
import { NodeFacadeImpl } from './chain/facade.js';
import { resolvePassword } from './cli/password.js';
import { fatalHint } from './ops/disk.js';
import { validatorPeerIds } from './p2p/allowlist.js';
import { loadApiKeys } from './ops/rpc-keys.js';
import { NodeError } from './errors.js';

const pkgVersion = (): string => (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface NodeParts {
  home: string;
  config: NodeConfig;
  genesis: LoadedGenesis;
  nodeKey: KeyPair;
  validatorKey: KeyPair | null;
  /** The RPC API keys of `[rpc] api_keys_file`, checked at load. */
  apiKeys: ApiKey[];
  log: Logger;
  /** The chain's module registry: the built-in modules unless a test or an embedding gives another. */
  modules?: Registry;
}

function readKeystore(path: string, password: string): KeyPair {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new NodeError('NODE_KEY_UNREADABLE', `cannot read the keystore ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return openKeystore(parseKeystore(json), password);
}

/** Read a node home: config, genesis and keys. Every problem is a typed error. */
export async function loadHome(home: string, log?: Logger, overrides: readonly ConfigOverride[] = []): Promise<NodeParts> {
  const config = loadConfig(home, overrides);
  const logger = log ?? createLogger(config.log.level, process.stderr, config.log.format);
  const genesis = await loadGenesisFile(homePath(home, config.node.genesis_file));
  const password = await resolvePassword(
    config.keys.password_file ? { passwordFile: homePath(home, config.keys.password_file) } : { passwordEnv: config.keys.password_env },
    { confirm: false },
  );
  const nodeKey = readKeystore(homePath(home, config.keys.node_key), password);
  const validatorKey = config.node.mode === 'validator' ? readKeystore(homePath(home, config.keys.validator_key), password) : null;
  const apiKeys = loadApiKeys(home, config.rpc.api_keys_file);
  return { home, config, genesis, nodeKey, validatorKey, apiKeys, log: logger };
}

function hostPort(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  const port = Number(listen.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`not host:port: ${listen}`);
  return { host: listen.slice(0, i), port };
}

export class SovNode {
  readonly log: Logger;
  readonly metrics: NodeMetrics;
  ledger!: LedgerStore;
  app!: LedgerApp;
  mempool!: Mempool;
  driver!: ConsensusDriver;
  host!: P2PHost;
  network!: NodeNetwork;
  facade!: NodeFacadeImpl;
  rpc: HttpRpcServer<RpcContext> | null = null;
  ws: WsRpcServer | null = null;
  private pool!: VerifyPool;
  private wal!: WalFile;
  private metricsServer: Server | null = null;
  /** The snapshots served to state-syncing peers (`[statesync] snapshot_interval`). */
  snapshots!: SnapshotStore;
  stateSyncServer!: StateSyncServer;
  /** The joining side of state sync, while the node joins by it (null otherwise). */
  stateSyncClient: StateSyncClient | null = null;
  /** State sync, then consensus, when the node joins by state sync. */
  private joining: Promise<void> | null = null;
  private allowed = new Set<string>();
  private validatorPeers = new Set<string>();
  private allowlistRun = 0;
  private stopping: Promise<void> | null = null;

  constructor(readonly parts: NodeParts) {
    this.log = parts.log;
    this.metrics = new NodeMetrics({ defaultMetrics: true, labels: { moniker: parts.config.node.moniker } });
  }

  /**
   * Read `[rpc] api_keys_file` again and put its keys in force (`sov start` does this on
   * SIGHUP): a removed or changed key is refused from the next request on, and WebSocket
   * sessions opened with it are closed. A file that does not load changes nothing; its error
   * is logged and returned.
   */
  reloadApiKeys(): { ok: true; keys: number; closedSessions: number } | { ok: false; error: string } {
    const access = this.rpc?.access;
    if (!access) return { ok: false, error: 'the node serves no RPC' };
    let keys: ApiKey[];
    try {
      keys = loadApiKeys(this.parts.home, this.parts.config.rpc.api_keys_file);
    } catch (e) {
      const error = (e as Error).message;
      this.log.error({ err: error }, 'the API keys file did not load; the keys in force are kept');
      return { ok: false, error };
    }
    access.replaceKeys(keys);
    this.parts.apiKeys = keys;
    const closedSessions = this.ws?.closeRevoked() ?? 0;
    this.log.info({ keys: keys.length, closedSessions }, 'reloaded the RPC API keys');
    return { ok: true, keys: keys.length, closedSessions };
  }

  get chainId(): string {
    return this.parts.genesis.doc.chainId;
  }

  /**
   * Peer ids admitted: the configured observers and the current validators' nodes, by the
   * node keys the latest committed state records for them (p2p/allowlist.ts), so the allowlist
   * follows every validator-set change without a restart.
   */
  /** GET /ready: synced, at a first block, and linked to a peer (unless alone in the validator set). */
  private async readiness(): Promise<Readiness> {
    const st = await this.facade.status();
    const alone = (await this.facade.validators()).validators.length <= 1;
    const joining = this.stateSyncClient?.active ? this.stateSyncClient.status : null;
    const reason = joining !== null ? joining : st.height < 1 ? 'no block committed yet'
      : st.syncing ? (this.network.syncStallReason() ?? 'catching up with the network')
        : st.peers === 0 && !alone ? 'no peer linked'
          : this.network?.silentReason() ?? null;
    return { ready: reason === null, reason, height: st.height, peers: st.peers, syncing: st.syncing };
  }

  private async refreshAllowlist(): Promise<void> {
    const run = ++this.allowlistRun;
    const validators = await validatorPeerIds(this.app.reader(), this.parts.genesis.doc.validators, (validator) =>
      this.log.warn({ validator }, 'no node key recorded for a validator: its node is not admitted'));
    if (run !== this.allowlistRun) return; // a later refresh (of a later height) got there first
    this.validatorPeers = validators;
    this.allowed = new Set<string>([...this.parts.config.p2p.observers, ...validators]);
  }

  /** Refresh the allowlist and close links to peers no longer on it; failures are logged. */
  private followValidatorSet(): void {
    this.refreshAllowlist()
      .then(() => this.host.enforceAllowlist())
      .catch((e: unknown) => this.log.error({ err: (e as Error).message }, 'cannot refresh the peer allowlist'));
  }

  async start(): Promise<void> {
    const { config, genesis, home } = this.parts;
    // Every listen port first: one taken is one line naming its key, before anything is opened or written.
    const p2pPort = multiaddrPort(config.p2p.listen);
    await checkPorts([
      ...(p2pPort ? [{ key: '[p2p] listen', ...p2pPort }] : []),
      ...(config.rpc.listen ? [{ key: '[rpc] listen', ...hostPort(config.rpc.listen) }] : []),
      ...(config.metrics.listen ? [{ key: '[metrics] listen', ...hostPort(config.metrics.listen) }] : []),
    ]);
    const dataDir = homePath(home, config.node.data_dir);
    mkdirSync(dataDir, { recursive: true });
    const chainId = genesis.doc.chainId;
    const consensus = genesis.doc.consensus;

    // [storage] retain_*: 0 keeps everything (an archive node); N keeps the latest N heights.
    const { retain_state: retainState, retain_blocks: retainBlocks, state_cache_nodes: cacheNodes } = config.storage;
    this.ledger = await LedgerStore.open({ path: join(dataDir, 'ledger'), pruneWindow: retainState > 0 ? retainState : null, blockWindow: retainBlocks > 0 ? retainBlocks : null, cacheNodes });
    if (retainState > 0 || retainBlocks > 0) {
      this.log.info({ retainState, retainBlocks, oldestState: this.ledger.oldestState, oldestBlock: this.ledger.oldestBlock }, 'pruning: keeping the latest heights only (0: all)');
    }
    if (this.ledger.state.nativeUpdates) this.log.info('state tree updates: native');
    else this.log.warn({ reason: nativeUnavailable() }, 'state tree updates: JavaScript (the native module is not loaded; commits are about three times slower)');
    // [statesync]: a node with an empty store joins by state sync (an epochs file left by an
    // interrupted one is stale: the store it was written for was never completed).
    const ss = config.statesync;
    if (ss.chunk_entries > MAX_PROOF_CHUNK_ENTRIES) throw new ConfigError(`statesync.chunk_entries: must be at most ${MAX_PROOF_CHUNK_ENTRIES}`);
    const joinByStateSync = ss.enable && this.ledger.height === 0;
    const epochFile = new EpochFile(dataDir);
    if (joinByStateSync) rmSync(epochFile.path, { force: true });
    this.snapshots = new SnapshotStore({
      dir: join(dataDir, 'snapshots'), ledger: this.ledger, log: this.log.child({ component: 'snapshots' }),
      interval: ss.snapshot_interval, keep: ss.snapshot_keep, chunkEntries: ss.chunk_entries,
      // Far behind (catching up): no snapshots of the heights passed on the way.
      syncing: () => (this.network?.bestPeerHeight ?? 0) - this.ledger.height > 20,
    });
    this.wal = WalFile.open(join(dataDir, 'wal'));
    this.pool = new VerifyPool(config.mempool.verify_workers);
    const reader = () => this.app.reader();
    this.mempool = new Mempool(
      {
        chainId,
        pool: this.pool,
        height: () => this.ledger.height,
        reader,
        modules: this.parts.modules,
        onAdmission: (results) => {
          let added = 0;
          for (const r of results) {
            if (r.status === 'added') added++;
            else if (r.status === 'rejected') this.metrics.txsRejected.inc({ code: r.code });
          }
          if (added > 0) this.metrics.txsAdmitted.inc(added);
        },
      },
      { maxTxs: config.mempool.max_txs, maxBytes: config.mempool.max_bytes, maxPerAccount: config.mempool.max_per_account, maxTxBytes: consensus.maxTxBytes },
    );
    this.app = new LedgerApp({
      chainId, genesis: genesis.vmDoc, ledger: this.ledger, mempool: this.mempool, log: this.log.child({ component: 'app' }), modules: this.parts.modules,
      maxBlockTxs: consensus.maxBlockTxs, maxBlockBytes: consensus.maxBlockBytes, maxTxBytes: consensus.maxTxBytes,
      onTxLatency: (s) => this.metrics.commitLatency.observe(s),
    });
    await this.app.init();

    this.host = new P2PHost({
      nodeSecretKey: this.parts.nodeKey.secretKey,
      listen: [config.p2p.listen],
      isAllowed: (id) => this.allowed.has(id),
      onFrame: (peer, frame) => this.network.onFrame(peer, frame),
      onPeer: (peer, up) => this.network?.onPeer(peer, up),
      log: this.log.child({ component: 'p2p' }),
      limits: { maxFrameBytes: config.p2p.max_frame_bytes, maxQueuedBytes: config.p2p.max_queued_bytes },
    });
    this.facade = new NodeFacadeImpl({
      chainId, addressPrefix: genesis.doc.addressPrefix, moniker: config.node.moniker, modules: this.parts.modules,
      ledger: this.ledger, mempool: this.mempool, reader, cachedHeadValue: (key) => this.app.cachedHeadValue(key),
      recentBlock: (height) => this.app.recentBlock(height),
      nodeId: () => this.host.peerId, peers: () => this.host.peers().length, syncing: () => this.network.syncing,
      validatorAddress: this.parts.validatorKey ? addressFromPublicKey(this.parts.validatorKey.publicKey) : null,
      relay: (txs) => this.network.relayTxs(txs),
      // Not for a node alone in its network (no other validator or observer it would link to).
      refuseWithoutPeers: config.mempool.refuse_without_peers ? () => [...this.allowed].some((id) => id !== this.host.peerId) : undefined,
      peerList: () => this.host.connectionInfo().map((c) => ({ ...c, role: this.validatorPeers.has(c.id) ? 'validator' as const : 'observer' as const })),
      txWaitTimeoutMs: config.rpc.tx_wait_timeout_ms,
      mempoolLimits: { maxTxs: config.mempool.max_txs, maxBytes: config.mempool.max_bytes, maxPerAccount: config.mempool.max_per_account },
    });
    this.driver = new ConsensusDriver({
      chainId,
      secretKey: this.parts.validatorKey?.secretKey ?? null,
      timeouts: consensus,
      blockIntervalMs: config.consensus.block_interval_ms,
      app: this.app,
      wal: this.wal,
      epochFile,
      log: this.log.child({ component: 'consensus' }),
      metrics: this.metrics,
      broadcast: (m) => this.host.broadcast(m),
      ...(config.p2p.compact_blocks ? { proposalMessages: (p: Proposal, b: Uint8Array) => this.network.compactProposalMessages(p, this.app.executedBlock(b) ?? b) } : {}),
      onCommitted: (block, result) => {
        this.facade.onCommitted(block.height, result.included.map((t) => t.hash), result.receipts);
        this.metrics.mempoolTxs.set(this.mempool.size);
        this.metrics.mempoolBytes.set(this.mempool.bytes);
        this.log.info({ height: block.height, txs: block.data.txs.length, hash: Buffer.from(block.hash).toString('hex').slice(0, 16) }, 'committed');
        if (result.validatorUpdates.length > 0) this.followValidatorSet();
        this.snapshots.onCommitted(block.height);
      },
      onFatal: (err) => {
        const code = (err as SovError).code as string | undefined;
        const hint = fatalHint(code);
        this.log.fatal({ err: err.message, code, ...(hint ? { hint } : {}) }, 'stopping the node');
        void this.stop().finally(() => (process.exitCode = 1));
      },
    });
    this.stateSyncServer = new StateSyncServer({ host: this.host, store: this.snapshots, log: this.log.child({ component: 'statesync' }) });
    if (process.env[TAMPER_SNAPSHOT_CHUNKS_ENV] === '1') {
      // Fault injection for tests at scale (docs/state-sync.md): a peer serving bad chunks.
      this.stateSyncServer.tamper = tamperChunkPart;
      this.log.warn({ env: TAMPER_SNAPSHOT_CHUNKS_ENV }, 'fault injection: this node serves every snapshot chunk with one byte changed');
    }
    if (joinByStateSync) {
      this.stateSyncClient = new StateSyncClient({
        chainId, host: this.host, ledger: this.ledger, epochFile, log: this.log.child({ component: 'statesync' }),
        genesis: ValidatorSet.fromKeys(this.app.validatorsAtGenesis.map((v) => ({ publicKey: v.publicKey, power: v.power }))),
        strike: (peer, code) => this.network.strikePeer(peer, code),
        discoveryMs: ss.discovery_ms,
      });
      this.stateSyncClient.active = true; // no block sync from genesis meanwhile
    }
    const server = this.stateSyncServer;
    const client = this.stateSyncClient;
    this.network = new NodeNetwork({
      host: this.host, driver: this.driver, mempool: this.mempool, ledger: this.ledger, log: this.log.child({ component: 'net' }), metrics: this.metrics,
      stateSync: { onMessage: (peer, msg) => server.onMessage(peer, msg) || (client?.onMessage(peer, msg) ?? false), get active() {
        return client?.active ?? false;
      } },
      onWholeBlock: (block) => this.app.adoptDecoded(block),
    });

    await this.refreshAllowlist();
    await this.host.start();
    for (const p of config.p2p.persistent_peers) this.host.addPersistentPeer(p);
    this.network.start();
    if (client !== null) {
      // Consensus starts once state sync is done (or has given up: block sync from genesis).
      this.joining = this.joinThenStart(client);
    } else {
      await this.driver.start();
    }
    if (config.rpc.listen) {
      const { host, port } = hostPort(config.rpc.listen);
      const registry = buildRegistry(pkgVersion(), this.parts.modules);
      const c = config.rpc;
      const access = new AccessControl({
        keys: this.parts.apiKeys,
        trustedProxies: c.trusted_proxies,
        limiter: new RateLimiter({
          perAddress: { perSecond: c.rate_limit_per_address, burst: c.rate_limit_address_burst },
          perKey: { perSecond: c.rate_limit_per_key, burst: c.rate_limit_key_burst },
          maxAddresses: c.rate_limit_max_addresses,
        }),
      });
      const rpc = new HttpRpcServer<RpcContext>(registry, (_req, caller) => ({ facade: this.facade, caller, access }), {
        host, port, maxBodyBytes: c.max_body_bytes, maxBatch: c.max_batch, corsOrigins: c.cors_origins,
        maxConnections: c.max_connections, maxConnectionsPerAddress: c.max_connections_per_address, access,
        ready: () => this.readiness(),
        // The console's pages, with this node's genesis.json as their trust anchor (docs/console.md).
        ...(c.console ? { console: ConsoleFiles.load(undefined, { 'genesis.json': readFileSync(homePath(this.parts.home, config.node.genesis_file), 'utf8') }) } : {}),
      });
      await rpc.start();
      this.rpc = rpc;
      if (config.rpc.ws_max_connections > 0) {
        const prefix = genesis.doc.addressPrefix;
        this.ws = new WsRpcServer(registry, this.facade, (a) => toHex(decodeAddress(a, prefix)), {
          maxConnections: config.rpc.ws_max_connections, maxMessageBytes: config.rpc.max_body_bytes, maxBatch: config.rpc.max_batch,
          maxQueuedBytes: config.rpc.ws_max_queued_bytes, maxSubscriptions: config.rpc.ws_max_subscriptions, corsOrigins: config.rpc.cors_origins, allowSameOrigin: config.rpc.console,
        });
        this.ws.attach(rpc);
      }
    }
    if (config.metrics.listen) {
      const { host, port } = hostPort(config.metrics.listen);
      this.metricsServer = await startMetricsServer(this.metrics, host, port);
    }
    this.log.info(
      { chainId, height: this.ledger.height, nodeId: this.host.peerId, instance: instanceHex(this.network.instance), p2p: this.host.multiaddrs(), rpc: this.rpc ? `http://${config.rpc.listen}` : null, rpcKeys: this.parts.apiKeys.length, mode: config.node.mode },
      'node started',
    );
  }

  /** Join by state sync, then start consensus at the height reached; a failure stops the node. */
  private async joinThenStart(client: StateSyncClient): Promise<void> {
    try {
      const h = await client.run();
      if (this.stopping) return;
      if (h !== null) this.followValidatorSet();
      await this.driver.start();
    } catch (e) {
      if (this.stopping) return;
      const code = (e as SovError).code as string | undefined;
      this.log.fatal({ err: (e as Error).message, code }, 'state sync failed; stopping the node');
      void this.stop().finally(() => (process.exitCode = 1));
    }
  }

  /** Resolves once a node joining by state sync has started consensus (at once for any other). */
  async joined(): Promise<void> {
    await this.joining;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info('stopping');
      this.stateSyncClient?.stop();
      await this.joining?.catch(() => undefined);
      await this.snapshots?.stop().catch(() => undefined);
      await this.ws?.stop().catch(() => undefined);
      await this.rpc?.stop().catch(() => undefined);
      this.metricsServer?.close();
      await this.driver?.stop().catch(() => undefined);
      this.network?.stop();
      await this.host?.stop().catch(() => undefined);
      await this.pool?.close().catch(() => undefined);
      try {
        this.wal?.close();
      } catch {
        // already closed
      }
      await this.ledger?.close().catch(() => undefined);
      this.log.info('stopped');
    })();
    return this.stopping;
  }
}

