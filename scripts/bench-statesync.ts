/**
 * bench:statesync (issue #29): how much faster a node joins a long chain by state sync than
 * by block sync from genesis, on the same chain, in the same run.
 *
 * 1. A chain of `--blocks` blocks and `--accounts` new accounts (default 10,000 and
 *    1,000,000) for 4 validators, fabricated by scripts/make-chain.ts into a cache directory
 *    (`--cache DIR`, default $TMPDIR/sov-statesync-chain-<blocks>-<accounts>); `--reuse` takes
 *    the chain already there when it was made with the same options (nodes run on a copy).
 * 2. The 4 validators start on a copy of it (block interval `--block-ms`, 500 by default) and
 *    continue the chain; their `[statesync] snapshot_interval` is head + 10, so one snapshot is
 *    made at head + 10 and no other during the run. The bench waits until it is written.
 * 3. (a) block sync: a fresh observer (its own node key, admitted by the validators'
 *    `[p2p] observers`) starts from genesis without state sync; timed from its start until
 *    its height reaches the validators' height at that start, then it is stopped.
 *    (b) state sync: another fresh observer with `[statesync] enable = true`, timed the same
 *    way (it restores the snapshot, then block-syncs the few blocks after it).
 *    Each is then checked against validator 0: same block hash and state root at its height.
 * 4. (c) a validator joins by state sync (issue #29's acceptance at full scale; skipped with
 *    `--no-validator-join`): validator 1 is restarted serving every snapshot chunk with one
 *    byte changed (SOV_FAULT_TAMPER_SNAPSHOT_CHUNKS); then validator 3 is stopped, its store
 *    removed, and it is started again with `[statesync] enable = true`. Timed until it reaches
 *    the others' height; then the bench waits for a commit certificate carrying its signature,
 *    and counts, in its log, the chunks it refused (from validator 1) and fetched elsewhere.
 *    It fails unless it joined from a snapshot (no block 1), refused at least one chunk, and
 *    signed a commit.
 * Progress lines, then one JSON line: blocks, accounts, txs, blockSyncSeconds,
 * stateSyncSeconds, ratio (= blockSyncSeconds / stateSyncSeconds; aim >= 10), and more. When
 * the node has no state sync yet (no `[statesync] enable` in docs/config.md), (b) fails with
 * "state sync not available", (a) is still measured, ratio is null and the exit status is 1.
 * Options: --blocks N --accounts N --reuse --cache DIR --block-ms MS --timeout-s S --seed S,
 * --state-sync-first (run (b) before (a): the state-sync figure first, when time is short),
 * --no-block-sync (skip (a): no ratio), --no-validator-join (skip (c)).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAddress, toHex } from '../core/index.js';
import { TAMPER_SNAPSHOT_CHUNKS_ENV } from '../node/index.js';
import { Devnet, configEnvVar } from '../test/devnet.js';
import { waitFor } from '../test/wait.js';
import { loadOrMakeChain, makeChain, type FabricatedChain } from './make-chain.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}
function intFlag(name: string, def: number): number {
  const v = flag(name);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} needs a positive integer`);
  return n;
}

const BLOCKS = intFlag('blocks', 10_000);
const ACCOUNTS = intFlag('accounts', 1_000_000);
const BLOCK_MS = intFlag('block-ms', 500);
const TIMEOUT_MS = intFlag('timeout-s', 7200) * 1000;
const SEED = flag('seed') ?? 'bench-statesync';
const REUSE = process.argv.includes('--reuse');
const STATE_SYNC_FIRST = process.argv.includes('--state-sync-first');
const VALIDATOR_JOIN = !process.argv.includes('--no-validator-join');
const SKIP_BLOCK_SYNC = process.argv.includes('--no-block-sync');
const CACHE = flag('cache') ?? join(tmpdir(), `sov-statesync-chain-${BLOCKS}-${ACCOUNTS}`);
const log = (s: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

interface Joined {
  seconds: number;
  target: number;
  height: number;
}

/** Start node i, time it until it reaches the validators' height at its start, check it against validator 0, stop it. */
async function timeJoin(net: Devnet, i: number, what: string, stopAfter = true): Promise<Joined> {
  const target = await net.height(0);
  const t0 = performance.now();
  net.start(i);
  let last = performance.now();
  await waitFor(async () => {
    const h = await net.height(i);
    if (performance.now() - last > 10_000) {
      last = performance.now();
      log(`${what}: node ${i} at height ${h} of ${target} (${((last - t0) / 1000).toFixed(0)} s)`);
    }
    return h >= target;
  }, `${what}: node ${i} at height ${target}`, TIMEOUT_MS, 100);
  const seconds = (performance.now() - t0) / 1000;
  const height = await net.height(i);
  // Same chain: the block hash and state root at a height both hold.
  const at = Math.min(height, await net.height(0));
  const [mine, theirs] = await Promise.all([net.rpc(i, 'sov_getBlock', [at]), net.rpc(0, 'sov_getBlock', [at])]) as { hash: string; header: { stateRoot: string } }[];
  if (mine!.hash !== theirs!.hash || mine!.header.stateRoot !== theirs!.header.stateRoot) throw new Error(`${what}: node ${i}'s block ${at} differs from validator 0's`);
  if (stopAfter) await net.kill(i, 'SIGTERM');
  log(`${what}: node ${i} reached ${target} in ${seconds.toFixed(1)} s (block ${at}: same hash and state root as validator 0)`);
  return { seconds, target, height };
}

