/**
 * `sov xchg`: the data-exchange layer (vm xchg) from the shell, through the SDK. A sending
 * agency records what it sent (`send`: a JSON file of records, in batches, each record a
 * payload digest, purpose, legal basis, consent reference and time; never the data); the
 * receiver acknowledges (`ack`); anyone reads records by id or by agency pair, agency,
 * purpose or consent (`get`, `list`), takes a record's receipt or a receipt container signed
 * by its own key (`receipt`), and an auditor verifies either offline with nothing but trusted
 * validator sets (`verify`: the genesis file's, and `sov_getValidators` answers). The
 * helpers it shares with `sov doc` are in xchg-shared.ts.
 * docs/data-exchange.md walks through all of it.
 */
import type { Command } from 'commander';
import { dirname, isAbsolute, resolve } from 'node:path';
import { to0x } from '../../../core/index.js';
import { xchg } from '../../../vm/index.js';
import { consentRef, exportReceiptContainer, payloadDigest, RECEIPT_CONTAINER_TYPE, RECEIPT_TYPE, sendXchgRecords, verifyReceiptContainer, verifyXchgReceipt, Wallet, XchgVerifyError, type VerifiedReceipt, type XchgPageQuery, type XchgReceipt, type XchgRecordInput } from '../../../rpc/index.js';
import { CliError } from './keys.js';
import { clientFor, uintArg } from './tx.js';
import { addressArg, digestArg, keyOf, print, readBytes, readJson, submitXchg, timeArg, trustedSets, verdictFailed, withKey, withRpc, withTrust, writeJson, type KeyOpts, type RpcOpts, type TrustOpts } from './xchg-shared.js';

// ---- records ----

/** A consent reference: 0x-hex of 32 bytes, or `id:<consent id>` hashed with consentRef. */
function consentArg(v: string, what: string): Uint8Array {
  if (!v.startsWith('id:')) return digestArg(v, what);
  if (v.length === 3) throw new CliError(`${what}: "id:" names no consent id`);
  return consentRef(v.slice(3));
}

/** `SENDER/SEQ`, a record id as `send` prints it. */
function recordIdArg(v: string): { sender: string; seq: number } {
  const i = v.lastIndexOf('/');
  if (i <= 0) throw new CliError(`a record id is SENDER/SEQ, not "${v.slice(0, 100)}"`);
  return { sender: v.slice(0, i), seq: uintArg(v.slice(i + 1), 'the record number') };
}

/** One record of a records file, as the SDK takes it. Paths of `file:` payloads are relative to the records file. */
function recordInput(x: unknown, i: number, base: string, now: number): XchgRecordInput {
  const r = x as { payload?: unknown; purpose?: unknown; legalBasis?: unknown; consent?: unknown; time?: unknown };
  const bad = (m: string): never => {
    throw new CliError(`record ${i}: ${m}`);
  };
  if (typeof r !== 'object' || r === null) bad('not an object {payload, purpose, legalBasis, consent?, time?}');
  let payload: Uint8Array;
  if (typeof r.payload !== 'string') payload = bad('payload is "0x<digest>", "file:PATH" or "text:..."');
  else if (r.payload.startsWith('file:')) {
    const p = r.payload.slice(5);
    payload = payloadDigest(readBytes(isAbsolute(p) ? p : resolve(base, p), `record ${i}'s payload file`));
  } else if (r.payload.startsWith('text:')) payload = payloadDigest(r.payload.slice(5));
  else payload = digestArg(r.payload, `record ${i}: payload`);
  for (const [name, schema] of [['purpose', xchg.purposeField], ['legalBasis', xchg.legalBasisField]] as const) {
    if (typeof r[name] !== 'string') bad(`${name} is a string`);
    try {
      schema.toWire(r[name] as string, name);
    } catch (e) {
      bad(`${(e as Error).message}`);
    }
  }
  if (r.legalBasis === '') bad('legalBasis is empty');
  let consent: Uint8Array | undefined;
  if (r.consent !== undefined && r.consent !== '' && r.consent !== null) {
    if (typeof r.consent !== 'string') bad('consent is "0x<32 bytes>" or "id:<consent id>"');
    consent = consentArg(r.consent as string, `record ${i}: consent`);
  }
  if (r.time !== undefined && (!Number.isSafeInteger(r.time) || (r.time as number) < 0)) bad('time is milliseconds (a non-negative integer)');
  return { payload, purpose: r.purpose as string, legalBasis: r.legalBasis as string, ...(consent ? { consent } : {}), time: (r.time as number | undefined) ?? now };
}

