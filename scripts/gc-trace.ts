/**
 * V8's `--trace-gc-nvp` lines, summed: what a node's young-generation collections copied
 * (survivors kept in the young generation, and those promoted to the old one) and how long
 * its collections paused it. bench:devnet --gc reads them from each node's log over the peak.
 */

export interface GcSummary {
  /** Young-generation collections (scavenges). */
  readonly scavenges: number;
  /** Bytes scavenges copied within the young generation (survivors of one collection). */
  readonly survivedBytes: number;
  /** Bytes scavenges promoted to the old generation. */
  readonly promotedBytes: number;
  /** Collections of the old generation (mark-compact). */
  readonly markCompacts: number;
  /** Pause of every collection on the main thread, ms. */
  readonly pauseMs: number;
}

const field = (line: string, name: string): number => {
  const m = new RegExp(`\\b${name}=([\\d.]+)`).exec(line);
  return m ? Number(m[1]) : 0;
};

/**
 * The collections of a log's main isolate (the one with the most lines: worker threads have
 * isolates of their own) in `text`, the slice of the log written during the measurement.
 */
export function summarizeGcTrace(text: string): GcSummary {
  const lines = text.split('\n').filter((l) => l.startsWith('[') && l.includes(' pause='));
  const count = new Map<string, number>();
  for (const l of lines) {
    const iso = l.slice(0, l.indexOf(']'));
    count.set(iso, (count.get(iso) ?? 0) + 1);
  }
  const main = [...count].sort((a, b) => b[1] - a[1])[0]?.[0];
  let scavenges = 0;
  let survivedBytes = 0;
  let promotedBytes = 0;
  let markCompacts = 0;
  let pauseMs = 0;
  for (const l of lines) {
    if (l.slice(0, l.indexOf(']')) !== main) continue;
    pauseMs += field(l, 'pause');
    const kind = / gc=(\w+)/.exec(l)?.[1];
    if (kind === 's') {
      scavenges++;
      survivedBytes += field(l, 'new_space_survived');
      promotedBytes += field(l, 'promoted');
    } else if (kind === 'mc') markCompacts++;
  }
  return { scavenges, survivedBytes, promotedBytes, markCompacts, pauseMs };
}
