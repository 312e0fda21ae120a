import { PkError } from '@pk/config';
import { splitThoughtSignature, toolCallIdFields } from '../../google/signed-tool-call-id.js';
import { maxTokensField } from '../../shared/max-tokens-field.js';
import { type TargetModel, takesFiles, takesFileUrls } from '../../shared/target-capabilities.js';
import type { DialectTranslationContext, TranslatedChatRequest } from '../client-dialect.js';
import { invalidDialectRequest, refuseUnreadableFile, unsupportedFeature } from '../unsupported-feature.js';
import { type ResponsesInputItem, type ResponsesRequest, responsesRequestSchema } from './request-schema.js';

/** Parameters the translation reads or echoes; others are dropped with a warning. */
const TRANSLATED = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'max_output_tokens',
  'temperature',
  'top_p',
  'parallel_tool_calls',
  'stream',
  'stream_options',
  'text',
  'reasoning',
  'user',
  'safety_identifier',
  'metadata',
  'store',
  'truncation',
  'previous_response_id',
  'conversation',
  'background',
  'prompt',
]);

type ChatMessage = Record<string, unknown> & { role: string };

interface Translation extends TargetModel {
  readonly warnings: string[];
}

/** Request-level features that need OpenAI's server-side state: refused with a 400 that says so. */
function refuseStatefulFeatures(body: Readonly<Record<string, unknown>>, provider: string): void {
  if (typeof body.previous_response_id === 'string' && body.previous_response_id !== '') {
    throw unsupportedFeature('previous_response_id (a stored response)', provider, 'previous_response_id');
  }
  if (body.store === true) {
    throw unsupportedFeature('store: true (stored responses); send store: false', provider, 'store');
  }
  if (body.conversation !== undefined && body.conversation !== null) {
    throw unsupportedFeature('conversation (a stored conversation)', provider, 'conversation');
  }
  if (body.background === true) throw unsupportedFeature('background responses', provider, 'background');
  if (body.prompt !== undefined && body.prompt !== null) {
    throw unsupportedFeature('prompt (a stored prompt template)', provider, 'prompt');
  }
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Message content → chat content: a string (one text part), or text, image and file parts. */
function chatContent(item: ResponsesInputItem, translation: Translation, param: string): unknown {
  const content = item.content;
  if (typeof content === 'string' || content === undefined) return content ?? '';
  const parts: Record<string, unknown>[] = [];
  content.forEach((part, index) => {
    const at = `${param}.content.${index}`;
    switch (part.type) {
      case 'input_text':
      case 'output_text':
      case 'text':
        parts.push({ type: 'text', text: stringOf(part.text) });
        return;
      case 'refusal':
        parts.push({ type: 'text', text: stringOf(part.refusal) });
        return;
      case 'input_image': {
        if (typeof part.image_url !== 'string') {
          throw unsupportedFeature('an input_image by file_id (a stored file)', translation.provider, at);
        }
        const detail =
          typeof part.detail === 'string' && part.detail !== 'auto' ? { detail: part.detail } : {};
        parts.push({ type: 'image_url', image_url: { url: part.image_url, ...detail } });
        return;
      }
      case 'input_file':
        parts.push(filePart(part, translation, at));
        return;
      default:
        throw unsupportedFeature(`a '${part.type}' content part`, translation.provider, at);
    }
  });
  return singleTextOrParts(parts);
}

/**
 * An `input_file` → chat's `file` part, which each adapter maps to its provider's document (a PDF to
 * Anthropic, Bedrock, Gemini): its bytes for the providers that read files, its URL for those that fetch
 * one (refused for the others: the file must be sent as `file_data`); a stored file cannot be read.
 */
function filePart(
  part: Readonly<Record<string, unknown>>,
  translation: Translation,
  param: string,
): Record<string, unknown> {
  if (!takesFiles(translation)) throw unsupportedFeature('an input_file', translation.provider, param);
  const filename = typeof part.filename === 'string' ? { filename: part.filename } : {};
  if (typeof part.file_data === 'string')
    return refuseUnreadableFile(
      { type: 'file', file: { file_data: part.file_data, ...filename } },
      translation,
      `${param}.file_data`,
    );
  if (typeof part.file_url !== 'string')
    throw unsupportedFeature('an input_file by file_id (a stored file)', translation.provider, param);
  if (!takesFileUrls(translation))
    throw unsupportedFeature(
      'an input_file by file_url',
      translation.provider,
      `${param}.file_url`,
      "send the file's bytes as base64 data instead (file_data)",
    );
  return { type: 'file', file: { file_url: part.file_url, ...filename } };
}

/**
 * One text part as a plain string, as before; several parts stay parts, as chat completions keeps
 * them: joining `Translate:` and `Bonjour` into one string glued the words (`Translate:Bonjour`).
 */
function singleTextOrParts(parts: Record<string, unknown>[]): unknown {
  const [only] = parts;
  return parts.length === 1 && only?.type === 'text' ? only.text : parts;
}

/** The assistant message that function calls join: the last message when it is the assistant's. */
function assistantFor(messages: ChatMessage[]): ChatMessage {
  const last = messages.at(-1);
  if (last?.role === 'assistant') return last;
  const created: ChatMessage = { role: 'assistant', content: null };
  messages.push(created);
  return created;
}

function pushItem(
  messages: ChatMessage[],
  item: ResponsesInputItem,
  translation: Translation,
  param: string,
): void {
  const type = item.type ?? 'message';
  switch (type) {
    case 'message': {
      const role = item.role === 'developer' ? 'system' : item.role;
      if (role !== 'user' && role !== 'assistant' && role !== 'system') {
        throw unsupportedFeature(
          `a message with role '${String(item.role)}'`,
          translation.provider,
          `${param}.role`,
        );
      }
      messages.push({ role, content: chatContent(item, translation, param) });
      return;
    }
    case 'function_call': {
      const assistant = assistantFor(messages);
      const calls = Array.isArray(assistant.tool_calls) ? assistant.tool_calls : [];
      assistant.tool_calls = [
        ...calls,
        {
          // A Gemini thought signature the id carries goes back where the Google adapters read it.
          ...toolCallIdFields(stringOf(item.call_id), translation.provider),
          type: 'function',
          function: { name: stringOf(item.name), arguments: stringOf(item.arguments) },
        },
      ];
      if (assistant.content === '') assistant.content = null;
      return;
    }
    case 'function_call_output': {
      const output = item.output;
      const parts = Array.isArray(output) ? (output as Record<string, unknown>[]) : undefined;
      if (parts?.some((part) => part.type !== 'input_text'))
        translation.warnings.push(`${param}: non-text content of a function call output was dropped`);
      const texts = parts
        ?.filter((part) => part.type === 'input_text')
        .map((part) => ({ type: 'text', text: stringOf(part.text) }));
      const content = texts && texts.length > 0 ? singleTextOrParts(texts) : stringOf(output);
      messages.push({
        role: 'tool',
        tool_call_id: splitThoughtSignature(stringOf(item.call_id)).id,
        content,
      });
      return;
    }
    case 'reasoning':
      translation.warnings.push(
        `${param}: a reasoning item cannot be sent to ${translation.provider} and was dropped`,
      );
      return;
    case 'item_reference':
      throw unsupportedFeature('an item_reference (a stored item)', translation.provider, param);
    default:
      throw unsupportedFeature(`an input item of type '${type}'`, translation.provider, param);
  }
}

function chatTools(
  request: ResponsesRequest,
  translation: Translation,
): Record<string, unknown>[] | undefined {
  if (!request.tools || request.tools.length === 0) return undefined;
  return request.tools.map((tool, index) => {
    if (tool.type !== 'function') {
      throw unsupportedFeature(`the built-in tool '${tool.type}'`, translation.provider, `tools.${index}`);
    }
    return {
      type: 'function',
      function: {
        name: tool.name ?? '',
        ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
        parameters: tool.parameters ?? { type: 'object', properties: {} },
        ...(typeof tool.strict === 'boolean' ? { strict: tool.strict } : {}),
      },
    };
  });
}

function chatToolChoice(request: ResponsesRequest, translation: Translation): unknown {
  const choice = request.tool_choice;
  if (choice === undefined || choice === null || typeof choice === 'string') return choice ?? undefined;
  if (choice.type === 'function') return { type: 'function', function: { name: choice.name ?? '' } };
  throw unsupportedFeature(`tool_choice of type '${choice.type}'`, translation.provider, 'tool_choice');
}

function chatResponseFormat(request: ResponsesRequest): Record<string, unknown> | undefined {
  const format = request.text?.format;
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name ?? 'response',
      ...(format.description === undefined ? {} : { description: format.description }),
      ...(format.schema === undefined ? {} : { schema: format.schema }),
      ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}),
    },
  };
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

