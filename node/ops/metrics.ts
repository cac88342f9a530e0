/**
 * Prometheus metrics of one node (prom-client, its own registry). Names end in their unit.
 * `startMetricsServer` serves them at GET /metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createServer, type Server } from 'node:http';

export class NodeMetrics {
  readonly registry = new Registry();
  readonly height = new Gauge({ name: 'sov_height', help: 'Latest committed block height.', registers: [this.registry] });
  readonly round = new Gauge({ name: 'sov_consensus_round', help: 'Current consensus round.', registers: [this.registry] });
  readonly blockInterval = new Histogram({
    name: 'sov_block_interval_seconds', help: 'Time between consecutive committed blocks.', buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32], registers: [this.registry],
  });
  readonly blockTxs = new Histogram({
    name: 'sov_block_txs', help: 'Transactions per committed block.', buckets: [0, 1, 10, 100, 500, 1000, 2000, 5000, 10000, 20000], registers: [this.registry],
  });
  readonly commitLatency = new Histogram({
    name: 'sov_tx_commit_latency_seconds', help: 'From admission to this node\'s mempool to commit.', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16], registers: [this.registry],
  });
  readonly mempoolTxs = new Gauge({ name: 'sov_mempool_txs', help: 'Transactions in the mempool.', registers: [this.registry] });
  readonly mempoolBytes = new Gauge({ name: 'sov_mempool_bytes', help: 'Bytes of transactions in the mempool.', registers: [this.registry] });
  readonly peers = new Gauge({ name: 'sov_p2p_peers', help: 'Connected peers with an open link.', registers: [this.registry] });
  readonly compactFetchedTxs = new Counter({ name: 'sov_compact_fetched_txs_total', help: 'Transactions of compact proposals that were not in the mempool and were fetched from peers.', registers: [this.registry] });
  readonly peerMisbehaviour = new Counter({ name: 'sov_p2p_misbehaviour_total', help: 'Links dropped for protocol violations.', labelNames: ['code'] as const, registers: [this.registry] });
  readonly txsAdmitted = new Counter({ name: 'sov_mempool_admitted_total', help: 'Transactions admitted to the mempool.', registers: [this.registry] });
  readonly txsRejected = new Counter({ name: 'sov_mempool_rejected_total', help: 'Transactions refused by the mempool.', labelNames: ['code'] as const, registers: [this.registry] });

  constructor(opts: { defaultMetrics?: boolean; labels?: Record<string, string> } = {}) {
    if (opts.labels) this.registry.setDefaultLabels(opts.labels);
    // The stock names (process_cpu_seconds_total, nodejs_heap_size_used_bytes, ...), so Node.js dashboards work as they are.
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Serve `metrics` at http://host:port/metrics; resolves once listening. */
export function startMetricsServer(metrics: NodeMetrics, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.text().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
