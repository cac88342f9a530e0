/**
 * The p2p address of a validator's node in genesis: `host:port` (a DNS name, an IPv4
 * address or a bracketed IPv6 address) or a TCP multiaddr `/ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>`
 * optionally ending in `/p2p/<peer id>`. Checked by syntax only (no resolution).
 */
const LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?';
const DNS_RE = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_RE = /^[0-9a-fA-F:.]{2,45}$/;
const PEER_ID_RE = /^[1-9A-HJ-NP-Za-km-z]{40,64}$/;

function portProblem(p: string): string | null {
  if (!/^[0-9]{1,5}$/.test(p)) return 'the port must be a number';
  const n = Number(p);
  return n >= 1 && n <= 65535 ? null : 'the port must be 1..65535';
}

/** Why `s` is not a usable p2p address, or null. */
export function p2pAddressProblem(s: string): string | null {
  if (s.length === 0) return 'missing';
  if (s.length > 256) return 'longer than 256 characters';
  if (s.startsWith('/')) {
    const parts = s.split('/').slice(1);
    const [proto, host, tcp, port, p2p, id, ...rest] = parts;
    if (rest.length > 0 || parts.length < 4 || (parts.length !== 4 && parts.length !== 6)) {
      return `"${s}" is not a multiaddr of the form /ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>[/p2p/<peer id>]`;
    }
    if (proto === 'ip4' ? !IPV4_RE.test(host!) : proto === 'ip6' ? !IPV6_RE.test(host!) : /^dns[46]?$/.test(proto!) ? !DNS_RE.test(host!) : true) {
      return `"${host}" is not a valid ${proto} host`;
    }
    if (tcp !== 'tcp') return 'only /tcp transports are supported';
    const pp = portProblem(port!);
    if (pp) return pp;
    if (parts.length === 6 && (p2p !== 'p2p' || !PEER_ID_RE.test(id!))) return 'the suffix must be /p2p/<peer id>';
    return null;
  }
  const m = /^(\[([^\]]+)\]|[^:]+):([^:]+)$/.exec(s);
  if (!m) return `"${s}" is not host:port or a multiaddr`;
  const host = m[2] ?? m[1]!;
  if (m[2] !== undefined ? !IPV6_RE.test(host) : !(IPV4_RE.test(host) || DNS_RE.test(host))) return `"${host}" is not a valid host`;
  return portProblem(m[3]!);
}
