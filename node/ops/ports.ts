/**
 * The ports a node will listen on, checked before it writes or opens anything: a port that
 * another process holds is one line naming the config key and the port (NODE_PORT_IN_USE),
 * not a stack trace from deep inside libp2p or the HTTP server after the store is open.
 */
import { createServer } from 'node:net';
import { NodeError } from '../errors.js';

export interface ListenPort {
  /** The config key, e.g. `[rpc] listen`. */
  key: string;
  host: string;
  port: number;
}

/** The TCP port of a `/ip4/HOST/tcp/PORT` (or ip6/dns) multiaddr, or null for another shape. */
export function multiaddrPort(addr: string): { host: string; port: number } | null {
  const m = /^\/(?:ip4|ip6|dns4|dns6|dns)\/([^/]+)\/tcp\/([0-9]{1,5})(?:\/|$)/.exec(addr);
  return m ? { host: m[1]!, port: Number(m[2]) } : null;
}

function probe(p: ListenPort): Promise<string | null> {
  if (p.port === 0) return Promise.resolve(null);
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EADDRINUSE' ? 'is in use' : e.code === 'EACCES' ? 'is not allowed to this user' : null));
    s.listen({ port: p.port, host: p.host, exclusive: true }, () => s.close(() => resolve(null)));
  });
}

/** Refuse, naming the first config key whose port is taken (or forbidden). */
export async function checkPorts(ports: readonly ListenPort[]): Promise<void> {
  for (const p of ports) {
    const problem = await probe(p);
    if (problem !== null) throw new NodeError('NODE_PORT_IN_USE', `${p.key} = ${p.host}:${p.port}: port ${p.port} ${problem}`, { key: p.key, host: p.host, port: p.port });
  }
}
