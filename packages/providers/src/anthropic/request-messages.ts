import type { OpenAIContentPart, OpenAIMessage } from '../openai-format/chat-completion-request.js';
import { parseJsonOrUndefined } from '../shared/json.js';

/** An Anthropic content block we send (text, image, tool_use, tool_result, thinking). */
export type AnthropicRequestBlock = Record<string, unknown> & { readonly type: string };

/** An Anthropic message we send. */
export interface AnthropicRequestMessage {
  role: 'user' | 'assistant';
  content: string | AnthropicRequestBlock[];
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function toImageBlock(url: string): AnthropicRequestBlock {
  const match = DATA_URL.exec(url);
  if (match) return { type: 'image', source: { type: 'base64', media_type: match[1], data: match[2] } };
  return { type: 'image', source: { type: 'url', url } };
}

function toBlocks(
  content: OpenAIMessage['content'],
  warnings: string[],
  role: string,
  provider: string,
): AnthropicRequestBlock[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  const blocks: AnthropicRequestBlock[] = [];
  for (const part of content as OpenAIContentPart[]) {
    if (part.type === 'text' && typeof part.text === 'string') blocks.push({ type: 'text', text: part.text });
    else if (part.type === 'image_url' && typeof part.image_url === 'object' && part.image_url !== null) {
      blocks.push(toImageBlock(String((part.image_url as { url: unknown }).url)));
    } else
      warnings.push(
        `content part '${part.type}' in a ${role} message is not supported by ${provider} and was dropped`,
      );
  }
  return blocks;
}

function textOf(content: OpenAIMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content
    .map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : ''))
    .filter((text) => text !== '')
    .join('\n');
}

function assistantBlocks(
  message: OpenAIMessage,
  warnings: string[],
  provider: string,
): AnthropicRequestBlock[] {
  // Thinking blocks must come first and be sent back unchanged (signature included).
  const blocks: AnthropicRequestBlock[] = (message.thinking_blocks ?? []).map((block) => ({ ...block }));
  blocks.push(...toBlocks(message.content, warnings, 'assistant', provider));
  for (const call of message.tool_calls ?? []) {
    const input = parseJsonOrUndefined(call.function.arguments === '' ? '{}' : call.function.arguments);
    blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: input ?? {} });
  }
  return blocks;
}

function append(
  messages: AnthropicRequestMessage[],
  role: 'user' | 'assistant',
  blocks: AnthropicRequestBlock[],
): void {
  if (blocks.length === 0) return;
  const last = messages.at(-1);
  if (last !== undefined && last.role === role) {
    const previous = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content;
    last.content = [...previous, ...blocks];
    return;
  }
  messages.push({ role, content: blocks });
}

/**
 * OpenAI messages → Anthropic `system` + `messages`: system and developer messages become `system`;
 * tool results become `tool_result` blocks of a user turn (parallel results share one turn); assistant
 * tool calls become `tool_use` blocks; consecutive turns of one role are merged, as Anthropic requires.
 * A turn that is a single text block is sent as a plain string, as in Anthropic's examples.
 * @see https://docs.anthropic.com/en/api/messages#body-messages
 */
export function toAnthropicMessages(
  input: readonly OpenAIMessage[],
  warnings: string[],
  /** The provider named in warnings (`vertex-ai` and `bedrock` serve Claude too). */
  provider = 'anthropic',
): { system: string | undefined; messages: AnthropicRequestMessage[] } {
  const system: string[] = [];
  const messages: AnthropicRequestMessage[] = [];
  for (const message of input) {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(textOf(message.content));
        break;
      case 'user':
        append(messages, 'user', toBlocks(message.content, warnings, 'user', provider));
        break;
      case 'assistant':
        append(messages, 'assistant', assistantBlocks(message, warnings, provider));
        break;
      case 'tool':
        append(messages, 'user', [
          { type: 'tool_result', tool_use_id: message.tool_call_id ?? '', content: textOf(message.content) },
        ]);
        break;
      default:
        warnings.push(`a '${message.role}' message is not supported by ${provider} and was dropped`);
    }
  }
  for (const message of messages) {
    const [only] = message.content;
    if (
      message.content.length === 1 &&
      typeof only === 'object' &&
      only.type === 'text' &&
      Object.keys(only).length === 2
    ) {
      message.content = String(only.text);
    }
  }
  const joined = system.filter((text) => text !== '').join('\n\n');
  return { system: joined === '' ? undefined : joined, messages };
}
