/** The seeded PRNG of the tests: core's (one generator for tests and the consensus simulator). */
export { Rng } from '../core/index.js';
