/**
 * Who is calling: API keys with roles, and the public. A client presents a key as
 * `Authorization: Bearer <secret>` or `x-api-key: <secret>` (on HTTP and on the WebSocket
 * upgrade), or as the `api_key` query parameter of the WebSocket URL (browsers cannot set
 * headers there). The node holds only SHA-256 hashes of the secrets and compares them in
 * constant time, against every key. No key: the public caller, limited per remote address.
 * A key that matches nothing is refused outright (HTTP 401, upgrade refused), never
 * downgraded to public, so a mistyped key shows at once. A bank's key may be bound to its
 * institution (an address): the caller carries it, and the supervisory reads answer such a
 * key about that institution only (rpc/comp-query.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RateLimiter, type Grant, type Rate } from './limiter.js';

export const ROLES = ['bank', 'regulator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  readonly name: string;
  /** SHA-256 of the secret (32 bytes). */
  readonly hash: Uint8Array;
  readonly roles: readonly Role[];
  /** Its own rate; else the node's default for keys. */
  readonly rateLimit?: Rate;
  /** The institution (bech32m address) a bank's key speaks for, if bound to one. */
  readonly institution?: string;
}

/** The caller of one request or WebSocket connection. */
export interface Caller {
  /** The API key's name, or null for the public. */
  readonly key: string | null;
  readonly roles: readonly Role[];
  /** The remote address (the client's, behind a trusted proxy). */
  readonly address: string;
  /** The institution its API key is bound to (bech32m), if any. */
  readonly institution?: string;
}

/** The hex SHA-256 of a secret, as the key file holds it. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A new random secret: `sov_` and 32 random bytes in base64url. */
export function mintSecret(): string {
  return 'sov_' + randomBytes(32).toString('base64url');
}

/** May a caller with `callerRoles` call a method allowed to `methodRoles` (empty: public)? */
export function mayCall(methodRoles: readonly string[] | undefined, callerRoles: readonly string[]): boolean {
  return !methodRoles || methodRoles.length === 0 || methodRoles.some((r) => callerRoles.includes(r));
}

/** Longest secret looked at; longer ones are wrong keys. */
const MAX_SECRET = 512;

/**
 * The secret a request presents, null for none, or undefined when what it presents is not a
 * usable credential (another Authorization scheme, two different keys).
 */
export function presentedSecret(req: IncomingMessage, allowQuery: boolean): string | null | undefined {
  const found: string[] = [];
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer +(\S+) *$/i.exec(auth);
    if (!m) return undefined;
    found.push(m[1]!);
  }
  const x = req.headers['x-api-key'];
  if (x !== undefined) found.push(...(Array.isArray(x) ? x : [x]));
  if (allowQuery && req.url && req.url.includes('?')) {
    const q = new URLSearchParams(req.url.slice(req.url.indexOf('?') + 1)).getAll('api_key');
    found.push(...q);
  }
  if (found.length === 0) return null;
  if (found.some((s) => s !== found[0] || s.length === 0 || s.length > MAX_SECRET)) return undefined;
  return found[0]!;
}

export interface AccessOptions {
  keys: readonly ApiKey[];
  limiter?: RateLimiter;
  /** Addresses of reverse proxies whose X-Forwarded-For names the client. */
  trustedProxies?: readonly string[];
}

export type Identified = { ok: true; caller: Caller; apiKey: ApiKey | null } | { ok: false; address: string };

/** API keys, rate limits and the client's address: what both transports ask of each request. */
export class AccessControl {
  private keys: readonly ApiKey[];
  private readonly proxies: ReadonlySet<string>;

  constructor(readonly opts: AccessOptions) {
    this.keys = opts.keys;
    this.proxies = new Set(opts.trustedProxies ?? []);
  }

  /**
   * Put `next` in force (a reloaded keys file): a key removed or changed (secret, roles or
   * rate) is refused from the next request on; an unchanged key stays the same object, so
   * its WebSocket sessions and rate bucket carry on.
   */
  replaceKeys(next: readonly ApiKey[]): void {
    this.keys = next.map((k) => this.keys.find((old) => sameKey(old, k)) ?? k);
  }

  /** True while `key` (as identified earlier) is still in force, unchanged. */
  isCurrent(key: ApiKey): boolean {
    return this.keys.includes(key);
  }

  /** The loaded keys' names, roles and rates (never their hashes). */
  describeKeys(): { name: string; roles: readonly Role[]; rateLimit: Rate | null }[] {
    return this.keys.map((k) => ({ name: k.name, roles: k.roles, rateLimit: this.opts.limiter ? this.opts.limiter.keyRate(k) : null }));
  }

  /** The key whose hash matches `secret`: every key is compared, each in constant time. */
  findKey(secret: string): ApiKey | null {
    const h = createHash('sha256').update(secret, 'utf8').digest();
    let found: ApiKey | null = null;
    for (const k of this.keys) if (timingSafeEqual(h, k.hash) && found === null) found = k;
    return found;
  }

  /** The client's address: the socket's peer, or behind a trusted proxy the last untrusted X-Forwarded-For hop. */
  clientAddress(req: IncomingMessage): string {
    const direct = req.socket.remoteAddress ?? 'unknown';
    if (!this.proxies.has(direct)) return direct;
    const fwd = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(fwd) ? fwd.join(',') : fwd ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) if (!this.proxies.has(hops[i]!)) return hops[i]!.slice(0, 64);
    return direct;
  }

  /** Who sent `req`; not ok when it presents a key that matches nothing. */
  identify(req: IncomingMessage, allowQuery: boolean): Identified {
    const address = this.clientAddress(req);
    const secret = presentedSecret(req, allowQuery);
    if (secret === null) return { ok: true, caller: { key: null, roles: [], address }, apiKey: null };
    const key = secret === undefined ? null : this.findKey(secret);
    if (!key) return { ok: false, address };
    return { ok: true, caller: { key: key.name, roles: key.roles, address, ...(key.institution !== undefined ? { institution: key.institution } : {}) }, apiKey: key };
  }

  /** Take `n` calls from the caller's bucket (its key's, else its address's). */
  admit(who: { caller: Caller; apiKey: ApiKey | null }, n: number): Grant {
    const l = this.opts.limiter;
    if (!l) return { granted: n, retryAfterMs: 0 };
    return who.apiKey ? l.takeForKey(who.apiKey, n) : l.takeForAddress(who.caller.address, n);
  }
}

function sameKey(a: ApiKey, b: ApiKey): boolean {
  return a.name === b.name && a.hash.length === b.hash.length && timingSafeEqual(a.hash, b.hash) && a.roles.length === b.roles.length && a.roles.every((r, i) => r === b.roles[i])
    && a.rateLimit?.perSecond === b.rateLimit?.perSecond && a.rateLimit?.burst === b.rateLimit?.burst && a.institution === b.institution;
}
