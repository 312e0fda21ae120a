import { bodyJsonOf } from '../shared/body-json.js';
import { isJsonObject } from '../shared/json.js';
import { joinUrl } from '../shared/target-options.js';
import type { AdapterEndpoint, BuiltRequest, PreparedRequest } from '../spec/provider-adapter.js';

/** Where and how an OpenAI-family request is sent: the part that differs between vendors. */
export interface OpenAIFamilyEndpoint {
  /** Base URL without the endpoint path (`https://api.openai.com/v1`). */
  readonly baseUrl: string;
  /** Auth and vendor headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** Query string appended to every URL, without `?` (Azure's `api-version=…`). */
  readonly query?: string;
  /** Whether the vendor accepts `stream_options` (default true). */
  readonly acceptsStreamOptions?: boolean;
}

const PATH_OF_ENDPOINT = {
  'chat.completions': '/chat/completions',
  completions: '/completions',
  embeddings: '/embeddings',
} as const satisfies Record<Exclude<AdapterEndpoint, 'passthrough'>, string>;

function withQuery(url: string, query: string | undefined): string {
  if (query === undefined || query === '') return url;
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

/**
 * The request for a vendor that speaks OpenAI's wire format. The body passes through untouched
 * (unknown parameters included) except for `stream_options.include_usage: true` on streams, so usage
 * can always be logged and cached; the stream transformer removes the usage chunk again when the
 * client did not ask for it.
 */
/**
 * The upstream JSON of `body` with the provider options merged: the client's own bytes when nothing
 * was merged and the body is still exactly what they say (`body-json.ts`), else serialised.
 */
function serialiseBody(body: Record<string, unknown>, providerOptions: Readonly<Record<string, unknown>>) {
  if (Object.keys(providerOptions).length > 0) return JSON.stringify({ ...body, ...providerOptions });
  return bodyJsonOf(body) ?? JSON.stringify(body);
}

export function buildOpenAIFamilyRequest(
  request: PreparedRequest,
  endpoint: OpenAIFamilyEndpoint,
): BuiltRequest {
  if (request.endpoint === 'passthrough') {
    const method = (request.method ?? 'POST').toUpperCase();
    const hasJsonBody = request.rawBody === undefined && method !== 'GET' && method !== 'DELETE';
    const contentType = request.rawBody === undefined ? 'application/json' : request.contentType;
    return {
      upstream: {
        url: withQuery(joinUrl(endpoint.baseUrl, request.path ?? '/'), endpoint.query),
        method,
        headers: {
          ...endpoint.headers,
          ...(contentType === undefined ? {} : { 'content-type': contentType }),
        },
        ...(request.rawBody !== undefined
          ? { body: request.rawBody }
          : hasJsonBody
            ? { body: serialiseBody(request.body, request.providerOptions) }
            : {}),
      },
      warnings: [],
    };
  }
  const path = PATH_OF_ENDPOINT[request.endpoint as Exclude<AdapterEndpoint, 'passthrough'>];
  if (path === undefined) throw new Error(`no OpenAI path for the ${request.endpoint} endpoint`);
  let body: Record<string, unknown> = request.body;
  if (request.stream && endpoint.acceptsStreamOptions !== false && !request.clientWantsUsage) {
    const merged = { ...body, ...request.providerOptions };
    const current = isJsonObject(merged.stream_options) ? merged.stream_options : {};
    body = { ...merged, stream_options: { ...current, include_usage: true } };
  }
  return {
    upstream: {
      url: withQuery(joinUrl(endpoint.baseUrl, path), endpoint.query),
      method: 'POST',
      headers: { ...endpoint.headers, 'content-type': 'application/json' },
      body: body === request.body ? serialiseBody(body, request.providerOptions) : JSON.stringify(body),
    },
    warnings: [],
  };
}
