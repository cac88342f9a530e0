/**
 * An account: kind, status, KYC tier, bank, keys; each balance read with its proof and
 * checked in the browser against the trusted validator set (the figure shown is the proven
 * one; a failed check says why and shows the node's unproven word struck through); the tier's
 * limits of each currency; and its history, newest first, a page at a time
 * (sov_getAccountTransactions with a cursor, then one batch for the page's transactions).
 */
import { rpc, trusted, proven, sdk } from '../conn.js';
import { h, mount, heading, table, fields, blockLink, txLink, accountLink, amount, mark, notice, errorText, button } from '../ui.js';

const PAGE = 20;
/** The account module's enums (AccountKind, AccountStatus) by number, lower-cased. */
const named = (o) => Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [v, k.toLowerCase()]));
const KINDS = named(sdk.account.AccountKind);
const STATUSES = named(sdk.account.AccountStatus);

export async function render(main, [address]) {
  delete document.body.dataset.historyAt;
  delete document.body.dataset.verifiedAt;
  mount(main, heading('Account'), notice('Loading…'));
  const client = rpc();
  const got = client.getAccount(address).then((a) => ({ a }), (e) => ({ e }));
  const { trust, names, decimals } = await trusted();
  const { a: acct, e: failed } = await got;
  if (failed) return mount(main, heading('Account'), notice(errorText(failed), 'error'));
  const codes = Object.keys(acct.balances ?? {});
  const dec = (c) => decimals.get(c) ?? 0;
  const balanceRows = codes.map((c) => {
    const cell = h('span', { 'data-balance': c }, amount(acct.balances[c], dec(c)));
    const markCell = h('span', { 'data-mark': c }, mark('pending'));
    return { c, cell, markCell, row: [c, cell, markCell] };
  });
  const limitsBox = h('div', {});
  const history = h('section', { 'aria-labelledby': 'hist-h' }, h('h2', { id: 'hist-h' }, 'History'));
  mount(main,
    heading(names.get(address) ?? 'Account'),
    fields([
      ['Address', h('span', { class: 'mono wrap' }, address)],
      ['Kind', KINDS[acct.kind] ?? String(acct.kind ?? '—')],
      ['Status', STATUSES[acct.status] ?? String(acct.status ?? '—')],
      ['KYC tier', String(acct.tier ?? '—')],
      ['Bank', acct.bank ? accountLink(acct.bank, names.get(acct.bank) ?? acct.bank) : '—'],
      ['Nonce', String(acct.nonce)],
      ['Keys', `${acct.keys?.length ?? 0} (threshold ${acct.threshold ?? '—'})`],
    ]),
    h('section', { 'aria-labelledby': 'bal-h' }, h('h2', { id: 'bal-h' }, 'Balances'),
      table(`Balances of ${address}`, ['Currency', 'Balance', 'Proof'], balanceRows.map((b) => b.row), 'No balances.')),
    h('section', { 'aria-labelledby': 'lim-h' }, h('h2', { id: 'lim-h' }, `Limits of tier ${acct.tier ?? '—'}`), limitsBox),
    history,
  );
  void showHistory(history, client, address, names, decimals);
  // Limits: the currency's tier limits (its record), as the ledger applies them to this tier.
  void client.batch(codes.map((c) => ({ method: 'sov_getRecord', params: { query: { kind: 'currency', currency: c } } }))).then((recs) => {
    const rows = recs.flatMap((r, i) => {
      const lim = r instanceof Error ? null : r.value?.tiers?.[acct.tier];
      const f = (v) => (v === null || v === undefined ? 'none' : amount(v, dec(codes[i])));
      return lim ? [[codes[i], f(lim.holdingLimit), f(lim.perTxLimit), f(lim.dailyLimit), f(lim.annualLimit)]] : [];
    });
    mount(limitsBox, table('Limits', ['Currency', 'Holding', 'Per payment', 'Daily', 'Annual'], rows, 'No limits.'));
  });
  // Each balance proven, all at once.
  await Promise.all(balanceRows.map(async (b) => {
    const r = await proven({ kind: 'balance', address, currency: b.c });
    if (r.state === 'ok') {
      mount(b.cell, amount(r.value?.amount ?? 0, dec(b.c)));
      mount(b.markCell, mark('ok', `proof and commit certificate checked at height ${r.height} against the ${trust.validators.size} trusted validators`));
    } else {
      mount(b.cell, h('s', { title: 'unproven' }, amount(acct.balances[b.c], dec(b.c))));
      mount(b.markCell, mark('fail', r.error));
    }
  }));
  document.body.dataset.verifiedAt = String(performance.now());
}

/** The account's transactions, newest first, PAGE at a time ("Older" loads the next page). */
async function showHistory(box, client, address, names, decimals) {
  const body = h('div', {});
  const more = h('p', {});
  box.append(body, more);
  let cursor;
  let count = 0;
  const load = async () => {
    mount(more, notice('Loading…'));
    let page;
    try {
      page = await client.getAccountTransactions(address, { order: 'desc', limit: PAGE, ...(cursor ? { after: cursor } : {}) });
    } catch (e) {
      return mount(more, notice(errorText(e), 'error'));
    }
    const txs = await client.batch(page.items.map((i) => ({ method: 'sov_getTransaction', params: [i.hash] })));
    count += page.items.length;
    const rows = page.items.map((i, k) => {
      const t = txs[k] instanceof Error ? null : txs[k];
      const a = t?.args ?? {};
      const what = t ? `${t.module}.${t.method}` : '?';
      const amt = t && a.amount !== undefined && a.currency ? `${amount(a.amount, decimals.get(a.currency) ?? 0)} ${a.currency}` : '';
      const dir = t ? (t.signer === address ? (a.to ? ['to ', accountLink(a.to, names.get(a.to))] : '') : ['from ', accountLink(t.signer, names.get(t.signer))]) : '';
      return [blockLink(i.height), txLink(i.hash), what, h('span', {}, dir), amt, t?.receipt.status ?? ''];
    });
    body.append(table(`History of ${address}, ${count - page.items.length + 1} to ${count}`, ['Block', 'Hash', 'Call', 'Counterparty', 'Amount', 'Result'], rows, count === 0 ? 'No transactions.' : 'No more.'));
    cursor = page.next;
    mount(more, cursor ? button(`Older transactions`, () => void load(), { 'data-action': 'older' }) : h('span', { class: 'empty' }, count > 0 ? `All ${count} shown.` : ''));
    box.dataset.historyRows = String(count);
    // When the first page was on screen (ms since the page loaded): the console benchmark reads it.
    document.body.dataset.historyAt ??= String(performance.now());
  };
  await load();
}
