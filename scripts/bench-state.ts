/**
 * State benchmark (`npm run bench:state`): fill the state tree with N keys (default
 * 1,000,000), then commit blocks of 5,000 updates of random existing keys, and measure
 * committed updates/s, proof generation/s and verification/s, and bytes on disk per key.
 * Beside them, from the same run, the raw LevelDB rate for the same number of plain puts in
 * 5,000-op batches (into a store preloaded with the same number of keys).
 * The last output line is one JSON object; `ratio` = state updates/s / plain puts/s.
 * It also writes the batches of further versions (staged, not committed) into the raw store as plain puts:
 * `storageRatio` = raw puts' time / those batches' time, the ratio the storage layout alone
 * would allow if computing the tree cost nothing (`recordsPerCommit`, `bytesPerCommit`).
 * Flags: --keys N, --blocks B (default 20), --cache-nodes N (the tree's node cache, default the larger of
 * 2,000,000 and N / 2: room for the whole tree),
 * --no-compression (both stores without Snappy).
 * `npm run bench:state` runs it under the node's V8 flags (node/ops/v8-flags.ts: the store runs
 * inside the node process), the raw LevelDB side too.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LevelKV, StateTree, encodeProof, verifyProof, type KVOp, type StateWrite } from '../state/index.js';

const BLOCK = 5000;
const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(name);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`${name} needs a positive integer`);
  return v;
};
const N = arg('--keys', 1_000_000);
const BLOCKS = arg('--blocks', 20);
/**
 * The tree's node cache: by default room for every internal node (a tree of N keys has about
 * N / 3), as a node sized for its chain holds them ([storage] state_cache_nodes).
 */
const CACHE_NODES = arg('--cache-nodes', Math.max(2_000_000, Math.ceil(N / 2)));
const COMPRESSION = !process.argv.includes('--no-compression');
const log = (s: string): void => console.log(s);
const now = (): number => Number(process.hrtime.bigint()) / 1e6;

function duBytes(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir)) n += statSync(join(dir, f)).size;
  return n;
}

const KEY_BYTES = 24;

/**
 * The N keys live in one buffer (a million separate small arrays held by the harness would
 * make V8's collections, which the tree's commits trigger, pay for the harness's own heap).
 */
function makeKeys(n: number): (i: number) => Uint8Array {
  const all = new Uint8Array(n * KEY_BYTES);
  const view = new DataView(all.buffer);
  for (let i = 0; i < n; i++) {
    const o = i * KEY_BYTES;
    all.set([0x62, 0x61, 0x6c, 0x2f], o); // "bal/"
    view.setUint32(o + 4, i);
    all.set(randomBytes(16), o + 8);
  }
  return (i) => all.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES);
}

