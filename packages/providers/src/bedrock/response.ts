import type { TranslatedChatCompletion } from '../openai-format/chat-completion.js';
import type { ThinkingBlock } from '../openai-format/chat-completion-request.js';
import type { EmbeddingList } from '../openai-format/embedding.js';
import { withUsageUnreported } from '../openai-format/usage.js';
import { buildChatCompletion, type ChatCompletionToolCall } from '../shared/chat-completion.js';
import { unexpectedBodyError } from '../shared/error-body.js';
import { finishReasonFor } from '../shared/finish-reason.js';
import type { PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';
import {
  bedrockCohereEmbeddingSchema,
  bedrockConverseResponseSchema,
  bedrockTitanEmbeddingSchema,
} from './api.js';
import { bedrockStopDetails, mapBedrockStopReason } from './finish-reason.js';
import { BEDROCK_JSON_TOOL_NAME, wantsBedrockJson } from './json-mode.js';
import { thinkingBlockOf } from './reasoning-blocks.js';
import { toOpenAIUsageFromBedrock } from './usage.js';

function fromBedrockEmbedding(body: unknown, request: PreparedRequest, provider: string): EmbeddingList {
  const model = String(request.body.model ?? '');
  const titan = bedrockTitanEmbeddingSchema.safeParse(body);
  if (titan.success) {
    const tokens = titan.data.inputTextTokenCount ?? 0;
    return {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: titan.data.embedding }],
      model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  }
  const cohere = bedrockCohereEmbeddingSchema.safeParse(body);
  if (!cohere.success) throw unexpectedBodyError(provider);
  const vectors = Array.isArray(cohere.data.embeddings)
    ? cohere.data.embeddings
    : cohere.data.embeddings.float;
  // Cohere's embeddings on Bedrock carry no token count in the body: zeros for the client, and
  // unreported for the caller (never priced at $0).
  return withUsageUnreported({
    object: 'list' as const,
    data: vectors.map((embedding, index) => ({ object: 'embedding' as const, index, embedding })),
    model,
    usage: { prompt_tokens: 0, total_tokens: 0 },
  });
}

/**
 * Converse answer → OpenAI chat completion, or an InvokeModel embeddings answer (Titan or Cohere) →
 * embeddings list (pure). Text blocks are joined, `toolUse` blocks become tool calls (the JSON-mode
 * tool's input becomes `content`), `stopReason` is mapped (kept as it came with native finish reasons
 * on; a JSON-mode answer ends with `end_turn`); with strict compliance off, reasoning text is
 * `reasoning_content` and each reasoning block, signature or encrypted content kept, a `thinking_blocks`
 * entry, for Claude's next turn; in dialect calls a stop sequence or a full context window is told as
 * `stop_details` ({@link bedrockStopDetails}).
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_ResponseSyntax
 */
export function fromBedrockResponse(
  body: unknown,
  request: PreparedRequest,
  context: ProviderContext,
): TranslatedChatCompletion | EmbeddingList {
  if (request.endpoint === 'embeddings') return fromBedrockEmbedding(body, request, context.provider);
  const parsed = bedrockConverseResponseSchema.safeParse(body);
  if (!parsed.success) throw unexpectedBodyError(context.provider);
  const json = wantsBedrockJson(request.body);
  const texts: string[] = [];
  const reasoning: string[] = [];
  const thinkingBlocks: ThinkingBlock[] = [];
  const toolCalls: ChatCompletionToolCall[] = [];
  let answeredWithJsonTool = false;
  for (const block of parsed.data.output.message?.content ?? []) {
    if (typeof block.text === 'string') texts.push(block.text);
    else if (block.toolUse) {
      const input = JSON.stringify(block.toolUse.input ?? {});
      if (json && block.toolUse.name === BEDROCK_JSON_TOOL_NAME) {
        texts.push(input);
        answeredWithJsonTool = true;
      } else
        toolCalls.push({
          id: block.toolUse.toolUseId,
          type: 'function',
          function: { name: block.toolUse.name, arguments: input },
        });
    } else if (block.reasoningContent) {
      const { reasoningText, redactedContent } = block.reasoningContent;
      if (typeof reasoningText?.text === 'string') reasoning.push(reasoningText.text);
      const thinking = thinkingBlockOf(reasoningText, redactedContent);
      if (thinking !== undefined) thinkingBlocks.push(thinking);
    }
  }
  const jsonAnswer = answeredWithJsonTool && toolCalls.length === 0;
  const stopDetails =
    context.stopDetails === true && !jsonAnswer
      ? bedrockStopDetails(parsed.data.stopReason, request.body)
      : undefined;
  return buildChatCompletion({
    id: context.generateId(),
    model: String(request.body.model ?? ''),
    now: context.now(),
    texts,
    toolCalls,
    extras: {
      ...(context.strictOpenAICompliance
        ? {}
        : {
            ...(reasoning.length > 0 ? { reasoning_content: reasoning.join('') } : {}),
            ...(thinkingBlocks.length > 0 ? { thinking_blocks: thinkingBlocks } : {}),
          }),
      ...(stopDetails === undefined ? {} : { stop_details: stopDetails }),
    },
    finishReason: jsonAnswer
      ? finishReasonFor(context, 'end_turn', 'stop')
      : finishReasonFor(context, parsed.data.stopReason, mapBedrockStopReason(parsed.data.stopReason)),
    usage: toOpenAIUsageFromBedrock(parsed.data.usage),
  });
}
