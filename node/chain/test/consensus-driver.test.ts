/**
 * The consensus driver against a test double of the application interface (no vm, no
 * ledger): a one-validator chain proposes, decides and commits heights in order, the double
 * is asked for each next height with the previous height's certificate, and every
 * certificate it is handed verifies against the genesis set.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressFromPublicKey, Block, equalBytes, generateKeyPair, ValidatorSet, verifyCommit, type Commit } from '../../../core/index.js';
import type { BlockResult, ValidatorUpdate } from '../../../vm/index.js';
import { makeBlock, waitFor } from '../../../test/index.js';
import type { Application, CommittedBlock, EpochHashes } from '../application.js';
import { ConsensusDriver } from '../consensus-driver.js';
import { WalFile } from '../wal-file.js';
import { EpochFile } from '../epochs.js';
import { silentLogger } from '../../ops/log.js';
import { NodeMetrics } from '../../ops/metrics.js';

const CHAIN = 'test-chain';
const TIMEOUTS = { proposeMs: 2000, proposeDeltaMs: 500, prevoteMs: 1000, prevoteDeltaMs: 500, precommitMs: 1000, precommitDeltaMs: 500 };

/** An application that keeps blocks in memory: every proposal valid, nothing executed. */
class MemoryApp implements Application {
  height = 0;
  readonly built: { height: number; lastCommit: Commit | null; hash: Uint8Array }[] = [];
  readonly commits: Commit[] = [];

  constructor(readonly validatorsAtGenesis: readonly ValidatorUpdate[]) {}

  async lastCommit(): Promise<Commit | null> {
    return this.commits.at(-1) ?? null;
  }

  async buildBlock(height: number, _proposer: Uint8Array, lastCommit: Commit | null): Promise<Uint8Array> {
    const block = makeBlock(height, new Uint8Array(32).fill(height), []);
    this.built.push({ height, lastCommit, hash: block.hash });
    return block.bytes;
  }

  async checkBlock(): Promise<boolean> {
    return true;
  }

  async commitBlock(bytes: Uint8Array, commit: Commit, _epochs: EpochHashes, beforeWrite?: (updates: readonly ValidatorUpdate[]) => void): Promise<CommittedBlock> {
    const block = Block.decode(bytes);
    beforeWrite?.([]);
    this.height = block.height;
    this.commits.push(commit);
    return { updates: [], block, result: emptyResult() };
  }
}

function emptyResult(): BlockResult {
  return {
    writes: [], included: [], receipts: [], receiptBytes: [], receiptHashes: [], resultsRoot: new Uint8Array(32),
    accounts: [], indexes: [], events: [], validatorUpdates: [], rejected: [], rejectedEvidence: [], blockEvents: [], workUsed: 0,
  };
}

/** A temporary directory with a WAL in it, both gone at the test's end. */
function walDir(tt: { teardown(f: () => void): void }): { dir: string; wal: WalFile } {
  const dir = mkdtempSync(join(tmpdir(), 'sov-driver-'));
  const wal = WalFile.open(dir);
  tt.teardown(() => {
    wal.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, wal };
}

t.test('the driver runs a one-validator chain through an Application test double', async (tt) => {
  const { dir, wal } = walDir(tt);
  const key = generateKeyPair();
  const app = new MemoryApp([{ publicKey: key.publicKey, power: 10 }]);
  const committed: number[] = [];
  const driver = new ConsensusDriver({
    chainId: CHAIN, secretKey: key.secretKey, timeouts: TIMEOUTS, app, wal, epochFile: new EpochFile(dir),
    log: silentLogger(), metrics: new NodeMetrics(), broadcast: () => undefined, blockIntervalMs: 10, regossipMs: 60_000,
    onCommitted: (block) => committed.push(block.height),
  });
  await driver.start();
  await waitFor(() => app.height >= 3, 'three committed heights');
  await driver.stop();

  tt.same(committed.slice(0, 3), [1, 2, 3], 'heights committed in order, each reported once');
  const set = ValidatorSet.fromKeys(app.validatorsAtGenesis);
  for (let h = 1; h <= 3; h++) {
    const built = app.built.find((b) => b.height === h)!;
    const commit = app.commits[h - 1]!;
    tt.ok(equalBytes(commit.blockHash, built.hash), `height ${h}: the block committed is the one the application built`);
    tt.equal(verifyCommit(CHAIN, commit, set, { height: h, blockHash: built.hash }), 10, `height ${h}: its certificate holds the whole power`);
    tt.same(built.lastCommit?.height ?? null, h === 1 ? null : h - 1, `height ${h}: built on the previous height's certificate`);
  }
});

t.test('precheckProposal: this height checked in full; the next height kept for later; others refused', async (tt) => {
  const { dir, wal } = walDir(tt);
  // Two validators of equal power, this driver holding one key: it cannot decide, so it stays at height 1.
  const [key, other] = [generateKeyPair(), generateKeyPair()];
  const app = new MemoryApp([{ publicKey: key.publicKey, power: 10 }, { publicKey: other.publicKey, power: 10 }]);
  const driver = new ConsensusDriver({
    chainId: CHAIN, secretKey: key.secretKey, timeouts: TIMEOUTS, app, wal, epochFile: new EpochFile(dir),
    log: silentLogger(), metrics: new NodeMetrics(), broadcast: () => undefined, blockIntervalMs: 10, regossipMs: 60_000,
  });
  await driver.start();
  tt.teardown(() => driver.stop());
  tt.equal(driver.height, 1, 'at height 1');
  const forged = (height: number) => ({ height, round: 0, polRound: null, blockHash: new Uint8Array(32), proposer: addressFromPublicKey(other.publicKey), signature: new Uint8Array(64) });
  tt.not(driver.precheckProposal(forged(1)), null, 'this height: a forged signature is refused');
  tt.equal(driver.precheckProposal(forged(2)), null, 'the next height: kept (checked against its own set when the node gets there)');
  tt.equal(driver.precheckProposal(forged(3))?.code, 'CONSENSUS_WRONG_HEIGHT', 'further ahead: refused');
});
