import type { OpenAIContentPart, OpenAIMessage } from '../openai-format/chat-completion-request.js';
import { type CacheControl, cacheControlOf } from '../shared/cache-control.js';
import { imageUrlOf, messageText, parseDataUrl } from '../shared/chat-request.js';
import { isJsonObject, parseJsonOrUndefined } from '../shared/json.js';
import { bedrockReasoningBlocks } from './reasoning-blocks.js';
import { bedrockFileBlock, bedrockImageFormat, requireTextBesideDocuments } from './request-documents.js';

/** A Converse message we send. */
export interface BedrockRequestMessage {
  role: 'user' | 'assistant';
  content: Record<string, unknown>[];
}

/**
 * A `cache_control` breakpoint → the Converse `cachePoint` block that follows the content to cache
 * (its `ttl` kept when it is one Converse takes).
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CachePointBlock.html
 */
export function bedrockCachePoint(control: CacheControl): Record<string, unknown> {
  const ttl = control.ttl === '5m' || control.ttl === '1h' ? { ttl: control.ttl } : {};
  return { cachePoint: { type: 'default', ...ttl } };
}

/** The block, then a `cachePoint` when its source carried `cache_control`. */
function withCachePoint(block: Record<string, unknown>, source: unknown): Record<string, unknown>[] {
  const control = cacheControlOf(source);
  return control === undefined ? [block] : [block, bedrockCachePoint(control)];
}

/**
 * A message's text as `text` blocks: text parts joined by a newline as before, cut after every part
 * that is a breakpoint, with its `cachePoint` there (a string content: the message's `cache_control`).
 */
function textBlocks(message: OpenAIMessage): Record<string, unknown>[] {
  const content = message.content;
  if (typeof content === 'string' || !content)
    return content ? withCachePoint({ text: content }, message) : [];
  const blocks: Record<string, unknown>[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length > 0) blocks.push({ text: run.join('\n') });
    run = [];
  };
  for (const part of content) {
    if (part.type !== 'text' || typeof part.text !== 'string') continue;
    if (part.text !== '') run.push(part.text);
    const control = cacheControlOf(part);
    if (control !== undefined) {
      flush();
      blocks.push(bedrockCachePoint(control));
    }
  }
  flush();
  return blocks;
}

function userBlocks(
  content: OpenAIMessage['content'],
  documentNames: Set<string>,
  warnings: string[],
): Record<string, unknown>[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  const blocks: Record<string, unknown>[] = [];
  for (const part of (content ?? []) as OpenAIContentPart[]) {
    const url = imageUrlOf(part);
    if (part.type === 'text' && typeof part.text === 'string') {
      blocks.push(...withCachePoint({ text: part.text }, part));
      continue;
    }
    if (part.type === 'file') {
      const block = bedrockFileBlock(part, documentNames, warnings);
      if (block !== undefined) blocks.push(...withCachePoint(block, part));
      continue;
    }
    const data = url === undefined ? undefined : parseDataUrl(url);
    const format = data === undefined ? undefined : bedrockImageFormat(data.mediaType);
    if (data && format)
      blocks.push(...withCachePoint({ image: { format, source: { bytes: data.data } } }, part));
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
 * text blocks; images become `image` blocks with base64 `bytes`, files `document` blocks (PDF, text,
 * Office formats …; a user turn with one needs a text part too); an assistant's `thinking_blocks`
 * `reasoningContent` blocks (first, signature kept), its tool calls `toolUse` blocks; tool results `toolResult` blocks of a user turn (a JSON object result as `json`, else
 * `text`); consecutive turns of one role are merged, as Converse requires. A `cache_control` on a
 * part, a tool call or a tool message becomes a `cachePoint` block right after it.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Message.html
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html
 */
export function toBedrockMessages(
  input: readonly OpenAIMessage[],
  warnings: string[],
): { system: Record<string, unknown>[]; messages: BedrockRequestMessage[] } {
  const system: Record<string, unknown>[] = [];
  const messages: BedrockRequestMessage[] = [];
  const documentNames = new Set<string>();
  for (const message of input) {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(message));
        break;
      case 'user':
        append(messages, 'user', userBlocks(message.content, documentNames, warnings));
        break;
      case 'assistant': {
        // Reasoning comes first, as Claude gave it (signature included).
        const blocks = [...bedrockReasoningBlocks(message.thinking_blocks), ...textBlocks(message)];
        for (const call of message.tool_calls ?? []) {
          const input = parseJsonOrUndefined(call.function.arguments === '' ? '{}' : call.function.arguments);
          const toolUse = { toolUse: { toolUseId: call.id, name: call.function.name, input: input ?? {} } };
          blocks.push(...withCachePoint(toolUse, call));
        }
        append(messages, 'assistant', blocks);
        break;
      }
      case 'tool': {
        const text = messageText(message.content);
        const json = parseJsonOrUndefined(text);
        const result = {
          toolResult: {
            toolUseId: message.tool_call_id ?? '',
            content: [isJsonObject(json) ? { json } : { text }],
          },
        };
        // A tool result's content cannot hold a cachePoint: it follows the toolResult block.
        const parts = Array.isArray(message.content) ? message.content : [];
        const control =
          cacheControlOf(message) ?? parts.map(cacheControlOf).find((found) => found !== undefined);
        append(messages, 'user', control === undefined ? [result] : [result, bedrockCachePoint(control)]);
        break;
      }
      default:
        warnings.push(`a '${message.role}' message is not supported by bedrock and was dropped`);
    }
  }
  requireTextBesideDocuments(messages);
  return { system, messages };
}
