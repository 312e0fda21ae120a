import type { TranslatedChatCompletion } from '../openai-format/chat-completion.js';
import type { ThinkingBlock } from '../openai-format/chat-completion-request.js';
import { buildChatCompletion, type ChatCompletionToolCall } from '../shared/chat-completion.js';
import { finishReasonFor } from '../shared/finish-reason.js';
import type { PreparedRequest, ProviderContext } from '../spec/provider-adapter.js';
import { anthropicMessageSchema } from './api.js';
import { toAnthropicUpstreamErrorFromInvalidBody } from './errors.js';
import { mapAnthropicStopReason } from './finish-reason.js';
import { ANTHROPIC_JSON_TOOL_NAME, wantsAnthropicJson } from './json-mode.js';
import { toOpenAIUsageFromAnthropic } from './usage.js';

/**
 * Anthropic Message → OpenAI chat completion (pure): text blocks joined into `content`, `tool_use`
 * blocks into `tool_calls` (arguments as JSON text), the JSON-mode tool's input into `content`,
 * `stop_reason` mapped (kept as it came with native finish reasons on: `end_turn`, `tool_use` …; a
 * JSON-mode answer ends with `end_turn`), usage with cached tokens. With strict compliance off,
 * thinking is returned as `reasoning_content` and `thinking_blocks` (signature kept for the next turn).
 * @see https://docs.anthropic.com/en/api/messages#response
 */
export function fromAnthropicResponse(
  body: unknown,
  request: PreparedRequest,
  context: ProviderContext,
): TranslatedChatCompletion {
  const parsed = anthropicMessageSchema.safeParse(body);
  if (!parsed.success) throw toAnthropicUpstreamErrorFromInvalidBody(context.provider);
  const message = parsed.data;
  const json = wantsAnthropicJson(request.body);
  const texts: string[] = [];
  const reasoning: string[] = [];
  const thinkingBlocks: ThinkingBlock[] = [];
  const toolCalls: ChatCompletionToolCall[] = [];
  let answeredWithJsonTool = false;
  for (const block of message.content) {
    if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    else if (block.type === 'tool_use') {
      const input = JSON.stringify(block.input ?? {});
      if (json && block.name === ANTHROPIC_JSON_TOOL_NAME) {
        texts.push(input);
        answeredWithJsonTool = true;
      } else
        toolCalls.push({
          id: String(block.id),
          type: 'function',
          function: { name: String(block.name), arguments: input },
        });
    } else if (block.type === 'thinking' && typeof block.thinking === 'string') {
      reasoning.push(block.thinking);
      thinkingBlocks.push({
        type: 'thinking',
        thinking: block.thinking,
        signature: String(block.signature ?? ''),
      });
    } else if (block.type === 'redacted_thinking' && typeof block.data === 'string') {
      thinkingBlocks.push({ type: 'redacted_thinking', data: block.data });
    }
  }
  const finishReason =
    answeredWithJsonTool && toolCalls.length === 0
      ? finishReasonFor(context, 'end_turn', 'stop')
      : finishReasonFor(context, message.stop_reason, mapAnthropicStopReason(message.stop_reason));
  const extras = context.strictOpenAICompliance
    ? {}
    : {
        ...(reasoning.length > 0 ? { reasoning_content: reasoning.join('') } : {}),
        ...(thinkingBlocks.length > 0 ? { thinking_blocks: thinkingBlocks } : {}),
      };
  return buildChatCompletion({
    id: message.id,
    model: message.model,
    now: context.now(),
    texts,
    toolCalls,
    extras,
    finishReason,
    usage: toOpenAIUsageFromAnthropic(message.usage),
  });
}
