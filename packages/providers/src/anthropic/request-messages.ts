import type { OpenAIContentPart, OpenAIMessage } from '../openai-format/chat-completion-request.js';
import { withCacheControl } from '../shared/cache-control.js';
import { droppedFileWarning, filePartOf } from '../shared/file-part.js';
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

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** Whether Claude reads a file of this media type sent as bytes: a PDF, plain text or an image. */
export function anthropicReadsFile(mediaType: string): boolean {
  return mediaType === 'application/pdf' || mediaType === 'text/plain' || IMAGE_TYPES.has(mediaType);
}

/**
 * A `file` part → a `document` block: a PDF as base64, plain text as text (decoded: Anthropic takes
 * the text itself), an `https:` URL as a URL source; an image as an `image` block. Else a warning.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/pdf-support
 * @see https://docs.anthropic.com/en/docs/build-with-claude/citations#plain-text-documents
 */
function fileBlock(
  part: { readonly type: string },
  warnings: string[],
  provider: string,
): AnthropicRequestBlock | undefined {
  const file = filePartOf(part);
  if (file === undefined) return undefined;
  if (file.kind === 'url') return { type: 'document', source: { type: 'url', url: file.url } };
  if (file.kind === 'data' && file.mediaType === 'application/pdf')
    return { type: 'document', source: { type: 'base64', media_type: file.mediaType, data: file.data } };
  if (file.kind === 'data' && file.mediaType === 'text/plain') {
    const text = Buffer.from(file.data, 'base64').toString('utf8');
    return { type: 'document', source: { type: 'text', media_type: 'text/plain', data: text } };
  }
  if (file.kind === 'data' && IMAGE_TYPES.has(file.mediaType))
    return { type: 'image', source: { type: 'base64', media_type: file.mediaType, data: file.data } };
  warnings.push(droppedFileWarning(provider, file.kind === 'data' ? file.mediaType : file.reason));
  return undefined;
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
    // A part's prompt-caching breakpoint stays on the block it became.
    if (part.type === 'text' && typeof part.text === 'string')
      blocks.push({ type: 'text', text: part.text, ...withCacheControl(part) });
    else if (part.type === 'image_url' && typeof part.image_url === 'object' && part.image_url !== null) {
      blocks.push({
        ...toImageBlock(String((part.image_url as { url: unknown }).url)),
        ...withCacheControl(part),
      });
    } else if (part.type === 'file') {
      const block = fileBlock(part, warnings, provider);
      if (block !== undefined) blocks.push({ ...block, ...withCacheControl(part) });
    } else
      warnings.push(
        `content part '${part.type}' in a ${role} message is not supported by ${provider} and was dropped`,
      );
  }
  return blocks;
}

/** A text of a system message or tool result, with the breakpoint it carried. */
type CachedText = { readonly text: string } & ReturnType<typeof withCacheControl>;

/** The non-empty texts of a message, each with its part's `cache_control` (a string: the message's). */
function textsOf(message: OpenAIMessage): CachedText[] {
  const content = message.content;
  if (typeof content === 'string')
    return content === '' ? [] : [{ text: content, ...withCacheControl(message) }];
  return (content ?? []).flatMap((part) =>
    part.type === 'text' && typeof part.text === 'string' && part.text !== ''
      ? [{ text: part.text, ...withCacheControl(part) }]
      : [],
  );
}

const hasBreakpoint = (texts: readonly CachedText[]): boolean =>
  texts.some((text) => text.cache_control !== undefined);
const joinTexts = (texts: readonly CachedText[]): string => texts.map((text) => text.text).join('\n');
const textBlocks = (texts: readonly CachedText[]): AnthropicRequestBlock[] =>
  texts.map((text) => ({ type: 'text', ...text }));

/** A tool message → `tool_result`: its text as a string, or text blocks when a part is a breakpoint. */
function toolResultBlock(message: OpenAIMessage): AnthropicRequestBlock {
  const texts = textsOf(message);
  const partsCached = Array.isArray(message.content) && hasBreakpoint(texts);
  return {
    type: 'tool_result',
    tool_use_id: message.tool_call_id ?? '',
    content: partsCached ? textBlocks(texts) : joinTexts(texts),
    ...(Array.isArray(message.content) ? {} : withCacheControl(message)),
  };
}

/**
 * System texts → `system`: one string as before (texts of a message joined by a newline, messages by
 * a blank line), or text blocks when any text is a breakpoint, since only a block can carry one.
 */
function toSystem(messages: readonly CachedText[][]): string | AnthropicRequestBlock[] | undefined {
  const texts = messages.filter((message) => message.length > 0);
  if (texts.some(hasBreakpoint)) return textBlocks(texts.flat());
  const joined = texts.map(joinTexts).join('\n\n');
  return joined === '' ? undefined : joined;
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
    blocks.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: input ?? {},
      ...withCacheControl(call),
    });
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
 * `cache_control` (Portkey's prompt-caching breakpoint) stays on the block its part, tool call or
 * tool message became; the system is then a list of text blocks instead of one string.
 * @see https://docs.anthropic.com/en/api/messages#body-messages
 * @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching
 */
export function toAnthropicMessages(
  input: readonly OpenAIMessage[],
  warnings: string[],
  /** The provider named in warnings (`vertex-ai` and `bedrock` serve Claude too). */
  provider = 'anthropic',
): { system: string | AnthropicRequestBlock[] | undefined; messages: AnthropicRequestMessage[] } {
  const system: CachedText[][] = [];
  const messages: AnthropicRequestMessage[] = [];
  for (const message of input) {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(textsOf(message));
        break;
      case 'user':
        append(messages, 'user', toBlocks(message.content, warnings, 'user', provider));
        break;
      case 'assistant':
        append(messages, 'assistant', assistantBlocks(message, warnings, provider));
        break;
      case 'tool':
        append(messages, 'user', [toolResultBlock(message)]);
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
  return { system: toSystem(system), messages };
}
