/**
 * `sov cred`: verifiable credentials from the shell, through the SDK. An accreditor registers
 * schemas (`register-schema`); an issuer signs a batch and anchors it (`issue`: one package
 * file per credential, named by its status index), suspends, reinstates and revokes
 * (`suspend`, `reinstate`, `revoke`) and publishes its status lists as W3C
 * BitstringStatusListCredentials (`export-status`); a holder presents an SD-JWT VC with the
 * claims it chooses (`present`); anyone verifies a package against the ledger's proofs and a
 * trusted genesis file (`verify`). Accreditation goes through `sov tx`: governance accredits
 * accreditors (`sov tx gov propose` with an accredit_accreditor action), accreditors accredit
 * issuers (`sov tx cred accredit_issuer`). docs/credentials.md walks through all of it.
 */
import type { Command } from 'commander';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addressFromPublicKey, decodeAddress, encodeAddress, fromHex, safeJsonText, ValidatorSet, type KeyPair } from '../../../core/index.js';
import { loadGenesisFile } from '../../../genesis/index.js';
import { cred } from '../../../vm/index.js';
import {
  exportStatusList, issueBatch, ledgerRefOf, loadKeystore, presentSdJwtVc, verifyCredentialPackage, Wallet,
  type CredentialPackage, type CredentialSubjectInput, type SovClient,
} from '../../../rpc/index.js';
import { resolvePassword } from '../password.js';
import { CliError } from './keys.js';
import { clientFor, DEFAULT_RPC, uintArg } from './tx.js';

const print = (v: unknown): void => console.log(safeJsonText(v, 2));
const DAY = 86_400_000;

