import { PkError } from '@pk/config';
import { buildOpenAIFamilyRequest } from '../openai/family-request.js';
import { readTargetString } from '../shared/target-options.js';
import type { BuiltRequest, PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';

/** The GA data-plane API version used when a target gives none. */
export const AZURE_OPENAI_DEFAULT_API_VERSION = '2024-10-21';

/**
 * Pass-through paths that live at the resource level, not under a deployment (the Responses API is one:
 * `/openai/responses?api-version=…`, the deployment named by the body's `model`).
 */
const RESOURCE_LEVEL_PATHS =
  /^\/(files|batches|fine_tuning|assistants|threads|vector_stores|models|responses)(\/|$|\?)/;

/** The API version of the Responses API on Azure when the target gives none (older versions lack it). */
export const AZURE_OPENAI_RESPONSES_API_VERSION = '2025-04-01-preview';

/**
 * Values that go into the upstream URL must match these before use: they may come from request
 * headers, and a resource name like `evil.example/x#` would otherwise move stored credentials to
 * another host. Azure resource names are 2–64 letters, digits and hyphens; deployment names letters,
 * digits, `-`, `_` and `.`; API versions dates with an optional `-preview`, or `v1`/`latest`/`preview`.
 */
const URL_VALUE_PATTERNS: Readonly<Record<string, RegExp>> = {
  resource_name: /^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}[a-zA-Z0-9]$/,
  deployment_id: /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/,
  api_version: /^(\d{4}-\d{2}-\d{2}(-preview)?|v1|latest|preview)$/,
};

function checkedOption(context: ProviderContext, key: string): string | undefined {
  const value = readTargetString(context.target, key);
  const pattern = URL_VALUE_PATTERNS[key];
  if (value !== undefined && pattern !== undefined && !pattern.test(value)) {
    throw new PkError(
      'PK_ERR_INVALID_CONFIG',
      `provider 'azure-openai': '${key}' does not look like an Azure ${key.replace('_', ' ')}`,
      {
        param: key,
      },
    );
  }
  return value;
}

function requireOption(context: ProviderContext, key: string): string {
  const value = checkedOption(context, key);
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
  const apiVersion = checkedOption(context, 'api_version') ?? AZURE_OPENAI_DEFAULT_API_VERSION;
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
