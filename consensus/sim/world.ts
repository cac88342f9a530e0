/**
 * The deterministic simulator: N engine instances (validators, plus twins sharing a key), a
 * virtual clock, and a network that delays, drops, duplicates, reorders and partitions
 * messages on a seeded schedule. Everything runs from one event queue ordered by
 * (virtual time, insertion order), and all randomness comes from one seeded PRNG, so a
 * scenario replays exactly from its spec.
 *
 * Each instance is wired like a node: every input is appended to its WAL (when enabled)
 * before the engine sees it, `persist-signed` records are appended before the broadcast,
 * timeouts go on the queue, and the application (app.ts) answers build, check and commit
 * requests. A gossip tick sends peers the proposals and votes they lack and hands decided
 * blocks with their commits to instances that are behind (what the node's gossip and block
 * sync do), so messages lost before the network heals are made up for.
 * Byzantine behaviours act on what an instance sends (byzantine.ts).
 */
import { equalBytes, sign, toHex, type Commit, type Proposal, type Vote } from '../../core/index.js';
import { ConsensusEngine } from '../engine.js';
import { Epoch } from '../epoch.js';
import type { Action, EngineEvent } from '../types.js';
import { encodeWalRecord, replayWal } from '../wal.js';
import { buildSimBlock, checkSimBlock, simBlockHash } from './app.js';
import { TimedHeap } from './heap.js';
import { SimRng } from './rng.js';
import { byzantineSend, type Behaviour } from './byzantine.js';
import type { ScenarioSpec } from './spec.js';
import { memoSign, simKeys, simValidatorSet } from './keys.js';

export type NetMessage =
  | { readonly kind: 'proposal'; readonly proposal: Proposal; readonly block: Uint8Array }
  | { readonly kind: 'vote'; readonly vote: Vote }
  | { readonly kind: 'sync'; readonly block: Uint8Array; readonly commit: Commit };

type QueueItem =
  | { time: number; seq: number; kind: 'event'; to: number; incarnation: number; event: EngineEvent }
  | { time: number; seq: number; kind: 'tick' }
  | { time: number; seq: number; kind: 'heal' };

export interface Decision { readonly height: number; readonly round: number; readonly blockHash: Uint8Array; readonly block: Uint8Array; readonly commit: Commit; readonly time: number }

export interface Instance {
  readonly id: number;
  readonly validator: number;
  readonly behaviour: Behaviour;
  engine: ConsensusEngine;
  incarnation: number;
  eventsIn: number;
  wal: Uint8Array[] | null;
  /** What the node's state store would hold at the start of the current height. */
  stored: { height: number; epoch: Epoch; nextEpoch: Epoch; lastCommit: Commit | null };
  decisions: Map<number, Decision>;
  /** (height, round) when the network healed. */
  atHeal: { height: number; round: number } | null;
  /** Per processed event: the engine's step after it (for crash-point selection). */
  trace: number[] | null;
}

export interface WorldStats {
  messagesSent: number;
  messagesDelivered: number;
  evidence: number;
  signRefused: number;
  /** Fresh signatures made by all instances. */
  signatures: number;
  /** Every signature made, per (key, height, round, step): the sign bytes' hex. Conflicts are double signs. */
  doubleSigns: string[];
}

export class World {
  readonly rng: SimRng;
  readonly instances: Instance[] = [];
  readonly stats: WorldStats = { messagesSent: 0, messagesDelivered: 0, evidence: 0, signRefused: 0, signatures: 0, doubleSigns: [] };
  now = 0;
  /** Engine state just before each crash and just after its replay. */
  readonly restarts: { instance: number; before: string; after: string }[] = [];
  private seq = 0;
  private readonly queue = new TimedHeap<QueueItem>();
  private readonly signed = new Map<string, string>();
  private readonly group: number[][];

  constructor(readonly spec: ScenarioSpec) {
    this.rng = new SimRng(spec.seed);
    const set = simValidatorSet(spec.powers);
    const [e1, e2] = Epoch.genesis(set);
    const keys = simKeys(spec.powers.length);
    const owners = [...spec.powers.keys(), ...spec.twins];
    owners.forEach((validator, id) => {
      const stored = { height: 1, epoch: e1, nextEpoch: e2, lastCommit: null };
      const inst: Instance = {
        id, validator, behaviour: spec.behaviours[validator] ?? 'honest',
        engine: this.newEngine(keys[validator]!.secretKey, stored, null), incarnation: 0, eventsIn: 0,
        wal: spec.walFor.includes(id) ? [] : null, stored, decisions: new Map(), atHeal: null,
        trace: spec.walFor.includes(id) ? [] : null,
      };
      this.instances.push(inst);
    });
    this.group = spec.partitions.map((p) => {
      const g = new Array<number>(owners.length).fill(-1);
      p.groups.forEach((members, gi) => members.forEach((m) => (g[m] = gi)));
      return g;
    });
    for (const inst of this.instances) this.enqueue(0, inst, { type: 'start' });
    if (spec.gossipMs > 0) this.push({ time: spec.gossipMs, seq: 0, kind: 'tick' });
    this.push({ time: spec.healTime, seq: 0, kind: 'heal' });
  }

