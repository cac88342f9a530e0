/**
 * `sov doc`: documents signed by several institutions (vm xchg documents) from the shell,
 * through the SDK. An institution registers a document's digest with the institutions that
 * must sign it, in groups signed one after another, and a deadline (`register`); a signer
 * signs with its own transaction, or makes an off-chain signature (`sign --offline`) that
 * anyone submits (`sign --signer --signature`); a signer refuses with a reason (`refuse`);
 * anyone closes a document past its deadline (`expire`), reads it (`get`) and takes its proof
 * (`proof`), which an auditor verifies offline with nothing but trusted validator sets
 * (`verify`, as `sov xchg verify`). docs/data-exchange.md describes the flow.
 */
import type { Command } from 'commander';
import { addressFromPublicKey, encodeAddress, fromHex, to0x } from '../../../core/index.js';
import { xchg } from '../../../vm/index.js';
import { DOC_PROOF_TYPE, payloadDigest, signDocument, verifyDocProof, XchgVerifyError, type VerifiedDocument, type XchgDocProof } from '../../../rpc/index.js';
import { CliError } from './keys.js';
import { clientFor, uintArg } from './tx.js';
import {
  addressArg, deadlineArg, digestArg, docIdOf, keyOf, print, readBytes, readJson, submitXchg, trustedSets, verdictFailed, withKey, withRpc, withTrust, writeJson,
  type KeyOpts, type RpcOpts, type TrustOpts,
} from './xchg-shared.js';

/** What `sign --offline` writes: a signer's signature over a document, to submit with `sign --signature-file`. */
const SIGNATURE_TYPE = 'sov-xchg-doc-signature';
interface SignatureFile {
  type: typeof SIGNATURE_TYPE;
  id: number;
  chainId: string;
  digest: string;
  signer: string;
  publicKey: string;
  signature: string;
}

const idArg = (v: string): number => {
  const id = uintArg(v, 'the document id');
  if (id < 1) throw new CliError('a document id is a positive integer');
  return id;
};

/** The digest a command names: --digest HEX, or --file PATH hashed (SHA-256, as payloadDigest); undefined when neither. */
function digestOf(o: { digest?: string; file?: string }): Uint8Array | undefined {
  if (o.digest !== undefined && o.file !== undefined) throw new CliError('give --digest or --file, not both');
  if (o.digest !== undefined) return digestArg(o.digest, '--digest');
  if (o.file !== undefined) return payloadDigest(readBytes(o.file, 'document'));
  return undefined;
}

const withDigest = (c: Command, what: string): Command =>
  c.option('--digest <hex>', `${what}: its digest, 32 bytes of hex`).option('--file <path>', `${what}: the document file, hashed (SHA-256)`);

function verdictOfDoc(v: VerifiedDocument): Record<string, unknown> {
  const groupOf = (a: string): number => v.groups.findIndex((g) => g.includes(a));
  const signed = v.signatures.map((s) => `${s.signer} (group ${groupOf(s.signer)}, ${s.signature === null ? 'by its transaction' : 'its signature submitted'}, height ${s.height})`);
  const text = `document ${v.id} "${v.title}" of digest ${v.digest}: ${v.status}`
    + (v.status === 'refused' ? ` by ${v.refusedBy ?? '?'} (${v.reason})` : '')
    + (v.closedHeight > 0 ? ` at height ${v.closedHeight}` : ` (deadline ${new Date(v.deadline).toISOString()})`)
    + `; ${v.signatures.length} of ${v.groups.flat().length} signatures${signed.length ? `: ${signed.join(', ')}` : ''}; proven at height ${v.provenAt.height}`;
  return { valid: true, id: v.id, status: v.status, verdict: text, document: v };
}

