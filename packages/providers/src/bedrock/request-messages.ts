import type { OpenAIContentPart, OpenAIMessage } from '../openai-format/chat-completion-request.js';
import { imageUrlOf, messageText, parseDataUrl } from '../shared/chat-request.js';
import { isJsonObject, parseJsonOrUndefined } from '../shared/json.js';

/** A Converse message we send. */
export interface BedrockRequestMessage {
  role: 'user' | 'assistant';
  content: Record<string, unknown>[];
}

const IMAGE_FORMATS = new Set(['png', 'jpeg', 'gif', 'webp']);

function userBlocks(content: OpenAIMessage['content'], warnings: string[]): Record<string, unknown>[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  const blocks: Record<string, unknown>[] = [];
  for (const part of (content ?? []) as OpenAIContentPart[]) {
    const url = imageUrlOf(part);
    if (part.type === 'text' && typeof part.text === 'string') {
      blocks.push({ text: part.text });
      continue;
    }
    const data = url === undefined ? undefined : parseDataUrl(url);
    const format = data?.mediaType.replace(/^image\//, '').replace('jpg', 'jpeg');
    if (data && format && IMAGE_FORMATS.has(format))
      blocks.push({ image: { format, source: { bytes: data.data } } });
    else
      warnings.push(
        url === undefined
          ? `content part '${part.type}' is not supported by bedrock and was dropped`
          : 'image URLs other than base64 data URLs (png, jpeg, gif, webp) are not supported by bedrock and were dropped',
      );
  }
  return blocks;
}

function append(
  messages: BedrockRequestMessage[],
  role: 'user' | 'assistant',
  blocks: Record<string, unknown>[],
): void {
  if (blocks.length === 0) return;
  const last = messages.at(-1);
  if (last?.role === role) last.content.push(...blocks);
  else messages.push({ role, content: blocks });
}

/**
 * OpenAI messages → Converse `system` + `messages`: system and developer messages become `system`
 * text blocks; images become `image` blocks with base64 `bytes`; assistant tool calls `toolUse`
 * blocks; tool results `toolResult` blocks of a user turn (a JSON object result as `json`, else
 * `text`); consecutive turns of one role are merged, as Converse requires.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Message.html
 */
export function toBedrockMessages(
  input: readonly OpenAIMessage[],
  warnings: string[],
): { system: { text: string }[]; messages: BedrockRequestMessage[] } {
  const system: { text: string }[] = [];
  const messages: BedrockRequestMessage[] = [];
  for (const message of input) {
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = messageText(message.content);
        if (text !== '') system.push({ text });
        break;
      }
      case 'user':
        append(messages, 'user', userBlocks(message.content, warnings));
        break;
      case 'assistant': {
        const text = messageText(message.content);
        const blocks: Record<string, unknown>[] = text === '' ? [] : [{ text }];
        for (const call of message.tool_calls ?? []) {
          const input = parseJsonOrUndefined(call.function.arguments === '' ? '{}' : call.function.arguments);
          blocks.push({ toolUse: { toolUseId: call.id, name: call.function.name, input: input ?? {} } });
        }
        append(messages, 'assistant', blocks);
        break;
      }
      case 'tool': {
        const text = messageText(message.content);
        const json = parseJsonOrUndefined(text);
        append(messages, 'user', [
          {
            toolResult: {
              toolUseId: message.tool_call_id ?? '',
              content: [isJsonObject(json) ? { json } : { text }],
            },
          },
        ]);
        break;
      }
      default:
        warnings.push(`a '${message.role}' message is not supported by bedrock and was dropped`);
    }
  }
  return { system, messages };
}
