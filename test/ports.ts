/**
 * Ports for tests that start nodes on fixed ports. tap runs test files in parallel processes,
 * and files that each picked a base port at random could overlap: one node then refused to
 * start (NODE_PORT_IN_USE), one CI run in a few. A block of ten-port slots (a node's p2p port
 * at `base + 10 i`, its RPC at + 1, its metrics at + 2, as `sov testnet` numbers them) is
 * reserved across processes by a lock file per slot in the system's temp folder, holding the
 * owner's pid (a dead owner's lock is taken over), and checked free by binding its ports (in a
 * child process: a reservation is synchronous, as Devnet.create is).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Slots from 20,000 up to below the kernel's ephemeral range (32768+), so no outgoing connection holds our ports. */
const FIRST_PORT = 20_000;
const SLOT_COUNT = 1_270;
const LOCK_DIR = join(tmpdir(), 'sov-test-ports');
/** Ports probed per slot: p2p, RPC, metrics. */
const PORTS_PER_SLOT = 3;

export interface PortBlock {
  /** The first slot's first port. */
  readonly base: number;
  readonly slots: number;
  /** Remove the locks (idempotent; also done when the process exits). */
  release(): void;
}

const held = new Set<string>();
process.once('exit', () => {
  for (const f of held) unlinkQuiet(f);
});

function unlinkQuiet(f: string): void {
  try {
    unlinkSync(f);
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take slot `port`'s lock; false when a live process (this one included) holds it. */
function lockSlot(port: number): string | null {
  const f = join(LOCK_DIR, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(f, String(process.pid), { flag: 'wx' });
      held.add(f);
      return f;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number(readFileSync(f, 'utf8'));
      } catch {
        continue; // released meanwhile: try again
      }
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) return null;
      unlinkQuiet(f); // a dead owner's
    }
  }
  return null;
}

const PROBE = `
const net = require('node:net');
const ports = process.argv.slice(1).map(Number);
(async () => {
  for (const port of ports) {
    const ok = await new Promise((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
    });
    if (!ok) process.exit(1);
  }
  process.exit(0);
})();
`;

function allFree(ports: number[]): boolean {
  return spawnSync(process.execPath, ['-e', PROBE, ...ports.map(String)], { timeout: 30_000 }).status === 0;
}

/**
 * Reserve the `slots` ten-port slots from `base`, or null (holding nothing) when another live
 * process, or this one, holds one of them or one of their ports is in use.
 */
export function tryReservePorts(base: number, slots: number): PortBlock | null {
  mkdirSync(LOCK_DIR, { recursive: true });
  const taken: string[] = [];
  const drop = (): void => {
    for (const f of taken) {
      unlinkQuiet(f);
      held.delete(f);
    }
  };
  for (let s = 0; s < slots; s++) {
    const f = lockSlot(base + 10 * s);
    if (!f) {
      drop();
      return null;
    }
    taken.push(f);
  }
  const ports = Array.from({ length: slots * PORTS_PER_SLOT }, (_, k) => base + 10 * Math.floor(k / PORTS_PER_SLOT) + (k % PORTS_PER_SLOT));
  if (!allFree(ports)) {
    drop();
    return null;
  }
  let released = false;
  return {
    base,
    slots,
    release: () => {
      if (released) return;
      released = true;
      drop();
    },
  };
}

/** Reserve `slots` consecutive ten-port slots, from a random base, that no other test process holds and whose ports are free. */
export function reservePorts(slots: number): PortBlock {
  if (!Number.isInteger(slots) || slots < 1 || slots > 100) throw new RangeError(`slots: ${slots}`);
  for (let attempt = 0; attempt < 200; attempt++) {
    const block = tryReservePorts(FIRST_PORT + 10 * Math.floor(Math.random() * (SLOT_COUNT - slots + 1)), slots);
    if (block) return block;
  }
  throw new Error(`no ${slots} free port slots from ${FIRST_PORT} after 200 attempts`);
}

/** The lock file of the slot at `port` (for tests). */
export function portLockPath(port: number): string {
  return join(LOCK_DIR, String(port));
}
