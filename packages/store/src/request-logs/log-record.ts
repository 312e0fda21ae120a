import type { Insertable } from 'kysely';
import type { RequestLogMetadataTable, RequestLogsTable } from '../database/schema.js';

/** One attempt of a request: a provider call (a retry or a fallback is one each). */
export interface LogAttempt {
  readonly targetPath: string;
  readonly provider: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly status: number;
  readonly latencyMs: number;
  readonly errorCode?: string | undefined;
  /**
   * The gateway refused it itself: nothing went to the provider (a limit of the target's key, its
   * input guardrail, its open circuit breaker; `errorCode` says which).
   */
  readonly notSent?: true | undefined;
}

/**
 * One part of a request's cost, when it is more than one answer's usage: a Realtime session's
 * responses (`responses`, at the session's model's price) and its input-audio transcriptions
 * (`input_audio_transcription`, at the transcription model's price), each with its cost (null: not
 * priced, and not in the record's cost).
 */
export interface LogCostPart {
  readonly part: string;
  readonly model: string | null;
  /** How many events the part sums. */
  readonly events: number;
  readonly total_tokens?: number | undefined;
  /** Seconds of audio, for a model billed by duration. */
  readonly seconds?: number | undefined;
  readonly cost: number | null;
}

/** One check of a hook, as a log record keeps it (Portkey's `hook_results` names). */
export interface LogCheckResult {
  /** The check id, e.g. `pk.pii`. */
  readonly id: string;
  readonly verdict: boolean;
  /** Milliseconds the check took. */
  readonly execution_time: number;
  /** True when the check rewrote the request or the answer (a redaction). */
  readonly transformed: boolean;
  /** The message of a check that could not decide. */
  readonly error?: string | undefined;
  /** What the check found (its explanation, counts by kind, flags), never text of the request or answer. */
  readonly data?: Readonly<Record<string, unknown>> | undefined;
}

/** One hook that ran for a request, with its checks. */
export interface LogHookResult {
  /** The hook id (a stored guardrail's slug, or the id a config gave it). */
  readonly id: string;
  /** Before the provider call (`before_request`) or on its answer (`after_request`). */
  readonly event: 'before_request' | 'after_request';
  readonly type: 'guardrail' | 'mutator';
  /** True when every check passed (or errored without `fail_on_error`). */
  readonly verdict: boolean;
  /** True for a hook that failed with `deny: true`: the one that denied the request (446). */
  readonly deny: boolean;
  readonly transformed: boolean;
  readonly async: boolean;
  /** True when the hook does not apply to this request (it did not run). */
  readonly skipped?: boolean | undefined;
  /** Milliseconds the hook took. */
  readonly execution_time: number;
  /** ISO time the hook started. */
  readonly created_at: string;
  readonly checks: readonly LogCheckResult[];
}

