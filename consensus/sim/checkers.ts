/**
 * Invariant checkers over a finished simulation, and the one-call scenario runner.
 * - agreement: no two honest instances decide different blocks at one height;
 * - validity: every block an honest instance decides is one the application accepts, and
 *   its commit certificate verifies against the height's validator set;
 * - no double sign: no honest key signs two different messages for one (height, round, step),
 *   across crashes and restarts;
 * - liveness: every honest instance decides every target height, and once the network has
 *   healed each height is decided within `roundBound` rounds (counted from the instance's
 *   round at the heal for the height then in progress).
 */
import { equalBytes, toHex, verifyCommit } from '../../core/index.js';
import { checkSimBlock } from './app.js';
import type { ScenarioSpec } from './spec.js';
import { World } from './world.js';

export interface ScenarioResult {
  readonly seed: number;
  readonly validators: number;
  readonly instances: number;
  readonly decidedHeights: number;
  readonly agreementViolations: string[];
  readonly validityViolations: string[];
  readonly doubleSigns: string[];
  readonly livenessViolations: string[];
  /** Most rounds any honest instance needed for a height after the heal. */
  readonly maxRoundsAfterHeal: number;
  readonly evidence: number;
  readonly virtualTimeMs: number;
  readonly verifications: number;
}

export function violationsOf(r: ScenarioResult): string[] {
  return [...r.agreementViolations, ...r.validityViolations, ...r.doubleSigns, ...r.livenessViolations];
}

export function checkWorld(w: World): ScenarioResult {
  const spec = w.spec;
  const honest = w.instances.filter((i) => w.isHonest(i));
  const agreement: string[] = [];
  const validity: string[] = [];
  const liveness: string[] = [];
  const firstAt = new Map<number, { id: number; hash: Uint8Array }>();
  const checked = new Set<string>();
  let maxRounds = 0;
  for (const inst of honest) {
    for (const d of inst.decisions.values()) {
      const first = firstAt.get(d.height);
      if (!first) firstAt.set(d.height, { id: inst.id, hash: d.blockHash });
      else if (!equalBytes(first.hash, d.blockHash)) {
        agreement.push(`height ${d.height}: instance ${first.id} decided ${toHex(first.hash).slice(0, 12)}, instance ${inst.id} ${toHex(d.blockHash).slice(0, 12)}`);
      }
      const id = `${d.height}/${toHex(d.blockHash)}`;
      if (!checked.has(id)) {
        checked.add(id);
        if (!checkSimBlock(d.block, d.height)) validity.push(`height ${d.height}: decided block is invalid`);
        const set = setAt(w, d.height);
        try {
          verifyCommit('sim', d.commit, set, { height: d.height, blockHash: d.blockHash });
        } catch (e) {
          validity.push(`height ${d.height}: commit does not verify: ${(e as Error).message}`);
        }
      }
      if (d.time >= spec.healTime) {
        const heal = inst.atHeal;
        const from = heal && heal.height === d.height ? heal.round : 0;
        const rounds = d.round - from + 1;
        maxRounds = Math.max(maxRounds, rounds);
        if (rounds > spec.roundBound) liveness.push(`instance ${inst.id} needed ${rounds} rounds at height ${d.height} after the heal`);
      }
    }
    if (inst.decisions.size < spec.heights) liveness.push(`instance ${inst.id} decided ${inst.decisions.size} of ${spec.heights} heights`);
  }
  return {
    seed: spec.seed, validators: spec.powers.length, instances: w.instances.length,
    decidedHeights: Math.min(...honest.map((i) => i.decisions.size)), agreementViolations: agreement, validityViolations: validity,
    doubleSigns: [...w.stats.doubleSigns], livenessViolations: liveness, maxRoundsAfterHeal: maxRounds, evidence: w.stats.evidence,
    virtualTimeMs: w.now, verifications: w.instances.reduce((s, i) => s + i.engine.verifications, 0),
  };
}

/** The validator set that decides `height`, as an engine that reached it holds it. */
function setAt(w: World, height: number) {
  for (const i of w.instances) {
    if (i.engine.height === height) return i.engine.epoch.validators;
    if (i.engine.height === height - 1) return i.engine.nextEpoch.validators;
  }
  // Every instance is past `height`: recompute from genesis with the spec's updates.
  return w.setForHeight(height);
}

export function runScenario(spec: ScenarioSpec): { result: ScenarioResult; world: World } {
  const world = new World(spec);
  world.run();
  return { result: checkWorld(world), world };
}
