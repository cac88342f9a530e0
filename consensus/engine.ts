/**
 * The Tendermint consensus engine (Buchman, Kwon, Milosevic, arXiv:1807.04938, Algorithm 1)
 * as a deterministic state machine: `step(event)` updates the engine and returns the actions
 * to perform. It reads no clock and does no I/O; timeouts come back as events.
 *
 * Line numbers in comments refer to Algorithm 1. "2f+1" is the validator set's quorum power
 * (more than 2/3 of the total) and "f+1" more than 1/3 of it. valid(v) is the application's
 * answer to `check-block`; while it is pending, rules that need it wait.
 *
 * Inputs from peers are checked (height, round window, validator membership, proposer,
 * block id, signature) before they touch the state; a refused input is returned as a typed
 * error and leaves the engine unchanged. Each distinct message is verified once: duplicates
 * are recognised by their signature before any verification.
 */
import {
  Block, encode, equalBytes, isSovError, makeDuplicateVoteEvidence, proposalSignBytes, ProposalSchema, toHex, verifyCommit,
  verifyProposal, verifyVote, voteSignBytes, sign, VoteSchema, VoteType, keyPairFromSecret, addressFromPublicKey, CommitSchema,
  type Commit, type Proposal, type Vote, type ValidatorSet,
} from '../core/index.js';
import { ConsensusError, ConsensusErrorCodes as C } from './errors.js';
import type { Epoch, ValidatorUpdate } from './epoch.js';
import { guardedSign, laterGuard, SignStep, type SignGuard } from './guard.js';
import { keyOf, NIL, RoundVotes } from './voteset.js';
import {
  DEFAULT_TIMEOUTS, MAX_ROUND_AHEAD, RoundStep, timeoutMs, type Action, type EngineEvent, type SignedRecord, type StepResult,
  type TimeoutConfig, type TimeoutStep,
} from './types.js';

export interface EngineConfig {
  readonly chainId: string;
  /** The height to decide next, and the epochs (validator set + priorities) of it and the one after. */
  readonly height: number;
  readonly epoch: Epoch;
  readonly nextEpoch: Epoch;
  /** Commit of height - 1 (null at height 1), handed to the application to build blocks. */
  readonly lastCommit?: Commit | null;
  /** This validator's Ed25519 secret key; absent for an observer that never signs. */
  readonly secretKey?: Uint8Array;
  /** The last signed (height, round, step), as persisted. */
  readonly guard?: SignGuard | null;
  readonly timeouts?: TimeoutConfig;
  /**
   * Ed25519 signing (default: core `sign`). Signing is deterministic, so a simulator may pass
   * a memoising wrapper of core `sign`; the engine still verifies every message it receives.
   */
  readonly signer?: (message: Uint8Array, secretKey: Uint8Array) => Uint8Array;
  /** Block id of block bytes; throws a SovError for bytes that are not a block. Default: core Block's header hash. */
  readonly blockHash?: (block: Uint8Array) => Uint8Array;
}

type BlockStatus = 'pending' | 'valid' | 'invalid';
interface BlockEntry { readonly hash: Uint8Array; readonly data: Uint8Array; status: BlockStatus }

const defaultBlockHash = (b: Uint8Array): Uint8Array => Block.decode(b).hash;

export class ConsensusEngine {
  readonly chainId: string;
  private readonly secretKey: Uint8Array | null;
  private readonly me: Uint8Array | null;
  private readonly timeouts: TimeoutConfig;
  private readonly hashBlock: (block: Uint8Array) => Uint8Array;
  private readonly signer: (message: Uint8Array, secretKey: Uint8Array) => Uint8Array;
  private guardState: SignGuard | null;

  height: number;
  round = 0;
  stepName: RoundStep = RoundStep.PROPOSE;
  epoch: Epoch;
  nextEpoch: Epoch;
  lastCommit: Commit | null;
  lockedRound = -1;
  lockedKey: string | null = null;
  validRound = -1;
  validKey: string | null = null;
  decided: { round: number; blockHash: Uint8Array } | null = null;
  private started = false;
  private votes!: RoundVotes;
  private proposals = new Map<number, { proposal: Proposal; key: string }>();
  private blocks = new Map<string, BlockEntry>();
  private flags = new Set<string>();
  /** Proposals whose signature precheckProposal verified (by object; the same height's epoch). */
  private readonly prechecked = new WeakSet<Proposal>();
  /** Signatures checked by this engine (votes, proposals, commit signatures): for benchmarks. */
  verifications = 0;

