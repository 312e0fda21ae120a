/** A bearer token and the time (ms since the epoch) it stops being valid. */
export interface CachedToken {
  /** The access token. */
  readonly token: string;
  /** Expiry, in ms since the epoch. */
  readonly expiresAt: number;
}

/**
 * Where exchanged tokens (Google service accounts) are kept between calls. Passed in, never module
 * state, so each gateway (or test) owns its cache. Keys are hashes of the credentials, never secrets.
 */
export interface TokenCache {
  /** The token stored under `key`, if any (the caller checks its expiry). */
  get(key: string): CachedToken | undefined;
  /** Stores a token. */
  set(key: string, token: CachedToken): void;
}

/** An in-memory {@link TokenCache} bounded to `maxEntries` (oldest dropped first; default 1000). */
export function createMemoryTokenCache(maxEntries = 1000): TokenCache {
  const entries = new Map<string, CachedToken>();
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
  };
}
