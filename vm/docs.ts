/**
 * docs/vm.md's reference sections, rendered from a module registry: parameters, each
 * module (what it is for, its methods with their args, roles and failure codes, its
 * governance actions, events and records), every error code, every state key, and the
 * genesis document's fields and steps. docs/vm.md keeps its prose by hand and these sections
 * between markers (`<!-- generated: NAME -->` ... `<!-- end: NAME -->`); `renderVmDoc`
 * replaces each with its rendering, and a test fails when the file is stale.
 */
import { publicKeyField, type Schema } from '../core/index.js';
import { keyPattern } from './keys.js';
import { ENGINE_NAME } from './engine.js';
import type { Registry } from './registry.js';
import { ROLE_NAMES } from './modules/gov/records.js';
import { currencyCode } from './modules/money/records.js';

/** A schema as docs write it: `addr`, `amount`, `u8`, `str(64)`, `?addr`, `[pk]`, a struct's fields in order. */
export function shapeText(s: Schema<unknown>, top = true): string {
  const sh = s.shape;
  switch (sh.kind) {
    case 'int':
    case 'bigint':
      return s.name;
    case 'bool':
      return 'bool';
    case 'string':
      return s === currencyCode ? 'code' : `str(${sh.maxBytes})`;
    case 'bytes':
      if (s === publicKeyField) return 'pk';
      if (sh.length === 20) return 'addr';
      return sh.length !== undefined ? `bytes${sh.length}` : `bytes(<=${sh.max})`;
    case 'optional':
      return `?${shapeText(sh.inner, false)}`;
    case 'list':
      return `[${shapeText(sh.inner, false)}]`;
    case 'struct': {
      const inner = sh.fields.map(([k, f]) => `${k} ${shapeText(f, false)}`).join(', ');
      return top ? inner : `[${inner}]`;
    }
  }
}

const roleText = (mask: number | undefined): string =>
  mask === undefined ? '-' : ROLE_NAMES.filter(([, bit]) => (mask & bit) !== 0).map(([n]) => n.toUpperCase()).join(' or ');

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const num = (n: number): string => n.toLocaleString('en-US');

function paramsSection(reg: Registry): string {
  const rows = reg.paramNames.map((n) => {
    const p = reg.params[n]!;
    return `| ${n} | ${p.module} | ${num(p.value)} | ${num(p.min)}..${num(p.max)} | ${p.governable ? 'yes' : 'no'} | ${cell(p.doc)} |`;
  });
  return ['| name | module | default | bounds | governable | meaning |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

function moduleSection(reg: Registry): string {
  const out: string[] = [];
  for (const m of reg.modules) {
    out.push(`### ${m.name}`, '', m.doc, '');
    const methods = Object.entries(m.methods);
    if (methods.length > 0) {
      out.push('| method | args | what, and who may | role required | fails with |', '| --- | --- | --- | --- | --- |');
      for (const [name, d] of methods) {
        out.push(`| ${name} | ${cell(shapeText(d.args))} | ${cell(d.doc)} | ${roleText(d.roles)} | ${(d.fails ?? []).join(', ')} |`);
      }
      out.push('');
    }
    const actions = Object.entries(m.actions ?? {});
    if (actions.length > 0) {
      out.push('Governance actions (a proposal carries `[kind, data]`):', '', '| kind | name | data | what | execution fails with |', '| --- | --- | --- | --- | --- |');
      for (const [name, a] of actions) out.push(`| ${a.kind} | ${name} | ${cell(shapeText(a.args))} | ${cell(a.doc)} | ${(a.fails ?? []).join(', ')} |`);
      out.push('');
    }
    const events = Object.entries(m.events);
    if (events.length > 0) {
      out.push('| event | fields | meaning |', '| --- | --- | --- |');
      for (const [name, e] of events) out.push(`| ${name} | ${cell(shapeText(e.schema))} | ${cell(e.doc)} |`);
      out.push('');
    }
    const params = Object.keys(m.params);
    if (params.length > 0) out.push(`Parameters: ${params.join(', ')}.`, '');
    const hooks = Object.keys(m.hooks ?? {});
    if (hooks.length > 0) out.push(`Hooks: ${hooks.join(', ')}.`, '');
  }
  return out.join('\n').trimEnd();
}

function codesSection(reg: Registry): string {
  const rows = [...reg.codes.values()].filter((c) => c.num !== 0);
  const table = (title: string, pick: (n: number) => boolean): string[] => [
    title, '', '| num | code | module | meaning |', '| --- | --- | --- | --- |',
    ...rows.filter((c) => pick(c.num)).map((c) => `| ${c.num} | ${c.name} | ${c.module === ENGINE_NAME ? 'engine' : c.module} | ${cell(c.doc)} |`), '',
  ];
  return [
    ...table('Rejections (the transaction is not included; `BlockResult.rejected`, admission):', (n) => n < 100),
    ...table('Failure receipts (included, writes reverted, nonce consumed):', (n) => n >= 100 && n < 900),
    ...table('Genesis (thrown by `applyGenesis`, never in a receipt):', (n) => n >= 900),
  ].join('\n').trimEnd();
}

function keysSection(reg: Registry): string {
  const rows = [...reg.records].sort((a, b) => a.spec.prefix - b.spec.prefix).map((r) =>
    `| 0x${r.spec.prefix.toString(16).padStart(2, '0')} | ${r.name} | ${r.module === ENGINE_NAME ? 'engine' : r.module} | ${keyPattern(r.spec)} | ${cell(r.spec.doc)} |`);
  return ['| prefix | kind | module | key | value |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

function genesisSection(reg: Registry): string {
  const engine = [
    '| 0 | chainId | engine | str (core chain id) | |',
    '| 1 | addressPrefix | engine | str(16) | bech32m prefix, `^[a-z][a-z0-9]{0,15}$` |',
    '| 2 | genesisTime | engine | uint | Unix ms |',
    '| 3 | params | engine | [[name, value uint]] | overrides of the parameter defaults (any parameter, bounds checked) |',
  ];
  const fields = reg.genesisFields.map((f) => `| ${f.position} | ${f.name} | ${f.module} | ${cell(shapeText(f.schema))} | ${cell(f.doc)} |`);
  const steps = reg.genesisSteps.map((s) => `${s.order} ${s.module}: ${s.name}`).join('; ');
  return ['| position | field | module | shape | notes |', '| --- | --- | --- | --- | --- |', ...engine, ...fields, '', `Steps, in order: ${steps}.`].join('\n');
}

/** Every generated section of docs/vm.md under `reg`, by marker name. */
export function vmDocSections(reg: Registry): Readonly<Record<string, string>> {
  return { params: paramsSection(reg), modules: moduleSection(reg), codes: codesSection(reg), keys: keysSection(reg), genesis: genesisSection(reg) };
}

/** `doc` with each marked section replaced by its rendering under `reg`. Throws for a marker left unclosed or a section with no marker. */
export function renderVmDoc(doc: string, reg: Registry): string {
  let out = doc;
  for (const [name, body] of Object.entries(vmDocSections(reg))) {
    const open = `<!-- generated: ${name} -->`;
    const close = `<!-- end: ${name} -->`;
    const i = out.indexOf(open);
    const j = out.indexOf(close);
    if (i < 0 || j < i) throw new Error(`docs/vm.md has no section "${name}" (${open} ... ${close})`);
    out = `${out.slice(0, i + open.length)}\n${body}\n${out.slice(j)}`;
  }
  return out;
}
