/**
 * Every class of mistake in a template or a genesis.json is reported with the path of the
 * field at fault, all of them at once, and never as an untyped error (also under random
 * damage to the file).
 */
import t from 'tap';
import { Rng } from '../../test/index.js';
import { buildFromTemplate, GenesisError, parseGenesisJson, renderTemplate, type Problem, type Template } from '../index.js';
import { smallExample, fullExample } from './example-keys.js';

async function problemsOf(text: string, json = false): Promise<Problem[]> {
  try {
    await (json ? parseGenesisJson(text) : buildFromTemplate(text));
    return [];
  } catch (e) {
    if (!(e instanceof GenesisError)) throw e;
    return [...e.problems];
  }
}

type Edit = (t: Template) => void;
const cases: [string, Edit | { text: (s: string) => string }, string, RegExp][] = [
  ['duplicate validator key', (t: Template) => { t.validators[1]!.publicKey = t.validators[0]!.publicKey; }, 'validators[1].public_key', /same key as validators\[0\]/],
  ['duplicate body', (t: Template) => { t.validators[1]!.body = t.validators[0]!.body; }, 'validators[1].body', /repeats/],
  ['duplicate TOML key', { text: (s: string) => s.replace('power = 10', 'power = 10\npower = 11') }, '', /not valid TOML \(line \d+/],
  ['council threshold above its size', (t: Template) => { t.council.threshold = 4; }, 'council.threshold', /above the council's size 3/],
  ['currency without issuer', (t: Template) => { t.currencies[0]!.issuer = ''; }, 'currencies[0].issuer', /no issuer/],
  ['currency issuer unknown', (t: Template) => { t.currencies[0]!.issuer = 'Nobody'; }, 'currencies[0].issuer', /unknown institution "Nobody"/],
  ['issuer without the central bank role', (t: Template) => { t.currencies[0]!.issuer = 'Islandia Savings Bank'; }, 'currencies[0].issuer', /lacks the role central_bank/],
  ['powers that overflow', (t: Template) => { for (const v of t.validators) v.power = 2 ** 49; }, 'validators', /total power .* overflows/],
  ['power out of range', (t: Template) => { t.validators[2]!.power = 0; }, 'validators[2].power', /out of range/],
  ['bad contribution signature (entry edited after signing)', (t: Template) => { t.validators[3]!.p2pAddress = 'evil.example:26656'; }, 'validators[3].signature', /bad contribution signature/],
  ['bad institution signature', (t: Template) => { t.institutions[4]!.signature = t.institutions[3]!.signature; }, 'institutions[4].signature', /bad contribution signature/],
  ['unsigned entry', (t: Template) => { t.institutions[1]!.signature = ''; }, 'institutions[1].signature', /missing/],
  ['unknown role', (t: Template) => { t.institutions[0]!.roles = ['central_bank', 'king']; }, 'institutions[0].roles[1]', /unknown role "king"/],
  ['unknown council member', (t: Template) => { t.council.members[2] = 'Ministry of Magic'; }, 'council.members[2]', /unknown institution/],
  ['repeated council member', (t: Template) => { t.council.members[2] = t.council.members[0]!; }, 'council.members[2]', /repeats council.members\[0\]/],
  ['keys not contributed', (t: Template) => { t.institutions[2]!.keys = []; }, 'institutions[2].keys', /no keys yet/],
  ['bad p2p address', (t: Template) => { t.validators[0]!.p2pAddress = 'nowhere'; }, 'validators[0].p2p_address', /not host:port/],
  ['unknown balance holder', (t: Template) => { t.balances[0]!.holder = 'Ghost'; }, 'balances[0].holder', /unknown institution or account/],
  ['unknown balance currency', (t: Template) => { t.balances[0]!.currency = 'XYZ'; }, 'balances[0].currency', /unknown currency/],
  ['bank limit for a non-bank', (t: Template) => { t.bankLimits[0]!.bank = 'Ministry of Finance'; }, 'bank_limits[0].bank', /not a commercial bank/],
  ['too many tiers', (t: Template) => { t.params.max_tier = 1; }, 'currencies[0].tiers', /max_tier = 1/],
  ['parameter out of range', (t: Template) => { t.params.max_tier = 99; }, 'params.max_tier', /out of range/],
  ['unknown parameter', { text: (s: string) => s.replace('[params]', '[params]\nmax_fun = 3') }, 'params.max_fun', /unknown key/],
  ['misspelt key', { text: (s: string) => s.replace('power = 10', 'pwoer = 10') }, 'validators[0].pwoer', /unknown key/],
  ['tx larger than block', (t: Template) => { t.consensus.max_tx_bytes = 1_000_000; t.consensus.max_block_bytes = 500_000; }, 'consensus.max_tx_bytes', /must not exceed max_block_bytes/],
  ['local genesis time', { text: (s: string) => s.replace(/genesis_time = .*/, 'genesis_time = 2026-03-01T00:00:00') }, 'genesis_time', /with an offset/],
  ['bad jurisdiction', (t: Template) => { t.jurisdiction = 'is'; }, 'jurisdiction', /ISO 3166-1/],
  ['amount not minor units', { text: (s: string) => s.replace(/amount = "\d+"/, 'amount = "12.50"') }, 'balances[0].amount', /minor units/],
  ['amount as a TOML float', { text: (s: string) => s.replace(/amount = "\d+"/, 'amount = 1250.0') }, 'balances[0].amount', /decimal string.*got the (number|bare integer) 1250/],
  ['amount as a bare TOML integer', { text: (s: string) => s.replace(/amount = "\d+"/, 'amount = 1250') }, 'balances[0].amount', /decimal string.*got the bare integer 1250 \(write it in quotes\)/],
  ['a limit as a TOML float', { text: (s: string) => s.replace(/holding_limit = "\d+"/, 'holding_limit = 1e6') }, 'currencies[0].tiers[0].holding_limit', /decimal string.*got the (number|bare integer)/],
  ['amount of 2^300', { text: (s: string) => s.replace(/amount = "\d+"/, `amount = "${2n ** 300n}"`) }, 'balances[0].amount', /a 91-digit number exceeds the largest amount, 2\^128 - 1/],
  ['amount of 2^128', { text: (s: string) => s.replace(/amount = "\d+"/, `amount = "${2n ** 128n}"`) }, 'balances[0].amount', /^340282366920938463463374607431768211456 exceeds the largest amount/],
];

t.test('each class of mistake names its field', async (tt) => {
  const base = smallExample();
  tt.same(await problemsOf(renderTemplate(base)), [], 'the example itself is valid');
  for (const [what, edit, path, msg] of cases) {
    let text: string;
    if (typeof edit === 'object') text = edit.text(renderTemplate(base));
    else {
      const tpl = structuredClone(base);
      edit(tpl);
      text = renderTemplate(tpl);
    }
    const ps = await problemsOf(text);
    const hit = ps.find((p) => p.path === path && msg.test(p.message));
    tt.ok(hit, `${what}: ${path} ${msg}` + (hit ? '' : ` -- got ${JSON.stringify(ps)}`));
  }
});

t.test('all problems are reported, not only the first', async (tt) => {
  const tpl = smallExample();
  tpl.council.threshold = 9;
  tpl.currencies[0]!.issuer = '';
  tpl.institutions[0]!.roles = ['emperor'];
  tpl.validators[1]!.power = 0;
  const paths = (await problemsOf(renderTemplate(tpl))).map((p) => p.path);
  for (const p of ['council.threshold', 'currencies[0].issuer', 'institutions[0].roles[0]', 'validators[1].power']) tt.ok(paths.includes(p), p);
});

t.test('genesis.json mistakes: duplicate keys, derived addresses, tampering', async (tt) => {
  const good = (await buildFromTemplate(renderTemplate(fullExample()))).json;
  tt.same(await problemsOf(good, true), []);
  const dup = good.replace('"power": 30,', '"power": 30,\n      "power": 31,');
  const at30 = (JSON.parse(good) as { validators: { power: number }[] }).validators.findIndex((v) => v.power === 30);
  tt.ok((await problemsOf(dup, true)).some((p) => p.path === `validators[${at30}].power` && /duplicate key/.test(p.message)), 'duplicate JSON key');
  const j = JSON.parse(good);
  j.institutions[1].address = j.institutions[0].address;
  tt.ok((await problemsOf(JSON.stringify(j), true)).some((p) => p.path === 'institutions[1].address'), 'derived address checked');
  const k = JSON.parse(good);
  k.validators[2].power += 1; // not signed: still valid
  k.validators[1].node_key = k.validators[0].node_key;
  k.council.threshold = 0;
  k.currencies[1].kind = 'gold';
  const ps = await problemsOf(JSON.stringify(k), true);
  for (const p of ['validators[1].node_key', 'council.threshold', 'currencies[1].kind']) tt.ok(ps.some((x) => x.path === p), p);
});

t.test('random damage only ever gives typed errors', async (tt) => {
  const rng = new Rng(7);
  const text = renderTemplate(fullExample());
  const json = (await buildFromTemplate(text)).json;
  let typed = 0;
  for (let i = 0; i < 150; i++) {
    const src = i % 2 === 0 ? text : json;
    const lines = src.split('\n');
    const n = rng.int(lines.length);
    const op = rng.int(4);
    if (op === 0) lines.splice(n, 1);
    else if (op === 1) lines[n] = lines[n]!.replace(/[0-9a-f]/, 'Z');
    else if (op === 2) lines[n] = lines[n]!.replace(/"[^"]*"/, '""');
    else lines.splice(n, 0, lines[rng.int(lines.length)]!);
    try {
      await (src === text ? buildFromTemplate(lines.join('\n')) : parseGenesisJson(lines.join('\n')));
    } catch (e) {
      if (!(e instanceof GenesisError)) tt.fail(`untyped error: ${(e as Error).stack}`);
      typed++;
    }
  }
  tt.ok(typed > 50, `${typed} damaged files refused with GenesisError`);
});