  constructor(cfg: EngineConfig) {
    this.chainId = cfg.chainId;
    this.secretKey = cfg.secretKey ?? null;
    this.me = this.secretKey ? addressFromPublicKey(keyPairFromSecret(this.secretKey).publicKey) : null;
    this.timeouts = cfg.timeouts ?? DEFAULT_TIMEOUTS;
    this.hashBlock = cfg.blockHash ?? defaultBlockHash;
    this.signer = cfg.signer ?? sign;
    this.guardState = cfg.guard ?? null;
    this.height = cfg.height;
    this.epoch = cfg.epoch;
    this.nextEpoch = cfg.nextEpoch;
    this.lastCommit = cfg.lastCommit ?? null;
    this.resetHeight();
  }

  get guard(): SignGuard | null {
    return this.guardState;
  }

  get address(): Uint8Array | null {
    return this.me;
  }

  /** Process one event. Never throws for bad input: a refused event comes back as `error`. */
  step(ev: EngineEvent): StepResult {
    const out: Action[] = [];
    try {
      this.dispatch(ev, out);
      this.evaluate(out);
    } catch (e) {
      if (isSovError(e)) return { actions: out, error: e };
      throw e;
    }
    return { actions: out, error: null };
  }

  /** Re-adopt a message this validator signed before a crash (WAL replay). */
  restoreSigned(rec: SignedRecord): void {
    this.guardState = laterGuard(this.guardState, rec.guard);
    if (rec.guard.height !== this.height) return;
    if (rec.vote) this.votes.add(rec.vote);
    if (rec.proposal && rec.block && !this.proposals.has(rec.proposal.round)) {
      const key = keyOf(rec.proposal.blockHash);
      this.proposals.set(rec.proposal.round, { proposal: rec.proposal, key });
      if (!this.blocks.has(key)) this.blocks.set(key, { hash: rec.proposal.blockHash, data: rec.block, status: 'valid' });
    }
  }

  /** True when the engine already holds this (validator, block id) vote: for gossip. */
  hasVote(v: Vote): boolean {
    return v.height === this.height && this.votes.has(v);
  }

  /** Votes held for `round` of the current height (both types): for gossip. */
  votesOf(round: number): Vote[] {
    if (!this.votes.knownRounds().includes(round)) return [];
    return [...this.votes.prevotes(round).votes(), ...this.votes.precommits(round).votes()];
  }

  /** The proposal held for `round`, with its block: for gossip. */
  proposalOf(round: number): { proposal: Proposal; block: Uint8Array } | undefined {
    const p = this.proposals.get(round);
    return p ? { proposal: p.proposal, block: this.blocks.get(p.key)!.data } : undefined;
  }

  /** The proposer of `round` at the current height. */
  proposer(round: number): Uint8Array {
    return this.epoch.proposer(round);
  }

  // ---- events ----

  private dispatch(ev: EngineEvent, out: Action[]): void {
    switch (ev?.type) {
      case 'start':
        if (!this.started) {
          this.started = true;
          this.startRound(0, out);
        }
        return;
      case 'proposal': return this.onProposal(ev.proposal, ev.block, out);
      case 'vote': return this.onVote(ev.vote, out);
      case 'timeout': return this.onTimeout(ev.height, ev.round, ev.step, out);
      case 'block-built': return this.onBlockBuilt(ev.height, ev.round, ev.block, out);
      case 'block-checked': return this.onBlockChecked(ev.height, ev.blockHash, ev.valid);
      case 'committed': return this.onCommitted(ev.height, ev.validatorUpdates, out);
      case 'sync-commit': return this.onSyncCommit(ev.block, ev.commit, out);
      default:
        throw new ConsensusError(C.MALFORMED, `unknown event type ${String((ev as { type?: unknown })?.type)}`);
    }
  }

  private checkWindow(height: number, round: number): void {
    if (height !== this.height) {
      throw new ConsensusError(C.WRONG_HEIGHT, `message for height ${height}, at ${this.height}`, { height, current: this.height }, 'ignore');
    }
    if (round > this.round + MAX_ROUND_AHEAD) {
      throw new ConsensusError(C.ROUND_TOO_FAR, `message for round ${round}, at ${this.round}`, { round, current: this.round }, 'ignore');
    }
  }

  /**
   * A proposal checked before its block is at hand (a compact proposal still being completed
   * from the mempool): the height and round window, the proposer of that round, and its
   * signature; throws the ConsensusError `step` would. The same Proposal object is not
   * verified again when it arrives with its block. A cache only: no state changes.
   */
  precheckProposal(p: Proposal): void {
    const set = this.checkProposalOrigin(p);
    this.verifications++;
    verifyProposal(this.chainId, p, set);
    this.prechecked.add(p);
  }

