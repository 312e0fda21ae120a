import { PkError } from '@pk/config';
import { buildOpenAIFamilyRequest } from '../openai/family-request.js';
import { chatMaxTokensField } from '../shared/max-tokens-field.js';
import { readTargetString } from '../shared/target-options.js';
import type { BuiltRequest, PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';
import { resolveOpenAICompatibleBaseUrl } from './base-url.js';
import type { OpenAICompatibleConfig } from './config.js';

/** What a tool call request carries: dropped with a warning for vendors without tools. */
const TOOL_PARAMETERS = ['tools', 'tool_choice', 'parallel_tool_calls', 'functions', 'function_call'];

/** The parameters dropped for `config`: its own list, and the tool parameters when it has no tools. */
function droppedParameters(config: OpenAICompatibleConfig): readonly string[] {
  if (config.unsupported?.tools === undefined) return config.dropParameters ?? [];
  return [...new Set([...(config.dropParameters ?? []), ...TOOL_PARAMETERS])];
}

/**
 * Renames and drops the parameters the vendor names differently or rejects. A chat request's
 * `max_completion_tokens` becomes `max_tokens` for the vendors that document only that
 * ({@link chatMaxTokensField}), unless the client sent both. A vendor without tools (the provider
 * table's `tools: no`) gets none, with a warning, rather than ignoring them silently.
 */
function adaptParameters(
  config: OpenAICompatibleConfig,
  request: PreparedRequest,
): { prepared: PreparedRequest; warnings: string[] } {
  const warnings: string[] = [];
  const dropped = droppedParameters(config);
  const dropsStreamOptions =
    (config.streamUsage ?? 'stream-options') !== 'stream-options' && 'stream_options' in request.body;
  const renamesMaxTokens =
    request.endpoint === 'chat.completions' &&
    chatMaxTokensField(config.id) === 'max_tokens' &&
    'max_completion_tokens' in request.body;
  if (
    request.endpoint === 'passthrough' ||
    (!config.renameParameters && dropped.length === 0 && !dropsStreamOptions && !renamesMaxTokens)
  ) {
    return { prepared: request, warnings };
  }
  const body = { ...request.body };
  // The vendor rejects `stream_options`; the usage a client asked for still reaches it (stream.ts).
  if (dropsStreamOptions) delete body.stream_options;
  const renames = {
    ...(renamesMaxTokens ? { max_completion_tokens: 'max_tokens' } : {}),
    ...config.renameParameters,
  };
  for (const [from, to] of Object.entries(renames)) {
    if (from in body) {
      if (!(to in body)) body[to] = body[from];
      delete body[from];
    }
  }
  for (const name of dropped) {
    if (name in body) {
      delete body[name];
      warnings.push(`parameter '${name}' is not supported by ${config.id} and was dropped`);
    }
  }
  return { prepared: { ...request, body }, warnings };
}

/** The vendor's headers: fixed ones, the key in the vendor's auth header, options sent as headers. */
function vendorHeaders(config: OpenAICompatibleConfig, context: ProviderContext): Record<string, string> {
  const apiKey = readTargetString(context.target, 'api_key');
  if (apiKey === undefined && (config.auth ?? 'required') === 'required') {
    throw new PkError('PK_ERR_INVALID_CONFIG', `provider '${config.id}' needs an api_key`, {
      param: 'api_key',
    });
  }
  const headers: Record<string, string> = { ...config.headers };
  for (const [option, header] of Object.entries(config.optionHeaders ?? {})) {
    const value = readTargetString(context.target, option);
    if (value !== undefined) headers[header] = value;
  }
  if (apiKey !== undefined) {
    const auth = config.authHeader ?? { name: 'authorization', prefix: 'Bearer ' };
    headers[auth.name] = `${auth.prefix ?? ''}${apiKey}`;
  }
  return headers;
}

/** The query string built from options (`api-version`), each value checked against its pattern. */
function vendorQuery(config: OpenAICompatibleConfig, context: ProviderContext): string | undefined {
  const parts: string[] = [];
  for (const [option, { name, pattern }] of Object.entries(config.optionQuery ?? {})) {
    const value = readTargetString(context.target, option);
    if (value === undefined) continue;
    if (!pattern.test(value)) {
      throw new PkError('PK_ERR_INVALID_CONFIG', `provider '${config.id}': '${option}' is not valid`, {
        param: option,
      });
    }
    parts.push(`${name}=${encodeURIComponent(value)}`);
  }
  return parts.length > 0 ? parts.join('&') : undefined;
}

/**
 * The request for one OpenAI-compatible vendor: its base URL (or the target's `custom_host`), its
 * auth header, fixed and option headers, query, and its quirks (renamed parameters, parameters it
 * rejects, whether `stream_options` may be sent).
 */
export function toOpenAICompatibleRequest(
  config: OpenAICompatibleConfig,
  request: PreparedRequest,
  context: ProviderContext,
): BuiltRequest {
  const { prepared, warnings } = adaptParameters(config, request);
  const headers = vendorHeaders(config, context);
  const query = vendorQuery(config, context);
  const built = buildOpenAIFamilyRequest(prepared, {
    baseUrl: resolveOpenAICompatibleBaseUrl(config, context.target),
    headers,
    ...(query === undefined ? {} : { query }),
    acceptsStreamOptions: (config.streamUsage ?? 'stream-options') === 'stream-options',
  });
  return { ...built, warnings: [...built.warnings, ...warnings] };
}
