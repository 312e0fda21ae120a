import { MAX_METADATA_KEYS, readUtf8HeaderText } from '@pk/headers';
import type { PriceTable } from '@pk/prices';
import type { RequestLogInput, RequestLogWriter, Store, SummaryGroup, SummaryRank } from '@pk/store';
import { newLogId } from '@pk/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { refuseNulInAddress } from '../admin/refuse-nul.js';
import { answerStoreErrors } from '../admin/store-errors.js';
import { isRecord } from '../is-record.js';
import { markPortkeyAdminRoutes, sendPkError } from '../plugins/error-envelope.js';
import type { RequestLogFields } from '../plugins/request-log.js';
import { providerErrorCodeOf } from '../request-facts/provider-error-code.js';
import { type AnswerUsage, recordUsageAndCost } from '../request-facts/request-cost.js';
import { answerNotImplemented } from '../routes/control-plane-routes.js';
import {
  cacheSummaryOf,
  GRAPH_ALIASES,
  GRAPH_FILTERS,
  GRAPHS,
  type GraphQuery,
  graphOf,
  graphQueryOf,
  groupItemOf,
  PERCENTILE_GRAPHS,
  RESCUED_GRAPH,
  rescuedGraphOf,
  STATUS_GRAPHS,
  statusGraphOf,
} from './analytics-graphs.js';
import { FEEDBACK_GRAPHS, feedbackGraphOf } from './feedback-graphs.js';
import { logExportRoutes } from './log-export-routes.js';
import type { LogExportRunner } from './log-export-runner.js';
import {
  clientGone,
  invalid,
  logFilterOf,
  portkeyQueryOf,
  SUMMARY_PARAMETERS,
  single,
  whole,
} from './log-query-params.js';

/** Control-plane segments these routes serve (the rest of each stays 501). */
export const LOG_SEGMENTS: Readonly<Record<string, readonly string[]>> = { logs: ['GET', 'POST'] };

type Query = Readonly<Record<string, string | string[] | undefined>>;

const BUCKETS: Readonly<Record<string, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const DAY_MS = 86_400_000;
/** Groups of a summary with rows of their own by default, and at most (the rest are summed as `other`). */
export const DEFAULT_TOP_GROUPS = 20;
export const MAX_TOP_GROUPS = 100;
const RANKS: readonly SummaryRank[] = ['requests', 'cost', 'errors', 'total_tokens'];

export { logFilterOf };

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, 512) : undefined;
}

/**
 * A failed custom log's `error_code`, so grouping and filtering by it keep failures apart from
 * successes: its answer's `error` as a proxied request's record keeps a provider's (its `code`, else
 * its `type`), else its status (`"500"`, as a span's `error.type` is when nothing names the error).
 */
function customLogErrorCode(
  responseBody: Readonly<Record<string, unknown>> | undefined,
  status: number,
): string {
  const error = responseBody?.error;
  return text(isRecord(error) ? providerErrorCodeOf(error) : undefined) ?? String(status);
}

/**
 * A custom log of Portkey's `POST /v1/logs` (`{request, response, metadata}`) as a record of the
 * caller's tenant: provider, model, status, latency, usage and cost from its bodies; trace and span
 * ids from its metadata (or top level), the `x-portkey-metadata` header merged in. Headers and
 * bodies are not kept (bodies only with `PK_LOG_BODIES`).
 */
/**
 * The logs of a `POST /v1/logs` body: one object, an array, or the object the `portkey-ai` SDK makes
 * of an array (`{"0": {…}, "1": {…}}`, as for feedback).
 */
function customLogItems(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (isRecord(body)) {
    const keys = Object.keys(body);
    if (keys.length > 0 && keys.every((key, index) => key === String(index)))
      return keys.map((key) => body[key]);
  }
  return [body];
}

