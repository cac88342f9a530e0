/**
 * The simulator's seeded PRNG: core's Rng (sfc32 seeded through splitmix32), so every
 * scenario replays exactly from its seed. Not for keys or anything secret.
 */
export { Rng as SimRng } from '../../core/index.js';
