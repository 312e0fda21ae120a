import { Readable } from 'node:stream';
import {
  type AttemptFunction,
  type BreakerStore,
  createErrorEnvelope,
  createRequestConditionContext,
  type OpenAIErrorEnvelope,
  PkError,
  PlanAbortedError,
  type PlanLeaf,
  type PlanResult,
  type ResolvedPlan,
  realTimePorts,
  runPlan,
  statusOfErrorCode,
  type TraceEntry,
} from '@pk/config';
import type { CacheStore } from '@pk/config/cache';
import { GuardrailDeniedError } from '@pk/guardrails';
import { buildResponseHeaders, parseRequestHeaders } from '@pk/headers';
import {
  answerJsonOf,
  type ProviderAnswer,
  type ProviderEndpoint,
  type ProviderRequest,
  type Transport,
  UpstreamError,
} from '@pk/providers';
import type { Catalog } from '@pk/store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CacheFlights } from '../cache/cache-flights.js';
import { completionToSse } from '../cache/completion-to-sse.js';
import { createRequestCache } from '../cache/request-cache.js';
import { withRequestCacheLifetime } from '../cache/request-cache-lifetime.js';
import type { SemanticCache } from '../cache/semantic/semantic-cache.js';
import { ChatStreamAccumulator } from '../cache/stream-accumulator.js';
import { asyncHookRunsFor } from '../guardrails/async-hook-runs.js';
import type { GatewayGuardrails } from '../guardrails/gateway-guardrails.js';
import { dialectHooksRefusal, RequestGuard } from '../guardrails/request-guard.js';
import { isRecord } from '../is-record.js';
import { AttemptLimits } from '../limits/attempt-limits.js';
import { streamTextBytesCounterOf } from '../limits/estimate.js';
import {
  admitRequest,
  limitSubjectsOf,
  type RequestLimits,
  targetSubjectsOf,
} from '../limits/request-limits.js';
import { sendPkError } from '../plugins/error-envelope.js';
import { holdRequestLog, type RequestLogFields, releaseRequestLog } from '../plugins/request-log.js';
import { isMultipartForm, type MultipartForm, parseMultipartForm } from '../request-body/multipart-form.js';
import { rawBodySummaryOf } from '../request-body/raw-body.js';
import { AttemptRecorder, overrideModelOf } from '../request-facts/attempt-recorder.js';
import { isEventStream, notingAudioUsage, pricedPassthroughOf } from '../request-facts/audio-cost.js';
import { captureBody, withJsonAnswerNoted } from '../request-facts/body-capture.js';
import { providerErrorCodeOf } from '../request-facts/provider-error-code.js';
import { recordPartialUsageAndCost, recordUsageAndCost } from '../request-facts/request-cost.js';
import {
  answeredModelOf,
  finishReasonsOf,
  recordFirstByte,
  recordHeaderFacts,
  recordPlanFacts,
  recordSoleTarget,
} from '../request-facts/request-facts.js';
import type { ConfigParseCache } from '../request-plan/config-parse-cache.js';
import { firstPlannedProvider, planLeaves } from '../request-plan/map-plan-leaves.js';
import type { RequestPlan } from '../request-plan/resolve-request-plan.js';
import type { GatewaySettings } from '../settings/load-settings.js';
import { parseTraceparent, type TracePropagation, traceparentOf } from '../tracing/trace-context.js';
import { answerHeadersOf } from './answer-headers-memo.js';
import { ClientSignal } from './client-signal.js';
import { countTokensPlanOf } from './count-tokens-plan.js';
import { forwardedHeadersOf, gatewaySecretTestOf } from './forwarded-headers.js';
import { dialectHeadersOf, type IngressDialect } from './ingress-dialect.js';
import { requestPlanOf } from './request-plan-of.js';
import { SHUTDOWN_STREAM_MESSAGE, sendSse } from './send-sse.js';
import { warningsHeaderValue } from './warnings-header.js';

/**
 * The warning of a request whose config asks for `cache.mode: semantic` on a gateway without the
 * settings' `semantic_cache` (no embedding model): it was matched exactly only.
 */
export const SEMANTIC_CACHE_UNCONFIGURED =
  'cache mode semantic needs semantic_cache in the gateway settings (an embedding model): matched exactly only';

/**
 * The warning of a request whose config asks for `cache.mode: semantic` on an endpoint semantic
 * matching does not serve (Responses, legacy completions, embeddings): it was matched exactly only.
 */
export const SEMANTIC_CACHE_UNSUPPORTED =
  'cache mode semantic matches chat completions and Messages only: this request was matched exactly only';

/**
 * Warnings found after the request's own (once the strategy ran, or a count's targets left out),
 * added to them: the client is told them all in `x-pk-warnings` (set again, whole), and the log line
 * gets the new ones. Returns the request's list.
 */
