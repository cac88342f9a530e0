/**
 * The console's figures on a long chain (issue #28), measured in headless Chromium
 * (test/browser.ts): a chain of 100,000 blocks (SOV_BENCH_BLOCKS) whose paying
 * customer made 10,000 transfers (SOV_BENCH_ACCOUNT_TXS), fabricated by scripts/make-chain.ts
 * with one validator (cached in tmp/console-bench-chain; copied before a node runs on it),
 * then one `sov start` node serving the console on it, producing new blocks every 500 ms.
 * 1. Home page first render: from navigation start to the latest blocks and transactions drawn
 *    (the page's own performance.now(), body data-first-render), cold and then warm (median).
 * 2. A new block on screen after its commit: the node's log time of each "committed" line to
 *    the page's row for that height (its data-shown-at; same machine clock), over 8 blocks.
 * 3. The account page of the customer with 10,000 transactions: from navigation start to the
 *    first page of its history drawn and its balance proven in the page (the later of the two);
 *    and its next page of history (the "Older transactions" button to 40 rows drawn).
 * The last line is one JSON object: the figures (ms), and `ratio`, the worst of the three over
 * its 1 s budget (below 1: all within). Public callers' rate limit is lifted for the node
 * (as `sov dev` does), so the figures are the pages', not the limiter's.
 */
import { spawn } from 'node:child_process';
import { closeSync, cpSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_V8_FLAGS } from '../node/index.js';
import { SovClient } from '../rpc/index.js';
import { repoPath, waitFor } from '../test/index.js';
import { launch } from '../test/browser.js';
import { loadOrMakeChain } from './make-chain.js';
import { percentile } from './bench-util.js';

// What the functions run in the page use of it (the project's TypeScript has no DOM types).
declare const document: { body: { dataset: Record<string, string | undefined> } };

const BLOCKS = Number(process.env.SOV_BENCH_BLOCKS ?? 100_000);
const ACCOUNT_TXS = Number(process.env.SOV_BENCH_ACCOUNT_TXS ?? 10_000);
const BASE_PORT = 27800;