  /** A proposal's shape, height and round window, and that its proposer is that round's; the validator set. */
  private checkProposalOrigin(p: Proposal): ValidatorSet {
    encode(ProposalSchema, p); // shape: throws CodecError for a malformed value
    this.checkWindow(p.height, p.round);
    const set = this.epoch.validators;
    if (!set.get(p.proposer)) throw new ConsensusError(C.UNKNOWN_VALIDATOR, `proposal from ${toHex(p.proposer)}, not a validator`);
    if (!equalBytes(p.proposer, this.epoch.proposer(p.round))) {
      throw new ConsensusError(C.WRONG_PROPOSER, `${toHex(p.proposer)} is not the proposer of round ${p.round}`, { round: p.round });
    }
    return set;
  }

  private onProposal(p: Proposal, block: Uint8Array, out: Action[]): void {
    if (!(block instanceof Uint8Array)) {
      encode(ProposalSchema, p);
      throw new ConsensusError(C.MALFORMED, 'proposal without block bytes');
    }
    const set = this.checkProposalOrigin(p);
    const existing = this.proposals.get(p.round);
    if (existing) {
      if (equalBytes(existing.proposal.signature, p.signature)) return; // duplicate
      throw new ConsensusError(C.CONFLICTING_PROPOSAL, `a second proposal for round ${p.round}`, { round: p.round });
    }
    let hash: Uint8Array;
    try {
      hash = this.hashBlock(block);
    } catch (e) {
      throw new ConsensusError(C.BLOCK_MISMATCH, `proposal block does not decode: ${(e as Error).message}`);
    }
    if (!equalBytes(hash, p.blockHash)) throw new ConsensusError(C.BLOCK_MISMATCH, 'proposal block does not hash to its block id');
    if (!this.prechecked.has(p)) {
      this.verifications++;
      verifyProposal(this.chainId, p, set);
    }
    const key = keyOf(p.blockHash);
    this.proposals.set(p.round, { proposal: p, key });
    if (!this.blocks.has(key)) {
      this.blocks.set(key, { hash, data: block, status: 'pending' });
      out.push({ type: 'check-block', height: this.height, round: p.round, blockHash: hash, block });
    }
  }

  private onVote(v: Vote, out: Action[]): void {
    encode(VoteSchema, v);
    if (v.type !== VoteType.PREVOTE && v.type !== VoteType.PRECOMMIT) throw new ConsensusError(C.MALFORMED, `unknown vote type ${v.type}`);
    this.checkWindow(v.height, v.round);
    const set = this.epoch.validators;
    if (!set.get(v.validator)) throw new ConsensusError(C.UNKNOWN_VALIDATOR, `vote from ${toHex(v.validator)}, not a validator`);
    const c = this.votes.set(v.round, v.type).classify(v);
    if (c.kind === 'duplicate') return;
    if (c.kind === 'full') throw new ConsensusError(C.CONFLICTING_VOTE, `too many conflicting votes from ${toHex(v.validator)}`, {}, 'ignore');
    this.verifications++;
    verifyVote(this.chainId, v, set);
    if (c.kind === 'conflict') out.push({ type: 'evidence', evidence: makeDuplicateVoteEvidence(c.existing, v) });
    this.votes.add(v);
  }

  private onTimeout(height: number, round: number, step: TimeoutStep, out: Action[]): void {
    if (height !== this.height || this.decided || !this.started || round !== this.round) return; // stale: nothing to do
    if (step === RoundStep.PROPOSE && this.stepName === RoundStep.PROPOSE) { // L57
      this.castVote(VoteType.PREVOTE, null, out);
      this.stepName = RoundStep.PREVOTE;
    } else if (step === RoundStep.PREVOTE && this.stepName === RoundStep.PREVOTE) { // L61
      this.castVote(VoteType.PRECOMMIT, null, out);
      this.stepName = RoundStep.PRECOMMIT;
    } else if (step === RoundStep.PRECOMMIT) { // L65
      this.startRound(round + 1, out);
    }
  }

  private onBlockBuilt(height: number, round: number, block: Uint8Array, out: Action[]): void {
    if (height !== this.height || round !== this.round || this.stepName !== RoundStep.PROPOSE || this.decided) return;
    if (!this.isMe(this.epoch.proposer(round)) || this.proposals.has(round)) return;
    let hash: Uint8Array;
    try {
      hash = this.hashBlock(block);
    } catch (e) {
      throw new ConsensusError(C.BAD_APP_RESPONSE, `built block does not decode: ${(e as Error).message}`, {}, 'ignore');
    }
    const key = keyOf(hash);
    if (!this.blocks.has(key)) this.blocks.set(key, { hash, data: block, status: 'valid' });
    this.propose(key, -1, out);
  }

