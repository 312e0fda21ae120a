import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createUndiciTransportFromEnvironment } from '@pk/providers';
import {
  DEFAULT_DATA_DIR,
  FEEDBACK_SPILL_FILE,
  LIMIT_SPEND_SPILL_FILE,
  LOG_SPILL_FILE,
  MASTER_KEY_FILE,
  openStore,
  RequestLogWriter,
  StoreStartError,
  storeExists,
} from '@pk/store';
import { turnOffAllocationSitePretenuring } from './allocation-site-pretenuring.js';
import { buildApp } from './app.js';
import { createRedisVectorLog } from './cache/semantic/vector-log.js';
import { closeAppPromptly } from './close-app.js';
import { secretResolverFor } from './guardrails/stored-guardrails.js';
import { keepTickObjects } from './keep-tick-objects.js';
import { limitsFromEnvironment } from './limits/limits-from-environment.js';
import { checkListenHostResolves } from './listen-host-lookup.js';
import { checkListenAddressFree, listenRefusal } from './listen-refusal.js';
import {
  type BatchedLogDestination,
  createBatchedLogDestination,
} from './logging/batched-log-destination.js';
import { routeConsoleToLog } from './logging/console-to-log.js';
import { createWarningWriter } from './logging/startup-log.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import { type MetricsServer, startMetricsServer } from './metrics/metrics-server.js';
import { createShutdownState } from './plugins/shutdown.js';
import { realtimeProxyOf } from './realtime/proxy-tunnel.js';
import { releaseStartupGarbage } from './release-startup-garbage.js';
import { readLogStoreOptions } from './request-logs/log-store-options.js';
import { spillLeftWhileOffWarning } from './request-logs/spill-left-while-off.js';
import { checkSpillPath } from './request-logs/spill-path-check.js';
import { isLoopbackHost, readServerOptions, StartupError } from './server-options.js';
import { defaultSettings, loadSettingsFile, SettingsError } from './settings/load-settings.js';
import { settingsRecordsOf } from './settings/settings-records.js';
import { settingsGatewayKeyProblem } from './settings/stored-gateway-keys.js';
import { breakerStoreFromEnvironment } from './stores/breaker-store-from-environment.js';
import { cacheStoreFromEnvironment } from './stores/cache-store-from-environment.js';
import {
  createRedisClient,
  redisKeyPrefixFromEnvironment,
  redisUrlFromEnvironment,
} from './stores/redis-client.js';
import { createExportFailureWarning } from './tracing/export-failures.js';
import { startTracing } from './tracing/tracing.js';
import { VERSION } from './version.js';

/** The refusal of a start beyond loopback without a gateway key (settings file or store). */
function noGatewayKeys(host: string): StartupError {
  return new StartupError(
    `refusing to listen on ${host} with no gateway keys: anyone who can reach it could use stored credentials. ` +
      'Add gateway_keys to the settings file, create an admin key in the store with `pk init`, ' +
      'listen on 127.0.0.1, or set PK_ALLOW_UNAUTHENTICATED=1.',
  );
}

/**
 * The gateway process: reads the environment, loads settings, listens, and drains on SIGTERM
 * (new requests get 503 + `connection: close`, in-flight ones finish within
 * `PK_SHUTDOWN_TIMEOUT_MS`, streams still open then end with `event: error`, exit 0, or 1 when
 * request log records were lost). A second signal ends the drain at once; a third exits at once.
 */
