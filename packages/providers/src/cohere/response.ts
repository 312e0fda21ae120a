import type { TranslatedChatCompletion } from '../openai-format/chat-completion.js';
import type { EmbeddingList } from '../openai-format/embedding.js';
import { buildChatCompletion } from '../shared/chat-completion.js';
import { unexpectedBodyError } from '../shared/error-body.js';
import { finishReasonFor } from '../shared/finish-reason.js';
import { choiceLogprobs } from '../shared/token-logprob.js';
import type { PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';
import { cohereChatResponseSchema, cohereEmbedResponseSchema } from './api.js';
import { mapCohereFinishReason } from './finish-reason.js';
import { toOpenAITokenLogprobsFromCohere } from './logprobs.js';
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
 * joined into `content` (a `tool_plan` beside tool calls is the `content` when there is no text), tool calls kept (they already have OpenAI's shape), `finish_reason` mapped;
 * with strict compliance off, `thinking` items become `reasoning_content`; `logprobs` items become
 * `choices[0].logprobs.content`.
 * @see https://docs.cohere.com/reference/chat#response
 */
export function fromCohereResponse(
  body: unknown,
  request: PreparedRequest,
  context: ProviderContext,
): TranslatedChatCompletion | EmbeddingList {
  if (request.endpoint === 'embeddings') return fromCohereEmbed(body, request, context.provider);
  const parsed = cohereChatResponseSchema.safeParse(body);
  if (!parsed.success) throw unexpectedBodyError(context.provider);
  const { message } = parsed.data;
  const answerTexts = (message.content ?? [])
    .filter((item) => item.type === 'text')
    .map((item) => item.text ?? '');
  // The plan Cohere writes before its tool calls is what OpenAI models say beside theirs: content.
  const texts = answerTexts.length === 0 && message.tool_plan ? [message.tool_plan] : answerTexts;
  const thinking = (message.content ?? [])
    .filter((item) => item.type === 'thinking')
    .map((item) => item.thinking ?? '')
    .join('');
  const toolCalls = (message.tool_calls ?? []).map((call, index) => ({
    id: call.id ?? `call_${index}`,
    type: 'function' as const,
    function: { name: call.function?.name ?? '', arguments: call.function?.arguments ?? '{}' },
  }));
  const logprobs = parsed.data.logprobs;
  return buildChatCompletion({
    id: parsed.data.id,
    model: String(request.body.model ?? ''),
    now: context.now(),
    texts,
    toolCalls,
    extras: !context.strictOpenAICompliance && thinking !== '' ? { reasoning_content: thinking } : {},
    finishReason: finishReasonFor(
      context,
      parsed.data.finish_reason,
      mapCohereFinishReason(parsed.data.finish_reason),
    ),
    usage: toOpenAIUsageFromCohere(parsed.data.usage),
    logprobs: logprobs ? choiceLogprobs(toOpenAITokenLogprobsFromCohere(logprobs)) : null,
  });
}
