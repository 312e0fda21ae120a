import { nativeDialectBodyWithout } from '../shared/dialect-body.js';
import { readTargetString } from '../shared/target-options.js';
import type { NativeDialectRoute } from '../spec/provider-adapter.js';
import { vertexAIBaseUrl, vertexAIModelRoute } from './location.js';
import { VERTEX_AI_ANTHROPIC_VERSION } from './request.js';
import { readVertexAIServiceAccount } from './service-account.js';

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
    const base = vertexAIBaseUrl(context.target, readVertexAIServiceAccount(context.target)?.project_id);
    const beta =
      readTargetString(context.target, 'anthropic_beta') ?? request.dialectHeaders?.['anthropic-beta'];
    const method = request.stream ? 'streamRawPredict' : 'rawPredict';
    return {
      upstream: {
        url: `${base}/publishers/anthropic/models/${route.model}:${method}`,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(beta === undefined ? {} : { 'anthropic-beta': beta }),
        },
        body: JSON.stringify({
          anthropic_version: VERTEX_AI_ANTHROPIC_VERSION,
          ...nativeDialectBodyWithout(request, ['model', 'anthropic_version']),
        }),
      },
      warnings: [],
    };
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
    const base = vertexAIBaseUrl(context.target, readVertexAIServiceAccount(context.target)?.project_id);
    const beta =
      readTargetString(context.target, 'anthropic_beta') ?? request.dialectHeaders?.['anthropic-beta'];
    return {
      upstream: {
        url: `${base}/publishers/anthropic/models/count-tokens:rawPredict`,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(beta === undefined ? {} : { 'anthropic-beta': beta }),
        },
        body: JSON.stringify({
          anthropic_version: VERTEX_AI_ANTHROPIC_VERSION,
          ...nativeDialectBodyWithout(request, ['model', 'anthropic_version']),
          model: route.model,
        }),
      },
      warnings: [],
    };
  },
};
