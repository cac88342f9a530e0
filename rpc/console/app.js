/**
 * The console's shell: hash routes to pages (#/, #/block/H, #/tx/HASH, #/account/ADDR,
 * #/validators, #/institutions, #/currencies, #/search/Q, #/regulator[/TAB], #/settings),
 * the search box, focus moved to each new page's heading after a navigation (keyboard and
 * screen-reader users land on it), and a page's cleanup (its subscriptions) run when it is left.
 */
import * as home from './pages/home.js';
import * as block from './pages/block.js';
import * as tx from './pages/tx.js';
import * as account from './pages/account.js';
import * as network from './pages/network.js';
import * as regulator from './pages/regulator.js';
import { GENESIS_KEY, trusted } from './conn.js';
import { h, mount, heading, notice, errorText, button } from './ui.js';

const ROUTES = {
  '': home.render,
  block: block.render,
  tx: tx.render,
  account: account.render,
  validators: network.validators,
  institutions: network.institutions,
  currencies: network.currencies,
  search: network.search,
  regulator: regulator.render,
  settings,
};

const main = document.getElementById('main');
let cleanup = null;
let seq = 0;
let firstLoad = true;

async function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const [name = '', ...args] = parts;
  const page = ROUTES[name];
  const mine = ++seq;
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
  for (const a of document.querySelectorAll('header nav a')) a.toggleAttribute('aria-current', a.getAttribute('href') === `#/${name}`);
  document.body.dataset.page = name || 'home';
  document.body.dataset.ready = 'false';
  const here = location.hash || '#/';
  if (!page) {
    mount(main, heading('Not found'), notice(`No page "${name}".`, 'error'));
  } else {
    try {
      const c = await page(main, args);
      if (mine !== seq) {
        if (typeof c === 'function') c();
        return;
      }
      cleanup = c;
    } catch (e) {
      if (mine === seq) main.append(notice(errorText(e), 'error'));
    }
  }
  if (mine !== seq) return;
  document.body.dataset.route = here;
  document.body.dataset.ready = 'true';
  const title = document.getElementById('page-title');
  // Not on the first load: Tab from the top then reaches the skip link and the navigation first.
  if (title && !firstLoad && document.activeElement?.tagName !== 'INPUT') title.focus({ preventScroll: false });
  firstLoad = false;
  document.title = `${title?.textContent ?? 'Console'} · Sovereign Ledger`;
}

/** Settings: the trust anchor (the genesis the proofs are checked against). */
async function settings(el) {
  const area = h('textarea', { id: 'genesis', rows: 8, spellcheck: 'false' }, localStorage.getItem(GENESIS_KEY) ?? '');
  const out = h('div', { 'aria-live': 'polite' });
  let current = '';
  try {
    const c = await trusted();
    current = `Now trusting the genesis ${c.source}: chain ${c.trust.chainId}, ${c.trust.validators.size} validators.`;
  } catch (e) {
    current = `No trusted genesis: ${errorText(e)}`;
  }
  mount(el, heading('Settings'),
    h('p', {}, current),
    h('p', { class: 'help' }, 'Every "verified" mark checks a proof and a commit certificate against the validators of a genesis file. By default it is the one this node serves; to trust only yours, paste the genesis.json your jurisdiction published (compare its hash out of band).'),
    h('label', { for: 'genesis' }, 'Trusted genesis.json'), area,
    h('p', {}, button('Trust this genesis', () => {
      try {
        JSON.parse(area.value);
      } catch (e) {
        return mount(out, notice(`Not JSON: ${errorText(e)}`, 'error'));
      }
      localStorage.setItem(GENESIS_KEY, area.value);
      location.reload();
    }), ' ', button('Use the node\'s genesis', () => {
      localStorage.removeItem(GENESIS_KEY);
      location.reload();
    })), out);
}

document.getElementById('search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = document.getElementById('q').value.trim();
  if (q) location.hash = `#/search/${encodeURIComponent(q)}`;
});
document.addEventListener('sov-socket', (ev) => {
  for (const el of document.querySelectorAll('.live')) {
    el.dataset.live = ev.detail === 'up' ? 'on' : 'down';
    el.textContent = ev.detail === 'up' ? '● live' : '○ reconnecting…';
  }
});
window.addEventListener('hashchange', () => void route());
void route();
