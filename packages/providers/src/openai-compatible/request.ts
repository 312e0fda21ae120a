import { PkError } from '@pk/config';
import { buildOpenAIFamilyRequest } from '../openai/family-request.js';
import { readTargetString } from '../shared/target-options.js';
import type { BuiltRequest, PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';
import type { OpenAICompatibleConfig } from './config.js';

/**
 * The request for one OpenAI-compatible vendor: its base URL (or the target's `custom_host`), its
 * auth, and its quirks (renamed parameters, parameters it rejects, no `stream_options`).
 */
export function toOpenAICompatibleRequest(
  config: OpenAICompatibleConfig,
  request: PreparedRequest,
  context: ProviderContext,
): BuiltRequest {
  const warnings: string[] = [];
  let prepared = request;
  if (request.endpoint !== 'passthrough' && (config.renameParameters || config.dropParameters)) {
    const body = { ...request.body };
    for (const [from, to] of Object.entries(config.renameParameters ?? {})) {
      if (from in body) {
        if (!(to in body)) body[to] = body[from];
        delete body[from];
      }
    }
    for (const name of config.dropParameters ?? []) {
      if (name in body) {
        delete body[name];
        warnings.push(`parameter '${name}' is not supported by ${config.id} and was dropped`);
      }
    }
    prepared = { ...request, body };
  }
  const apiKey = readTargetString(context.target, 'api_key');
  if (apiKey === undefined && (config.auth ?? 'required') === 'required') {
    throw new PkError('PK_ERR_INVALID_CONFIG', `provider '${config.id}' needs an api_key`, {
      param: 'api_key',
    });
  }
  const built = buildOpenAIFamilyRequest(prepared, {
    baseUrl: readTargetString(context.target, 'custom_host') ?? config.baseUrl,
    headers: apiKey !== undefined ? { authorization: `Bearer ${apiKey}` } : {},
    acceptsStreamOptions: config.acceptsStreamOptions ?? true,
  });
  return { ...built, warnings: [...built.warnings, ...warnings] };
}