/** An op with its own copies of key and value (the tree's are views of shared slabs). */
function copyOp(op: KVOp): KVOp {
  return op.type === 'put' ? { type: 'put', key: op.key.slice(), value: op.value.slice() } : { type: 'del', key: op.key.slice() };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'sov-bench-state-'));
  try {
    const stateDir = join(root, 'state');
    const kv = await LevelKV.open(stateDir, { compression: COMPRESSION });
    // The time the timed commits spend in the store's batch writes (the rest is the tree's computing).
    let writeMs = 0;
    let timingWrites = false;
    const batch = kv.batch.bind(kv);
    kv.batch = async (ops, o) => {
      const t = now();
      await batch(ops, o);
      if (timingWrites) writeMs += now() - t;
    };
    const tree = await StateTree.open(kv, { cacheNodes: CACHE_NODES });
    const keyAt = makeKeys(N);
    log(`building ${N} keys...`);
    let t0 = now();
    const FILL = 10_000;
    for (let i = 0; i < N; i += FILL) {
      const writes: StateWrite[] = [];
      for (let j = i; j < Math.min(N, i + FILL); j++) writes.push({ key: keyAt(j), value: randomBytes(32) });
      await tree.commit(writes, { pruneTo: Math.max(0, tree.height - 1) });
      if ((i + FILL) % 100_000 === 0) log(`  ${i + FILL} keys, ${((i + FILL) / ((now() - t0) / 1000)).toFixed(0)} keys/s`);
    }
    const cachedNodes = tree.cachedNodes;
    const rssAfterBuild = process.memoryUsage().rss;
    log(`built in ${((now() - t0) / 1000).toFixed(1)} s, ${cachedNodes} nodes cached, process RSS ${(rssAfterBuild / 2 ** 20).toFixed(0)} MiB`);

    // Committed blocks of random-key updates.
    const blocks: StateWrite[][] = [];
    for (let b = 0; b < BLOCKS; b++) {
      const chosen = new Set<number>();
      while (chosen.size < BLOCK) chosen.add(Math.floor(Math.random() * N));
      blocks.push([...chosen].map((i) => ({ key: keyAt(i), value: randomBytes(32) })));
    }
    t0 = now();
    timingWrites = true;
    for (const w of blocks) await tree.commit(w);
    timingWrites = false;
    const stateMs = now() - t0;
    const updatesPerS = (BLOCKS * BLOCK) / (stateMs / 1000);
    log(`state: ${BLOCKS} blocks of ${BLOCK} updates in ${stateMs.toFixed(0)} ms: ${updatesPerS.toFixed(0)} updates/s (${(writeMs / BLOCKS).toFixed(1)} ms a block writing, ${((stateMs - writeMs) / BLOCKS).toFixed(1)} ms computing)`);

    // The state's own records: the batches of BLOCKS further versions, prepared and staged on
    // the head but not committed (the store stays as the timed commits left it), copied, to be
    // written below into the raw store as plain puts. Their time against the raw puts' is the
    // ratio this storage layout would allow if computing the tree cost nothing. (All of them are
    // version head + 1, so their upper nodes' keys repeat across batches: the raw store takes
    // those as overwrites, where real commits would add new keys.)
    const stateBatches: KVOp[][] = [];
    let stateRecords = 0;
    let stateBytes = 0;
    for (let b = 0; b < BLOCKS; b++) {
      const chosen = new Set<number>();
      while (chosen.size < BLOCK) chosen.add(Math.floor(Math.random() * N));
      const p = await tree.prepare([...chosen].map((i) => ({ key: keyAt(i), value: randomBytes(32) })));
      const staged = await tree.stage(p);
      stateBatches.push(staged.ops.map(copyOp));
      for (const op of staged.ops) {
        stateRecords++;
        stateBytes += op.key.length + (op.type === 'put' ? op.value.length : 0);
      }
    }
    log(`a commit writes ${(stateRecords / BLOCKS).toFixed(0)} records, ${(stateBytes / BLOCKS / 1e6).toFixed(2)} MB (raw: ${BLOCK} puts, ${((BLOCK * 99) / 1e6).toFixed(2)} MB)`);

    // Proofs.
    const P = 5000;
    const proofs: { key: Uint8Array; value: Uint8Array | null; proof: Uint8Array }[] = [];
    t0 = now();
    for (let i = 0; i < P; i++) {
      const key = keyAt(Math.floor(Math.random() * N));
      const r = await tree.prove(key);
      proofs.push({ key, value: r.value, proof: encodeProof(r.proof) });
    }
    const proveMs = now() - t0;
    t0 = now();
    let ok = 0;
    for (const p of proofs) if (verifyProof(tree.rootHash, p.key, p.value, p.proof)) ok++;
    const verifyMs = now() - t0;
    if (ok !== P) throw new Error(`${P - ok} proofs did not verify`);
    const avgProof = proofs.reduce((s, p) => s + p.proof.length, 0) / P;
    log(`proofs: ${(P / (proveMs / 1000)).toFixed(0)} generated/s, ${(P / (verifyMs / 1000)).toFixed(0)} verified/s, ${avgProof.toFixed(0)} bytes each`);

    await tree.prune(Math.max(0, tree.height - 10));
    await kv.close();
    const bytesPerKey = duBytes(stateDir) / N;
    log(`disk: ${bytesPerKey.toFixed(0)} bytes per key (10 versions kept)`);

    // Raw LevelDB: the same number of plain puts, 5,000 per batch, into a store of N keys.
    const raw = await LevelKV.open(join(root, 'raw'), { compression: COMPRESSION });
    for (let i = 0; i < N; i += FILL) {
      const ops: KVOp[] = [];
      for (let j = i; j < Math.min(N, i + FILL); j++) ops.push({ type: 'put', key: randomBytes(41), value: randomBytes(58) });
      await raw.batch(ops);
    }
    const rawBatches: KVOp[][] = blocks.map(() => Array.from({ length: BLOCK }, () => ({ type: 'put' as const, key: randomBytes(41), value: randomBytes(58) })));
    t0 = now();
    for (const ops of rawBatches) await raw.batch(ops);
    const rawMs = now() - t0;
    t0 = now();
    for (const ops of stateBatches) await raw.batch(ops);
    const recordsMs = now() - t0;
    await raw.close();
    const rawPerS = (BLOCKS * BLOCK) / (rawMs / 1000);
    log(`raw level: ${rawPerS.toFixed(0)} puts/s`);
    log(`the state's records written as plain batches: ${(recordsMs / BLOCKS).toFixed(1)} ms a block, against ${(rawMs / BLOCKS).toFixed(1)} ms for the raw puts`);
    const result = {
      keys: N,
      blocks: BLOCKS,
      blockUpdates: BLOCK,
      stateUpdatesPerS: Math.round(updatesPerS),
      /** Commit cost per update, µs of wall time (compare runs at --keys 1000000 and 10000000). */
      usPerUpdate: Number((1e6 / updatesPerS).toFixed(2)),
      /** Of a block's commit: ms in the store's batch write, and ms computing the tree (with reading the nodes not cached). */
      writeMsPerBlock: Number((writeMs / BLOCKS).toFixed(1)),
      computeMsPerBlock: Number(((stateMs - writeMs) / BLOCKS).toFixed(1)),
      cacheNodes: CACHE_NODES,
      /** Internal nodes held after the build, and the process's resident memory then (the harness's keys included: 24 bytes a key). */
      cachedNodes,
      rssMiB: Math.round(rssAfterBuild / 2 ** 20),
      compression: COMPRESSION,
      proofsPerS: Math.round(P / (proveMs / 1000)),
      verificationsPerS: Math.round(P / (verifyMs / 1000)),
      proofBytes: Math.round(avgProof),
      bytesPerKey: Math.round(bytesPerKey),
      levelPutsPerS: Math.round(rawPerS),
      recordsPerCommit: Math.round(stateRecords / BLOCKS),
      bytesPerCommit: Math.round(stateBytes / BLOCKS),
      /** Raw puts' time over the state's records' time: the ratio the storage layout alone allows. */
      storageRatio: Number((rawMs / recordsMs).toFixed(3)),
      ratio: Number((updatesPerS / rawPerS).toFixed(3)),
    };
    console.log(JSON.stringify(result));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
