/**
 * The consensus epochs (validator set + proposer priorities) around the next height, kept
 * in `consensus_epochs.bin` in the data directory. Before block h is committed the node
 * writes both the triple for height h (before) and for h + 1 (after), atomically; on boot
 * it takes whichever matches the ledger's height, so a crash between this write and the
 * ledger's commit loses nothing. Priorities are signed bigints, stored as decimal strings.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode, encode, list, optional, str, struct, uint, ValidatorListSchema, ValidatorSet, addressField, type Infer } from '../../core/index.js';
import { Epoch, ProposerPriorities } from '../../consensus/index.js';
import { replaceFileAtomic } from '../ops/disk.js';
import { NodeError } from '../errors.js';

const EpochSchema = struct('StoredEpoch', {
  validators: ValidatorListSchema,
  priorities: list(struct('StoredPriority', { address: addressField, power: uint, priority: str(40) }), 256),
});
const TripleSchema = struct('EpochTriple', { height: uint, previous: optional(EpochSchema), current: EpochSchema, next: EpochSchema });
const FileSchema = struct('EpochFile', { before: TripleSchema, after: TripleSchema });

export interface EpochTriple {
  /** The height these epochs are for (the next to decide). */
  height: number;
  previous: Epoch | null;
  current: Epoch;
  next: Epoch;
}

function toStored(e: Epoch): Infer<typeof EpochSchema> {
  return {
    validators: e.validators.validators,
    priorities: e.priorities.priorities().map((p) => ({ address: p.address, power: p.power, priority: p.priority.toString() })),
  };
}

function fromStored(s: Infer<typeof EpochSchema>): Epoch {
  const members = s.priorities.map((p) => {
    if (!/^-?\d+$/.test(p.priority)) throw new NodeError('EPOCHS_CORRUPT', 'a stored priority is not an integer');
    return { address: p.address, power: p.power, priority: BigInt(p.priority) };
  });
  return new Epoch(new ValidatorSet(s.validators), ProposerPriorities.restore(members));
}

const tripleOut = (t: EpochTriple) => ({ height: t.height, previous: t.previous ? toStored(t.previous) : null, current: toStored(t.current), next: toStored(t.next) });
const tripleIn = (t: Infer<typeof TripleSchema>): EpochTriple => ({
  height: t.height, previous: t.previous ? fromStored(t.previous) : null, current: fromStored(t.current), next: fromStored(t.next),
});

/** Save at least this often even without validator changes (bounds the replay at boot). */
export const SAVE_EVERY = 1000;

/** The triple of the next height, after block `t.height` made `updates`. */
export function advanceTriple(t: EpochTriple, updates: Parameters<Epoch['advanced']>[0]): EpochTriple {
  return { height: t.height + 1, previous: t.current, current: t.next, next: t.next.advanced(updates) };
}

export class EpochFile {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'consensus_epochs.bin');
  }

  /**
   * The triple for `height`, or null when the file has none (a fresh node). The file may
   * hold an older triple: the node saves only when validators change (and every
   * SAVE_EVERY heights), so the heights in between had no updates and the triple is
   * advanced to `height` here, as consensus would have.
   */
  load(height: number): EpochTriple | null {
    if (!existsSync(this.path)) return null;
    let f: Infer<typeof FileSchema>;
    try {
      f = decode(FileSchema, new Uint8Array(readFileSync(this.path)));
    } catch (e) {
      throw new NodeError('EPOCHS_CORRUPT', `${this.path} is unreadable: ${(e as Error).message}`);
    }
    const base = f.after.height <= height ? f.after : f.before.height <= height ? f.before : null;
    if (!base) throw new NodeError('EPOCHS_CORRUPT', `${this.path} holds heights ${f.before.height} and ${f.after.height}, the ledger needs ${height}`);
    let t = tripleIn(base);
    while (t.height < height) t = advanceTriple(t, []);
    return t;
  }

  save(before: EpochTriple, after: EpochTriple): void {
    const bytes = encode(FileSchema, { before: tripleOut(before), after: tripleOut(after) });
    replaceFileAtomic(this.path, bytes, 'the epochs file');
  }
}
