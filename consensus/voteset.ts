/**
 * Vote sets: the votes of one type (prevote or precommit) for one (height, round), at most
 * one per validator, with the power behind each block id (and nil) tallied as votes arrive.
 * A second vote by a validator with another block id is not counted; it is returned as a
 * conflict so the caller can emit DuplicateVoteEvidence. `RoundVotes` groups the two sets of
 * every round of a height and tracks the power of the distinct validators seen per round
 * (for the +1/3 round-skip rule).
 *
 * Votes given to `add` must already be verified (signature, validator membership).
 */
import { commitFromVotes, equalBytes, toHex, VoteType, type Commit, type ValidatorSet, type Vote } from '../core/index.js';

/** Tally key of a block id: its hex, or 'nil'. */
export const NIL = 'nil';
export const keyOf = (blockHash: Uint8Array | null): string => (blockHash === null ? NIL : toHex(blockHash));

export type AddResult = { kind: 'added' } | { kind: 'duplicate' } | { kind: 'conflict'; existing: Vote } | { kind: 'full' };

/**
 * Most distinct block ids one validator's votes are counted for in one set. A validator
 * that signs several (equivocation) has each of its votes counted for its own block id, as
 * the algorithm counts messages ("2f+1 PREVOTE for id(v)"): otherwise the order in which an
 * equivocation reaches honest nodes could keep them from ever seeing a polka others saw.
 * The cap bounds the memory a faulty validator can make us spend.
 */
export const MAX_VOTES_PER_VALIDATOR = 4;

export class VoteSet {
  private readonly byValidator = new Map<string, Vote[]>();
  private readonly powerByKey = new Map<string, number>();
  private total = 0;

  constructor(readonly height: number, readonly round: number, readonly type: VoteType, private readonly validators: ValidatorSet) {}

  /** What adding `vote` would do, without verifying or adding it. */
  classify(vote: Vote): AddResult {
    const existing = this.byValidator.get(toHex(vote.validator));
    if (!existing) return { kind: 'added' };
    for (const e of existing) if (sameBlock(e.blockHash, vote.blockHash)) return { kind: 'duplicate' };
    if (existing.length >= MAX_VOTES_PER_VALIDATOR) return { kind: 'full' };
    return { kind: 'conflict', existing: existing[0]! };
  }

  /** Add a verified vote: counted once per (validator, block id); the total counts each validator once. */
  add(vote: Vote): AddResult {
    if (vote.height !== this.height || vote.round !== this.round || vote.type !== this.type) {
      throw new Error('VoteSet.add: vote for another (height, round, type)');
    }
    const val = this.validators.get(vote.validator);
    if (!val) throw new Error('VoteSet.add: vote from a non-validator');
    const r = this.classify(vote);
    if (r.kind === 'duplicate' || r.kind === 'full') return r;
    const id = toHex(vote.validator);
    const list = this.byValidator.get(id);
    if (list) list.push(vote);
    else {
      this.byValidator.set(id, [vote]);
      this.total += val.power;
    }
    const k = keyOf(vote.blockHash);
    this.powerByKey.set(k, (this.powerByKey.get(k) ?? 0) + val.power);
    return r;
  }

  /** The validator's first vote in this set. */
  get(validator: Uint8Array): Vote | undefined {
    return this.byValidator.get(toHex(validator))?.[0];
  }

  /** True when this exact (validator, block id) vote is already in the set. */
  has(vote: Vote): boolean {
    return this.classify(vote).kind === 'duplicate';
  }

  /** Power of the distinct validators with a vote in the set, whatever it is for. */
  get totalPower(): number {
    return this.total;
  }

  powerFor(key: string): number {
    return this.powerByKey.get(key) ?? 0;
  }

  hasQuorumAny(): boolean {
    return this.total >= this.validators.quorumPower;
  }

  hasQuorumFor(key: string): boolean {
    return this.powerFor(key) >= this.validators.quorumPower;
  }

  /** Keys with more than 2/3 of the power (one, unless more than a third equivocated). */
  quorumKeys(): string[] {
    const out: string[] = [];
    for (const [k, p] of this.powerByKey) if (p >= this.validators.quorumPower) out.push(k);
    return out;
  }

  /** Every vote in the set, conflicting ones included. */
  votes(): Vote[] {
    const out: Vote[] = [];
    for (const l of this.byValidator.values()) out.push(...l);
    return out;
  }

  /** The commit certificate for `blockHash`, from this precommit set. Throws if it lacks a quorum. */
  commitFor(blockHash: Uint8Array): Commit {
    if (this.type !== VoteType.PRECOMMIT) throw new Error('commitFor: not a precommit set');
    if (!this.hasQuorumFor(keyOf(blockHash))) throw new Error('commitFor: no quorum for this block');
    return commitFromVotes(this.height, this.round, blockHash, this.votes());
  }
}

function sameBlock(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return equalBytes(a, b);
}

/** Both vote sets of every round of one height, plus per-round participation. */
export class RoundVotes {
  private readonly rounds = new Map<number, { prevotes: VoteSet; precommits: VoteSet; voters: Set<string>; voterPower: number }>();

  constructor(readonly height: number, readonly validators: ValidatorSet) {}

  private entry(round: number) {
    let e = this.rounds.get(round);
    if (!e) {
      e = {
        prevotes: new VoteSet(this.height, round, VoteType.PREVOTE, this.validators),
        precommits: new VoteSet(this.height, round, VoteType.PRECOMMIT, this.validators),
        voters: new Set(),
        voterPower: 0,
      };
      this.rounds.set(round, e);
    }
    return e;
  }

  set(round: number, type: VoteType): VoteSet {
    const e = this.entry(round);
    return type === VoteType.PREVOTE ? e.prevotes : e.precommits;
  }

  prevotes(round: number): VoteSet {
    return this.entry(round).prevotes;
  }

  precommits(round: number): VoteSet {
    return this.entry(round).precommits;
  }

  has(vote: Vote): boolean {
    const e = this.rounds.get(vote.round);
    return e !== undefined && (vote.type === VoteType.PREVOTE ? e.prevotes : e.precommits).has(vote);
  }

  add(vote: Vote): AddResult {
    const e = this.entry(vote.round);
    const r = (vote.type === VoteType.PREVOTE ? e.prevotes : e.precommits).add(vote);
    const id = toHex(vote.validator);
    if (r.kind === 'added' && !e.voters.has(id)) {
      e.voters.add(id);
      e.voterPower += this.validators.get(vote.validator)!.power;
    }
    return r;
  }

  /** Power of the distinct validators with any vote in `round`. */
  participation(round: number): number {
    return this.rounds.get(round)?.voterPower ?? 0;
  }

  /** Rounds with any vote, ascending. */
  knownRounds(): number[] {
    return [...this.rounds.keys()].sort((a, b) => a - b);
  }
}
