/**
 * `sov compliance`: the Regulatory OS (vm comp) from the shell, for a regulator and a bank's
 * compliance officer, through the SDK (rpc/client/comp.ts). The shipped typologies and their
 * filled-in sources (`templates`, `template`); a regulator's transactions: register a rule
 * from a file, a CEL text or a typology (`register`), change its status (`status`), update a
 * list (`list-update`, in batches), set an account's jurisdiction (`jurisdiction`); an
 * officer's decision on a held payment (`release`, `refuse`); the reads (`rules`, public;
 * `alerts` and `holds`, with an API key of the regulator role). Each prints a human summary,
 * or JSON with --json. A transaction that fails exits 1 with its code and message; bad input
 * exits 2. docs/regulatory-os.md has a walk-through.
 */
import type { Command } from 'commander';
import { escapeText } from '../../../core/index.js';
import { comp } from '../../../vm/index.js';
import {
  compAlerts, compAllAlerts, compAllHolds, CompError, compHoldDecisionArgs, compHolds, compRegisterRuleArgs, compRuleResult, compRules, compSetJurisdictionArgs, compSetRuleStatusArgs,
  compTemplateSource, compUpdateListArgs, parseRuleId, RpcCallError, RpcCodes, RULE_ACTIONS, RULE_STATUSES, sendCompTx, Wallet, type BacktestResult,
  type CompAlertQuery, type CompAlertView, type CompHoldQuery, type CompHoldView, type CompRuleView, type CompTxOutcome, type RuleActionName, type SovClient,
} from '../../../rpc/index.js';
import { CliError } from './keys.js';
import { clientFor, uintArg } from './tx.js';
import { addressArg, keyOf, print, readText, timeArg, withKey, withRpc, type KeyOpts, type RpcOpts } from './xchg-shared.js';

interface OutOpts {
  json?: boolean;
  apiKeyEnv?: string;
}
type ReadOpts = RpcOpts & OutOpts;
type TxOpts = KeyOpts & OutOpts;

const collect = (v: string, acc: string[] = []): string[] => [...acc, v];
const line = (s: string): void => console.log(s);
/** Text from the ledger or the caller, safe for a terminal. */
const e = (s: string): string => escapeText(s);

/** --json, and --api-key-env beside --api-key. */
function withOut(c: Command): Command {
  return c.option('--api-key-env <var>', 'read the RPC API key from this environment variable (instead of --api-key)').option('--json', 'print JSON instead of a summary');
}
const readCmd = (c: Command): Command => withOut(withRpc(c));
const txCmd = (c: Command): Command => withOut(withKey(c));

/** The RPC client, with the API key of --api-key or --api-key-env. */
function client(o: ReadOpts): SovClient {
  if (o.apiKey !== undefined && o.apiKeyEnv !== undefined) throw new CliError('give --api-key or --api-key-env, not both');
  if (o.apiKeyEnv === undefined) return clientFor(o);
  const key = process.env[o.apiKeyEnv];
  if (key === undefined || key === '') throw new CliError(`the environment variable ${o.apiKeyEnv} (--api-key-env) is not set`);
  return clientFor({ rpc: o.rpc, apiKey: key });
}

/** A read that needs a supervisor's API key (the regulator role): a refusal says how to give the key. */
async function regulatorRead<T>(o: ReadOpts, method: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof RpcCallError && err.rpcCode === RpcCodes.UNAUTHORIZED) {
      const why = err.message.startsWith(`${method}: `) ? err.message.slice(method.length + 2) : err.message;
      throw new CliError(`${method} refused: ${why} (an RPC API key with the regulator role reads it: --api-key KEY or --api-key-env VAR)`);
    }
    throw err;
  }
}

// ---- arguments -------------------------------------------------------------------------

/** An argument checked by an SDK builder: its COMP_BAD_INPUT is bad input here (exit 2). */
function sdk<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof CompError) throw new CliError(err.message);
    throw err;
  }
}