/** (c): validator 1 restarted serving tampered chunks; validator 3 restarted from an empty store by state sync; until it signs a commit. */
async function validatorJoin(net: Devnet, env: Record<number, Record<string, string>>, enableVar: string, intervalVar: string): Promise<Record<string, unknown>> {
  const HOSTILE = 1;
  const LATE = net.validatorCount - 1;
  log(`(c) validator join: validator ${HOSTILE} restarted serving tampered snapshot chunks`);
  await net.kill(HOSTILE, 'SIGTERM');
  env[HOSTILE] = { ...env[HOSTILE], [TAMPER_SNAPSHOT_CHUNKS_ENV]: '1' };
  net.start(HOSTILE);
  await waitFor(async () => (await net.height(HOSTILE).catch(() => 0)) >= (await net.height(0)) - 1, `validator ${HOSTILE} back at the tip`, 600_000, 200);
  log(`(c) validator ${LATE} stopped, its store removed, started again with state sync`);
  await net.kill(LATE, 'SIGTERM');
  rmSync(join(net.manifest.nodes[LATE]!.home, 'data'), { recursive: true, force: true });
  env[LATE] = { [enableVar]: 'true', [intervalVar]: '0' };
  const before = existsSync(net.logPath(LATE)) ? readFileSync(net.logPath(LATE), 'utf8').length : 0;
  const joined = await timeJoin(net, LATE, 'validator join', false);
  const m = net.manifest as unknown as { address_prefix: string; nodes: { validator_address: string }[] };
  const me = toHex(decodeAddress(m.nodes[LATE]!.validator_address, m.address_prefix)).toLowerCase();
  let signedAt = 0;
  let scanned = joined.height;
  await waitFor(async () => {
    const tip = (await net.height(0)) - 1;
    for (; scanned < tip && signedAt === 0; scanned++) {
      const b = (await net.rpc(0, 'sov_getBlock', [scanned + 1])) as { commit: { signatures: { validator: string }[] } | null };
      if ((b.commit?.signatures ?? []).some((x) => x.validator.replace(/^0x/, '').toLowerCase() === me)) signedAt = scanned + 1;
    }
    return signedAt > 0;
  }, `a commit certificate signed by validator ${LATE}`, 300_000, 500);
  const logText = readFileSync(net.logPath(LATE), 'utf8').slice(before);
  const refused = logText.split('\n').filter((l) => l.includes('refused a bad snapshot chunk')).length;
  const imported = logText.split('\n').some((l) => l.includes('state sync: state imported'));
  const block1 = await net.rpc(LATE, 'sov_getBlock', [1]).then(() => true, () => false);
  log(`(c) validator ${LATE} joined in ${joined.seconds.toFixed(1)} s; refused ${refused} tampered chunk(s); block ${signedAt}'s certificate carries its signature`);
  if (!imported || block1) throw new Error(`(c) validator ${LATE} did not join from a snapshot (imported: ${imported}, holds block 1: ${block1})`);
  if (refused === 0) throw new Error(`(c) validator ${LATE} refused no tampered chunk: validator ${HOSTILE} served none to it`);
  return { validatorJoinSeconds: Math.round(joined.seconds * 10) / 10, validatorJoinTarget: joined.target, validatorJoinRefusedChunks: refused, validatorSignedAt: signedAt };
}