/**
 * A request without `input` is refused as OpenAI refuses it (400, `Missing required parameter:
 * 'input'.`), unless a stored prompt (OpenAI only) carries the input.
 */
function checkInputGiven(body: Readonly<Record<string, unknown>>): void {
  if (isAbsent(body.input) && isAbsent(body.prompt))
    throw new PkError('PK_ERR_INVALID_REQUEST', "Missing required parameter: 'input'.", { param: 'input' });
}

/**
 * Checks a Responses request's shape before routing: `model`, `input` (a string or items, required but
 * with a stored prompt), tools … as the translation reads them; unknown fields pass (OpenAI itself
 * checks what it alone knows).
 */
export function checkResponsesRequest(body: Readonly<Record<string, unknown>>): void {
  // A stored prompt may name the model itself (OpenAI only; refused for translated providers).
  if (body.model === undefined && !isAbsent(body.prompt)) return;
  checkInputGiven(body);
  const parsed = responsesRequestSchema.safeParse(body);
  if (!parsed.success) throw invalidDialectRequest('Responses', parsed.error.issues[0]);
}

/**
 * OpenAI Responses request → chat completions request (pure): `instructions` become the system
 * message, a string `input` a user message; input messages keep their role (`developer` as
 * `system`), `input_text`/`output_text` parts become text, `input_image` URLs image parts,
 * `input_file`s file parts (for the providers that read files; by URL only for those that fetch one);
 * `function_call` items join the assistant turn as `tool_calls`, `function_call_output` items become
 * `tool` messages; function tools, `tool_choice`, `text.format` (as `response_format`),
 * `max_output_tokens` and `reasoning.effort` map to their equivalents; a stream asks for usage.
 * What needs OpenAI's own state or tools (`previous_response_id`, `store: true`, `conversation`,
 * `background`, stored prompts, built-in tools, item references, stored files) and files the target
 * cannot take are a 400 `PK_ERR_UNSUPPORTED_FEATURE`; a missing or empty `input` is a 400
 * `PK_ERR_INVALID_REQUEST` naming it; reasoning items and unknown parameters are dropped with a warning.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
export function responsesToChatRequest(
  body: Readonly<Record<string, unknown>>,
  context: DialectTranslationContext,
): TranslatedChatRequest {
  refuseStatefulFeatures(body, context.provider);
  checkInputGiven(body);
  const parsed = responsesRequestSchema.safeParse(body);
  if (!parsed.success) throw invalidDialectRequest('Responses', parsed.error.issues[0]);
  const request = parsed.data;
  if (Array.isArray(request.input) && request.input.length === 0)
    // An empty conversation is no request a chat provider answers (Anthropic and Gemini refuse it).
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      "Invalid 'input': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      { param: 'input' },
    );
  const translation: Translation = { provider: context.provider, model: request.model, warnings: [] };
  const messages: ChatMessage[] = [];
  if (typeof request.instructions === 'string' && request.instructions !== '') {
    messages.push({ role: 'system', content: request.instructions });
  }
  if (typeof request.input === 'string') messages.push({ role: 'user', content: request.input });
  else
    request.input?.forEach((item, index) => {
      pushItem(messages, item, translation, `input.${index}`);
    });
  const tools = chatTools(request, translation);
  const toolChoice = chatToolChoice(request, translation);
  const responseFormat = chatResponseFormat(request);
  const user = request.user ?? request.safety_identifier;
  const chat: Record<string, unknown> = {
    model: request.model,
    messages,
    ...(typeof request.max_output_tokens === 'number'
      ? { [maxTokensField(context.provider)]: request.max_output_tokens }
      : {}),
    ...(typeof request.temperature === 'number' ? { temperature: request.temperature } : {}),
    ...(typeof request.top_p === 'number' ? { top_p: request.top_p } : {}),
    ...(tools ? { tools } : {}),
    ...(tools && toolChoice !== undefined ? { tool_choice: toolChoice } : {}),
    ...(tools && typeof request.parallel_tool_calls === 'boolean'
      ? { parallel_tool_calls: request.parallel_tool_calls }
      : {}),
    ...(responseFormat ? { response_format: responseFormat } : {}),
    ...(typeof request.reasoning?.effort === 'string' ? { reasoning_effort: request.reasoning.effort } : {}),
    ...(typeof user === 'string' ? { user } : {}),
    ...(request.stream === true ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
  if (body.truncation === 'auto') {
    translation.warnings.push(
      `parameter 'truncation' is not supported by ${context.provider} and was dropped`,
    );
  }
  for (const [name, value] of Object.entries(body)) {
    if (!TRANSLATED.has(name) && value !== null && value !== undefined && value !== false) {
      translation.warnings.push(
        `parameter '${name}' is not supported by ${context.provider} and was dropped`,
      );
    }
  }
  return { body: chat, warnings: translation.warnings };
}
