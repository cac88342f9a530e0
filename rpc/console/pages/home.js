/**
 * Home: the chain at a glance and its latest blocks and transactions, kept live by a
 * newBlocks subscription over the page's WebSocket. Each row carries data-shown-at (the
 * page's clock when it appeared): the browser test measures a new block's time to screen
 * from it. A block's transactions are fetched in one JSON-RPC batch.
 */
import { rpc, trusted, ws, addressOf } from '../conn.js';
import { h, mount, heading, table, blockLink, txLink, accountLink, time, short, notice, errorText } from '../ui.js';

const BLOCKS = 10;
const TXS = 10;

export async function render(main) {
  const status = h('p', { class: 'summary', 'aria-live': 'polite' }, 'Loading…');
  const blocksBox = h('section', { 'aria-labelledby': 'blocks-h' }, h('h2', { id: 'blocks-h' }, 'Latest blocks'));
  const txsBox = h('section', { 'aria-labelledby': 'txs-h' }, h('h2', { id: 'txs-h' }, 'Latest transactions'));
  const live = h('p', { class: 'live', 'data-live': 'connecting' }, '○ connecting…');
  mount(main, heading('Sovereign Ledger'), status, live, h('div', { class: 'grid2' }, blocksBox, txsBox));

  const client = rpc();
  const [{ trust, names }, st] = await Promise.all([trusted(), client.status()]);
  const heights = [];
  for (let x = st.height; x >= 1 && heights.length < BLOCKS; x--) heights.push(x);
  const blocks = (await client.batch(heights.map((x) => ({ method: 'sov_getBlock', params: [x] })))).filter((b) => !(b instanceof Error));
  const hashes = blocks.flatMap((b) => [...b.txs].reverse()).slice(0, TXS);
  const txs = (await client.batch(hashes.map((x) => ({ method: 'sov_getTransaction', params: [x] })))).filter((t) => !(t instanceof Error));

  const state = { blocks, txs, height: st.height };
  const proposer = (b) => {
    const a = addressOf(b.header.proposer, trust.addressPrefix);
    return accountLink(a, names.get(a) ?? short(a, 14));
  };
  const drawBlocks = () => mount(blocksBox, h('h2', { id: 'blocks-h' }, 'Latest blocks'), table('Latest blocks', ['Height', 'Time', 'Txs', 'Proposer', 'Hash'],
    state.blocks.map((b) => [blockLink(b.header.height), time(b.header.time), String(b.txs.length), proposer(b), h('span', { class: 'mono', title: b.hash }, short(b.hash))])));
  const drawTxs = () => mount(txsBox, h('h2', { id: 'txs-h' }, 'Latest transactions'), table('Latest transactions', ['Hash', 'Block', 'Call', 'Signer', 'Result'],
    state.txs.map((t) => [txLink(t.hash), blockLink(t.height), `${t.module}.${t.method}`, accountLink(t.signer, names.get(t.signer)), t.receipt.status]),
    `No transactions in the latest ${BLOCKS} blocks; new ones appear here as they are committed.`));
  const drawStatus = () => mount(status, `Chain ${trust.chainId} · height `, h('strong', { 'data-height': state.height }, String(state.height)), ` · ${trust.validators.size} validators in the trusted set`);
  drawBlocks();
  drawTxs();
  drawStatus();
  // Stamp the rows the first render shows.
  stamp(blocksBox);
  document.body.dataset.firstRender = String(performance.now());

  let closed = false;
  let subId = null;
  const socket = await ws().catch((e) => {
    mount(live, notice(`live updates unavailable: ${errorText(e)}`, 'error'));
    return null;
  });
  if (socket === null) return () => undefined;
  subId = await socket.subscribe('newBlocks', { fromHeight: state.height + 1 }, async (n) => {
    if (closed) return;
    const b = n.result;
    state.height = Math.max(state.height, b.header.height);
    state.blocks = [b, ...state.blocks.filter((x) => x.header.height !== b.header.height)].sort((p, q) => q.header.height - p.header.height).slice(0, BLOCKS);
    drawBlocks();
    drawStatus();
    stamp(blocksBox, b.header.height);
    if (b.txs.length > 0) {
      const got = (await client.batch([...b.txs].reverse().slice(0, TXS).map((x) => ({ method: 'sov_getTransaction', params: [x] })))).filter((t) => !(t instanceof Error));
      if (closed) return;
      state.txs = [...got, ...state.txs.filter((t) => !got.some((g) => g.hash === t.hash))].slice(0, TXS);
      drawTxs();
      for (const row of txsBox.querySelectorAll('tbody tr')) row.dataset.shownAt ??= String(Date.now());
    }
  });
  live.dataset.live = 'on';
  mount(live, '● live');
  return () => {
    closed = true;
    if (subId !== null) socket.unsubscribe(subId).catch(() => undefined);
  };
}

/** Mark rows with the height they show and when they appeared (kept across redraws for the same height). */
const shownAt = new Map();
function stamp(box, fresh) {
  if (fresh !== undefined) shownAt.set(fresh, Date.now());
  for (const row of box.querySelectorAll('tbody tr')) {
    const height = Number(row.querySelector('td')?.textContent);
    row.dataset.height = String(height);
    row.dataset.shownAt = String(shownAt.get(height) ?? Date.now());
    if (!shownAt.has(height)) shownAt.set(height, Number(row.dataset.shownAt));
  }
}
