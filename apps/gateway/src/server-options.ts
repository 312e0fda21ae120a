import { isIP } from 'node:net';
import { pathVariableProblem } from '@pk/store';
import { shownUrl, shownValue } from './shown-value.js';

/** How `server.ts` was asked to run, from argv and the environment. */
export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  readonly settingsPath?: string;
  readonly shutdownTimeoutMs: number;
  readonly allowUnauthenticated: boolean;
  /** How long log lines may wait in memory before they are written (0: each line at once). */
  readonly logFlushMs: number;
  /** Characters of a streamed answer held back for output guardrails (`PK_GUARDRAIL_HOLDBACK_CHARS`). */
  readonly guardrailHoldbackChars: number;
  /**
   * `PK_STREAM_IDLE_TIMEOUT_MS`: the longest a provider's answer may send nothing once its headers
   * came (a stream between two chunks, a JSON body half-way); 0 = no limit.
   */
  readonly streamIdleTimeoutMs: number;
  /** `PK_DATA_DIR`: the SQLite store and its generated master key (default `.pk-data`). */
  readonly dataDir?: string;
  /** `PK_DATABASE_URL`: PostgreSQL instead of SQLite. */
  readonly databaseUrl?: string;
  /** `PK_MASTER_KEY`: `env:NAME`, `file:PATH` or base64 keys, newest first. */
  readonly masterKey?: string;
  /** `PK_METRICS`: Prometheus metrics collected and served (default true; `0`/`false`/`off`/`no` turn them off). */
  readonly metrics: boolean;
  /** `PK_METRICS_PORT`: a port serving `GET /metrics` alone, without a key (unset: none). */
  readonly metricsPort?: number;
  /** `PK_METRICS_HOST`: where that port listens (default 127.0.0.1). */
  readonly metricsHost: string;
  /** `OTEL_EXPORTER_OTLP_ENDPOINT` (or `…_TRACES_ENDPOINT`) is set: spans are exported over OTLP/HTTP. */
  readonly tracing: boolean;
  /** `PK_LOG_LEVEL`: one of {@link LOG_LEVELS} (default `info`). */
  readonly logLevel: string;
  /**
   * `AWS_ASSUME_ROLE_ACCESS_KEY_ID` and `AWS_ASSUME_ROLE_SECRET_ACCESS_KEY` (Portkey's names): the
   * gateway's AWS key that calls STS AssumeRole for Bedrock targets with `aws_auth_type: assumedRole`
   * and no key of their own. Unset: such targets must bring one.
   */
  readonly awsAssumeRoleCredentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** The levels `PK_LOG_LEVEL` takes (pino's). */
export const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * `PK_STREAM_IDLE_TIMEOUT_MS`'s default, 10 minutes: longer than any silence a healthy provider keeps
 * mid-answer (a reasoning model thinking before its first token), short enough that a stalled stream
 * does not hold its client, socket and upstream connection for ever (pk's `: ping` comments keep the
 * client's own read timeout from firing).
 */
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 600_000;
/** The longest idle timeout accepted: a day, as for `request_timeout`. */
const MAX_STREAM_IDLE_TIMEOUT_MS = 86_400_000;

/** A start-up problem: printed as one line, exit code 1. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** The largest whole number a variable may hold (9 digits). */
const MAX_WHOLE_NUMBER = 999_999_999;

/** A variable's whole number written in decimal digits (at most 9), else NaN. */
function wholeNumberOf(text: string): number {
  return /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
}

/**
 * The path `--settings <path>` or `--settings=<path>` names, else undefined. Anything else is refused
 * rather than ignored (a mistyped `--setting` or a `--settings` without its path would start the
 * gateway on embedded defaults, without the operator's keys, limits and guardrails), except `--`,
 * which `pnpm start -- --settings ./pk.yaml` passes on.
 */
function settingsArgumentOf(argv: readonly string[]): string | undefined {
  let settingsPath: string | undefined;
  const usage =
    'the gateway takes one argument, --settings <path> (or --settings=<path>); everything else is an environment variable';
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    if (argument === '--') continue;
    let value: string | undefined;
    if (argument === '--settings') {
      value = argv[index + 1];
      index += 1;
    } else if (argument.startsWith('--settings=')) value = argument.slice('--settings='.length);
    else throw new StartupError(`unknown argument ${JSON.stringify(argument)}: ${usage}`);
    if (value === undefined || value === '' || value.startsWith('--'))
      throw new StartupError(`--settings needs the path of a settings file: ${usage}`);
    if (settingsPath !== undefined) throw new StartupError(`--settings is given twice: ${usage}`);
    settingsPath = value;
  }
  return settingsPath;
}

/**
 * Reads `PORT`, `HOST`, `PK_SETTINGS`, `PK_SHUTDOWN_TIMEOUT_MS`, `PK_ALLOW_UNAUTHENTICATED`,
 * `PK_LOG_FLUSH_MS`, `PK_GUARDRAIL_HOLDBACK_CHARS`, `PK_STREAM_IDLE_TIMEOUT_MS`, `PK_DATA_DIR`,
 * `PK_DATABASE_URL`, `PK_MASTER_KEY`, `PK_METRICS`, `PK_METRICS_PORT`, `PK_METRICS_HOST`, `PK_LOG_LEVEL`,
 * `AWS_ASSUME_ROLE_ACCESS_KEY_ID` with `AWS_ASSUME_ROLE_SECRET_ACCESS_KEY`, whether
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set (and `OTEL_SDK_DISABLED`), and `--settings`; checks the
 * `OTEL_TRACES_SAMPLER*` and `OTEL_BSP_*` variables the span module reads later, and, when spans
 * are exported, the `OTEL_EXPORTER_OTLP_*PROTOCOL` its exporter speaks.
 */
export function readServerOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ServerOptions {
  const settingsArgument = settingsArgumentOf(argv);
  const settingsPath = settingsArgument ?? (env.PK_SETTINGS || undefined);
  const settingsPathProblem =
    settingsPath === undefined
      ? undefined
      : pathVariableProblem(settingsArgument === undefined ? 'PK_SETTINGS' : '--settings', settingsPath);
  if (settingsPathProblem !== undefined) throw new StartupError(settingsPathProblem);
  // Unset or empty: the default (an empty number would read as 0, a random port or no wait). Digits
  // only: `Number` would also take `0x1F`, `1e3`, ` 80` and fractions.
  const port = wholeNumberOf(env.PORT || '8787');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new StartupError(`PORT must be 0-65535, got ${shownValue(env.PORT)}`);
  const shutdownTimeoutMs = wholeNumberOf(env.PK_SHUTDOWN_TIMEOUT_MS || '30000');
  if (!Number.isFinite(shutdownTimeoutMs)) {
    throw new StartupError(
      `PK_SHUTDOWN_TIMEOUT_MS must be 0-${MAX_WHOLE_NUMBER} milliseconds, got ${shownValue(env.PK_SHUTDOWN_TIMEOUT_MS)}`,
    );
  }
  const logFlushMs = wholeNumberOf(env.PK_LOG_FLUSH_MS || '100');
  if (!Number.isInteger(logFlushMs) || logFlushMs < 0 || logFlushMs > 60_000) {
    throw new StartupError(
      `PK_LOG_FLUSH_MS must be 0-60000 milliseconds, got ${shownValue(env.PK_LOG_FLUSH_MS)}`,
    );
  }
  const guardrailHoldbackChars = wholeNumberOf(env.PK_GUARDRAIL_HOLDBACK_CHARS || '128');
  if (
    !Number.isInteger(guardrailHoldbackChars) ||
    guardrailHoldbackChars < 16 ||
    guardrailHoldbackChars > 65_536
  ) {
    throw new StartupError(
      `PK_GUARDRAIL_HOLDBACK_CHARS must be 16-65536 characters, got ${shownValue(env.PK_GUARDRAIL_HOLDBACK_CHARS)}`,
    );
  }
  // Unset or empty: the default. Digits only, so that a blank or signed value is not read as 0 (no limit).
  const idleText = env.PK_STREAM_IDLE_TIMEOUT_MS || String(DEFAULT_STREAM_IDLE_TIMEOUT_MS);
  const streamIdleTimeoutMs = wholeNumberOf(idleText);
  if (!(streamIdleTimeoutMs <= MAX_STREAM_IDLE_TIMEOUT_MS)) {
    throw new StartupError(
      `PK_STREAM_IDLE_TIMEOUT_MS must be 0 (no limit) to ${MAX_STREAM_IDLE_TIMEOUT_MS} milliseconds, got ${shownValue(env.PK_STREAM_IDLE_TIMEOUT_MS)}`,
    );
  }
  const logLevel = (env.PK_LOG_LEVEL || 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new StartupError(
      `PK_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${shownValue(env.PK_LOG_LEVEL)}`,
    );
  }
  const metrics = flag(env, 'PK_METRICS', true);
  checkTracingVariables(env);
  const tracing =
    !otelSdkDisabled(env) &&
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (tracing) {
    checkExportEndpoints(env);
    checkExportProtocol(env);
    checkExporterSettings(env);
  }
  let metricsPort: number | undefined;
  if (env.PK_METRICS_PORT) {
    metricsPort = wholeNumberOf(env.PK_METRICS_PORT);
    if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535)
      throw new StartupError(`PK_METRICS_PORT must be 0-65535, got ${shownValue(env.PK_METRICS_PORT)}`);
    if (!metrics) throw new StartupError('PK_METRICS_PORT is set but PK_METRICS=0 turns the metrics off');
  }
  checkProxyVariables(env);
  const awsAssumeRoleCredentials = awsAssumeRoleCredentialsOf(env);
  const host = listenHostOf('HOST', env.HOST);
  const metricsHost = listenHostOf('PK_METRICS_HOST', env.PK_METRICS_HOST);
  // The gateway's own port: refused by its listen only after the store was created, as "in use by
  // another pk gateway or another program". Two distinct addresses (neither a wildcard) may share it.
  if (
    metricsPort !== undefined &&
    metricsPort !== 0 &&
    metricsPort === port &&
    (host === metricsHost || [host, metricsHost].some((address) => WILDCARD_HOSTS.includes(address)))
  ) {
    throw new StartupError(
      `PK_METRICS_PORT must not be PORT (${port}): the gateway listens there itself; give the metrics a port of their own`,
    );
  }
  return {
    host,
    port,
    ...(settingsPath ? { settingsPath } : {}),
    shutdownTimeoutMs,
    allowUnauthenticated: flag(env, 'PK_ALLOW_UNAUTHENTICATED', false),
    logFlushMs,
    guardrailHoldbackChars,
    streamIdleTimeoutMs,
    ...(env.PK_DATA_DIR ? { dataDir: env.PK_DATA_DIR } : {}),
    ...(env.PK_DATABASE_URL ? { databaseUrl: env.PK_DATABASE_URL } : {}),
    ...(env.PK_MASTER_KEY ? { masterKey: env.PK_MASTER_KEY } : {}),
    metrics,
    ...(metricsPort === undefined ? {} : { metricsPort }),
    metricsHost,
    tracing,
    logLevel,
    ...(awsAssumeRoleCredentials ? { awsAssumeRoleCredentials } : {}),
  };
}

