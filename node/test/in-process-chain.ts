/**
 * For tests: a one-validator chain in this process (a devnet home, its node started, a
 * client), the accounts' keys by name, and `send`, which signs a call with an account's keys
 * (or others, after a rotation), tracks its nonces and waits for the block.
 */
import type { Test } from 'tap';
import { decodeAddress, type KeyPair } from '../../core/index.js';
import { buildTx, SovClient, type SubmitView } from '../../rpc/index.js';
import { Devnet, type Manifest } from '../../test/devnet.js';
import { waitFor } from '../../test/index.js';
import { loadHome, SovNode } from '../node.js';
import { silentLogger } from '../ops/log.js';

export interface Account {
  name: string;
  address: string;
  keys: KeyPair;
}

export interface InProcessChain {
  manifest: Manifest;
  client: SovClient;
  /** The running node (after the test's `before`). */
  node(): SovNode;
  accounts: Record<string, Account>;
  /** Sign `module.method(args)` as `who` (with `keys`, default its own), submit, and wait for its block. */
  send(who: Account, module: string, method: string, args: unknown, keys?: KeyPair[]): Promise<SubmitView>;
}

/** `prepare`: called with the devnet before its node loads its home (to write config or files there). */
export function inProcessChain(t: Test, prepare?: (net: Devnet) => void): InProcessChain {
  const net = Devnet.create({ validators: 1, blockIntervalMs: 50 });
  const manifest = net.manifest;
  prepare?.(net);
  const client = new SovClient(manifest.nodes[0]!.rpc_url);
  let node: SovNode | undefined;
  t.before(async () => {
    node = new SovNode(await loadHome(manifest.nodes[0]!.home, silentLogger()));
    await node.start();
    await waitFor(async () => (await client.status()).height >= 1, 'a first block', 30_000);
  });
  t.teardown(async () => {
    await node?.stop();
    await net.stop();
  });
  const accounts = Object.fromEntries(net.accountKeys().map((a) => [a.name, a])) as Record<string, Account>;
  const nonces = new Map<string, number>();
  const send = async (who: Account, module: string, method: string, args: unknown, keys: KeyPair[] = [who.keys]): Promise<SubmitView> => {
    const n = nonces.get(who.address) ?? (await client.getAccount(who.address)).nonce;
    nonces.set(who.address, n + 1);
    const h = (await client.status()).height;
    const tx = buildTx({ chainId: manifest.chain_id, keys, signer: decodeAddress(who.address, manifest.address_prefix), nonce: n, expiry: h + 100 }, module, method, args);
    return client.sendTransaction(tx, true);
  };
  return { manifest, client, node: () => node!, accounts, send };
}
