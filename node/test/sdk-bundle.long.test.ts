/**
 * The SDK through a bundler, as an integrator's build gets it: the repository packed and
 * installed from its tarball into a project outside the repository (sdk-project.ts), and a
 * program importing `sovereign-ledger` by name bundled with esbuild.
 * - For Node (platform node, ESM): the bundle runs with node against a node in this process:
 *   status, a balance proven against the validator set trusted from the genesis file, a
 *   transfer built, signed, sent and waited for.
 * - For a browser (platform browser, ESM): the bundle takes the package's browser entry and
 *   has no node: built-in (the metafile shows none imported; the only node-only modules left
 *   out, disabled by package.json "browser", are the state layer's storage internals that
 *   proof verification never runs). It then runs in a bare node:vm context given only what
 *   a page has (fetch, WebSocket, crypto.getRandomValues, TextEncoder/TextDecoder, URL,
 *   timers; no process, Buffer, require or node: modules), in a child node (with
 *   --experimental-websocket on Node 20, for its WHATWG WebSocket), and does the same: status, a
 *   proven balance against the genesis given as text, a transfer signed in the page, its
 *   receipt, and its decoded event over the page's WebSocket.
 */
import t from 'tap';
import { build, type Metafile } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '../../core/index.js';
import { inProcessChain } from './in-process-chain.js';
import { installedSdk, run } from './sdk-project.js';