/**
 * `HTTPS_PROXY` (else `https_proxy`) and `HTTP_PROXY` (else `http_proxy`), as the transport reads them:
 * an `http://` or `https://` URL, what undici's proxy agent takes. A proxy named without its scheme
 * (`proxy.internal:3128`, which curl reads as http://) parses as a URL of scheme `proxy.internal:`, and
 * the start failed later with undici's bare "Invalid URL protocol", after the store was created.
 * Refused here naming the variable, the value's credentials hidden.
 */
function checkProxyVariables(env: Readonly<Record<string, string | undefined>>): void {
  for (const [upper, lower] of [
    ['HTTPS_PROXY', 'https_proxy'],
    ['HTTP_PROXY', 'http_proxy'],
  ] as const) {
    // An empty variable is unset, as the transport reads them: the lower-case one is checked then.
    const name = env[upper] ? upper : lower;
    const value = env[name];
    if (!value) continue;
    const protocol = URL.canParse(value) ? new URL(value).protocol : undefined;
    if (protocol === 'http:' || protocol === 'https:') continue;
    throw new StartupError(
      `${name} must be an http:// or https:// URL (http://proxy.internal:3128), got ${shownUrl(value)}`,
    );
  }
}

/** Both `AWS_ASSUME_ROLE_*` key variables, or neither (one alone is refused at start, never shown). */
function awsAssumeRoleCredentialsOf(
  env: Readonly<Record<string, string | undefined>>,
): ServerOptions['awsAssumeRoleCredentials'] {
  // AWS keys hold no whitespace: a secret file's newline (or a stray space) is taken off, not signed with.
  const accessKeyId = env.AWS_ASSUME_ROLE_ACCESS_KEY_ID?.trim() || undefined;
  const secretAccessKey = env.AWS_ASSUME_ROLE_SECRET_ACCESS_KEY?.trim() || undefined;
  if (accessKeyId === undefined && secretAccessKey === undefined) return undefined;
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw new StartupError(
      'AWS_ASSUME_ROLE_ACCESS_KEY_ID and AWS_ASSUME_ROLE_SECRET_ACCESS_KEY must be set together',
    );
  }
  return { accessKeyId, secretAccessKey };
}