async function main(): Promise<void> {
  const started = performance.now();
  let chain: FabricatedChain & { reused?: boolean };
  if (REUSE) chain = await loadOrMakeChain({ out: CACHE, blocks: BLOCKS, accounts: ACCOUNTS, seed: SEED, log });
  else {
    rmSync(CACHE, { recursive: true, force: true });
    chain = { ...(await makeChain({ out: CACHE, blocks: BLOCKS, accounts: ACCOUNTS, seed: SEED, log })), reused: false };
  }
  log(chain.reused ? `reusing the chain in ${CACHE} (made in ${chain.seconds} s)` : `fabricated ${chain.blocks} blocks, ${chain.accounts} accounts, ${chain.txs} txs in ${chain.seconds} s (${chain.txsPerSecond} tx/s)`);

  const enableVar = configEnvVar('statesync', 'enable');
  const intervalVar = configEnvVar('statesync', 'snapshot_interval');
  const stateSync = enableVar !== null && intervalVar !== null;
  const snapshotAt = chain.blocks + 10;
  const net = Devnet.create({ validators: chain.validators, fromDir: CACHE, blockIntervalMs: BLOCK_MS });
  const stop = (): void => void net.stop().finally(() => process.exit(130));
  process.once('SIGINT', stop).once('SIGTERM', stop);
  const result: Record<string, unknown> = {
    blocks: chain.blocks, accounts: chain.accounts, txs: chain.txs, fabricateSeconds: chain.seconds, fabricateTxsPerSecond: chain.txsPerSecond, reusedChain: chain.reused ?? false,
  };
  let failure: string | null = null;
  try {
    const blockSyncNode = net.addObserver('blocksync');
    const stateSyncNode = net.addObserver('statesync');
    const env: Record<number, Record<string, string>> = {};
    if (stateSync) {
      for (let v = 0; v < net.validatorCount; v++) env[v] = { [intervalVar]: String(snapshotAt) };
      // The joining nodes make no snapshots of their own (a block-syncing node would write one every 1,000 heights by default: load that is not syncing).
      env[blockSyncNode] = { [intervalVar]: '0' };
      env[stateSyncNode] = { [enableVar]: 'true', [intervalVar]: '0' };
    }
    net.launcher = (i) => ({ env: env[i] ?? {} });
    for (let v = 0; v < net.validatorCount; v++) net.start(v);
    await waitFor(async () => (await net.height(0)) > chain.blocks, `the validators past the fabricated head ${chain.blocks}`, 300_000, 200);
    log(`validators running: height ${await net.height(0)} (fabricated head ${chain.blocks})`);
    if (stateSync) {
      const snaps = join(net.manifest.nodes[0]!.home, 'data', 'snapshots');
      await waitFor(() => existsSync(snaps) && readdirSync(snaps).some((n) => /^\d+$/.test(n)), `a snapshot at height ${snapshotAt} on validator 0`, 1_800_000, 500);
      log(`snapshot at height ${snapshotAt} written`);
      result.snapshotHeight = snapshotAt;
    }

    const blockSync = async (): Promise<void> => {
      log('(a) block sync from genesis: starting a fresh observer');
      const a = await timeJoin(net, blockSyncNode, 'block sync');
      result.blockSyncSeconds = Math.round(a.seconds * 10) / 10;
      result.blockSyncTarget = a.target;
    };
    const stateSyncJoin = async (): Promise<void> => {
      if (!stateSync) {
        failure = 'state sync not available: the node has no [statesync] enable / snapshot_interval keys (docs/config.md)';
        log(`(b) ${failure}`);
        return;
      }
      log('(b) state sync: starting a fresh observer with [statesync] enable = true');
      const b = await timeJoin(net, stateSyncNode, 'state sync');
      result.stateSyncSeconds = Math.round(b.seconds * 10) / 10;
      result.stateSyncTarget = b.target;
    };
    if (STATE_SYNC_FIRST) {
      await stateSyncJoin();
      if (!SKIP_BLOCK_SYNC) await blockSync();
    } else {
      if (!SKIP_BLOCK_SYNC) await blockSync();
      await stateSyncJoin();
    }
    if (VALIDATOR_JOIN && stateSync) Object.assign(result, await validatorJoin(net, env, enableVar, intervalVar));
  } catch (e) {
    failure = (e as Error).message;
    log(`failed: ${failure}`);
  } finally {
    await net.stop();
  }
  const bs = result.blockSyncSeconds as number | undefined;
  const ss = result.stateSyncSeconds as number | undefined;
  result.ratio = bs !== undefined && ss !== undefined && ss > 0 ? Math.round((bs / ss) * 10) / 10 : null;
  result.error = failure;
  result.loadAverage = loadavg().map((x) => Math.round(x * 10) / 10);
  result.totalSeconds = Math.round((performance.now() - started) / 100) / 10;
  console.log(JSON.stringify(result));
  if (failure !== null) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
