import type { UpstreamRequest, UpstreamResponse } from '../spec/upstream-request.js';

/** Options of one send. */
export interface SendOptions {
  /** Provider id, named in the errors. */
  readonly provider: string;
  /**
   * The engine's per-attempt signal: a timeout (`signal.reason` is a `TimeoutError` or a `PkError`
   * with code `PK_ERR_TIMEOUT`/`PK_ERR_DEADLINE`) or the client leaving.
   */
  readonly signal?: AbortSignal | undefined;
}

/**
 * The fetch-shaped port every provider call goes through. It throws only `UpstreamError`s: 502
 * `PK_ERR_UPSTREAM_UNAVAILABLE` for connection failures, 408/504 for timeouts, 499 for a client that left.
 */
export interface Transport {
  /** Sends one request; never follows redirects. */
  send(request: UpstreamRequest, options: SendOptions): Promise<UpstreamResponse>;
  /**
   * Loads and builds now what the first `send` would (for undici: the module and its dispatcher), so
   * the first request does not wait for it. Optional; `send` works without it.
   */
  prepare?(): void;
  /** Closes pooled connections. */
  close(): Promise<void>;
}