/** What the gateway hands the log writer for one request (camelCase; never a header or a secret). */
export interface RequestLogInput {
  readonly id: string;
  /** Epoch milliseconds when the request arrived. */
  readonly createdAt: number;
  readonly tenant: string;
  readonly traceId: string;
  readonly spanId?: string | undefined;
  readonly parentSpanId?: string | undefined;
  readonly spanName?: string | undefined;
  readonly source?: 'gateway' | 'custom';
  readonly gatewayKeyId?: string | undefined;
  readonly virtualKey?: string | undefined;
  readonly configId?: string | undefined;
  readonly configVersion?: number | undefined;
  /** The saved prompt and version the request ran (`pp-support-1a2b3c@2`). */
  readonly prompt?: string | undefined;
  readonly method?: string | undefined;
  readonly endpoint?: string | undefined;
  readonly stream?: boolean | undefined;
  readonly provider?: string | undefined;
  readonly model?: string | undefined;
  readonly answeredModel?: string | undefined;
  readonly status: number;
  readonly errorCode?: string | undefined;
  readonly latencyMs: number;
  readonly firstByteMs?: number | undefined;
  readonly overheadMs?: number | undefined;
  readonly usage?:
    | {
        readonly prompt_tokens?: number | undefined;
        readonly completion_tokens?: number | undefined;
        readonly total_tokens?: number | undefined;
        readonly cached_tokens?: number | undefined;
        readonly cache_write_tokens?: number | undefined;
        readonly reasoning_tokens?: number | undefined;
      }
    | undefined;
  readonly cost?: number | null | undefined;
  readonly costStatus?: string | undefined;
  /** `provider`: the cost is what the provider reported it charged; undefined: pk's price table. */
  readonly costSource?: 'provider' | undefined;
  /** What the cost is made of, when more than one answer's usage. */
  readonly costParts?: readonly LogCostPart[] | undefined;
  readonly cacheStatus?: string | undefined;
  readonly retries?: number | undefined;
  readonly targetPath?: string | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
  readonly attempts?: readonly LogAttempt[] | undefined;
  readonly requestBody?: string | undefined;
  readonly responseBody?: string | undefined;
  readonly bodyTruncated?: boolean | undefined;
  /**
   * The path a pass-through request called (`/v1/files/file-abc/content`), without its query
   * string (a query may carry a key); undefined for the other endpoints, which `endpoint` names.
   */
  readonly path?: string | undefined;
  /** The message of the error answer the client got (pk's, the provider's, a stream's in-band one). */
  readonly errorMessage?: string | undefined;
  /** The hooks that ran (guardrails and mutators), in order: before-request ones first. */
  readonly guardrails?: readonly LogHookResult[] | undefined;
}

/**
 * Metadata keys and values are stored as text cut to 128 characters (Portkey's rule for feedback):
 * UTF-16 code units, one fewer when the 128th is the first half of a surrogate pair (a character is
 * never split).
 */
export const MAX_METADATA_TEXT = 128;

/**
 * Metadata text as stored: cut to 128 characters (never inside a surrogate pair), NUL replaced by
 * U+FFFD (PostgreSQL's text cannot hold NUL, and a value is filtered on: one spelling on both
 * engines). Filters apply it to the key and value they are given, so the value an app sent finds the
 * records it was stored on.
 */
export function metadataText(value: unknown): string {
  const whole = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  let end = Math.min(whole.length, MAX_METADATA_TEXT);
  if (end < whole.length) {
    const last = whole.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  }
  const text = whole.slice(0, end);
  return text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text;
}

/** Metadata as stored: string values, keys cut to 128 characters. */
export function storedMetadataOf(
  metadata: Readonly<Record<string, unknown>> | undefined,
): Record<string, string> | undefined {
  if (metadata === undefined) return undefined;
  const stored: Record<string, string> = {};
  let any = false;
  for (const key of Object.keys(metadata)) {
    stored[metadataText(key)] = metadataText(metadata[key]);
    any = true;
  }
  return any ? stored : undefined;
}

/**
 * The metadata key of the end user: stored in the log row's `user_id` column, filtered through its
 * own index, and not repeated as a `request_log_metadata` row (see migration 0005).
 */
export const USER_METADATA_KEY = '_user';

/** The keys of a record's stored metadata that get a `request_log_metadata` row (all but `_user`). */
export function filterMetadataKeys(metadata: Readonly<Record<string, string>>): string[] {
  return Object.keys(metadata).filter((key) => key !== USER_METADATA_KEY);
}

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

/**
 * The `metadata` column: the stored metadata as JSON, or null when there is none or it is only
 * `_user` (the record's `user_id` column holds that; {@link metadataOfColumns} reads it back).
 */
function metadataColumn(metadata: Readonly<Record<string, string>> | undefined): string | null {
  if (metadata === undefined) return null;
  for (const key in metadata) if (key !== USER_METADATA_KEY) return JSON.stringify(metadata);
  return null;
}

/** The metadata of a stored row, from its `metadata` and `user_id` columns. */
export function metadataOfColumns(metadata: string | null, userId: string | null): Record<string, string> {
  if (metadata === null) return userId === null ? {} : { [USER_METADATA_KEY]: userId };
  try {
    return JSON.parse(metadata) as Record<string, string>;
  } catch {
    return {};
  }
}

