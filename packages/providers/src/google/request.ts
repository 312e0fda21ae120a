import { PkError } from '@pk/config';
import { warnDroppedParameters } from '../shared/chat-request.js';
import { joinUrl, readTargetString } from '../shared/target-options.js';
import type { BuiltRequest, PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';
import { toGoogleGenerateContentBody } from './request-body.js';

/** The Gemini API base (https://ai.google.dev/api). */
export const GOOGLE_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The model id without a `models/` prefix, checked before it enters the URL path: letters, digits,
 * `.`, `_`, `-` only (400 otherwise).
 */
export function googleModelId(model: unknown): string {
  const id = typeof model === 'string' ? model.replace(/^models\//, '') : '';
  if (!MODEL_NAME.test(id)) {
    throw new PkError('PK_ERR_INVALID_REQUEST', `invalid model name for google: '${String(model)}'`, {
      param: 'model',
    });
  }
  return id;
}

/** The texts of an OpenAI embeddings `input` (a string or strings; token arrays are refused). */
export function googleEmbeddingTexts(input: unknown, provider: string): string[] {
  const texts = typeof input === 'string' ? [input] : input;
  if (Array.isArray(texts) && texts.length > 0 && texts.every((text) => typeof text === 'string')) {
    return texts as string[];
  }
  throw new PkError('PK_ERR_INVALID_REQUEST', `${provider} embeddings take a string or an array of strings`, {
    param: 'input',
  });
}

function embedBody(request: PreparedRequest, model: string, warnings: string[]): Record<string, unknown> {
  const dimensions = request.body.dimensions;
  warnDroppedParameters(request.body, new Set(['model', 'input', 'dimensions', 'user']), 'google', warnings);
  return {
    requests: googleEmbeddingTexts(request.body.input, 'google').map((text) => ({
      model: `models/${model}`,
      content: { parts: [{ text }] },
      ...(typeof dimensions === 'number' ? { outputDimensionality: dimensions } : {}),
      ...request.providerOptions,
    })),
  };
}

/**
 * OpenAI chat or embeddings request → Gemini `models/{model}:generateContent`,
 * `:streamGenerateContent?alt=sse` or `:batchEmbedContents` (pure), with the API key in
 * `x-goog-api-key` (not in the URL, where logs would keep it).
 * @see https://ai.google.dev/api/generate-content
 * @see https://ai.google.dev/api/embeddings#method:-models.batchembedcontents
 */
export function toGoogleRequest(request: PreparedRequest, context: ProviderContext): BuiltRequest {
  const warnings: string[] = [];
  const model = googleModelId(request.body.model);
  const embeddings = request.endpoint === 'embeddings';
  const body = embeddings
    ? embedBody(request, model, warnings)
    : toGoogleGenerateContentBody(request, 'google', warnings);
  const method = embeddings
    ? 'batchEmbedContents'
    : request.stream
      ? 'streamGenerateContent?alt=sse'
      : 'generateContent';
  const apiKey = readTargetString(context.target, 'api_key');
  return {
    upstream: {
      url: joinUrl(
        readTargetString(context.target, 'custom_host') ?? GOOGLE_BASE_URL,
        `/models/${model}:${method}`,
      ),
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(apiKey === undefined ? {} : { 'x-goog-api-key': apiKey }),
      },
      body: JSON.stringify(body),
    },
    warnings,
  };
}