interface KeyOpts {
  key: string;
  passwordFile?: string;
  passwordEnv?: string;
  rpc: string;
  apiKey?: string;
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${what} ${path} is not JSON: ${(e as Error).message}`);
  }
}

async function keyOf(o: { key: string; passwordFile?: string; passwordEnv?: string }): Promise<KeyPair> {
  const password = await resolvePassword(o, { confirm: false });
  return loadKeystore(o.key, password);
}

function withKey(c: Command): Command {
  return c
    .requiredOption('-k, --key <file>', "the signer's keystore")
    .option('--password-file <file>', "read the keystore's password from the first line of this file")
    .option('--password-env <var>', "read the keystore's password from this environment variable")
    .option('--signer <address>', "the signing account when it is not the key's own address")
    .option('--rpc <url>', "the node's JSON-RPC URL", DEFAULT_RPC)
    .option('--api-key <key>', 'an RPC API key, sent as a bearer token');
}

/** Submit `cred.method(args)` signed by the key, and wait for it; a failure is a CliError with the code. */
async function submit(client: SovClient, key: KeyPair, signer: Uint8Array | undefined, method: string, args: unknown): Promise<{ hash: string; height: number | null }> {
  const status = await client.status();
  const wallet = new Wallet(client, [key], { chainId: status.chainId, ...(signer ? { signer } : {}) });
  const out = await wallet.send('cred', method, args, { wait: true });
  if (out.status !== 'committed') throw new CliError(`cred.${method} ${out.status}${out.code !== null ? ` with code ${out.code}` : ''}${out.message ? `: ${out.message}` : ''}`);
  return { hash: out.hash, height: out.height };
}

async function trusted(genesisPath: string): Promise<{ chainId: string; addressPrefix: string; set: ValidatorSet }> {
  const g = await loadGenesisFile(genesisPath);
  return { chainId: g.doc.chainId, addressPrefix: g.doc.addressPrefix, set: new ValidatorSet(g.state.validators.map((v) => ({ address: addressFromPublicKey(v.publicKey), publicKey: v.publicKey, power: v.power }))) };
}

function statusChange(verb: 'suspend' | 'reinstate' | 'revoke'): (index: number, reason: number) => { index: number; purpose: number; set: boolean; reason: number } {
  return (index, reason) => ({ index, purpose: verb === 'revoke' ? cred.StatusPurpose.REVOCATION : cred.StatusPurpose.SUSPENSION, set: verb !== 'reinstate', reason });
}

export function registerCred(program: Command): void {
  const c = program.command('cred').description('verifiable credentials: register schemas, issue and anchor, present, verify, suspend, reinstate, revoke, export status lists');

  withKey(c.command('register-schema').description('an accreditor registers a credential schema (typeId@version) with its JSON Schema'))
    .requiredOption('--type <typeId>', 'the credential type, e.g. national-id')
    .requiredOption('--schema-version <n>', 'its version (a number)')
    .requiredOption('--json-schema <file>', "the JSON Schema of the subject's claims")
    .option('--selective <names>', 'claims holders may disclose selectively, comma-separated', '')
    .option('--issuers <addresses>', 'the only issuers allowed, comma-separated (default: any accredited for the type)', '')
    .option('--max-days <n>', 'the longest validity, in days', '365')
    .action(async (o: KeyOpts & { signer?: string; type: string; schemaVersion: string; jsonSchema: string; selective: string; issuers: string; maxDays: string }) => {
      const client = clientFor(o);
      const status = await client.status();
      const schema = readJson(o.jsonSchema, 'JSON Schema');
      const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x !== '');
      const args = {
        typeId: o.type, version: uintArg(o.schemaVersion, '--schema-version'), jsonSchema: JSON.stringify(schema), selective: list(o.selective),
        issuers: list(o.issuers).map((a) => decodeAddress(a, status.addressPrefix)), maxValidityMs: uintArg(o.maxDays, '--max-days') * DAY,
      };
      const key = await keyOf(o);
      print({ schema: `${o.type}@${args.version}`, ...(await submit(client, key, o.signer ? decodeAddress(o.signer, status.addressPrefix) : undefined, 'register_schema', args)) });
    });

  withKey(c.command('issue').description('sign a batch of credentials of a schema and anchor it; writes one package per credential into --out, named by its status index'))
    .requiredOption('--schema <id>', 'the schema, typeId@version')
    .requiredOption('--subjects <file>', 'a JSON list of {"id"?: did, "holderPublicKey"?: hex (SD-JWT), "claims": {...}}')
    .requiredOption('--out <dir>', 'where to write the packages')
    .requiredOption('--status-url <url>', "where the issuer publishes its status lists (their credentialStatus points at <url>/revocation and <url>/suspension)")
    .option('--format <format>', 'vc (W3C VC 2.0, eddsa-jcs-2022) or sd-jwt (SD-JWT VC, selective disclosure)', 'vc')
    .option('--valid-days <n>', 'validity from now, in days', '365')
    .action(async (o: KeyOpts & { signer?: string; schema: string; subjects: string; out: string; statusUrl: string; format: string; validDays: string }) => {
      if (o.format !== 'vc' && o.format !== 'sd-jwt') throw new CliError('--format is vc or sd-jwt');
      const client = clientFor(o);
      const status = await client.status();
      const key = await keyOf(o);
      const signer = o.signer ? decodeAddress(o.signer, status.addressPrefix) : addressFromPublicKey(key.publicKey);
      const issuer = encodeAddress(status.addressPrefix, signer);
      const schema = (await client.getRecord({ kind: 'cred_schema', schema: o.schema })).value as { typeId: string; selective: string[] } | null;
      if (schema === null) throw new CliError(`no schema ${o.schema}`);
      const list = readJson(o.subjects, 'subjects');
      if (!Array.isArray(list) || list.length === 0) throw new CliError('--subjects is a non-empty JSON list');
      const subjects: CredentialSubjectInput[] = list.map((s, i) => {
        const x = s as { id?: unknown; holderPublicKey?: unknown; claims?: unknown };
        if (typeof x !== 'object' || x === null || typeof x.claims !== 'object' || x.claims === null) throw new CliError(`subject ${i}: {"claims": {...}} is needed`);
        return {
          ...(typeof x.id === 'string' ? { id: x.id } : {}),
          ...(typeof x.holderPublicKey === 'string' ? { holderPublicKey: fromHex(x.holderPublicKey, 32) } : {}),
          claims: x.claims as Record<string, unknown>,
        };
      });
      const next = (await client.getRecord({ kind: 'cred_issuer', issuer })).value as { nextIndex: number } | null;
      const first = next === null ? 0 : Number(next.nextIndex);
      const now = Date.now();
      const batch = await issueBatch({
        format: o.format, chainId: status.chainId, addressPrefix: status.addressPrefix, issuerKey: key, issuerAccount: signer,
        schema: { id: o.schema, typeId: schema.typeId, selective: schema.selective }, first, subjects, validFrom: now, validUntil: now + uintArg(o.validDays, '--valid-days') * DAY,
        statusBaseUrl: o.statusUrl,
      });
      const anchored = await submit(client, key, o.signer ? signer : undefined, 'anchor', { schema: o.schema, first, count: batch.count, root: batch.root });
      mkdirSync(o.out, { recursive: true });
      batch.packages.forEach((p, i) => writeFileSync(join(o.out, `${first + i}.json`), safeJsonText(p, 2) + '\n', { mode: 0o600 }));
      print({ issuer, schema: o.schema, first, count: batch.count, root: '0x' + Buffer.from(batch.root).toString('hex'), ...anchored, out: o.out });
    });

  c.command('present')
    .description("present an SD-JWT VC package, disclosing the claims given, bound to the holder's key, the verifier's audience and nonce")
    .argument('<package>', 'the package file')
    .requiredOption('-k, --holder-key <file>', "the holder's keystore (the key the credential is bound to)")
    .option('--password-file <file>', "read the keystore's password from the first line of this file")
    .option('--password-env <var>', "read the keystore's password from this environment variable")
    .option('--disclose <names>', 'the claims to disclose, comma-separated', '')
    .requiredOption('--aud <audience>', 'the verifier')
    .requiredOption('--nonce <nonce>', "the verifier's nonce")
    .requiredOption('--out <file>', 'where to write the presented package')
    .action(async (path: string, o: { holderKey: string; passwordFile?: string; passwordEnv?: string; disclose: string; aud: string; nonce: string; out: string }) => {
      const pkg = readJson(path, 'package') as CredentialPackage;
      if (pkg.format !== 'sd-jwt') throw new CliError('only an SD-JWT VC is presented selectively (a VC is shown whole)');
      const key = await keyOf({ key: o.holderKey, ...(o.passwordFile ? { passwordFile: o.passwordFile } : {}), ...(o.passwordEnv ? { passwordEnv: o.passwordEnv } : {}) });
      const disclose = o.disclose.split(',').map((x) => x.trim()).filter((x) => x !== '');
      const credential = await presentSdJwtVc(String(pkg.credential), disclose, key, { aud: o.aud, nonce: o.nonce, iat: Math.floor(Date.now() / 1000) });
      writeFileSync(o.out, safeJsonText({ ...pkg, credential }, 2) + '\n');
      print({ presented: o.out, disclosed: disclose });
    });

  c.command('verify')
    .description("verify a credential package against the ledger's proofs, checked with the validator set of a trusted genesis file (exit status 1 when it is not valid)")
    .argument('<package>', 'the package file')
    .requiredOption('--verify <genesis.json>', 'the trusted genesis file (its validator set checks the proofs)')
    .option('--rpc <url>', "the node's JSON-RPC URL", DEFAULT_RPC)
    .option('--api-key <key>', 'an RPC API key, sent as a bearer token')
    .option('--aud <audience>', "an SD-JWT presentation's audience")
    .option('--nonce <nonce>', "an SD-JWT presentation's nonce")
    .option('--require <names>', 'claims the presentation must disclose, comma-separated', '')
    .action(async (path: string, o: { verify: string; rpc: string; apiKey?: string; aud?: string; nonce?: string; require: string }) => {
      const pkg = readJson(path, 'package') as CredentialPackage;
      let ref;
      try {
        ref = ledgerRefOf(pkg);
      } catch (e) {
        print({ valid: false, code: 'CRED_MALFORMED', message: (e as Error).message });
        process.exitCode = 1;
        return;
      }
      const trust = await trusted(o.verify);
      const bundle = await clientFor(o).credProofs(ref.issuer, ref.batch, ref.index);
      const require = o.require.split(',').map((x) => x.trim()).filter((x) => x !== '');
      const verdict = verifyCredentialPackage(pkg, bundle, {
        chainId: trust.chainId, addressPrefix: trust.addressPrefix, validators: trust.set,
        ...(o.aud ? { aud: o.aud } : {}), ...(o.nonce ? { nonce: o.nonce } : {}), ...(require.length ? { requireDisclosed: require } : {}),
      });
      print(verdict);
      if (!verdict.valid) process.exitCode = 1;
    });

  for (const verb of ['suspend', 'reinstate', 'revoke'] as const) {
    const what = verb === 'suspend' ? 'suspend credentials (reinstate lifts it)' : verb === 'reinstate' ? 'lift a suspension' : 'revoke credentials (final)';
    withKey(c.command(verb).description(`an issuer: ${what}, by status index`))
      .requiredOption('--index <n...>', 'status indexes')
      .option('--reason <code>', 'a reason code (your own table; 0: none)', '0')
      .action(async (o: KeyOpts & { signer?: string; index: string[]; reason: string }) => {
        const client = clientFor(o);
        const status = await client.status();
        const key = await keyOf(o);
        const change = statusChange(verb);
        const changes = o.index.map((i) => change(uintArg(i, '--index'), uintArg(o.reason, '--reason')));
        print({ [verb]: changes.map((x) => x.index), ...(await submit(client, key, o.signer ? decodeAddress(o.signer, status.addressPrefix) : undefined, 'set_status', { changes })) });
      });
  }

  withKey(c.command('export-status').description("an issuer publishes its status list of a purpose as a signed W3C BitstringStatusListCredential, from the ledger's bits"))
    .requiredOption('--purpose <purpose>', 'revocation or suspension')
    .requiredOption('--status-url <url>', 'the base URL the credentials point at (the list is <url>/<purpose>)')
    .requiredOption('--out <file>', 'where to write it')
    .action(async (o: KeyOpts & { signer?: string; purpose: string; statusUrl: string; out: string }) => {
      if (o.purpose !== 'revocation' && o.purpose !== 'suspension') throw new CliError('--purpose is revocation or suspension');
      const client = clientFor(o);
      const status = await client.status();
      const key = await keyOf(o);
      const issuer = o.signer ?? encodeAddress(status.addressPrefix, addressFromPublicKey(key.publicKey));
      const { credential: vc, entries, height } = await exportStatusList(client, { issuer, issuerKey: key, purpose: o.purpose, statusBaseUrl: o.statusUrl });
      writeFileSync(o.out, safeJsonText(vc, 2) + '\n');
      print({ exported: o.out, purpose: o.purpose, entries, height, issuer });
    });
}
