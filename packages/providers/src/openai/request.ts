import { readTargetString } from '../shared/target-options.js';
import type { BuiltRequest, PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';
import { buildOpenAIFamilyRequest } from './family-request.js';

/** OpenAI's API base (https://platform.openai.com/docs/api-reference/introduction). */
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/**
 * OpenAI request: the body as the client sent it (unknown parameters pass through), sent to
 * `custom_host` or api.openai.com with `Authorization: Bearer <api_key>` and, when given, the
 * `OpenAI-Organization` / `OpenAI-Project` headers.
 * @see https://platform.openai.com/docs/api-reference/authentication
 */
export function toOpenAIRequest(request: PreparedRequest, context: ProviderContext): BuiltRequest {
  const apiKey = readTargetString(context.target, 'api_key');
  const organization = readTargetString(context.target, 'openai_organization');
  const project = readTargetString(context.target, 'openai_project');
  return buildOpenAIFamilyRequest(request, {
    baseUrl: readTargetString(context.target, 'custom_host') ?? OPENAI_BASE_URL,
    headers: {
      ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }),
      ...(organization === undefined ? {} : { 'openai-organization': organization }),
      ...(project === undefined ? {} : { 'openai-project': project }),
    },
  });
}
