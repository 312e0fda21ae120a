import { createMemoryBreakerStore, type InspectableBreakerStore } from '@pk/config';
import { type CacheStore, createMemoryCacheStore } from '@pk/config/cache';
import { DEFAULT_HOLDBACK_CHARS } from '@pk/guardrails';
import {
  createMemoryTokenCache,
  createProviderAttempt,
  createUndiciTransport,
  type Transport,
} from '@pk/providers';
import type { Catalog, CreateFeedbackInput, GatewayKey, Store } from '@pk/store';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { adminAuthPlugin } from './admin/admin-auth.js';
import { ADMIN_SEGMENTS, adminRoutes } from './admin/admin-routes.js';
import { BREAKER_SEGMENTS, breakerRoutes } from './admin/breaker-routes.js';
import type { KeyUsage } from './admin/current-usage.js';
import { createCacheFlights } from './cache/cache-flights.js';
import { createEmbedder } from './cache/semantic/embedder.js';
import { createSemanticCache } from './cache/semantic/semantic-cache.js';
import type { IndexedVector } from './cache/semantic/vector-index.js';
import type { VectorLog } from './cache/semantic/vector-log.js';
import { answerExpectationFailed, createClientErrorHandler } from './client-error.js';
import type { ConsoleAssets } from './console/console-assets.js';
import { CONSOLE_PREFIX, consolePlugin } from './console/console-plugin.js';
import { createGatewayGuardrails } from './guardrails/gateway-guardrails.js';
import { hookFeedbackListener, recordHookFeedback } from './guardrails/hook-feedback.js';
import { noSecrets, type SecretResolver } from './guardrails/stored-guardrails.js';
import { type LimitsOptions, setUpLimits } from './limits/set-up-limits.js';
import { requestLineWriter } from './logging/request-line.js';
import { watchBreakers } from './metrics/breaker-metrics.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import { countsAsProxiedRequest } from './metrics/metric-labels.js';
import { metricsRoutes } from './metrics/metrics-routes.js';
import { createParserRefusalReporter } from './parser-refusal-log.js';
import { accessGuardPlugin } from './plugins/access-guard.js';
import { corsPlugin } from './plugins/cors.js';
import { answerFrameworkError, errorHandlerPlugin } from './plugins/error-handler.js';
import { useJsonBodyParser } from './plugins/json-body.js';
import { lazySchemaCompilers } from './plugins/lazy-schema-compilers.js';
import { requestLogPlugin } from './plugins/request-log.js';
import { createShutdownState, type ShutdownState, shutdownPlugin } from './plugins/shutdown.js';
import { MAX_PATH_PARAM_LENGTH, traceIdPlugin } from './plugins/trace-id.js';
import { promptInferenceRoutes } from './prompts/prompt-inference-routes.js';
import { type ProxyServices, SEMANTIC_CACHE_UNCONFIGURED } from './proxy/run-proxied-request.js';
import type { RealtimeProxy } from './realtime/proxy-tunnel.js';
import { realtimeRoutes } from './realtime/realtime-routes.js';
import { logExportFileRoute } from './request-logs/log-export-routes.js';
import { LogExportRunner } from './request-logs/log-export-runner.js';
import { LOG_SEGMENTS, logRoutes } from './request-logs/log-routes.js';
import { attachRequestLogStore, type RequestLogDependencies } from './request-logs/log-store-plugin.js';
import { ConfigParseCache } from './request-plan/config-parse-cache.js';
import { completionsRoutes } from './routes/completions-routes.js';
import { controlPlaneRoutes, switchedOffSegments } from './routes/control-plane-routes.js';
import { healthRoutes } from './routes/health.js';
import { messagesRoutes } from './routes/messages-routes.js';
import { modelsRoutes } from './routes/models-routes.js';
import { openAIRoutes } from './routes/openai-routes.js';
import { passthroughRoutes } from './routes/passthrough-routes.js';
import { responsesRoutes } from './routes/responses-routes.js';
import { defaultSettings, type GatewaySettings } from './settings/load-settings.js';
import { catalogOfSettings } from './settings/settings-records.js';
import type { TracePropagation } from './tracing/trace-context.js';

