/**
 * A transaction: where it is (block, position), who signed it, the call with its args decoded
 * by the module's schema (sov_getTransaction gives them with field names; addresses link to
 * their accounts), its receipt (status, code, message, work) and its events, each decoded.
 */
import { rpc, trusted } from '../conn.js';
import { h, mount, heading, table, fields, blockLink, accountLink, notice, errorText, json } from '../ui.js';

/** A decoded value: an address as a link, a list or object as JSON, anything else as text. */
function value(v, prefix, names) {
  if (typeof v === 'string' && v.startsWith(`${prefix}1`) && v.length > 30) return accountLink(v, names.get(v) ?? v);
  if (v !== null && typeof v === 'object') return json(v);
  return v === null || v === undefined ? '—' : String(v);
}

export async function render(main, [hash]) {
  mount(main, heading('Transaction'), notice('Loading…'));
  if (!/^0x[0-9a-fA-F]{64}$/.test(hash ?? '')) return mount(main, heading('Transaction'), notice(`"${hash}" is not a transaction hash (0x and 64 hex digits)`, 'error'));
  const { trust, names } = await trusted();
  let t;
  try {
    t = await rpc().getTransaction(hash.toLowerCase());
  } catch (e) {
    return mount(main, heading('Transaction'), notice(errorText(e), 'error'));
  }
  const r = t.receipt;
  const p = trust.addressPrefix;
  mount(main,
    heading(`Transaction ${t.module}.${t.method}`),
    fields([
      ['Hash', h('span', { class: 'mono wrap' }, t.hash)],
      ['Block', h('span', {}, blockLink(t.height), ` (position ${t.index})`)],
      ['Signer', accountLink(t.signer, names.get(t.signer) ?? t.signer)],
      ['Nonce', String(t.nonce)],
      ['Call', h('strong', {}, `${t.module}.${t.method}`)],
    ]),
    h('section', { 'aria-labelledby': 'args-h', 'data-section': 'args' }, h('h2', { id: 'args-h' }, 'Arguments'),
      t.args === null || t.args === undefined ? notice('These args have no schema to decode them by.') : fields(Object.entries(t.args).map(([k, v]) => [k, value(v, p, names)]))),
    h('section', { 'aria-labelledby': 'rcpt-h', 'data-section': 'receipt' }, h('h2', { id: 'rcpt-h' }, 'Receipt'),
      fields([
        ['Status', h('strong', { class: r.status === 'ok' ? 'ok' : 'bad', 'data-status': r.status }, r.status)],
        r.code ? ['Code', `${r.code}${r.codeName ? ` ${r.codeName}` : ''}`] : null,
        r.message ? ['Message', r.message] : null,
        ['Work', String(r.work)],
        r.result && r.result !== '0x' ? ['Result', h('span', { class: 'mono wrap' }, r.result)] : null,
      ])),
    h('section', { 'aria-labelledby': 'ev-h', 'data-section': 'events' }, h('h2', { id: 'ev-h' }, 'Events'),
      table(`Events of ${t.hash}`, ['#', 'Event', 'Fields'], r.events.map((e, i) => [String(i), `${e.module}.${e.name}`,
        e.fields ? fields(Object.entries(e.fields).map(([k, v]) => [k, value(v, p, names)])) : h('span', { class: 'mono wrap' }, e.data)]), 'No events.')),
  );
}
