/**
 * The module registry: a set of descriptors that claim one thing twice fails to load, naming
 * both; and a toy module (test/toy/, one folder) added by one line in a module table runs on
 * a chain with its records, codes, parameters, events, genesis section, concerns and every
 * kind of hook, while a chain of the built-in modules keeps its bytes.
 */
import t from 'tap';
import { addressFromPublicKey, decode, encode, generateKeyPair, toHex } from '../../core/index.js';
import {
  applyGenesis, BUILTIN, code, createRegistry, defineModule, event, field, genesisSchemaOf, GenesisSchema, MemoryState, MODULE_DEFS, money, record, RegistryError,
  recordSchemaOf, VmCodes, vmCodeName, type ModuleDescriptor,
} from '../index.js';
import { renderVmDoc } from '../docs.js';
import { NoteArgs, NoteSchema, NotedEvent, ToyCountSchema, toyModule, toyRecords } from '../../test/index.js';
import { addr, Chain, genesisDoc, K, ok, UNIT } from './harness.js';
import { struct, uint } from '../../core/index.js';

const BUILTINS = Object.values(MODULE_DEFS) as ModuleDescriptor[];
const Empty = struct('Empty', {});
const bare = (name: string, over: Partial<ModuleDescriptor> = {}): ModuleDescriptor =>
  defineModule({ name, doc: name, records: {}, codeRange: [8000, 8099], codes: {}, params: {}, events: {}, methods: {}, ...over });

t.test('a registry whose modules claim one thing twice fails to load, naming both', async (tt) => {
  /** What each registry claims twice, and the two claimants its error must name (in either order). */
  const cases: [string, ModuleDescriptor[], RegExp, string, string][] = [
    ['one prefix', [bare('alpha', { records: { a_rec: record(0x95, [], Empty, '') } }), bare('beta', { codeRange: [8100, 8199], records: { b_rec: record(0x95, [], Empty, '') } })],
      /record prefix 0x95 is claimed by both/, 'alpha.a_rec', 'beta.b_rec'],
    ['a built-in prefix', [bare('alpha', { records: { mine: record(0x21, [], Empty, '') } })], /record prefix 0x21 is claimed by both/, 'money.balance', 'alpha.mine'],
    ['one code number', [bare('alpha', { codes: { A_ONE: code(8000, '') } }), bare('beta', { codeRange: [8100, 8199], codes: { B_ONE: code(8150, '') } }), bare('gamma', { codeRange: [8200, 8299], codes: { C_ONE: code(8150, '') } })],
      /code (number 8150 is claimed by both|C_ONE \(8150\) of module gamma is outside its range)/, 'module', 'C_ONE'],
    ['one code name', [bare('alpha', { codes: { INSUFFICIENT_FUNDS: code(8001, '') } })], /code INSUFFICIENT_FUNDS is claimed by both/, 'module money (503)', 'module alpha (8001)'],
    ['overlapping ranges', [bare('alpha', { codeRange: [550, 560] })], /overlaps/, 'module money', 'module alpha'],
    ['a code outside its range', [bare('alpha', { codes: { A_OUT: code(8500, '') } })], /code A_OUT \(8500\) of module alpha is outside its range 8000\.\.8099/, 'alpha', 'A_OUT'],
    ['one parameter', [bare('alpha', { params: { max_tier: { value: 1, min: 1, max: 2, governable: true, doc: '' } } })], /parameter max_tier is claimed by both/, 'module account', 'module alpha'],
    ['one module name', [bare('money')], /module name "money" is claimed by both/, 'module money', 'module money'],
    ['an event under another name', [bare('alpha', { events: { sent: event('money', 'sent', Empty) } })], /module alpha lists event "sent" declared as money\.sent/, 'alpha', 'money'],
    ['one action kind', [bare('alpha', { actions: { mine: { kind: 8, args: Empty, doc: '', run: async () => undefined } } })], /action kind 8 is claimed by both/, 'module gov (set_param)', 'module alpha (mine)'],
    ['one genesis position', [bare('alpha', { genesis: { fields: { mine: { position: 9, schema: Empty, doc: '' } }, steps: [] } })], /genesis position 9 is claimed by both/, 'module money (balances)', 'module alpha (mine)'],
    ['a key field of two kinds', [bare('alpha', { records: { a_rec: record(0x96, [field.id('address')], Empty, '') } })], /key field "address" is/, 'id in alpha.a_rec', 'address in'],
  ];
  for (const [what, extra, re, one, other] of cases) {
    let message = '';
    try {
      createRegistry([...BUILTINS, ...extra]);
    } catch (e) {
      tt.type(e, RegistryError, `${what}: a RegistryError`);
      message = (e as Error).message;
    }
    tt.match(message, re, what);
    tt.ok(message.includes(one) && message.includes(other), `${what}: names ${one} and ${other} (${message})`);
  }
  const two = [bare('alpha', { codeRange: [8000, 8099], codes: { A_ONE: code(8000, 'a') } }), bare('beta', { codeRange: [8100, 8199], codes: { B_ONE: code(8000, 'b') } })];
  tt.throws(() => createRegistry(two), RegistryError);
  tt.doesNotThrow(() => createRegistry(BUILTINS), 'the built-in modules load');
});