/** Listen addresses that overlap others: every address of the machine (0.0.0.0, ::), both loopbacks (localhost). */
const WILDCARD_HOSTS: readonly string[] = ['0.0.0.0', '::', 'localhost'];

const FLAG_ON = ['1', 'true', 'on', 'yes'];
const FLAG_OFF = ['0', 'false', 'off', 'no'];

/**
 * An on/off variable (`PK_METRICS`, `PK_ALLOW_UNAUTHENTICATED`): unset or empty is `fallback`;
 * anything but 1/0, true/false, on/off, yes/no (any case) is refused, so that a typo never leaves a
 * switch in the state the operator did not ask for.
 */
function flag(env: Readonly<Record<string, string | undefined>>, name: string, fallback: boolean): boolean {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const normalised = value.trim().toLowerCase();
  if (FLAG_ON.includes(normalised)) return true;
  if (FLAG_OFF.includes(normalised)) return false;
  throw new StartupError(
    `${name} must be on or off (1/0, true/false, on/off, yes/no), got ${JSON.stringify(value)}`,
  );
}

/** `OTEL_SDK_DISABLED`: a boolean as OpenTelemetry spells them, `true` or `false` (any case). */
function otelSdkDisabled(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase();
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new StartupError(
    `OTEL_SDK_DISABLED must be true or false, got ${JSON.stringify(env.OTEL_SDK_DISABLED)}`,
  );
}

