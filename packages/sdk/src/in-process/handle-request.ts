import { setTimeout as sleepFor } from 'node:timers/promises';
import {
  type BreakerStore,
  type Config,
  createRequestConditionContext,
  PlanAbortedError,
  type PlanLeaf,
  runPlan,
} from '@pk/config';
import { buildResponseHeaders, parseRequestHeaders } from '@pk/headers';
import type { ProviderAnswer, ProviderRequest, Transport } from '@pk/providers';
import { callerAbortableStream } from './caller-abortable-stream.js';
import { errorResponse } from './error-response.js';
import type { InProcessVirtualKey } from './in-process-setup.js';
import type { ProvidersModule } from './load-providers.js';
import { resolveInProcessPlan } from './resolve-plan.js';
import { type SimpleCacheStore, simpleCachePort } from './simple-cache.js';
import { toProviderRequest } from './to-provider-request.js';

/** What every in-process request of a runtime shares. */
export interface InProcessServices {
  readonly providers: ProvidersModule;
  readonly transport: Transport;
  readonly breakers: BreakerStore;
  readonly cache: SimpleCacheStore | undefined;
  readonly virtualKeys: ReadonlyMap<string, InProcessVirtualKey>;
  readonly configs: ReadonlyMap<string, Config>;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  sleepFor(ms, undefined, signal === undefined ? undefined : { signal });

/**
 * One request, as a pk gateway would answer it, inside this process: headers → plan → routing
 * engine over the provider adapters → a `Response` with the `x-portkey-*` headers. Failures are
 * OpenAI envelopes with `x-should-retry: false`; only the caller's abort rejects.
 */
export async function handleInProcessRequest(
  services: InProcessServices,
  request: Request,
): Promise<Response> {
  const headers = parseRequestHeaders(request.headers);
  const traceId = headers.options.traceId ?? crypto.randomUUID();
  const traceHeaders = buildResponseHeaders({ traceId });
  let providerRequest: ProviderRequest;
  let plan: ReturnType<typeof resolveInProcessPlan>;
  try {
    providerRequest = await toProviderRequest(request, headers.options.strictOpenAiCompliance !== false);
    const model = providerRequest.body?.model;
    plan = resolveInProcessPlan({
      headers,
      model: typeof model === 'string' ? model : undefined,
      virtualKeys: services.virtualKeys,
      configs: services.configs,
      isSupportedProvider: services.providers.isSupportedProviderId,
    });
  } catch (error) {
    return errorResponse(error, undefined, traceHeaders);
  }
  if (plan.model !== undefined)
    providerRequest = { ...providerRequest, body: { ...providerRequest.body, model: plan.model } };
  const callProvider = services.providers.createProviderAttempt({ transport: services.transport });
  const cache =
    services.cache === undefined
      ? undefined
      : simpleCachePort(services.cache, {
          namespace: headers.options.cacheNamespace,
          metadata: headers.options.metadata,
          refresh: headers.options.cacheForceRefresh === true,
          headers: request.headers,
        });
  let result: Awaited<ReturnType<typeof runPlan<ProviderRequest, ProviderAnswer, unknown>>>;
  try {
    result = await runPlan<ProviderRequest, ProviderAnswer, unknown>(plan.plan, providerRequest, {
      attempt: (leaf, leafRequest, options) =>
        callProvider(leaf, withForwardedHeaders(leaf, leafRequest, request.headers), options),
      sleep,
      now: Date.now,
      random: Math.random,
      breakers: services.breakers,
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      ...(cache === undefined ? {} : { cache }),
      conditionContext: createRequestConditionContext({
        metadata: headers.options.metadata,
        url: request.url,
      }),
    });
  } catch (error) {
    if (error instanceof PlanAbortedError) throw new DOMException('the request was aborted', 'AbortError');
    throw error;
  }
  const outcome = result.outcome;
  const answering = outcome.ok
    ? outcome.value.provider
    : (outcome.error as { provider?: string } | undefined)?.provider;
  const portkeyHeaders = buildResponseHeaders({
    traceId,
    provider: answering,
    lastUsedOptionIndex: result.path,
    retryAttemptCount: result.retryCount,
    cacheStatus: result.cacheStatus,
  });
  if (!outcome.ok) {
    const retryAfter =
      outcome.retryAfterMs === undefined
        ? {}
        : { 'retry-after': String(Math.max(1, Math.ceil(outcome.retryAfterMs / 1000))) };
    return errorResponse(outcome.error, outcome.status, { ...portkeyHeaders, ...retryAfter });
  }
  return answerResponse(outcome.value, portkeyHeaders, services.providers, request.signal);
}

function answerResponse(
  answer: ProviderAnswer,
  portkeyHeaders: Readonly<Record<string, string>>,
  { toWebReadableStream }: ProvidersModule,
  signal: AbortSignal,
): Response {
  const body = (bytes: Parameters<typeof toWebReadableStream>[0]) =>
    callerAbortableStream(toWebReadableStream(bytes), signal);
  const headers: Record<string, string> = { ...answer.headers, ...portkeyHeaders };
  if (answer.warnings.length > 0) headers['x-pk-warnings'] = answer.warnings.join('; ').slice(0, 2000);
  if (answer.kind === 'json') {
    return new Response(JSON.stringify(answer.body), {
      status: answer.status,
      headers: { ...headers, 'content-type': 'application/json' },
    });
  }
  if (answer.kind === 'stream') {
    return new Response(body(answer.stream), {
      status: answer.status,
      headers: { ...headers, 'content-type': 'text/event-stream' },
    });
  }
  return new Response(body(answer.body), { status: answer.status, headers });
}

/** The request for one leaf: its `forward_headers` picked from the client's headers. */
function withForwardedHeaders(
  leaf: PlanLeaf,
  providerRequest: ProviderRequest,
  clientHeaders: Headers,
): ProviderRequest {
  const names = leaf.forward_headers;
  if (names === undefined || names.length === 0) return providerRequest;
  const forwardedHeaders: Record<string, string> = {};
  for (const name of names) {
    const value = clientHeaders.get(name);
    if (value !== null) forwardedHeaders[name] = value;
  }
  return { ...providerRequest, forwardedHeaders };
}
