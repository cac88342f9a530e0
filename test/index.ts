/** Shared test helpers. Only test files import this folder. */
export { Rng } from './rng.js';
export { REPO_ROOT, repoPath } from './paths.js';
export { waitFor } from './wait.js';
export { fillDisk, mountTmpfs, type Tmpfs } from './tmpfs.js';
export { makeBlock, commitFor } from './blocks.js';
export { toyModule, toyRecords, ToyEvents, NoteArgs, NoteSchema, NotedEvent, ToyCountSchema } from './toy/index.js';
export { reservePorts, tryReservePorts, portLockPath, type PortBlock } from './ports.js';