  private onBlockChecked(height: number, blockHash: Uint8Array, valid: boolean): void {
    if (height !== this.height) return;
    const b = this.blocks.get(keyOf(blockHash));
    if (b && b.status === 'pending') b.status = valid ? 'valid' : 'invalid';
  }

  private onCommitted(height: number, updates: readonly ValidatorUpdate[], out: Action[]): void {
    if (!this.decided || height !== this.height) {
      throw new ConsensusError(C.BAD_APP_RESPONSE, `committed(${height}) but height ${this.height} is not decided`, {}, 'ignore');
    }
    const after = this.nextEpoch.advanced(updates);
    this.height++;
    this.epoch = this.nextEpoch;
    this.nextEpoch = after;
    this.resetHeight();
    this.started = true;
    this.startRound(0, out);
  }

  private onSyncCommit(block: Uint8Array, commit: Commit, out: Action[]): void {
    encode(CommitSchema, commit);
    if (commit.height !== this.height) {
      throw new ConsensusError(C.WRONG_HEIGHT, `commit for height ${commit.height}, at ${this.height}`, {}, 'ignore');
    }
    if (this.decided) return;
    let hash: Uint8Array;
    try {
      hash = this.hashBlock(block);
    } catch (e) {
      throw new ConsensusError(C.BLOCK_MISMATCH, `synced block does not decode: ${(e as Error).message}`);
    }
    if (!equalBytes(hash, commit.blockHash)) throw new ConsensusError(C.BLOCK_MISMATCH, 'synced block is not the committed one');
    this.verifications += commit.signatures.length;
    verifyCommit(this.chainId, commit, this.epoch.validators, { height: this.height });
    this.decide(commit.round, { hash, data: block, status: 'valid' }, commit, out);
  }

  // ---- the rules ----

  private resetHeight(): void {
    this.round = 0;
    this.stepName = RoundStep.PROPOSE;
    this.lockedRound = -1;
    this.lockedKey = null;
    this.validRound = -1;
    this.validKey = null;
    this.decided = null;
    this.started = false;
    this.votes = new RoundVotes(this.height, this.epoch.validators);
    this.proposals = new Map();
    this.blocks = new Map();
    this.flags = new Set();
  }

  private startRound(round: number, out: Action[]): void { // L11
    this.round = round;
    this.stepName = RoundStep.PROPOSE;
    out.push({ type: 'schedule-timeout', height: this.height, round, step: RoundStep.PROPOSE, durationMs: timeoutMs(this.timeouts, RoundStep.PROPOSE, round) });
    if (!this.isMe(this.epoch.proposer(round)) || this.proposals.has(round)) return;
    if (this.validKey !== null) this.propose(this.validKey, this.validRound, out);
    else out.push({ type: 'build-block', height: this.height, round, lastCommit: this.lastCommit });
  }

  private propose(key: string, polRound: number, out: Action[]): void { // L16-19
    const b = this.blocks.get(key)!;
    const unsigned = { height: this.height, round: this.round, polRound: polRound < 0 ? null : polRound, blockHash: b.hash, proposer: this.me! };
    const sig = this.sign(SignStep.PROPOSE, proposalSignBytes(this.chainId, unsigned), out);
    if (!sig) return;
    const proposal: Proposal = { ...unsigned, signature: sig.signature };
    if (sig.fresh) out.push({ type: 'persist-signed', record: { guard: this.guardState!, vote: null, proposal, block: b.data } });
    this.proposals.set(this.round, { proposal, key });
    out.push({ type: 'broadcast-proposal', proposal, block: b.data });
  }

  private castVote(type: VoteType, key: string | null, out: Action[]): void {
    if (!this.me || !this.epoch.validators.get(this.me)) return;
    if (this.votes.set(this.round, type).get(this.me)) return; // already voted (restored from the WAL)
    const blockHash = key === null ? null : this.blocks.get(key)!.hash;
    const unsigned = { type, height: this.height, round: this.round, blockHash, validator: this.me };
    const step = type === VoteType.PREVOTE ? SignStep.PREVOTE : SignStep.PRECOMMIT;
    const sig = this.sign(step, voteSignBytes(this.chainId, unsigned), out);
    if (!sig) return;
    const vote: Vote = { ...unsigned, signature: sig.signature };
    this.votes.add(vote);
    if (sig.fresh) out.push({ type: 'persist-signed', record: { guard: this.guardState!, vote, proposal: null, block: null } });
    out.push({ type: 'broadcast-vote', vote });
  }