const chain = inProcessChain(t);
const { manifest: m } = chain;
const dir = mkdtempSync(join(tmpdir(), 'sov-sdk-bundle-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** A bank's Node program, bundled for Node. */
const NODE_PROGRAM = `import { SovClient, Wallet, trustGenesis, getBalance, waitForReceipt, loadKeystore, parseAmount, formatAmount, decodeAddress } from 'sovereign-ledger';
const { RPC, GENESIS, KEYSTORE, PASSWORD, FROM, TO, CUR, DECIMALS } = process.env;
const out = (o) => console.log(JSON.stringify(o));
const client = new SovClient(RPC);
const status = await client.status();
out({ step: 'status', chainId: status.chainId, height: status.height });
const trust = await trustGenesis({ path: GENESIS });
const bal = await getBalance(client, FROM, CUR, trust);
out({ step: 'balance', amount: formatAmount(bal.amount, Number(DECIMALS)), verified: bal.verified });
const wallet = new Wallet(client, [await loadKeystore(KEYSTORE, PASSWORD)]);
const sent = await wallet.tx.money.transfer({ currency: CUR, to: decodeAddress(TO, trust.addressPrefix), amount: parseAmount('2.50', Number(DECIMALS)), memo: 'node bundle', reference: '' });
const tx = await waitForReceipt(client, sent.hash);
out({ step: 'receipt', status: tx.receipt.status, events: tx.receipt.events.map((e) => e.fields) });
`;

/** A wallet's page script, bundled for a browser: its settings come from the page (globalThis.WALLET). */
const BROWSER_PROGRAM = `import { SovClient, ResilientSocket, Wallet, trustGenesis, getBalance, waitForReceipt, keyPairFromSecret, fromHex, addressFromPublicKey, encodeAddress, decodeAddress, parseAmount, formatAmount } from 'sovereign-ledger';
const { RPC, GENESIS_JSON, SECRET, TO, CUR, DECIMALS } = globalThis.WALLET;
const out = (o) => console.log(JSON.stringify(o));
const client = new SovClient(RPC);
const status = await client.status();
out({ step: 'status', chainId: status.chainId, height: status.height });
const trust = await trustGenesis({ json: GENESIS_JSON });
const key = keyPairFromSecret(fromHex(SECRET));
const from = encodeAddress(trust.addressPrefix, addressFromPublicKey(key.publicKey));
const bal = await getBalance(client, from, CUR, trust);
out({ step: 'balance', from, amount: formatAmount(bal.amount, DECIMALS), verified: bal.verified });
const ws = await ResilientSocket.connect(RPC);
let resolve;
const got = new Promise((r) => (resolve = r));
await ws.subscribe('account', { address: TO }, (n) => {
  for (const tx of n.result.txs) for (const e of tx.events) if (e.module === 'money' && e.name === 'transfer') resolve(e.fields);
});
const wallet = new Wallet(client, [key]);
const sent = await wallet.tx.money.transfer({ currency: CUR, to: decodeAddress(TO, trust.addressPrefix), amount: parseAmount('1.25', DECIMALS), memo: 'browser bundle', reference: '' });
const tx = await waitForReceipt(client, sent.hash);
out({ step: 'receipt', status: tx.receipt.status });
out({ step: 'event', fields: await got });
await ws.close();
out({ step: 'done' });
`;

/**
 * Runs an ESM bundle in a node:vm context with a page's globals only. The context's own
 * realm makes the typed arrays and strings; the host lends fetch, WebSocket and the others
 * (TextEncoder's output copied into the page's Uint8Array, as a page would make it).
 */
const PAGE_RUNNER = `import vm from 'node:vm';
import { readFileSync } from 'node:fs';
const [bundle, settings] = process.argv.slice(2);
const host = {
  fetch, WebSocket, setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, URL, URLSearchParams, AbortController, AbortSignal,
  console: { log: (...a) => process.stdout.write(a.join(' ') + '\\n'), error: (...a) => process.stderr.write(a.join(' ') + '\\n'), warn: (...a) => process.stderr.write(a.join(' ') + '\\n') },
  encode: (s) => new TextEncoder().encode(s), TextDecoder, getRandomValues: (a) => crypto.getRandomValues(a), settings: JSON.parse(readFileSync(settings, 'utf8')),
};
const context = vm.createContext({ host });
vm.runInContext(\`
  const h = globalThis.host;
  delete globalThis.host;
  const give = (name, value) => Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  for (const k of ['fetch', 'WebSocket', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'URL', 'URLSearchParams', 'AbortController', 'AbortSignal', 'console']) give(k, h[k]);
  give('self', globalThis);
  give('window', globalThis);
  give('TextEncoder', class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(s = '') { return new Uint8Array(h.encode(String(s))); }
    encodeInto(s, dest) {
      let read = 0;
      let written = 0;
      for (const ch of String(s)) {
        const b = h.encode(ch);
        if (written + b.length > dest.length) break;
        dest.set(b, written);
        written += b.length;
        read += ch.length;
      }
      return { read, written };
    }
  });
  give('TextDecoder', class TextDecoder {
    #d;
    constructor(label = 'utf-8', opts = {}) { this.#d = new h.TextDecoder(label, opts); }
    get encoding() { return this.#d.encoding; }
    get fatal() { return this.#d.fatal; }
    decode(b, o) { return this.#d.decode(b, o); }
  });
  give('crypto', { getRandomValues: (a) => h.getRandomValues(a) });
  give('WALLET', h.settings);
\`, context);
// What the page has before the bundle runs: no Node (the bundle brings its own Buffer).
console.log(JSON.stringify({ step: 'page', node: vm.runInContext("[typeof process, typeof Buffer, typeof require, typeof module, typeof global].join(' ')", context) }));
const mod = new vm.SourceTextModule(readFileSync(bundle, 'utf8'), { context, identifier: 'page.mjs' });
await mod.link((spec) => { throw new Error('the bundle still imports ' + spec); });
await mod.evaluate();
`;

/** JSON lines of a program's stdout. */
const steps = (out: string) => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
const step = (all: Record<string, unknown>[], name: string) => all.find((s) => s.step === name);

/** Every import of a module that package.json "browser" disables, as "importer -> import". */
const disabled = (meta: Metafile) => Object.entries(meta.inputs).flatMap(([f, inp]) => inp.imports.filter((i) => i.path.startsWith('(disabled):')).map((i) => `${f.replace(/^.*node_modules\/sovereign-ledger\//, '')} -> ${i.original}`)).sort();

t.test('bundled with esbuild, the SDK runs in Node and, from its browser entry, in a page without Node', async (tt) => {
  const project = await installedSdk(tt, dir, 'wallet-bundle');
  writeFileSync(join(project, 'node-main.mjs'), NODE_PROGRAM);
  writeFileSync(join(project, 'page-main.mjs'), BROWSER_PROGRAM);
  writeFileSync(join(project, 'run-in-page.mjs'), PAGE_RUNNER);
  const genesis = join(m.nodes[0]!.home, 'genesis.json');
  const cur = m.currency;

  await tt.test('for Node', async (t2) => {
    // LevelDB's native binding stays outside the bundle (a .node file cannot be bundled), and
    // the banner gives the bundled CommonJS packages (ws, level) a require for node's built-ins.
    const res = await build({
      entryPoints: [join(project, 'node-main.mjs')], absWorkingDir: project, outfile: join(project, 'out', 'node.mjs'),
      bundle: true, platform: 'node', format: 'esm', external: ['classic-level'], metafile: true, logLevel: 'silent',
      banner: { js: "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);" },
    });
    const inputs = Object.keys(res.metafile.inputs);
    t2.ok(inputs.some((f) => f.endsWith('node_modules/sovereign-ledger/dist/rpc/client/sdk.js')), 'the package\'s Node entry was bundled');
    t2.same(res.errors, [], 'no errors');
    const from = chain.accounts['customer-1']!;
    const to = chain.accounts['customer-2']!;
    const ran = await run(process.execPath, [join(project, 'out', 'node.mjs')], project, {
      RPC: m.nodes[0]!.rpc_url, GENESIS: genesis, KEYSTORE: m.accounts.find((a) => a.name === 'customer-1')!.keystore,
      PASSWORD: readFileSync(m.accounts_password_file, 'utf8').split('\n')[0]!, FROM: from.address, TO: to.address, CUR: cur.code, DECIMALS: String(cur.decimals),
    });
    t2.equal(ran.code, 0, `the Node bundle ran: ${ran.out}`);
    const s = steps(ran.out);
    t2.match(step(s, 'status'), { chainId: m.chain_id, height: Number }, 'status');
    t2.match(step(s, 'balance'), { verified: true, amount: /^\d+(\.\d+)?$/ }, 'a balance proven against the genesis validator set');
    t2.match(step(s, 'receipt'), { status: 'ok', events: [{ from: from.address, to: to.address, amount: '250', memo: 'node bundle' }] }, 'the transfer committed');
  });

  await tt.test('for a browser', async (t2) => {
    const res = await build({
      entryPoints: [join(project, 'page-main.mjs')], absWorkingDir: project, outfile: join(project, 'out', 'page.mjs'),
      bundle: true, platform: 'browser', format: 'esm', metafile: true, logLevel: 'silent',
    });
    t2.same(res.errors, [], 'no errors');
    const meta = res.metafile;
    const inputs = Object.keys(meta.inputs);
    t2.ok(inputs.some((f) => f.endsWith('node_modules/sovereign-ledger/dist/rpc/client/browser.js')), 'the package\'s browser entry was bundled');
    t2.notOk(inputs.some((f) => f.endsWith('dist/rpc/client/sdk.js')), 'not its Node entry');
    t2.ok(inputs.some((f) => f.endsWith('dist/core/platform-browser.js')) && !inputs.some((f) => f.endsWith('dist/core/platform.js')), 'core\'s browser platform, not Node\'s');
    const external = Object.values(meta.inputs).flatMap((i) => i.imports.filter((x) => x.external && x.path !== '<runtime>').map((x) => x.path));
    t2.same(external, [], `nothing left to import at run time: ${JSON.stringify(external)}`);
    t2.same(inputs.filter((f) => /^node:|(^|\/)node_modules\/(ws|classic-level|level)\//.test(f)), [], 'no node: built-in, no ws, no LevelDB in the bundle');
    t2.same(disabled(meta), [
      'dist/state/fast-hash.js -> node:crypto',
      'dist/state/level-kv.js -> level',
      'dist/state/native-tree.js -> node:module',
    ], 'the only node-only imports left out are state storage internals that proof verification never runs');
    t2.same(res.warnings.map((w) => w.text), [], `esbuild warns of nothing: ${JSON.stringify(res.warnings.map((w) => `${w.location?.file}: ${w.text}`))}`);

    const from = chain.accounts['customer-2']!;
    const to = chain.accounts['customer-1']!;
    const settings = join(project, 'wallet.json');
    writeFileSync(settings, JSON.stringify({ RPC: m.nodes[0]!.rpc_url, GENESIS_JSON: readFileSync(genesis, 'utf8'), SECRET: toHex(from.keys.secretKey), TO: to.address, CUR: cur.code, DECIMALS: cur.decimals }));
    // Node 20 has its WHATWG WebSocket behind a flag; later Nodes have it anyway.
    const wsFlag = typeof globalThis.WebSocket === 'undefined' ? ['--experimental-websocket'] : [];
    const ran = await run(process.execPath, [...wsFlag, '--experimental-vm-modules', '--no-warnings', join(project, 'run-in-page.mjs'), join(project, 'out', 'page.mjs'), settings], project);
    t2.equal(ran.code, 0, `the page ran: ${ran.out}`);
    const s = steps(ran.out);
    t2.match(step(s, 'page'), { node: 'undefined undefined undefined undefined undefined' }, 'the page has no process, Buffer, require, module or global');
    t2.match(step(s, 'status'), { chainId: m.chain_id, height: Number }, 'status');
    t2.match(step(s, 'balance'), { from: from.address, verified: true, amount: /^\d+(\.\d+)?$/ }, 'a balance proven in the page against the genesis validator set');
    t2.match(step(s, 'receipt'), { status: 'ok' }, 'a transfer signed in the page committed');
    t2.match(step(s, 'event'), { fields: { from: from.address, to: to.address, amount: '125', currency: cur.code, memo: 'browser bundle' } }, 'its decoded event arrived over the page\'s WebSocket');
    t2.ok(step(s, 'done'), 'the page\'s script ran to its end');
  });
});