/** Everything the app needs from outside; `server.ts` builds it from the environment. */
export interface AppDependencies {
  readonly settings?: GatewaySettings;
  /**
   * While spans are exported (`server.ts`): each provider call carries a `traceparent` naming its
   * attempt's span. Without it (tracing off) nothing is added to a call, and requests are not decorated.
   */
  readonly tracePropagation?: TracePropagation;
  /**
   * Gateway keys, virtual keys and saved configs as the request path sees them: the store's live
   * catalog (`server.ts`), or by default the settings file's records alone.
   */
  readonly catalog?: Catalog;
  /**
   * The data store: with it, the admin API (configs, virtual keys, API keys, guardrails) and feedback
   * are served, and `catalog` defaults to its live catalog. Without it those routes answer 501.
   */
  readonly store?: Store;
  /**
   * The request log store (issue 18): one record per proxied request, written in batches by
   * `writer`, and the logs, traces and analytics API. Needs `store`. Without it both are off.
   */
  readonly requestLog?: RequestLogDependencies;
  /** Where the admin API's `current_usage` comes from and `reset_usage` goes (default: the limits store's counters). */
  readonly usage?: KeyUsage;
  /** Rate limits and budgets: the shared store (Redis) and its options (default: memory, one replica). */
  readonly limits?: LimitsOptions;
  /**
   * Resolves `env:` / `file:` secret references of guardrails defined in the store (webhook
   * secrets); `server.ts` gives the process environment. Default: none resolve.
   */
  readonly resolveSecret?: SecretResolver;
  /** Whether requests may go without a key while none exists (loopback only); default true. */
  readonly allowKeyless?: boolean;
  /** Told which gateway key authenticated each request (last-used times, written in batches). */
  readonly onKeyUsed?: (key: GatewayKey, at: number) => void;
  readonly shutdown?: ShutdownState;
  /** The network port to upstreams (default: an undici transport without proxy). */
  readonly transport?: Transport;
  /** The proxies of Realtime WebSocket sessions' provider sockets (default: none, direct). */
  readonly realtimeProxy?: RealtimeProxy;
  /**
   * The gateway's AWS key for STS AssumeRole (`AWS_ASSUME_ROLE_ACCESS_KEY_ID`,
   * `AWS_ASSUME_ROLE_SECRET_ACCESS_KEY`): signs it for Bedrock `assumedRole` targets without a key.
   */
  readonly awsAssumeRoleCredentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Circuit-breaker state (default: in-process). */
  readonly breakers?: InspectableBreakerStore;
  /** Where `breakers` keeps its state (`GET /v1/breakers` says so); default `memory`. */
  readonly breakerStoreKind?: 'memory' | 'redis';
  /** Response cache store of serialised answers (default: in-memory LRU, 256 MiB). */
  readonly cacheStore?: CacheStore<string>;
  /** With Redis: shares semantic-cache vectors between replicas (called once, with the index's `add`). */
  readonly vectorLog?: (onEntry: (entry: IndexedVector) => void) => VectorLog;
  /** Characters of a streamed answer held back for output guardrails (default 128). */
  readonly guardrailHoldbackChars?: number;
  /**
   * Prometheus metrics (`server.ts` makes them unless `PK_METRICS=0`): fed by every request's end,
   * served at `GET /metrics` to keys with the `metrics` scope, breakers watched. None: no cost.
   */
  readonly metrics?: GatewayMetrics;
  /**
   * The console at `/console` (default: served, its files from `@pk/console`'s build, read only when
   * asked for; its API needs `store`). `false` turns it off.
   */
  readonly console?: false | { readonly assets?: ConsoleAssets };
  /** pino logger options, or `false` for none (tests). */
  readonly logger?: boolean | Record<string, unknown>;
}

/** Calls `warn` at most once per `intervalMs`, however often the failure happens. */
function warnEvery(intervalMs: number, warn: (error: unknown) => void): (error: unknown) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (error) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    warn(error);
  };
}

/** Calls `act` the first time only. */
function once(act: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    act();
  };
}

/**
 * How often Node looks for requests past their receive timeout (ms): a quarter of it, between 250 ms
 * and Node's own 30 s (the default 5 min timeout keeps Node's interval).
 */
function receiveCheckIntervalMs(receiveTimeoutMs: number): number {
  return Math.min(30_000, Math.max(250, Math.floor(receiveTimeoutMs / 4)));
}