/**
 * One attempt as the `attempts` column holds it: `[target_path, provider, started_at − created_at
 * (ms), status, latency_ms, error_code?, 1?]`, the last `1` for an attempt never sent (its error
 * code then `null` when it has none). Arrays, not objects: a third of the bytes, and cheaper to make.
 * Records written before hold objects ({@link LogAttempt}); {@link attemptsOfColumn} reads both.
 */
type StoredAttempt = readonly [string, string, number, number, number, (string | null)?, 1?];

function attemptsColumn(attempts: readonly LogAttempt[] | undefined, createdAt: number): string | null {
  if (attempts === undefined) return null;
  const stored: StoredAttempt[] = [];
  for (const attempt of attempts) {
    const offset = attempt.startedAt - createdAt;
    stored.push(
      attempt.notSent === true
        ? [
            attempt.targetPath,
            attempt.provider,
            offset,
            attempt.status,
            attempt.latencyMs,
            attempt.errorCode ?? null,
            1,
          ]
        : attempt.errorCode === undefined
          ? [attempt.targetPath, attempt.provider, offset, attempt.status, attempt.latencyMs]
          : [
              attempt.targetPath,
              attempt.provider,
              offset,
              attempt.status,
              attempt.latencyMs,
              attempt.errorCode,
            ],
    );
  }
  return JSON.stringify(stored);
}

