/**
 * `sov tax`: taxes at the moment of payment (vm tax) from the shell, through the SDK
 * (rpc/client/tax.ts). A tax authority's transactions: register a rule (`register-rule`),
 * retire it from a height (`retire-rule`); a taxpayer's claim of an exemption with a
 * credential it holds (`claim-exemption`); the reads, each with its proofs, verified offline
 * when given a trusted genesis (--genesis, --home) or validator sets (--validators): the
 * rules (`rules`) and a taxpayer's monthly totals (`totals`). Each prints a human summary, or
 * JSON with --json. A transaction that fails exits 1 with its code and message; bad input or
 * an answer that does not verify exits 2 or 1.
 */
import type { Command } from 'commander';
import { escapeText } from '../../../core/index.js';
import { tax } from '../../../vm/index.js';
import {
  sendTaxTx, TAX_BASES, TAX_PAYERS, taxClaimExemptionArgs, TaxError, taxRegisterRuleArgs, taxRetireRuleArgs, taxRuleIdResult, taxRules, taxTotals, verifyTaxRules, verifyTaxTotals, Wallet,
  RpcCallError, type CredentialPackage, type TaxBaseName, type TaxPayerName, type TaxPaymentType, type TaxRulesView, type TaxTotalsView, type TaxTxOutcome, type TaxVerifyContext,
} from '../../../rpc/index.js';
import { CliError } from './keys.js';
import { clientFor, uintArg } from './tx.js';
import { addressArg, keyOf, print, readJson, trustedSets, verdictFailed, withKey, withRpc, withTrust, type KeyOpts, type RpcOpts, type TrustOpts } from './xchg-shared.js';

interface OutOpts {
  json?: boolean;
}
const collect = (v: string, acc: string[] = []): string[] => [...acc, v];
const line = (s: string): void => console.log(s);
const e = (s: string): string => escapeText(s);

function sdk<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof TaxError) throw new CliError(err.message);
    throw err;
  }
}

/** A height: absolute, or `+N` blocks after the head. */
function heightArg(v: string, head: number, what: string): number {
  const rel = /^\+([0-9]{1,9})$/.exec(v);
  const h = rel === null ? uintArg(v, what) : head + Number(rel[1]);
  if (h <= head) throw new CliError(`${what} ${h} is not after the head (${head})`);
  return h;
}

async function walletOf(o: KeyOpts): Promise<{ wallet: Wallet; prefix: string; head: number; chainId: string; key: Awaited<ReturnType<typeof keyOf>> }> {
  const key = await keyOf(o);
  const c = clientFor(o);
  const status = await c.status();
  const signer = o.signer !== undefined ? addressArg(o.signer, status.addressPrefix, '--signer') : undefined;
  return { wallet: new Wallet(c, [key], { chainId: status.chainId, ...(signer ? { signer } : {}) }), prefix: status.addressPrefix, head: status.height, chainId: status.chainId, key };
}

/** Submit and wait; a failure prints its code and message and sets exit status 1 (returns null). */
async function submit(wallet: Wallet, o: OutOpts, method: 'register_rule' | 'retire_rule' | 'claim_exemption', args: unknown): Promise<TaxTxOutcome | null> {
  let out: TaxTxOutcome;
  try {
    out = await sendTaxTx(wallet, method, args);
  } catch (err) {
    if (!(err instanceof RpcCallError)) throw err;
    out = { hash: '', status: 'failed', height: null, code: null, codeName: String((err.meta.data as { code?: unknown } | undefined)?.code ?? err.code), message: err.message, result: null };
  }
  if (out.status === 'committed') return out;
  if (o.json) print({ ok: false, method: `tax.${method}`, ...out });
  process.stderr.write(`sov: tax.${method} ${out.status}${out.height !== null ? ` at height ${out.height}` : ''}: ${e(`${out.codeName ?? out.code ?? ''}: ${out.message ?? ''}`)}${out.hash ? ` (tx ${out.hash})` : ''}\n`);
  process.exitCode = 1;
  return null;
}

