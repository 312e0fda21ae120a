import type { RequestEnd } from '../plugins/request-log.js';
import { otelTraceIdOf, type ParentContext, parseTraceparent, type RequestTrace } from './trace-context.js';

/**
 * The OpenTelemetry semantic conventions pk's spans follow, pinned: the `gen_ai.*` names as
 * `@opentelemetry/semantic-conventions` 1.45.0 publishes them (all "Development"; a test compares
 * every name used here with that package's constants). Changing it is a decision, not an update.
 */
export const SEMCONV_VERSION = '1.45.0';

export type AttributeValue = string | number | boolean | readonly string[];
export type Attributes = Record<string, AttributeValue>;

/** One span to record, with its times (epoch ms); spans are made when the request has ended. */
export interface SpanPlan {
  readonly name: string;
  /** `internal` for an attempt the gateway refused itself: no provider was called. */
  readonly kind: 'server' | 'client' | 'internal';
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes: Attributes;
  /** An error status and its description (the error code: pk's, or the provider's), or ok/unset. */
  readonly error?: string;
  /** The span's id when it was given out before (the `traceparent` an attempt's call carried). */
  readonly spanId?: string;
}

/**
 * `error.type`, which OpenTelemetry wants low-cardinality: pk's own `PK_ERR_*` code (a fixed set), else
 * the HTTP status (a provider's own code, `server_error` or anything else it sends, stays in the span
 * status's description); a stream that answered 200 and then failed has no error status, so its code.
 */
export function errorTypeOf(code: string | undefined, status: number): string {
  if (code?.startsWith('PK_ERR_')) return code;
  if (status >= 400 || code === undefined) return String(status);
  return code;
}

/** A request's spans: the request itself, and one child per provider attempt. */
export interface RequestSpans {
  /** The W3C parent from `traceparent`, if any (the request span is then its child). */
  readonly parent?: ParentContext;
  /** The trace id to use when there is no parent: the pk trace id's own, when it is hex or a UUID. */
  readonly traceId?: string;
  readonly request: SpanPlan;
  readonly attempts: readonly SpanPlan[];
}

/** `gen_ai.operation.name` of the OpenAI-compatible routes pk serves. */
const OPERATIONS: Readonly<Record<string, string>> = {
  '/v1/chat/completions': 'chat',
  '/chat/completions': 'chat',
  '/v1/messages': 'chat',
  '/v1/responses': 'chat',
  '/v1/completions': 'text_completion',
  '/completions': 'text_completion',
  '/v1/embeddings': 'embeddings',
  '/embeddings': 'embeddings',
};

/** pk's provider ids → `gen_ai.provider.name` well-known values; other ids are used as they are. */
const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  bedrock: 'aws.bedrock',
  'azure-openai': 'azure.ai.openai',
  'azure-ai': 'azure.ai.inference',
  'vertex-ai': 'gcp.vertex_ai',
  google: 'gcp.gemini',
  'mistral-ai': 'mistral_ai',
  groq: 'groq',
  'x-ai': 'x_ai',
  cohere: 'cohere',
  deepseek: 'deepseek',
  'perplexity-ai': 'perplexity',
};

/** The `gen_ai.provider.name` of a pk provider id. */
export function genAiProviderName(provider: string): string {
  return PROVIDER_NAMES[provider] ?? provider;
}

function usageAttributes(usage: NonNullable<RequestEnd['fields']['usage']>): Attributes {
  const attributes: Attributes = {};
  const set = (name: string, value: number | undefined): void => {
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) attributes[name] = value;
  };
  // OpenAI's prompt_tokens include cached ones and completion_tokens reasoning ones, as the conventions ask.
  set('gen_ai.usage.input_tokens', usage.prompt_tokens);
  set('gen_ai.usage.output_tokens', usage.completion_tokens);
  set('gen_ai.usage.cache_read.input_tokens', usage.cached_tokens);
  set('gen_ai.usage.cache_creation.input_tokens', usage.cache_write_tokens);
  set('gen_ai.usage.reasoning.output_tokens', usage.reasoning_tokens);
  return attributes;
}

/**
 * The spans of one finished request, from its end-of-request facts alone: never a prompt, a
 * completion, a header or a metadata value (only the attributes listed in the gateway README).
 */
