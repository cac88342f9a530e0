/**
 * Request-rate limits: token buckets, one per API key and one per remote address of public
 * callers. A bucket holds up to `burst` tokens and refills at `rate` per second; every call
 * takes one (each call of a batch, each call of a WebSocket message). A rate of 0 means
 * unlimited. The clock is injected, so tests never sleep.
 *
 * The per-address table has bounded memory: at most `maxAddresses` buckets. A bucket that
 * has been idle long enough to refill completely is the same as no bucket, so such entries
 * are dropped as they are met (oldest first); when the table is full of active addresses,
 * the least recently used one is evicted. A client holding many addresses therefore cannot
 * grow the table, only cycle its own entries.
 */

export interface Grant {
  /** How many of the asked calls may run (the first `granted` of them). */
  granted: number;
  /** When refused in part or whole: milliseconds until the next call may run. */
  retryAfterMs: number;
}

export interface Rate {
  /** Tokens per second; 0: unlimited. */
  perSecond: number;
  /** Bucket size: calls allowed at once after an idle spell. */
  burst: number;
}

interface Bucket {
  tokens: number;
  last: number;
}

/** Refill `b` to `now`, then take up to `n` tokens. */
function take(b: Bucket, rate: Rate, n: number, now: number): Grant {
  if (rate.perSecond <= 0) return { granted: n, retryAfterMs: 0 };
  b.tokens = Math.min(rate.burst, b.tokens + ((now - b.last) * rate.perSecond) / 1000);
  b.last = now;
  const granted = Math.min(n, Math.floor(b.tokens));
  b.tokens -= granted;
  return { granted, retryAfterMs: granted < n ? Math.max(1, Math.ceil(((1 - b.tokens) * 1000) / rate.perSecond)) : 0 };
}

/** Would `b` be full by `now` (so dropping it changes nothing)? */
function idle(b: Bucket, rate: Rate, now: number): boolean {
  return rate.perSecond <= 0 || b.tokens + ((now - b.last) * rate.perSecond) / 1000 >= rate.burst;
}

export interface LimiterOptions {
  perAddress: Rate;
  /** The default for API keys without a rate of their own. */
  perKey: Rate;
  /** Most per-address buckets held. */
  maxAddresses: number;
  now?: () => number;
}

export class RateLimiter {
  private readonly addresses = new Map<string, Bucket>();
  private readonly keys = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(readonly opts: LimiterOptions) {
    this.now = opts.now ?? (() => performance.now());
    if (opts.maxAddresses < 1) throw new RangeError('maxAddresses must be at least 1');
  }

  /** Per-address buckets held now. */
  get addressCount(): number {
    return this.addresses.size;
  }

  /** The rate that applies to an API key (its own, else the default for keys). */
  keyRate(key: { rateLimit?: Rate }): Rate {
    return key.rateLimit ?? this.opts.perKey;
  }

  /** Take `n` tokens for an API key (by name). */
  takeForKey(key: { name: string; rateLimit?: Rate }, n: number): Grant {
    const rate = this.keyRate(key);
    if (rate.perSecond <= 0) return { granted: n, retryAfterMs: 0 };
    const now = this.now();
    let b = this.keys.get(key.name);
    if (!b) this.keys.set(key.name, (b = { tokens: rate.burst, last: now }));
    return take(b, rate, n, now);
  }

  /** Take `n` tokens for a public caller's address. */
  takeForAddress(address: string, n: number): Grant {
    const rate = this.opts.perAddress;
    if (rate.perSecond <= 0) return { granted: n, retryAfterMs: 0 };
    const now = this.now();
    let b = this.addresses.get(address);
    if (b) {
      // Most recently used goes last: the table's order is least recently used first.
      this.addresses.delete(address);
    } else {
      b = { tokens: rate.burst, last: now };
      this.sweep(now, 2);
      if (this.addresses.size >= this.opts.maxAddresses) {
        this.sweep(now, Infinity);
        if (this.addresses.size >= this.opts.maxAddresses) this.addresses.delete(this.addresses.keys().next().value!);
      }
    }
    this.addresses.set(address, b);
    return take(b, rate, n, now);
  }

  /** Drop up to `max` idle buckets from the least recently used end, stopping at the first active one. */
  private sweep(now: number, max: number): void {
    let dropped = 0;
    for (const [addr, b] of this.addresses) {
      if (dropped >= max || !idle(b, this.opts.perAddress, now)) return;
      this.addresses.delete(addr);
      dropped++;
    }
  }
}
