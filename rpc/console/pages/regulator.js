/**
 * The regulator's dashboard, and the same pages for a bank's compliance officer limited to
 * its own customers. Every read is made with the API key entered here (sent as the RPC's
 * `Authorization: Bearer` header; on the WebSocket as `api_key`), so the node, not this page,
 * decides: a missing key, a key the node does not know, or a key without the regulator or bank
 * role is refused with the node's own error, shown as it is. The key is kept in this tab's
 * sessionStorage only. Pages: live alerts and holds (a subscription to `alerts`), holds to
 * decide, rule versions with their alert counts, reports per institution with volumes and
 * throughput plotted.
 */
import { keyed, keyedWs, trusted, API_KEY, INSTITUTION_KEY } from '../conn.js';
import { h, mount, heading, table, fields, blockLink, txLink, accountLink, amount, notice, errorText, button, time } from '../ui.js';
import { chart } from '../chart.js';

const TABS = [['alerts', 'Alerts'], ['holds', 'Holds'], ['rules', 'Rules'], ['reports', 'Reports']];

/** The session: the key and who the node takes it for, or null. */
function session() {
  const key = sessionStorage.getItem(API_KEY);
  if (!key) return null;
  return { key, institution: sessionStorage.getItem(INSTITUTION_KEY) || null, roles: (sessionStorage.getItem(`${API_KEY}.roles`) ?? '').split(',').filter(Boolean), name: sessionStorage.getItem(`${API_KEY}.name`) };
}

export function signOut() {
  for (const k of [API_KEY, INSTITUTION_KEY, `${API_KEY}.roles`, `${API_KEY}.name`]) sessionStorage.removeItem(k);
}

/** The sign-in form; `why`: a refusal to show. */
function signIn(main, why) {
  const key = h('input', { id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'key-help' });
  const inst = h('input', { id: 'institution', name: 'institution', type: 'text', autocomplete: 'off', placeholder: 'only for a bank\'s key' });
  const out = h('div', { 'aria-live': 'assertive' }, why ? notice(why, 'error') : null);
  const form = h('form', { class: 'card', onsubmit: async (ev) => {
    ev.preventDefault();
    mount(out, notice('Checking the key with the node…'));
    let who;
    try {
      who = await keyed(key.value.trim()).call('sov_whoami', []);
    } catch (e) {
      return mount(out, notice(`Refused by the node: ${errorText(e)}`, 'error'));
    }
    if (!who.roles.includes('regulator') && !who.roles.includes('bank')) return mount(out, notice(`Refused: the key "${who.key ?? 'public'}" has neither the regulator nor the bank role.`, 'error'));
    sessionStorage.setItem(API_KEY, key.value.trim());
    sessionStorage.setItem(`${API_KEY}.roles`, who.roles.join(','));
    sessionStorage.setItem(`${API_KEY}.name`, who.key ?? '');
    if (inst.value.trim()) sessionStorage.setItem(INSTITUTION_KEY, inst.value.trim());
    location.hash = '#/regulator/alerts';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } },
  h('label', { for: 'api-key' }, 'API key'), key,
  h('p', { id: 'key-help', class: 'help' }, 'An RPC API key with the regulator role, or a bank\'s key bound to its institution (sov rpc-key new). It is sent to this node only and kept in this tab until you sign out.'),
  h('label', { for: 'institution' }, 'Your institution (bank officers)'), inst,
  h('button', { type: 'submit' }, 'Sign in'));
  mount(main, heading('Regulator\'s dashboard'), out, form);
  key.focus();
}

export async function render(main, [tab = 'alerts']) {
  const s = session();
  if (s === null) return signIn(main, tab === 'alerts' && location.hash === '#/regulator' ? null : 'An API key with the regulator or bank role is needed for these pages.');
  const client = keyed(s.key);
  const bank = !s.roles.includes('regulator');
  const nav = h('nav', { class: 'tabs', 'aria-label': 'Dashboard' }, TABS.map(([id, label]) => h('a', { href: `#/regulator/${id}`, 'aria-current': id === tab ? 'page' : null }, label)),
    button('Sign out', () => { signOut(); location.hash = '#/regulator'; }));
  const body = h('div', {}, notice('Loading…'));
  mount(main, heading(`Regulator's dashboard: ${TABS.find(([id]) => id === tab)?.[1] ?? tab}`),
    h('p', { class: 'summary' }, `Signed in as ${s.name || 'a key'} (${s.roles.join(', ')})${bank ? `, for ${s.institution ?? 'your institution'}` : ', every institution'}.`), nav, body);
  const fail = (e) => {
    if (e?.rpcCode === -32006) signOut();
    mount(body, notice(`Refused by the node: ${errorText(e)}`, 'error'));
  };
  if (bank && !s.institution) return mount(body, notice('A bank\'s key reads its own institution only: sign out and give your institution\'s address.', 'error'));
  try {
    if (tab === 'alerts') return await alerts(body, client, s, bank);
    if (tab === 'holds') return await holds(body, client, s, bank);
    if (tab === 'rules') return await rules(body, client);
    if (tab === 'reports') return await reports(body, client, s, bank);
    mount(body, notice(`No page "${tab}".`, 'error'));
  } catch (e) {
    fail(e);
  }
  return undefined;
}

