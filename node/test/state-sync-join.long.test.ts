/**
 * Issue #29's acceptance at a small scale: on a fabricated chain (scripts/make-chain.ts: 300
 * blocks of real signed account openings and transfers, 12,000 new accounts, commit
 * certificates signed by the 4 validators' keys), three validators continue the chain from the
 * fabricated head; an observer joins from genesis by block sync; and the fourth validator,
 * started with its keys but an EMPTY store and `[statesync] enable = true`, joins by state sync
 * from the others' snapshot and then signs commits. Everything is checked over RPC: same block
 * hashes and state roots on every node at several heights, and the commit certificates' signers.
 * The state-sync part is skipped, saying why, while the node has no `[statesync]` keys.
 */
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAddress, toHex } from '../../core/index.js';
import { Devnet, configEnvVar } from '../../test/devnet.js';
import { repoPath, reservePorts, waitFor } from '../../test/index.js';

const BLOCKS = 300;
const ACCOUNTS = 12_000;
/** Validators' snapshots every 100 heights (the first after the fabricated head at 400): few enough not to load the machine meanwhile. */
const SNAPSHOT_INTERVAL = 100;

interface BlockView {
  hash: string;
  header: { height: number; stateRoot: string };
  commit: { signatures: { validator: string }[] } | null;
}

const enableVar = configEnvVar('statesync', 'enable');
const intervalVar = configEnvVar('statesync', 'snapshot_interval');
const stateSyncSkip = enableVar === null || intervalVar === null ? 'state sync not available: the node has no [statesync] enable / snapshot_interval keys (docs/config.md)' : false;

const fab = mkdtempSync(join(tmpdir(), 'sov-fab-'));
t.teardown(() => rmSync(fab, { recursive: true, force: true }));
// The chain's four validators and the observer added below.
const ports = reservePorts(5);
t.teardown(() => ports.release());
const made = spawnSync(process.execPath, [
  repoPath('dist/scripts/make-chain.js'), '--blocks', String(BLOCKS), '--accounts', String(ACCOUNTS), '--out', join(fab, 'chain'), '--seed', 'state-sync-join',
  '--base-port', String(ports.base),
], { encoding: 'utf8', timeout: 300_000 });
if (made.status !== 0) throw new Error(`make-chain failed: ${made.stderr}`);
const chain = JSON.parse(made.stdout.trim().split('\n').pop()!) as { blocks: number; accounts: number; headHash: string; stateRoot: string };

const net = Devnet.create({ validators: 4, fromDir: join(fab, 'chain'), blockIntervalMs: 200 });
t.teardown(() => net.stop());
const manifest = JSON.parse(readFileSync(join(net.dir, 'net', 'testnet.json'), 'utf8')) as { address_prefix: string; nodes: { validator_address: string }[] };
/** Validators' addresses as the RPC shows them in commit certificates. */
const validatorHex = manifest.nodes.map((n) => toHex(decodeAddress(n.validator_address, manifest.address_prefix)).toLowerCase());
const observer = net.addObserver('observer');
const LATE = 3; // the validator that joins by state sync
rmSync(join(net.manifest.nodes[LATE]!.home, 'data'), { recursive: true, force: true });
if (!stateSyncSkip) {
  const env: Record<number, Record<string, string>> = { 0: { [intervalVar!]: String(SNAPSHOT_INTERVAL) }, 1: { [intervalVar!]: String(SNAPSHOT_INTERVAL) }, 2: { [intervalVar!]: String(SNAPSHOT_INTERVAL) }, [LATE]: { [enableVar!]: 'true' } };
  net.launcher = (i) => ({ env: env[i] ?? {} });
}

const block = async (i: number, h: number): Promise<BlockView> => (await net.rpc(i, 'sov_getBlock', [h])) as BlockView;
const signers = (b: BlockView): string[] => (b.commit?.signatures ?? []).map((s) => s.validator.replace(/^0x/, '').toLowerCase());

/** Every node in `nodes` has the same block hash and state root at each height of `heights`. */
async function sameChain(tt: Test, nodes: number[], heights: number[]): Promise<void> {
  for (const h of heights) {
    const views = await Promise.all(nodes.map((i) => block(i, h)));
    tt.ok(views.every((v) => v.hash === views[0]!.hash && v.header.stateRoot === views[0]!.header.stateRoot), `height ${h}: the same block hash and state root on nodes ${nodes.join(', ')}`);
  }
}

t.test('the fabricated chain: three validators continue it, an observer joins it from genesis by block sync', async (tt) => {
  for (const v of [0, 1, 2]) net.start(v);
  await net.waitHeight(0, BLOCKS + 3, 120_000);
  const h0 = await block(0, BLOCKS);
  tt.equal(h0.hash, chain.headHash, 'block 300 is the fabricated head');
  tt.equal(h0.header.stateRoot, chain.stateRoot, 'with the fabricated state root');
  tt.same(signers(h0).sort(), [...validatorHex].sort(), 'a fabricated block carries all four validators\' precommits');
  const next = await block(0, BLOCKS + 2);
  tt.same(signers(next).sort(), validatorHex.slice(0, 3).sort(), 'a new block carries the three running validators\' precommits');

  net.start(observer);
  const target = await net.height(0);
  await net.waitHeight(observer, target, 180_000);
  await sameChain(tt, [0, 1, 2, observer], [1, 2, BLOCKS / 2, BLOCKS, target]);
});

t.test('a validator with an empty store joins by state sync and signs commits', { skip: stateSyncSkip }, async (tt) => {
  // Validators keep the newest two snapshots (snapshot_keep): any of them will do.
  const snapshots = join(net.manifest.nodes[0]!.home, 'data', 'snapshots');
  await waitFor(() => existsSync(snapshots) && readdirSync(snapshots).some((n) => /^\d+$/.test(n)), 'a snapshot on validator 0', 120_000, 200);
  net.start(LATE);
  const target = await net.height(0);
  await net.waitHeight(LATE, target, 120_000);
  const joined = await net.height(LATE);
  // It restored a snapshot instead of replaying the chain: it holds no block 1.
  await tt.rejects(block(LATE, 1), 'no block 1 on the state-synced validator (it did not replay from genesis)');
  // Then it is a validator again: a later commit certificate carries its signature.
  let signedAt = 0;
  await waitFor(async () => {
    const h = (await net.height(0)) - 1;
    for (let x = Math.max(joined + 1, signedAt + 1); x <= h; x++) if (signers(await block(0, x)).includes(validatorHex[LATE]!)) signedAt = x;
    return signedAt > 0;
  }, 'a commit certificate signed by the state-synced validator', 120_000, 500);
  tt.ok(signedAt > joined, `block ${signedAt}'s certificate carries validator ${LATE}'s precommit`);
  const now = await net.height(LATE);
  await sameChain(tt, [0, 1, 2, LATE, observer], [joined, signedAt, Math.min(now, await net.height(observer))]);
});