export function customLogRecord(
  item: Record<string, unknown>,
  context: {
    readonly tenant: string;
    readonly gatewayKeyId: string | undefined;
    readonly traceId: string;
    readonly headerMetadata: Readonly<Record<string, unknown>> | undefined;
    readonly bodies: boolean;
    readonly prices: PriceTable;
  },
): RequestLogInput {
  const request = isRecord(item.request) ? item.request : {};
  const response = isRecord(item.response) ? item.response : {};
  const metadata: Record<string, unknown> = {
    ...(context.headerMetadata ?? {}),
    ...(isRecord(item.metadata) ? item.metadata : {}),
  };
  // As many keys as `x-portkey-metadata` may have: each is a row of the log's metadata index.
  if (Object.keys(metadata).length > MAX_METADATA_KEYS)
    throw invalid(`metadata may have at most ${MAX_METADATA_KEYS} keys`, 'metadata');
  const pick = (...names: string[]): string | undefined => {
    for (const name of names) {
      const value = text(metadata[name]) ?? text(item[name]);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const traceId = pick('trace_id', 'traceId') ?? context.traceId;
  const spanId = pick('span_id', 'spanId');
  const parentSpanId = pick('parent_span_id', 'parentSpanId');
  const spanName = pick('span_name', 'spanName');
  for (const name of [
    'trace_id',
    'traceId',
    'span_id',
    'spanId',
    'parent_span_id',
    'parentSpanId',
    'span_name',
    'spanName',
  ])
    delete metadata[name];
  const requestBody = isRecord(request.body) ? request.body : undefined;
  const responseBody = isRecord(response.body) ? response.body : undefined;
  if (
    response.status !== undefined &&
    !(
      Number.isInteger(response.status) &&
      (response.status as number) >= 100 &&
      (response.status as number) <= 599
    )
  )
    throw invalid('response.status must be an HTTP status code (100 to 599)', 'response.status');
  const status = (response.status as number | undefined) ?? 200;
  if (
    response.response_time !== undefined &&
    !(
      typeof response.response_time === 'number' &&
      response.response_time >= 0 &&
      response.response_time <= DAY_MS
    )
  )
    throw invalid('response.response_time must be milliseconds, from 0 to a day', 'response.response_time');
  const latency = (response.response_time as number | undefined) ?? 0;
  const fields: RequestLogFields = {};
  const provider = text(request.provider);
  if (provider !== undefined) fields.provider = provider;
  const model = text(requestBody?.model);
  if (model !== undefined) fields.model = model;
  const answered = text(responseBody?.model);
  if (answered !== undefined) fields.answeredModel = answered;
  const usage = isRecord(responseBody?.usage) ? (responseBody?.usage as AnswerUsage) : undefined;
  if (status < 400) recordUsageAndCost(fields, usage, { cacheHit: false, prices: context.prices });
  const createdAt = Date.now() - latency;
  const bodyOf = (body: unknown) =>
    context.bodies && body !== undefined ? JSON.stringify(body).slice(0, 65_536) : undefined;
  return {
    id: newLogId(createdAt),
    createdAt,
    source: 'custom',
    tenant: context.tenant,
    traceId,
    spanId,
    parentSpanId,
    spanName,
    gatewayKeyId: context.gatewayKeyId,
    method: text(request.method)?.toUpperCase() ?? 'POST',
    endpoint: text(request.url),
    stream: response.streamingMode === true,
    provider: fields.provider,
    model: fields.model,
    answeredModel: fields.answeredModel,
    status,
    ...(status >= 400 ? { errorCode: customLogErrorCode(responseBody, status) } : {}),
    latencyMs: latency,
    usage: fields.usage,
    cost: fields.cost,
    costStatus: fields.costStatus,
    metadata,
    requestBody: bodyOf(request.body),
    responseBody: bodyOf(response.body),
  };
}

/** `Retry-After` of a custom log call the full queue refused: the writer's flush interval. */
const QUEUE_FULL_RETRY_AFTER_S = 1;

/**
 * The request log's API, tenant-scoped: a gateway key sees its tenant only (another tenant's record
 * or trace is 404, as if it did not exist), an admin key every tenant. `GET /v1/logs`,
 * `GET /v1/logs/:id`, `GET /v1/traces/:traceId` (feedback joined), `GET /v1/analytics/summary`, and
 * Portkey's `POST /v1/logs` (plain-text `ok` once every log of the call is queued; none is when they
 * do not all fit: 503 `PK_ERR_STORE_UNAVAILABLE` with `Retry-After`), and its log exports (`log-export-routes.ts`) when
 * `exports` runs them.
 */
export async function logRoutes(
  app: FastifyInstance,
  options: {
    readonly store: Store;
    readonly writer: RequestLogWriter;
    readonly bodies: boolean;
    readonly prices: PriceTable;
    /** Runs log exports started here; without it `/v1/logs/exports` answers 501. */
    readonly exports?: LogExportRunner | undefined;
    /** `PK_PUBLIC_URL`: the base of the download links (else the request's `Host`). */
    readonly publicUrl?: string | undefined;
  },
): Promise<void> {
  markPortkeyAdminRoutes(app);
  app.addHook('preValidation', refuseNulInAddress);
  const { store, writer } = options;
  // The store's refusals as pk's errors: a database that cannot be reached answers 503
  // PK_ERR_STORE_UNAVAILABLE, not a 500.
  answerStoreErrors(app, 'PK_ERR_RECORD_NOT_FOUND');
  const scopeOf = (request: FastifyRequest, scopes: readonly string[]): string | undefined => {
    app.adminAuth.requireScope(request, scopes);
    return app.adminAuth.isAdmin(request) ? undefined : request.tenant;
  };
  const exports = options.exports;
  if (exports) await app.register(logExportRoutes, { store, runner: exports, publicUrl: options.publicUrl });
  // Static beats `:id`: without exports, `/logs/exports` is never read as a record id.
  else for (const prefix of ['/v1', '']) app.all(`${prefix}/logs/exports`, answerNotImplemented);

  for (const prefix of ['/v1', '']) {
    app.get(`${prefix}/logs`, async (request) => {
      // An unknown parameter (`?user=`, `?ai_org_model=`) is a 400 naming it, never ignored.
      const tenant = scopeOf(request, ['logs.list', 'logs.view']);
      const page = await store.logs.list(logFilterOf(request.query as Query, tenant));
      return { object: 'list', data: page.records, next_cursor: page.nextCursor };
    });

    app.get<{ Params: { id: string } }>(`${prefix}/logs/:id`, async (request, reply) => {
      const tenant = scopeOf(request, ['logs.view']);
      const record = await store.logs.get(request.params.id, tenant);
      if (record === undefined)
        return sendPkError(reply, request, 'PK_ERR_RECORD_NOT_FOUND', 'no log record has this id');
      const feedback = await store.feedback.listByTrace(record.trace_id, tenant);
      return { ...record, feedback: feedback.map(feedbackOut) };
    });

    app.post(`${prefix}/logs`, async (request, reply) => {
      scopeOf(request, ['logs.write', 'completions.write']);
      const items = customLogItems(request.body);
      if (items.length === 0 || !items.every(isRecord))
        throw invalid('a log is an object {request, response, metadata}, or an array of them', 'body');
      for (const [index, item] of items.entries()) {
        // Portkey's schema requires both; without them the record would be an invented 200.
        const missing = ['request', 'response'].find((name) => !isRecord(item[name]));
        if (missing !== undefined) {
          const at = items.length > 1 ? `log ${index}: ` : '';
          throw invalid(`${at}${missing} is required (an object)`, missing);
        }
      }
      const headerMetadata = request.headers['x-portkey-metadata'];
      let parsedHeader: Record<string, unknown> | undefined;
      if (typeof headerMetadata === 'string') {
        try {
          const value: unknown = JSON.parse(readUtf8HeaderText(headerMetadata));
          if (isRecord(value)) parsedHeader = value;
        } catch {
          // not JSON: ignored, as Portkey does
        }
      }
      const records = (items as Record<string, unknown>[]).map((item) =>
        customLogRecord(item, {
          tenant: request.tenant,
          gatewayKeyId: request.gatewayKey?.id,
          traceId: request.traceId,
          headerMetadata: parsedHeader,
          bodies: options.bodies,
          prices: options.prices,
        }),
      );
      // All or nothing: `ok` only for logs that are queued, so a client retries a refused call whole.
      if (!writer.enqueueAll(records)) {
        if (writer.closed)
          return sendPkError(
            reply,
            request,
            'PK_ERR_SHUTTING_DOWN',
            'the gateway is shutting down; retry shortly',
          );
        reply.header('retry-after', String(QUEUE_FULL_RETRY_AFTER_S));
        return sendPkError(
          reply,
          request,
          'PK_ERR_STORE_UNAVAILABLE',
          `the request log queue cannot take ${records.length} more record(s) now (the log store is behind); none of this call's logs were kept, retry after ${QUEUE_FULL_RETRY_AFTER_S} s`,
        );
      }
      return reply.code(200).type('text/plain; charset=utf-8').send('ok');
    });

    app.get<{ Params: { traceId: string } }>(`${prefix}/traces/:traceId`, async (request, reply) => {
      const tenant = scopeOf(request, ['logs.view']);
      const requests = await store.logs.trace(request.params.traceId, tenant);
      if (requests.length === 0)
        return sendPkError(reply, request, 'PK_ERR_RECORD_NOT_FOUND', 'no trace has this id');
      const feedback = await store.feedback.listByTrace(request.params.traceId, tenant);
      return { trace_id: request.params.traceId, requests, feedback: feedback.map(feedbackOut) };
    });

    // Portkey's graphs (`portkey.analytics.graphs.*`): the range as a whole, and bucket by bucket.
    app.get<{ Params: { '*': string } }>(`${prefix}/analytics/graphs/*`, async (request, reply) => {
      const name = GRAPH_ALIASES[request.params['*']] ?? request.params['*'];
      const feedback = Object.hasOwn(FEEDBACK_GRAPHS, name) ? FEEDBACK_GRAPHS[name] : undefined;
      if (!Object.hasOwn(GRAPHS, name) && !STATUS_GRAPHS.has(name) && name !== RESCUED_GRAPH && !feedback)
        return answerNotImplemented(request, reply);
      const tenant = scopeOf(request, ['analytics.view']);
      const query = graphQueryOf(portkeyQueryOf(request.query as Query));
      if ((query.to - query.from) / query.bucketMs > 10_000)
        throw invalid('the time range spans more than 10,000 buckets', 'time_of_generation_min');
      const filter = { ...query.filter, ...GRAPH_FILTERS[name] };
      const range = { tenant, from: query.from, to: query.to, filter, signal: clientGone(reply) };
      if (name === RESCUED_GRAPH)
        return rescuedGraphOf(query, await store.logs.rescued({ ...range, bucketMs: query.bucketMs }));
      if (feedback) {
        // One bucket for the whole range (see below), and the buckets of a graph drawn over time.
        const whole = await store.logs.feedbackSummary({
          ...range,
          bucketMs: query.to + 1,
          groupBy: feedback.groupBy,
        });
        const buckets = feedback.perBucket
          ? await store.logs.feedbackSummary({ ...range, bucketMs: query.bucketMs })
          : [];
        return feedbackGraphOf(name, query, whole, buckets);
      }
      if (STATUS_GRAPHS.has(name)) {
        const bucketMs = name === 'errors/stacks' ? query.bucketMs : query.to + 1;
        const byStatus = await store.logs.summary({
          ...range,
          bucketMs,
          groupBy: 'status',
          percentiles: false,
        });
        return statusGraphOf(name, query, byStatus.rows);
      }
      // The buckets and the whole range from one statement (the records are read once); the latency
      // percentiles (the records sorted in each bucket) only for the graph that shows them.
      const summary = await store.logs.summary({
        ...range,
        bucketMs: query.bucketMs,
        whole: true,
        percentiles: PERCENTILE_GRAPHS.has(name),
      });
      return graphOf(name, query, summary.whole[0], summary.rows);
    });

    /**
     * The range of a Portkey query as one bucket (every record's time is below `to`), by `groupBy`,
     * for `tenant` (the caller's scope, checked before its query is read: a key without
     * `analytics.view` is refused alike whatever it asks).
     */
    const wholeRange = (
      tenant: string | undefined,
      reply: FastifyReply,
      query: GraphQuery,
      groupBy: SummaryGroup,
    ) =>
      store.logs.summary({
        tenant,
        from: query.from,
        to: query.to,
        filter: query.filter,
        bucketMs: query.to + 1,
        groupBy,
        // Groups and the cache summary show no latency percentile.
        percentiles: false,
        signal: clientGone(reply),
      });

    // Portkey's groups: requests (and cost) per model, `_user` or metadata value, most requests first.
    const groupRoute = (
      path: string,
      kind: 'ai-models' | 'users' | 'metadata',
      groupOf: (key: string) => SummaryGroup,
    ) =>
      app.get<{ Params: { key?: string } }>(`${prefix}/analytics/groups/${path}`, async (request, reply) => {
        const tenant = scopeOf(request, ['analytics.view']);
        const query = graphQueryOf(portkeyQueryOf(request.query as Query));
        const summary = await wholeRange(tenant, reply, query, groupOf(request.params.key ?? ''));
        // Requests without a model, `_user` or the metadata key are not a group of their own.
        const rows = summary.rows
          .filter((row) => row.group !== null)
          .sort((a, b) => b.requests - a.requests || String(a.group).localeCompare(String(b.group)));
        const size = query.pageSize ?? rows.length;
        return {
          object: 'list',
          total: rows.length,
          data: rows.slice(query.page * size, (query.page + 1) * size).map((row) => groupItemOf(kind, row)),
        };
      });
    groupRoute('ai-models', 'ai-models', () => 'model');
    groupRoute('users', 'users', () => 'user');
    groupRoute('metadata/:key', 'metadata', (key) => `metadata.${key}`);

    // Portkey's cache summary: hits, their latency and how much faster they were than the rest.
    app.get(`${prefix}/analytics/summary/cache`, async (request, reply) => {
      const tenant = scopeOf(request, ['analytics.view']);
      const query = graphQueryOf(portkeyQueryOf(request.query as Query));
      const summary = await wholeRange(tenant, reply, query, 'cache_status');
      return cacheSummaryOf(summary.rows);
    });

    app.get(`${prefix}/analytics/summary`, async (request, reply) => {
      const tenant = scopeOf(request, ['analytics.view']);
      const query = request.query as Query;
      // The filters of `GET /v1/logs`, applied (an unknown parameter is refused, never ignored).
      const {
        from: givenFrom,
        to: givenTo,
        tenant: _,
        ...filter
      } = logFilterOf(query, tenant, SUMMARY_PARAMETERS);
      const to = givenTo ?? Date.now();
      const from = givenFrom ?? to - DAY_MS;
      const bucketName = single(query, 'bucket') ?? 'hour';
      const bucketMs = BUCKETS[bucketName];
      if (bucketMs === undefined) throw invalid('bucket is minute, hour or day', 'bucket');
      if ((to - from) / bucketMs > 10_000) throw invalid('from–to spans more than 10,000 buckets', 'bucket');
      const groupBy = single(query, 'group_by');
      if (
        groupBy !== undefined &&
        !['model', 'provider', 'virtual_key', 'user', 'status', 'cache_status', 'error_code'].includes(
          groupBy,
        ) &&
        !(groupBy.startsWith('metadata.') && groupBy.length > 'metadata.'.length)
      )
        throw invalid(
          'group_by is model, provider, virtual_key, user, status, cache_status, error_code or metadata.<key>',
          'group_by',
        );
      const top = whole(query, 'top', 1, MAX_TOP_GROUPS);
      const topBy = single(query, 'top_by');
      if (topBy !== undefined && !RANKS.includes(topBy as SummaryRank))
        throw invalid(`top_by is ${RANKS.join(', ')}`, 'top_by');
      if (groupBy === undefined && (top !== undefined || topBy !== undefined))
        throw invalid('top and top_by rank the groups of a group_by', top !== undefined ? 'top' : 'top_by');
      const summary = await store.logs.summary({
        tenant,
        from,
        to,
        bucketMs,
        filter,
        groupBy: groupBy as SummaryGroup | undefined,
        ...(groupBy === undefined
          ? {}
          : { top: top ?? DEFAULT_TOP_GROUPS, topBy: (topBy ?? 'requests') as SummaryRank }),
        signal: clientGone(reply),
      });
      return {
        object: 'analytics.summary',
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        bucket: bucketName,
        group_by: groupBy ?? null,
        top: groupBy === undefined ? null : (top ?? DEFAULT_TOP_GROUPS),
        top_by: groupBy === undefined ? null : (topBy ?? 'requests'),
        truncated: summary.truncated,
        data: summary.rows,
      };
    });
  }
}

function feedbackOut(record: {
  id: string;
  value: number;
  weight: number;
  metadata: Readonly<Record<string, string>> | null;
  createdAt: string;
}) {
  return {
    id: record.id,
    value: record.value,
    weight: record.weight,
    metadata: record.metadata,
    created_at: record.createdAt,
  };
}
