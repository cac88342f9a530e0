/**
 * A LedgerApp over an in-memory ledger with its own mempool and a one-thread VerifyPool
 * (closed at the test's teardown): the set-up the app tests share.
 */
import { LedgerStore, MemoryKV } from '../../../state/index.js';
import type { GenesisDoc } from '../../../vm/index.js';
import { LedgerApp } from '../app.js';
import { Mempool } from '../mempool.js';
import { VerifyPool } from '../verify-pool.js';
import { silentLogger, type Logger } from '../../ops/log.js';

export interface TestAppOptions {
  readonly genesis: GenesisDoc;
  /** The block time the app stamps (a fixed 2,000 ms unless given). */
  readonly now?: () => number;
  readonly maxBlockTxs?: number;
  readonly log?: Logger;
}

export interface TestApp {
  readonly app: LedgerApp;
  readonly mempool: Mempool;
  readonly ledger: LedgerStore;
}

export async function testApp(tt: { teardown(f: () => unknown): void }, opts: TestAppOptions): Promise<TestApp> {
  const chainId = opts.genesis.chainId;
  const pool = new VerifyPool(1);
  tt.teardown(() => pool.close());
  const ledger = await LedgerStore.open({ kv: new MemoryKV(), pruneWindow: null });
  const holder: { app?: LedgerApp } = {};
  const mempool = new Mempool({ chainId, pool, height: () => ledger.height, reader: () => holder.app!.reader() });
  const app = (holder.app = new LedgerApp({
    chainId, genesis: opts.genesis, ledger, mempool, log: opts.log ?? silentLogger(),
    maxBlockTxs: opts.maxBlockTxs ?? 100, maxBlockBytes: 1 << 20, now: opts.now ?? (() => 2_000),
  }));
  await app.init();
  return { app, mempool, ledger };
}