async function main(): Promise<void> {
  // Before the start-up's work and collections: both keep process.nextTick on its fast path.
  turnOffAllocationSitePretenuring();
  keepTickObjects();
  const options = readServerOptions(process.argv.slice(2), process.env);
  const logStore = readLogStoreOptions(process.env);
  // A PK_REDIS_URL no store uses is checked too: its typo would otherwise wait for the day a store
  // is switched to Redis.
  if (process.env.PK_REDIS_URL) redisUrlFromEnvironment(process.env);
  const redisKeyPrefix = redisKeyPrefixFromEnvironment(process.env);
  // A spill file the gateway could not write would lose records at the first shutdown with the store down.
  if (logStore.enabled && logStore.spillPath !== undefined) await checkSpillPath(logStore.spillPath);
  await checkListenHostResolves('HOST', options.host);
  if (options.metricsPort !== undefined)
    await checkListenHostResolves('PK_METRICS_HOST', options.metricsHost);
  // Both ports are tried before the store creates PK_DATA_DIR: a port in use refuses a first start
  // leaving nothing behind.
  await checkListenAddressFree({ port: 'PORT', host: 'HOST' }, options);
  if (options.metricsPort !== undefined) {
    await checkListenAddressFree(
      { port: 'PK_METRICS_PORT', host: 'PK_METRICS_HOST' },
      { host: options.metricsHost, port: options.metricsPort },
    );
  }
  const settings = options.settingsPath
    ? await loadSettingsFile(options.settingsPath, process.env)
    : defaultSettings();
  const logDestination = logDestinationFor(options.logFlushMs, options.logLevel);
  // Warnings are log lines (pino's JSON, on stdout) from here on: written in pino's shape until the
  // app's logger exists, then by it. Only a refused start (below, in `main().catch`) is plain stderr.
  let warn = createWarningWriter(options.logLevel, (line) => logDestination.write(line));
  // A library's own console lines (ioredis' `[WARN] …`) are warnings of this log too.
  routeConsoleToLog((message) => warn(message));
  // Every variable is read, and a bad one refused, before the store creates PK_DATA_DIR: a refused
  // start leaves nothing on disk. (Redis clients connect from here on; a refusal exits the process.)
  let lastRedisWarning = Number.NEGATIVE_INFINITY;
  const warnRedis = (error: unknown): void => {
    // ioredis reports every failed reconnect; one line per 10 s is enough.
    if (Date.now() - lastRedisWarning < 10_000) return;
    lastRedisWarning = Date.now();
    warn(`cache Redis unavailable (${(error as Error).message}); serving without the cache`);
  };
  const cache = cacheStoreFromEnvironment(process.env, warnRedis, (message) => warn(message));
  // PK_BREAKER_STORE=redis shares open breakers between replicas (in-process state while Redis is down).
  const breakers = breakerStoreFromEnvironment(process.env, (message) => warn(message));
  // PK_LIMITS_STORE=redis shares rate limits and budgets between replicas (PK_REPLICAS of them).
  let lastLimitsWarning = Number.NEGATIVE_INFINITY;
  const limits = limitsFromEnvironment(
    process.env,
    (error) => {
      if (Date.now() - lastLimitsWarning < 10_000) return;
      lastLimitsWarning = Date.now();
      warn(`limits Redis unavailable (${error.message}); reconnecting`);
    },
    (message) => warn(message),
  );
  if (
    process.env.PK_REDIS_KEY_PREFIX &&
    [cache, breakers, limits].every((chosen) => chosen.kind !== 'redis')
  ) {
    warn(
      'PK_REDIS_KEY_PREFIX is set but no store uses Redis (PK_CACHE_STORE, PK_BREAKER_STORE and PK_LIMITS_STORE are memory): it applies only to Redis keys',
    );
  }
  // HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured for calls to providers.
  // Trusted custom hosts may reach private addresses; other hosts only public ones (SSRF guard).
  // PK_STREAM_IDLE_TIMEOUT_MS bounds the silence inside an answer's body (undici's `bodyTimeout`).
  const realtimeProxy = realtimeProxyOf(process.env);
  const transport = createUndiciTransportFromEnvironment(
    { trustedHosts: settings.customHostTrust, bodyTimeoutMs: options.streamIdleTimeoutMs },
    process.env,
  );
  // Beyond loopback a gateway needs keys. With none in the settings file and no store yet (no pk.db,
  // a PostgreSQL database pk never migrated), it is refused before the store is created: a refused
  // start leaves nothing behind (an existing store is opened, below, for the keys it holds).
  const allowKeyless = isLoopbackHost(options.host) || options.allowUnauthenticated;
  if (
    !allowKeyless &&
    settings.gatewayKeys.length === 0 &&
    !(await storeExists({ databaseUrl: options.databaseUrl, dataDir: options.dataDir }))
  )
    throw noGatewayKeys(options.host);
  // A master key generated by a start that is then refused is removed again (SQLite).
  const masterKeyFile = join(resolve(options.dataDir || DEFAULT_DATA_DIR), MASTER_KEY_FILE);
  const masterKeyFileExisted = options.databaseUrl !== undefined || existsSync(masterKeyFile);
  // Keys, virtual keys and configs: SQLite in PK_DATA_DIR, or PostgreSQL with PK_DATABASE_URL; the
  // settings file's records are served too, read-only. Requests read the store's in-memory snapshot.
  // Hooks' feedback and limits' spend the store still refuses at SIGTERM: beside the request log's
  // spill file.
  const spillDirectory =
    logStore.spillPath === undefined
      ? resolve(options.dataDir || DEFAULT_DATA_DIR)
      : dirname(logStore.spillPath);
  const feedbackSpillFile = join(spillDirectory, FEEDBACK_SPILL_FILE);
  const store = await openStore({
    databaseUrl: options.databaseUrl,
    dataDir: options.dataDir,
    feedbackSpillFile,
    limitSpendSpillFile: join(spillDirectory, LIMIT_SPEND_SPILL_FILE),
    masterKey: options.masterKey,
    env: process.env,
    settings: settingsRecordsOf(settings, options.settingsPath ?? 'settings'),
    parseOptions: { trustedCustomHosts: settings.customHostTrust },
    onWarning: (message) => warn(message),
    onLoss: (message) => app.log.error(message),
  });
  if (store.catalog.snapshot.gatewayKeysByHash.size === 0 && !allowKeyless) {
    await store.close();
    if (!masterKeyFileExisted) await rm(masterKeyFile, { force: true });
    throw noGatewayKeys(options.host);
  }
  // No settings-file virtual key may hold a gateway key (the file's or the store's): it would go upstream.
  const storedGatewayKey = settingsGatewayKeyProblem(settings.virtualKeys, store.catalog.snapshot);
  if (storedGatewayKey !== undefined) {
    await store.close();
    if (!masterKeyFileExisted) await rm(masterKeyFile, { force: true });
    throw new StartupError(storedGatewayKey);
  }
  const shutdown = createShutdownState();
  // One record per proxied request: queued (bounded), written in batches off the request path.
  const warnLogStore = (message: string): void => warn(`request log: ${message}`);
  // Records the store still refuses at SIGTERM go to a file (PK_LOG_SPILL_PATH, else in this
  // replica's data directory), written to the store at the next start.
  const spillFile = logStore.spillPath ?? join(store.dataDir, LOG_SPILL_FILE);
  const logWriter = logStore.enabled
    ? new RequestLogWriter({
        sink: store.openLogSink({ onWarning: warnLogStore }),
        capacity: logStore.queueSize,
        flushMs: logStore.flushMs,
        onWarning: warnLogStore,
        onLoss: (message) => app.log.error(`request log: ${message}`),
        spillFile,
      })
    : undefined;
  // Prometheus metrics (PK_METRICS=0: none, and nothing counted); models outside the price table and
  // virtual keys not configured are labelled `other`.
  // prom-client is loaded only when they are on.
  const metrics: GatewayMetrics | undefined = options.metrics
    ? (await import('./metrics/gateway-metrics.js')).createGatewayMetrics({
        isConfiguredVirtualKey: (slug) => store.catalog.snapshot.virtualKeys.has(slug),
        // The same table costs are priced with: a model the settings' `prices:` add is labelled too.
        lookupModel: (model) => settings.prices.lookup(model),
      })
    : undefined;
  metrics?.watchLogQueue('stdout', () => ({ depth: logDestination.held, dropped: logDestination.dropped }));
  await limits.ready;
  // OpenTelemetry only when OTEL_EXPORTER_OTLP_ENDPOINT is set: the SDK is imported on demand. Made
  // before the app, whose provider calls carry its trace context (`traceparent`).
  // A batch the collector did not take is counted and said (at most once a minute), not lost unseen.
  const tracing = options.tracing
    ? await startTracing(
        VERSION,
        createExportFailureWarning((message) => warn(message)),
      )
    : undefined;
  const app = await buildApp({
    ...(tracing ? { tracePropagation: tracing.propagation } : {}),
    settings,
    limits,
    store,
    ...(metrics ? { metrics } : {}),
    // Webhook secrets of guardrails defined in the store: env:/file: references resolved here.
    resolveSecret: secretResolverFor(process.env),
    allowKeyless,
    // Last-used times: one Map.set per request, written in batches by the store.
    onKeyUsed: (key, at) => store.recordKeyUse(key.id, at),
    shutdown,
    ...(logWriter
      ? {
          requestLog: {
            writer: logWriter,
            bodies: logStore.bodies,
            retentionDays: logStore.retentionDays,
            publicUrl: logStore.publicUrl,
            spillFile,
          },
        }
      : {}),
    transport,
    // The same proxies for Realtime sessions' provider sockets (WebSockets, not undici's).
    ...(realtimeProxy ? { realtimeProxy } : {}),
    ...(options.awsAssumeRoleCredentials
      ? { awsAssumeRoleCredentials: options.awsAssumeRoleCredentials }
      : {}),
    breakers: breakers.store,
    breakerStoreKind: breakers.kind,
    cacheStore: cache.store,
    guardrailHoldbackChars: options.guardrailHoldbackChars,
    ...(cache.redisUrl && settings.semanticCache
      ? {
          // Semantic vectors reach every replica through one Redis stream per tenant.
          vectorLog: (onEntry) =>
            createRedisVectorLog({
              writer: createRedisClient(cache.redisUrl ?? '', { onError: warnRedis }),
              // XREAD blocks for up to 500 ms: this connection needs a longer command timeout.
              reader: createRedisClient(cache.redisUrl ?? '', { commandTimeoutMs: 5000, onError: warnRedis }),
              // Tenants of keys created at run time are followed from the next read on.
              tenants: () => store.catalog.snapshot.tenants,
              retentionSeconds: settings.semanticCache?.retentionSeconds ?? 604_800,
              onEntry,
              onError: warnRedis,
              keyPrefix: redisKeyPrefix,
            }),
        }
      : {}),
    logger: { level: options.logLevel, stream: logDestination },
  });
  warn = (message) => app.log.warn(message);
  if (!logWriter) {
    // Records spilled at an earlier shutdown wait for a start with the log store on: said once.
    const spillWarning = await spillLeftWhileOffWarning(spillFile);
    if (spillWarning) warn(spillWarning);
  }
  if (tracing) {
    app.onRequestEnd(tracing.record);
    metrics?.watchDroppedSpans(tracing.droppedSpans);
  }
  // Everything is loaded and ready: the start-up's garbage goes back before the first request.
  await app.ready();
  await releaseStartupGarbage();
  // undici and its connection pool now, not inside the first request (~50 ms of CPU there, which
  // every request of a first burst waited for). After the collection above, not with the transport:
  // undici loaded before the app was built left Node 20's `process.nextTick` ~10x slower for good
  // (test/next-tick-after-startup.test.ts; the cause is inside V8, not found). A second, smaller
  // collection returns what loading it left behind (idle RSS ~82-84 -> ~79-82 MiB).
  transport.prepare?.();
  await releaseStartupGarbage();
  await app.listen({ host: options.host, port: options.port }).catch((error: unknown) => {
    throw listenRefusal({ port: 'PORT', host: 'HOST' }, options, error);
  });
  let metricsServer: MetricsServer | undefined;
  if (metrics && options.metricsPort !== undefined) {
    const metricsAddress = { host: options.metricsHost, port: options.metricsPort };
    metricsServer = await startMetricsServer(metrics, metricsAddress).catch((error: unknown) => {
      throw listenRefusal({ port: 'PK_METRICS_PORT', host: 'PK_METRICS_HOST' }, metricsAddress, error);
    });
    const shown = options.metricsHost.includes(':') ? `[${options.metricsHost}]` : options.metricsHost;
    app.log.info(
      { host: options.metricsHost, port: metricsServer.port },
      `pk metrics on http://${shown}:${metricsServer.port}/metrics`,
    );
  }
  // After an upgrade: which migrations this start applied, and how long they took (a new store too).
  if (store.migrated.names.length > 0) {
    app.log.info(
      { migrations: store.migrated.names, ms: store.migrated.ms },
      `data store migrated to ${store.migrated.names.at(-1)} (${store.migrated.names.length} applied in ${store.migrated.ms} ms)`,
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  app.log.info(
    {
      host: options.host,
      port,
      settings: options.settingsPath ?? '(embedded defaults)',
      store: store.status().engine,
      storeLocation: store.status().location,
      gatewayKeys: store.catalog.snapshot.gatewayKeysByHash.size,
      virtualKeys: store.catalog.snapshot.virtualKeys.size,
      savedConfigs: store.catalog.snapshot.configs.size,
      cacheStore: cache.kind,
      breakerStore: breakers.kind,
      metrics: metrics ? (metricsServer ? `port ${metricsServer.port}` : 'main port, metrics scope') : 'off',
      tracing: tracing ? 'otlp' : 'off',
      limitsStore: limits.kind,
    },
    `pk gateway listening on http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
  );
  logDestination.flushSync();

  // A second SIGTERM or SIGINT (an operator's second Ctrl-C, a process manager that signals again)
  // ends the drain at once; a third exits at once, without waiting for the last writes.
  let signals = 0;
  const drainCutShort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 1) {
      void drainAndExit(signal);
    } else if (signals === 2) {
      app.log.warn(
        { signal, inFlight: shutdown.inFlight },
        'second signal: ending the drain now (a third exits at once)',
      );
      drainCutShort.abort();
    } else {
      app.log.error({ signal, inFlight: shutdown.inFlight }, 'third signal: exiting now');
      process.exit(1);
    }
  };
  /** Resolves after `ms`, when `onIdle` is called (it is set to do so), or when the drain is cut short. */
  const waitForIdle = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        drainCutShort.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      shutdown.onIdle = done;
      drainCutShort.signal.addEventListener('abort', done);
    });
  const drainAndExit = async (signal: string): Promise<void> => {
    const signalledAt = Date.now();
    shutdown.shuttingDown = true;
    app.log.info({ signal, inFlight: shutdown.inFlight }, 'draining: new requests get 503');
    // Idle keep-alive connections stay open during the drain: a request a client sends on one gets
    // the 503 above, whose `connection: close` ends it. Closing them here (as idle ones were, at once
    // and every 50 ms) raced with the clients reusing them: a request written as its socket closed
    // failed with a reset, which no client can tell from a request lost mid-way. They are closed
    // with the app once the drain is over (`closeAppPromptly`), so none holds the process.
    if (shutdown.inFlight > 0 && !drainCutShort.signal.aborted) await waitForIdle(options.shutdownTimeoutMs);
    if (shutdown.inFlight > 0) {
      app.log.warn(
        { inFlight: shutdown.inFlight },
        drainCutShort.signal.aborted
          ? 'drain cut short: ending open streams'
          : 'drain time over: ending open streams',
      );
      shutdown.drainDeadline.abort(new Error('the gateway is shutting down'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Requests still waiting for their provider lose their connection (logged PK_ERR_SHUTTING_DOWN).
      if (shutdown.inFlight > 0) {
        app.log.warn({ inFlight: shutdown.inFlight }, 'drain time over: ending requests still waiting');
        app.server.closeAllConnections();
        // Their responses' close events come after the sockets are destroyed: the lines they hold
        // are counted then (below).
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, HELD_LINES_WAIT_MS);
          shutdown.onIdle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
    // A request whose connection closed while its route still worked (ended at the deadline above,
    // or its client left) writes its 499 line and log record when the route lets go: the log store
    // closes with the app, so it waits for them (a moment: their routes were aborted).
    await app.heldRequestLines.whenNoneHeld(HELD_LINES_WAIT_MS);
    // The last writes (request log, last-used times, limits' spend) wait for another process's
    // SQLite lock until the drain's deadline, or a moment after the drain: the log's records go to
    // the spill file, spend not written is told (error level).
    // A drain cut short by a second signal gives them only the moment after it.
    const writesDeadline = drainCutShort.signal.aborted
      ? Date.now() + LAST_WRITES_MS
      : Math.max(signalledAt + options.shutdownTimeoutMs, Date.now() + LAST_WRITES_MS);
    logWriter?.endWritesBy(writesDeadline);
    // Every answer owed has been sent: a connection still open a moment later sent nothing (a
    // preconnect) or is still sending a request no one will answer.
    await closeAppPromptly(app, CLOSE_AFTER_DRAIN_GRACE_MS);
    await metricsServer?.close();
    await tracing?.shutdown().catch(() => undefined);
    await store.close({ deadlineAt: writesDeadline });
    await cache.close();
    await breakers.close();
    // Records lost (neither stored nor spilled: the spill file's disk full too) make the exit 1, so
    // a process manager can tell.
    process.exit((logWriter?.lostAtClose ?? 0) > 0 ? 1 : 0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** How long the shutdown's last store writes may wait for another process's lock after the drain, at least (ms). */
const LAST_WRITES_MS = 1000;
/** How long the closing server waits, after the drain, for connections to close of themselves. */
const CLOSE_AFTER_DRAIN_GRACE_MS = 250;

/** How long the shutdown waits for the 499 lines of requests cut at its deadline, at most. */
const HELD_LINES_WAIT_MS = 2000;

/**
 * Where log lines go: stdout, in batches (see {@link createBatchedLogDestination}); what is held is
 * written when the process exits (a crash included); only a `kill -9` can lose up to `flushMs` of
 * lines. A log reader that stalls or is gone never blocks a request or the exit: lines are dropped,
 * counted and reported on stderr at most every 10 s.
 */
function logDestinationFor(flushMs: number, level: string): BatchedLogDestination {
  const warnOnStderr = createWarningWriter(level, (line) => process.stderr.write(line));
  const destination = createBatchedLogDestination({
    fd: 1,
    flushMs,
    // Said on stderr (the log is what cannot be written), in the log's JSON shape.
    onDrop: (dropped, reason) => {
      try {
        warnOnStderr(`${reason}: ${dropped} log lines dropped so far`);
      } catch {
        // stderr is gone too: nothing left to tell.
      }
    },
  });
  process.on('exit', () => destination.flushSync());
  return destination;
}

main().catch((error: unknown) => {
  if (error instanceof StartupError || error instanceof SettingsError || error instanceof StoreStartError) {
    process.stderr.write(`pk gateway: ${error.message}\n`);
  } else {
    process.stderr.write(`pk gateway: failed to start: ${(error as Error).message}\n`);
  }
  process.exit(1);
});