/** The attempts of a stored row (either form of its `attempts` column). */
export function attemptsOfColumn(attempts: string | null, createdAt: number): LogAttempt[] {
  if (attempts === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(attempts);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.map((entry: StoredAttempt | LogAttempt) => {
    if (!Array.isArray(entry)) return entry as LogAttempt;
    const [targetPath, provider, offset, status, latencyMs, errorCode, notSent] = entry as StoredAttempt;
    return {
      targetPath,
      provider,
      startedAt: createdAt + offset,
      status,
      latencyMs,
      errorCode: errorCode ?? undefined,
      ...(notSent === 1 ? { notSent: true as const } : {}),
    };
  });
}

/** The `guardrails` column: the hooks' results as JSON, or null when none ran. */
function guardrailsColumn(guardrails: readonly LogHookResult[] | undefined): string | null {
  return guardrails === undefined || guardrails.length === 0 ? null : JSON.stringify(guardrails);
}

/** The cost parts of a stored row, or null (a cost of one answer's usage, or a column this version cannot read). */
export function costPartsOfColumn(parts: string | null): LogCostPart[] | null {
  if (parts === null) return null;
  try {
    const parsed: unknown = JSON.parse(parts);
    return Array.isArray(parsed) ? (parsed as LogCostPart[]) : null;
  } catch {
    return null;
  }
}

/** The hooks' results of a stored row, or null (none ran, or a column this version cannot read). */
export function guardrailsOfColumn(guardrails: string | null): LogHookResult[] | null {
  if (guardrails === null) return null;
  try {
    const parsed: unknown = JSON.parse(guardrails);
    return Array.isArray(parsed) ? (parsed as LogHookResult[]) : null;
  } catch {
    return null;
  }
}

/**
 * The values of one record's log row, in {@link LOG_COLUMNS} order (the one place that maps a
 * record to its columns).
 */
export function logRowValues(
  input: RequestLogInput,
  metadata: Readonly<Record<string, string>> | undefined = storedMetadataOf(input.metadata),
): unknown[] {
  const values: unknown[] = [];
  pushLogRowValues(values, input, metadata);
  return values;
}

/**
 * Appends one record's log row values ({@link logRowValues}) to `target`: the SQLite sink gathers
 * the rows of many records in one flat array, as its inserts bind them, with no array per row.
 */
export function pushLogRowValues(
  target: unknown[],
  input: RequestLogInput,
  metadata: Readonly<Record<string, string>> | undefined,
): void {
  const usage = input.usage;
  const createdAt = Math.round(input.createdAt);
  target.push(
    input.id,
    createdAt,
    input.tenant,
    input.traceId,
    orNull(input.spanId),
    orNull(input.parentSpanId),
    orNull(input.spanName),
    input.source ?? 'gateway',
    orNull(input.gatewayKeyId),
    orNull(input.virtualKey),
    orNull(input.configId),
    orNull(input.configVersion),
    orNull(input.prompt),
    orNull(input.method),
    orNull(input.endpoint),
    input.stream === true ? 1 : 0,
    orNull(input.provider),
    orNull(input.model),
    orNull(input.answeredModel),
    input.status,
    orNull(input.errorCode),
    input.latencyMs,
    orNull(input.firstByteMs),
    orNull(input.overheadMs),
    orNull(usage?.prompt_tokens),
    orNull(usage?.completion_tokens),
    orNull(usage?.total_tokens),
    orNull(usage?.cached_tokens),
    orNull(usage?.cache_write_tokens),
    orNull(usage?.reasoning_tokens),
    input.cost === undefined ? null : input.cost,
    orNull(input.costStatus),
    orNull(input.cacheStatus),
    orNull(input.retries),
    orNull(input.targetPath),
    metadata?.[USER_METADATA_KEY] ?? null,
    metadataColumn(metadata),
    attemptsColumn(input.attempts, createdAt),
    orNull(input.requestBody),
    orNull(input.responseBody),
    input.bodyTruncated === true ? 1 : 0,
    orNull(input.path),
    orNull(input.errorMessage),
    guardrailsColumn(input.guardrails),
    orNull(input.costSource),
    input.costParts === undefined || input.costParts.length === 0 ? null : JSON.stringify(input.costParts),
  );
}

/** The rows of one record: the log row and one metadata row per key but `_user`. */
export function rowsOf(input: RequestLogInput): {
  log: Insertable<RequestLogsTable>;
  metadata: Insertable<RequestLogMetadataTable>[];
} {
  const metadata = storedMetadataOf(input.metadata);
  const values = logRowValues(input, metadata);
  const log: Record<string, unknown> = {};
  for (let index = 0; index < LOG_COLUMNS.length; index += 1)
    log[LOG_COLUMNS[index] as string] = values[index];
  const metadataRows: Insertable<RequestLogMetadataTable>[] = [];
  if (metadata !== undefined) {
    for (const key of filterMetadataKeys(metadata)) {
      metadataRows.push({
        log_id: input.id,
        tenant: input.tenant,
        key,
        value: metadata[key] as string,
        created_at: values[1] as number,
      });
    }
  }
  return { log: log as unknown as Insertable<RequestLogsTable>, metadata: metadataRows };
}

/** Columns of a log row, in one order, for prepared multi-row inserts. */
export const LOG_COLUMNS = [
  'id',
  'created_at',
  'tenant',
  'trace_id',
  'span_id',
  'parent_span_id',
  'span_name',
  'source',
  'gateway_key_id',
  'virtual_key',
  'config_id',
  'config_version',
  'prompt',
  'method',
  'endpoint',
  'stream',
  'provider',
  'model',
  'answered_model',
  'status',
  'error_code',
  'latency_ms',
  'first_byte_ms',
  'overhead_ms',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cached_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost',
  'cost_status',
  'cache_status',
  'retries',
  'target_path',
  'user_id',
  'metadata',
  'attempts',
  'request_body',
  'response_body',
  'body_truncated',
  'path',
  'error_message',
  'guardrails',
  'cost_source',
  'cost_parts',
] as const satisfies readonly (keyof RequestLogsTable)[];

const FIVE_BASE36_DIGITS = 36 ** 5;
let lastMs = Number.NaN;
let lastPrefix = '';

/** Five random base-36 digits (~26 bits). */
function randomBase36(): string {
  return Math.floor(Math.random() * FIVE_BASE36_DIGITS)
    .toString(36)
    .padStart(5, '0');
}

/**
 * A time-ordered id: `log_` + 11 base-36 digits of milliseconds + 10 random ones. Made once per
 * logged request: the time part is formatted once per millisecond, the random part in two draws.
 */
export function newLogId(at: number): string {
  const ms = Math.floor(at);
  if (ms !== lastMs) {
    lastMs = ms;
    lastPrefix = `log_${ms.toString(36).padStart(11, '0')}`;
  }
  return lastPrefix + randomBase36() + randomBase36();
}
