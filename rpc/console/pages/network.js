/**
 * The network's pages: validators (power, share, signatures missed over recent commits, by
 * name from the genesis), institutions and their roles (each record proven), currencies
 * (supply and reserve proven now, and plotted over the chain's life from the state at sampled
 * heights: the node keeps every height's state unless pruned, so no indexer is needed), and
 * search by height, block or transaction hash, or address.
 */
import { rpc, trusted, proven, sdk } from '../conn.js';
import { h, mount, heading, table, fields, accountLink, amount, mark, notice, errorText, short, time } from '../ui.js';
import { chart } from '../chart.js';

const RECENT = 20;

export async function validators(main) {
  mount(main, heading('Validators'), notice('Loading…'));
  const { trust, names } = await trusted();
  const client = rpc();
  const vs = await client.getValidators();
  const heights = [];
  for (let x = vs.height; x >= 1 && heights.length < RECENT; x--) heights.push(x);
  const commits = (await client.batch(heights.map((x) => ({ method: 'sov_getCommit', params: [x] })))).filter((c) => !(c instanceof Error));
  const hex = (a) => sdk.to0x(sdk.decodeAddress(a, trust.addressPrefix));
  const missed = (a) => commits.filter((c) => !c.signatures.some((s) => s.validator.toLowerCase() === hex(a))).length;
  mount(main, heading('Validators'),
    h('p', {}, `${vs.validators.length} validators, total power ${vs.totalPower}, at height ${vs.height}. Missed: signatures absent from the last ${commits.length} commit certificates.`),
    table('Validators', ['Name', 'Address', 'Power', 'Share', 'Missed'], vs.validators.map((v) => [
      names.get(v.address) ?? '—', accountLink(v.address), String(v.power), `${((100 * v.power) / vs.totalPower).toFixed(1)} %`, String(missed(v.address)),
    ])));
}

const ROLE_NAMES = () => Object.entries(sdk.gov.Role ?? {}).filter(([, v]) => typeof v === 'number');

export async function institutions(main) {
  mount(main, heading('Institutions'), notice('Loading…'));
  const { doc } = await trusted();
  const list = doc.institutions ?? [];
  const rows = list.map((i) => {
    const roles = h('span', {}, (i.roles ?? []).join(', '));
    const m = h('span', {}, mark('pending'));
    void proven({ kind: 'institution', address: i.address }).then((r) => {
      if (r.state === 'ok' && r.value) mount(roles, ROLE_NAMES().filter(([, bit]) => (r.value.roles & bit) !== 0).map(([n]) => n.toLowerCase()).join(', ') || 'none');
      mount(m, mark(r.state, r.state === 'ok' ? `at height ${r.height}` : r.error));
    });
    return [i.name, accountLink(i.address), roles, m];
  });
  mount(main, heading('Institutions'), h('p', {}, 'The institutions of the genesis, with their roles as the ledger holds them now (roles granted later by governance show here too).'),
    table('Institutions', ['Name', 'Address', 'Roles', 'Proof'], rows));
}

export async function currencies(main) {
  mount(main, heading('Currencies'), notice('Loading…'));
  const { trust, names } = await trusted();
  const client = rpc();
  const list = await client.getRecord({ kind: 'currency_list' });
  const codes = list.value?.codes ?? [];
  const st = await client.status();
  const sections = codes.map((code) => h('section', { 'aria-labelledby': `cur-${code}` }, h('h2', { id: `cur-${code}` }, code), notice('Loading…')));
  mount(main, heading('Currencies'), sections);
  await Promise.all(codes.map(async (code, k) => {
    const [cur, res] = await Promise.all([proven({ kind: 'currency', currency: code }), proven({ kind: 'reserve', currency: code })]);
    const c = cur.value ?? {};
    const d = c.decimals ?? 0;
    // Supply and reserve at up to 24 heights spread over the chain (pruned heights are left out).
    const n = Math.min(24, st.height);
    const hs = [...new Set(Array.from({ length: n }, (_, i) => Math.max(1, Math.round(((i + 1) * st.height) / n))))];
    const calls = hs.flatMap((x) => [
      { method: 'sov_getRecord', params: { query: { kind: 'currency', currency: code }, height: x } },
      { method: 'sov_getRecord', params: { query: { kind: 'reserve', currency: code }, height: x } },
      { method: 'sov_getBlock', params: [x] },
    ]);
    const got = [];
    for (let i = 0; i < calls.length; i += 90) got.push(...(await client.batch(calls.slice(i, i + 90))));
    const supply = [];
    const attested = [];
    hs.forEach((x, i) => {
      const [s, r, b] = got.slice(3 * i, 3 * i + 3);
      if (s instanceof Error || b instanceof Error) return;
      const at = b.header.time;
      supply.push([at, Number(BigInt(s.value?.supply ?? 0)) / 10 ** d]);
      if (!(r instanceof Error) && r.value) attested.push([at, Number(BigInt(r.value.attested ?? 0)) / 10 ** d]);
    });
    const fmtT = (ms) => time(ms).slice(0, 16);
    mount(sections[k],
      h('h2', { id: `cur-${code}` }, code),
      fields([
        ['Issuer', c.issuer ? accountLink(c.issuer, names.get(c.issuer)) : '—'],
        ['Kind', c.kind === 1 ? 'CBDC' : c.kind === 2 ? 'stablecoin' : String(c.kind ?? '—')],
        ['Paused', c.paused ? 'yes' : 'no'],
        ['Supply', h('span', {}, `${amount(c.supply ?? 0, d)} ${code} `, mark(cur.state, cur.state === 'ok' ? `at height ${cur.height}` : cur.error))],
        ['Reserve', res.value ? h('span', {}, `attested ${amount(res.value.attested ?? 0, d)} ${code}, at ${time(res.value.attestedAt)} `, mark(res.state, res.error)) : h('span', {}, 'no reserve attested (a CBDC has none) ', mark(res.state, res.error))],
      ]),
      chart({ title: `${code} supply over time`, series: [{ label: 'supply', points: supply }, ...(attested.length ? [{ label: 'attested reserve', points: attested }] : [])], fmtX: fmtT, fmtY: (v) => v.toLocaleString('en') }),
    );
  }));
  if (codes.length === 0) mount(main, heading('Currencies'), notice('No currencies.'));
  void trust;
}

/** Search: a height, a block or transaction hash (a block first: sov_getBlockByHash), or an address. */
export async function search(main, [q = '']) {
  const text = decodeURIComponent(q).trim();
  const { trust } = await trusted();
  if (/^[0-9]{1,16}$/.test(text)) return void (location.hash = `#/block/${Number(text)}`);
  if (/^0x[0-9a-fA-F]{64}$/.test(text)) {
    const hash = text.toLowerCase();
    const block = await rpc().call('sov_getBlockByHash', [hash]).catch(() => null);
    return void (location.hash = block ? `#/block/${block.header.height}` : `#/tx/${hash}`);
  }
  if (text.startsWith(`${trust.addressPrefix}1`)) {
    try {
      sdk.decodeAddress(text, trust.addressPrefix);
      return void (location.hash = `#/account/${text}`);
    } catch (e) {
      return mount(main, heading('Search'), notice(`"${short(text, 20)}" is not an address of this chain: ${errorText(e)}`, 'error'));
    }
  }
  mount(main, heading('Search'), notice(text === '' ? 'Type a block height, a block or transaction hash (0x…) or an address.' : `Nothing matches "${short(text, 30)}": type a block height, a block or transaction hash (0x and 64 hex digits) or an address (${trust.addressPrefix}1…).`, text === '' ? 'info' : 'error'));
}
