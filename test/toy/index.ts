/**
 * A toy module, for the tests that show a module is one folder: this folder and one line
 * in a module table (`createRegistry([...Object.values(MODULE_DEFS), toyModule])`) give a
 * chain its records (readable and provable over RPC), codes, parameters, events (decoded
 * everywhere), a method (callable through the SDK), a genesis section, a `concerns`
 * function, and a hook of each kind, with no other file touched.
 *
 * It keeps a note per account (`note`), refuses any credit of exactly 13 minor units
 * (its credit hook), counts the blocks it has seen (its end-of-block step), and counts every
 * transaction (its beforeTx hook), and notes given at genesis.
 */
import { addressField, decode, list, optional, str, struct, uint, type Infer } from '../../core/index.js';
import { code, defineModule, event, field, method, record, VmError, type GenesisStepContext, type Movement, type TxContext } from '../../vm/index.js';

export const NoteSchema = struct('ToyNote', { text: str(64), count: uint });
export const ToyCountSchema = struct('ToyCount', { value: uint });
export const NoteArgs = struct('ToyNoteArgs', { text: str(64), about: optional(addressField) });
export const NotedEvent = struct('ToyNoted', { account: addressField, text: str(64), count: uint, about: optional(addressField) });
export const GenesisNoteSchema = struct('ToyGenesisNote', { account: addressField, text: str(64) });

export const toyRecords = {
  toy_note: record(0x90, [field.address('address')], NoteSchema, 'ToyNote [text, count]: an account\'s note'),
  toy_blocks: record(0x91, [], ToyCountSchema, 'ToyCount [value]: blocks the toy has seen end'),
  toy_txs: record(0x92, [], ToyCountSchema, 'ToyCount [value]: transactions the toy has seen start'),
};
export const ToyEvents = { noted: event('toy', 'noted', NotedEvent, 'an account wrote its note (about another account, maybe)') };

async function bump(ctx: TxContext, key: Uint8Array): Promise<void> {
  const c = await ctx.get(ToyCountSchema, key);
  ctx.put(ToyCountSchema, key, { value: (c?.value ?? 0) + 1 });
}

export const toyModule = defineModule({
  name: 'toy',
  doc: 'A toy module for tests: a note per account.',
  records: toyRecords,
  codeRange: [9000, 9099],
  codes: {
    TOY_TOO_MANY_NOTES: code(9000, 'the account has written its notes already (toy_max_notes)'),
    TOY_UNLUCKY: code(9001, 'a credit of exactly 13 minor units (the toy refuses it)'),
  },
  params: {
    toy_max_notes: { value: 3, min: 1, max: 100, governable: true, doc: 'notes one account may write' },
  },
  events: ToyEvents,
  methods: {
    note: method(NoteArgs, 'any account writes its note', async (ctx, a) => {
      const key = toyRecords.toy_note.keyOf(ctx.signer);
      const prev = await ctx.get(NoteSchema, key);
      const count = (prev?.count ?? 0) + 1;
      if (count > ctx.param('toy_max_notes')) throw new VmError('TOY_TOO_MANY_NOTES', `at most ${ctx.param('toy_max_notes')} notes`);
      ctx.put(NoteSchema, key, { text: a.text, count });
      ctx.emit(ToyEvents.noted, { account: ctx.signer, text: a.text, count, about: a.about });
    }, { fails: ['TOY_TOO_MANY_NOTES'] }),
  },
  genesis: {
    fields: { toyNotes: { position: 12, schema: list(GenesisNoteSchema, 100), doc: 'notes written at genesis' } },
    steps: [{
      order: 100, name: 'toyNotes',
      run: async (g: GenesisStepContext) => {
        for (const [i, n] of (g.doc.toyNotes as Infer<typeof GenesisNoteSchema>[]).entries()) {
          await g.step(`toyNotes[${i}]`, () => g.ctx.put(NoteSchema, toyRecords.toy_note.keyOf(n.account), { text: n.text, count: 0 }));
        }
      },
    }],
  },
  concerns: (_written, events) => {
    const out: Uint8Array[] = [];
    for (const e of events) {
      if (e.module !== 'toy') continue;
      const about = decodeNoted(e.data).about;
      if (about !== null) out.push(about);
    }
    return out;
  },
  hooks: {
    beforeTx: (ctx) => bump(ctx, toyRecords.toy_txs.keyOf()),
    credit: (_ctx: TxContext, m: Movement) => {
      if (m.amount === 13n) throw new VmError('TOY_UNLUCKY', `the toy refuses a credit of 13 to ${Buffer.from(m.account).toString('hex')}`);
    },
    endBlock: (ctx) => bump(ctx, toyRecords.toy_blocks.keyOf()),
  },
});

function decodeNoted(data: Uint8Array): Infer<typeof NotedEvent> {
  return decode(NotedEvent, data);
}