/** The values of `OTEL_TRACES_SAMPLER` pk's span module builds a sampler for. */
export const TRACES_SAMPLERS: readonly string[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

/** The batch processor's variables: each a whole number above 0 (milliseconds or spans). */
export const BATCH_PROCESSOR_VARIABLES: readonly string[] = [
  'OTEL_BSP_SCHEDULE_DELAY',
  'OTEL_BSP_MAX_QUEUE_SIZE',
  'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
  'OTEL_BSP_EXPORT_TIMEOUT',
];

/**
 * The standard variables pk's span module reads itself (`OTEL_TRACES_SAMPLER`, `…_ARG`, `OTEL_BSP_*`),
 * checked at start whether or not tracing is on: the span module is loaded only with an endpoint, and
 * a typo found then would have sampled every request (the default) without a word.
 */
function checkTracingVariables(env: Readonly<Record<string, string | undefined>>): void {
  const sampler = (env.OTEL_TRACES_SAMPLER ?? '').trim().toLowerCase();
  if (sampler !== '' && !TRACES_SAMPLERS.includes(sampler)) {
    throw new StartupError(
      `OTEL_TRACES_SAMPLER must be one of ${TRACES_SAMPLERS.join(', ')}, got ${JSON.stringify(env.OTEL_TRACES_SAMPLER)}`,
    );
  }
  const argument = env.OTEL_TRACES_SAMPLER_ARG;
  if (argument !== undefined && argument.trim() !== '') {
    const ratio = /^\s*(?:0|1|0?\.\d+|1\.0*)\s*$/.test(argument) ? Number(argument) : Number.NaN;
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new StartupError(
        `OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1 (0.1: one trace in ten), got ${JSON.stringify(argument)}`,
      );
    }
  }
  for (const name of BATCH_PROCESSOR_VARIABLES) {
    const value = env[name];
    if (value === undefined || value.trim() === '') continue;
    if (!/^\s*[1-9]\d{0,8}\s*$/.test(value))
      throw new StartupError(`${name} must be a whole number above 0, got ${JSON.stringify(value)}`);
  }
}

/**
 * `OTEL_EXPORTER_OTLP_ENDPOINT` and `…_TRACES_ENDPOINT`, when spans are exported: an `http(s)://` URL,
 * as OpenTelemetry requires. A collector named without its scheme (`otel-collector:4318`, the usual
 * slip) made every export fail, each one a warning, and lost every span. The refusal names the
 * scheme it found, never the value (a URL may carry a token).
 */
