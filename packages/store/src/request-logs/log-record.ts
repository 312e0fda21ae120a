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
  readonly cacheStatus?: string | undefined;
  readonly retries?: number | undefined;
  readonly targetPath?: string | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
  readonly attempts?: readonly LogAttempt[] | undefined;
  readonly requestBody?: string | undefined;
  readonly responseBody?: string | undefined;
  readonly bodyTruncated?: boolean | undefined;
}

/** Metadata keys and values are stored as text cut to 128 characters (Portkey's rule for feedback). */
const MAX_METADATA_TEXT = 128;

function metadataText(value: unknown): string {
  return (typeof value === 'string' ? value : (JSON.stringify(value) ?? '')).slice(0, MAX_METADATA_TEXT);
}

/** Metadata as stored: string values, keys cut to 128 characters. */
export function storedMetadataOf(
  metadata: Readonly<Record<string, unknown>> | undefined,
): Record<string, string> | undefined {
  if (metadata === undefined) return undefined;
  const stored: Record<string, string> = {};
  let any = false;
  for (const key of Object.keys(metadata)) {
    stored[key.slice(0, MAX_METADATA_TEXT)] = metadataText(metadata[key]);
    any = true;
  }
  return any ? stored : undefined;
}

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

/** The rows of one record: the log row and one metadata row per key. */
export function rowsOf(input: RequestLogInput): {
  log: Insertable<RequestLogsTable>;
  metadata: Insertable<RequestLogMetadataTable>[];
} {
  const metadata = storedMetadataOf(input.metadata);
  const usage = input.usage;
  const log: Insertable<RequestLogsTable> = {
    id: input.id,
    created_at: Math.round(input.createdAt),
    tenant: input.tenant,
    trace_id: input.traceId,
    span_id: orNull(input.spanId),
    parent_span_id: orNull(input.parentSpanId),
    span_name: orNull(input.spanName),
    source: input.source ?? 'gateway',
    gateway_key_id: orNull(input.gatewayKeyId),
    virtual_key: orNull(input.virtualKey),
    config_id: orNull(input.configId),
    config_version: orNull(input.configVersion),
    method: orNull(input.method),
    endpoint: orNull(input.endpoint),
    stream: input.stream === true ? 1 : 0,
    provider: orNull(input.provider),
    model: orNull(input.model),
    answered_model: orNull(input.answeredModel),
    status: input.status,
    error_code: orNull(input.errorCode),
    latency_ms: input.latencyMs,
    first_byte_ms: orNull(input.firstByteMs),
    overhead_ms: orNull(input.overheadMs),
    prompt_tokens: orNull(usage?.prompt_tokens),
    completion_tokens: orNull(usage?.completion_tokens),
    total_tokens: orNull(usage?.total_tokens),
    cached_tokens: orNull(usage?.cached_tokens),
    cache_write_tokens: orNull(usage?.cache_write_tokens),
    reasoning_tokens: orNull(usage?.reasoning_tokens),
    cost: input.cost === undefined ? null : input.cost,
    cost_status: orNull(input.costStatus),
    cache_status: orNull(input.cacheStatus),
    retries: orNull(input.retries),
    target_path: orNull(input.targetPath),
    user_id: metadata?._user ?? null,
    metadata: metadata === undefined ? null : JSON.stringify(metadata),
    attempts: input.attempts === undefined ? null : JSON.stringify(input.attempts),
    request_body: orNull(input.requestBody),
    response_body: orNull(input.responseBody),
    body_truncated: input.bodyTruncated === true ? 1 : 0,
  };
  const metadataRows: Insertable<RequestLogMetadataTable>[] = [];
  if (metadata !== undefined) {
    for (const key of Object.keys(metadata)) {
      metadataRows.push({
        log_id: input.id,
        tenant: input.tenant,
        key,
        value: metadata[key] as string,
        created_at: log.created_at,
      });
    }
  }
  return { log, metadata: metadataRows };
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
] as const satisfies readonly (keyof RequestLogsTable)[];

/** A time-ordered id: `log_` + 11 base-36 digits of milliseconds + 10 random ones. */
export function newLogId(at: number): string {
  const time = Math.floor(at).toString(36).padStart(11, '0');
  let random = '';
  for (let index = 0; index < 10; index += 1) random += Math.floor(Math.random() * 36).toString(36);
  return `log_${time}${random}`;
}
