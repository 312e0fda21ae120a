import { nativeDialectBodyWithout } from '../shared/dialect-body.js';
import { readTargetString } from '../shared/target-options.js';
import type { NativeDialectRoute } from '../spec/provider-adapter.js';
import { vertexAIBaseUrl, vertexAIModelRoute } from './location.js';
import { VERTEX_AI_ANTHROPIC_VERSION } from './request.js';
import { readVertexAIServiceAccount } from './service-account.js';

/**
 * A Claude call on Vertex AI: `publishers/anthropic/models/{path}` under the target's base URL, the
 * client's body minus `model` and `anthropic_version` plus Vertex's `anthropic_version` (and `extra`),
 * `anthropic-beta` from the target, else from the client.
 */
function vertexAIClaudeRequest(
  request: Parameters<NativeDialectRoute['buildRequest']>[0],
  context: Parameters<NativeDialectRoute['buildRequest']>[1],
  path: string,
  extra: Readonly<Record<string, unknown>> = {},
): ReturnType<NativeDialectRoute['buildRequest']> {
  const base = vertexAIBaseUrl(context.target, readVertexAIServiceAccount(context.target)?.project_id);
  const beta =
    readTargetString(context.target, 'anthropic_beta') ?? request.dialectHeaders?.['anthropic-beta'];
  return {
    upstream: {
      url: `${base}/publishers/anthropic/models/${path}`,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(beta === undefined ? {} : { 'anthropic-beta': beta }),
      },
      body: JSON.stringify({
        anthropic_version: VERTEX_AI_ANTHROPIC_VERSION,
        ...nativeDialectBodyWithout(request, ['model', 'anthropic_version']),
        ...extra,
      }),
    },
    warnings: [],
  };
}

/**
 * Anthropic's Messages API on Vertex AI, for Claude models: `publishers/anthropic/models/{model}:rawPredict`
 * (`:streamRawPredict` for a stream) with the client's body minus `model`, plus
 * `anthropic_version: vertex-2023-10-16` (always: the target's `anthropic_version` and one in the body
 * are Anthropic's, not Vertex's); the answer and the SSE stream are Anthropic's own.
 * `anthropic-beta` from the target, else from the client. Other models are translated.
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude
 */
export const vertexAINativeMessages: NativeDialectRoute = {
  accepts: (request) => vertexAIModelRoute(request.body.model).publisher === 'anthropic',
  buildRequest(request, context) {
    const route = vertexAIModelRoute(request.body.model);
    const method = request.stream ? 'streamRawPredict' : 'rawPredict';
    return vertexAIClaudeRequest(request, context, `${route.model}:${method}`);
  },
};

/**
 * Anthropic's token counting on Vertex AI, for Claude models:
 * `publishers/anthropic/models/count-tokens:rawPredict`, whose body names the model (`@` version and
 * all, as the URL of a Messages call does) beside Anthropic's `count_tokens` fields, with
 * `anthropic_version: vertex-2023-10-16`; the answer is Anthropic's `{"input_tokens": n}`.
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/count-tokens
 */
export const vertexAINativeCountTokens: NativeDialectRoute = {
  accepts: (request) => vertexAIModelRoute(request.body.model).publisher === 'anthropic',
  buildRequest(request, context) {
    const route = vertexAIModelRoute(request.body.model);
    return vertexAIClaudeRequest(request, context, 'count-tokens:rawPredict', { model: route.model });
  },
};
