/**
 * The console's component helper: `h(tag, props, ...children)` builds DOM nodes (strings
 * become text nodes, never HTML, so nothing the node sends is ever parsed as markup), plus
 * the few pieces every page uses: a table, a definition list, links to blocks, transactions
 * and accounts, the verified mark, amounts by decimals, a pager and a status line.
 */

/** An element: props are attributes (`on*` functions are listeners, `class`, `aria-*`, data-*); children are nodes, strings, numbers, arrays, or null. */
export function h(tag, props = {}, ...children) {
  const el = tag === 'svg' || props.svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false || k === 'svg') continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replace an element's children. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const link = (href, text, props = {}) => h('a', { href, ...props }, text);
export const short = (hex, n = 10) => (typeof hex === 'string' && hex.length > n + 6 ? `${hex.slice(0, n)}…${hex.slice(-4)}` : String(hex ?? ''));
export const blockLink = (height) => link(`#/block/${height}`, String(height));
export const txLink = (hash, full = false) => link(`#/tx/${hash}`, full ? hash : short(hash), { class: 'mono', title: hash });
export const accountLink = (address, name) => link(`#/account/${address}`, name ?? short(address, 14), { class: 'mono', title: address });

/** Block time (ms) as UTC date and time. */
export const time = (ms) => (typeof ms === 'number' ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '');

/** Minor units (decimal string or bigint) as a decimal with `decimals` places. */
export function amount(minor, decimals = 0) {
  let v = BigInt(minor ?? 0);
  const neg = v < 0n;
  if (neg) v = -v;
  const s = v.toString().padStart(decimals + 1, '0');
  const int = s.slice(0, s.length - decimals).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${int}${decimals > 0 ? `.${s.slice(s.length - decimals)}` : ''}`;
}

/** A table with a caption (for screen readers), a header row and one row per item. */
export function table(caption, columns, rows, empty = 'None.') {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': caption },
    h('table', {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((cell) => h('td', {}, cell)))))));
}

/** Label / value pairs. */
export function fields(pairs) {
  return h('dl', { class: 'fields' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '')]));
}

/** A JSON value shown as indented text. */
export const json = (v) => h('pre', { class: 'json' }, JSON.stringify(v, null, 2));

/**
 * The verified mark of a state figure: `pending` while the proof is checked, then `ok` (the
 * proof and commit certificate check against the trusted validator set) or `fail` with why.
 * Its state is also in data-verified, for tests and for styles.
 */
export function mark(state, detail = '') {
  const text = state === 'ok' ? '✓ verified' : state === 'fail' ? '✗ not verified' : '… verifying';
  return h('span', { class: `mark mark-${state}`, 'data-verified': state, role: 'status', title: detail || text }, text, detail && state !== 'ok' ? h('span', { class: 'why' }, ` (${detail})`) : null);
}

/** A message line: info, or an error with role=alert. */
export const notice = (text, kind = 'info') => h('p', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);

/** A page heading that takes focus when the page changes, so keyboard and screen-reader users land on it. */
export const heading = (text) => h('h1', { tabindex: '-1', id: 'page-title' }, text);

/** A button. */
export const button = (text, onclick, props = {}) => h('button', { type: 'button', onclick, ...props }, text);

/** The message of an error from the SDK (an RpcCallError's, or any). */
export const errorText = (e) => (e && e.message ? e.message : String(e));
