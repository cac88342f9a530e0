/**
 * `sov bank`: the ISO 20022 bank adapter (rpc/client/bank) run beside a bank's core system,
 * signing with the bank's keystore. It reads camt.054 and pacs.002 files dropped in an inbox
 * folder (each moved to inbox/done or inbox/failed, with a JSON report beside it) and/or
 * accepts them by HTTP POST on /messages; it writes a pacs.008 for each payout and waterfall
 * of the bank into an outbox folder, following the chain from a height kept in
 * outbox/.next-height. The adapter's correlation store (the UETR of every pacs.008 it wrote)
 * is a file of the state folder, so a pacs.002 citing only the UETR is matched after a
 * restart. docs/bank-integration.md.
 */
import type { Command } from 'commander';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  stateDir?: string;
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

/** The largest message body taken by HTTP (bytes), as the adapter's own bound. */
const MAX_BODY = 8 * 1024 * 1024;

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

/** Write `text` to `path` whole or not at all: a temp file beside it, flushed, renamed over it. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

type Handled = { ok: true; report: unknown } | { ok: false; bank: boolean; error: { code: string; element?: string | null; message: string } };

export function registerBank(program: Command): void {
  withKey(program.command('bank')
    .description("run the ISO 20022 bank adapter: camt.054 credits in as ramp deposits, pacs.002 settling payouts; pacs.008 out for payouts and waterfalls")
    .requiredOption('--config <file>', 'the bank config JSON: bic, name, settlementAccount, currencies (ISO code -> ledger code and decimals)')
    .option('--inbox <dir>', 'read incoming camt.054 / pacs.002 XML files from this folder')
    .option('--outbox <dir>', 'write outgoing pacs.008 XML files into this folder')
    .option('--listen <host:port>', 'accept incoming messages by HTTP POST /messages (the answer is the JSON report); port 0 picks a free one')
    .option('--xsd-dir <dir>', 'check every message in and out against the ISO 20022 XSDs in this folder')
    .option('--state-dir <dir>', "keep the adapter's correlation store (UETRs of the pacs.008 sent) here (default: the outbox, else the inbox)")
    .option('--poll-ms <ms>', 'how often to look at the inbox and the chain', '1000')
    .option('--once', 'process the inbox and the chain once, then exit'))
    .action(async (o: BankOpts) => {
      if (o.inbox === undefined && o.outbox === undefined && o.listen === undefined) throw new CliError('give --inbox, --outbox and/or --listen');
      const cfg = loadConfig(o.config);
      const pollMs = uintArg(o.pollMs, '--poll-ms');
      const client = clientFor(o);
      const key = await keyOf(o);
      const status = await client.status();
      const bankAddress = o.signer ?? encodeAddress(status.addressPrefix, addressFromPublicKey(key.publicKey));
      const isoCurrencies = Object.fromEntries(Object.entries(cfg.currencies).map(([iso, c]) => [c.code, { iso, decimals: c.decimals }]));
      const schemas = loadSchemas(o.xsdDir);
      const stateDir = o.stateDir ?? o.outbox ?? o.inbox;
      let adapter: BankAdapter;
      try {
        adapter = new BankAdapter({
          client, wallet: new Wallet(client, [key], { chainId: status.chainId }), bankAddress, currencies: cfg.currencies,
          identity: { bic: cfg.bic, name: cfg.name, settlementAccount: cfg.settlementAccount, isoCurrencies }, ...(schemas ? { schemas } : {}),
          ...(stateDir !== undefined ? { stateDir } : {}),
        });
      } catch (e) {
        throw e instanceof BankMessageError ? new CliError(e.message) : e;
      }
      // One message at a time: the inbox, the HTTP requests and the chain scan share the bank's nonce.
      let queue: Promise<unknown> = Promise.resolve();
      const serial = <T>(f: () => Promise<T>): Promise<T> => {
        const p = queue.then(f, f);
        queue = p.catch(() => undefined);
        return p;
      };
      const handle = (xml: string): Promise<Handled> => serial(async () => {
        try {
          return { ok: true as const, report: await adapter.handleMessage(xml) };
        } catch (e) {
          if (e instanceof BankMessageError) return { ok: false as const, bank: true, error: { code: e.code, element: e.element, message: e.message } };
          return { ok: false as const, bank: false, error: { code: 'LEDGER_UNAVAILABLE', message: (e as Error).message } };
        }
      });

      let stopping = false;
      let wake: (() => void) | null = null;
      let server: Server | null = null;
      const stop = () => {
        stopping = true;
        server?.close();
        wake?.();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);

      if (o.listen !== undefined) {
        const at = o.listen.lastIndexOf(':');
        const host = o.listen.slice(0, at) || '127.0.0.1';
        const port = uintArg(o.listen.slice(at + 1), '--listen port');
        server = createServer((req, res) => {
          const answer = (code: number, body: unknown) => void res.writeHead(code, { 'content-type': 'application/json' }).end(safeJsonText(body) + '\n');
          if (req.url !== '/messages') return answer(404, { ok: false, error: { code: 'NOT_FOUND', message: 'POST a message to /messages' } });
          if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST', 'content-type': 'application/json' }).end(safeJsonText({ ok: false, error: { code: 'METHOD_NOT_ALLOWED', message: 'POST a message to /messages' } }) + '\n');
          const chunks: Buffer[] = [];
          let size = 0;
          req.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= MAX_BODY) chunks.push(c);
          });
          req.on('end', () => {
            if (size > MAX_BODY) return answer(413, { ok: false, error: { code: 'BANK_BAD_XML', element: null, message: `a message has at most ${MAX_BODY} bytes` } });
            void handle(Buffer.concat(chunks).toString('utf8')).then((r) => {
              console.log(safeJsonText({ http: true, ...r }));
              answer(r.ok ? 200 : r.bank ? 400 : 502, r.ok ? r : { ok: false, error: r.error });
            });
          });
        });
        await new Promise<void>((resolve, reject) => {
          server!.once('error', (e) => reject(new CliError(`cannot listen on ${o.listen}: ${e.message}`)));
          server!.listen(port, host, () => resolve());
        });
        const a = server.address() as AddressInfo;
        console.log(safeJsonText({ listening: `${a.address}:${a.port}` }));
      }

      const inboxOnce = async () => {
        if (o.inbox === undefined) return;
        for (const d of ['done', 'failed']) mkdirSync(join(o.inbox, d), { recursive: true });
        for (const f of readdirSync(o.inbox).filter((n) => n.endsWith('.xml')).sort()) {
          if (stopping) return;
          const r = await handle(readFileSync(join(o.inbox, f), 'utf8'));
          if (!r.ok && !r.bank) {
            // The ledger did not answer: the file stays in the inbox for the next round.
            console.log(safeJsonText({ file: f, retry: true, error: r.error }));
            continue;
          }
          const to = join(o.inbox, r.ok ? 'done' : 'failed');
          const report = r.ok ? r : { ok: false, error: r.error };
          writeAtomic(join(to, `${f}.report.json`), safeJsonText(report, 2) + '\n');
          renameSync(join(o.inbox, f), join(to, f));
          console.log(safeJsonText({ file: f, ...report }));
        }
      };
      const outboxOnce = async () => {
        if (o.outbox === undefined) return;
        mkdirSync(o.outbox, { recursive: true });
        const mark = join(o.outbox, '.next-height');
        const from = existsSync(mark) ? uintArg(readFileSync(mark, 'utf8').trim(), mark) : 1;
        const { messages, next } = await serial(() => adapter.scan(from));
        for (const msg of messages) {
          writeAtomic(join(o.outbox, `${msg.name}.pacs.008.xml`), msg.xml);
          console.log(safeJsonText({ wrote: `${msg.name}.pacs.008.xml`, kind: msg.kind, uetr: msg.uetr, height: msg.height }));
        }
        writeAtomic(mark, `${next}\n`);
      };
      while (!stopping) {
        try {
          await inboxOnce();
          await outboxOnce();
        } catch (e) {
          if (o.once) throw e;
          // A node that does not answer is waited for; the next round tries again.
          console.log(safeJsonText({ error: { code: e instanceof BankMessageError ? e.code : 'LEDGER_UNAVAILABLE', message: (e as Error).message } }));
        }
        if (o.once) break;
        await new Promise<void>((r) => {
          const t = setTimeout(r, pollMs);
          wake = () => {
            clearTimeout(t);
            r();
          };
        });
        wake = null;
      }
      server?.close();
      await serial(async () => undefined);
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    });
}