t.test('the built-in registry derives what was hand-kept: every record kind served, every code and parameter', async (tt) => {
  for (const kind of ['validator_node', 'virtual_account', 'bank_ref', 'proposal_seq', 'payout_seq', 'lock_seq', 'grant_seq']) {
    tt.ok(BUILTIN.recordsByName.has(kind), `${kind} is a record kind (it had no schema or no RPC kind before)`);
  }
  tt.equal(recordSchemaOf(Uint8Array.of(0x41, ...new Uint8Array(20)))?.name, 'validator_node');
  tt.equal(VmCodes.INSUFFICIENT_FUNDS, 503);
  tt.equal(vmCodeName(706), 'BAD_LOCK');
});

t.test('a toy module in one folder, one line in the module table: it runs, with hooks, genesis and concerns', async (tt) => {
  const reg = createRegistry([...BUILTINS, toyModule]);
  const base = genesisDoc();
  // A genesis without the toy's section has the same bytes under both registries.
  tt.same(toHex(encode(genesisSchemaOf(reg), base)), toHex(encode(GenesisSchema, base)), 'an empty later section is not written');
  const noted = generateKeyPair();
  const doc = { ...base, toyNotes: [{ account: addr(K.alice), text: 'from genesis' }] };
  const bytes = encode(genesisSchemaOf(reg), doc);
  tt.same(decode(genesisSchemaOf(reg), bytes).toyNotes, doc.toyNotes, 'the toy section round-trips');
  const plain = encode(GenesisSchema, base);
  tt.equal(plain[0], 0x9c, 'the first format: an array of 12');
  const trailingEmpty = Uint8Array.from([0x9d, ...plain.subarray(1), 0x90]);
  tt.throws(() => decode(genesisSchemaOf(reg), trailingEmpty), { code: 'CODEC_NON_CANONICAL' }, 'an empty later section written out is not the canonical form');
  const c = await Chain.create(doc, reg);
  tt.equal(decode(NoteSchema, c.state.get(toyRecords.toy_note.keyOf(addr(K.alice)))!).text, 'from genesis', 'the genesis step ran');
  tt.equal(decode(money.BalanceSchema, c.state.get(money.MoneyKeys.balance(addr(K.alice), 'DCASH'))!).amount, 500n * UNIT, 'the built-in steps ran too');
  const g2 = await applyGenesis(new MemoryState(), base);
  tt.ok(g2.writes.every((w) => w.key[0] !== 0x90), 'a built-in chain has no toy record');

  const r = await c.block([c.tx(K.bob, 'toy', 'note', NoteArgs, { text: 'hello', about: addressFromPublicKey(noted.publicKey) })]);
  ok(tt, r.receipts[0]!, 'toy.note');
  const ev = r.receipts[0]!.events[0]!;
  tt.same([ev.module, ev.name], ['toy', 'noted']);
  tt.equal(decode(NotedEvent, ev.data).text, 'hello');
  tt.ok(r.accounts[0]!.some((a) => toHex(a) === toHex(addressFromPublicKey(noted.publicKey))), 'its concerns put the noted account in the history');
  tt.equal(decode(ToyCountSchema, c.state.get(toyRecords.toy_blocks.keyOf())!).value, 1, 'the end-of-block step ran once');
  tt.equal(decode(ToyCountSchema, c.state.get(toyRecords.toy_txs.keyOf())!).value, 1, 'the beforeTx hook ran');

  // Its credit hook refuses a credit of 13, with its own code, in a built-in module's transfer.
  const unlucky = (await c.block([c.tx(K.bob, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(K.carol), amount: 13n, memo: '', reference: '' })])).receipts[0]!;
  tt.same([unlucky.status, vmCodeName(unlucky.code)], [1, 'TOY_UNLUCKY'], "the toy's credit hook refuses a built-in transfer of 13");
  ok(tt, (await c.block([c.tx(K.bob, 'money', 'transfer', money.TransferArgs, { currency: 'DCASH', to: addr(K.carol), amount: 14n, memo: '', reference: '' })])).receipts[0]!, 'a credit of 14 passes');
  // Its parameter: at most 3 notes.
  for (let i = 0; i < 2; i++) await c.block([c.tx(K.bob, 'toy', 'note', NoteArgs, { text: `n${i}`, about: null })]);
  const fourth = (await c.block([c.tx(K.bob, 'toy', 'note', NoteArgs, { text: 'n3', about: null })])).receipts[0]!;
  tt.equal(vmCodeName(fourth.code), 'TOY_TOO_MANY_NOTES');
  tt.equal(decode(ToyCountSchema, c.state.get(toyRecords.toy_blocks.keyOf())!).value, 6, 'one end-of-block step per block');

  // docs/vm.md rendered under this registry lists the toy's codes, parameters, method, event and records.
  const { readFileSync } = await import('node:fs');
  const { repoPath } = await import('../../test/index.js');
  const docs = renderVmDoc(readFileSync(repoPath('docs/vm.md'), 'utf8'), reg);
  for (const s of ['| 9000 | TOY_TOO_MANY_NOTES | toy |', '| 9001 | TOY_UNLUCKY | toy |', '| toy_max_notes | toy | 3 |', '### toy', '| note |', '| noted |', '| 0x90 | toy_note | toy |', '| 12 | toyNotes | toy |']) {
    tt.ok(docs.includes(s), `docs: ${s}`);
  }
});

t.test('an end-of-block step that fails is undone alone', async (tt) => {
  const failing = defineModule({
    name: 'failing', doc: '', records: { fail_mark: record(0x97, [], struct('Mark', { v: uint }), '') }, codeRange: [8200, 8299],
    codes: { FAILING: code(8200, '') }, params: {}, events: {}, methods: {},
    hooks: {
      endBlock: async (ctx) => {
        ctx.put(struct('Mark', { v: uint }), Uint8Array.of(0x97), { v: 1 });
        throw new (await import('../index.js')).VmError('FAILING', 'always');
      },
    },
  });
  const reg = createRegistry([...BUILTINS, toyModule, failing]);
  const c = await Chain.create(genesisDoc(), reg);
  const r = await c.block([]);
  tt.notOk(r.writes.some((w) => w.key[0] === 0x97), 'its writes are undone');
  tt.ok(r.writes.some((w) => w.key[0] === 0x91), "the toy's step (after it by name) still ran");
});
