import { PkError } from '@pk/config';
import {
  type OpenAIChatRequest,
  type OpenAIMessage,
  openAIChatRequestSchema,
} from '../openai-format/chat-completion-request.js';

/** Parses an OpenAI chat body for a translating adapter; a malformed one is a 400 naming the field. */
export function parseChatRequestOrThrow(body: Record<string, unknown>): OpenAIChatRequest {
  const parsed = openAIChatRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  throw new PkError(
    'PK_ERR_INVALID_REQUEST',
    `invalid chat request at '${path}': ${issue?.message ?? 'invalid'}`,
    { param: path || null },
  );
}

/**
 * Values whose dropping changes nothing, by parameter: `false` turns most options off (what a
 * provider without them does anyway), but `parallel_tool_calls: false` is a constraint (one call at
 * a time) and its `true` is what every provider does by default.
 */
const HARMLESS_TO_DROP: Readonly<Record<string, unknown>> = { parallel_tool_calls: true };

/**
 * Adds a warning for every non-null body parameter the translation does not read
 * (`parameter 'x' is not supported by <provider> and was dropped`), unless its value changes
 * nothing (see {@link HARMLESS_TO_DROP}).
 */
export function warnDroppedParameters(
  body: Readonly<Record<string, unknown>>,
  translated: ReadonlySet<string>,
  provider: string,
  warnings: string[],
): void {
  for (const [name, value] of Object.entries(body)) {
    if (translated.has(name) || value === null || value === undefined) continue;
    const harmless = name in HARMLESS_TO_DROP ? HARMLESS_TO_DROP[name] : false;
    if (value !== harmless) warnings.push(droppedParameterWarning(name, provider));
  }
}

/** The warning for a body parameter a provider does not take. */
export function droppedParameterWarning(name: string, provider: string): string {
  return `parameter '${name}' is not supported by ${provider} and was dropped`;
}

const DROPPED_PARAMETER = /^parameter '([^']+)' is not supported by .+ and was dropped$/;

/**
 * The chat parameters an adapter's warnings say it dropped (those of {@link droppedParameterWarning}):
 * what the target did not receive, so a dialect echoes no setting as applied that was not.
 */
export function droppedParametersOf(warnings: readonly string[]): ReadonlySet<string> {
  const names = new Set<string>();
  for (const warning of warnings) {
    const name = DROPPED_PARAMETER.exec(warning)?.[1];
    if (name !== undefined) names.add(name);
  }
  return names;
}

/** The text of a message's content (text parts joined with a newline). */
export function messageText(content: OpenAIMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content
    .map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : ''))
    .filter((text) => text !== '')
    .join('\n');
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

/** A `data:` URL's media type and base64 payload, or `undefined` for any other URL. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = DATA_URL.exec(url);
  return match ? { mediaType: match[1] ?? '', data: match[2] ?? '' } : undefined;
}

/** The URL of an `image_url` content part, or `undefined` for another part. */
export function imageUrlOf(part: { readonly type: string }): string | undefined {
  if (part.type !== 'image_url') return undefined;
  const image = (part as { image_url?: unknown }).image_url;
  if (typeof image !== 'object' || image === null) return undefined;
  const url = (image as { url?: unknown }).url;
  return typeof url === 'string' ? url : undefined;
}

/** The stop sequences of a request as an array, or `undefined`. */
export function stopSequences(chat: OpenAIChatRequest): string[] | undefined {
  return chat.stop === null || chat.stop === undefined ? undefined : [chat.stop].flat();
}

/** The JSON schema `response_format` asks for, `{}`-less: `undefined` for text or plain JSON mode. */
export function responseJsonSchema(chat: OpenAIChatRequest): Record<string, unknown> | undefined {
  const format = chat.response_format;
  return format?.type === 'json_schema' ? format.json_schema.schema : undefined;
}

/** Whether `response_format` asks for JSON (object or schema). */
export function wantsJson(chat: OpenAIChatRequest): boolean {
  const type = chat.response_format?.type;
  return type === 'json_object' || type === 'json_schema';
}
