import { splitThoughtSignature, toolCallIdFields } from '../../google/signed-tool-call-id.js';
import { maxTokensField } from '../../shared/max-tokens-field.js';
import {
  stopSequenceLimit,
  type TargetModel,
  takesFiles,
  takesFileUrls,
  takesThinkingBlocks,
} from '../../shared/target-capabilities.js';
import type { DialectTranslationContext, TranslatedChatRequest } from '../client-dialect.js';
import { strictSchemaProblem } from '../strict-json-schema.js';
import { invalidDialectRequest, refuseUnreadableFile, unsupportedFeature } from '../unsupported-feature.js';
import { type MessagesContentBlock, type MessagesRequest, messagesRequestSchema } from './request-schema.js';

/** Request parameters the translation reads; others are dropped with a warning. */
const TRANSLATED = new Set([
  'model',
  'max_tokens',
  'messages',
  'system',
  'stop_sequences',
  'temperature',
  'top_p',
  'top_k',
  'stream',
  'tools',
  'tool_choice',
  'metadata',
  'thinking',
  'output_config',
]);

/** Providers whose chat request takes `top_k` (Gemini's `topK`; Claude on Vertex): kept for them. */
const TAKES_TOP_K: ReadonlySet<string> = new Set(['google', 'vertex-ai']);

/** Providers where a JSON schema answer is guaranteed only in strict mode (`strict: true`). */
const STRICT_SCHEMA_PROVIDERS: ReadonlySet<string> = new Set(['openai', 'azure-openai']);

/** Parameters whose meaning cannot survive translation: refused rather than dropped. */
const REFUSED: Readonly<Record<string, string>> = {
  mcp_servers: 'MCP servers (mcp_servers)',
  container: 'code execution containers (container)',
};

type ChatMessage = Record<string, unknown>;
type ChatPart = Record<string, unknown>;

interface Translation extends TargetModel {
  readonly warnings: string[];
}

function stringField(block: MessagesContentBlock, name: string): string | undefined {
  const value = block[name];
  return typeof value === 'string' ? value : undefined;
}

function textOfBlocks(blocks: readonly MessagesContentBlock[]): string {
  return blocks
    .map((block) => (block.type === 'text' ? (stringField(block, 'text') ?? '') : ''))
    .filter((text) => text !== '')
    .join('\n\n');
}

/** An `image` block → an `image_url` part (`data:` URL for base64 sources). */
function imagePart(block: MessagesContentBlock, translation: Translation, param: string): ChatPart {
  const source = block.source as Record<string, unknown> | undefined;
  if (source?.type === 'base64' && typeof source.data === 'string' && typeof source.media_type === 'string') {
    return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } };
  }
  if (source?.type === 'url' && typeof source.url === 'string') {
    return { type: 'image_url', image_url: { url: source.url } };
  }
  throw unsupportedFeature(`an image with a '${String(source?.type)}' source`, translation.provider, param);
}

/**
 * A `document` block → chat parts, for the providers that read files: a base64 PDF → a `file` part (`file_data` as a `data:` URL, its
 * `title` as the file name); a PDF URL → a `file` part with Portkey's `file_url` for the providers that
 * fetch URLs (refused for the others: the file must be sent as base64); a plain-text source
 * → a text part; a `content` source → its text and image parts. `context` and `citations` have no chat
 * equivalent and are dropped with a warning; a `file` source (Anthropic's Files API) is refused.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/pdf-support
 */
