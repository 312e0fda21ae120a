import { newLogId, type RequestLogInput, type RequestLogWriter } from '@pk/store';
import { type AsyncHookRuns, asyncHookRunsOf } from '../guardrails/async-hook-runs.js';
import type { RequestEnd } from '../plugins/request-log.js';
import { capturedBodiesOf, MAX_LOGGED_BODY_CHARS } from '../request-facts/body-capture.js';
import { errorMessageOf } from '../request-facts/error-answer.js';
import { loggedHookResultsOf, withAsyncHookResults } from '../request-facts/guardrail-results.js';

function bodyText(body: unknown): { text: string; truncated: boolean } | undefined {
  if (body === undefined) return undefined;
  let text: string;
  try {
    text = typeof body === 'string' ? body : (JSON.stringify(body) ?? '');
  } catch {
    return undefined;
  }
  return text.length > MAX_LOGGED_BODY_CHARS
    ? { text: text.slice(0, MAX_LOGGED_BODY_CHARS), truncated: true }
    : { text, truncated: false };
}

/** Characters of a pass-through path kept in its record at most (a longer one is cut). */
export const MAX_LOGGED_PATH_CHARS = 1024;

/**
 * The path a pass-through request called, as its record keeps it: without the query string (a
 * query may carry a key: `?key=…`, a signed URL's signature), cut to 1,024 characters.
 */
export function loggedPathOf(url: string): string {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  return path.length > MAX_LOGGED_PATH_CHARS ? path.slice(0, MAX_LOGGED_PATH_CHARS) : path;
}

/**
 * The log store's record of one request end, or undefined for requests that are not proxied
 * (health checks, the admin and logs APIs, unknown paths). Reads only what the route filled in.
 */
export function recordOfRequestEnd(end: RequestEnd, withBodies: boolean): RequestLogInput | undefined {
  const { request, fields } = end;
  if (fields.endpoint === undefined) return undefined;
  const now = Date.now();
  const createdAt = now - end.latencyMs;
  let requestBody: { text: string; truncated: boolean } | undefined;
  let responseBody: { text: string; truncated: boolean } | undefined;
  // Only a request that noted something is looked up: bodies, an error answer, hooks' results.
  const bodies =
    withBodies || end.status >= 400 || fields.errorCode !== undefined || fields.guardrails !== undefined
      ? capturedBodiesOf(request)
      : undefined;
  if (withBodies && fields.debug !== false && bodies !== undefined) {
    requestBody = bodyText(bodies.request);
    // An answer that failed is stored as the client got it: pk's or the provider's error envelope.
    responseBody = bodyText(bodies.response ?? bodies.errorAnswer);
  }
  // The error's message, as a piece of its answer: not for a request that opted out of storing those.
  const errorMessage =
    bodies?.errorAnswer !== undefined && fields.debug !== false
      ? errorMessageOf(bodies.errorAnswer)
      : undefined;
  return {
    id: newLogId(createdAt),
    createdAt,
    tenant: request.tenant,
    traceId: request.traceId,
    spanId: fields.spanId,
    parentSpanId: fields.parentSpanId,
    spanName: fields.spanName,
    gatewayKeyId: request.gatewayKey?.id,
    virtualKey: fields.virtualKey,
    configId: fields.configId,
    configVersion: fields.configVersion,
    prompt: fields.prompt,
    method: request.method,
    endpoint: fields.endpoint,
    stream: fields.stream,
    provider: fields.provider,
    model: fields.model,
    answeredModel: fields.answeredModel,
    status: end.status,
    errorCode: fields.errorCode,
    latencyMs: end.latencyMs,
    firstByteMs: fields.firstByteMs,
    overheadMs: fields.overheadMs,
    usage: fields.usage,
    cost: fields.cost,
    costStatus: fields.costStatus,
    costSource: fields.costSource,
    costParts: fields.costParts,
    cacheStatus: fields.cacheStatus,
    retries: fields.retries,
    targetPath: fields.targetPath,
    metadata: fields.metadata,
    attempts: fields.attemptLog,
    requestBody: requestBody?.text,
    responseBody: responseBody?.text,
    bodyTruncated: requestBody?.truncated === true || responseBody?.truncated === true,
    // Only pass-through requests: the other endpoints' paths are what `endpoint` names.
    path: fields.endpoint === 'passthrough' ? loggedPathOf(request.url) : undefined,
    errorMessage,
    guardrails: loggedHookResultsOf(bodies?.hookResults),
  };
}

/**
 * How long a record waits for its request's `async` hooks at most: a hook's checks each stop at
 * their own timeout (30 s at most); this bounds one with several checks in sequence.
 */
export const ASYNC_HOOKS_WAIT_MS = 35_000;

/**
 * How many records wait for `async` hooks at most: beyond it a record is queued at once with the
 * hooks finished so far, so slow hooks under load never hold an unbounded number of records (with
 * their bodies) in memory.
 */
export const MAX_RECORDS_WAITING_FOR_HOOKS = 1_000;

/** A listener that queues records, and {@link flush}es those still waiting for `async` hooks. */
export interface LogStoreListener {
  readonly listener: (end: RequestEnd) => void;
  /** Queues every record still waiting, with the hooks finished so far (the app is closing). */
  flush(): void;
  /** Records waiting for `async` hooks now. */
  readonly waiting: number;
}

/**
 * Queues one record per proxied request end on `writer` (an array push: nothing waits for the
 * store). A request with `async` hooks still running (they never delay its answer) has its record
 * queued once they have finished, with their results, or after {@link ASYNC_HOOKS_WAIT_MS}
 * (`waitMs`) with those that have; {@link LogStoreListener.flush} queues the waiting ones at once.
 */
export function logStoreListener(
  writer: RequestLogWriter,
  options: { readonly bodies: boolean; readonly waitMs?: number; readonly maxWaiting?: number },
): LogStoreListener {
  const waiting = new Map<RequestLogInput, AsyncHookRuns>();
  const queue = (record: RequestLogInput, runs: AsyncHookRuns | undefined): void => {
    if (runs === undefined) {
      writer.enqueue(record);
      return;
    }
    const guardrails = withAsyncHookResults(record.guardrails, runs.finished());
    writer.enqueue(guardrails === undefined ? record : { ...record, guardrails });
  };
  return {
    listener: (end) => {
      const record = recordOfRequestEnd(end, options.bodies);
      if (record === undefined) return;
      const runs = asyncHookRunsOf(end.request);
      if (
        runs === undefined ||
        runs.pending === 0 ||
        waiting.size >= (options.maxWaiting ?? MAX_RECORDS_WAITING_FOR_HOOKS)
      ) {
        queue(record, runs);
        return;
      }
      waiting.set(record, runs);
      void runs.settled(options.waitMs ?? ASYNC_HOOKS_WAIT_MS).then(() => {
        // Already queued when the app closed meanwhile.
        if (!waiting.delete(record)) return;
        queue(record, runs);
      });
    },
    flush: () => {
      for (const [record, runs] of waiting) queue(record, runs);
      waiting.clear();
    },
    get waiting() {
      return waiting.size;
    },
  };
}
