/**
 * The only way a check reaches the network (webhook, log, JWKS, URL checks). The gateway implements it
 * over its providers' transport, so every call gets the same connect-time refusal of internal
 * addresses as custom hosts (hosts in `trusted_custom_hosts` excepted) and never follows redirects.
 */

/** One outgoing call. */
export interface GuardrailHttpRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST' | 'HEAD';
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The call must end (answer read or abandoned) within this many milliseconds. */
  readonly timeoutMs: number;
  /** Larger answers are an error, not read further. */
  readonly maxResponseBytes: number;
  /** The request's own signal: the client left. */
  readonly signal?: AbortSignal | undefined;
}

/** Its answer, read whole (within `maxResponseBytes`). */
export interface GuardrailHttpResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The network port. It rejects with an `Error` for a refused address, a connection failure, a
 * timeout (`name: 'TimeoutError'`) or an answer over `maxResponseBytes`.
 */
export interface GuardrailTransport {
  request(request: GuardrailHttpRequest): Promise<GuardrailHttpResponse>;
}

/** What checks may use besides the context; every effect is passed in. */
export interface GuardrailServices {
  /** The network port; without one, webhook / log / JWT / URL checks error (fail open by default). */
  readonly transport?: GuardrailTransport | undefined;
  /** Whether a host name resolves (`default.validUrls` with `onlyDNS`). */
  readonly resolveHost?: ((hostname: string) => Promise<boolean>) | undefined;
  /** Wall-clock milliseconds. */
  readonly now: () => number;
}