function documentParts(block: MessagesContentBlock, translation: Translation, param: string): ChatPart[] {
  if (!takesFiles(translation))
    throw unsupportedFeature("a 'document' content block", translation.provider, param);
  const source = block.source as Record<string, unknown> | undefined;
  const title = stringField(block, 'title');
  for (const name of ['context', 'citations'] as const) {
    if (block[name] !== undefined && block[name] !== null)
      translation.warnings.push(
        `${param}: the document's ${name} is not supported by ${translation.provider} and was dropped`,
      );
  }
  const filename = title === undefined || title === '' ? {} : { filename: title };
  if (source?.type === 'base64' && typeof source.data === 'string' && typeof source.media_type === 'string')
    return [
      refuseUnreadableFile(
        { type: 'file', file: { file_data: `data:${source.media_type};base64,${source.data}`, ...filename } },
        translation,
        `${param}.source.media_type`,
      ),
    ];
  if (source?.type === 'url' && typeof source.url === 'string') {
    if (!takesFileUrls(translation))
      throw unsupportedFeature(
        "a document by URL (source.type 'url')",
        translation.provider,
        `${param}.source.url`,
        "send the file's bytes as base64 data instead (source.type 'base64')",
      );
    return [{ type: 'file', file: { file_url: source.url, ...filename } }];
  }
  if (source?.type === 'text' && typeof source.data === 'string') {
    if (title !== undefined)
      translation.warnings.push(
        `${param}: the document's title is not supported by ${translation.provider} and was dropped`,
      );
    return [{ type: 'text', text: source.data }];
  }
  if (source?.type === 'content' && (typeof source.content === 'string' || Array.isArray(source.content))) {
    if (typeof source.content === 'string') return [{ type: 'text', text: source.content }];
    return (source.content as MessagesContentBlock[]).map((part, index) => {
      const at = `${param}.source.content.${index}`;
      if (part.type === 'text') return { type: 'text', text: stringField(part, 'text') ?? '' };
      if (part.type === 'image') return imagePart(part, translation, at);
      throw unsupportedFeature(`a '${part.type}' block in a document`, translation.provider, at);
    });
  }
  throw unsupportedFeature(`a document with a '${String(source?.type)}' source`, translation.provider, param);
}

/**
 * A `tool_result` → a `tool` message (its text; images in it are dropped with a warning, and so is
 * `is_error`, which a chat tool message cannot carry).
 */
function toolMessage(block: MessagesContentBlock, translation: Translation, param: string): ChatMessage {
  const content = block.content;
  if (block.is_error === true)
    translation.warnings.push(
      `${param}: is_error of a tool result cannot be sent to ${translation.provider} and was dropped (the result is sent as an ordinary one)`,
    );
  let text = '';
  if (typeof content === 'string') text = content;
  else if (Array.isArray(content)) {
    const blocks = content as MessagesContentBlock[];
    if (blocks.some((part) => part.type !== 'text'))
      translation.warnings.push(`${param}: non-text content of a tool result was dropped`);
    text = textOfBlocks(blocks);
  }
  const callId = splitThoughtSignature(stringField(block, 'tool_use_id') ?? '').id;
  return { role: 'tool', tool_call_id: callId, content: text };
}

function pushUser(
  messages: ChatMessage[],
  content: string | readonly MessagesContentBlock[],
  translation: Translation,
  param: string,
): void {
  if (typeof content === 'string') {
    messages.push({ role: 'user', content });
    return;
  }
  const parts: ChatPart[] = [];
  content.forEach((block, index) => {
    const at = `${param}.content.${index}`;
    switch (block.type) {
      case 'text':
        parts.push({ type: 'text', text: stringField(block, 'text') ?? '' });
        return;
      case 'image':
        parts.push(imagePart(block, translation, at));
        return;
      case 'document':
        parts.push(...documentParts(block, translation, at));
        return;
      case 'tool_result':
        // Tool results answer the previous assistant turn, so they come before the user's own parts.
        messages.push(toolMessage(block, translation, at));
        return;
      default:
        throw unsupportedFeature(`a '${block.type}' content block`, translation.provider, at);
    }
  });
  if (parts.length === 0) return;
  const [only] = parts;
  messages.push({
    role: 'user',
    content: parts.length === 1 && only?.type === 'text' ? only.text : parts,
  });
}

