import { PkError } from '@pk/config';
import { buildOpenAIFamilyRequest } from '../openai/family-request.js';
import { readTargetString } from '../shared/target-options.js';
import type { BuiltRequest, PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';

/** The GA data-plane API version used when a target gives none. */
export const AZURE_OPENAI_DEFAULT_API_VERSION = '2024-10-21';

/** Pass-through paths that live at the resource level, not under a deployment. */
const RESOURCE_LEVEL_PATHS =
  /^\/(files|batches|fine_tuning|assistants|threads|vector_stores|models)(\/|$|\?)/;

function requireOption(context: ProviderContext, key: string): string {
  const value = readTargetString(context.target, key);
  if (value === undefined) {
    throw new PkError('PK_ERR_INVALID_CONFIG', `provider 'azure-openai' needs '${key}'`, { param: key });
  }
  return value;
}

/**
 * Azure OpenAI request: `https://{resource_name}.openai.azure.com/openai/deployments/{deployment_id}/…`
 * with `?api-version={api_version}` (or `custom_host` in place of the resource origin), and either an
 * `api-key` header or, when `azure_ad_token` is given, `Authorization: Bearer <Entra token>`.
 * The body is OpenAI's, unchanged.
 * @see https://learn.microsoft.com/en-us/azure/ai-services/openai/reference
 */
export function toAzureOpenAIRequest(request: PreparedRequest, context: ProviderContext): BuiltRequest {
  const customHost = readTargetString(context.target, 'custom_host');
  const origin = customHost ?? `https://${requireOption(context, 'resource_name')}.openai.azure.com`;
  const apiVersion = readTargetString(context.target, 'api_version') ?? AZURE_OPENAI_DEFAULT_API_VERSION;
  const adToken = readTargetString(context.target, 'azure_ad_token');
  const apiKey = readTargetString(context.target, 'api_key');
  if (adToken === undefined && apiKey === undefined) {
    throw new PkError(
      'PK_ERR_INVALID_CONFIG',
      "provider 'azure-openai' needs 'api_key' or 'azure_ad_token'",
      {
        param: 'api_key',
      },
    );
  }
  const headers: Record<string, string> =
    adToken !== undefined
      ? { authorization: `Bearer ${adToken.replace(/^Bearer\s+/i, '')}` }
      : { 'api-key': apiKey ?? '' };
  const resourceLevel = request.endpoint === 'passthrough' && RESOURCE_LEVEL_PATHS.test(request.path ?? '');
  const baseUrl = resourceLevel
    ? `${origin.replace(/\/+$/, '')}/openai`
    : `${origin.replace(/\/+$/, '')}/openai/deployments/${encodeURIComponent(requireOption(context, 'deployment_id'))}`;
  return buildOpenAIFamilyRequest(request, {
    baseUrl,
    headers,
    query: `api-version=${encodeURIComponent(apiVersion)}`,
  });
}
