/**
 * The V8 flags a node runs with. A validator under load keeps what a block in flight needs
 * (mempool entries, the executed block, receipts and the commit's batch) alive for about a
 * block interval, and with V8's default 16 MB semi-spaces each young-generation collection
 * copies all of it, several times before it dies or is promoted. 32 MB semi-spaces halve
 * those collections (bench:devnet: about 5% more committed tx/s; 64 MB gained nothing more).
 *
 * The flag must be on the command line (V8 sizes the heap before any JavaScript runs):
 * bin/sov.js's `#!` line, `npm start` and the devnet harness pass it; `sov start` and
 * `sov dev` log a notice when it is missing. `npm run bench:state` runs the store's
 * benchmark under it too, as the store runs inside the node (there the flag makes no clear
 * difference: 27-35k state updates/s without it, 32-37k with it, in runs of one session).
 */
export const NODE_V8_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=32']);

/** The NODE_V8_FLAGS this process was not started with (from its argv or NODE_OPTIONS). */
export function missingV8Flags(execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env.NODE_OPTIONS ?? ''): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].map((f) => f.split('=')[0]!.replace(/_/g, '-')));
  return NODE_V8_FLAGS.filter((f) => !given.has(f.split('=')[0]!));
}
