/** A bearer token and the time (ms since the epoch) it stops being valid. */
export interface CachedToken {
  /** The access token. */
  readonly token: string;
  /** Expiry, in ms since the epoch. */
  readonly expiresAt: number;
  /** When it was obtained (ms since the epoch): with `expiresAt`, its lifetime. */
  readonly obtainedAt?: number;
}

/**
 * Whether a cached token is still used at `now` rather than renewed: until `maxMarginMs` before it
 * expires, or a quarter of its lifetime when that is shorter, so a token issued for less than
 * `maxMarginMs` is still reused for most of its life instead of renewed on every call. A token
 * without `obtainedAt` gets the whole margin.
 */
export function isTokenFresh(token: CachedToken, now: number, maxMarginMs: number): boolean {
  const lifetime =
    token.obtainedAt === undefined ? Number.POSITIVE_INFINITY : token.expiresAt - token.obtainedAt;
  const margin = Math.min(maxMarginMs, Math.max(0, lifetime) / 4);
  return token.expiresAt - margin > now;
}

/**
 * Where exchanged tokens (Google service accounts) are kept between calls. Passed in, never module
 * state, so each gateway (or test) owns its cache. Keys are hashes of the whole credential, never
 * secrets, and never a part of it (an email alone would let a bogus key reach another's token).
 */
export interface TokenCache {
  /** The token stored under `key`, if any (the caller checks its expiry). */
  get(key: string): CachedToken | undefined;
  /** Stores a token. */
  set(key: string, token: CachedToken): void;
  /**
   * Runs `exchange` for `key` unless one is already running, in which case its result is shared:
   * concurrent requests with one credential make one token exchange. Without it, each caller exchanges.
   */
  share?(key: string, exchange: () => Promise<CachedToken>): Promise<CachedToken>;
}

/**
 * An in-memory {@link TokenCache} bounded to `maxEntries` (oldest dropped first; default 1000), whose
 * concurrent refreshes of one key share a single exchange.
 */
export function createMemoryTokenCache(maxEntries = 1000): TokenCache {
  const entries = new Map<string, CachedToken>();
  const running = new Map<string, Promise<CachedToken>>();
  return {
    get: (key) => entries.get(key),
    set(key, token) {
      entries.delete(key);
      entries.set(key, token);
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
    share(key, exchange) {
      const current = running.get(key);
      if (current !== undefined) return current;
      const started = exchange().finally(() => running.delete(key));
      // A caller that gave up (its own signal) no longer awaits: the failure must not go unhandled.
      started.catch(() => {});
      running.set(key, started);
      return started;
    },
  };
}
