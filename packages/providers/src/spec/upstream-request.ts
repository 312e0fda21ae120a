/** An HTTP request to a provider, as a plain value: no fetch, no framework. */
export interface UpstreamRequest {
  /** Absolute URL, query included. */
  readonly url: string;
  /** HTTP method, upper case. */
  readonly method: string;
  /** Header names in lower case. Secrets live here: never log them. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body: a JSON string, raw bytes (multipart pass-through) or nothing. */
  readonly body?: string | Uint8Array;
}

/**
 * Bytes that arrive over time, read once with `for await`. `cancel` stops early and releases what
 * feeds the stream (the upstream connection) at once, even while a read is pending; the pending read
 * then ends. Idempotent.
 */
export interface ByteStream extends AsyncIterable<Uint8Array> {
  cancel(reason?: unknown): void;
}

/** What `execute` returns: status, headers and a body stream (already decompressed). */
export interface UpstreamResponse {
  /** HTTP status. */
  readonly status: number;
  /** Response headers, names in lower case, repeated values joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The body bytes, read once. A Node `Readable` (what the undici transport gives) or a web
   * `ReadableStream` both qualify; `discardBody` releases either.
   */
  readonly body: AsyncIterable<Uint8Array>;
}
