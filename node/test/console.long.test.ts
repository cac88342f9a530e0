/**
 * The ledger's console in headless Chromium (test/browser.ts) against a 4-validator devnet
 * (real processes; `sov testnet` homes serve the console). Node 0 has three API keys: a
 * regulator's, an admin's (no regulator or bank role) and none other; the council grants the
 * central bank the regulator role, and it registers a flag rule on large payments.
 * - Live: a transfer sent by the test (through node 1) is on node 0's home page within 2 s.
 * - Its page shows the decoded args (amount, memo, payee) and its money.transfer event.
 * - The payee's balance is proven in the page ("verified", the figure the RPC gives); with the
 *   sov_getRecord answer altered in flight (the test rewrites the response: the proven bytes
 *   and the value), the mark turns to a failure and the altered figure is not shown as proven.
 * - The block page names every signer of the commit certificate and verifies its header.
 * - The regulator's pages refuse a missing key, a key the node does not know, a key without
 *   the role, and a forged session (the node refuses the reads); with the regulator's key they
 *   show the alert of a large payment, and a new one arrives live.
 * - Keyboard: the skip link and the navigation are reachable with Tab, Enter follows a link,
 *   and the new page's heading takes the focus. At 375 px wide no main page scrolls sideways.
 * - Screenshots of the main pages (wide and 375 px) are written for review (test/browser.ts).
 * The timings measured on this small chain (first render, a block's time to screen) are
 * printed as comments; the 100,000-block figures come from `npm run bench:console`.
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { decodeAddress, type KeyPair } from '../../core/index.js';
import { ActionKind, hashSecret, makeAction, SovClient, SovSocket, Wallet } from '../../rpc/index.js';
import { comp, gov } from '../../vm/index.js';
import { Devnet } from '../../test/devnet.js';
import { waitFor } from '../../test/index.js';
import { launch, open, screenshotDir } from '../../test/browser.js';

// What the functions run in the page use of it (the project's TypeScript has no DOM types).
declare const document: { body: { dataset: Record<string, string | undefined> }; activeElement: { textContent: string | null; id: string } | null; documentElement: { scrollWidth: number } };
declare const sessionStorage: { setItem(k: string, v: string): void };

const REGULATOR = 'sov_console-test-regulator-secret';
const ADMIN = 'sov_console-test-admin-secret';
const BANK = 'sov_console-test-bank-secret';
const net = Devnet.create({ validators: 4, blockIntervalMs: 200, accounts: 4 });
const m = net.manifest;
writeFileSync(join(m.nodes[0]!.home, 'rpc-keys.toml'),
  `[[key]]\nname = "regulator"\nsha256 = "${hashSecret(REGULATOR)}"\nroles = ["regulator"]\n\n[[key]]\nname = "ops"\nsha256 = "${hashSecret(ADMIN)}"\nroles = ["admin"]\n\n` +
  `[[key]]\nname = "bank-officer"\nsha256 = "${hashSecret(BANK)}"\nroles = ["bank"]\ninstitution = "${m.accounts.find((a) => a.name === 'Commercial Bank')!.address}"\n`);
net.setConfig(0, 'rpc', 'api_keys_file', '"rpc-keys.toml"');
const base = new URL('/console/', m.nodes[0]!.rpc_url).href;
const shots = screenshotDir();
const timings: Record<string, number> = {};

let browser: Browser | null = null;
t.teardown(async () => {
  t.comment(`timings (ms): ${JSON.stringify(timings)}; screenshots in ${shots}`);
  await browser?.close().catch(() => undefined);
  await net.stop();
});

const keys = Object.fromEntries(net.accountKeys().map((a) => [a.name, a]));
const cb = keys['Central Bank']!;
const payer = keys['customer-1']!;
const payee = keys['customer-2']!;
const CUR = m.currency.code;
const client = new SovClient(m.nodes[1]!.rpc_url, { timeoutMs: 60_000 });
const wallets = new Map<string, Wallet>();
const wallet = (k: { name: string; keys: KeyPair }) => {
  let w = wallets.get(k.name);
  if (!w) wallets.set(k.name, (w = new Wallet(client, [k.keys])));
  return w;
};
const raw = (a: string) => decodeAddress(a, m.address_prefix);
const transfer = (amount: bigint, memo: string) => wallet(payer).tx.money.transfer({ currency: CUR, to: raw(payee.address), amount, memo, reference: 'CONSOLE-1' });

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

t.before(async () => {
  // First: without Chromium the test fails here, saying how to install it (it is never skipped).
  browser = await launch();
  net.startAll();
  for (let i = 0; i < net.size; i++) await net.waitHeight(i, 2, 90_000);
  // The regulator role for the central bank, and a flag rule on payments of 1,000.00 and more.
  const w = wallet(cb);
  const granted = await w.tx.gov.propose({ action: makeAction(ActionKind.GRANT_ROLE, { institution: raw(cb.address), role: gov.Role.REGULATOR }), reason: 'supervision' }, { wait: true });
  if (granted.status !== 'committed') throw new Error(`grant: ${JSON.stringify(granted)}`);
  const activation = (await net.height(1)) + 12;
  const rule = await w.tx.comp.register_rule({
    name: 'large', version: 1, source: 'tx.amount >= 100000', scope: { currencies: [CUR], types: [], institutions: [] },
    action: comp.RuleAction.FLAG, severity: 2, activation, shadow: false, legalRef: 'AML Act s.5',
  }, { wait: true });
  if (rule.status !== 'committed') throw new Error(`register_rule: ${JSON.stringify(rule)}`);
  await net.waitHeight(1, activation, 60_000);
});

t.test('the console is served by the node', async (tt) => {
  const res = await fetch(base);
  tt.equal(res.status, 200, 'GET /console/');
  tt.match(res.headers.get('content-type'), /^text\/html/, 'as HTML');
  tt.match(res.headers.get('content-security-policy'), /script-src 'self'/, 'with a content security policy');
  const sdk = await fetch(new URL('sdk.js', base));
  tt.match(sdk.headers.get('content-type'), /^text\/javascript/, 'the SDK bundle as JavaScript');
  const genesis = await (await fetch(new URL('genesis.json', base))).text();
  tt.equal(genesis, readFileSync(join(m.nodes[0]!.home, 'genesis.json'), 'utf8'), 'the node\'s genesis beside the pages');
});

t.test('explorer: live transfer, decoded transaction, proven balance', async (tt) => {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const t0 = Date.now();
  await open(page, base, '#/');
  timings.homeLoadMs = Date.now() - t0;
  timings.homeFirstRenderMs = Math.round(await page.evaluate(() => Number(document.body.dataset.firstRender)));
  await page.waitForSelector('.live[data-live="on"]');

  // A transfer sent now is on the live page within 2 s.
  const sentAt = Date.now();
  const sent = await transfer(750n, 'console test');
  const link = page.locator(`a[href="#/tx/${sent.hash}"]`).first();
  await link.waitFor({ timeout: 10_000 });
  const onScreen = Date.now() - sentAt;
  timings.transferToScreenMs = onScreen;
  tt.ok(onScreen <= 2000, `the transfer was on the live page ${onScreen} ms after it was sent (at most 2000)`);
  await shot(page, 'home');

  // Its page: decoded args and events.
  await link.click();
  await page.waitForFunction((hsh) => document.body.dataset.route === `#/tx/${hsh}` && document.body.dataset.ready === 'true', sent.hash);
  const args = await page.locator('[data-section="args"]').innerText();
  tt.match(args, /amount\s+750/, 'the amount decoded');
  tt.match(args, /memo\s+console test/, 'the memo decoded');
  tt.match(args, new RegExp(`to\\s+${payee.address}`), 'the payee decoded, as an address');
  const events = await page.locator('[data-section="events"]').innerText();
  tt.match(events, /money\.transfer/, 'the transfer event');
  tt.match(events, new RegExp(`from\\s+${payer.address}`), 'with its fields decoded');
  tt.equal(await page.locator('[data-status]').getAttribute('data-status'), 'ok', 'the receipt: ok');
  await shot(page, 'transaction');

  // The payee's balance, verified in the page.
  await open(page, base, `#/account/${payee.address}`);
  const mark = page.locator(`[data-mark="${CUR}"] .mark`);
  await waitFor(async () => (await mark.getAttribute('data-verified')) !== 'pending', 'the balance checked', 15_000);
  tt.equal(await mark.getAttribute('data-verified'), 'ok', 'the payee\'s balance is verified');
  const acct = (await client.getAccount(payee.address)) as unknown as { balances: Record<string, string> };
  const shown = (await page.locator(`[data-balance="${CUR}"]`).innerText()).replace(/,/g, '');
  tt.equal(BigInt(shown.replace('.', '')), BigInt(acct.balances[CUR]!), `the figure shown (${shown}) is the balance`);
  await page.waitForSelector('[data-history-rows]');
  await shot(page, 'account');

  // The same answer altered in flight: the mark turns to a failure.
  let altered = 0;
  await page.route((u) => u.pathname === '/', async (route) => {
    const req = route.request();
    const body = req.method() === 'POST' ? (req.postDataJSON() as { method?: string; params?: { query?: { kind?: string }; prove?: boolean } }) : null;
    if (body?.method !== 'sov_getRecord' || body.params?.query?.kind !== 'balance' || !body.params.prove) return route.continue();
    const res = await route.fetch();
    const j = (await res.json()) as { result: { raw: string; value: { amount: string } } };
    j.result.value = { ...j.result.value, amount: '999999999999' };
    j.result.raw = j.result.raw.slice(0, -1) + (j.result.raw.endsWith('0') ? '1' : '0');
    altered++;
    return route.fulfill({ response: res, json: j });
  });
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  await waitFor(async () => (await mark.getAttribute('data-verified')) !== 'pending', 'the altered balance checked', 15_000);
  tt.ok(altered > 0, 'the answer was altered in flight');
  tt.equal(await mark.getAttribute('data-verified'), 'fail', 'the mark is a failure');
  tt.match(await mark.innerText(), /not verified/, 'it says so');
  tt.notMatch(await page.locator(`[data-balance="${CUR}"]`).innerText(), /9,999,999,999/, 'the altered figure is not shown');
  await shot(page, 'account-altered');
  await page.unroute((u) => u.pathname === '/');

  // A block: signers by name, header verified.
  const tx = await client.getTransaction(sent.hash);
  await open(page, base, `#/block/${tx.height}`);
  await page.waitForSelector('h2 .mark:not([data-verified="pending"])', { timeout: 15_000 });
  tt.equal(await page.locator('h2 .mark').getAttribute('data-verified'), 'ok', 'the block header is certified by the trusted validators');
  const sigs = await page.locator('table:has(caption:text("Commit signatures")) tbody tr').allInnerTexts();
  tt.ok(sigs.length >= 3 && sigs.every((r) => /Validator \d/.test(r)), `the certificate's signers by name: ${sigs.length}`);
  await shot(page, 'block');

  for (const r of ['#/validators', '#/institutions', '#/currencies']) {
    await open(page, base, r);
    tt.notMatch(await page.locator('main').innerText(), /not verified/, `${r}: nothing fails to verify`);
    await shot(page, r.slice(2));
  }
  tt.same(errors, [], 'no script errors');
  await page.close();
});

t.test('the regulator\'s pages refuse a missing or wrong key', async (tt) => {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  await open(page, base, '#/regulator/alerts');
  tt.match(await page.locator('main').innerText(), /An API key with the regulator or bank role is needed/, 'no key: refused, the sign-in form shown');
  tt.equal(await page.locator('#api-key').count(), 1, 'the key field');

  const signIn = async (key: string) => {
    await page.fill('#api-key', key);
    await page.press('#api-key', 'Enter');
  };
  await signIn('sov_not-a-key-of-this-node');
  await page.waitForSelector('.notice-error:text("Refused")');
  tt.match(await page.locator('.notice-error').innerText(), /unknown API key/, 'a wrong key: the node refuses it');
  await signIn(ADMIN);
  await page.waitForSelector('.notice-error:text("neither the regulator nor the bank role")');
  tt.pass('a key without the role: refused');
  await shot(page, 'regulator-refused');

  // A forged session (a wrong key put in the tab's storage): the node refuses the reads themselves.
  await page.evaluate(() => {
    sessionStorage.setItem('sov-console.apiKey', 'sov_forged');
    sessionStorage.setItem('sov-console.apiKey.roles', 'regulator');
  });
  await open(page, base, '#/regulator/alerts');
  tt.match(await page.locator('main').innerText(), /Refused by the node: .*unknown API key/, 'a forged session: the node refuses the reads');

  // The regulator's key: the alert of a large payment, and a new one live.
  const before = await transfer(150_000n, 'large one');
  await waitFor(async () => (await client.getTransaction(before.hash).then(() => true, () => false)), 'the large payment committed', 20_000);
  await net.waitHeight(0, (await client.getTransaction(before.hash)).height, 20_000);
  await open(page, base, '#/regulator');
  await signIn(REGULATOR);
  await page.waitForFunction(() => document.body.dataset.route === '#/regulator/alerts' && document.body.dataset.ready === 'true', undefined, { timeout: 15_000 });
  tt.match(await page.locator('main').innerText(), /large@1/, 'the alert of the large payment is listed');
  tt.ok(await page.locator(`a[href="#/tx/${before.hash}"]`).count() > 0, 'with its transaction');
  const live = await transfer(200_000n, 'large live');
  await page.locator(`table:has(caption:text("Live alerts")) a[href="#/tx/${live.hash}"]`).first().waitFor({ timeout: 10_000 });
  tt.pass('a new alert arrived live');
  await shot(page, 'regulator-alerts');
  for (const tab of ['holds', 'rules', 'reports']) {
    await open(page, base, `#/regulator/${tab}`);
    tt.notMatch(await page.locator('main').innerText(), /Refused by the node/, `${tab}: served to the regulator`);
    await shot(page, `regulator-${tab}`);
  }
  tt.match(await page.locator('main').innerText(), /Transactions per block/, 'throughput plotted');

  // A bank's compliance officer: its own customers' alerts; another institution's, refused by the node.
  const bankAddr = m.accounts.find((a) => a.name === 'Commercial Bank')!.address;
  await page.click('button:text("Sign out")');
  await page.waitForSelector('#api-key');
  await page.fill('#institution', bankAddr);
  await signIn(BANK);
  await page.waitForFunction(() => document.body.dataset.route === '#/regulator/alerts' && document.body.dataset.ready === 'true', undefined, { timeout: 15_000 });
  tt.match(await page.locator('main').innerText(), /for dev1|for [a-z]+1/, 'signed in for its institution');
  tt.ok(await page.locator(`a[href="#/tx/${live.hash}"]`).count() > 0, 'the bank sees its customer\'s alert');
  await shot(page, 'bank-alerts');
  await page.evaluate((a) => sessionStorage.setItem('sov-console.institution', a), cb.address);
  await open(page, base, '#/regulator/holds');
  tt.match(await page.locator('main').innerText(), /Refused by the node/, 'another institution\'s holds: refused by the node');
  await page.close();
});

t.test('keyboard and a 375-pixel-wide screen', async (tt) => {
  const page = await browser!.newPage({ viewport: { width: 375, height: 812 } });
  await open(page, base, '#/');
  // Tab from the top: the skip link first, then the navigation; Enter follows a link; the page's heading takes the focus.
  await page.keyboard.press('Tab');
  tt.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content', 'the skip link comes first');
  let found = false;
  for (let i = 0; i < 10 && !found; i++) {
    await page.keyboard.press('Tab');
    found = (await page.evaluate(() => document.activeElement?.textContent)) === 'Validators';
  }
  tt.ok(found, 'the Validators link is reachable with Tab');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.route === '#/validators' && document.body.dataset.ready === 'true');
  tt.equal(await page.evaluate(() => document.activeElement?.id), 'page-title', 'the new page\'s heading has the focus');
  // The search box: type a height, Enter.
  await page.focus('#q');
  await page.keyboard.type('3');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.route === '#/block/3' && document.body.dataset.ready === 'true');
  tt.pass('search by height with the keyboard');
  // A block's hash finds the block.
  const block4 = (await client.call('sov_getBlock', [4])) as { hash: string };
  await page.fill('#q', block4.hash);
  await page.focus('#q');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.route === '#/block/4' && document.body.dataset.ready === 'true');
  tt.pass('search by block hash');

  const payeePage = `#/account/${payee.address}`;
  const tx = await client.getAccountTransactions(payee.address, { order: 'desc', limit: 1 });
  for (const [name, r] of [['home', '#/'], ['account', payeePage], ['transaction', `#/tx/${tx.items[0]!.hash}`], ['block', '#/block/3'], ['validators', '#/validators'], ['currencies', '#/currencies'], ['regulator', '#/regulator']] as const) {
    await open(page, base, r);
    await page.waitForTimeout(0);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    tt.ok(width <= 375, `${name}: no sideways scroll at 375 px (page width ${width})`);
    await shot(page, `narrow-${name}`);
  }
  await page.close();
});

// Measured on this small chain, in the browser: a new block's time from its commit (the test's own
// newBlocks subscription to node 0 hears of it) to the page's row (its data-shown-at).
t.test('a new block is on screen soon after its commit', async (tt) => {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  await open(page, base, '#/');
  await page.waitForSelector('.live[data-live="on"]');
  const heard = new Map<number, number>();
  const sock = await SovSocket.connect(m.nodes[0]!.rpc_url);
  await sock.subscribe('newBlocks', {}, (n) => heard.set((n.result as { header: { height: number } }).header.height, Date.now()));
  await waitFor(() => heard.size >= 6, 'six blocks heard', 30_000);
  const delays: number[] = [];
  for (const [h, at] of [...heard].slice(1, 6)) {
    await page.waitForSelector(`tr[data-height="${h}"]`, { timeout: 10_000 });
    const shownAt = Number(await page.locator(`tr[data-height="${h}"]`).getAttribute('data-shown-at'));
    delays.push(shownAt - at);
  }
  await sock.close();
  timings.blockToScreenMaxMs = Math.max(...delays);
  tt.ok(Math.max(...delays) < 1000, `each new block on screen within 1 s of the node announcing it: ${JSON.stringify(delays)} ms`);
  await page.close();
});
