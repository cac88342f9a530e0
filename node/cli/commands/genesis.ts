/**
 * `sov genesis`: bootstrap a jurisdiction. `init` writes a commented template; each body
 * runs `contribute` on its own machine to sign its entry with its own key; the coordinator
 * runs `collect` to add the signed statements, `build` to write genesis.json (printing its
 * hash and the initial state root), and anyone runs `validate` to check a template or a
 * genesis.json. Problems are printed one per line with the path of the field at fault, and
 * the command exits with status 2; docs/genesis.md walks through the ceremony.
 */
import type { Command } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fromHex, isValidPublicKey, to0x, toHex, CHAIN_ID_RE } from '../../../core/index.js';
import {
  buildFromTemplate, collectContributions, contributionToJson, formatProblems, GenesisError, isoTime, JURISDICTION_RE, openKeystore, p2pAddressProblem,
  parseContribution, parseTemplate, Problems, renderTemplate, signInstitutionStatement, signValidatorStatement, starterTemplate, validateFile,
  type Contribution, type LoadedGenesis, type Problem, type Template,
} from '../../../genesis/index.js';
import { resolvePassword } from '../password.js';
import { CliError, readKeystoreFile } from './keys.js';

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function writeText(path: string, text: string, opts: { overwrite: boolean }): void {
  try {
    writeFileSync(path, text, { flag: opts.overwrite ? 'w' : 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'EEXIST' ? `${path} already exists; not overwriting it` : `cannot write ${path}: ${code ?? (e as Error).message}`);
  }
}

/** Print every problem on stderr (prefixed by the file) and fail with one summary line. */
function fail(file: string, problems: readonly Problem[]): never {
  for (const line of formatProblems(problems)) process.stderr.write(`${file}: ${line}\n`);
  throw new CliError(`${file}: ${problems.length} problem(s)`);
}

function loadTemplate(path: string): Template {
  const { template, problems } = parseTemplate(readText(path));
  if (problems.size > 0 || template === null) fail(path, problems.list);
  return template;
}

function summary(file: string | null, g: LoadedGenesis): string {
  return JSON.stringify({
    ...(file === null ? {} : { genesis: file }),
    chain_id: g.doc.chainId,
    hash: to0x(g.hash),
    state_root: to0x(g.state.stateRoot),
    vm_genesis_hash: to0x(g.state.vmGenesisHash),
    validators: g.doc.validators.length,
    genesis_time: isoTime(g.doc.genesisTime),
  });
}

async function build(templatePath: string, allowUnsigned: boolean): Promise<LoadedGenesis> {
  try {
    return await buildFromTemplate(readText(templatePath), { allowUnsigned }, templatePath);
  } catch (e) {
    if (e instanceof GenesisError && e.code === 'GENESIS_INVALID') fail(templatePath, e.problems);
    throw e;
  }
}

export function registerGenesis(program: Command): void {
  const g = program.command('genesis').description('bootstrap a jurisdiction: template, signing ceremony, genesis.json');

  g.command('init')
    .description('write a commented jurisdiction template (TOML) with every section to fill in')
    .requiredOption('--chain-id <id>', 'the chain id (lower-case letters, digits, . _ -)')
    .requiredOption('--jurisdiction <code>', 'ISO 3166-1 code of the jurisdiction (e.g. NZ)')
    .option('-o, --out <file>', 'where to write the template (default: print it)')
    .option('--genesis-time <time>', 'RFC 3339 genesis time (default: today 00:00 UTC); it is then fixed in the template')
    .action((opts: { chainId: string; jurisdiction: string; out?: string; genesisTime?: string }) => {
      if (!CHAIN_ID_RE.test(opts.chainId)) throw new CliError(`--chain-id "${opts.chainId}" must match ${CHAIN_ID_RE}`);
      if (!JURISDICTION_RE.test(opts.jurisdiction)) throw new CliError(`--jurisdiction "${opts.jurisdiction}" must be 2 or 3 upper-case letters`);
      let time = Math.floor(Date.now() / 86_400_000) * 86_400_000;
      if (opts.genesisTime !== undefined) {
        time = /(Z|[+-]\d\d:\d\d)$/.test(opts.genesisTime) ? new Date(opts.genesisTime).getTime() : NaN;
        if (!(time > 0)) throw new CliError('--genesis-time must be an RFC 3339 date-time with an offset, e.g. 2026-01-01T00:00:00Z');
      }
      const text = renderTemplate(starterTemplate(opts.chainId, opts.jurisdiction, time));
      if (opts.out === undefined) process.stdout.write(text);
      else {
        writeText(opts.out, text, { overwrite: false });
        console.log(JSON.stringify({ template: opts.out, chain_id: opts.chainId, jurisdiction: opts.jurisdiction }));
      }
    });

  g.command('contribute')
    .description("sign this body's validator or institution entry with its own key (the private key stays here)")
    .requiredOption('--template <file>', 'the jurisdiction template (for its chain id and jurisdiction)')
    .requiredOption('--key <keystore>', 'the signing keystore: the validator key, or the institution\'s first account key')
    .requiredOption('--entry <kind>', 'validator or institution')
    .requiredOption('--name <name>', 'the body (validator) or institution name, as in the template')
    .option('--node-key <keystore>', 'validator: the node keystore (only its public key is read)')
    .option('--node-public-key <hex>', 'validator: the node public key, instead of --node-key')
    .option('--p2p-address <addr>', "validator: the node's p2p address (host:port or multiaddr)")
    .option('--extra-key <hex...>', 'institution: further account public keys (multi-signature)')
    .option('--threshold <n>', 'institution: signatures needed (default 1)', '1')
    .option('-o, --out <file>', 'where to write the signed contribution (default: print it)')
    .option('--password-file <file>', 'read the keystore password from the first line of this file')
    .option('--password-env <var>', 'read the keystore password from this environment variable')
    .action(async (opts: {
      template: string; key: string; entry: string; name: string; nodeKey?: string; nodePublicKey?: string; p2pAddress?: string; extraKey?: string[];
      threshold: string; out?: string; passwordFile?: string; passwordEnv?: string;
    }) => {
      const t = loadTemplate(opts.template);
      if (opts.entry !== 'validator' && opts.entry !== 'institution') throw new CliError('--entry must be validator or institution');
      const ks = readKeystoreFile(opts.key);
      const wantType = opts.entry === 'validator' ? 'validator' : 'account';
      if (ks.type !== wantType) throw new CliError(`--key ${opts.key} is a ${ks.type} key; a${opts.entry === 'validator' ? ' validator' : 'n institution'} entry is signed with a ${wantType} key`);
      let contribution: Contribution;
      if (opts.entry === 'validator') {
        if (!t.validators.some((v) => v.body === opts.name)) throw new CliError(`the template has no validator with body "${opts.name}"`);
        if (opts.extraKey !== undefined) throw new CliError('--extra-key is for institution entries');
        let nodeKeyHex: string;
        if (opts.nodeKey !== undefined) {
          const nk = readKeystoreFile(opts.nodeKey);
          if (nk.type !== 'node') throw new CliError(`--node-key ${opts.nodeKey} is a ${nk.type} key, not a node key`);
          nodeKeyHex = nk.publicKey;
        } else if (opts.nodePublicKey !== undefined) nodeKeyHex = opts.nodePublicKey;
        else throw new CliError('a validator entry needs --node-key <keystore> or --node-public-key <hex>');
        const nodeKey = fromHex(nodeKeyHex, 32);
        if (!isValidPublicKey(nodeKey)) throw new CliError('the node public key is not a valid Ed25519 key');
        const addr = opts.p2pAddress ?? '';
        const why = p2pAddressProblem(addr);
        if (why !== null) throw new CliError(`--p2p-address: ${why}`);
        const key = openKeystore(ks, await resolvePassword(opts, { confirm: false }));
        const statement = { body: opts.name, publicKey: key.publicKey, nodeKey, p2pAddress: addr };
        const signature = signValidatorStatement(t.chainId, t.jurisdiction, statement, key);
        contribution = { entry: 'validator', chainId: t.chainId, jurisdiction: t.jurisdiction, statement, signature };
      } else {
        if (!t.institutions.some((i) => i.name === opts.name)) throw new CliError(`the template has no institution named "${opts.name}"`);
        if (opts.nodeKey !== undefined || opts.nodePublicKey !== undefined || opts.p2pAddress !== undefined) throw new CliError('node keys and p2p addresses are for validator entries');
        const extra = (opts.extraKey ?? []).map((h) => fromHex(h, 32));
        const threshold = Number(opts.threshold);
        if (!Number.isInteger(threshold) || threshold < 1 || threshold > 1 + extra.length) throw new CliError(`--threshold must be 1..${1 + extra.length}`);
        const key = openKeystore(ks, await resolvePassword(opts, { confirm: false }));
        const statement = { name: opts.name, keys: [key.publicKey, ...extra], threshold };
        const signature = signInstitutionStatement(t.chainId, t.jurisdiction, statement, key);
        contribution = { entry: 'institution', chainId: t.chainId, jurisdiction: t.jurisdiction, statement, signature };
      }
      // Check our own output the way the coordinator will.
      const check = new Problems();
      parseContribution(contributionToJson(contribution), 'contribution', check);
      if (check.size > 0) fail('contribution', check.list);
      const text = JSON.stringify(contributionToJson(contribution), null, 2) + '\n';
      if (opts.out === undefined) process.stdout.write(text);
      else {
        writeText(opts.out, text, { overwrite: false });
        console.log(JSON.stringify({ contribution: opts.out, entry: opts.entry, name: opts.name, public_key: toHex(fromHex(ks.publicKey)) }));
      }
    });

  g.command('collect')
    .description('verify signed contributions and fill them into the template')
    .requiredOption('--template <file>', 'the jurisdiction template')
    .argument('<contribution...>', 'contribution files (JSON) from `sov genesis contribute`')
    .option('-o, --out <file>', 'where to write the filled template (default: rewrite --template in place)')
    .action((files: string[], opts: { template: string; out?: string }) => {
      const t = loadTemplate(opts.template);
      const problems = new Problems();
      const contributions: { source: string; contribution: Contribution }[] = [];
      for (const f of files) {
        let json: unknown;
        try {
          json = JSON.parse(readText(f));
        } catch (e) {
          if (e instanceof CliError) throw e;
          problems.add(f, 'not JSON');
          continue;
        }
        const c = parseContribution(json, f, problems);
        if (c !== null) contributions.push({ source: f, contribution: c });
      }
      const res = collectContributions(t, contributions);
      problems.list.push(...res.problems.list);
      if (problems.size > 0) fail(opts.template, problems.list);
      const out = opts.out ?? opts.template;
      writeText(out, renderTemplate(res.template), { overwrite: true });
      for (const line of res.applied) console.log(line);
      console.log(JSON.stringify({ template: out, collected: res.applied.length }));
    });

  g.command('build')
    .description('build genesis.json from a complete template; prints its hash and the initial state root')
    .requiredOption('--template <file>', 'the collected jurisdiction template')
    .option('-o, --out <file>', 'where to write genesis.json', 'genesis.json')
    .option('--allow-unsigned', 'accept entries without contribution signatures (drafts only)', false)
    .action(async (opts: { template: string; out: string; allowUnsigned: boolean }) => {
      const g2 = await build(opts.template, opts.allowUnsigned);
      writeText(opts.out, g2.json, { overwrite: true });
      console.log(summary(opts.out, g2));
    });

  g.command('validate')
    .description('check a template (.toml) or a genesis.json: every problem, with the path of the field at fault')
    .argument('<file>', 'the template or genesis.json')
    .option('--allow-unsigned', 'accept entries without contribution signatures (drafts only)', false)
    .action(async (file: string, opts: { allowUnsigned: boolean }) => {
      if (!existsSync(file)) throw new CliError(`cannot read ${file}: ENOENT`);
      const { problems, loaded } = await validateFile(file, { allowUnsigned: opts.allowUnsigned });
      if (problems.length > 0 || loaded === null) fail(file, problems);
      console.log(summary(null, loaded));
    });
}
