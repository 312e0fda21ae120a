import { PkError } from '@pk/config';
import { buildOpenAIFamilyRequest } from '../openai/family-request.js';
import { readTargetString } from '../shared/target-options.js';
import type {
  BuiltRequest,
  PreparedRequest,
  ProviderContext,
  ProviderTarget,
} from '../spec/provider-adapter.js';

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

function checkedOption(context: Pick<ProviderContext, 'target'>, key: string): string | undefined {
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

function requireOption(context: Pick<ProviderContext, 'target'>, key: string): string {
  const value = checkedOption(context, key);
  if (value === undefined) {
    throw new PkError('PK_ERR_INVALID_CONFIG', `provider 'azure-openai' needs '${key}'`, { param: key });
  }
  return value;
}

/** The `api-key` header, or `Authorization: Bearer <Entra token>` when `azure_ad_token` is given. */
function authHeadersOf(context: Pick<ProviderContext, 'target'>): Record<string, string> {
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
  return adToken !== undefined
    ? { authorization: `Bearer ${adToken.replace(/^Bearer\s+/i, '')}` }
    : { 'api-key': apiKey ?? '' };
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
  const headers = authHeadersOf(context);
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

/** The API version of the Realtime API on Azure when the target gives none (the GA default has none). */
export const AZURE_OPENAI_REALTIME_API_VERSION = '2025-04-01-preview';

/**
 * Azure OpenAI's Realtime API WebSocket for a target (`https://` here; the caller dials it as
 * `wss://`), as Portkey's gateway builds it: with a dated API version,
 * `{origin}/openai/realtime?<query>&api-version=…&deployment={deployment_id}`; with `api_version: v1`
 * (the GA API), `{origin}/openai/v1/realtime?<query>` with `model` set to the deployment (`v1` names a
 * deployment by `model`). `origin` is the resource (`https://{resource_name}.openai.azure.com`) or
 * `custom_host`; the client's other query parameters are kept. Headers: `api-key`, or `Authorization:
 * Bearer` with `azure_ad_token`.
 * @see https://learn.microsoft.com/en-us/azure/ai-foundry/openai/how-to/realtime-audio-websockets
 */
export function toAzureOpenAIRealtimeRequest(
  target: ProviderTarget,
  query: URLSearchParams,
): { readonly url: string; readonly headers: Record<string, string> } {
  const context = { target };
  const customHost = readTargetString(target, 'custom_host');
  const origin = (
    customHost ?? `https://${requireOption(context, 'resource_name')}.openai.azure.com`
  ).replace(/\/+$/, '');
  const deployment = requireOption(context, 'deployment_id');
  const apiVersion = checkedOption(context, 'api_version') ?? AZURE_OPENAI_REALTIME_API_VERSION;
  const headers = authHeadersOf(context);
  const params = new URLSearchParams(query);
  if (apiVersion === 'v1') {
    params.delete('api-version');
    params.delete('deployment');
    params.set('model', deployment);
    return { url: `${origin}/openai/v1/realtime?${params.toString()}`, headers };
  }
  params.set('api-version', apiVersion);
  params.set('deployment', deployment);
  return { url: `${origin}/openai/realtime?${params.toString()}`, headers };
}