function verdictOfReceipt(v: VerifiedReceipt, now: number): Record<string, unknown> {
  const id = `${v.record.sender}/${v.record.seq}`;
  const status = v.acknowledged ? 'acknowledged' : v.overdue ? 'overdue' : 'pending';
  const since = !v.acknowledged && !v.overdue && now > v.ackBy;
  const text = `record ${id} (to ${v.record.receiver}, purpose ${v.record.purpose}) sent at height ${v.sent.height}: ${status} at height ${v.provenAt.height}`
    + (status === 'overdue' ? ` (its receiver was to acknowledge by ${new Date(v.ackBy).toISOString()})` : '')
    + (since ? ` (its acknowledgment deadline ${new Date(v.ackBy).toISOString()} has passed since: a newer receipt shows whether it was acknowledged)` : '');
  return { valid: true, id, status, verdict: text, record: v.record, sent: v.sent, ackBy: v.ackBy, provenAt: v.provenAt };
}

export function registerXchg(program: Command): void {
  const c = program.command('xchg').description('the data-exchange layer: record data sent between agencies (digests only), acknowledge it, query it, take and verify receipts (docs/data-exchange.md)');

  withKey(c.command('send').description("an agency records data it sent to another (digests, purposes, legal bases, consent references: never the data), in batches; prints the record ids (sender/first..last) and each batch's Merkle root"))
    .requiredOption('--to <address>', 'the receiving institution')
    .requiredOption('--file <records.json>', 'a JSON list of {"payload": "0x<digest>" | "file:PATH" (hashed; relative to this file) | "text:...", "purpose", "legalBasis", "consent"?: "0x<32 bytes>" | "id:<consent id>" (hashed), "time"?: ms (default now)}')
    .option('--batch-size <n>', 'records per batch (one transaction each), 1..10000', '1000')
    .action(async (o: KeyOpts & { to: string; file: string; batchSize: string }) => {
      const batchSize = uintArg(o.batchSize, '--batch-size');
      if (batchSize < 1 || batchSize > xchg.MAX_XCHG_BATCH) throw new CliError(`--batch-size is 1..${xchg.MAX_XCHG_BATCH}`);
      const list = readJson(o.file, 'records file');
      if (!Array.isArray(list) || list.length === 0) throw new CliError(`${o.file} is not a non-empty JSON list of records`);
      const now = Date.now();
      const base = dirname(resolve(o.file));
      const inputs = list.map((x, i) => recordInput(x, i, base, now));
      const client = clientFor(o);
      const status = await client.status();
      addressArg(o.to, status.addressPrefix, '--to');
      const key = await keyOf(o);
      const signer = o.signer !== undefined ? addressArg(o.signer, status.addressPrefix, '--signer') : undefined;
      const wallet = new Wallet(client, [key], { chainId: status.chainId, ...(signer ? { signer } : {}) });
      const opts = { batchSize, addressPrefix: status.addressPrefix };
      // The first batch alone: the wallet learns the signer's nonce from it, so the others (sent together) take the next ones in turn.
      const head = await sendXchgRecords(wallet, o.to, inputs.slice(0, batchSize), opts).catch(failedSend);
      const sender = wallet.address(status.addressPrefix);
      const next = head.batches[0]!.first + head.batches[0]!.count;
      const rest = inputs.length > batchSize
        ? await sendXchgRecords(wallet, o.to, inputs.slice(batchSize), { ...opts, first: next }).catch((e: unknown) => failedSend(e, `${sender}/${head.batches[0]!.first}..${next - 1}`))
        : { batches: [] };
      const batches = [...head.batches, ...rest.batches].map((b) => ({
        ids: `${sender}/${b.first}..${b.first + b.count - 1}`, first: b.first, count: b.count, root: b.root, tx: b.tx.hash, height: b.tx.height,
      }));
      print({ sender, receiver: o.to, records: inputs.length, first: batches[0]!.first, last: batches[batches.length - 1]!.first + batches[batches.length - 1]!.count - 1, batches });
    });

  withKey(c.command('ack').description("the receiver acknowledges records of a sender's batch: --first is the batch's first record number, --offset and --count a range in it (default: the whole rest of the batch)"))
    .requiredOption('--from <address>', 'the sender')
    .requiredOption('--first <n>', "the batch's first record number (send prints it)")
    .option('--offset <n>', 'the first record to acknowledge, counted from the batch\'s first', '0')
    .option('--count <n>', 'how many records (default: to the end of the batch)')
    .action(async (o: KeyOpts & { from: string; first: string; offset: string; count?: string }) => {
      const first = uintArg(o.first, '--first');
      const offset = uintArg(o.offset, '--offset');
      const client = clientFor(o);
      const status = await client.status();
      const sender = addressArg(o.from, status.addressPrefix, '--from');
      const batch = (await client.getRecord({ kind: 'xchg_batch', sender: o.from, first })).value as { count: number } | null;
      if (batch === null) {
        const holder = await client.xchgGetRecord(o.from, first);
        throw new CliError(holder === null
          ? `${o.from} has no record ${first}`
          : `record ${first} is in the batch starting at ${holder.batch.first}: --first ${holder.batch.first} --offset ${first - holder.batch.first}`);
      }
      const count = o.count !== undefined ? uintArg(o.count, '--count') : batch.count - offset;
      if (count < 1 || offset + count > batch.count) throw new CliError(`the batch ${first} holds ${batch.count} records: --offset ${offset} --count ${count} is outside it`);
      const key = await keyOf(o);
      const signer = o.signer !== undefined ? addressArg(o.signer, status.addressPrefix, '--signer') : undefined;
      const done = await submitXchg(client, key, signer, 'acknowledge', { ranges: [{ sender, first, offset, count }] });
      print({ acknowledged: `${o.from}/${first + offset}..${first + offset + count - 1}`, count, hash: done.hash, height: done.height });
    });

  withRpc(c.command('get').description('a record by its id: every field, its batch, and its status (acknowledged, pending, overdue)'))
    .argument('<id>', 'the record id, SENDER/SEQ')
    .action(async (id: string, o: RpcOpts) => {
      const { sender, seq } = recordIdArg(id);
      const r = await clientFor(o).xchgGetRecord(sender, seq);
      if (r === null) throw new CliError(`no record ${id}`);
      print(r);
    });

  withRpc(c.command('list').description('a page of records by agency pair, by agency (its history), by purpose or by consent reference; prints the page and the cursor of the next (--cursor continues)'))
    .option('--pair <sender,receiver>', 'records the first agency sent to the second')
    .option('--agency <address>', "an agency's records (with --role)")
    .option('--role <role>', 'with --agency: sent, received or any', 'any')
    .option('--purpose <code>', 'records of a purpose')
    .option('--consent <ref>', 'records under a consent reference: 0x<32 bytes>, or id:<consent id> (hashed as the sender did)')
    .option('--from <time>', 'block time from (ms or ISO date, inclusive; not with --consent)')
    .option('--to <time>', 'block time to (ms or ISO date, inclusive; not with --consent)')
    .option('--status <status>', 'only acknowledged, pending or overdue records')
    .option('--limit <n>', 'records per page, 1..1000', '100')
    .option('--desc', 'newest first')
    .option('--prove', "include each record's receipt")
    .option('--cursor <cursor>', "continue after a page: its `next`")
    .action(async (o: RpcOpts & { pair?: string; agency?: string; role: string; purpose?: string; consent?: string; from?: string; to?: string; status?: string; limit: string; desc?: boolean; prove?: boolean; cursor?: string }) => {
      const by = [o.pair !== undefined && 'pair', o.agency !== undefined && 'agency', o.purpose !== undefined && 'purpose', o.consent !== undefined && 'consent'].filter((x) => x !== false);
      if (by.length !== 1) throw new CliError('give one of --pair SENDER,RECEIVER, --agency ADDR, --purpose P, --consent REF');
      if (!['sent', 'received', 'any'].includes(o.role)) throw new CliError('--role is sent, received or any');
      if (o.status !== undefined && !['acknowledged', 'pending', 'overdue'].includes(o.status)) throw new CliError('--status is acknowledged, pending or overdue');
      if (o.consent !== undefined && (o.from !== undefined || o.to !== undefined)) throw new CliError('--from and --to do not apply to --consent');
      let key: XchgPageQuery;
      if (o.pair !== undefined) {
        const [sender, receiver, ...more] = o.pair.split(',').map((x) => x.trim());
        if (!sender || !receiver || more.length > 0) throw new CliError('--pair is SENDER,RECEIVER');
        key = { by: 'pair', sender, receiver };
      } else if (o.agency !== undefined) key = { by: 'agency', agency: o.agency, role: o.role as 'sent' | 'received' | 'any' };
      else if (o.purpose !== undefined) key = { by: 'purpose', purpose: o.purpose };
      else key = { by: 'consent', consent: to0x(consentArg(o.consent!, '--consent')) };
      const q: XchgPageQuery = {
        ...key, limit: uintArg(o.limit, '--limit'), ...(o.desc ? { order: 'desc' as const } : {}), ...(o.prove ? { prove: true } : {}),
        ...(o.from !== undefined ? { from: timeArg(o.from, '--from') } : {}), ...(o.to !== undefined ? { to: timeArg(o.to, '--to') } : {}),
        ...(o.status !== undefined ? { status: o.status as 'acknowledged' | 'pending' | 'overdue' } : {}), ...(o.cursor !== undefined ? { cursor: o.cursor } : {}),
      };
      print(await clientFor(o).xchgListRecords(q));
    });

  withRpc(c.command('receipt').description("a record's receipt (the record, its Merkle path, the batch's state proof, the header and its commit certificate), verifiable offline; with --container, wrapped in a W3C VC signed by --key (the exporter)"))
    .argument('<id>', 'the record id, SENDER/SEQ')
    .option('--out <file>', 'write it here (default: print it)')
    .option('--container', 'wrap it in a receipt container: a W3C Verifiable Credential signed by the exporter (eddsa-jcs-2022, did:key), for an archive')
    .option('-k, --key <file>', "with --container: the exporter's keystore")
    .option('--password-file <file>', "read the keystore's password from the first line of this file")
    .option('--password-env <var>', "read the keystore's password from this environment variable")
    .action(async (id: string, o: RpcOpts & { out?: string; container?: boolean; key?: string; passwordFile?: string; passwordEnv?: string }) => {
      const { sender, seq } = recordIdArg(id);
      if (o.container && o.key === undefined) throw new CliError('--container needs the exporter\'s keystore: --key FILE');
      if (!o.container && o.key !== undefined) throw new CliError('--key signs a container: add --container');
      const receipt = await clientFor(o).xchgGetReceipt(sender, seq);
      const out = o.container ? exportReceiptContainer(receipt, await keyOf({ ...o, key: o.key! }), Date.now()) : receipt;
      writeJson(o.out, out);
      if (o.out !== undefined) {
        print({ written: o.out, id: `${receipt.record.sender}/${receipt.record.seq}`, height: receipt.state.height, ...(o.container ? { container: true, exporter: (out as { issuer: string }).issuer } : {}) });
      }
    });

  withTrust(c.command('verify').description('verify a receipt or a receipt container OFFLINE, with nothing but trusted validator sets; prints the verdict (the record, acknowledged / pending / overdue, the height it was sent at), exit status 1 with the reason when it fails'))
    .argument('<file>', 'a receipt (`receipt --out`) or a receipt container (`receipt --container --out`)')
    .action(async (file: string, o: TrustOpts) => {
      const doc = readJson(file, 'receipt') as { type?: unknown };
      const trust = await trustedSets(o);
      const opts = { validators: trust.sets, ...(trust.chainId !== undefined ? { chainId: trust.chainId } : {}) };
      const isContainer = Array.isArray(doc?.type) && (doc.type as unknown[]).includes(RECEIPT_CONTAINER_TYPE);
      if (!isContainer && doc?.type !== RECEIPT_TYPE) return verdictFailed(new XchgVerifyError(`${file} is neither a ${RECEIPT_TYPE} nor a ${RECEIPT_CONTAINER_TYPE}`));
      try {
        if (isContainer) {
          const c2 = verifyReceiptContainer(doc, opts);
          const receiptPrefix = (doc as { credentialSubject: { receipt: XchgReceipt } }).credentialSubject.receipt.addressPrefix;
          if (trust.addressPrefix !== undefined && receiptPrefix !== trust.addressPrefix) throw new XchgVerifyError(`the receipt's address prefix is ${receiptPrefix}, not ${trust.addressPrefix}`);
          print({ ...verdictOfReceipt(c2.receipt, Date.now()), container: { exporter: c2.exporter, exporterAddress: c2.exporterAddress }, trusted: trust.sources });
        } else {
          const r = doc as XchgReceipt;
          if (trust.addressPrefix !== undefined && r.addressPrefix !== trust.addressPrefix) throw new XchgVerifyError(`the receipt's address prefix is ${String(r.addressPrefix)}, not ${trust.addressPrefix}`);
          print({ ...verdictOfReceipt(verifyXchgReceipt(r, opts), Date.now()), trusted: trust.sources });
        }
      } catch (e) {
        verdictFailed(e);
      }
    });
}

/** A batch that failed; `committed`: the records committed before it (later batches of the same run may have committed too: `sov xchg list` shows them). */
function failedSend(e: unknown, committed?: string): never {
  const err = e as { message?: string; meta?: { code?: unknown } };
  const code = err.meta?.code !== undefined && err.meta.code !== null ? ` with code ${String(err.meta.code)}` : '';
  throw new CliError(`xchg.send failed${code}: ${err.message ?? String(e)}${committed ? ` (committed before it: ${committed})` : ''}`);
}

/** The document id a register_doc transaction's result holds. */
