/**
 * Proposer selection against CometBFT's weighted round-robin (shared vector, our own copy),
 * and the properties of priorities under validator-set updates.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { ProposerPriorities, Epoch, simValidatorSet, simKeys } from '../index.js';
import { toHex, utf8 } from '../../core/index.js';
import { repoPath } from '../../test/index.js';

interface Vector { validators: { address: string; power: number }[]; rounds: number; expected: string[] }
const vector = JSON.parse(readFileSync(repoPath('consensus/test/vectors/proposer-selection.json'), 'utf8')) as Vector;
const name = (a: Uint8Array): string => new TextDecoder().decode(a);

t.test('matches CometBFT TestProposerSelection1', (tt) => {
  // NewValidatorSet increments once; then: take the proposer, increment by one round.
  let p = ProposerPriorities.fresh(vector.validators.map((v) => ({ address: utf8(v.address), power: v.power }))).incremented(1);
  const got: string[] = [];
  for (let i = 0; i < vector.rounds; i++) {
    got.push(name(p.proposer));
    p = p.incremented(1);
  }
  tt.equal(got.length, vector.expected.length);
  tt.same(got, vector.expected);
  tt.end();
});

t.test('incremented(k) equals k single increments only up to rescaling; proposer counts follow power', (tt) => {
  const members = [{ address: utf8('a'), power: 1 }, { address: utf8('b'), power: 2 }, { address: utf8('c'), power: 7 }];
  let p = ProposerPriorities.fresh(members).incremented(1);
  const counts = new Map<string, number>();
  for (let i = 0; i < 1000; i++) {
    counts.set(name(p.proposer), (counts.get(name(p.proposer)) ?? 0) + 1);
    p = p.incremented(1);
  }
  tt.same([counts.get('a'), counts.get('b'), counts.get('c')], [100, 200, 700], 'each validator proposes in proportion to its power');
  tt.end();
});

t.test('ties go to the lower address; priorities stay centred', (tt) => {
  const p = ProposerPriorities.fresh([{ address: utf8('b'), power: 5 }, { address: utf8('a'), power: 5 }]).incremented(1);
  tt.equal(name(p.proposer), 'a');
  const sum = p.incremented(3).priorities().reduce((s, e) => s + e.priority, 0n);
  tt.ok(sum >= -2n && sum <= 2n, 'sum of priorities is about zero');
  tt.end();
});

t.test('a new validator starts at -1.125 x total power and cannot propose at once', (tt) => {
  const p = ProposerPriorities.fresh([{ address: utf8('a'), power: 10 }, { address: utf8('b'), power: 10 }]).incremented(1);
  const q = p.withUpdates([{ address: utf8('c'), power: 100 }]);
  const c = q.priorities().find((e) => name(e.address) === 'c')!;
  tt.ok(c.priority < 0n, 'new member starts negative');
  tt.not(name(q.proposer), 'c');
  const r = q.withUpdates([{ address: utf8('a'), power: 0 }]);
  tt.equal(r.size, 2, 'power 0 removes');
  tt.throws(() => ProposerPriorities.fresh([]), RangeError);
  tt.end();
});

t.test('epochs: updates decided at h apply from h+2, identically on every node', (tt) => {
  const set = simValidatorSet([1, 2, 3, 4]);
  const [e1, e2] = Epoch.genesis(set);
  const key = simKeys(4)[0]!.publicKey;
  const e3a = e2.advanced([{ publicKey: key, power: 9 }]);
  const e3b = Epoch.genesis(simValidatorSet([1, 2, 3, 4]))[1].advanced([{ publicKey: key, power: 9 }]);
  tt.equal(toHex(e3a.validators.hash), toHex(e3b.validators.hash));
  tt.equal(e3a.validators.totalPower, 18);
  tt.equal(toHex(e1.validators.hash), toHex(e2.validators.hash), 'height 2 has the genesis set');
  for (let r = 0; r < 20; r++) tt.equal(toHex(e3a.proposer(r)), toHex(e3b.proposer(r)), `same proposer at round ${r}`);
  tt.throws(() => e2.advanced([{ publicKey: key, power: -1 }]), { code: 'CONSENSUS_BAD_APP_RESPONSE' });
  tt.throws(() => e2.advanced([{ publicKey: key, power: 1 }, { publicKey: key, power: 2 }]), { code: 'CONSENSUS_BAD_APP_RESPONSE' });
  tt.throws(() => e2.advanced([{ publicKey: new Uint8Array(5), power: 1 }]), { code: 'CONSENSUS_BAD_APP_RESPONSE' });
  tt.end();
});