const UNIT_MS: Record<string, bigint> = { ms: 1n, s: 1000n, m: 60_000n, h: 3_600_000n, d: 86_400_000n };

/** `--param k=v`: an integer, or a duration with a unit (ms, s, m, h, d) in ms. */
function paramsArg(list: readonly string[] = []): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const p of list) {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(-?[0-9]{1,19})(ms|s|m|h|d)?$/.exec(p.trim());
    if (m === null) throw new CliError(`--param is NAME=INTEGER (a duration may end in ms, s, m, h or d), not "${p.slice(0, 80)}"`);
    if (Object.hasOwn(out, m[1]!)) throw new CliError(`--param ${m[1]} is given twice`);
    out[m[1]!] = BigInt(m[2]!) * UNIT_MS[m[3] ?? 'ms']!;
  }
  return out;
}

function actionArg(v: string): RuleActionName {
  if (!(RULE_ACTIONS as readonly string[]).includes(v)) throw new CliError(`--action is ${RULE_ACTIONS.join(', ')}, not "${v.slice(0, 40)}"`);
  return v as RuleActionName;
}

function nonEmpty(v: string, what: string): string {
  if (v.trim() === '') throw new CliError(`${what} is empty`);
  return v;
}

function holdIdArg(v: string): number {
  const id = uintArg(v, 'the hold id');
  if (id < 1) throw new CliError('a hold id is a positive integer');
  return id;
}

/** A list file: one entry a line; blank lines and lines starting with # are skipped. */
function listFile(path: string): string[] {
  return readText(path, 'list file').split(/\r?\n/).map((x) => x.trim()).filter((x) => x !== '' && !x.startsWith('#'));
}

// ---- transactions ----------------------------------------------------------------------

interface Sent {
  hash: string;
  height: number | null;
  result: string | null;
}

/**
 * Submit `comp.method(args)` and wait. A failure prints its code and message (stderr; with
 * --json also stdout) and sets exit status 1; returns null then.
 */
async function submit(wallet: Wallet, o: OutOpts, method: Parameters<typeof sendCompTx>[1], args: unknown, context: Record<string, unknown> = {}): Promise<Sent | null> {
  let out: CompTxOutcome;
  try {
    out = await sendCompTx(wallet, method, args);
  } catch (err) {
    if (!(err instanceof RpcCallError)) throw err;
    const data = err.meta.data as { code?: unknown } | undefined;
    return failed(o, method, { hash: null, status: 'refused', height: null, code: data?.code ?? err.code, message: err.message }, context);
  }
  if (out.status === 'committed') return { hash: out.hash, height: out.height, result: out.result };
  if (out.status === 'pending') return failed(o, method, { hash: out.hash, status: 'pending', height: null, code: null, message: 'not committed while the node waited (sov query tx shows what became of it)' }, context);
  return failed(o, method, { hash: out.hash, status: 'failed', height: out.height, code: out.codeName ?? out.code, message: out.message }, context);
}

function failed(o: OutOpts, method: string, f: { hash: string | null; status: string; height: number | null; code: unknown; message: string | null }, context: Record<string, unknown>): null {
  const code = f.code === null || f.code === undefined ? '' : `${String(f.code)}: `;
  if (o.json) print({ ok: false, method: `comp.${method}`, ...f, ...context });
  process.stderr.write(`sov: comp.${method} ${f.status}${f.height !== null ? ` at height ${f.height}` : ''}: ${e(code + (f.message ?? ''))}${f.hash ? ` (tx ${f.hash})` : ''}\n`);
  process.exitCode = 1;
  return null;
}

/** The signer's wallet and the chain's status, the key loaded first (its scrypt takes a moment). */
async function walletOf(o: TxOpts): Promise<{ wallet: Wallet; prefix: string; head: number }> {
  const key = await keyOf(o);
  const c = client(o);
  const status = await c.status();
  const signer = o.signer !== undefined ? addressArg(o.signer, status.addressPrefix, '--signer') : undefined;
  return { wallet: new Wallet(c, [key], { chainId: status.chainId, ...(signer ? { signer } : {}) }), prefix: status.addressPrefix, head: status.height };
}

