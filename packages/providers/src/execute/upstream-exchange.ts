import type { PkError } from '@pk/config';
import { withForwardedHeaders } from '../shared/forward-headers.js';
import { parseJsonOrUndefined } from '../shared/json.js';
import type {
  BuiltRequest,
  ProviderAdapter,
  ProviderAuthSettings,
  ProviderContext,
} from '../spec/provider-adapter.js';
import { createMemoryTokenCache, type TokenCache } from '../spec/token-cache.js';
import { UpstreamError } from '../spec/upstream-error.js';
import type { UpstreamResponse } from '../spec/upstream-request.js';
import { withPassedAnswerHeaders } from './answer-headers.js';
import { readBodyText } from './read-body.js';
import type { Transport } from './transport.js';

/** What sending a built request needs besides it (a `CallProviderOptions` has all of it). */
export interface SendOptions {
  readonly transport: Transport;
  readonly signal?: AbortSignal | undefined;
  readonly tokenCache?: TokenCache | undefined;
  readonly authSettings?: ProviderAuthSettings | undefined;
}

/** A failed outcome of a call, with the vendor's `retry-after` when it gave one. */
export interface CallFailure {
  readonly ok: false;
  readonly status: number;
  readonly error: UpstreamError | PkError;
  readonly retryAfterMs?: number;
  /** Set when the provider never answered (refused, reset …): retried whatever the status codes say. */
  readonly connectionError?: true;
}

/** The failed outcome for an error. */
export function failure(error: UpstreamError | PkError): CallFailure {
  if (!UpstreamError.isInstance(error)) return { ok: false, status: error.status, error };
  return {
    ok: false,
    status: error.status,
    error,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    // Refused, reset, DNS, TLS: the engine retries these whatever on_status_codes says.
    ...(error.connectionError ? { connectionError: true } : {}),
  };
}

/**
 * Sends a built request: the client's forwarded headers added, the adapter's async `authorize` step
 * run when it has one (SigV4, Google tokens), then `transport.send`. Not `async`: without an
 * `authorize` step the transport's own promise is returned, so a call awaits exactly once, as before.
 */
export function sendUpstream(
  adapter: ProviderAdapter,
  built: BuiltRequest,
  context: ProviderContext,
  forwardedHeaders: Readonly<Record<string, string>> | undefined,
  options: SendOptions,
): Promise<UpstreamResponse> {
  const forwarded = withForwardedHeaders(built.upstream, forwardedHeaders);
  const send = { provider: context.provider, signal: options.signal };
  if (adapter.authorize === undefined) return options.transport.send(forwarded, send);
  return adapter
    .authorize(forwarded, {
      ...context,
      transport: options.transport,
      tokenCache: options.tokenCache ?? createMemoryTokenCache(1),
      signal: options.signal,
      settings: options.authSettings ?? {},
    })
    .then((upstream) => options.transport.send(upstream, send));
}

/** Whether an upstream answer is a success (2xx). */
export function isSuccess(response: UpstreamResponse): boolean {
  return response.status >= 200 && response.status <= 299;
}

/** A non-2xx answer read and parsed by the adapter's `parseError`. */
export async function upstreamFailure(
  adapter: ProviderAdapter,
  response: UpstreamResponse,
  context: ProviderContext,
  signal: AbortSignal | undefined,
): Promise<CallFailure> {
  const text = await readBodyText({ body: response.body, provider: context.provider, signal });
  const error = adapter.parseError({
    provider: context.provider,
    status: response.status,
    body: text,
    headers: response.headers,
    now: context.now(),
  });
  error.answerHeaders = withPassedAnswerHeaders({}, response.headers);
  return failure(error);
}

/** A 2xx body's JSON; text that is not JSON is a retryable 502 (`PK_ERR_UPSTREAM_UNAVAILABLE`), thrown. */
export function parseJsonAnswer(text: string, provider: string): unknown {
  const json = parseJsonOrUndefined(text);
  if (json === undefined) {
    throw new UpstreamError({
      provider,
      status: 502,
      message: 'the provider answered with invalid JSON',
      type: 'api_error',
      code: 'PK_ERR_UPSTREAM_UNAVAILABLE',
      raw: text.slice(0, 2000),
    });
  }
  return json;
}
