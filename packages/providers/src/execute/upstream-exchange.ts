import { PkError } from '@pk/config';
import { withForwardedHeaders } from '../shared/forward-headers.js';
import { parseJsonOrUndefined } from '../shared/json.js';
import type {
  AuthorizeContext,
  BuiltRequest,
  ProviderAdapter,
  ProviderAuthSettings,
  ProviderContext,
} from '../spec/provider-adapter.js';
import { createMemoryTokenCache, type TokenCache } from '../spec/token-cache.js';
import { UpstreamError } from '../spec/upstream-error.js';
import type { UpstreamRequest, UpstreamResponse } from '../spec/upstream-request.js';
import { upstreamUnavailableError } from './abort-reason.js';
import { withPassedAnswerHeaders } from './answer-headers.js';
import { attemptCredentials, scrubFailure } from './credential-scrub.js';
import { readBodyText } from './read-body.js';
import type { Transport } from './transport.js';
import { discardBody } from './upstream-body.js';

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
  /**
   * Set when the call failed inside pk (a 500 `PK_ERR_INTERNAL`, {@link unexpectedFailure}), not at
   * the provider: the engine never retries it and no circuit breaker counts it; fallback moves on.
   */
  readonly internalError?: true;
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

/** Node's and undici's codes of a failed connection (`ECONNREFUSED`, `EAI_AGAIN`, `UND_ERR_SOCKET` …), not OpenSSL's `ERR_OSSL_…`. */
const NETWORK_ERROR_CODE = /^(E(?!RR_)[A-Z_]+|UND_ERR_[A-Z_]+)$/;

/**
 * The outcome of a call that threw something other than a `PkError` or an `UpstreamError`. A
 * network error a transport let through (its contract is to throw `UpstreamError`s only) is still a
 * connection failure; anything else is a defect of pk or of an adapter, not a provider that could not
 * be reached: a 500 `PK_ERR_INTERNAL` that keeps the error as its cause (the gateway logs it), marked
 * `internalError`: the engine never retries it (the same defect would strike again, whatever
 * `retry.on_status_codes` says) and no circuit breaker counts it against the target; fallback moves on.
 */
export function unexpectedFailure(provider: string, error: unknown): CallFailure {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_ERROR_CODE.test(code)) {
    return failure(upstreamUnavailableError(provider, error));
  }
  const name = error instanceof Error ? error.name : typeof error;
  const internal = new PkError(
    'PK_ERR_INTERNAL',
    `provider '${provider}': the call failed inside pk (${name}); see the gateway log`,
    { cause: error },
  );
  return { ...failure(internal), internalError: true };
}

/**
 * The request as `authorize` made it (a Google access token, a SigV4 signature added), by the call's
 * context: set only for adapters with an `authorize` step, read only when the call failed.
 */
const authorizedRequests = new WeakMap<ProviderContext, UpstreamRequest>();

/** What a failed attempt used: its target, and what it sent when it got that far. */
export interface AttemptParts {
  readonly target: ProviderContext['target'];
  readonly context?: ProviderContext | undefined;
  readonly built?: BuiltRequest | undefined;
  readonly forwardedHeaders?: Readonly<Record<string, string>> | undefined;
}

/**
 * The failure with every credential the attempt used replaced by `[redacted]` in the vendor's message
 * and body (`scrubFailure`): the one step every failed provider call goes through before its error
 * reaches the engine, the client and the logs. Never run for a success.
 */
export function scrubbedFailure(outcome: CallFailure, parts: AttemptParts): CallFailure {
  const authorized = parts.context === undefined ? undefined : authorizedRequests.get(parts.context);
  const sent =
    authorized ??
    (parts.built === undefined
      ? undefined
      : withForwardedHeaders(parts.built.upstream, parts.forwardedHeaders));
  return scrubFailure(outcome, attemptCredentials(parts.target, sent?.headers, parts.forwardedHeaders));
}

/**
 * The client's headers a call forwarded, by the call's context: set only for a request that forwards
 * headers, read only when its stream fails.
 */
const forwardedByContext = new WeakMap<ProviderContext, Readonly<Record<string, string>>>();

/**
 * The credentials of a call, for an error item in the middle of its stream: the target's, the
 * headers `authorize` added and the forwarded headers' values (a built request's own are not at hand there).
 */
export function streamCredentialsOf(context: ProviderContext): readonly string[] {
  return attemptCredentials(
    context.target,
    authorizedRequests.get(context)?.headers,
    forwardedByContext.get(context),
  );
}

/**
 * Sends a built request: the client's forwarded headers added, the adapter's async `authorize` step
 * run when it has one (SigV4, Google tokens), then `transport.send`. Not `async`: without an
 * `authorize` step the transport's own promise is returned, so a call awaits exactly once, as before.
 * A 401 to an authorized request (or what the adapter's `rejectsAuthorization` says is a refused
 * authorization) is sent once more when the adapter's `reauthorize` gives a fresher authorization (a
 * Google token, or assumed-role AWS credentials, the provider no longer accepts).
 */
export function sendUpstream(
  adapter: ProviderAdapter,
  built: BuiltRequest,
  context: ProviderContext,
  forwardedHeaders: Readonly<Record<string, string>> | undefined,
  options: SendOptions,
): Promise<UpstreamResponse> {
  const forwarded = withForwardedHeaders(built.upstream, forwardedHeaders);
  if (forwardedHeaders !== undefined) forwardedByContext.set(context, forwardedHeaders);
  const send = { provider: context.provider, signal: options.signal };
  if (adapter.authorize === undefined) return options.transport.send(forwarded, send);
  const authorizeContext: AuthorizeContext = {
    ...context,
    transport: options.transport,
    tokenCache: options.tokenCache ?? createMemoryTokenCache(1),
    signal: options.signal,
    settings: options.authSettings ?? {},
  };
  return adapter.authorize(forwarded, authorizeContext).then(async (upstream) => {
    authorizedRequests.set(context, upstream);
    const response = await options.transport.send(upstream, send);
    if (adapter.reauthorize === undefined) return response;
    const rejected = adapter.rejectsAuthorization?.(response) ?? response.status === 401;
    if (!rejected) return response;
    const again = await adapter.reauthorize(forwarded, upstream, authorizeContext);
    if (again === undefined) return response;
    authorizedRequests.set(context, again);
    // Read to its end (a short error body), so its connection can serve the second request.
    await readBodyText({ body: response.body, provider: context.provider, signal: options.signal }).catch(
      () => discardBody(response.body),
    );
    return options.transport.send(again, send);
  });
}

/** Whether an upstream answer is a success (2xx). */
export function isSuccess(response: UpstreamResponse): boolean {
  return response.status >= 200 && response.status <= 299;
}

/**
 * A non-2xx answer read and parsed by the adapter's `parseError`, the attempt's credentials redacted
 * from it ({@link scrubbedFailure}).
 */
export async function upstreamFailure(
  adapter: ProviderAdapter,
  response: UpstreamResponse,
  parts: AttemptParts & { readonly context: ProviderContext; readonly built: BuiltRequest },
  signal: AbortSignal | undefined,
): Promise<CallFailure> {
  const { context } = parts;
  const text = await readBodyText({ body: response.body, provider: context.provider, signal });
  const error = adapter.parseError({
    provider: context.provider,
    status: response.status,
    body: text,
    headers: response.headers,
    now: context.now(),
  });
  error.answerHeaders = withPassedAnswerHeaders({}, response.headers);
  return scrubbedFailure(failure(error), parts);
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