function checkExportEndpoints(env: Readonly<Record<string, string | undefined>>): void {
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
    const value = env[name]?.trim();
    if (value === undefined || value === '') continue;
    const scheme = /^([a-z][\w+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
    if ((scheme === 'http' || scheme === 'https') && URL.canParse(value)) continue;
    const found =
      scheme === undefined
        ? 'a value without http:// or https://'
        : scheme === 'http' || scheme === 'https'
          ? `an ${scheme}:// URL that does not parse`
          : `a ${scheme}:// URL`;
    throw new StartupError(
      `${name} must be an http:// or https:// URL (the collector's OTLP/HTTP endpoint, such as http://otel-collector:4318), got ${found}`,
    );
  }
}

/** The `OTEL_EXPORTER_OTLP_*PROTOCOL` values pk's exporter serves: OTLP/HTTP, its JSON encoding sent. */
export const OTLP_PROTOCOLS: readonly string[] = ['http/json', 'http/protobuf'];

/**
 * `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`, when spans are exported:
 * pk's exporter speaks OTLP/HTTP (JSON, which collectors take on their HTTP port as they take
 * protobuf), so `grpc` (or a typo) would send every span to a port that cannot read it, and lose them
 * all. Not checked without an endpoint: the variables may be set for other services of the machine.
 */
function checkExportProtocol(env: Readonly<Record<string, string | undefined>>): void {
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const value = env[name];
    if (value === undefined || value.trim() === '') continue;
    if (OTLP_PROTOCOLS.includes(value.trim().toLowerCase())) return;
    throw new StartupError(
      `${name} must be http/json or http/protobuf (pk exports spans over OTLP/HTTP, as JSON; point OTEL_EXPORTER_OTLP_ENDPOINT at the collector's HTTP port, 4318), got ${JSON.stringify(value)}`,
    );
  }
}

/**
 * The exporter's `OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT`, `…COMPRESSION` and `…HEADERS`, when spans are
 * exported: the SDK reads them itself, and one it cannot read it drops with a diagnostic nobody sees
 * (pk sets no diag logger), so a collector's token went missing (every export refused) and a timeout
 * or compression silently fell back to the default. Headers are never shown: they hold tokens.
 */
function checkExporterSettings(env: Readonly<Record<string, string | undefined>>): void {
  for (const prefix of ['OTEL_EXPORTER_OTLP_TRACES_', 'OTEL_EXPORTER_OTLP_']) {
    const timeout = env[`${prefix}TIMEOUT`];
    if (timeout !== undefined && timeout.trim() !== '' && !/^\s*[1-9]\d{0,8}\s*$/.test(timeout)) {
      throw new StartupError(
        `${prefix}TIMEOUT must be a whole number of milliseconds above 0, got ${shownValue(timeout)}`,
      );
    }
    const compression = env[`${prefix}COMPRESSION`];
    if (compression !== undefined && !['', 'gzip', 'none'].includes(compression.trim())) {
      throw new StartupError(`${prefix}COMPRESSION must be gzip or none, got ${shownValue(compression)}`);
    }
    const headers = env[`${prefix}HEADERS`];
    if (headers === undefined) continue;
    const pairs = headers.split(',');
    for (const [index, pair] of pairs.entries()) {
      if (pair.trim() === '' || /^\s*[^=\s][^=]*=/.test(pair)) continue;
      throw new StartupError(
        `${prefix}HEADERS must be name=value pairs separated by commas (authorization=Bearer%20…): pair ${index + 1} has no name=`,
      );
    }
  }
}

/**
 * A listen address (`HOST`, `PK_METRICS_HOST`; unset or empty: 127.0.0.1): an IP address, v4 or v6
 * without brackets, or a host name. Anything else (`http://0.0.0.0`, `0.0.0.0:8787`, `[::1]`) was
 * refused only by `listen`, with a raw `getaddrinfo ENOTFOUND` and after the data directory was
 * written. Whether a name resolves is checked at start too (`checkListenHostResolves`).
 */
export function listenHostOf(name: string, value: string | undefined): string {
  if (value === undefined || value === '') return '127.0.0.1';
  if (isIP(value) !== 0 || isHostName(value)) return value;
  throw new StartupError(
    `${name} must be an IP address (127.0.0.1, 0.0.0.0, ::1, ::; no brackets, no port) or a host name, got ${JSON.stringify(value)}`,
  );
}

/** A DNS name's labels: letters, digits, hyphens (and underscores, as container names have). */
const HOST_NAME_LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i;

/**
 * True for a DNS host name; a name whose last label is all digits (`1.2.3.256`) is not one (it reads
 * as a bad IPv4 address, as URLs read it).
 */
function isHostName(value: string): boolean {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (/^\d+$/.test(labels.at(-1) ?? '')) return false;
  return labels.every((label) => HOST_NAME_LABEL.test(label));
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}