async function alerts(body, client, s, bank) {
  const { names, decimals } = await trusted();
  const fmt = (a) => `${amount(a.amount, decimals.get(a.currency) ?? 0)} ${a.currency}`;
  const row = (a) => [time(a.time), a.rule, String(a.severity), accountLink(a.from, names.get(a.from)), accountLink(a.to, names.get(a.to)), fmt(a), txLink(a.tx.hash)];
  let items;
  if (bank) {
    items = (await client.call('comp_alerts', { by: 'institution', institution: s.institution, order: 'desc', limit: 100 })).items;
  } else {
    const { rules: rs } = await client.call('comp_rules', {});
    const pages = await Promise.all(rs.map((r) => client.call('comp_alerts', { by: 'rule', rule: r.id, order: 'desc', limit: 100 })));
    items = pages.flatMap((p) => p.items).sort((a, b) => b.time - a.time || b.height - a.height).slice(0, 100);
  }
  const liveRows = [];
  const liveBox = h('div', {}, h('p', { class: 'empty' }, 'Waiting for new alerts and holds…'));
  const live = h('p', { class: 'live', 'data-live': 'connecting' }, '○ connecting…');
  mount(body,
    h('section', { 'aria-labelledby': 'live-h' }, h('h2', { id: 'live-h' }, 'Live'), live, liveBox),
    h('section', { 'aria-labelledby': 'al-h' }, h('h2', { id: 'al-h' }, 'Recent alerts'),
      table('Recent alerts', ['Time', 'Rule', 'Severity', 'From', 'To', 'Amount', 'Transaction'], items.map(row), 'No alerts.')));
  const socket = await keyedWs(s.key).catch((e) => {
    mount(live, notice(`live alerts unavailable: ${errorText(e)}`, 'error'));
    return null;
  });
  if (socket === null) return undefined;
  await socket.subscribe('alerts', bank ? { institution: s.institution } : {}, (n) => {
    const r = n.result;
    for (const a of r.alerts ?? []) liveRows.unshift(['alert', ...row(a)]);
    for (const x of r.holds ?? []) liveRows.unshift(['hold', time(x.time), x.rule, '', accountLink(x.from, names.get(x.from)), accountLink(x.to, names.get(x.to)), fmt(x), txLink(x.tx?.hash ?? x.tx)]);
    mount(liveBox, table('Live alerts and holds', ['Kind', 'Time', 'Rule', 'Severity', 'From', 'To', 'Amount', 'Transaction'], liveRows.slice(0, 50)));
  });
  live.dataset.live = 'on';
  mount(live, '● live');
  return () => void socket.close();
}

async function holds(body, client, s, bank) {
  const { names, decimals } = await trusted();
  const q = bank ? { institution: s.institution } : {};
  const [open, all] = await Promise.all([client.call('comp_holds', { ...q, status: 'held', limit: 100 }), client.call('comp_holds', { ...q, limit: 100 })]);
  const row = (x) => [String(x.id), x.rule, accountLink(x.from, names.get(x.from)), accountLink(x.to, names.get(x.to)), `${amount(x.amount, decimals.get(x.currency) ?? 0)} ${x.currency}`, blockLink(x.height), x.status, x.reason || ''];
  const cols = ['Id', 'Rule', 'From', 'To', 'Amount', 'Held at', 'Status', 'Reason'];
  mount(body,
    h('section', { 'aria-labelledby': 'open-h' }, h('h2', { id: 'open-h' }, 'To decide'),
      table('Holds to decide', cols, open.items.map(row), 'No payment is held.'),
      h('p', { class: 'help' }, 'A hold is decided by a signed transaction of the regulator or the bank of the payer or payee: ', h('code', {}, 'sov compliance release ID --reason TEXT --key KEYSTORE'), ' (or ', h('code', {}, 'refuse'), '). The decision shows here once committed.')),
    h('section', { 'aria-labelledby': 'all-h' }, h('h2', { id: 'all-h' }, 'All holds'), table('All holds', cols, all.items.map(row), 'No holds.')));
}

