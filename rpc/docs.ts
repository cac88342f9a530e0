/**
 * docs/rpc.md, rendered from the method declarations (the same source as the OpenRPC
 * document), so the integrators' reference cannot drift: a test compares the file with
 * this output (run it with SOV_WRITE_DOCS=1 to regenerate the file).
 */
import { RpcCodes } from './errors.js';
import type { MethodRegistry } from './registry.js';

const INTRO = `# JSON-RPC for integrators

Generated from the method declarations (rpc/docs.ts); do not edit by hand. The machine-readable
form is the OpenRPC document served at \`rpc.discover\`.

- Transport: JSON-RPC 2.0 over HTTP POST and over WebSocket at the same address (\`[rpc] listen\`).
  Batches are allowed up to \`[rpc] max_batch\` calls; bodies up to \`[rpc] max_body_bytes\`.
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

export function renderRpcDoc<C>(registry: MethodRegistry<C>): string {
  const out = [INTRO, '## Error codes\n', '| code | name |', '| --- | --- |'];
  for (const [name, code] of Object.entries(RpcCodes)) out.push(`| ${code} | ${name} |`);
  out.push('', '## Methods', '');
  for (const m of registry.list()) {
    out.push(`### ${m.name}`, '', m.summary, '');
    if (m.params.length) {
      out.push('| param | required | schema | description |', '| --- | --- | --- | --- |');
      for (const p of m.params) out.push(`| ${p.name} | ${p.required ? 'yes' : 'no'} | \`${JSON.stringify(p.schema).replace(/\|/g, '\\|')}\` | ${p.description ?? ''} |`);
    } else {
      out.push('No params.');
    }
    out.push('', `Result: \`${JSON.stringify(m.result).replace(/\|/g, '\\|')}\``, '');
  }
  return out.join('\n');
}