/** Verify with the trusted sets when any is given: the first that checks; null when none was asked for. */
async function verified<T>(o: TrustOpts, f: (ctx: TaxVerifyContext) => T, chain: { chainId: string; addressPrefix: string }): Promise<T | null> {
  if (o.genesis === undefined && o.home === undefined && (o.validators ?? []).length === 0) return null;
  const trust = await trustedSets(o);
  if (trust.chainId !== undefined && trust.chainId !== chain.chainId) throw new CliError(`the trusted genesis is of chain ${trust.chainId}, the node of ${chain.chainId}`);
  let last: unknown;
  for (const validators of trust.sets) {
    try {
      return f({ chainId: chain.chainId, addressPrefix: chain.addressPrefix, validators });
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

const pct = (bps: number): string => `${(bps / 100).toFixed(2).replace(/\.?0+$/, '')}%`;

export function registerTax(program: Command): void {
  const c = program.command('tax').description("taxes at the moment of payment: a tax authority's rules, exemptions by credential, rules and monthly totals with proofs");

  withKey(c.command('register-rule').description('a tax authority registers a tax rule; prints its id'))
    .argument('<name>', 'the rule name, e.g. VAT')
    .requiredOption('--currency <code>', 'the currency it taxes')
    .requiredOption('--rate-bps <n>', 'the rate in basis points, 1..10000 (1500 is 15%)')
    .option('--base <base>', `${TAX_BASES.join(' or ')}`, 'payment')
    .option('--payer <who>', `who pays: ${TAX_PAYERS.join(' (on top) or ')} (withheld)`, 'payer')
    .option('--type <type>', 'a payment type it applies to, transfer or payout (repeatable; none: both)', collect)
    .option('--payee-category <category>', "the payee account's category, e.g. merchant (default: any)")
    .option('--payer-category <category>', "the payer account's category (default: any)")
    .requiredOption('--treasury <address>', 'the institution account credited')
    .option('--exempt <type>', 'a credential type whose holders may claim an exemption, e.g. charity (repeatable)', collect)
    .option('--activation <height>', 'the first height it applies at: a height, or +N blocks after the head', '+5')
    .requiredOption('--legal-ref <text>', 'the legal reference (up to 128 bytes)')
    .option('--json', 'print JSON')
    .action(async (name: string, o: KeyOpts & OutOpts & { currency: string; rateBps: string; base: string; payer: string; type?: string[]; payeeCategory?: string; payerCategory?: string; treasury: string; exempt?: string[]; activation: string; legalRef: string }) => {
      const rateBps = uintArg(o.rateBps, '--rate-bps');
      const { wallet, prefix, head } = await walletOf(o);
      const activationHeight = heightArg(o.activation, head, '--activation');
      const args = sdk(() => taxRegisterRuleArgs({
        name, currency: o.currency, rateBps, base: o.base as TaxBaseName, payer: o.payer as TaxPayerName, types: (o.type ?? []) as TaxPaymentType[], payeeCategory: o.payeeCategory ?? '', payerCategory: o.payerCategory ?? '',
        treasury: o.treasury, exemptTypes: o.exempt ?? [], activationHeight, legalRef: o.legalRef,
      }, prefix));
      const sent = await submit(wallet, o, 'register_rule', args);
      if (sent === null) return;
      const id = taxRuleIdResult(sent.result!);
      if (o.json) return print({ ok: true, id, activationHeight, hash: sent.hash, height: sent.height });
      line(`registered tax rule ${id} (${e(name)}: ${pct(rateBps)} of ${e(o.currency)} ${o.base === 'payout_item' ? 'payout items' : 'payments'}, paid by the ${o.payer}) from height ${activationHeight} (tx ${sent.hash} at height ${sent.height})`);
    });

  withKey(c.command('retire-rule').description('a tax authority retires a tax rule from a height on (final)'))
    .argument('<id>', 'the rule id')
    .requiredOption('--at <height>', 'the first height it no longer applies at: a height, or +N blocks after the head')
    .requiredOption('--legal-ref <text>', 'the legal reference')
    .option('--json', 'print JSON')
    .action(async (idText: string, o: KeyOpts & OutOpts & { at: string; legalRef: string }) => {
      const id = uintArg(idText, 'the rule id');
      const { wallet, head } = await walletOf(o);
      const atHeight = heightArg(o.at, head, '--at');
      const sent = await submit(wallet, o, 'retire_rule', sdk(() => taxRetireRuleArgs(id, atHeight, o.legalRef)));
      if (sent === null) return;
      if (o.json) return print({ ok: true, id, atHeight, hash: sent.hash, height: sent.height });
      line(`tax rule ${id} applies no more from height ${atHeight} (tx ${sent.hash} at height ${sent.height})`);
    });

  withKey(c.command('claim-exemption').description("a taxpayer claims an exemption from a rule with a credential it holds of an exempt type (its key signs: the credential's holder key must be one of the account's keys)"))
    .argument('<rule>', 'the rule id')
    .requiredOption('--credential <file>', 'the credential package (JSON: an SD-JWT VC with its inclusion, as issued)')
    .option('--disclose <claim>', 'a claim to disclose (repeatable; default none)', collect)
    .option('--json', 'print JSON')
    .action(async (ruleText: string, o: KeyOpts & OutOpts & { credential: string; disclose?: string[] }) => {
      const rule = uintArg(ruleText, 'the rule id');
      const pkg = readJson(o.credential, 'credential package') as CredentialPackage;
      const { wallet, chainId, key } = await walletOf(o);
      let args;
      try {
        args = await taxClaimExemptionArgs(rule, pkg, key, { chainId, iat: Math.floor(Date.now() / 1000), disclose: o.disclose ?? [] });
      } catch (err) {
        throw new CliError(`the credential package: ${(err as Error).message}`);
      }
      const sent = await submit(wallet, o, 'claim_exemption', args);
      if (sent === null) return;
      if (o.json) return print({ ok: true, rule, hash: sent.hash, height: sent.height });
      line(`exemption claimed under tax rule ${rule} (tx ${sent.hash} at height ${sent.height})`);
    });

  withTrust(withRpc(c.command('rules').description('the tax rules in force or scheduled, with their proofs (verified with --genesis, --home or --validators)')))
    .option('--currency <code>', 'one currency (default: all)')
    .option('--json', 'print JSON (the answer, and what verified)')
    .action(async (o: RpcOpts & TrustOpts & OutOpts & { currency?: string }) => {
      const client = clientFor(o);
      const status = await client.status();
      const answer: TaxRulesView = await taxRules(client, o.currency);
      let proven;
      try {
        proven = await verified(o, (ctx) => verifyTaxRules(answer, ctx, o.currency), status);
      } catch (err) {
        return verdictFailed(err);
      }
      if (o.json) return print({ ...answer, verified: proven !== null });
      line(`tax rules at height ${answer.height}${proven ? ' (verified against the trusted validator set)' : ''}:`);
      if (answer.rules.length === 0) line('  none');
      for (const r of answer.rules) {
        line(`  ${r.id}  ${e(r.name)}  ${r.status}  ${pct(r.rateBps)} of ${e(r.currency)} ${r.base === 'payout_item' ? 'payout items' : 'payments'}, paid by the ${r.payer}; from height ${r.activationHeight}${r.retireHeight !== null ? ` until ${r.retireHeight}` : ''}`);
        const f = r.appliesTo;
        line(`     types ${f.types.length ? f.types.join(', ') : 'all'}; payee category ${f.payeeCategory ? e(f.payeeCategory) : 'any'}; payer category ${f.payerCategory ? e(f.payerCategory) : 'any'}; exempt ${r.exemptTypes.length ? r.exemptTypes.map(e).join(', ') : 'none'}`);
        line(`     treasury ${r.treasury}; legal reference ${e(r.legalRef)}`);
      }
    });

  withTrust(withRpc(c.command('totals').description("a taxpayer's monthly totals per rule, with their proofs (verified with --genesis, --home or --validators)")))
    .argument('<taxpayer>', 'the account')
    .option('--period <yyyymm>', 'one month (the answer is then complete: every rule proven)')
    .option('--limit <n>', 'totals per page without a period')
    .option('--cursor <cursor>', "an earlier page's next")
    .option('--json', 'print JSON (the answer, and what verified)')
    .action(async (taxpayer: string, o: RpcOpts & TrustOpts & OutOpts & { period?: string; limit?: string; cursor?: string }) => {
      const client = clientFor(o);
      const status = await client.status();
      const period = o.period === undefined ? undefined : uintArg(o.period, '--period');
      if (period !== undefined && !tax.isPeriod(period)) throw new CliError(`--period is a month, yyyymm (e.g. 202601), not ${o.period}`);
      const answer: TaxTotalsView = await taxTotals(client, {
        taxpayer, ...(period !== undefined ? { period } : {}), ...(o.limit !== undefined ? { limit: uintArg(o.limit, '--limit') } : {}), ...(o.cursor !== undefined ? { cursor: o.cursor } : {}),
      });
      let proven;
      try {
        proven = await verified(o, (ctx) => verifyTaxTotals(taxpayer, answer, ctx, period), status);
      } catch (err) {
        return verdictFailed(err);
      }
      if (o.json) return print({ ...answer, verified: proven !== null, complete: proven?.complete ?? false });
      line(`${taxpayer} at height ${answer.height}${proven ? ` (verified${proven.complete ? ', complete for the month' : ''})` : ''}:`);
      if (answer.totals.length === 0) line('  no taxed payment');
      for (const t of answer.totals) line(`  ${t.period}  rule ${t.rule}  ${t.count} payment${t.count === 1 ? '' : 's'}  gross ${t.gross} ${e(t.currency)}  tax ${t.tax} ${e(t.currency)}`);
      if (answer.next !== null) line(`(more: --cursor ${answer.next})`);
    });
}