export function requestSpansOf(
  end: Pick<RequestEnd, 'status' | 'latencyMs' | 'fields'> & {
    readonly request: {
      readonly method: string;
      readonly url: string;
      readonly traceId: string;
      readonly headers: Readonly<Record<string, string | string[] | undefined>>;
      readonly routeOptions?: { readonly url?: string | undefined };
      /** The trace its provider calls carried, when any was sent while tracing. */
      readonly otelTrace?: RequestTrace | null | undefined;
    };
    /** When the request ended (epoch ms; default now). */
    readonly endedAt?: number;
  },
): RequestSpans {
  const { request, status, latencyMs, fields } = end;
  const endMs = end.endedAt ?? Date.now();
  const startMs = endMs - latencyMs;
  const path = request.url.split('?', 1)[0] ?? '/';
  // The route's template; none for a path no route serves (a 404), whose path is the client's choice.
  const route = request.routeOptions?.url;
  // A Realtime session is a conversation with the model: `chat`, the well-known value dashboards read.
  const operation =
    fields.endpoint === 'realtime'
      ? 'chat'
      : (OPERATIONS[path] ?? (route === undefined ? undefined : OPERATIONS[route]));
  const model = fields.model;
  const genAi: Attributes = {};
  if (operation) genAi['gen_ai.operation.name'] = operation;
  if (model) genAi['gen_ai.request.model'] = model;
  const requestAttributes: Attributes = {
    ...genAi,
    'http.request.method': request.method,
    'http.response.status_code': status,
    'url.path': path,
    'pk.trace_id': request.traceId,
  };
  if (route !== path && route !== undefined) requestAttributes['http.route'] = route;
  if (fields.provider) requestAttributes['gen_ai.provider.name'] = genAiProviderName(fields.provider);
  if (fields.answeredModel) requestAttributes['gen_ai.response.model'] = fields.answeredModel;
  if (fields.stream !== undefined && operation) requestAttributes['gen_ai.request.stream'] = fields.stream;
  if (fields.finishReasons && fields.finishReasons.length > 0)
    requestAttributes['gen_ai.response.finish_reasons'] = [...fields.finishReasons];
  if (fields.usage) Object.assign(requestAttributes, usageAttributes(fields.usage));
  if (fields.firstByteMs !== undefined && fields.stream === true)
    requestAttributes['gen_ai.response.time_to_first_chunk'] = fields.firstByteMs / 1000;
  if (fields.targetPath) requestAttributes['pk.target_path'] = fields.targetPath;
  if (fields.cacheStatus) requestAttributes['pk.cache_status'] = fields.cacheStatus;
  if (fields.retries !== undefined) requestAttributes['pk.retries'] = fields.retries;
  if (fields.attempts !== undefined) requestAttributes['pk.attempts'] = fields.attempts;
  if (typeof fields.cost === 'number') requestAttributes['pk.cost_usd'] = fields.cost;
  if (fields.configId) requestAttributes['pk.config_id'] = fields.configId;
  if (fields.virtualKey) requestAttributes['pk.virtual_key'] = fields.virtualKey;
  if (fields.overheadMs !== undefined) requestAttributes['pk.overhead_ms'] = fields.overheadMs;
  // Portkey's own span headers (x-portkey-span-id, -span-name, -parent-span-id), kept as given.
  if (fields.spanId) requestAttributes['pk.span_id'] = fields.spanId;
  if (fields.spanName) requestAttributes['pk.span_name'] = fields.spanName;
  if (fields.parentSpanId) requestAttributes['pk.parent_span_id'] = fields.parentSpanId;
  // A stream that answered 200 and then ended with an error (its code) failed, as its provider call did.
  const streamError = status < 400 ? fields.errorCode : undefined;
  const requestError = status >= 500 || status === 499 ? (fields.errorCode ?? String(status)) : streamError;
  if (status >= 400 || streamError !== undefined)
    requestAttributes['error.type'] = errorTypeOf(fields.errorCode, status);
  // Span names stay low-cardinality (OpenTelemetry's HTTP conventions): `{method} {route}`, or the
  // method alone when no route matched, never a path a client made up.
  const nameTail = operation
    ? `${operation}${model ? ` ${model}` : ''}`
    : route === undefined
      ? request.method
      : `${request.method} ${route}`;

  const log = fields.attemptLog ?? [];
  // The trace the request's calls carried (`traceparent`), when any was sent.
  const carried = request.otelTrace ?? undefined;
  const spanIds = carried?.attemptSpanIds;
  const lastOk = status < 400 ? log.length - 1 : -1;
  const attempts = log.map((attempt, index): SpanPlan => {
    const sent = attempt.notSent !== true;
    const attributes: Attributes = {
      ...genAi,
      'gen_ai.provider.name': genAiProviderName(attempt.provider),
      'pk.target_path': attempt.targetPath,
      'pk.attempt': index + 1,
    };
    // A refused attempt got no HTTP answer: its status is the gateway's, said by `error.type`.
    if (sent) attributes['http.response.status_code'] = attempt.status;
    if (index === lastOk && fields.usage) Object.assign(attributes, usageAttributes(fields.usage));
    if (index === lastOk && fields.finishReasons && fields.finishReasons.length > 0)
      attributes['gen_ai.response.finish_reasons'] = [...fields.finishReasons];
    if (index === lastOk && fields.answeredModel) attributes['gen_ai.response.model'] = fields.answeredModel;
    const error =
      attempt.status >= 400 || attempt.errorCode !== undefined
        ? (attempt.errorCode ?? String(attempt.status))
        : index === lastOk
          ? streamError
          : undefined;
    if (error !== undefined) attributes['error.type'] = errorTypeOf(error, attempt.status);
    const spanId = spanIds?.[index];
    return {
      ...(spanId !== undefined ? { spanId } : {}),
      name: nameTail,
      kind: sent ? 'client' : 'internal',
      startMs: attempt.startedAt,
      endMs: attempt.startedAt + attempt.latencyMs,
      attributes,
      ...(error !== undefined ? { error } : {}),
    };
  });
  const parent = parseTraceparent(request.headers.traceparent);
  const traceId = parent ? undefined : (carried?.traceId ?? otelTraceIdOf(request.traceId));
  return {
    ...(parent ? { parent } : {}),
    ...(traceId ? { traceId } : {}),
    request: {
      name: nameTail,
      kind: 'server',
      startMs,
      endMs,
      attributes: requestAttributes,
      ...(requestError ? { error: requestError } : {}),
    },
    attempts,
  };
}