async function rules(body, client) {
  const { rules: rs, height } = await client.call('comp_rules', {});
  const counts = await Promise.all(rs.map((r) => client.call('comp_alerts', { by: 'rule', rule: r.id, limit: 1000 }).then((p) => `${p.items.length}${p.next ? '+' : ''}`, (e) => `? (${errorText(e)})`)));
  mount(body, h('p', {}, `The rules in force at height ${height}, in the order every payment runs them, with the alerts each has raised.`),
    table('Rules in force', ['Rule', 'Status', 'Action', 'Severity', 'Since', 'Alerts', 'Legal reference', 'Source'], rs.map((r, i) => [
      h('strong', {}, r.id), r.status, r.action, String(r.severity), blockLink(r.activation), counts[i], r.legalRef, h('code', {}, r.source),
    ]), 'No rules in force.'));
}

async function reports(body, client, s, bank) {
  const { doc, names } = await trusted();
  const banks = bank ? [{ name: names.get(s.institution) ?? s.institution, address: s.institution }] : (doc.institutions ?? []).filter((i) => (i.roles ?? []).some((r) => /bank/.test(r))).sort((a, b) => Number(b.roles.includes('commercial_bank')) - Number(a.roles.includes('commercial_bank')));
  const select = h('select', { id: 'inst', name: 'institution' }, banks.map((b) => h('option', { value: b.address }, b.name)));
  const out = h('div', {});
  const show = async () => {
    mount(out, notice('Loading…'));
    const to = Date.now();
    const from = to - 30 * 86_400_000;
    try {
      const r = await client.call('comp_report', { institution: select.value, from, to, period: 'day' });
      const ps = r.periods;
      const value = (p) => p.payments.currencies.reduce((n, c) => n + Number(c.paying.value) + Number(c.paid.value) + Number(c.both.value), 0);
      mount(out,
        chart({ title: 'Payments per day', kind: 'bar', series: [{ label: 'payments', points: ps.map((p) => [p.start, p.payments.count]) }], fmtX: (ms) => time(ms).slice(0, 10) }),
        chart({ title: 'Volume per day (minor units, all currencies)', kind: 'bar', series: [{ label: 'volume', points: ps.map((p) => [p.start, value(p)]) }], fmtX: (ms) => time(ms).slice(0, 10) }),
        table(`Report of ${names.get(r.institution) ?? r.institution} at height ${r.height}`, ['Day', 'Payments', 'Alerts', 'Holds opened', 'Released', 'Refused', 'Held'],
          ps.filter((p) => p.payments.count + p.alerts.count + p.holds.opened > 0).map((p) => [time(p.start).slice(0, 10), String(p.payments.count), String(p.alerts.count), String(p.holds.opened), String(p.holds.released), String(p.holds.refused), String(p.holds.held)]),
          'No payments in the last 30 days.'));
    } catch (e) {
      mount(out, notice(`Refused by the node: ${errorText(e)}`, 'error'));
    }
  };
  select.addEventListener('change', () => void show());
  const tput = h('div', {});
  mount(body, h('label', { for: 'inst' }, 'Institution '), select, out, h('section', { 'aria-labelledby': 'tp-h' }, h('h2', { id: 'tp-h' }, 'Throughput'), tput));
  await show();
  // Throughput: transactions per block over the last 100 blocks (with the key: its rate limit, not the public's).
  const st = await client.status();
  const hs = [];
  for (let x = st.height; x >= 1 && hs.length < 100; x--) hs.push(x);
  const blocks = (await client.batch(hs.map((x) => ({ method: 'sov_getBlock', params: [x] })))).filter((b) => !(b instanceof Error));
  mount(tput, chart({ title: `Transactions per block, last ${blocks.length} blocks`, series: [{ label: 'transactions', points: blocks.map((b) => [b.header.height, b.header.txCount]) }] }),
    fields([['Blocks', `${hs[hs.length - 1] ?? 0} to ${st.height}`], ['Transactions', String(blocks.reduce((n, b) => n + b.header.txCount, 0))]]));
}