  private newEngine(secretKey: Uint8Array, s: Instance['stored'], guard: ConsensusEngine['guard']): ConsensusEngine {
    return new ConsensusEngine({
      chainId: 'sim', height: s.height, epoch: s.epoch, nextEpoch: s.nextEpoch, lastCommit: s.lastCommit,
      secretKey, guard, timeouts: this.spec.timeouts, blockHash: simBlockHash, signer: this.spec.memoSigning ? memoSign : sign,
    });
  }

  private push(item: QueueItem): void {
    this.queue.push({ ...item, seq: this.seq++ });
  }

  private enqueue(time: number, inst: Instance, event: EngineEvent): void {
    this.push({ time, seq: 0, kind: 'event', to: inst.id, incarnation: inst.incarnation, event });
  }

  /** Run until every honest instance has decided the target heights, or the time limit. */
  run(): void {
    const honest = this.instances.filter((i) => this.isHonest(i));
    while (this.queue.size > 0) {
      if (honest.every((i) => i.decisions.size >= this.spec.heights)) return;
      const item = this.queue.pop()!;
      if (item.time > this.spec.maxTime) return;
      this.now = item.time;
      if (item.kind === 'tick') this.gossip();
      else if (item.kind === 'heal') for (const i of this.instances) i.atHeal = { height: i.engine.height, round: i.engine.round };
      else {
        const inst = this.instances[item.to]!;
        if (item.incarnation === inst.incarnation) this.deliver(inst, item.event);
      }
    }
  }

  /** The validator set of `height`, recomputed from genesis and the spec's updates. */
  setForHeight(height: number) {
    let [a, b] = Epoch.genesis(simValidatorSet(this.spec.powers));
    for (let h = 1; h < height; h++) [a, b] = [b, b.advanced(this.spec.updatesAt(h))];
    return a.validators;
  }

  isHonest(i: Instance): boolean {
    return i.behaviour === 'honest' && !this.spec.twins.includes(i.validator);
  }

  private deliver(inst: Instance, event: EngineEvent): void {
    if (inst.wal) inst.wal.push(encodeWalRecord({ kind: 'event', event }));
    const res = inst.engine.step(event);
    inst.eventsIn++;
    if (inst.trace) inst.trace.push(inst.engine.stepName);
    if (event.type === 'committed' && res.error === null) {
      const e = inst.engine;
      inst.stored = { height: e.height, epoch: e.epoch, nextEpoch: e.nextEpoch, lastCommit: e.lastCommit };
      if (inst.wal) inst.wal.push(encodeWalRecord({ kind: 'end-height', height: e.height - 1 }));
    }
    this.perform(inst, res.actions);
    const crash = this.spec.crash;
    if (crash && crash.instance === inst.id && crash.afterEvents === inst.eventsIn && inst.incarnation === 0) this.restart(inst, crash.loseEvents);
  }

  /** Crash `inst` and start it again from its stored state and WAL (losing the last `lose` event records). */
  restart(inst: Instance, lose: number): void {
    if (!inst.wal) throw new Error('restart needs a WAL');
    const wal = lose > 0 ? dropLastEvents(inst.wal, lose) : inst.wal;
    inst.wal = wal;
    const before = engineSummary(inst.engine);
    inst.incarnation++;
    inst.engine = this.newEngine(simKeys(this.spec.powers.length)[inst.validator]!.secretKey, inst.stored, null);
    this.perform(inst, replayWal(inst.engine, wal));
    this.restarts.push({ instance: inst.id, before, after: engineSummary(inst.engine) });
  }