const txLine = (s: Sent): string => `tx ${s.hash} at height ${s.height ?? '?'}`;

// ---- human output ----------------------------------------------------------------------

const iso = (ms: number): string => (Number.isFinite(ms) && ms >= 0 && ms < 8.64e15 ? new Date(ms).toISOString() : String(ms));
const all = (xs: readonly string[]): string => (xs.length === 0 ? 'all' : xs.map(e).join(', '));

function ruleText(r: CompRuleView): string[] {
  return [
    `${r.id}  ${r.action}  ${r.status}  severity ${r.severity}  cost ${r.cost}  in force from height ${r.activation}`,
    `  scope: currencies ${all(r.scope.currencies)}; types ${all(r.scope.types)}; banks ${all(r.scope.institutions)}`,
    `  legal reference: ${e(r.legalRef)}; registered by ${r.registeredBy} at height ${r.height}${r.statusHeight !== r.height ? `, status set at height ${r.statusHeight}` : ''}`,
    `  source: ${e(r.source)}`,
  ];
}

const alertText = (a: CompAlertView): string =>
  `${iso(a.time)}  height ${a.height}  ${a.rule} (severity ${a.severity})  ${a.from} -> ${a.to}  ${a.amount} ${e(a.currency)}  tx ${a.tx.hash}`;

const holdText = (h: CompHoldView): string =>
  `hold ${h.id}  ${h.status}  ${h.amount} ${e(h.currency)}  ${h.from} -> ${h.to}  (${e(h.type)}, rule ${h.rule}, held at height ${h.height})`
  + (h.status === 'held' ? '' : `  ${h.status} by ${h.decidedBy ?? '?'} at height ${h.decidedHeight}: ${e(h.reason)}`);

function pageEnd(next: string | null, what: string): void {
  if (next !== null) line(`(more ${what}: --cursor ${next}, or --all)`);
}

// ---- the command -----------------------------------------------------------------------