function warnedOf(
  reply: FastifyReply,
  log: RequestLogFields,
  requestWarnings: readonly string[] | undefined,
  added: readonly string[],
): readonly string[] {
  const all = requestWarnings === undefined ? added : [...requestWarnings, ...added];
  reply.header('x-pk-warnings', warningsHeaderValue(all));
  log.warnings = [...(log.warnings ?? []), ...added];
  return all;
}

/** What the proxy routes share for the app's lifetime. */
export interface ProxyServices {
  readonly settings: GatewaySettings;
  /** Gateway keys, virtual keys and saved configs, live: the request path never queries the store. */
  readonly catalog: Catalog;
  readonly transport: Transport;
  /**
   * The engine's `attempt` port over the providers, made once for the app's lifetime: exchanged
   * tokens (Vertex service accounts) stay cached between requests, concurrent refreshes shared.
   */
  readonly callProvider: AttemptFunction<ProviderRequest, ProviderAnswer, UpstreamError | PkError>;
  readonly breakers: BreakerStore;
  /** Inline configs, validated once per distinct header text. */
  readonly configCache: ConfigParseCache;
  /** Aborted when the shutdown drain time is over: open streams end with `event: error`. */
  readonly stopStreams: AbortSignal;
  /** While spans are exported: each provider call carries a `traceparent` naming its attempt's span. */
  readonly tracePropagation?: TracePropagation | undefined;
  /** The response cache's store (memory or Redis), of serialised answers. */
  readonly cacheStore: CacheStore<string>;
  /** The cache misses in flight in this process: identical non-streamed misses share one provider call. */
  readonly cacheFlights: CacheFlights;
  /** Reports a cache store failure (logged at most once per 10 s). */
  readonly onCacheStoreFailure: (error: unknown) => void;
  /** The semantic cache, when the settings configure an embedding model. */
  readonly semanticCache?: SemanticCache | undefined;
  /**
   * Told when a request asked for `cache.mode: semantic` on a gateway without a semantic cache (the
   * request was matched exactly only); the gateway logs it once per process.
   */
  readonly onSemanticCacheUnconfigured?: (() => void) | undefined;
  /** Hooks and guardrails (used only by requests whose plan has some). */
  readonly guardrails: GatewayGuardrails;
  /** `PK_LOG_BODIES`: note request and response bodies for the log store (never with debug off). */
  readonly logBodies?: boolean;
  /** Rate limits and budgets (admission here, settlement at the request's end). */
  readonly limits?: RequestLimits | undefined;
}

type Result = PlanResult<ProviderAnswer, UpstreamError | PkError>;

/** What a `passthrough` route adds to the provider request: path, method and, for multipart, the bytes. */
export type PassthroughRequest = Pick<ProviderRequest, 'path' | 'method' | 'rawBody' | 'contentType'>;

/**
 * The request body a log record keeps: what was sent on, but for a pass-through body that is not JSON
 * its summary, and for a pass-through without a body (a GET, a DELETE) none, not the `{}` it is
 * routed on.
 */
function loggedRequestBody(
  rawSummary: unknown,
  passthrough: PassthroughRequest | undefined,
  request: FastifyRequest,
  sent: unknown,
): unknown {
  if (rawSummary !== undefined) return rawSummary;
  return passthrough !== undefined && request.body == null ? undefined : sent;
}

/** The target path of the last attempt in a trace (the one in progress when a client left). */
function lastTriedPath(trace: readonly TraceEntry[]): string | undefined {
  for (let index = trace.length - 1; index >= 0; index -= 1) {
    const entry = trace[index];
    if (entry?.kind === 'attempt') return entry.path;
  }
  return undefined;
}

/**
 * One OpenAI-format call through the gateway: headers → plan → routing engine over the providers →
 * JSON or SSE reply with the `x-portkey-*` response headers. Every failure is an OpenAI envelope.
 * `passthrough` (routes of `passthrough-routes.ts`) carries the path, method and raw body; `ingress`
 * (routes of another API's dialect) the dialect's default provider, headers and transforms. The
 * request's log line waits for it, so a client that leaves gets a 499 line with what was done.
 */
export async function runProxiedRequest(
  services: ProxyServices,
  endpoint: ProviderEndpoint,
  request: FastifyRequest,
  reply: FastifyReply,
  passthrough?: PassthroughRequest,
  ingress?: IngressDialect,
): Promise<FastifyReply> {
  holdRequestLog(request);
  request.logFields.endpoint = endpoint;
  try {
    return await proxyRequest(services, endpoint, request, reply, passthrough, ingress);
  } finally {
    releaseRequestLog(request, reply);
  }
}

