/**
 * The deterministic simulator's public surface (re-exported by consensus/index.ts).
 */
export { SimRng } from './rng.js';
export { World, type Instance, type Decision, type NetMessage, type WorldStats } from './world.js';
export { baseSpec, randomScenario, splitBrainScenario, SIM_TIMEOUTS, type ScenarioSpec, type Partition } from './spec.js';
export { checkWorld, runScenario, violationsOf, type ScenarioResult } from './checkers.js';
export { BYZANTINE_BEHAVIOURS, type Behaviour } from './byzantine.js';
export { memoSign, simKeys, simValidatorSet } from './keys.js';
export { buildSimBlock, checkSimBlock, simBlockHash } from './app.js';
