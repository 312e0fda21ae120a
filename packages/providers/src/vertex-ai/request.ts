import { toAnthropicRequest } from '../anthropic/request.js';
import { googleEmbeddingTexts } from '../google/request.js';
import { toGoogleGenerateContentBody } from '../google/request-body.js';
import { warnDroppedParameters } from '../shared/chat-request.js';
import type { BuiltRequest, PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';
import { vertexAIBaseUrl, vertexAIModelRoute } from './location.js';
import { readVertexAIServiceAccount } from './service-account.js';

/**
 * The `anthropic_version` Vertex wants in the body of Claude requests, the only one it takes: always
 * this one, whatever the target's `anthropic_version` (Anthropic's `anthropic-version` header, which
 * `x-portkey-anthropic-version` and the SDKs' `anthropicVersion` set for the `anthropic` provider).
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/use-claude
 */
export const VERTEX_AI_ANTHROPIC_VERSION = 'vertex-2023-10-16';

function anthropicOnVertex(
  request: PreparedRequest,
  context: ProviderContext,
): { body: string; warnings: readonly string[]; beta: string | undefined } {
  const built = toAnthropicRequest(request, { ...context, target: {} });
  const {
    model: _model,
    anthropic_version: _version,
    ...body
  } = JSON.parse(String(built.upstream.body)) as Record<string, unknown>;
  const beta = context.target.anthropic_beta;
  return {
    body: JSON.stringify({ anthropic_version: VERTEX_AI_ANTHROPIC_VERSION, ...body }),
    warnings: built.warnings,
    beta: typeof beta === 'string' && beta !== '' ? beta : undefined,
  };
}

/**
 * OpenAI chat or embeddings request → Vertex AI (pure, unauthorized: `authorize` adds the token).
 * Gemini models: `publishers/google/models/{model}:generateContent` or `:streamGenerateContent?alt=sse`
 * with the Gemini body; Claude models: `publishers/anthropic/models/{model}:rawPredict` or
 * `:streamRawPredict` with the Anthropic body, `anthropic_version: vertex-2023-10-16` and no `model`;
 * embeddings: `publishers/google/models/{model}:predict` with `instances[].content`.
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude
 */
export function toVertexAIRequest(request: PreparedRequest, context: ProviderContext): BuiltRequest {
  const route = vertexAIModelRoute(request.body.model);
  const base = vertexAIBaseUrl(context.target, readVertexAIServiceAccount(context.target)?.project_id);
  const headers = { 'content-type': 'application/json' };
  const url = (method: string) => `${base}/publishers/${route.publisher}/models/${route.model}:${method}`;
  if (request.endpoint === 'embeddings') {
    const warnings: string[] = [];
    warnDroppedParameters(request.body, new Set(['model', 'input', 'dimensions']), 'vertex-ai', warnings);
    const dimensions = request.body.dimensions;
    const body = {
      instances: googleEmbeddingTexts(request.body.input, 'vertex-ai').map((content) => ({ content })),
      ...(typeof dimensions === 'number' ? { parameters: { outputDimensionality: dimensions } } : {}),
      ...request.providerOptions,
    };
    return {
      upstream: { url: url('predict'), method: 'POST', headers, body: JSON.stringify(body) },
      warnings,
    };
  }
  if (route.publisher === 'anthropic') {
    const built = anthropicOnVertex(request, context);
    return {
      upstream: {
        url: url(request.stream ? 'streamRawPredict' : 'rawPredict'),
        method: 'POST',
        headers: { ...headers, ...(built.beta === undefined ? {} : { 'anthropic-beta': built.beta }) },
        body: built.body,
      },
      warnings: built.warnings,
    };
  }
  const warnings: string[] = [];
  const body = toGoogleGenerateContentBody(request, 'vertex-ai', warnings);
  return {
    upstream: {
      url: url(request.stream ? 'streamGenerateContent?alt=sse' : 'generateContent'),
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    },
    warnings,
  };
}
