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
import { readBodyText } from './read-body.js';
import type { Transport } from './transport.js';

/** What one exchange with the upstream needs besides the built request. */
export interface ExchangeOptions {
  readonly transport: Transport;
  readonly signal?: AbortSignal | undefined;
  readonly forwardedHeaders?: Readonly<Record<string, string>> | undefined;
  readonly tokenCache?: TokenCache | undefined;
  readonly authSettings?: ProviderAuthSettings | undefined;
}

/** A failed outcome of a call, with the vendor's `retry-after` when it gave one. */
export interface CallFailure {
  readonly ok: false;
  readonly status: number;
  readonly error: UpstreamError | PkError;
  readonly retryAfterMs?: number;
}

/** The failed outcome for an error. */
export function failure(error: UpstreamError | PkError): CallFailure {
  const retryAfterMs = UpstreamError.isInstance(error) ? error.retryAfterMs : undefined;
  return { ok: false, status: error.status, error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
}

/**
 * Sends a built request: the client's forwarded headers added, the adapter's async `authorize` step
 * run (SigV4, Google tokens), then `transport.send`. A non-2xx answer is read and parsed with the
 * adapter's `parseError` into the returned failure; a 2xx answer is returned unread.
 */
export async function exchange(
  adapter: ProviderAdapter,
  built: BuiltRequest,
  context: ProviderContext,
  options: ExchangeOptions,
): Promise<UpstreamResponse | CallFailure> {
  const forwarded = withForwardedHeaders(built.upstream, options.forwardedHeaders);
  const upstream =
    adapter.authorize === undefined
      ? forwarded
      : await adapter.authorize(forwarded, {
          ...context,
          transport: options.transport,
          tokenCache: options.tokenCache ?? createMemoryTokenCache(1),
          signal: options.signal,
          settings: options.authSettings ?? {},
        });
  const response = await options.transport.send(upstream, {
    provider: context.provider,
    signal: options.signal,
  });
  if (response.status >= 200 && response.status <= 299) return response;
  const text = await readBodyText({
    body: response.body,
    provider: context.provider,
    signal: options.signal,
  });
  return failure(
    adapter.parseError({
      provider: context.provider,
      status: response.status,
      body: text,
      headers: response.headers,
      now: context.now(),
    }),
  );
}

/** Whether {@link exchange} ended in a failure. */
export function isCallFailure(value: UpstreamResponse | CallFailure): value is CallFailure {
  return (value as { ok?: unknown }).ok === false;
}

/**
 * Reads a 2xx JSON body; a body that is not JSON is a retryable 502 (`PK_ERR_UPSTREAM_UNAVAILABLE`),
 * thrown as an {@link UpstreamError}.
 */
export async function readJsonAnswer(
  response: UpstreamResponse,
  provider: string,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const text = await readBodyText({ body: response.body, provider, signal });
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
