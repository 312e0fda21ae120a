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

/** What `execute` returns: status, headers and a body stream (already decompressed). */
export interface UpstreamResponse {
  /** HTTP status. */
  readonly status: number;
  /** Response headers, names in lower case, repeated values joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body bytes. Cancel it to release the connection. */
  readonly body: ReadableStream<Uint8Array>;
}