function pushAssistant(
  messages: ChatMessage[],
  content: string | readonly MessagesContentBlock[],
  translation: Translation,
  param: string,
): void {
  if (typeof content === 'string') {
    messages.push({ role: 'assistant', content });
    return;
  }
  const texts: string[] = [];
  const toolCalls: Record<string, unknown>[] = [];
  const thinkingBlocks: Record<string, unknown>[] = [];
  content.forEach((block, index) => {
    switch (block.type) {
      case 'text':
        texts.push(stringField(block, 'text') ?? '');
        return;
      case 'tool_use':
        toolCalls.push({
          // A Gemini thought signature the id carries goes back where the Google adapters read it.
          ...toolCallIdFields(stringField(block, 'id') ?? '', translation.provider),
          type: 'function',
          function: { name: stringField(block, 'name') ?? '', arguments: JSON.stringify(block.input ?? {}) },
        });
        return;
      case 'thinking':
        thinkingBlocks.push({
          type: 'thinking',
          thinking: stringField(block, 'thinking') ?? '',
          signature: stringField(block, 'signature') ?? '',
        });
        return;
      case 'redacted_thinking':
        thinkingBlocks.push({ type: 'redacted_thinking', data: stringField(block, 'data') ?? '' });
        return;
      default:
        throw unsupportedFeature(
          `a '${block.type}' content block`,
          translation.provider,
          `${param}.content.${index}`,
        );
    }
  });
  const text = texts.join('');
  const keepsThinking = thinkingBlocks.length > 0 && takesThinkingBlocks(translation);
  if (thinkingBlocks.length > 0 && !keepsThinking)
    translation.warnings.push(
      `${param}: thinking blocks cannot be sent to ${translation.provider} and were dropped`,
    );
  messages.push({
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    ...(keepsThinking ? { thinking_blocks: thinkingBlocks } : {}),
  });
}

function chatTools(
  request: MessagesRequest,
  translation: Translation,
): Record<string, unknown>[] | undefined {
  if (!request.tools || request.tools.length === 0) return undefined;
  return request.tools.map((tool, index) => {
    if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') {
      throw unsupportedFeature(`the server tool '${tool.type}'`, translation.provider, `tools.${index}`);
    }
    return {
      type: 'function',
      function: {
        name: tool.name,
        ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
        parameters: tool.input_schema ?? { type: 'object', properties: {} },
        // Strict tool use → chat's strict function: enforced where the provider has a strict mode,
        // else dropped by its adapter with a warning.
        ...(tool.strict === true ? { strict: true } : {}),
      },
    };
  });
}

/**
 * `output_config.format` (structured outputs: Anthropic guarantees the answer matches) → `response_format`
 * with the same JSON schema; strict (`strict: true`) for the providers that guarantee it only then, or a
 * warning saying why the schema cannot be strict there and the answer is not guaranteed to match.
 */
function chatResponseFormat(
  request: MessagesRequest,
  translation: Translation,
): Record<string, unknown> | undefined {
  const format = request.output_config?.format;
  if (format?.type !== 'json_schema') return undefined;
  let strict = {};
  if (STRICT_SCHEMA_PROVIDERS.has(translation.provider)) {
    const problem = strictSchemaProblem(format.schema);
    if (problem === undefined) strict = { strict: true };
    else
      translation.warnings.push(
        `output_config.format: the schema cannot be used in ${translation.provider}'s strict mode (${problem}), so the answer is not guaranteed to match it`,
      );
  }
  return {
    type: 'json_schema',
    json_schema: {
      name: 'output',
      ...(format.schema === undefined ? {} : { schema: format.schema }),
      ...strict,
    },
  };
}

/**
 * `stop_sequences` → `stop`, refused (400) when the target takes fewer: dropping some would let the
 * answer run past a point where the client wanted it to end.
 */
function chatStop(request: MessagesRequest, translation: Translation): string[] | undefined {
  const stops = request.stop_sequences;
  if (!stops?.length) return undefined;
  const limit = stopSequenceLimit(translation);
  if (limit !== undefined && stops.length > limit)
    throw unsupportedFeature(
      `${stops.length} stop_sequences`,
      translation.provider,
      'stop_sequences',
      `${translation.provider} takes at most ${limit}; send at most ${limit}`,
    );
  return stops;
}

function chatToolChoice(request: MessagesRequest): unknown {
  const choice = request.tool_choice;
  switch (choice?.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name ?? '' } };
    default:
      return undefined;
  }
}

/**
 * Checks a Messages request's shape (model, `max_tokens`, messages with `user`/`assistant` roles,
 * typed content blocks …) before routing, so every target, native or not, refuses the same request
 * the same way: 400 `PK_ERR_INVALID_REQUEST` naming the field.
 */
