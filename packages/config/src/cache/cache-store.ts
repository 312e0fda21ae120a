/** Options of one cache lookup. */
export interface CacheGetOptions {
  /** The caller's signal: a store that does I/O should give up when it fires. */
  readonly signal?: AbortSignal;
}

/**
 * The cache port: a key-value store of answers, shared by the gateway and the SDK's in-process mode.
 * Keys are computed by the caller (they already carry the tenant, namespace and request digest), so a
 * store never looks inside them. Implementations: the in-memory store here, Redis later.
 *
 * Both methods are async so that a networked store fits the same port. A store must never throw for a
 * missing key (`get` resolves `undefined`); the engine treats a failed `get` as a miss and ignores a
 * failed `put`.
 */
export interface CacheStore<Value> {
  /** The stored value, or `undefined` when absent or expired. */
  get(key: string, options?: CacheGetOptions): Promise<Value | undefined>;
  /**
   * Stores `value` under `key` for `ttlSeconds` seconds (hosted Portkey's `max_age` unit). Rejects
   * with a `RangeError`, storing nothing, when `ttlSeconds` is not a finite number above 0 (see
   * `cacheTtlMilliseconds`).
   */
  put(key: string, value: Value, ttlSeconds: number): Promise<void>;
}
