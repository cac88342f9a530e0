/**
 * Twins: two processes running one node key. Peers keep one outbound link per node id, so
 * the process that lost the race hears nothing, while both still send to every peer. Each
 * process draws a random instance number when it starts and puts it in its status messages
 * (every second); a peer that keeps hearing two instances of one node id after the second
 * appeared is hearing twins. (A restart is not: the old instance falls silent before the
 * new one is first heard.) The peer logs it, and tells the node id on every connection it
 * has to it (TWIN message), so that both processes log it too, each naming the other.
 */
import { randomBytes } from 'node:crypto';

/** An instance heard again this long after another one of the same node id was first heard: twins. */
export const TWIN_OVERLAP_MS = 1500;
/** Twins of one node id are reported at most this often. */
export const TWIN_REPORT_MS = 60_000;
const MAX_INSTANCES = 4;

/** A random instance number for this process (48 bits: a safe integer on the wire). */
export function newInstance(): number {
  return randomBytes(6).readUIntBE(0, 6);
}

export function instanceHex(instance: number): string {
  return instance.toString(16).padStart(12, '0');
}

interface Heard {
  first: number;
  last: number;
}

export class TwinWatch {
  private readonly heard = new Map<string, Map<number, Heard>>();
  private readonly reported = new Map<string, number>();

  /** Record a status from `peer` with `instance`; returns the instances heard at once when `peer` has twins to report now. */
  observe(peer: string, instance: number, now: number): number[] | null {
    let byInstance = this.heard.get(peer);
    if (!byInstance) this.heard.set(peer, (byInstance = new Map()));
    const h = byInstance.get(instance);
    if (h) h.last = now;
    else {
      byInstance.set(instance, { first: now, last: now });
      if (byInstance.size > MAX_INSTANCES) {
        // Forget the one heard least lately (restarts leave old instances behind).
        let oldest: number | null = null;
        for (const [i, e] of byInstance) if (oldest === null || e.last < byInstance.get(oldest)!.last) oldest = i;
        byInstance.delete(oldest!);
      }
    }
    const live: number[] = [];
    for (const [i, e] of byInstance) {
      // Heard again well after some other instance was first heard.
      for (const [j, f] of byInstance) if (i !== j && e.last - f.first >= TWIN_OVERLAP_MS && e.first <= f.first) { live.push(i, j); break; }
    }
    if (live.length === 0) return null;
    const last = this.reported.get(peer);
    if (last !== undefined && now - last < TWIN_REPORT_MS) return null;
    this.reported.set(peer, now);
    return [...new Set(live)].sort((a, b) => a - b);
  }

  /** Forget a peer (its connections are all gone). */
  forget(peer: string): void {
    this.heard.delete(peer);
  }
}
