/**
 * Helpers for the engine's unit tests: a four-validator set of equal power with the sim's
 * keys, an engine for one of them, and signed votes and proposals from any of them.
 */
import {
  ConsensusEngine, Epoch, SIM_TIMEOUTS, buildSimBlock, simBlockHash, simKeys, simValidatorSet, type Action, type EngineEvent,
} from '../index.js';
import { equalBytes, proposalSignBytes, sign, signVote, VoteType, type Proposal, type Vote } from '../../core/index.js';

export const CHAIN = 'sim';

export class Harness {
  readonly keys = simKeys(4);
  readonly set = simValidatorSet([1, 1, 1, 1]);
  readonly epochs = Epoch.genesis(this.set);
  engine: ConsensusEngine;
  /** Key index of the engine's validator. */
  readonly me: number;

  constructor(meIs: 'proposer-of-0' | 'not-proposer-of-0' = 'not-proposer-of-0') {
    const p0 = this.keyIndexOf(this.epochs[0].proposer(0));
    this.me = meIs === 'proposer-of-0' ? p0 : (p0 + 1) % 4;
    this.engine = this.newEngine();
  }

  newEngine(): ConsensusEngine {
    return new ConsensusEngine({
      chainId: CHAIN, height: 1, epoch: this.epochs[0], nextEpoch: this.epochs[1], secretKey: this.keys[this.me]!.secretKey,
      blockHash: simBlockHash, timeouts: SIM_TIMEOUTS,
    });
  }

  keyIndexOf(address: Uint8Array): number {
    return this.keys.findIndex((k) => equalBytes(this.set.validators[this.set.indexOf(address)]!.publicKey, k.publicKey));
  }

  address(i: number): Uint8Array {
    return this.set.validators.find((v) => equalBytes(v.publicKey, this.keys[i]!.publicKey))!.address;
  }

  /** Key indices of the other validators. */
  others(): number[] {
    return [0, 1, 2, 3].filter((i) => i !== this.me);
  }

  proposerOf(round: number): number {
    return this.keyIndexOf(this.epochs[0].proposer(round));
  }

  block(round: number, salt = 0, valid = true): Uint8Array {
    return buildSimBlock(1, round, 99, valid, salt);
  }

  proposal(round: number, block: Uint8Array, polRound: number | null = null, by = this.proposerOf(round)): Proposal {
    const u = { height: 1, round, polRound, blockHash: simBlockHash(block), proposer: this.address(by) };
    return { ...u, signature: sign(proposalSignBytes(CHAIN, u), this.keys[by]!.secretKey) };
  }

  vote(by: number, type: VoteType, round: number, block: Uint8Array | null, height = 1): Vote {
    return signVote(CHAIN, { type, height, round, blockHash: block === null ? null : simBlockHash(block), validator: this.address(by) }, this.keys[by]!.secretKey);
  }

  step(ev: EngineEvent): Action[] {
    const r = this.engine.step(ev);
    if (r.error) throw r.error;
    return r.actions;
  }

  /** Deliver a proposal and answer the resulting block check as the application would. */
  propose(round: number, block: Uint8Array, polRound: number | null = null, valid = true): Action[] {
    const a = this.step({ type: 'proposal', proposal: this.proposal(round, block, polRound), block });
    const out = [...a];
    for (const c of a) if (c.type === 'check-block') out.push(...this.step({ type: 'block-checked', height: 1, blockHash: c.blockHash, valid }));
    return out;
  }

  votes(type: VoteType, round: number, block: Uint8Array | null, from: number[]): Action[] {
    const out: Action[] = [];
    for (const i of from) out.push(...this.step({ type: 'vote', vote: this.vote(i, type, round, block) }));
    return out;
  }
}

export const ofType = <T extends Action['type']>(as: readonly Action[], type: T): Extract<Action, { type: T }>[] =>
  as.filter((a): a is Extract<Action, { type: T }> => a.type === type);
