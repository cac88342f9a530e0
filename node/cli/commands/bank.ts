/**
 * `sov bank`: the ISO 20022 bank adapter (rpc/client/bank) run beside a bank's core system,
 * signing with the bank's keystore. It reads camt.054 and pacs.002 files dropped in an inbox
 * folder (each moved to inbox/done or inbox/failed, with a JSON report beside it) and/or
 * accepts them by HTTP POST on /messages; it writes a pacs.008 for each payout and waterfall
 * of the bank into an outbox folder, following the chain from a height kept in
 * outbox/.next-height. docs/bank-integration.md.
 */
import type { Command } from 'commander';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { addressFromPublicKey, encodeAddress, safeJsonText } from '../../../core/index.js';
import { Wallet } from '../../../rpc/index.js';
import { BankAdapter, BankMessageError, type SchemaTexts } from '../../../rpc/index.js';
import { CliError } from './keys.js';
import { clientFor, uintArg } from './tx.js';
import { keyOf, readJson, withKey, type KeyOpts } from './xchg-shared.js';

interface BankOpts extends KeyOpts {
  config: string;
  inbox?: string;
  outbox?: string;
  listen?: string;
  xsdDir?: string;
  pollMs: string;
  once?: boolean;
}
interface BankConfig {
  bic: string;
  name: string;
  settlementAccount: string;
  /** ISO currency -> { code, decimals } of the ledger. */
  currencies: Record<string, { code: string; decimals: number }>;
}

function loadConfig(path: string): BankConfig {
  const c = readJson(path, 'bank config') as Partial<BankConfig>;
  if (typeof c.bic !== 'string' || typeof c.name !== 'string' || typeof c.settlementAccount !== 'string' || c.currencies === null || typeof c.currencies !== 'object') {
    throw new CliError(`${path}: a bank config is {"bic", "name", "settlementAccount", "currencies": {"EUR": {"code": "EURX", "decimals": 2}}}`);
  }
  return c as BankConfig;
}

function loadSchemas(dir: string | undefined): SchemaTexts | undefined {
  if (dir === undefined) return undefined;
  const s: Record<string, string> = {};
  for (const id of ['camt.054.001.08', 'pacs.008.001.09', 'pacs.002.001.11']) {
    const f = join(dir, `${id}.xsd`);
    if (!existsSync(f)) throw new CliError(`--xsd-dir ${dir} has no ${id}.xsd`);
    s[id] = readFileSync(f, 'utf8');
  }
  return s as SchemaTexts;
}

const describe = (e: unknown) => (e instanceof BankMessageError ? { code: e.code, element: e.element, message: e.message } : { code: 'ERROR', message: (e as Error).message });

export function registerBank(program: Command): void {
  withKey(program.command('bank')
    .description("run the ISO 20022 bank adapter: camt.054 credits in as ramp deposits, pacs.002 settling payouts; pacs.008 out for payouts and waterfalls")
    .requiredOption('--config <file>', 'the bank config JSON: bic, name, settlementAccount, currencies (ISO code -> ledger code and decimals)')
    .option('--inbox <dir>', 'read incoming camt.054 / pacs.002 XML files from this folder')
    .option('--outbox <dir>', 'write outgoing pacs.008 XML files into this folder')
    .option('--listen <host:port>', 'accept incoming messages by HTTP POST /messages (the answer is the JSON report)')
    .option('--xsd-dir <dir>', 'check every message in and out against the ISO 20022 XSDs in this folder')
    .option('--poll-ms <ms>', 'how often to look at the inbox and the chain', '1000')
    .option('--once', 'process the inbox and the chain once, then exit'))
    .action(async (o: BankOpts) => {
      if (o.inbox === undefined && o.outbox === undefined && o.listen === undefined) throw new CliError('give --inbox, --outbox and/or --listen');
      const cfg = loadConfig(o.config);
      const client = clientFor(o);
      const key = await keyOf(o);
      const status = await client.status();
      const bankAddress = o.signer ?? encodeAddress(status.addressPrefix, addressFromPublicKey(key.publicKey));
      const isoCurrencies = Object.fromEntries(Object.entries(cfg.currencies).map(([iso, c]) => [c.code, { iso, decimals: c.decimals }]));
      const schemas = loadSchemas(o.xsdDir);
      const adapter = new BankAdapter({
        client, wallet: new Wallet(client, [key], { chainId: status.chainId }), bankAddress, currencies: cfg.currencies,
        identity: { bic: cfg.bic, name: cfg.name, settlementAccount: cfg.settlementAccount, isoCurrencies }, ...(schemas ? { schemas } : {}),
      });
      const pollMs = uintArg(o.pollMs, '--poll-ms');
      const handle = async (xml: string) => {
        try {
          return { ok: true, report: await adapter.handleMessage(xml) };
        } catch (e) {
          return { ok: false, error: describe(e) };
        }
      };
      if (o.listen !== undefined) {
        const [host, port] = [o.listen.slice(0, o.listen.lastIndexOf(':')) || '127.0.0.1', uintArg(o.listen.slice(o.listen.lastIndexOf(':') + 1), '--listen port')];
        createServer((req, res) => {
          if (req.method !== 'POST' || req.url !== '/messages') return void res.writeHead(404).end();
          const chunks: Buffer[] = [];
          let size = 0;
          req.on('data', (c: Buffer) => { size += c.length; if (size <= 8 * 1024 * 1024) chunks.push(c); });
          req.on('end', () => void handle(Buffer.concat(chunks).toString('utf8')).then((r) => {
            res.writeHead(r.ok ? 200 : 400, { 'content-type': 'application/json' }).end(safeJsonText(r));
          }));
        }).listen(port, host);
      }
      const inboxOnce = async () => {
        if (o.inbox === undefined) return;
        for (const d of ['done', 'failed']) mkdirSync(join(o.inbox, d), { recursive: true });
        for (const f of readdirSync(o.inbox).filter((n) => n.endsWith('.xml')).sort()) {
          const r = await handle(readFileSync(join(o.inbox, f), 'utf8'));
          const to = join(o.inbox, r.ok ? 'done' : 'failed');
          writeFileSync(join(to, `${f}.report.json`), safeJsonText(r, 2) + '\n');
          renameSync(join(o.inbox, f), join(to, f));
          console.log(safeJsonText({ file: f, ...r }));
        }
      };
      const outboxOnce = async () => {
        if (o.outbox === undefined) return;
        mkdirSync(o.outbox, { recursive: true });
        const mark = join(o.outbox, '.next-height');
        const from = existsSync(mark) ? uintArg(readFileSync(mark, 'utf8').trim(), mark) : 1;
        const { messages, next } = await adapter.scan(from);
        for (const msg of messages) {
          writeFileSync(join(o.outbox, `${msg.name}.pacs.008.xml`), msg.xml);
          console.log(safeJsonText({ wrote: `${msg.name}.pacs.008.xml`, kind: msg.kind, uetr: msg.uetr, height: msg.height }));
        }
        writeFileSync(mark, `${next}\n`);
      };
      for (;;) {
        await inboxOnce();
        await outboxOnce();
        if (o.once) return;
        await new Promise((r) => setTimeout(r, pollMs));
      }
    });
}
