import type { ChatCompletion } from '../openai-format/chat-completion.js';
import type { EmbeddingList } from '../openai-format/embedding.js';
import { unexpectedBodyError } from '../shared/error-body.js';
import type { PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';
import { cohereChatResponseSchema, cohereEmbedResponseSchema } from './api.js';
import { mapCohereFinishReason } from './finish-reason.js';
import { toOpenAIUsageFromCohere } from './usage.js';

function fromCohereEmbed(body: unknown, request: PreparedRequest, provider: string): EmbeddingList {
  const parsed = cohereEmbedResponseSchema.safeParse(body);
  if (!parsed.success) throw unexpectedBodyError(provider);
  const tokens = parsed.data.meta?.billed_units?.input_tokens ?? 0;
  return {
    object: 'list',
    data: (parsed.data.embeddings.float ?? []).map((embedding, index) => ({
      object: 'embedding',
      index,
      embedding,
    })),
    model: String(request.body.model ?? ''),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

/**
 * Cohere chat v2 or embed v2 answer → OpenAI chat completion or embeddings list (pure). Text items are
 * joined into `content`, tool calls kept (they already have OpenAI's shape), `finish_reason` mapped;
 * with strict compliance off, `thinking` items become `reasoning_content`.
 * @see https://docs.cohere.com/reference/chat#response
 */
export function fromCohereResponse(
  body: unknown,
  request: PreparedRequest,
  context: ProviderContext,
): ChatCompletion | EmbeddingList {
  if (request.endpoint === 'embeddings') return fromCohereEmbed(body, request, context.provider);
  const parsed = cohereChatResponseSchema.safeParse(body);
  if (!parsed.success) throw unexpectedBodyError(context.provider);
  const { message } = parsed.data;
  const texts = (message.content ?? []).filter((item) => item.type === 'text').map((item) => item.text ?? '');
  const thinking = (message.content ?? [])
    .filter((item) => item.type === 'thinking')
    .map((item) => item.thinking ?? '')
    .join('');
  const toolCalls = (message.tool_calls ?? []).map((call, index) => ({
    id: call.id ?? `call_${index}`,
    type: 'function' as const,
    function: { name: call.function?.name ?? '', arguments: call.function?.arguments ?? '{}' },
  }));
  return {
    id: parsed.data.id,
    object: 'chat.completion',
    created: Math.floor(context.now() / 1000),
    model: String(request.body.model ?? ''),
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: texts.length > 0 ? texts.join('') : null,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          ...(!context.strictOpenAICompliance && thinking !== '' ? { reasoning_content: thinking } : {}),
        },
        finish_reason: mapCohereFinishReason(parsed.data.finish_reason),
        logprobs: null,
      },
    ],
    usage: toOpenAIUsageFromCohere(parsed.data.usage),
  };
}
