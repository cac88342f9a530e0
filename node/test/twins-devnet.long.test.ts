/**
 * Twins on a four-validator devnet: a copy of validator 3's home (same node key, same
 * validator key, its own ports) started beside it. Its peers hear two processes of one node
 * id and say so; each of the two processes logs the other, by instance number, whichever of
 * them won the peers' links. The two processes sign different proposals and votes for one
 * height: the equivocation is recorded on chain; the council's proposal citing the evidence
 * removes the validator for good, and the other three keep committing. (Automatic suspension
 * is off here, genesis param equivocation_suspend 0: a suspension would cut both processes
 * off as soon as the evidence is committed, which on a short chain can come before the
 * peers have heard the two processes long enough to name them; node/test/evid-devnet.long.test.ts
 * covers suspension.)
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Devnet } from '../../test/devnet.js';
import { repoPath, waitFor } from '../../test/index.js';
import { addressFromPublicKey, encode, signTx, to0x, VoteType } from '../../core/index.js';
import { ActionKind, makeAction, SovClient, type EquivocationsView } from '../../rpc/index.js';
import { gov } from '../../vm/index.js';
import { loadHome } from '../node.js';
import { silentLogger } from '../ops/log.js';

const net = Devnet.create({ validators: 4, blockIntervalMs: 200, logLevel: 'info' });
let twin: ChildProcess | null = null;
t.teardown(async () => {
  if (twin && twin.exitCode === null) {
    const exited = new Promise((r) => twin!.once('exit', r));
    twin.kill('SIGKILL');
    await exited;
  }
  await net.stop();
});

const instanceOf = (log: string): string | null => /"instance":"([0-9a-f]{12})"[^\n]*"node started"|"node started"[^\n]*"instance":"([0-9a-f]{12})"/.exec(log)?.slice(1).find(Boolean) ?? null;

t.test('two processes on one validator\'s keys: named in the logs of both and of their peers; their equivocation recorded and the council removes the validator', async (tt) => {
  // No automatic suspension (see above): the same genesis edit on every node.
  for (const n of net.manifest.nodes) {
    const g = join(n.home, 'genesis.json');
    const text = readFileSync(g, 'utf8');
    if (!/"equivocation_suspend": 1/.test(text)) throw new Error('genesis has no equivocation_suspend 1');
    writeFileSync(g, text.replace('"equivocation_suspend": 1', '"equivocation_suspend": 0'));
  }
  // Validator 3's home, copied before anything runs: the twin starts from genesis and block-syncs.
  const home = net.manifest.nodes[3]!.home;
  const twinHome = join(net.dir, 'twin-home');
  cpSync(home, twinHome, { recursive: true });
  // Node 0 and validator 3 do not dial each other, so node 0's link to validator 3's node id is
  // the twin's (which dials everyone), while nodes 1 and 2 link to the original: both processes
  // keep up with the chain and sign, and every peer hears both.
  const addr = (i: number): string => net.manifest.nodes[i]!.p2p_address;
  net.setConfig(0, 'p2p', 'persistent_peers', JSON.stringify([addr(1), addr(2)]));
  net.setConfig(3, 'p2p', 'persistent_peers', JSON.stringify([addr(1), addr(2)]));
  const cfgPath = join(twinHome, 'config.toml');
  let cfg = readFileSync(cfgPath, 'utf8');
  // Its own ports (p2p, rpc, metrics), everything else the same.
  cfg = cfg.replace(/^(listen = "[^"]*?)(\d+)(")$/gm, (_m, a: string, port: string, z: string) => `${a}${Number(port) + 5}${z}`);
  cfg = cfg.replace(/^persistent_peers = .*$/m, `persistent_peers = ${JSON.stringify([addr(0), addr(1), addr(2)])}`);
  writeFileSync(cfgPath, cfg);
  net.startAll();
  await net.waitHeight(0, 3);
  const twinLog = join(net.dir, 'twin.log');
  const fd = openSync(twinLog, 'a');
  twin = spawn(process.execPath, [repoPath('bin/sov.js'), 'start', '--home', twinHome], { stdio: ['ignore', fd, fd] });
  closeSync(fd);

  const read = (p: string): string => readFileSync(p, 'utf8');
  await waitFor(() => instanceOf(read(twinLog)) !== null, 'the twin started', 60_000);
  await waitFor(() => instanceOf(read(net.logPath(3))) !== null, 'validator 3 logged its instance', 10_000);
  const original = instanceOf(read(net.logPath(3)))!;
  const second = instanceOf(read(twinLog))!;
  tt.not(original, second, 'two processes, two instances');

  // A peer (any of 0..2) names both instances.
  await waitFor(() => [0, 1, 2].some((i) => read(net.logPath(i)).includes('two processes are running one node key')), 'a peer reports twins', 60_000, 200);
  const peerLine = [0, 1, 2].map((i) => read(net.logPath(i))).join('\n').split('\n').find((l) => l.includes('two processes are running one node key'))!;
  tt.match(peerLine, original, 'the peer\'s warning names the original');
  tt.match(peerLine, second, 'and the twin');

  // Each process names the other.
  const told = (p: string): string | undefined => read(p).split('\n').find((l) => l.includes('another process is running this node\'s key'));
  await waitFor(() => told(net.logPath(3)) !== undefined && told(twinLog) !== undefined, 'both processes told', 60_000, 200);
  tt.match(told(net.logPath(3))!, new RegExp(`"otherInstances":\\["${second}"\\]`), 'the original names the twin');
  tt.match(told(twinLog)!, new RegExp(`"otherInstances":\\["${original}"\\]`), 'the twin names the original');
  tt.match(told(net.logPath(3))!, /"level":"?(warn|40)/, 'at warn');

  // Two processes signing with one validator key equivocate (at the latest when it is its turn
  // to propose: each proposes its own block and prevotes it): recorded.
  const v3 = (await loadHome(home, silentLogger())).validatorKey!;
  const v3Address = addressFromPublicKey(v3.publicKey);
  const v3Hex = to0x(v3Address);
  const equivocations = async (i: number): Promise<EquivocationsView> => (await net.rpc(i, 'evid_equivocations', [])) as EquivocationsView;
  await waitFor(async () => (await equivocations(0)).items.length > 0, 'the twins\' equivocation recorded', 180_000, 250);
  const first = (await equivocations(0)).items[0]!;
  tt.equal(to0x(addressFromPublicKey(Buffer.from(first.publicKey.slice(2), 'hex'))), v3Hex, 'validator 3 equivocated');
  tt.notOk(first.suspendedFrom, 'not suspended (equivocation_suspend 0)');

  // The council (the central bank, threshold 1) removes it, citing the evidence.
  const cb = net.accountKeys().find((a) => net.manifest.accounts.find((m) => m.name === a.name)?.role === 'central_bank')!;
  const client = new SovClient(net.manifest.nodes[0]!.rpc_url);
  const voteType = first.voteType === 'prevote' ? VoteType.PREVOTE : VoteType.PRECOMMIT;
  const action = makeAction(ActionKind.RESOLVE_EQUIVOCATION, { validator: v3Address, height: first.height, round: first.round, voteType, decision: 1, power: 0, legalRef: 'Council minute 2026/7' });
  const nonce = (await client.getAccount(cb.address)).nonce;
  const tx = signTx({ chainId: net.manifest.chain_id, signer: addressFromPublicKey(cb.keys.publicKey), nonce, expiry: (await net.height(0)) + 1000, body: { module: 'gov', method: 'propose', args: encode(gov.ProposeArgs, { action, reason: 'one key run twice' }) } }, [cb.keys.secretKey]);
  const sent = await client.sendTransaction(tx, true);
  tt.match(sent, { status: 'committed', code: 0 }, 'the council\'s decision is committed');
  const decided = (await equivocations(0)).items.find((x) => x.height === first.height && x.recordedHeight === first.recordedHeight)!;
  tt.match(decided, { decision: 'remove', legalRef: 'Council minute 2026/7' }, 'recorded with the evidence');
  const vals = (await net.rpc(0, 'sov_getValidators', [])) as { validators: { publicKey: string }[] };
  tt.notOk(vals.validators.some((v) => v.publicKey === to0x(v3.publicKey)), 'out of the validator set');

  // The other three keep committing, without it.
  const h = await net.height(0);
  for (const i of [0, 1, 2]) await net.waitHeight(i, h + 5, 60_000);
  for (const x of [h + 3, h + 4]) {
    const c = (await net.rpc(0, 'sov_getCommit', [x])) as { signatures: { validator: string }[] };
    tt.notOk(c.signatures.some((s) => s.validator === v3Hex), `height ${x} committed without it`);
    const hashes = await Promise.all([0, 1, 2].map(async (i) => ((await net.rpc(i, 'sov_getBlock', [x])) as { hash: string }).hash));
    tt.equal(new Set(hashes).size, 1, `height ${x}: one block hash on the three`);
  }
});
