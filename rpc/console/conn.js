/**
 * The console's connection to the node that serves it: the SDK bundled for the browser
 * (sdk.js), a JSON-RPC client over HTTP to this origin, one resilient WebSocket for live
 * pages, and the trust anchor: the genesis file the node serves beside the pages
 * (/console/genesis.json), or one the user pasted in Settings (kept in this browser), from
 * which the SDK's trustGenesis takes the chain id, address prefix and validator set that every
 * proof is checked against (docs/console.md says what that trust means).
 */
import * as sdk from './sdk.js';

export { sdk };

const ORIGIN = location.origin;
export const GENESIS_KEY = 'sov-console.genesis';
export const API_KEY = 'sov-console.apiKey';
export const INSTITUTION_KEY = 'sov-console.institution';

let client = null;
/** The public JSON-RPC client (no API key). */
export function rpc() {
  client ??= new sdk.SovClient(`${ORIGIN}/`, { timeoutMs: 20_000 });
  return client;
}

/** A client presenting `apiKey` (the regulator's or a bank officer's). */
export const keyed = (apiKey) => new sdk.SovClient(`${ORIGIN}/`, { timeoutMs: 20_000, apiKey });

let socket = null;
/** The page's one WebSocket (reconnects and resumes its subscriptions by itself). */
export function ws() {
  socket ??= sdk.ResilientSocket.connect(`${ORIGIN}/`, { onState: (s) => document.dispatchEvent(new CustomEvent('sov-socket', { detail: s })) }).catch((e) => {
    socket = null;
    throw e;
  });
  return socket;
}

/** A WebSocket presenting an API key (as the `api_key` query parameter: a browser sends no headers on an upgrade). */
export const keyedWs = (apiKey) => sdk.ResilientSocket.connect(`${ORIGIN}/?api_key=${encodeURIComponent(apiKey)}`);

let chain = null;
/**
 * The trusted chain: `{ trust, doc, source, names, decimals }`. `trust` is the SDK's
 * TrustedChain; `names` maps an address to the name the genesis gives it (validators,
 * institutions); `decimals` a currency code to its decimals.
 */
export function trusted() {
  chain ??= (async () => {
    const pasted = localStorage.getItem(GENESIS_KEY);
    let text = pasted;
    if (text === null) {
      const res = await fetch('genesis.json', { cache: 'no-cache' });
      if (!res.ok) throw new Error(`the node serves no genesis.json (HTTP ${res.status}): paste one in Settings`);
      text = await res.text();
    }
    const trust = await sdk.trustGenesis({ json: text });
    const doc = JSON.parse(text);
    const names = new Map();
    for (const v of doc.validators ?? []) if (v.address) names.set(v.address, v.body ?? v.name ?? v.address);
    for (const i of doc.institutions ?? []) if (i.address && i.name) names.set(i.address, i.name);
    const decimals = new Map((doc.currencies ?? []).map((c) => [c.code, c.decimals]));
    return { trust, doc, source: pasted === null ? 'served by this node' : 'pasted in Settings', names, decimals };
  })();
  chain.catch(() => (chain = null));
  return chain;
}

/** A 0x-hex 20-byte address (as commit signatures give it) as the chain's bech32m address. */
export const addressOf = (hex, prefix) => sdk.encodeAddress(prefix, sdk.fromHex(hex.replace(/^0x/, '')));

/**
 * A state record read with its proof and checked here against the trusted validator set:
 * `{ state: 'ok', value, height, header }` (header: the certified header's JSON view) or `{ state: 'fail', error, value }` (value: the node's
 * unproven word, for showing beside the failure).
 */
export async function proven(query, height) {
  const { trust } = await trusted();
  let answer;
  try {
    answer = await rpc().getRecord(query, { prove: true, ...(height !== undefined ? { height } : {}) });
  } catch (e) {
    return { state: 'fail', error: `no proven answer: ${e.message}`, value: null };
  }
  try {
    const v = sdk.verifyRecord(query, answer, { chainId: trust.chainId, addressPrefix: trust.addressPrefix, validators: trust.validators });
    return { state: 'ok', value: v.value, height: v.height, header: answer.proof.header };
  } catch (e) {
    return { state: 'fail', error: e.message, value: answer?.value ?? null, height: answer?.height };
  }
}
