import type { OpenAIContentPart, OpenAIMessage } from '../openai-format/chat-completion-request.js';
import { imageUrlOf, messageText } from '../shared/chat-request.js';

/** A Cohere v2 chat message we send. */
export type CohereRequestMessage = Record<string, unknown> & { readonly role: string };

/**
 * An image part's `detail` (`low`, `high`, `auto`), which Cohere takes as OpenAI does.
 * @see https://docs.cohere.com/docs/image-inputs
 */
function detailOf(part: { readonly type: string }): { detail?: string } {
  const detail = (part as { image_url?: { detail?: unknown } }).image_url?.detail;
  return typeof detail === 'string' ? { detail } : {};
}

function userContent(content: OpenAIMessage['content'], warnings: string[]): unknown {
  if (typeof content === 'string' || !content) return content ?? '';
  const parts: Record<string, unknown>[] = [];
  for (const part of content as OpenAIContentPart[]) {
    const image = imageUrlOf(part);
    if (part.type === 'text' && typeof part.text === 'string') parts.push({ type: 'text', text: part.text });
    else if (image !== undefined)
      parts.push({ type: 'image_url', image_url: { url: image, ...detailOf(part) } });
    else warnings.push(`content part '${part.type}' is not supported by cohere and was dropped`);
  }
  return parts.length === 1 && parts[0]?.type === 'text' ? parts[0].text : parts;
}

/**
 * OpenAI messages → Cohere v2 messages: the roles are the same (`developer` becomes `system`), user
 * images stay `image_url` parts (with their `detail`), assistant tool calls keep their OpenAI shape
 * (the assistant's text beside them goes as their `tool_plan`), tool results carry `tool_call_id`.
 * @see https://docs.cohere.com/reference/chat#request.body.messages
 */
export function toCohereMessages(
  input: readonly OpenAIMessage[],
  warnings: string[],
): CohereRequestMessage[] {
  const messages: CohereRequestMessage[] = [];
  for (const message of input) {
    switch (message.role) {
      case 'system':
      case 'developer':
        messages.push({ role: 'system', content: messageText(message.content) });
        break;
      case 'user':
        messages.push({ role: 'user', content: userContent(message.content, warnings) });
        break;
      case 'assistant': {
        const text = messageText(message.content);
        const calls = (message.tool_calls ?? []).map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.function.name, arguments: call.function.arguments || '{}' },
        }));
        // Beside tool calls, the text is the plan Cohere wrote before them: it goes back as `tool_plan`.
        const textField = calls.length > 0 ? 'tool_plan' : 'content';
        messages.push({
          role: 'assistant',
          ...(text === '' ? {} : { [textField]: text }),
          ...(calls.length > 0 ? { tool_calls: calls } : {}),
        });
        break;
      }
      case 'tool':
        messages.push({
          role: 'tool',
          tool_call_id: message.tool_call_id ?? '',
          content: messageText(message.content),
        });
        break;
      default:
        warnings.push(`a '${message.role}' message is not supported by cohere and was dropped`);
    }
  }
  return messages;
}
