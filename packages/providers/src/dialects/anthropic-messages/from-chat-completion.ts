import { signedIdOfToolCall } from '../../google/signed-tool-call-id.js';
import type { ChatCompletion } from '../../openai-format/chat-completion.js';
import { isJsonObject, parseJsonOrUndefined } from '../../shared/json.js';
import { messagesStopOf } from './stop-reason.js';
import { messagesUsageOf } from './usage.js';

/** A content block of a Message pk builds. */
export type MessagesResponseBlock = Record<string, unknown> & { readonly type: string };

/** The input of a `tool_use` block from a tool call's arguments (`{}` when they are not a JSON object). */
export function toolInputOf(argumentsText: string): Record<string, unknown> {
  const input = parseJsonOrUndefined(argumentsText === '' ? '{}' : argumentsText);
  return isJsonObject(input) ? input : {};
}

/**
 * OpenAI chat completion → Anthropic Message (pure): thinking blocks first (pk's `thinking_blocks`
 * with their signatures, else `reasoning_content` as one unsigned block), then the text, then one
 * `tool_use` block per tool call (a Gemini thought signature carried in its id, see
 * `idWithThoughtSignature`); `stop_reason` (with `stop_sequence`, from the adapter's `stop_details`
 * when it gave them) and usage mapped (cached tokens as `cache_read_input_tokens`).
 * @see https://docs.anthropic.com/en/api/messages#response
 */
export function messagesFromChatCompletion(completion: ChatCompletion): Record<string, unknown> {
  const choice = completion.choices[0];
  const message = choice?.message;
  const content: MessagesResponseBlock[] = [];
  if (message?.thinking_blocks?.length) {
    for (const block of message.thinking_blocks) content.push({ ...block });
  } else if (typeof message?.reasoning_content === 'string' && message.reasoning_content !== '') {
    content.push({ type: 'thinking', thinking: message.reasoning_content, signature: '' });
  }
  if (typeof message?.content === 'string' && message.content !== '') {
    content.push({ type: 'text', text: message.content });
  }
  // The model's refusal (Structured Outputs) is its text, and the turn ends as a refusal.
  const refused = typeof message?.refusal === 'string' && message.refusal !== '';
  if (refused) content.push({ type: 'text', text: message?.refusal as string });
  for (const call of message?.tool_calls ?? []) {
    content.push({
      type: 'tool_use',
      id: signedIdOfToolCall(call),
      name: call.function.name,
      input: toolInputOf(call.function.arguments),
    });
  }
  return {
    id: completion.id,
    type: 'message',
    role: 'assistant',
    model: completion.model,
    content,
    ...messagesStopOf(choice?.finish_reason, message?.stop_details, refused),
    usage: messagesUsageOf(completion.usage),
  };
}