async function main(): Promise<void> {
  const t0 = performance.now();
  const chain = await loadOrMakeChain({
    out: repoPath('tmp', 'console-bench-chain'), blocks: BLOCKS, accounts: ACCOUNT_TXS, customers: 1, validators: 1, basePort: BASE_PORT,
    log: (l) => console.log(l),
  });
  console.log(`chain: ${chain.blocks} blocks, ${chain.txs} transactions (${chain.reused ? 'reused' : `made in ${chain.seconds} s`})`);
  const work = mkdtempSync(join(tmpdir(), 'sov-bench-console-'));
  const children = new Set<ReturnType<typeof spawn>>();
  const browser = await launch();
  try {
    cpSync(chain.dir, work, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(work, 'testnet.json'), 'utf8').replaceAll(chain.dir, work)) as { nodes: { home: string; rpc_url: string }[]; accounts: { role: string; address: string }[] };
    const home = manifest.nodes[0]!.home;
    const logPath = join(work, 'node0.log');
    const fd = openSync(logPath, 'a');
    const node = spawn(process.execPath, [...NODE_V8_FLAGS, repoPath('bin', 'sov.js'), 'start', '--home', home,
      '--set', 'rpc.console=true', '--set', 'rpc.rate_limit_per_address=0', '--set', 'consensus.block_interval_ms=500'], { stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    children.add(node);
    const rpcUrl = manifest.nodes[0]!.rpc_url;
    const client = new SovClient(rpcUrl, { timeoutMs: 30_000 });
    await waitFor(async () => (await client.status().then((s) => s.height, () => 0)) > BLOCKS, `the node serving past height ${BLOCKS}`, 180_000, 200);
    console.log(`node up at height ${(await client.status()).height} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    const base = new URL('/console/', rpcUrl).href;

    // 1. Home: first render, cold then warm.
    const firsts: number[] = [];
    for (let i = 0; i < 6; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('console', (msg) => void (msg.type() === 'error' && problems.push(msg.text())));
      await page.goto(`${base}#/`);
      await page.waitForFunction(() => document.body.dataset.firstRender !== undefined, undefined, { timeout: 30_000 }).catch((e: Error) => {
        throw new Error(`the home page did not render: ${e.message}; page errors: ${JSON.stringify(problems)}`);
      });
      firsts.push(Number(await page.evaluate(() => document.body.dataset.firstRender)));
      await page.close();
    }
    const homeCold = Math.round(firsts[0]!);
    const homeWarm = Math.round(percentile(firsts.slice(1), 50));
    console.log(`home first render: cold ${homeCold} ms, warm ${JSON.stringify(firsts.slice(1).map(Math.round))} ms`);

    // 2. New blocks on screen after their commit (the node's log has each commit's time).
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}#/`);
    await page.waitForSelector('.live[data-live="on"]', { timeout: 30_000 });
    const from = (await client.status()).height + 1;
    const delays: number[] = [];
    for (let h = from; h < from + 8; h++) {
      await page.waitForSelector(`tr[data-height="${h}"]`, { timeout: 30_000 });
      const shownAt = Number(await page.locator(`tr[data-height="${h}"]`).getAttribute('data-shown-at'));
      const line = readFileSync(logPath, 'utf8').split('\n').find((l) => l.includes('"msg":"committed"') && l.includes(`"height":${h},`));
      if (!line) throw new Error(`no commit of height ${h} in the node's log`);
      delays.push(shownAt - Date.parse((JSON.parse(line) as { time: string }).time));
    }
    await page.close();
    const blockToScreen = Math.max(...delays);
    console.log(`new block on screen after its commit: ${JSON.stringify(delays)} ms`);

    // 3. The account with 10,000 transactions.
    const payer = manifest.accounts.find((a) => a.role === 'customer')!.address;
    let n = 0;
    for (let after: { height: number; index: number } | null | undefined; ;) {
      const p = await client.getAccountTransactions(payer, { limit: 1000, ...(after ? { after } : {}) });
      n += p.items.length;
      if (!p.next) break;
      after = p.next;
    }
    const accountMs: number[] = [];
    const olderMs: number[] = [];
    for (let i = 0; i < 4; i++) {
      const ap = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await ap.goto(`${base}#/account/${payer}`);
      await ap.waitForFunction(() => document.body.dataset.historyAt !== undefined && document.body.dataset.verifiedAt !== undefined, undefined, { timeout: 30_000 });
      const [hist, ver, mark] = await ap.evaluate(() => [Number(document.body.dataset.historyAt), Number(document.body.dataset.verifiedAt), (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string } | null } }).document.querySelector('.mark')?.getAttribute('data-verified') ?? 'none'] as const);
      if (mark !== 'ok') throw new Error(`the balance did not verify: ${mark}`);
      accountMs.push(Math.max(hist, ver));
      // The next page of the history ("Older transactions").
      const clicked = Date.now();
      await ap.click('button[data-action="older"]');
      await ap.waitForSelector('[data-history-rows="40"]', { timeout: 30_000 });
      olderMs.push(Date.now() - clicked);
      await ap.close();
    }
    const accountCold = Math.round(accountMs[0]!);
    const accountWarm = Math.round(percentile(accountMs.slice(1), 50));
    console.log(`account page (${n} transactions): cold ${accountCold} ms, warm ${JSON.stringify(accountMs.slice(1).map(Math.round))} ms; its next page of history ${JSON.stringify(olderMs)} ms`);

    const figures = {
      blocks: (await client.status()).height, accountTxs: n,
      homeFirstRenderMs: homeCold, homeFirstRenderWarmMs: homeWarm,
      blockToScreenMaxMs: blockToScreen, blockToScreenMedianMs: Math.round(percentile(delays, 50)),
      accountPageMs: accountCold, accountPageWarmMs: accountWarm, accountNextPageMs: Math.round(percentile(olderMs, 50)),
    };
    console.log(JSON.stringify({ ...figures, ratio: Math.round((Math.max(homeCold, blockToScreen, accountCold) / 1000) * 1000) / 1000 }));
  } finally {
    await browser.close().catch(() => undefined);
    for (const c of children) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
