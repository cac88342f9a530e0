/**
 * The V8 flags a node runs with. A validator under load keeps what a block in flight needs
 * (mempool entries, the executed block, receipts and the commit's batch) alive for about a
 * block interval, and each young-generation collection in that time copies all of it again
 * before it dies or is promoted. Larger semi-spaces mean fewer such collections:
 * - 32 MB against V8's default 16 MB: about 5% more committed tx/s (bench:devnet, an earlier
 *   session);
 * - 64 MB against 32 MB (bench:devnet --gc, 4 validators, two runs each, alternated in one
 *   session, 2026-12-05): 40 young collections a node instead of 72-76, 6,698-7,192 bytes
 *   copied per transaction and node instead of 9,378-10,005, promoted 2,925-3,140 instead of
 *   4,338-4,662, 5.0-5.6% of the peak paused instead of 7.2-7.7%. Committed tx/s did not
 *   change beyond the runs' spread (2,063-2,183 against 2,013-2,142). The four nodes' peak
 *   resident memory, summed: 1,991-2,155 MiB against 1,879-1,904 MiB.
 *
 * The flag must be on the command line (V8 sizes the heap before any JavaScript runs):
 * bin/sov.js's `#!` line, `npm start` and the devnet harness pass it; `sov start` and
 * `sov dev` log a notice when it is missing. `npm run bench:state` runs the store's
 * benchmark under it too, as the store runs inside the node.
 */
export const NODE_V8_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=64']);

/** The NODE_V8_FLAGS this process was not started with (from its argv or NODE_OPTIONS). */
export function missingV8Flags(execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env.NODE_OPTIONS ?? ''): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].map((f) => f.split('=')[0]!.replace(/_/g, '-')));
  return NODE_V8_FLAGS.filter((f) => !given.has(f.split('=')[0]!));
}
