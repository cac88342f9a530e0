/**
 * A block: its header, its transactions (one batch of sov_getTransaction), and its commit
 * certificate's signatures by validator name. The header's mark: the page asks for a state
 * record proven at this height (the `chain` record), checks that proof's commit certificate
 * and header against the trusted validator set (the SDK's verifyRecord), and requires the
 * certified header to be, field for field, the header shown.
 */
import { rpc, trusted, addressOf, proven } from '../conn.js';
import { h, mount, heading, table, fields, blockLink, txLink, accountLink, time, short, mark, notice, errorText } from '../ui.js';

export async function render(main, [heightText]) {
  const height = Number(heightText);
  if (!Number.isSafeInteger(height) || height < 1) return mount(main, heading('Block'), notice(`"${heightText}" is not a block height`, 'error'));
  mount(main, heading(`Block ${height}`), notice('Loading…'));
  const { trust, names } = await trusted();
  const client = rpc();
  let b;
  try {
    b = await client.getBlock(height);
  } catch (e) {
    return mount(main, heading(`Block ${height}`), notice(errorText(e), 'error'));
  }
  const txs = (await client.batch(b.txs.map((x) => ({ method: 'sov_getTransaction', params: [x] })))).filter((t) => !(t instanceof Error));
  const hd = b.header;
  const nameOf = (hex) => {
    const a = addressOf(hex, trust.addressPrefix);
    return accountLink(a, names.get(a) ?? short(a, 14));
  };
  const markBox = h('span', {}, mark('pending'));
  const sigs = b.commit?.signatures ?? [];
  const signed = new Set(sigs.map((s) => s.validator.toLowerCase()));
  const missing = trust.validators.validators.filter((v) => !signed.has(`0x${[...v.address].map((x) => x.toString(16).padStart(2, '0')).join('')}`));
  mount(main,
    heading(`Block ${height}`),
    h('nav', { class: 'pager', 'aria-label': 'Neighbouring blocks' }, height > 1 ? h('a', { href: `#/block/${height - 1}`, rel: 'prev' }, '← previous') : null, ' ', h('a', { href: `#/block/${height + 1}`, rel: 'next' }, 'next →')),
    h('section', { 'aria-labelledby': 'hdr-h' }, h('h2', { id: 'hdr-h' }, 'Header ', markBox),
      fields([
        ['Hash', h('span', { class: 'mono wrap' }, b.hash)],
        ['Time', time(hd.time)],
        ['Chain', hd.chainId],
        ['Proposer', nameOf(hd.proposer)],
        ['Transactions', String(hd.txCount)],
        ['Previous block', height > 1 ? h('span', {}, blockLink(height - 1), ' ', h('span', { class: 'mono' }, short(hd.lastBlockHash))) : '—'],
        ['State root', h('span', { class: 'mono wrap' }, hd.stateRoot)],
        ['Results root', h('span', { class: 'mono wrap' }, hd.resultsRoot)],
        ['Transactions root', h('span', { class: 'mono wrap' }, hd.txRoot)],
        ['Validators hash', h('span', { class: 'mono wrap' }, hd.validatorsHash)],
      ])),
    h('section', { 'aria-labelledby': 'txs-h' }, h('h2', { id: 'txs-h' }, 'Transactions'),
      table(`Transactions of block ${height}`, ['#', 'Hash', 'Call', 'Signer', 'Result'], txs.map((t) => [String(t.index), txLink(t.hash), `${t.module}.${t.method}`, accountLink(t.signer, names.get(t.signer)), t.receipt.status]), 'No transactions.')),
    h('section', { 'aria-labelledby': 'sig-h' }, h('h2', { id: 'sig-h' }, 'Commit signatures'),
      b.commit ? h('p', {}, `Round ${b.commit.round}: ${sigs.length} of ${trust.validators.size} validators signed${missing.length ? `; missing: ${missing.map((v) => names.get(sdkAddress(v.address, trust)) ?? short(sdkAddress(v.address, trust), 14)).join(', ')}` : ''}.`) : notice('No commit certificate stored for this block yet.'),
      table(`Commit signatures of block ${height}`, ['Validator', 'Power', 'Signature'], sigs.map((s) => {
        const a = addressOf(s.validator, trust.addressPrefix);
        const v = trust.validators.validators.find((x) => sdkAddress(x.address, trust) === a);
        return [accountLink(a, names.get(a) ?? short(a, 14)), v ? String(v.power) : 'not in the trusted set', h('span', { class: 'mono' }, short(s.signature, 18))];
      }))),
  );
  // The header shown is the one a certificate of the trusted validators signed.
  const r = await proven({ kind: 'chain' }, height);
  if (r.state === 'ok' && !sameHeader(r.header, hd)) mount(markBox, mark('fail', 'the certified header differs from the one shown'));
  else mount(markBox, mark(r.state, r.state === 'ok' ? `commit certificate checked at height ${r.height}` : r.error));
}

const sdkAddress = (bytes, trust) => addressOf([...bytes].map((x) => x.toString(16).padStart(2, '0')).join(''), trust.addressPrefix);
const sameHeader = (a, b) => a !== undefined && JSON.stringify(Object.keys(b).sort().map((k) => [k, b[k]])) === JSON.stringify(Object.keys(b).sort().map((k) => [k, a[k]]));
