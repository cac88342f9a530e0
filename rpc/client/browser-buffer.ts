/**
 * A page has no Buffer, and the ledger's code uses Node's (hex, byte comparisons, the
 * canonical writer's slab, latin1 keys, from module load on): the browser entry imports this
 * file before anything else, and it gives the page the `buffer` package's Buffer, the
 * browser implementation of Node's, if the page has none of its own. (Under Node, the bare
 * name `buffer` is Node's own module, and the global is there already.)
 */
import { Buffer } from 'buffer';

const page = globalThis as { Buffer?: unknown };
page.Buffer ??= Buffer;