  private sign(step: SignStep, bytes: Uint8Array, out: Action[]): { signature: Uint8Array; fresh: boolean } | null {
    const r = guardedSign(this.guardState, this.height, this.round, step, bytes, this.secretKey!, this.signer);
    if ('refused' in r) {
      out.push({ type: 'sign-refused', height: this.height, round: this.round, step, reason: r.refused });
      return null;
    }
    this.guardState = r.guard;
    return r;
  }

  private decide(round: number, b: BlockEntry, commit: Commit, out: Action[]): void {
    this.decided = { round, blockHash: b.hash };
    this.stepName = RoundStep.COMMIT;
    this.lastCommit = commit;
    out.push({ type: 'commit-block', height: this.height, round, blockHash: b.hash, block: b.data, commit });
  }

  private evaluate(out: Action[]): void {
    for (let i = 0; i < 10_000; i++) if (!this.applyOneRule(out)) return;
    throw new Error('consensus rules did not settle');
  }

  /** Apply the first rule whose condition holds; false when none does. */
  private applyOneRule(out: Action[]): boolean {
    if (!this.started || this.decided) return false;
    const rounds = this.votes.knownRounds();
    for (const r of rounds) { // L49: any round
      for (const k of this.votes.precommits(r).quorumKeys()) {
        const b = k !== NIL ? this.blocks.get(k) : undefined;
        if (b && b.status === 'valid') {
          this.decide(r, b, this.votes.precommits(r).commitFor(b.hash), out);
          return true;
        }
      }
    }
    for (let i = rounds.length - 1; i >= 0 && rounds[i]! > this.round; i--) { // L55
      if (this.votes.participation(rounds[i]!) >= this.epoch.validators.oneThirdPlusPower) {
        this.startRound(rounds[i]!, out);
        return true;
      }
    }
    const prop = this.proposals.get(this.round);
    const block = prop ? this.blocks.get(prop.key) : undefined;
    const prevotes = this.votes.prevotes(this.round);
    if (this.stepName === RoundStep.PROPOSE && prop && block && block.status !== 'pending') {
      const vr = prop.proposal.polRound;
      const valid = block.status === 'valid';
      if (vr === null) { // L22
        this.prevoteAndStep(valid && (this.lockedRound === -1 || this.lockedKey === prop.key) ? prop.key : null, out);
        return true;
      }
      if (vr < this.round && this.votes.prevotes(vr).hasQuorumFor(prop.key)) { // L28
        this.prevoteAndStep(valid && (this.lockedRound <= vr || this.lockedKey === prop.key) ? prop.key : null, out);
        return true;
      }
    }
    if (this.stepName === RoundStep.PREVOTE && prevotes.hasQuorumAny() && this.flagOnce('prevote-timeout')) { // L34
      out.push({ type: 'schedule-timeout', height: this.height, round: this.round, step: RoundStep.PREVOTE, durationMs: timeoutMs(this.timeouts, RoundStep.PREVOTE, this.round) });
      return true;
    }
    if (this.stepName >= RoundStep.PREVOTE && prop && block?.status === 'valid' && prevotes.hasQuorumFor(prop.key) && this.flagOnce('lock')) { // L36
      if (this.stepName === RoundStep.PREVOTE) {
        this.lockedKey = prop.key;
        this.lockedRound = this.round;
        this.castVote(VoteType.PRECOMMIT, prop.key, out);
        this.stepName = RoundStep.PRECOMMIT;
      }
      this.validKey = prop.key;
      this.validRound = this.round;
      return true;
    }
    if (this.stepName === RoundStep.PREVOTE && prevotes.hasQuorumFor(NIL)) { // L44
      this.castVote(VoteType.PRECOMMIT, null, out);
      this.stepName = RoundStep.PRECOMMIT;
      return true;
    }
    if (this.votes.precommits(this.round).hasQuorumAny() && this.flagOnce('precommit-timeout')) { // L47
      out.push({ type: 'schedule-timeout', height: this.height, round: this.round, step: RoundStep.PRECOMMIT, durationMs: timeoutMs(this.timeouts, RoundStep.PRECOMMIT, this.round) });
      return true;
    }
    return false;
  }

  private prevoteAndStep(key: string | null, out: Action[]): void {
    this.castVote(VoteType.PREVOTE, key, out);
    this.stepName = RoundStep.PREVOTE;
  }

  private flagOnce(name: string): boolean {
    const f = `${this.round}:${name}`;
    if (this.flags.has(f)) return false;
    this.flags.add(f);
    return true;
  }

  private isMe(address: Uint8Array): boolean {
    return this.me !== null && equalBytes(address, this.me);
  }
}