async function proxyRequest(
  services: ProxyServices,
  endpoint: ProviderEndpoint,
  request: FastifyRequest,
  reply: FastifyReply,
  passthrough: PassthroughRequest | undefined,
  ingress: IngressDialect | undefined,
): Promise<FastifyReply> {
  // A pass-through without a JSON body (GET, DELETE, multipart bytes in `rawBody`) routes on `{}`.
  const body =
    passthrough !== undefined && (passthrough.rawBody !== undefined || request.body == null)
      ? {}
      : request.body;
  const headers = parseRequestHeaders(request.headers);
  const log = request.logFields;
  // Before any refusal: a request refused for its body is stored with its user and metadata too.
  recordHeaderFacts(log, headers, services.catalog);
  if (!isRecord(body)) {
    return sendPkError(reply, request, 'PK_ERR_INVALID_REQUEST', 'the request body must be a JSON object');
  }
  const keepBodies = services.logBodies === true && headers.options.debug !== false;
  // A body that is not JSON (a multipart upload, raw audio) is read for its `model` form field, and
  // logged as what it holds, not its bytes.
  let form: MultipartForm | undefined;
  if (passthrough?.rawBody !== undefined && isMultipartForm(passthrough.contentType)) {
    const parsed = await parseMultipartForm(passthrough.rawBody, passthrough.contentType as string);
    if ('problem' in parsed) {
      // No provider takes it, and its `model` could not route it nor a config's `override_params` reach it.
      return sendPkError(
        reply,
        request,
        'PK_ERR_INVALID_REQUEST',
        `the multipart/form-data body is not a well-formed form (${parsed.problem})`,
      );
    }
    form = parsed.form;
  }
  const rawSummary =
    passthrough?.rawBody === undefined
      ? undefined
      : rawBodySummaryOf(passthrough.rawBody, passthrough.contentType, form);
  const requestedModel = typeof body.model === 'string' ? body.model : rawSummary?.model;
  let resolved: RequestPlan;
  try {
    resolved = requestPlanOf(
      services,
      request,
      headers,
      typeof requestedModel === 'string' ? requestedModel : undefined,
      ingress?.defaultProvider,
    );
  } catch (error) {
    // A request refused while its plan is made (an unknown virtual key or config, a wrong header) is
    // still logged with the model it asked for, so a model filter finds it.
    if (typeof requestedModel === 'string') log.model = requestedModel;
    throw error;
  }
  const {
    plan: resolvedPlan,
    model,
    hasHooks,
    limitedVirtualKeys,
    headerWarnings,
    configWarnings,
  } = resolved;
  if (hasHooks && ingress !== undefined) {
    // A dialect route whose hooks cannot run is refused before anything is sent: skipping them
    // would let a guarded config be bypassed by switching route.
    const refusal = dialectHooksRefusal(endpoint, request.routeOptions.url ?? request.url);
    if (refusal !== undefined) return sendPkError(reply, request, 'PK_ERR_UNSUPPORTED_FEATURE', refusal);
  }
  const cacheControl = request.headers['cache-control'];
  const lifetime = withRequestCacheLifetime(resolvedPlan, {
    cacheControl: typeof cacheControl === 'string' ? cacheControl : undefined,
    cacheTtl: headers.options.cacheTtl,
  });
  // A count goes only to the targets that can count, where the config leaves the choice to pk.
  const counting =
    endpoint === 'messages.count_tokens' ? countTokensPlanOf(lifetime.plan, model ?? body.model) : undefined;
  const plan = counting?.plan ?? lifetime.plan;
  if (plan.warnings.length > 0) log.warnings = plan.warnings.map((warning) => warning.message);
  // Request headers the gateway ignored: the client is told, not only the log.
  const ignoredHeaders =
    lifetime.warning === undefined
      ? headerWarnings
      : headerWarnings === undefined
        ? [lifetime.warning]
        : [...headerWarnings, lifetime.warning];
  if (ignoredHeaders !== undefined) log.warnings = [...(log.warnings ?? []), ...ignoredHeaders];
  // The config's warnings too (the log has them as the plan's): why a `max_age` did nothing.
  let requestWarnings =
    configWarnings === undefined
      ? ignoredHeaders
      : ignoredHeaders === undefined
        ? configWarnings
        : [...configWarnings, ...ignoredHeaders];
  if (counting?.warning !== undefined)
    requestWarnings = warnedOf(reply, log, requestWarnings, [counting.warning]);
  else if (requestWarnings !== undefined) reply.header('x-pk-warnings', warningsHeaderValue(requestWarnings));
  let providerRequest: ProviderRequest = {
    endpoint,
    body: model === undefined ? body : { ...body, model },
    strictOpenAICompliance: headers.options.strictOpenAiCompliance !== false,
    ...passthrough,
    ...(form === undefined ? {} : { rawForm: form }),
  };
  let loggedRawBody = rawSummary;
  if (
    model !== undefined &&
    form !== undefined &&
    typeof rawSummary?.model === 'string' &&
    rawSummary.model !== model
  ) {
    // `@virtual-key/model` in a form: the provider gets the bare model, as a JSON body's (and a
    // target's `override_params` are set over it).
    const rewritten = form.withTextFields({ model });
    providerRequest = {
      ...providerRequest,
      rawBody: rewritten.body,
      contentType: rewritten.contentType,
      rawForm: { withTextFields: (fields) => form.withTextFields({ model, ...fields }) },
    };
    loggedRawBody = { ...rawSummary, model };
  }
  if (ingress) {
    const dialectHeaders = dialectHeadersOf(ingress, request.headers);
    if (dialectHeaders) Object.assign(providerRequest, { dialectHeaders });
  }
  const loggedModel = providerRequest.body?.model ?? rawSummary?.model;
  if (typeof loggedModel === 'string') log.model = loggedModel;
  // A form asks for a stream as text (a streamed transcription's `stream=true`).
  log.stream = body.stream === true || rawSummary?.stream === 'true';
  // Limits: the request's own checked and held before anything is sent, a target's virtual key's
  // when that target is called; no store call for a request under none.
  const limits = services.limits;
  let attemptLimits: AttemptLimits | undefined;
  if (limits) {
    const requestSubjects = limitSubjectsOf(
      limits,
      request.gatewayKey,
      headers.options.metadata,
      request.tenant,
    );
    const targetSubjects = limitedVirtualKeys && targetSubjectsOf(limitedVirtualKeys);
    if (requestSubjects || targetSubjects) {
      const admitted = await admitRequest(
        limits,
        requestSubjects,
        targetSubjects,
        request,
        reply,
        endpoint,
        providerRequest,
        plan,
      );
      if (admitted === undefined) {
        const planned = firstPlannedProvider(plan.root);
        if (planned !== undefined) log.plannedProvider = planned;
        return reply;
      }
      attemptLimits = new AttemptLimits({ ...admitted, limits, request, reply, endpoint, targetSubjects });
    }
  }

  const clientGone = new ClientSignal();
  const onClose = (): void => {
    if (!reply.raw.writableFinished) clientGone.abort(new Error('the client went away'));
  };
  // A response closes once: `on` spares the two wrapper objects of `once`.
  reply.raw.on('close', onClose);
  const streamed = body.stream === true;
  const guard = hasHooks
    ? RequestGuard.create(services.guardrails, {
        plan,
        endpoint,
        metadata: headers.options.metadata,
        headers: request.headers,
        stream: streamed,
        strictOpenAICompliance: providerRequest.strictOpenAICompliance !== false,
        dialect: ingress?.dialect,
        signal: clientGone.asAbortSignal(),
        onAsyncRun: (run, event) => {
          // The log record waits for it (see `log-store-subscriber.ts`); the line says which request.
          asyncHookRunsFor(request).add(run, event);
          const owner = {
            traceId: request.traceId,
            event,
            tenant: request.tenant,
            gatewayKeyId: request.gatewayKey?.id ?? null,
          };
          void run.then((result) => {
            if (result !== undefined) services.guardrails.onAsyncResult(result, owner);
          });
        },
      })
    : undefined;
  if (guard) {
    // Hooks every target shares run once, before the cache lookup and the routing.
    const shared = await guard.runShared(providerRequest);
    if ('denied' in shared) {
      recordGuardrails(request, guard);
      const sole = recordSoleTarget(log, plan.root);
      // Portkey runs these hooks in the target's attempt, so its 446 names the target (path and
      // provider) and its retry count; with several targets which one is unknown, and only the count goes.
      reply.headers(
        buildResponseHeaders({
          traceId: request.traceId,
          provider: sole?.provider,
          lastUsedOptionIndex: sole?.path,
          retryAttemptCount: 0,
        }),
      );
      // Refused before anything was sent: the body kept is the one the hooks judged.
      if (keepBodies)
        captureBody(request, 'request', loggedRequestBody(loggedRawBody, passthrough, request, shared.body));
      return replyWithFailure(reply, request, shared.denied, shared.denied.status);
    }
    providerRequest = shared.request;
  }
  // After the shared hooks: what is kept is what was sent on (redacted when a guardrail redacts).
  if (keepBodies)
    captureBody(
      request,
      'request',
      loggedRequestBody(loggedRawBody, passthrough, request, providerRequest.body),
    );
  const cache = createRequestCache({
    store: services.cacheStore,
    plan,
    endpoint,
    tenant: request.tenant,
    namespace: headers.options.cacheNamespace,
    metadata: headers.options.metadata,
    forceRefresh: headers.options.cacheForceRefresh === true,
    streamed,
    flights: services.cacheFlights,
    clientHeaders: request.headers,
    gatewayKeys: services.catalog.snapshot,
    semantic: services.semanticCache,
    onStoreFailure: services.onCacheStoreFailure,
    onShadowHit: (similarity) => {
      log.shadowHitSimilarity = Math.round(similarity * 10_000) / 10_000;
    },
  });
  const callProvider = services.callProvider;
  const recorder = new AttemptRecorder(plan.root);
  const propagation = services.tracePropagation;
  // What reaches this port is sent to a provider; the recorder notes it (a refused attempt does not).
  const called: AttemptFunction<ProviderRequest, ProviderAnswer, UpstreamError | PkError> = recorder.wrapSent(
    (leaf, providerRequestOfLeaf, options) => {
      const sent = withForwardedHeadersOf(leaf, providerRequestOfLeaf, request, services.catalog);
      return callProvider(
        leaf,
        propagation ? withTraceparentOf(leaf, sent, request, recorder, propagation) : sent,
        options,
      );
    },
  );
  // Limits innermost: a target's hooks run before its key is charged, and see the answer it paid for.
  const attempt = attemptLimits ? attemptLimits.wrap(called) : called;
  const planStartedAt = Date.now();
  let result: Result;
  try {
    result = await runPlan(plan, providerRequest, {
      attempt: recorder.wrap(guard ? guard.wrapAttempt(attempt) : attempt),
      ...realTimePorts,
      // Wall-clock time: breaker timestamps may be shared with other replicas through Redis.
      now: Date.now,
      signal: clientGone.asAbortSignal(),
      breakers: services.breakers,
      ...(cache ? { cache: guard ? guard.guardCache(cache.port) : cache.port } : {}),
      // What conditional groups see: metadata, the body, the path (built only when one runs).
      conditionContext: createRequestConditionContext({
        metadata: headers.options.metadata,
        url: request.url,
      }),
    });
  } catch (error) {
    if (error instanceof PlanAbortedError) {
      // Nobody is listening any more: the 499 log line says how far the request got, and why when
      // the gateway's shutdown deadline ended its connection.
      if (services.stopStreams.aborted) log.errorCode ??= 'PK_ERR_SHUTTING_DOWN';
      log.targetPath = lastTriedPath(error.trace) ?? error.path;
      recordPlanFacts(log, recorder, error.trace, planStartedAt, undefined);
      if (request.otelTrace) request.otelTrace.attemptSpanIds = recorder.spanIdsOf(error.trace);
      return reply;
    }
    throw error;
  } finally {
    // Misses this request led and answered nothing to share: their waiters call the provider themselves.
    cache?.release();
    // The semantic cache's embedding calls (a provider call of their own): in the line, a 499's too.
    if (cache !== undefined && cache.embeddingCalls > 0)
      log.cache = {
        embeddingCalls: cache.embeddingCalls,
        embeddingMs: Math.round(cache.embeddingMs * 100) / 100,
        embeddingFailed: cache.embeddingFailed,
      };
  }
  // A cached answer meets the output guardrails of the target it is served for, as a fresh one does
  // (a hit made no attempt, so `wrapAttempt` never saw it): denied, redacted, or as it was stored.
  const outcome =
    guard !== undefined && result.cacheStatus === 'HIT' && result.outcome.ok
      ? await guardCachedOutcome(guard, plan, result.path, providerRequest, result.outcome)
      : result.outcome;
  log.targetPath = result.path;
  if (cache?.semanticUnconfigured) {
    // The client asked for a semantic match this gateway cannot make: it is told, not left guessing.
    requestWarnings = warnedOf(reply, log, requestWarnings, [SEMANTIC_CACHE_UNCONFIGURED]);
    services.onSemanticCacheUnconfigured?.();
  } else if (cache?.semanticUnsupported) {
    requestWarnings = warnedOf(reply, log, requestWarnings, [SEMANTIC_CACHE_UNSUPPORTED]);
  }
  const capWarnings = request.limitState?.capWarnings;
  if (capWarnings !== undefined && capWarnings.length > 0) {
    // The completion cap a limit added: the client is told the value and why, and so is the log.
    requestWarnings = warnedOf(reply, log, requestWarnings, capWarnings);
  }
  if (guard) recordGuardrails(request, guard);
  log.retries = result.retryCount;
  recordPlanFacts(log, recorder, result.trace, planStartedAt, result.path);
  if (request.otelTrace) request.otelTrace.attemptSpanIds = recorder.spanIdsOf(result.trace);
  if (result.cacheStatus === 'HIT') {
    // A cache hit made no provider call, so the recorder never saw its target: its virtual key and
    // its model (the answer stored for its `override_params.model` is the one served) come from the plan.
    const served = planLeaves(plan.root).find((leaf) => leaf.path === result.path);
    const virtualKey = served?.target.virtual_key;
    if (log.virtualKey === undefined && typeof virtualKey === 'string' && virtualKey !== '')
      log.virtualKey = virtualKey;
    const model = served === undefined ? undefined : overrideModelOf(served);
    if (model !== undefined) log.model = model;
  }
  const cacheStatus = cache?.storeFailed ? 'DISABLED' : (cache?.semanticStatus ?? result.cacheStatus);
  if (cache?.shadowed) log.shadowHitSimilarity = 1;
  if (cache?.storeFailed) reply.header('x-pk-cache-error', 'store-unavailable');
  else if (cache?.embeddingFailed) reply.header('x-pk-cache-error', 'embedding-unavailable');
  log.cacheStatus = cacheStatus;
  // An answer an output guardrail denied (446) was still made, and billed, by its provider.
  const denied = !outcome.ok && outcome.status === 446 ? guard?.deniedAnswer() : undefined;
  const answering = outcome.ok
    ? outcome.value.provider
    : UpstreamError.isInstance(outcome.error)
      ? outcome.error.provider
      : denied?.provider;
  if (answering) log.provider = answering;
  else {
    const planned = firstPlannedProvider(plan.root);
    if (planned !== undefined) log.plannedProvider = planned;
  }
  if (denied) {
    const answeredModel = answeredModelOf(denied.body);
    if (answeredModel !== undefined) log.answeredModel = answeredModel;
    recordUsageAndCost(log, denied.usage, { cacheHit: false, prices: services.settings.prices });
  }
  // The trace id's header was set when the request arrived (`trace-id.ts`); the others, per distinct
  // set. An answer no provider made (a timeout, the target's own input guardrail, a limit of its key)
  // still names the provider of the target it is for, as Portkey's do.
  reply.headers(
    answerHeadersOf(
      answering ?? recorder.providerOf(result.path),
      result.path,
      result.retryCount,
      cacheStatus,
    ),
  );
  if (!outcome.ok) {
    // The provider's own x-ratelimit-* of the answer that failed, as on a success.
    if (UpstreamError.isInstance(outcome.error)) reply.headers(outcome.error.answerHeaders);
    const waitMs = outcome.retryAfterMs;
    if (waitMs !== undefined && outcome.error instanceof PkError) {
      reply.header('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))));
    } else if (waitMs !== undefined && (outcome.status === 429 || outcome.status === 503)) {
      // The provider's own wait reaches the client, in both spellings the SDKs read.
      reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
      reply.header('retry-after-ms', String(Math.round(waitMs)));
    }
    // Refused by a target's key: the limit's own headers, as a refusal before routing has.
    if (outcome.error instanceof PkError && attemptLimits)
      AttemptLimits.answerRefusal(request, reply, outcome.error);
    recordFirstByte(log, reply);
    return replyWithFailure(reply, request, outcome.error, outcome.status);
  }
  const answer = outcome.value;
  const cacheHit = result.cacheStatus === 'HIT';
  if (answer.warnings.length > 0) {
    const warnings =
      requestWarnings === undefined ? answer.warnings : [...requestWarnings, ...answer.warnings];
    reply.header('x-pk-warnings', warningsHeaderValue(warnings));
    log.warnings = [...(log.warnings ?? []), ...answer.warnings];
  }
  if (answer.kind === 'json') {
    const answeredModel = answeredModelOf(answer.body);
    if (answeredModel !== undefined) log.answeredModel = answeredModel;
    recordUsageAndCost(log, answer.usage, { cacheHit, prices: services.settings.prices });
    recordFirstByte(log, reply);
    const finishReasons = finishReasonsOf(answer.body);
    if (finishReasons) log.finishReasons = finishReasons;
    if (streamed && result.cacheStatus === 'HIT' && isRecord(answer.body)) {
      // A streamed request answered from an entry stored by a non-streamed one: replay it as SSE.
      const includeUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
      const replay = ingress
        ? ingress.dialect.replayAsStream(answer.body, body)
        : completionToSse(answer.body, includeUsage);
      // Guarded: 246 when a hook failed, and the hooks' results as a fresh stream reports them.
      const sent = guard ? guard.cachedReplay(answer, replay) : { status: 200, text: replay };
      return reply
        .code(sent.status)
        .headers({ 'x-portkey-provider': answer.provider, 'cache-control': 'no-cache' })
        .type('text/event-stream; charset=utf-8')
        .send(sent.text);
    }
    if (guard) {
      const guarded = guard.jsonReply(answer);
      if (keepBodies) captureBody(request, 'response', guarded.body);
      return reply.code(guarded.status).headers(answer.headers).send(guarded.body);
    }
    if (keepBodies) captureBody(request, 'response', answer.body);
    // An answer that needed no translation goes back as the upstream's (or the cache's) JSON text.
    return reply
      .code(answer.status)
      .headers(answer.headers)
      .send(answerJsonOf(answer.body) ?? answer.body);
  }
  if (answer.kind === 'raw') {
    recordFirstByte(log, reply);
    const contentType = answer.headers['content-type'];
    const priced = passthrough?.path === undefined ? undefined : pricedPassthroughOf(passthrough.path);
    // Transcriptions are priced by the duration (or tokens) their answer reports, and a streamed one
    // (transcription, or speech with `stream_format: "sse"`) by its closing event's usage, read as it
    // goes by; speech's audio bytes report nothing (tts-1 is billed by its input's characters, which
    // the price data has no price for), so that is recorded at once.
    const readsUsage = priced === 'speech-to-text' || (priced === 'speech' && isEventStream(contentType));
    if (priced === 'speech' && !readsUsage)
      recordUsageAndCost(log, undefined, { cacheHit, prices: services.settings.prices });
    const answerBody = readsUsage
      ? notingAudioUsage(answer.body, contentType, (usage) =>
          recordUsageAndCost(log, usage, { cacheHit, prices: services.settings.prices }),
        )
      : answer.body;
    const noted = keepBodies ? withJsonAnswerNoted(request, answerBody, contentType) : answerBody;
    const bytes = noted instanceof Readable ? noted : Readable.from(noted);
    return reply.code(answer.status).headers(answer.headers).send(bytes);
  }
  reply.hijack();
  // An error the stream ended with, for the log record, as the body of the error event the client got
  // (Anthropic's on /v1/messages; the OpenAI envelope elsewhere).
  const streamErrorAsSent = (envelope: OpenAIErrorEnvelope, status?: number): unknown =>
    ingress ? ingress.dialect.errorBody(envelope, status) : envelope;
  const commit = result.commitToCache;
  const accumulator = !commit
    ? undefined
    : ingress
      ? ingress.dialect.createStreamAccumulator()
      : endpoint === 'chat.completions'
        ? new ChatStreamAccumulator()
        : undefined;
  const streamedTextBytesOf = streamTextBytesCounterOf(endpoint);
  const completed = await sendSse({
    response: reply.raw,
    stream: answer.stream,
    headers: [reply.getHeaders(), answer.headers],
    stop: services.stopStreams,
    ...(guard ? { status: guard.streamStatus(answer) } : {}),
    onChunk: (chunk: Uint8Array) => {
      if (log.firstByteMs === undefined) recordFirstByte(log, reply);
      accumulator?.push(chunk);
      // Tokens of a stream that ends without the provider's usage are counted from its text.
      if (request.limitState) request.limitState.streamedTextBytes += streamedTextBytesOf(chunk);
    },
    ...(ingress
      ? {
          // Numbered after the events already sent (one stream item is one event of the dialect).
          errorFrame: (message: string) =>
            ingress.dialect.errorFrame(createErrorEnvelope({ code: 'PK_ERR_STREAM_INTERRUPTED', message }), {
              sequenceNumber: answer.progress?.chunks ?? 0,
            }),
        }
      : {}),
  });
  if (guard) recordGuardrails(request, guard);
  if (answer.progress) {
    log.streamChunks = answer.progress.chunks;
    // Read from the items as they passed (no parse): the record's answered model prices the stream.
    if (answer.progress.model !== undefined) log.answeredModel = answer.progress.model;
    if (answer.progress.finishReasons.length > 0) log.finishReasons = [...answer.progress.finishReasons];
    // A stream that ended with an error (the provider's in-band error, or one that broke, stalled or
    // stopped short) answered 200 but is not a success: its record says which error the client got.
    const streamError = answer.progress.error;
    if (streamError !== undefined) {
      log.errorCode = streamErrorCodeOf(streamError);
      captureBody(request, 'errorAnswer', streamErrorAsSent({ error: streamError }));
    }
  }
  // Ended by an output guardrail's `deny` with `event: error` (its 446 after the 200): a failure.
  if (guard?.streamDenied(answer) === true && log.errorCode === undefined) {
    log.errorCode = 'PK_ERR_GUARDRAIL_DENIED';
    // The `event: error` it ended with carries this envelope, its hook results those of the deny.
    const denied = new GuardrailDeniedError(guard.hookResults()).toEnvelope();
    captureBody(request, 'errorAnswer', {
      ...(streamErrorAsSent(denied, 446) as object),
      hook_results: denied.hook_results,
    });
  }
  // Ended by the gateway's shutdown deadline with `event: error`: not a success either.
  if (!completed && services.stopStreams.aborted && !request.clientLeft && log.errorCode === undefined) {
    log.errorCode = 'PK_ERR_STREAM_INTERRUPTED';
    // The `event: error` it ended with: its message is the record's `error_message`.
    captureBody(
      request,
      'errorAnswer',
      streamErrorAsSent(
        createErrorEnvelope({ code: 'PK_ERR_STREAM_INTERRUPTED', message: SHUTDOWN_STREAM_MESSAGE }),
      ),
    );
  }
  const usage = await answer.usage;
  // A stream that ended short has no usage of its own: what its provider had reported by then (and billed).
  const partialUsage = usage === undefined ? answer.progress?.partialUsage : undefined;
  if (partialUsage !== undefined)
    recordPartialUsageAndCost(log, partialUsage, { prices: services.settings.prices });
  else recordUsageAndCost(log, usage, { cacheHit, prices: services.settings.prices });
  // An answer that failed a hook (246) is never cached.
  const rebuilt = completed && guard?.answerFailed(answer) !== true ? accumulator?.result() : undefined;
  if (commit && rebuilt) {
    // Stored only once the stream completed cleanly ([DONE], no error frame, client still there).
    // A dialect's rebuilt answer carries its own usage (Anthropic's or the Responses API's shape).
    const stored = usage && !ingress ? { ...(rebuilt as object), usage } : rebuilt;
    void commit({ ...answer, kind: 'json', body: stored, usage });
  }
  return reply;
}

/**
 * A cache hit through the output hooks of the target it is served for, when that target has some:
 * the stored answer is whole, so every check judges all of it (a webhook too, which on a fresh stream
 * only reports), before a streamed request gets it replayed.
 */
async function guardCachedOutcome(
  guard: RequestGuard,
  plan: ResolvedPlan,
  path: string,
  providerRequest: ProviderRequest,
  hit: Extract<Result['outcome'], { ok: true }>,
): Promise<Result['outcome']> {
  const leaf = planLeaves(plan.root).find((candidate) => candidate.path === path);
  if (leaf === undefined || !guard.hasOutputHooks(leaf)) return hit;
  return guard.guardCachedAnswer(leaf, providerRequest, hit.value);
}

/** The hooks' results: a summary for the log line, the whole of them for the log record. */
function recordGuardrails(request: FastifyRequest, guard: RequestGuard): void {
  request.logFields.guardrails = guard.logSummary();
  captureBody(request, 'hookResults', guard.hookResults());
}

/** What the log records for a stream's closing error: the provider's code or type, else pk's own code. */
function streamErrorCodeOf(error: { readonly code?: unknown; readonly type?: unknown }): string {
  return providerErrorCodeOf(error) ?? 'PK_ERR_STREAM_INTERRUPTED';
}

/**
 * The request for one leaf: its `forward_headers` picked from the client's headers, never a
 * credential header carrying a gateway secret (see {@link forwardedHeadersOf}).
 */
function withForwardedHeadersOf(
  leaf: PlanLeaf,
  providerRequest: ProviderRequest,
  request: FastifyRequest,
  catalog: Catalog,
): ProviderRequest {
  const names = leaf.forward_headers;
  if (names === undefined || names.length === 0) return providerRequest;
  const isGatewaySecret = gatewaySecretTestOf(catalog.snapshot, request.headers);
  return {
    ...providerRequest,
    forwardedHeaders: forwardedHeadersOf(names, request.headers, isGatewaySecret),
  };
}

/**
 * The call with the W3C trace context of its attempt (only while spans are exported): a
 * `traceparent` in the request's trace naming a span id minted for this call, which its attempt's
 * span takes at export, and the caller's `tracestate` as it came (pk adds no entry). It replaces a
 * `traceparent` the config's `forward_headers` passed on: the call's parent is its attempt's span.
 */
function withTraceparentOf(
  leaf: PlanLeaf,
  providerRequest: ProviderRequest,
  request: FastifyRequest,
  recorder: AttemptRecorder,
  propagation: TracePropagation,
): ProviderRequest {
  request.otelTrace ??= propagation.traceOf(parseTraceparent(request.headers.traceparent), request.traceId);
  const spanId = propagation.spanId();
  recorder.noteSpanId(leaf.path, spanId);
  const tracestate = request.headers.tracestate;
  return {
    ...providerRequest,
    forwardedHeaders: {
      ...providerRequest.forwardedHeaders,
      traceparent: traceparentOf(request.otelTrace, spanId),
      ...(typeof tracestate === 'string' && tracestate !== '' ? { tracestate } : {}),
    },
  };
}

/**
 * A provider call that failed inside pk (an adapter's bug): the client gets the 500's short message,
 * the log gets what was thrown (name, message, stack; never request headers), with the trace id.
 */
function logInternalCause(request: FastifyRequest, error: PkError): void {
  const cause = error.cause;
  if (cause === undefined) return;
  request.log.error(
    {
      traceId: request.traceId,
      err:
        cause instanceof Error
          ? { name: cause.name, message: cause.message, stack: cause.stack }
          : { message: String(cause) },
    },
    'provider call failed inside pk',
  );
}

function replyWithFailure(
  reply: FastifyReply,
  request: FastifyRequest,
  error: UpstreamError | PkError,
  status: number,
): FastifyReply {
  if (error instanceof PkError) {
    request.logFields.errorCode = error.code;
    if (error.code === 'PK_ERR_INTERNAL') logInternalCause(request, error);
    if (error.code === 'PK_ERR_CIRCUIT_OPEN' && !reply.hasHeader('retry-after'))
      reply.header('retry-after', '30');
    return reply.code(statusOfErrorCode(error.code)).type('application/json').send(error.toEnvelope());
  }
  if (UpstreamError.isInstance(error)) {
    // A provider's error without `code` or `type` still gets one, its status as text (`"500"`), as a
    // failed custom log does: else grouping or filtering by `error_code` would put it with successes.
    request.logFields.errorCode = providerErrorCodeOf(error) ?? String(status);
    return reply.code(status).type('application/json').send(error.toEnvelope());
  }
  throw error;
}