/** Builds the fastify app (no listening: `server.ts` does that). */
export async function buildApp(dependencies: AppDependencies = {}): Promise<FastifyInstance> {
  const settings = dependencies.settings ?? defaultSettings();
  // A request the HTTP parser refuses never reaches a route: one warn line a second at most, and a counter.
  const reportParserRefusal = createParserRefusalReporter({
    warn: (fields, message) => app.log.warn(fields, message),
    count: dependencies.metrics ? (reason) => dependencies.metrics?.parserRefusal(reason) : undefined,
  });
  const app = Fastify({
    logger: dependencies.logger ?? false,
    // One log line per request is written by pk itself, with its own fields and redaction.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (a pino child and its serialised bindings each time): pk's lines
    // carry the trace id themselves, so `request.log` is the app's logger.
    childLoggerFactory: (logger) => logger,
    bodyLimit: settings.bodyLimitBytes,
    // Host is checked in the access guard, so a request without one is answered in the envelope.
    // Node checks the receive timeout below every `connectionsCheckingInterval` (30 s by default),
    // and only while the headers' own timeout (60 s by default) is no longer than it.
    http: {
      maxHeaderSize: settings.headerLimitBytes,
      requireHostHeader: false,
      connectionsCheckingInterval: receiveCheckIntervalMs(settings.receiveTimeoutMs),
      headersTimeout: Math.min(60_000, settings.receiveTimeoutMs),
    },
    // A client that sends its body a byte at a time (slowloris) held its connection for ever:
    // fastify turns Node's own 5 min bound off. Only the request's arrival counts, not the answer.
    requestTimeout: settings.receiveTimeoutMs,
    // A path parameter may be a whole trace id (`/v1/traces/:traceId`), each character percent-encoded
    // at worst: fastify's default (100) answered 404 "no route" for the longer ones the gateway logs.
    routerOptions: {
      ignoreDuplicateSlashes: true,
      ignoreTrailingSlash: true,
      maxParamLength: MAX_PATH_PARAM_LENGTH,
    },
    clientErrorHandler: createClientErrorHandler(reportParserRefusal),
    frameworkErrors: answerFrameworkError,
    // While the app closes, a request that was already arriving goes through the shutdown plugin,
    // which answers 503 PK_ERR_SHUTTING_DOWN in the error envelope and logs its record: fastify's own
    // 503 is {"error":"Service Unavailable",…}, which no OpenAI client reads, with an info line each.
    return503OnClosing: false,
    // Ajv and fast-json-stringify only if a route ever declares a schema (none does): idle RSS.
    schemaController: lazySchemaCompilers(),
  });
  // An `Expect` other than 100-continue: 417 in the envelope (Node's own answer has no body).
  app.server.on('checkExpectation', answerExpectationFailed);
  useJsonBodyParser(app);
  await app.register(traceIdPlugin);
  const store = dependencies.store;
  const catalog = dependencies.catalog ?? store?.catalog ?? catalogOfSettings(settings);
  await app.register(errorHandlerPlugin, { catalog });
  await app.register(corsPlugin, { allowedOrigins: settings.allowedOrigins });
  await app.register(accessGuardPlugin, {
    catalog,
    allowedOrigins: settings.allowedOrigins,
    ...(dependencies.allowKeyless === undefined ? {} : { allowKeyless: dependencies.allowKeyless }),
    ...(dependencies.onKeyUsed ? { onKeyUsed: dependencies.onKeyUsed } : {}),
    ...(dependencies.console === false ? {} : { ownAuthPrefix: CONSOLE_PREFIX }),
  });
  await app.register(adminAuthPlugin, { catalog });
  await app.register(requestLogPlugin, { line: requestLineWriter(dependencies.logger) });
  // After the access guard and the request log: a request refused while draining has its tenant, its
  // gateway key and its log fields, so it is logged and stored as the request of its endpoint it is.
  const shutdown = dependencies.shutdown ?? createShutdownState();
  await app.register(shutdownPlugin, { state: shutdown, catalog });
  const requestLog = store ? dependencies.requestLog : undefined;
  app.decorate('logQueue', requestLog ? requestLog.writer : null);
  if (store && requestLog) attachRequestLogStore(app, store, requestLog);
  await app.register(healthRoutes);
  const metrics = dependencies.metrics;
  if (metrics) {
    // Proxied requests only (refused ones included): not probes, scrapes, admin or logs API calls.
    app.onRequestEnd((end) => {
      if (countsAsProxiedRequest(end)) metrics.record(end);
    });
    await app.register(metricsRoutes, { metrics });
    // The request log store's queue (records waiting for their batch, records dropped when full).
    const logQueue = app.logQueue;
    if (logQueue) metrics.watchLogQueue('log_store', () => logQueue.stats());
  }
  // Limits of keys and metadata values: admission in the proxy, settlement at each request's end.
  // With the data store, charged usage is also kept per day there: budgets survive a restart and a
  // change of their reset period.
  const limits = setUpLimits(
    app,
    settings,
    dependencies.limits,
    store ? { ledger: store.limitSpend, catalog } : undefined,
  );
  await limits.ready;
  // Trusted custom hosts may reach private addresses; everything else only public ones (SSRF guard).
  const transport =
    dependencies.transport ?? createUndiciTransport({ trustedHosts: settings.customHostTrust });
  const semanticSettings = settings.semanticCache;
  const semanticCache = semanticSettings
    ? createSemanticCache({
        // One line at most every 10 s naming the embedding target (never its key).
        embed: createEmbedder(
          semanticSettings,
          transport,
          warnEvery(10_000, (reason) =>
            app.log.warn(
              {
                virtualKey: semanticSettings.virtualKey.slug,
                model: semanticSettings.model,
                reason,
              },
              `semantic cache: embedding through virtual key ${semanticSettings.virtualKey.slug} (${semanticSettings.model}) failed (${String(reason)}); serving without the semantic lookup`,
            ),
          ),
          metrics ? (outcome) => metrics.embeddingCall(outcome) : undefined,
        ),
        maxEntries: semanticSettings.maxEntries,
      })
    : undefined;
  if (semanticCache && dependencies.vectorLog) {
    const log = dependencies.vectorLog((entry) => semanticCache.index.add(entry));
    semanticCache.log = log;
    app.addHook('onClose', async () => log.close());
  }
  const recordFeedback = store
    ? (input: CreateFeedbackInput) => void store.feedback.record(input)
    : undefined;
  const warnFeedback = (message: string): void => app.log.warn(message);
  const guardrails = createGatewayGuardrails({
    settings,
    catalog,
    transport,
    resolveSecret: dependencies.resolveSecret ?? noSecrets,
    onProblem: (message) => app.log.warn(message),
    holdbackChars: dependencies.guardrailHoldbackChars ?? DEFAULT_HOLDBACK_CHARS,
    // Results of `async` hooks arrive after the answer: one line each, with the request's trace id
    // (never a body or a header); the request's log record gets them too, and its trace their feedback.
    onAsyncResult: (result, request) => {
      app.log.info(
        {
          traceId: request.traceId,
          hook: result.id,
          event: request.event,
          verdict: result.verdict,
          ms: result.execution_time,
          async: true,
        },
        'guardrail',
      );
      if (recordFeedback) recordHookFeedback(recordFeedback, [result], request, warnFeedback);
    },
  });
  // Hooks' `on_fail` / `on_success` feedback, saved on the request's trace as `POST /v1/feedback`
  // saves it: queued in the store (written every second, off the request path).
  if (recordFeedback) app.onRequestEnd(hookFeedbackListener(recordFeedback, warnFeedback));
  app.addHook('onClose', async () => guardrails.stop());
  const configCache = new ConfigParseCache({
    trustedCustomHosts: settings.customHostTrust,
    validate: guardrails.validateConfig,
  });
  // A guardrail created, changed or deleted in the store may change the verdict on a config.
  guardrails.onCompilerChange(() => configCache.clear());
  const breakers = metrics
    ? watchBreakers(dependencies.breakers ?? createMemoryBreakerStore(), metrics)
    : (dependencies.breakers ?? createMemoryBreakerStore());
  if (dependencies.tracePropagation) app.decorateRequest('otelTrace', null);
  const services: ProxyServices = {
    settings,
    catalog,
    transport,
    // One for the app's lifetime: exchanged tokens are reused across requests (bounded, 1000 accounts).
    // Also STS AssumeRole credentials of Bedrock roles, until shortly before they expire.
    callProvider: createProviderAttempt({
      transport,
      tokenCache: createMemoryTokenCache(1000),
      ...(dependencies.awsAssumeRoleCredentials
        ? { authSettings: { awsAssumeRoleCredentials: dependencies.awsAssumeRoleCredentials } }
        : {}),
    }),
    breakers,
    configCache,
    guardrails,
    cacheStore: dependencies.cacheStore ?? createMemoryCacheStore<string>(),
    cacheFlights: createCacheFlights(),
    semanticCache,
    onSemanticCacheUnconfigured: once(() =>
      app.log.warn(
        `${SEMANTIC_CACHE_UNCONFIGURED}. Add semantic_cache (virtual_key, model) to the settings file for semantic matches (said once per process)`,
      ),
    ),
    onCacheStoreFailure: warnEvery(10_000, (error) =>
      app.log.warn(
        { err: { message: (error as Error).message } },
        'cache store unavailable: serving without the cache',
      ),
    ),
    stopStreams: shutdown.drainDeadline.signal,
    tracePropagation: dependencies.tracePropagation,
    logBodies: requestLog?.bodies === true,
    limits: limits.limits,
  };
  await app.register(openAIRoutes, { services });
  await app.register(completionsRoutes, { services });
  await app.register(modelsRoutes, { services });
  await app.register(messagesRoutes, { services });
  await app.register(responsesRoutes, { services });
  const usage = dependencies.usage ?? limits.usage;
  if (store) await app.register(adminRoutes, { store, guardrails, usage });
  const breakerRouteOptions = store
    ? { breakers, kind: dependencies.breakerStoreKind ?? 'memory', catalog, store }
    : undefined;
  if (breakerRouteOptions) {
    for (const prefix of ['/v1', '']) await app.register(breakerRoutes, { ...breakerRouteOptions, prefix });
  }
  if (store) await app.register(promptInferenceRoutes, { services, store });
  const exportRunner =
    store && requestLog
      ? new LogExportRunner(store, (outcome) => app.log.info(outcome, 'log export'))
      : undefined;
  if (exportRunner) app.addHook('onClose', async () => exportRunner.close());
  const logRouteOptions =
    store && requestLog
      ? {
          store,
          writer: requestLog.writer,
          bodies: requestLog.bodies === true,
          prices: settings.prices,
          exports: exportRunner,
          publicUrl: requestLog.publicUrl,
        }
      : undefined;
  if (logRouteOptions) await app.register(logRoutes, logRouteOptions);
  if (store && exportRunner) await app.register(logExportFileRoute, { store });
  if (dependencies.console !== false) {
    await app.register(consolePlugin, {
      prefix: CONSOLE_PREFIX,
      ...(dependencies.console?.assets ? { assets: dependencies.console.assets } : {}),
      api: store
        ? {
            store,
            guardrails,
            usage,
            catalog,
            allowKeyless: dependencies.allowKeyless ?? true,
            trustedCustomHosts: settings.customHostTrust,
            // The logs, traces and analytics queries: the same handlers, behind the console's session.
            extraRoutes: [
              ...(logRouteOptions
                ? [async (scope: FastifyInstance) => scope.register(logRoutes, logRouteOptions)]
                : []),
              ...(breakerRouteOptions
                ? [async (scope: FastifyInstance) => scope.register(breakerRoutes, breakerRouteOptions)]
                : []),
            ],
          }
        : undefined,
    });
  }
  // Every path family pk serves (Portkey's and its own) answers here when no route of it matches,
  // in every store mode: none reaches a provider with the caller's credentials.
  await app.register(controlPlaneRoutes, {
    served: store ? { ...ADMIN_SEGMENTS, ...BREAKER_SEGMENTS, ...(requestLog ? LOG_SEGMENTS : {}) } : {},
    switchedOff: switchedOffSegments(store !== undefined, requestLog !== undefined),
  });
  // `GET /v1/realtime` upgraded to a WebSocket (the HTTP server's `upgrade` event; plain requests never see it).
  await app.register(realtimeRoutes, { services, proxy: dependencies.realtimeProxy });
  await app.register(passthroughRoutes, { services });
  return app;
}
