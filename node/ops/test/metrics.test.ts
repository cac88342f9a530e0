/** Metrics are served in Prometheus text format with unit-suffixed names. */
import t from 'tap';
import { NodeMetrics, startMetricsServer } from '../metrics.js';
import type { AddressInfo } from 'node:net';

t.test('GET /metrics', async (tt) => {
  const m = new NodeMetrics({ labels: { moniker: 'n0' } });
  m.height.set(42);
  m.blockTxs.observe(7);
  m.txsRejected.inc({ code: 'TX_BAD_SIGNATURE' });
  const server = await startMetricsServer(m, '127.0.0.1', 0);
  try {
    const port = (server.address() as AddressInfo).port;
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    tt.equal(res.status, 200);
    const body = await res.text();
    tt.match(body, /sov_height\{moniker="n0"\} 42/);
    tt.match(body, /sov_block_txs_count\{moniker="n0"\} 1/);
    tt.match(body, /sov_mempool_rejected_total\{code="TX_BAD_SIGNATURE",moniker="n0"\} 1/);
    tt.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
  } finally {
    server.close();
  }
});