export function registerCompliance(program: Command): void {
  const c = program.command('compliance').description("the Regulatory OS: typologies, a regulator's rules, lists and jurisdictions, held payments, alerts (docs/regulatory-os.md)");

  withOut(c.command('templates').description('the typologies shipped as rule templates: their parameters, defaults and the source they produce')).action((o: OutOpts) => {
    const list = comp.TYPOLOGIES.map((t) => ({
      name: t.name, doc: t.doc, action: RULE_ACTIONS[t.action], lists: [...t.lists],
      params: Object.fromEntries(Object.entries(t.params).map(([k, p]) => [k, { default: p.default.toString(), doc: p.doc }])),
      source: comp.typologySource(t.name),
    }));
    if (o.json) return print({ templates: list });
    for (const t of list) {
      line(`${t.name}  (usually ${t.action}${t.lists.length ? `; reads the list${t.lists.length > 1 ? 's' : ''} ${t.lists.join(', ')}` : ''}): ${t.doc}`);
      const flags = Object.entries(t.params).map(([k, p]) => [`--param ${k}=${p.default}`, p.doc] as const);
      const width = Math.max(0, ...flags.map(([f]) => f.length));
      for (const [f, doc] of flags) line(`  ${f.padEnd(width)}  ${doc}`);
      line(`  source: ${t.source}`);
    }
  });

  withOut(c.command('template').description('the rule source of a typology with its parameters filled in'))
    .argument('<name>', `the typology: ${comp.TYPOLOGIES.map((t) => t.name).join(', ')}`)
    .option('--param <name=value>', 'a parameter over its default: an integer (amounts in minor units), or a duration ending in ms, s, m, h or d (repeatable)', collect)
    .action((name: string, o: OutOpts & { param?: string[] }) => {
      const params = paramsArg(o.param);
      const source = sdk(() => compTemplateSource(name, params));
      const t = comp.typology(name);
      if (!o.json) return line(source);
      const values = Object.fromEntries(Object.entries(t.params).map(([k, p]) => [k, (params[k] ?? p.default).toString()]));
      print({ name, action: RULE_ACTIONS[t.action], lists: [...t.lists], params: values, source });
    });

  txCmd(c.command('register').description("a regulator registers a rule NAME@VERSION from a source file, a CEL text or a typology; prints the rule id and its worst-case cost"))
    .argument('<rule>', 'the rule id, name@version (e.g. structuring@1)')
    .option('--source <file>', 'the CEL source from a file')
    .option('--source-text <cel>', 'the CEL source itself')
    .option('--template <typology>', 'the source of a typology (`sov compliance templates`)')
    .option('--param <name=value>', 'with --template: a parameter over its default (repeatable)', collect)
    .option('--action <action>', "refuse, flag or hold (with --template: the typology's usual one by default)")
    .option('--severity <n>', 'its severity, 0..255', '1')
    .option('--activation <height>', 'the height it is in force from: a height, or +N blocks after the head', '+5')
    .option('--shadow', 'evaluate and record only (shadow mode), enforcing nothing')
    .option('--currency <code>', 'scope: a currency (repeatable; none: all)', collect)
    .option('--type <type>', 'scope: a payment type, transfer or payout (repeatable; none: both)', collect)
    .option('--institution <address>', "scope: a commercial bank whose customers' payments it checks (repeatable; none: all)", collect)
    .requiredOption('--legal-ref <text>', 'the legal reference (up to 128 bytes)')
    .action(async (ruleId: string, o: TxOpts & { source?: string; sourceText?: string; template?: string; param?: string[]; action?: string; severity: string; activation: string; shadow?: boolean; currency?: string[]; type?: string[]; institution?: string[]; legalRef: string }) => {
      const { name, version } = sdk(() => parseRuleId(ruleId));
      const given = [o.source, o.sourceText, o.template].filter((x) => x !== undefined);
      if (given.length !== 1) throw new CliError('give the source with one of --source FILE, --source-text CEL, --template TYPOLOGY');
      if (o.param !== undefined && o.template === undefined) throw new CliError('--param fills in a --template');
      const source = o.template !== undefined ? sdk(() => compTemplateSource(o.template!, paramsArg(o.param))) : o.source !== undefined ? readText(o.source, 'rule source') : o.sourceText!;
      if (o.action === undefined && o.template === undefined) throw new CliError('give --action refuse, flag or hold');
      const action = o.action !== undefined ? actionArg(o.action) : RULE_ACTIONS[comp.typology(o.template!).action]!;
      const severity = uintArg(o.severity, '--severity');
      if (severity > 255) throw new CliError('--severity is 0..255');
      const rel = /^\+([0-9]{1,9})$/.exec(o.activation);
      const absolute = rel === null ? uintArg(o.activation, '--activation') : undefined;
      const { wallet, prefix, head } = await walletOf(o);
      const activation = absolute ?? head + Number(rel![1]);
      if (activation <= head) throw new CliError(`--activation ${activation} is not after the head (${head}): a rule is in force from a height not yet reached`);
      const args = sdk(() => compRegisterRuleArgs({
        name, version, source, action, severity, activation, shadow: o.shadow ?? false, currencies: o.currency ?? [], types: (o.type ?? []) as ('transfer' | 'payout')[], institutions: o.institution ?? [], legalRef: nonEmpty(o.legalRef, '--legal-ref'),
      }, prefix));
      const sent = await submit(wallet, o, 'register_rule', args, { rule: ruleId });
      if (sent === null) return;
      const r = compRuleResult(sent.result!);
      const out = { ok: true, rule: r.rule, cost: r.cost, action, severity, activation, status: o.shadow ? 'shadow' : 'active', hash: sent.hash, height: sent.height };
      if (o.json) return print(out);
      line(`registered ${r.rule}: ${action}, ${out.status} from height ${activation}, worst-case cost ${r.cost} (${txLine(sent)})`);
    });

  txCmd(c.command('status').description("a regulator sets a rule's status: active, shadow, or retired (final: it leaves the rules in force)"))
    .argument('<rule>', 'the rule id, name@version')
    .argument('<status>', RULE_STATUSES.join(', '))
    .requiredOption('--legal-ref <text>', 'the legal reference')
    .action(async (ruleId: string, status: string, o: TxOpts & { legalRef: string }) => {
      if (!(RULE_STATUSES as readonly string[]).includes(status)) throw new CliError(`a status is ${RULE_STATUSES.join(', ')}, not "${status.slice(0, 40)}"`);
      const args = sdk(() => compSetRuleStatusArgs(ruleId, status as 'active', nonEmpty(o.legalRef, '--legal-ref')));
      const { wallet } = await walletOf(o);
      const sent = await submit(wallet, o, 'set_rule_status', args, { rule: ruleId });
      if (sent === null) return;
      if (o.json) return print({ ok: true, rule: ruleId, status, hash: sent.hash, height: sent.height });
      line(`${ruleId} is ${status} (${txLine(sent)})`);
    });

  txCmd(c.command('list-update').description(`a regulator adds entries to and removes entries from a list that rules read with inList (accounts written as 40 lowercase hex digits); in transactions of at most ${comp.MAX_LIST_UPDATE} entries added and ${comp.MAX_LIST_UPDATE} removed`))
    .argument('<list>', 'the list name, e.g. sanctions')
    .option('--add <value>', 'an entry to add: an address, a jurisdiction code, any text (repeatable)', collect)
    .option('--remove <value>', 'an entry to remove (repeatable)', collect)
    .option('--file <file>', 'entries to add, one a line (blank lines and # comments skipped)')
    .requiredOption('--legal-ref <text>', 'the legal reference')
    .action(async (list: string, o: TxOpts & { add?: string[]; remove?: string[]; file?: string; legalRef: string }) => {
      const add = [...(o.add ?? []), ...(o.file !== undefined ? listFile(o.file) : [])];
      const { wallet, prefix } = await walletOf(o);
      const batches = sdk(() => compUpdateListArgs(list, { add, remove: o.remove ?? [] }, nonEmpty(o.legalRef, '--legal-ref'), prefix));
      const done: { hash: string; height: number | null; added: number; removed: number }[] = [];
      for (const b of batches) {
        const committed = done.length ? { committed: done } : {};
        const sent = await submit(wallet, o, 'update_list', b, { list, ...committed });
        if (sent === null) {
          if (done.length) process.stderr.write(`sov: committed before it: ${done.map((d) => `${d.hash} (+${d.added} -${d.removed})`).join(', ')}\n`);
          return;
        }
        done.push({ hash: sent.hash, height: sent.height, added: b.add.length, removed: b.remove.length });
      }
      const added = batches.flatMap((b) => b.add);
      const removed = batches.flatMap((b) => b.remove);
      if (o.json) return print({ ok: true, list, added: added.length, removed: removed.length, add: added, remove: removed, transactions: done });
      line(`${e(list)}: ${added.length} added, ${removed.length} removed in ${done.length} transaction${done.length > 1 ? 's' : ''} (${done.map((d) => `${d.hash} at height ${d.height}`).join(', ')})`);
    });

  txCmd(c.command('jurisdiction').description("a regulator (or the account's bank) sets an account's jurisdiction, which rules read as `jurisdiction`"))
    .argument('<account>', 'the account')
    .argument('<code>', 'an ISO 3166 code (IS, IS-RE), or "" for unknown')
    .requiredOption('--legal-ref <text>', 'the legal reference')
    .action(async (account: string, code: string, o: TxOpts & { legalRef: string }) => {
      const { wallet, prefix } = await walletOf(o);
      const args = sdk(() => compSetJurisdictionArgs(account, code, nonEmpty(o.legalRef, '--legal-ref'), prefix));
      const sent = await submit(wallet, o, 'set_jurisdiction', args, { account });
      if (sent === null) return;
      if (o.json) return print({ ok: true, account, jurisdiction: args.jurisdiction, hash: sent.hash, height: sent.height });
      line(`${account}: jurisdiction ${args.jurisdiction === '' ? 'unknown' : args.jurisdiction} (${txLine(sent)})`);
    });

  for (const verb of ['release', 'refuse'] as const) {
    const what = verb === 'release' ? 'pays a held payment to its payee (whose limits apply then)' : "returns a held payment's funds to the payer";
    txCmd(c.command(verb).description(`a regulator, or the bank of the payer or payee, ${what}`))
      .argument('<hold>', 'the hold id (`sov compliance holds` lists them)')
      .requiredOption('--reason <text>', 'the reason (up to 256 bytes)')
      .action(async (hold: string, o: TxOpts & { reason: string }) => {
        const args = sdk(() => compHoldDecisionArgs(holdIdArg(hold), nonEmpty(o.reason, '--reason')));
        const { wallet } = await walletOf(o);
        const sent = await submit(wallet, o, verb === 'release' ? 'release_hold' : 'refuse_hold', args, { hold: args.id });
        if (sent === null) return;
        const status = verb === 'release' ? 'released' : 'refused';
        if (o.json) return print({ ok: true, hold: args.id, status, hash: sent.hash, height: sent.height });
        line(`hold ${args.id} ${status} (${txLine(sent)})`);
      });
  }

  // ---- reads ----

  readCmd(c.command('rules').description('the rules in force (active or shadow), in the order every payment runs them (public)')).action(async (o: ReadOpts) => {
    const r = await compRules(client(o));
    if (o.json) return print(r);
    if (r.rules.length === 0) return line(`no rules in force at height ${r.height}`);
    line(`${r.rules.length} rule${r.rules.length > 1 ? 's' : ''} in force at height ${r.height}, in the order they run:`);
    for (const x of r.rules) ruleText(x).forEach(line);
  });

  readCmd(c.command('alerts').description("alerts (an active flag rule held for a payment) by account (payer or payee), by rule or by bank, in a block-time range; needs an RPC API key with the regulator role (docs/rpc.md: comp_alerts)"))
    .option('--account <address>', "an account's alerts, as payer or payee")
    .option('--rule <id>', "a rule's alerts, name@version")
    .option('--institution <address>', "the alerts on a bank's customers' payments")
    .option('--from <time>', 'block time from (ms or ISO date, inclusive)')
    .option('--to <time>', 'block time to (ms or ISO date, inclusive)')
    .option('--limit <n>', 'alerts per page, 1..1000', '100')
    .option('--desc', 'newest first')
    .option('--all', 'every page, not one')
    .option('--cursor <cursor>', 'continue after a page (its next)')
    .action(async (o: ReadOpts & { account?: string; rule?: string; institution?: string; from?: string; to?: string; limit: string; desc?: boolean; all?: boolean; cursor?: string }) => {
      const by = (['account', 'rule', 'institution'] as const).filter((k) => o[k] !== undefined);
      if (by.length !== 1) throw new CliError('give one of --account ADDRESS, --rule NAME@VERSION, --institution ADDRESS');
      if (o.rule !== undefined) sdk(() => parseRuleId(o.rule!));
      const q: CompAlertQuery = {
        by: by[0]!, [by[0]!]: o[by[0]!]!, limit: limitArg(o.limit),
        ...(o.from !== undefined ? { from: timeArg(o.from, '--from') } : {}), ...(o.to !== undefined ? { to: timeArg(o.to, '--to') } : {}),
        ...(o.desc ? { order: 'desc' as const } : {}), ...(o.cursor !== undefined ? { cursor: o.cursor } : {}),
      };
      const cl = client(o);
      const r = await regulatorRead(o, 'comp_alerts', async () => (o.all ? { ...(await compAllAlerts(cl, q)), next: null } : compAlerts(cl, q)));
      if (o.json) return print({ items: r.items, next: r.next, height: r.height });
      line(`${r.items.length} alert${r.items.length === 1 ? '' : 's'} (${by[0]} ${o[by[0]!]}) at height ${r.height}:`);
      r.items.forEach((a) => line(alertText(a)));
      pageEnd(r.next, 'alerts');
    });

  readCmd(c.command('holds').description('held payments: of one bank\'s customers (in block-time order) or all (by id), optionally of one status; needs an RPC API key with the regulator role (docs/rpc.md: comp_holds)'))
    .option('--institution <address>', "the holds of a bank's customers' payments (payer or payee)")
    .option('--status <status>', 'only held, released or refused ones')
    .option('--limit <n>', 'holds per page, 1..1000', '100')
    .option('--all', 'every page, not one')
    .option('--cursor <cursor>', 'continue after a page (its next)')
    .action(async (o: ReadOpts & { institution?: string; status?: string; limit: string; all?: boolean; cursor?: string }) => {
      if (o.status !== undefined && !['held', 'released', 'refused'].includes(o.status)) throw new CliError('--status is held, released or refused');
      const q: CompHoldQuery = {
        limit: limitArg(o.limit), ...(o.institution !== undefined ? { institution: o.institution } : {}),
        ...(o.status !== undefined ? { status: o.status as 'held' } : {}), ...(o.cursor !== undefined ? { cursor: o.cursor } : {}),
      };
      const cl = client(o);
      const r = await regulatorRead(o, 'comp_holds', async () => (o.all ? { ...(await compAllHolds(cl, q)), next: null } : compHolds(cl, q)));
      if (o.json) return print({ items: r.items, next: r.next, height: r.height });
      line(`${r.items.length} hold${r.items.length === 1 ? '' : 's'}${o.status ? ` ${o.status}` : ''}${o.institution ? ` of ${o.institution}'s customers` : ''} at height ${r.height}:`);
      r.items.forEach((h) => line(holdText(h)));
      pageEnd(r.next, 'holds');
    });

  readCmd(c.command('backtest').description('what a candidate rule would have decided over committed blocks FROM..TO: the node replays them with it as a shadow rule (comp_backtest; regulator role); prints the decisions by kind and each finding'))
    .option('--source <file>', 'the CEL source from a file')
    .option('--source-text <cel>', 'the CEL source itself')
    .option('--template <typology>', 'the source of a typology')
    .option('--param <name=value>', 'with --template: a parameter over its default (repeatable)', collect)
    .option('--action <action>', "refuse, flag, hold or travel_rule (with --template: the typology's usual one by default)")
    .requiredOption('--from <height>', 'the first block (at least 2)')
    .requiredOption('--to <height>', 'the last block (at most 10,000 blocks a run)')
    .option('--name <name@version>', 'the candidate\'s id (not a registered rule)', 'candidate@1')
    .option('--currency <code>', 'scope: a currency (repeatable)', collect)
    .option('--type <type>', 'scope: transfer or payout (repeatable)', collect)
    .option('--institution <address>', 'scope: a bank (repeatable)', collect)
    .option('--max-findings <n>', 'findings listed (the counts cover all)', '10000')
    .action(async (o: ReadOpts & { source?: string; sourceText?: string; template?: string; param?: string[]; action?: string; from: string; to: string; name: string; currency?: string[]; type?: string[]; institution?: string[]; maxFindings: string }) => {
      const given = [o.source, o.sourceText, o.template].filter((x) => x !== undefined);
      if (given.length !== 1) throw new CliError('give the source with one of --source FILE, --source-text CEL, --template TYPOLOGY');
      const source = o.template !== undefined ? sdk(() => compTemplateSource(o.template!, paramsArg(o.param))) : o.source !== undefined ? readText(o.source, 'rule source') : o.sourceText!;
      if (o.action === undefined && o.template === undefined) throw new CliError('give --action refuse, flag, hold or travel_rule');
      const action = o.action !== undefined ? actionArg(o.action) : RULE_ACTIONS[comp.typology(o.template!).action]!;
      const { name, version } = sdk(() => parseRuleId(o.name));
      const from = uintArg(o.from, '--from');
      const to = uintArg(o.to, '--to');
      if (from < 2 || to < from) throw new CliError('--from and --to are heights with 2 <= from <= to');
      const scope = { currencies: o.currency ?? [], types: o.type ?? [], institutions: o.institution ?? [] };
      const r = await regulatorRead(o, 'comp_backtest', () => client(o).call<BacktestResult>('comp_backtest', { source, action, from, to, name, version, scope, maxFindings: uintArg(o.maxFindings, '--max-findings') }));
      if (o.json) return print(r);
      const d = r.decisions;
      line(`${r.rule} (worst-case cost ${r.cost}) over blocks ${r.from}..${r.to}: ${r.transactions} transactions, ${r.payments} payments checked`);
      line(`  would have: refused ${d.refuse}, flagged ${d.flag}, held ${d.hold}${d.travel ? `, let through with travel data ${d.travel}` : ''}; passed ${d.pass}; errored ${d.error}`);
      for (const f of r.findings) line(`  ${f.decision.padEnd(6)} height ${f.height} tx ${f.tx}: ${f.from} -> ${f.to} ${f.amount} ${f.currency}`);
      if (r.truncated) line(`  (more findings than --max-findings ${o.maxFindings}: the counts above cover them all)`);
      if (r.diverged.length > 0) line(`  ${r.diverged.length} transaction(s) replayed differently from their committed receipts (work limits): ${r.diverged.slice(0, 5).map((x) => x.tx).join(', ')}`);
    });

  readCmd(c.command('report').description("an institution's periodic compliance report (comp_report): per day, week or month, its customers' payments checked (count and value by currency and side), alerts by rule and severity, holds opened and their outcomes; the regulator, or the institution's own bank key"))
    .argument('<institution>', 'the institution (a commercial bank, or an institution itself)')
    .requiredOption('--from <time>', 'block time from (ms or ISO date, inclusive)')
    .requiredOption('--to <time>', 'block time to (ms or ISO date, inclusive)')
    .option('--period <period>', 'day, week (from Monday) or month (UTC)', 'day')
    .action(async (institution: string, o: ReadOpts & { from: string; to: string; period: string }) => {
      if (!['day', 'week', 'month'].includes(o.period)) throw new CliError('--period is day, week or month');
      const r = await regulatorRead(o, 'comp_report', () => client(o).call<CompReportView>('comp_report', { institution, from: timeArg(o.from, '--from'), to: timeArg(o.to, '--to'), period: o.period }));
      if (o.json) return print(r);
      line(`compliance report of ${institution}, by ${o.period}, at height ${r.height}:`);
      for (const p of r.periods) {
        const cur = p.payments.currencies.map((x) => `${x.currency} paying ${x.paying.count}/${x.paying.value} paid ${x.paid.count}/${x.paid.value} both ${x.both.count}/${x.both.value}`).join('; ');
        line(`  ${new Date(p.start).toISOString().slice(0, 10)}: ${p.payments.count} payments${cur ? ` (${cur})` : ''}; ${p.alerts.count} alerts${p.alerts.byRule.length ? ` (${p.alerts.byRule.map((x) => `${x.rule} ${x.count}`).join(', ')})` : ''}; holds ${p.holds.opened} opened, ${p.holds.released} released, ${p.holds.refused} refused, ${p.holds.held} still held`);
      }
    });
}

/** comp_report's answer, as far as the summary reads it (docs/rpc.md has it all). */
interface CompReportView {
  height: number;
  periods: {
    start: number;
    payments: { count: number; currencies: { currency: string; paying: { count: number; value: string }; paid: { count: number; value: string }; both: { count: number; value: string } }[] };
    alerts: { count: number; byRule: { rule: string; count: number }[] };
    holds: { opened: number; released: number; refused: number; held: number };
  }[];
}

function limitArg(v: string): number {
  const n = uintArg(v, '--limit');
  if (n < 1 || n > 1000) throw new CliError('--limit is 1..1000');
  return n;
}
