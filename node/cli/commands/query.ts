/**
 * `sov query ...`: every read the RPC offers, from the shell, as JSON: status, blocks,
 * commit certificates, transactions, validators, accounts, balances, any state record (with
 * `--verify`, proven and checked against the validator set of a trusted genesis file), and
 * an account's transactions and events, paged.
 */
import type { Command } from 'commander';
import { addressFromPublicKey, safeJsonText, ValidatorSet } from '../../../core/index.js';
import { loadGenesisFile } from '../../../genesis/index.js';
import { BUILTIN } from '../../../vm/index.js';
import { RECORD_KINDS, verifyRecord, type PageCursor, type RecordQuery, type SovClient } from '../../../rpc/index.js';
import { CliError } from './keys.js';
import { clientFor, DEFAULT_RPC, uintArg } from './tx.js';

interface RpcOpts {
  rpc: string;
  apiKey?: string;
}

const print = (v: unknown): void => console.log(safeJsonText(v, 2));

const uint = uintArg;

/** A page cursor written HEIGHT:INDEX or HEIGHT:INDEX:EVENT (as the `next` of a previous page prints it). */
function cursor(v: string | undefined): PageCursor | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(':');
  if (parts.length < 2 || parts.length > 3) throw new CliError('--after is HEIGHT:INDEX or HEIGHT:INDEX:EVENT');
  const [height, index, event] = parts.map((p) => uint(p, '--after'));
  return { height: height!, index: index!, ...(event !== undefined ? { event } : {}) };
}

function rpcCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .option('--rpc <url>', "the node's JSON-RPC URL", DEFAULT_RPC)
    .option('--api-key <key>', 'an RPC API key, sent as a bearer token');
}

async function trustedSet(genesisPath: string): Promise<{ chainId: string; addressPrefix: string; set: ValidatorSet }> {
  const g = await loadGenesisFile(genesisPath);
  const set = new ValidatorSet(g.state.validators.map((v) => ({ address: addressFromPublicKey(v.publicKey), publicKey: v.publicKey, power: v.power })));
  return { chainId: g.doc.chainId, addressPrefix: g.doc.addressPrefix, set };
}

async function record(client: SovClient, q: RecordQuery, o: RpcOpts & { height?: string; prove?: boolean; verify?: string }): Promise<unknown> {
  const height = o.height !== undefined ? uint(o.height, '--height') : undefined;
  const answer = await client.getRecord(q, { ...(height !== undefined ? { height } : {}), prove: Boolean(o.prove || o.verify) });
  if (o.verify === undefined) return answer;
  const trust = await trustedSet(o.verify);
  const proven = verifyRecord(q, answer, { chainId: trust.chainId, addressPrefix: trust.addressPrefix, validators: trust.set });
  return { kind: q.kind, height: proven.height, verified: true, value: proven.value };
}

export function registerQuery(program: Command): void {
  const query = program.command('query').description("read the ledger through a node's JSON-RPC (JSON out)");

  rpcCommand(query, 'status', "the node's status").action(async (o: RpcOpts) => print(await clientFor(o).status()));
  rpcCommand(query, 'block', 'a committed block with its commit certificate').argument('<height>')
    .action(async (h: string, o: RpcOpts) => print(await clientFor(o).getBlock(uint(h, 'height'))));
  rpcCommand(query, 'commit', "a block's commit certificate").argument('<height>')
    .action(async (h: string, o: RpcOpts) => print(await clientFor(o).getCommit(uint(h, 'height'))));
  rpcCommand(query, 'tx', 'a committed transaction and its receipt').argument('<hash>', '0x-hex transaction hash')
    .action(async (hash: string, o: RpcOpts) => print(await clientFor(o).getTransaction(hash)));
  rpcCommand(query, 'validators', 'the validator set').option('--height <h>', 'at this height (default: head)')
    .action(async (o: RpcOpts & { height?: string }) => print(await clientFor(o).getValidators(o.height !== undefined ? uint(o.height, '--height') : undefined)));
  rpcCommand(query, 'account', "an account's state (keys, nonce, balances)").argument('<address>')
    .action(async (a: string, o: RpcOpts) => print(await clientFor(o).getAccount(a)));

  const proofOptions = (c: Command): Command => c
    .option('--height <h>', 'at this retained height (default: head)')
    .option('--prove', 'include the state proof, its header and commit certificate')
    .option('--verify <genesis.json>', 'prove the answer and check it against the validator set of this trusted genesis file');
  proofOptions(rpcCommand(query, 'balance', "an account's balance in a currency").argument('<address>').argument('<currency>'))
    .action(async (address: string, currency: string, o: RpcOpts & { height?: string; prove?: boolean; verify?: string }) => {
      print(await record(clientFor(o), { kind: 'balance', address, currency }, o));
    });
  // One option per key field of any record kind (the registry's), e.g. --address, --currency, --id, --bank-account-id.
  const recordCmd = proofOptions(rpcCommand(query, 'record', `any state record by kind and its key fields: ${Object.entries(RECORD_KINDS).map(([k, f]) => (f.length ? `${k} (${f.join(', ')})` : k)).join('; ')}`).argument('<kind>'));
  const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  for (const [name, f] of BUILTIN.keyFields) {
    const kinds = BUILTIN.records.filter((r) => r.spec.key.some((k) => k.name === name)).map((r) => r.name);
    recordCmd.option(`--${kebab(name)} <${f.kind === 'id' ? 'n' : f.kind === 'address' ? 'address' : 'text'}>`, `for ${kinds.join(', ')}`);
  }
  recordCmd.action(async (kind: string, o: RpcOpts & { height?: string; prove?: boolean; verify?: string } & Record<string, string | boolean | undefined>) => {
    const q: Record<string, string | number> = { kind };
    for (const [name, f] of BUILTIN.keyFields) {
      const v = o[name];
      if (typeof v !== 'string') continue;
      q[name] = f.kind === 'id' ? uint(v, `--${kebab(name)}`) : v;
    }
    print(await record(clientFor(o), q as RecordQuery, o));
  });

  const pageOptions = (c: Command): Command => c
    .argument('<address>')
    .option('--limit <n>', 'items per page')
    .option('--order <order>', 'asc or desc', 'desc')
    .option('--after <cursor>', 'continue after this cursor (the `next` of the previous page, HEIGHT:INDEX[:EVENT])');
  type PageOpts = RpcOpts & { limit?: string; order: string; after?: string };
  const page = (o: PageOpts) => {
    if (o.order !== 'asc' && o.order !== 'desc') throw new CliError('--order is asc or desc');
    const after = cursor(o.after);
    return { order: o.order as 'asc' | 'desc', ...(o.limit !== undefined ? { limit: uint(o.limit, '--limit') } : {}), ...(after ? { after } : {}) };
  };
  pageOptions(rpcCommand(query, 'txs', "an account's transactions, newest first (paged)"))
    .action(async (a: string, o: PageOpts) => print(await clientFor(o).getAccountTransactions(a, page(o))));
  pageOptions(rpcCommand(query, 'events', "an account's events, newest first (paged)"))
    .action(async (a: string, o: PageOpts) => print(await clientFor(o).getAccountEvents(a, page(o))));
}