export function registerDoc(program: Command): void {
  const c = program.command('doc').description('documents signed by several institutions: register a digest with its signers in ordered groups and a deadline, sign, refuse, expire, read, prove and verify offline (docs/data-exchange.md)');

  withDigest(withKey(c.command('register').description('an institution registers a document (its digest, never its text) for signing by institutions in groups, signed in order (the members of a group in any order), by a deadline; prints its id')), 'the document')
    .requiredOption('--title <title>', 'a title (up to 128 bytes)')
    .requiredOption('--groups <groups>', 'the signers: addresses, comma-separated within a group, groups separated by ";" in signing order ("A,B;C": A and B, then C)')
    .requiredOption('--deadline <time>', 'the last block time anyone may sign: an ISO date, ms, or +N with s, m, h or d from now (+1h)')
    .requiredOption('--legal-ref <ref>', 'the legal reference (up to 128 bytes)')
    .action(async (o: KeyOpts & { digest?: string; file?: string; title: string; groups: string; deadline: string; legalRef: string }) => {
      const digest = digestOf(o);
      if (digest === undefined) throw new CliError('give the document: --digest HEX or --file PATH');
      const client = clientFor(o);
      const status = await client.status();
      const groups = o.groups.split(';').map((g, i) => g.split(',').filter((a) => a.trim() !== '').map((a) => addressArg(a, status.addressPrefix, `--groups, group ${i + 1}`)));
      if (groups.some((g) => g.length === 0)) throw new CliError('--groups: no group may be empty ("A,B;C")');
      const deadline = deadlineArg(o.deadline, Date.now(), '--deadline');
      const key = await keyOf(o);
      const signer = o.signer !== undefined ? addressArg(o.signer, status.addressPrefix, '--signer') : undefined;
      const done = await submitXchg(client, key, signer, 'register_doc', { digest, title: o.title, groups, deadline, legalRef: o.legalRef });
      print({
        id: docIdOf(done.result), digest: to0x(digest), title: o.title, groups: groups.map((g) => g.map((a) => encodeAddress(status.addressPrefix, a))),
        deadline: new Date(deadline).toISOString(), hash: done.hash, height: done.height,
      });
    });

  withDigest(withKey(c.command('sign').description([
    'sign a document: by your own transaction (sign ID); or --offline: print (or --out) your off-chain signature over it, for anyone to submit;',
    'or submit a signer\'s off-chain signature with your transaction (sign ID --signer ADDR --signature HEX, or --signature-file FILE)',
  ].join(' ')), 'the account that signs the document: yours by default; with --signature, the signer whose signature it is'), 'with --offline, the document you sign (default: the digest the ledger holds for it)')
    .argument('<id>', 'the document id')
    .option('--offline', 'make an off-chain signature (core signFor, tag sov/xchg-doc-sign, over the id and digest) instead of a transaction')
    .option('--out <file>', 'with --offline: write the signature file here (default: print it)')
    .option('--chain-id <id>', "with --offline: the chain id (default: the node's)")
    .option('--prefix <prefix>', "with --offline: the chain's address prefix (default: the node's)")
    .option('--signature <hex>', "a signer's off-chain signature to submit (with --signer)")
    .option('--signature-file <file>', 'a signature file written by sign --offline, to submit')
    .action(async (idText: string, o: KeyOpts & { digest?: string; file?: string; offline?: boolean; out?: string; chainId?: string; prefix?: string; signature?: string; signatureFile?: string }) => {
      const id = idArg(idText);
      if (o.offline) {
        if (o.signature !== undefined || o.signatureFile !== undefined) throw new CliError('--offline makes a signature; --signature and --signature-file submit one');
        const key = await keyOf(o);
        let digest = digestOf(o);
        let chainId = o.chainId;
        let prefix = o.prefix;
        if (digest === undefined || chainId === undefined || prefix === undefined) {
          const client = clientFor(o);
          const status = await client.status();
          chainId ??= status.chainId;
          prefix ??= status.addressPrefix;
          const held = (await client.xchgGetDocument(id)).record.value as { digest: string } | null;
          if (held === null) throw new CliError(`no document ${id}`);
          if (digest !== undefined && to0x(digest) !== held.digest) throw new CliError(`document ${id} is of digest ${held.digest}, not ${to0x(digest)}: not signed`);
          digest = fromHex(held.digest, 32);
        }
        const sig: SignatureFile = {
          type: SIGNATURE_TYPE, id, chainId, digest: to0x(digest), signer: encodeAddress(prefix, o.signer !== undefined ? addressArg(o.signer, prefix, '--signer') : addressFromPublicKey(key.publicKey)),
          publicKey: to0x(key.publicKey), signature: to0x(signDocument(chainId, id, digest, key)),
        };
        writeJson(o.out, sig);
        if (o.out !== undefined) print({ written: o.out, id, signer: sig.signer });
        return;
      }
      if (o.digest !== undefined || o.file !== undefined || o.out !== undefined || o.chainId !== undefined || o.prefix !== undefined) throw new CliError('--digest, --file, --out, --chain-id and --prefix go with --offline');
      if (o.signature !== undefined && o.signatureFile !== undefined) throw new CliError('give --signature or --signature-file, not both');
      const client = clientFor(o);
      const status = await client.status();
      const key = await keyOf(o);
      const own = addressFromPublicKey(key.publicKey);
      let signer: Uint8Array;
      let signature: Uint8Array | null = null;
      if (o.signatureFile !== undefined) {
        const f = readJson(o.signatureFile, 'signature file') as Partial<SignatureFile>;
        if (f?.type !== SIGNATURE_TYPE || typeof f.signer !== 'string' || typeof f.signature !== 'string') throw new CliError(`${o.signatureFile} is not a ${SIGNATURE_TYPE} (sov doc sign --offline --out)`);
        if (f.id !== id) throw new CliError(`${o.signatureFile} signs document ${String(f.id)}, not ${id}`);
        if (f.chainId !== status.chainId) throw new CliError(`${o.signatureFile} is for chain ${String(f.chainId)}, not ${status.chainId}`);
        signer = addressArg(f.signer, status.addressPrefix, 'the signature file\'s signer');
        if (o.signer !== undefined && to0x(addressArg(o.signer, status.addressPrefix, '--signer')) !== to0x(signer)) throw new CliError(`${o.signatureFile} is ${f.signer}'s signature, not ${o.signer}'s`);
        signature = fromHex(f.signature, 64);
      } else if (o.signature !== undefined) {
        if (o.signer === undefined) throw new CliError('--signature needs --signer: whose signature it is');
        signer = addressArg(o.signer, status.addressPrefix, '--signer');
        try {
          signature = fromHex(o.signature, 64);
        } catch {
          throw new CliError('--signature is an Ed25519 signature: 64 bytes of hex');
        }
      } else {
        signer = o.signer !== undefined ? addressArg(o.signer, status.addressPrefix, '--signer') : own;
      }
      // By transaction, the signer is the transaction's account; a submitted signature is sent from the key's own account.
      const done = await submitXchg(client, key, signature === null ? signer : undefined, 'sign_doc', { id, signer, signature });
      print({ signed: id, signer: encodeAddress(status.addressPrefix, signer), by: signature === null ? 'transaction' : 'signature', hash: done.hash, height: done.height });
    });

  withKey(c.command('refuse').description('a listed signer that has not signed refuses a document, with its reason: the document closes refused'))
    .argument('<id>', 'the document id')
    .requiredOption('--reason <text>', 'why (up to 256 bytes)')
    .action(async (idText: string, o: KeyOpts & { reason: string }) => {
      const id = idArg(idText);
      const client = clientFor(o);
      const status = await client.status();
      const signer = o.signer !== undefined ? addressArg(o.signer, status.addressPrefix, '--signer') : undefined;
      const done = await submitXchg(client, await keyOf(o), signer, 'refuse_doc', { id, reason: o.reason });
      print({ refused: id, reason: o.reason, hash: done.hash, height: done.height });
    });

  withKey(c.command('expire').description('anyone closes an open document whose deadline has passed: it closes expired'))
    .argument('<id>', 'the document id')
    .action(async (idText: string, o: KeyOpts) => {
      const id = idArg(idText);
      const client = clientFor(o);
      const status = await client.status();
      const signer = o.signer !== undefined ? addressArg(o.signer, status.addressPrefix, '--signer') : undefined;
      const done = await submitXchg(client, await keyOf(o), signer, 'expire_doc', { id });
      print({ expired: id, hash: done.hash, height: done.height });
    });

  withRpc(c.command('get').description('a document: its digest, signer groups, deadline, status (open, complete, refused, expired) and every signature'))
    .argument('<id>', 'the document id')
    .action(async (idText: string, o: RpcOpts) => {
      const id = idArg(idText);
      const r = await clientFor(o).xchgGetDocument(id);
      const value = r.record.value as { status: number } & Record<string, unknown>;
      print({ id, ...value, status: xchg.DOC_STATUS_NAMES[value.status] ?? value.status, readAt: r.record.height });
    });

  withRpc(c.command('proof').description("a document's proof (its state record, the state proof, the header and its commit certificate), verifiable offline with sov doc verify"))
    .argument('<id>', 'the document id')
    .option('--out <file>', 'write it here (default: print it)')
    .action(async (idText: string, o: RpcOpts & { out?: string }) => {
      const id = idArg(idText);
      const r = await clientFor(o).xchgGetDocument(id, true);
      if (r.proof === null) throw new CliError(`no proof of document ${id}`);
      writeJson(o.out, r.proof);
      if (o.out !== undefined) print({ written: o.out, id, height: r.proof.state.height });
    });

  withDigest(withTrust(c.command('verify').description("verify a document's proof OFFLINE, with nothing but trusted validator sets: every stored signature against its key, and (with --digest or --file) that it is this document; prints the verdict, exit status 1 with the reason when it fails")), 'the document it must be')
    .argument('<file>', 'a proof written by sov doc proof')
    .option('--require-complete', 'fail unless every signer has signed')
    .action(async (file: string, o: TrustOpts & { digest?: string; file?: string; requireComplete?: boolean }) => {
      const p = readJson(file, 'document proof') as XchgDocProof;
      const digest = digestOf(o);
      const trust = await trustedSets(o);
      if (p?.type !== DOC_PROOF_TYPE) return verdictFailed(new XchgVerifyError(`${file} is not a ${DOC_PROOF_TYPE}`));
      try {
        if (trust.addressPrefix !== undefined && p.addressPrefix !== trust.addressPrefix) throw new XchgVerifyError(`the proof's address prefix is ${String(p.addressPrefix)}, not ${trust.addressPrefix}`);
        const v = verifyDocProof(p, {
          validators: trust.sets, ...(trust.chainId !== undefined ? { chainId: trust.chainId } : {}), ...(digest ? { digest } : {}), ...(o.requireComplete ? { requireComplete: true } : {}),
        });
        print({ ...verdictOfDoc(v), trusted: trust.sources });
      } catch (e) {
        verdictFailed(e);
      }
    });
}
