import { fromAnthropicResponse } from '../anthropic/response.js';
import { fromGoogleGenerateContent } from '../google/response.js';
import type { TranslatedChatCompletion } from '../openai-format/chat-completion.js';
import type { EmbeddingList } from '../openai-format/embedding.js';
import { unexpectedBodyError } from '../shared/error-body.js';
import type { PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';
import { vertexAIPredictEmbeddingsSchema } from './api.js';
import { vertexAIModelRoute } from './location.js';

/**
 * Vertex answer → OpenAI answer (pure): Gemini and Claude answers through the Google and Anthropic
 * translations, `predict` embeddings (with their token counts) as an embeddings list.
 */
export function fromVertexAIResponse(
  body: unknown,
  request: PreparedRequest,
  context: ProviderContext,
): TranslatedChatCompletion | EmbeddingList {
  if (request.endpoint === 'embeddings') {
    const parsed = vertexAIPredictEmbeddingsSchema.safeParse(body);
    if (!parsed.success) throw unexpectedBodyError(context.provider);
    const tokens = parsed.data.predictions.reduce(
      (sum, item) => sum + (item.embeddings.statistics?.token_count ?? 0),
      0,
    );
    return {
      object: 'list',
      data: parsed.data.predictions.map((item, index) => ({
        object: 'embedding',
        index,
        embedding: item.embeddings.values,
      })),
      model: String(request.body.model ?? ''),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  }
  return vertexAIModelRoute(request.body.model).publisher === 'anthropic'
    ? fromAnthropicResponse(body, request, context)
    : fromGoogleGenerateContent(body, request, context);
}