  private perform(inst: Instance, actions: readonly Action[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'persist-signed': {
          this.stats.signatures++;
          if (inst.wal) inst.wal.push(encodeWalRecord({ kind: 'signed', signed: a.record }));
          const g = a.record.guard;
          if (!this.isHonest(inst)) break; // faulty keys (twins) double-sign by design
          const k = `${inst.validator}/${g.height}/${g.round}/${g.step}`;
          const sb = toHex(g.signBytes);
          const prev = this.signed.get(k);
          if (prev === undefined) this.signed.set(k, sb);
          else if (prev !== sb) this.stats.doubleSigns.push(k);
          break;
        }
        case 'broadcast-proposal': {
          byzantineSend(this, inst, { kind: 'proposal', proposal: a.proposal, block: a.block });
          break;
        }
        case 'broadcast-vote': {
          byzantineSend(this, inst, { kind: 'vote', vote: a.vote });
          break;
        }
        case 'schedule-timeout':
          this.enqueue(this.now + a.durationMs, inst, { type: 'timeout', height: a.height, round: a.round, step: a.step });
          break;
        case 'build-block': {
          const valid = inst.behaviour !== 'invalid-proposal';
          this.enqueue(this.now, inst, { type: 'block-built', height: a.height, round: a.round, block: buildSimBlock(a.height, a.round, inst.id, valid) });
          break;
        }
        case 'check-block':
          this.enqueue(this.now, inst, { type: 'block-checked', height: a.height, blockHash: a.blockHash, valid: checkSimBlock(a.block, a.height) });
          break;
        case 'commit-block': {
          const prev = inst.decisions.get(a.height);
          if (prev && !equalBytes(prev.blockHash, a.blockHash)) this.stats.doubleSigns.push(`instance ${inst.id} decided twice at ${a.height}`);
          if (!prev) inst.decisions.set(a.height, { height: a.height, round: a.round, blockHash: a.blockHash, block: a.block, commit: a.commit, time: this.now });
          this.enqueue(this.now, inst, { type: 'committed', height: a.height, validatorUpdates: this.spec.updatesAt(a.height) });
          break;
        }
        case 'evidence':
          this.stats.evidence++;
          break;
        case 'sign-refused':
          this.stats.signRefused++;
          break;
      }
    }
  }

  /** Send `m` from `from` to `to` through the network's faults. */
  send(from: Instance, to: Instance, m: NetMessage): void {
    this.stats.messagesSent++;
    if (this.cut(from.id, to.id)) return;
    const unstable = this.now < this.spec.healTime;
    if (unstable && this.rng.bool(this.spec.dropP)) return;
    const copies = unstable && this.rng.bool(this.spec.dupP) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      const delay = this.spec.minDelay + this.rng.int(this.spec.maxDelay - this.spec.minDelay + 1);
      this.enqueue(this.now + delay, to, toEvent(m));
      this.stats.messagesDelivered++;
    }
  }

  private cut(a: number, b: number): boolean {
    for (let i = 0; i < this.spec.partitions.length; i++) {
      const p = this.spec.partitions[i]!;
      if (this.now >= p.start && this.now < p.end && this.group[i]![a] !== this.group[i]![b]) return true;
    }
    return false;
  }

  /**
   * One gossip tick, in the manner of CometBFT's gossip routines with perfect knowledge of
   * peer state: each instance sends every peer at its height the proposals and votes it
   * holds and the peer lacks, for the rounds that matter to that peer (its round and the one
   * before, the sender's round, the sender's valid round, the peer's proposal's POL round),
   * and hands its decided block and commit to peers still deciding that height.
   */
  private gossip(): void {
    for (const a of this.instances) {
      if (a.behaviour === 'withhold') continue;
      const ea = a.engine;
      for (const b of this.instances) {
        if (b === a) continue;
        const eb = b.engine;
        const d = a.decisions.get(eb.height);
        if (d) {
          this.send(a, b, { kind: 'sync', block: d.block, commit: d.commit });
          continue;
        }
        if (eb.height !== ea.height) continue;
        const rounds = new Set([eb.round, eb.round - 1, ea.round, ea.validRound, eb.proposalOf(eb.round)?.proposal.polRound ?? -1]);
        for (const r of rounds) {
          if (r < 0) continue;
          const p = ea.proposalOf(r);
          if (p && !eb.proposalOf(r)) this.relay(a, b, { kind: 'proposal', ...p });
          for (const v of ea.votesOf(r)) if (!eb.hasVote(v)) this.relay(a, b, { kind: 'vote', vote: v });
        }
      }
    }
    this.push({ time: this.now + this.spec.gossipMs, seq: 0, kind: 'tick' });
  }

  /** Relay `m` from `a` to `b`: `a`'s own messages go out as its behaviour dictates. */
  private relay(a: Instance, b: Instance, m: NetMessage): void {
    const author = m.kind === 'vote' ? m.vote.validator : m.kind === 'proposal' ? m.proposal.proposer : null;
    const mine = author !== null && a.engine.address !== null && equalBytes(author, a.engine.address);
    if (mine) byzantineSend(this, a, m, b);
    else this.send(a, b, m);
  }
}

function engineSummary(e: ConsensusEngine): string {
  const g = e.guard;
  return JSON.stringify({
    height: e.height, round: e.round, step: e.stepName, locked: [e.lockedRound, e.lockedKey], valid: [e.validRound, e.validKey],
    decided: e.decided ? toHex(e.decided.blockHash) : null, guard: g ? [g.height, g.round, g.step] : null,
  });
}

function toEvent(m: NetMessage): EngineEvent {
  if (m.kind === 'proposal') return { type: 'proposal', proposal: m.proposal, block: m.block };
  if (m.kind === 'vote') return { type: 'vote', vote: m.vote };
  return { type: 'sync-commit', block: m.block, commit: m.commit };
}

/** The WAL without its last `n` event records (signed and end-height records are kept). */
function dropLastEvents(wal: readonly Uint8Array[], n: number): Uint8Array[] {
  const out = [...wal];
  for (let i = out.length - 1; i >= 0 && n > 0; i--) {
    if (out[i]![1] === 1) { // WalRecord [kind=1 (event), body]: array header 0x92, then kind
      out.splice(i, 1);
      n--;
    }
  }
  return out;
}
