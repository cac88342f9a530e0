/**
 * docs/rpc.md, rendered from the method declarations (the same source as the OpenRPC
 * document), so the integrators' reference cannot drift: a test compares the file with
 * this output (run it with SOV_WRITE_DOCS=1 to regenerate the file).
 */
import { rpcExamples } from './openrpc.js';
import { RPC_CODE_MEANINGS, RpcCodes } from './errors.js';
import type { MethodRegistry } from './registry.js';

const INTRO = `# JSON-RPC for integrators

Generated from the method declarations (rpc/docs.ts); do not edit by hand. The machine-readable
form is the OpenRPC document served at \`rpc.discover\`.

- Transport: JSON-RPC 2.0 over HTTP POST and over WebSocket at the same address (\`[rpc] listen\`).
  Batches are allowed up to \`[rpc] max_batch\` calls; bodies up to \`[rpc] max_body_bytes\`. An HTTP
  body must be sent as \`Content-Type: application/json\` (or application/json-rpc, application/jsonrequest);
  any other type, or none, is refused with HTTP 415, as geth does: browsers post text/plain and forms
  to any origin without a CORS preflight.
- Error messages that quote what a caller sent show its control, bidirectional-formatting and
  lone-surrogate characters as \`\\uXXXX\` escapes, never raw.
- Params by position (array) or by name (object). Amounts are decimal strings, bytes 0x-hex,
  addresses bech32m with the chain's prefix.
- Proofs: \`sov_getRecord\` with \`prove: true\` returns the stored bytes, the state proof, the header
  of that height and its commit certificate; the SDK's \`verifyRecord\` (rpc/client) checks all of it
  against a validator set the client trusts.
- Subscriptions (WebSocket only): \`sov_subscribe\` returns an id; notifications are
  \`{"method":"sov_subscription","params":{"subscription":id,"result":...}}\`, one per block, in height
  order: \`newBlocks\` gives the block (as \`sov_getBlock\`), \`account\` \`{height, blockHash, txs}\` (transactions
  the address signed or whose events contain it), \`events\` \`{height, blockHash, events}\`. To resume after a
  disconnection, subscribe again with \`fromHeight\` = last height seen + 1: missed blocks are replayed from the
  store, then live ones follow, each once. A client that reads slowly is paused, not buffered for
  (\`[rpc] ws_max_queued_bytes\`); limits: \`ws_max_connections\`, \`ws_max_subscriptions\`.
`;

const ACCESS = `## Access control

- **Public callers** (no key) may call every method without a role: all reads, submitting
  transactions (their signatures authorise them) and subscriptions.
- **API keys** carry roles: \`bank\`, \`regulator\`, \`admin\`. A method with roles (listed under it
  below, and as \`x-roles\` in the OpenRPC document) answers ${RpcCodes.UNAUTHORIZED} (UNAUTHORIZED) to a caller
  holding none of them. The node reads its keys at startup from the TOML file named by
  \`[rpc] api_keys_file\`, which holds only each secret's SHA-256: mint a key with
  \`sov rpc-key new --name NAME --role admin\` (the secret is printed once), check a file with
  \`sov rpc-key check FILE\`, and send the node SIGHUP (\`kill -HUP PID\`) to load it without a restart: a key
  removed or changed is refused from the next request on and its WebSocket sessions are closed; a file
  that does not load changes nothing (the node logs why).
- **Presenting a key**: \`Authorization: Bearer <secret>\` or \`x-api-key: <secret>\` on HTTP requests and
  on the WebSocket upgrade; browsers, which cannot set WebSocket headers, may add \`?api_key=<secret>\`
  to the WebSocket URL. A key that matches nothing is refused outright (HTTP 401 with a
  ${RpcCodes.UNAUTHORIZED} error body; the upgrade refused with 401), never served as the public. Secrets are
  compared by hash, in constant time. \`sov_whoami\` tells a caller who the node takes it for.
  The SDK: \`new SovClient(url, { apiKey })\`, \`SovSocket.connect(url, { apiKey })\`.
- **Rate limits**: token buckets; each call takes one token, so a batch of n calls takes n, and
  every call of every WebSocket message counts. A key has its own rate (\`rate_limit\`, \`burst\` in its
  entry) or \`[rpc] rate_limit_per_key\` / \`rate_limit_key_burst\`; a public caller is limited per remote
  address by \`rate_limit_per_address\` / \`rate_limit_address_burst\` (0: unlimited). Calls over the limit
  get ${RpcCodes.RATE_LIMITED} (RATE_LIMITED) with \`data.retryAfterMs\`; when no call of a request could run,
  HTTP answers 429 with \`Retry-After\`. At most \`rate_limit_max_addresses\` addresses are tracked (idle ones
  dropped first). Behind a reverse proxy, list it in \`trusted_proxies\` so the limit applies to
  the client named by \`X-Forwarded-For\`.
- **Connections**: at most \`[rpc] max_connections\` HTTP connections and \`ws_max_connections\`
  WebSockets, and \`max_connections_per_address\` from one address (proxies exempt).
- **CORS**: only \`[rpc] cors_origins\` get CORS headers, and WebSocket upgrades from other origins are
  refused; \`authorization\` and \`x-api-key\` are allowed request headers.
`;