export function checkMessagesRequest(body: Readonly<Record<string, unknown>>): void {
  const parsed = messagesRequestSchema.safeParse(body);
  if (!parsed.success) throw invalidDialectRequest('Messages', parsed.error.issues[0]);
}

/**
 * Anthropic Messages request → OpenAI chat completions request (pure): `system` becomes the first
 * message; `tool_result` blocks become `tool` messages (before the rest of their user turn);
 * `tool_use` blocks become `tool_calls`; thinking blocks travel as `thinking_blocks` (pk's convention,
 * which translated Anthropic-family adapters send back) to Claude targets and are dropped with a warning
 * for others; images become `image_url` parts and documents `file` or text parts; tools,
 * `tool_choice`, `stop_sequences`, `metadata.user_id` and `output_config.format` (structured outputs, as
 * `response_format`, strict for OpenAI) map to their equivalents; a stream asks for usage.
 * Server tools, documents from Anthropic's Files API, documents by URL for providers that fetch none,
 * more stop sequences than the target takes and other blocks with no chat equivalent are a 400
 * `PK_ERR_UNSUPPORTED_FEATURE`; `top_k` (but for Gemini), `thinking` and unknown parameters are dropped with a warning.
 * @see https://docs.anthropic.com/en/api/messages
 */
export function messagesToChatRequest(
  body: Readonly<Record<string, unknown>>,
  context: DialectTranslationContext,
): TranslatedChatRequest {
  const parsed = messagesRequestSchema.safeParse(body);
  if (!parsed.success) throw invalidDialectRequest('Messages', parsed.error.issues[0]);
  const request = parsed.data;
  const translation: Translation = { provider: context.provider, model: request.model, warnings: [] };
  for (const [name, feature] of Object.entries(REFUSED)) {
    if (body[name] !== undefined && body[name] !== null)
      throw unsupportedFeature(feature, context.provider, name);
  }
  const messages: ChatMessage[] = [];
  const system = typeof request.system === 'string' ? request.system : textOfBlocks(request.system ?? []);
  if (system !== '') messages.push({ role: 'system', content: system });
  request.messages.forEach((message, index) => {
    const param = `messages.${index}`;
    if (message.role === 'user') pushUser(messages, message.content, translation, param);
    else pushAssistant(messages, message.content, translation, param);
  });
  const tools = chatTools(request, translation);
  const toolChoice = chatToolChoice(request);
  const responseFormat = chatResponseFormat(request, translation);
  const stop = chatStop(request, translation);
  const chat: Record<string, unknown> = {
    model: request.model,
    messages,
    [maxTokensField(context.provider)]: request.max_tokens,
    ...(typeof request.temperature === 'number' ? { temperature: request.temperature } : {}),
    ...(typeof request.top_p === 'number' ? { top_p: request.top_p } : {}),
    ...(stop ? { stop } : {}),
    ...(tools ? { tools } : {}),
    ...(tools && toolChoice !== undefined ? { tool_choice: toolChoice } : {}),
    ...(tools && request.tool_choice?.disable_parallel_tool_use === true
      ? { parallel_tool_calls: false }
      : {}),
    ...(responseFormat ? { response_format: responseFormat } : {}),
    ...(typeof request.metadata?.user_id === 'string' ? { user: request.metadata.user_id } : {}),
    ...(request.stream === true ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
  if (typeof request.top_k === 'number') {
    if (TAKES_TOP_K.has(context.provider)) chat.top_k = request.top_k;
    else
      translation.warnings.push(`parameter 'top_k' is not supported by ${context.provider} and was dropped`);
  }
  if (typeof request.output_config?.effort === 'string')
    translation.warnings.push(
      `parameter 'output_config.effort' is not supported by ${context.provider} and was dropped`,
    );
  if (request.thinking && request.thinking.type !== 'disabled')
    translation.warnings.push(`parameter 'thinking' is not supported by ${context.provider} and was dropped`);
  for (const [name, value] of Object.entries(body)) {
    if (!TRANSLATED.has(name) && value !== null && value !== undefined && value !== false) {
      translation.warnings.push(
        `parameter '${name}' is not supported by ${context.provider} and was dropped`,
      );
    }
  }
  return { body: chat, warnings: translation.warnings };
}
