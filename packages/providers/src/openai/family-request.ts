import { bodyJsonOf } from '../shared/body-json.js';
import { headersWith } from '../shared/header-record.js';
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

const INCLUDE_USAGE = Buffer.from(',"stream_options":{"include_usage":true}}');

/**
 * The client's JSON bytes with `"stream_options":{"include_usage":true}` added as the last member,
 * without a parse or a serialisation: only when the body is still the client's (known bytes), has no
 * `stream_options` of its own and no provider options are merged. Otherwise `undefined`.
 */
function withIncludeUsage(
  body: Record<string, unknown>,
  providerOptions: Readonly<Record<string, unknown>>,
): Uint8Array | undefined {
  const bytes = bodyJsonOf(body);
  if (bytes === undefined || 'stream_options' in body || Object.keys(providerOptions).length > 0)
    return undefined;
  let end = bytes.length - 1;
  while (
    end >= 0 &&
    (bytes[end] === 0x20 || bytes[end] === 0x0a || bytes[end] === 0x0d || bytes[end] === 0x09)
  )
    end -= 1;
  if (end < 1 || bytes[end] !== 0x7d) return undefined; // not ending with `}`
  let before = end - 1;
  while (
    before >= 0 &&
    (bytes[before] === 0x20 || bytes[before] === 0x0a || bytes[before] === 0x0d || bytes[before] === 0x09)
  )
    before -= 1;
  if (before < 0 || bytes[before] === 0x7b) return undefined; // `{}`: no member to follow
  const out = Buffer.allocUnsafe(end + INCLUDE_USAGE.length);
  out.set(bytes.subarray(0, end), 0);
  out.set(INCLUDE_USAGE, end);
  return out;
}

export function buildOpenAIFamilyRequest(
  request: PreparedRequest,
  endpoint: OpenAIFamilyEndpoint,
): BuiltRequest {
  if (request.endpoint === 'passthrough') {
    const method = (request.method ?? 'POST').toUpperCase();
    // GET and HEAD carry no body; a DELETE only the one its client sent (the gateway routes a
    // body-less request on `{}`).
    const hasJsonBody =
      request.rawBody === undefined &&
      (method === 'DELETE' ? Object.keys(request.body).length > 0 : method !== 'GET' && method !== 'HEAD');
    const contentType =
      request.rawBody !== undefined ? request.contentType : hasJsonBody ? 'application/json' : undefined;
    return {
      upstream: {
        url: withQuery(joinUrl(endpoint.baseUrl, request.path ?? '/'), endpoint.query),
        method,
        headers:
          contentType === undefined
            ? { ...endpoint.headers }
            : headersWith(endpoint.headers, 'content-type', contentType),
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
    const spliced = withIncludeUsage(request.body, request.providerOptions);
    if (spliced !== undefined) {
      return {
        upstream: {
          url: withQuery(joinUrl(endpoint.baseUrl, path), endpoint.query),
          method: 'POST',
          headers: headersWith(endpoint.headers, 'content-type', 'application/json'),
          body: spliced,
        },
        warnings: [],
      };
    }
    const merged = { ...body, ...request.providerOptions };
    const current = isJsonObject(merged.stream_options) ? merged.stream_options : {};
    body = { ...merged, stream_options: { ...current, include_usage: true } };
  }
  return {
    upstream: {
      url: withQuery(joinUrl(endpoint.baseUrl, path), endpoint.query),
      method: 'POST',
      headers: headersWith(endpoint.headers, 'content-type', 'application/json'),
      body: body === request.body ? serialiseBody(body, request.providerOptions) : JSON.stringify(body),
    },
    warnings: [],
  };
}