const SDK = `## TypeScript SDK and the \`sov\` CLI

The SDK is \`rpc/client\`, installable as the package's entry point (docs/sdk.md: a proven
balance, receipts, amounts, batches, a WebSocket that reconnects):

- \`SovClient(url, { apiKey })\` (HTTP, keep-alive) and \`SovSocket.connect(url, { apiKey })\`
  (WebSocket, with \`subscribe\`) have a typed method for every method below.
- \`txBuilders({ chainId, keys })\` has a typed builder for every method of every state-machine
  module, derived from the vm's module table: \`b.money.transfer({ currency, to, amount, memo,
  reference }, { nonce, expiry })\` returns a signed \`Tx\`, and a wrong field is a compile error.
- \`new Wallet(client, keys)\` learns the chain id, the signer's next nonce (then tracks it, so
  several transactions can be in flight) and an expiry, and submits:
  \`await wallet.tx.money.transfer({...}, { wait: true })\`.
- \`argsFromJson\` / \`methodArgsFromJson\` convert JSON args by the method's own schema (amounts
  as decimal strings, addresses bech32m, bytes 0x-hex; a governance action may be named, e.g.
  \`{"action": {"set_param": {"name": "cost_event", "value": 11}}, "reason": "..."}\`).
- \`loadKeystore(path, password)\` opens a keystore written by \`sov keys generate\`;
  \`verifyRecord(query, answer, { chainId, addressPrefix, validators })\` checks a proven answer.

The CLI is built on it:

- \`sov tx\` lists every module method; \`sov tx MODULE METHOD --describe\` shows its args;
  \`sov tx MODULE METHOD --args JSON --key KEYSTORE [--wait]\` signs and submits (\`--offline\`
  signs without a node and prints the transaction).
- \`sov query status|block|commit|tx|validators|account|balance|record|txs|events\` reads;
  \`balance\` and \`record\` take \`--prove\`, and \`--verify GENESIS\` to check the proof against
  the validator set of a trusted genesis file.
- \`sov rpc-key new\` mints an API key (see Access control).
`;

export function renderRpcDoc<C>(registry: MethodRegistry<C>): string {
  const out = [INTRO, ACCESS, SDK, '## Error codes\n', '| code | name | meaning |', '| --- | --- | --- |'];
  for (const [name, code] of Object.entries(RpcCodes)) out.push(`| ${code} | ${name} | ${RPC_CODE_MEANINGS[name as keyof typeof RpcCodes]} |`);
  out.push('', '## Methods', '');
  for (const m of registry.list()) {
    out.push(`### ${m.name}`, '', m.summary, '');
    if (m.roles?.length) out.push(`Roles: ${m.roles.map((r) => `\`${r}\``).join(', ')} (an API key with one of them).`, '');
    if (m.params.length) {
      out.push('| param | required | schema | description |', '| --- | --- | --- | --- |');
      for (const p of m.params) out.push(`| ${p.name} | ${p.required ? 'yes' : 'no'} | \`${JSON.stringify(p.schema).replace(/\|/g, '\\|')}\` | ${p.description ?? ''} |`);
    } else {
      out.push('No params.');
    }
    out.push('', `Result: \`${JSON.stringify(m.result).replace(/\|/g, '\\|')}\``, '');
    const ex = rpcExamples()[m.name];
    if (ex !== undefined) {
      const reply = ex.error ? { jsonrpc: '2.0', id: 1, error: ex.error } : { jsonrpc: '2.0', id: 1, result: ex.result };
      out.push(`Example${ex.note ? ` (${ex.note})` : ''}:`, '', '```json', JSON.stringify({ jsonrpc: '2.0', id: 1, method: m.name, params: ex.params }), '```', '', '```json', JSON.stringify(reply, null, 2), '```', '');
    }
  }
  return out.join('\n');
}
