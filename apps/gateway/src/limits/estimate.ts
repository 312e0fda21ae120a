import { chatMaxTokensField } from '@pk/providers';
import { isRecord } from '../is-record.js';
import { mediaTopUpOf } from './media-token-bound.js';

/** Default completion cap injected into a token- or budget-limited request that names none (`PK_LIMITS_DEFAULT_MAX_TOKENS`). */
export const DEFAULT_MAX_TOKENS = 4096;

/**
 * The body field that caps the answer's tokens, by endpoint and (for chat) the target's provider;
 * undefined when the answer has none to cap.
 */
export function maxTokensFieldOf(endpoint: string, provider?: string): string | undefined {
  if (endpoint === 'chat.completions')
    return provider === undefined ? 'max_tokens' : chatMaxTokensField(provider);
  if (endpoint === 'completions' || endpoint === 'messages') return 'max_tokens';
  if (endpoint === 'responses') return 'max_output_tokens';
  return undefined;
}

const CAP_FIELDS = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'] as const;

/** The request's own completion cap, or undefined. */
export function requestedMaxTokens(body: Readonly<Record<string, unknown>>): number | undefined {
  let cap: number | undefined;
  for (const field of CAP_FIELDS) {
    const value = body[field];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0)
      cap = cap === undefined ? value : Math.max(cap, value);
  }
  return cap;
}

/** An upper bound of a request's tokens, and whether a cap must be injected to have one. */
export interface TokenBound {
  readonly promptTokens: number;
  readonly completionTokens: number;
  /**
   * Set when the body names no cap: inject `cap` before sending, under the field the target takes
   * ({@link maxTokensFieldOf}).
   */
  readonly inject?: { readonly cap: number };
}

/**
 * Endpoints whose calls the provider bills no tokens for: Anthropic's token counting is free, subject
 * only to its request rate (https://docs.anthropic.com/en/docs/build-with-claude/token-counting), so
 * a count holds nothing of a token or spend budget and settles nothing (it still counts as a request).
 */
const UNBILLED_ENDPOINTS: ReadonlySet<string> = new Set(['messages.count_tokens']);

/**
 * The most tokens a request can use, without a tokenizer (none bounds every vendor's count): one
 * prompt token per byte of a chat request's prompt text ({@link chatPromptTokensOf}; of the whole
 * body, `bodyBytes`, on other endpoints), each image and file part raised to its documented worst
 * case ({@link mediaTopUpOf}), plus the completion cap times the `n` answers asked for.
 * Without a cap, `defaultCap` is injected (when the endpoint has a cap field).
 */
export function tokenBoundOf(
  endpoint: string,
  body: Readonly<Record<string, unknown>>,
  bodyBytes: number,
  defaultCap: number,
): TokenBound {
  if (UNBILLED_ENDPOINTS.has(endpoint)) return { promptTokens: 0, completionTokens: 0 };
  const promptTokens =
    (endpoint === 'chat.completions' || endpoint === 'messages'
      ? (chatPromptTokensOf(body) ?? bodyBytes)
      : bodyBytes) + mediaTopUpOf(body);
  const answers = typeof body.n === 'number' && body.n > 1 ? Math.floor(body.n) : 1;
  const field = maxTokensFieldOf(endpoint);
  const cap = requestedMaxTokens(body);
  if (field === undefined) return { promptTokens, completionTokens: (cap ?? 0) * answers };
  if (cap !== undefined) return { promptTokens, completionTokens: cap * answers };
  return {
    promptTokens,
    completionTokens: defaultCap * answers,
    inject: { cap: defaultCap },
  };
}

/** Tokens a chat message adds beyond its text (role markers, separators: OpenAI counts 3 or 4). */
const MESSAGE_OVERHEAD_TOKENS = 8;
/** Tokens a chat request adds beyond its messages (the reply's priming: OpenAI counts 3). */
const REQUEST_OVERHEAD_TOKENS = 8;
/** Top-level fields of a chat body that providers turn into prompt tokens besides its messages. */
const PROMPT_DEFINITIONS = ['tools', 'functions', 'tool_choice', 'response_format'] as const;

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '');
}

/**
 * A message's `content` (or a `system`): text by its bytes, other parts (images, files) by their JSON
 * (which {@link mediaTopUpOf} then raises to their worst case).
 */
function contentBytes(content: unknown): number {
  if (typeof content === 'string') return Buffer.byteLength(content);
  if (!Array.isArray(content)) return content == null ? 0 : jsonBytes(content);
  let bytes = 0;
  for (const part of content) {
    bytes +=
      isRecord(part) && part.type === 'text' && typeof part.text === 'string'
        ? Buffer.byteLength(part.text)
        : jsonBytes(part);
  }
  return bytes;
}

/**
 * An upper bound of a chat request's prompt tokens (`chat.completions`, and Anthropic's `messages`),
 * counting only what becomes prompt tokens: one per byte of the messages' text (a token is at least
 * one byte of text for every tokenizer pk knows), their other fields (role, name, tool calls) and
 * non-text parts (images, files) by their JSON bytes (see {@link mediaTopUpOf} for what images and
 * files add), the tool and response-format definitions and
 * Anthropic's `system` likewise, plus a fixed overhead per message and per request. JSON punctuation
 * and the request's other fields (`model`, `max_tokens` …) are not prompt. Undefined for a body
 * without `messages` (the caller bounds it by its bytes).
 */
export function chatPromptTokensOf(body: Readonly<Record<string, unknown>>): number | undefined {
  const messages = body.messages;
  if (!Array.isArray(messages)) return undefined;
  let tokens = REQUEST_OVERHEAD_TOKENS + (body.system === undefined ? 0 : contentBytes(body.system));
  for (const message of messages) {
    tokens += MESSAGE_OVERHEAD_TOKENS;
    if (!isRecord(message)) {
      tokens += jsonBytes(message);
      continue;
    }
    for (const [field, value] of Object.entries(message)) {
      if (field === 'content') tokens += contentBytes(value);
      else tokens += typeof value === 'string' ? Buffer.byteLength(value) : jsonBytes(value);
    }
  }
  for (const field of PROMPT_DEFINITIONS) if (body[field] !== undefined) tokens += jsonBytes(body[field]);
  return tokens;
}

const TEXT_FIELD = /"(?:content|text|delta|arguments|thinking)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;
/** The string `delta` of OpenAI's Responses stream events (`response.output_text.delta` …). */
const DELTA_FIELD = /"delta"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

/** Counts the bytes of every string a field pattern captures in a piece of streamed bytes. */
function capturedBytesOf(chunk: Uint8Array | string, field: RegExp): number {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  let bytes = 0;
  for (const match of text.matchAll(field)) bytes += Buffer.byteLength(match[1] ?? '');
  return bytes;
}

/**
 * Tokens of generated text in streamed bytes, counted from the bytes: one per byte of the text
 * fields of each event (an upper bound; the provider's own count is used whenever it reported one).
 */
export function textBytesOf(chunk: Uint8Array | string): number {
  return capturedBytesOf(chunk, TEXT_FIELD);
}

/**
 * {@link textBytesOf} for OpenAI's Responses stream: only the `delta` of its `*.delta` events. Its
 * `*.done` events, `response.content_part.done` and `response.output_item.done` repeat the whole text
 * (or arguments) the deltas carried: counting them too made a stream cut before `response.completed`
 * count its text up to four times.
 */
export function responsesTextBytesOf(chunk: Uint8Array | string): number {
  return capturedBytesOf(chunk, DELTA_FIELD);
}

/**
 * The generated text of Anthropic's Messages stream events: `text_delta`'s `text`, `thinking_delta`'s
 * `thinking`, and a tool call's arguments, which stream as `input_json_delta`'s `partial_json` (the
 * chat counter's `arguments`). A `content_block_start`'s empty `text` or `thinking` counts nothing.
 */
const MESSAGES_TEXT_FIELD = /"(?:text|thinking|partial_json)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

/** {@link textBytesOf} for Anthropic's Messages stream: its text, thinking and tool-call arguments. */
export function messagesTextBytesOf(chunk: Uint8Array | string): number {
  return capturedBytesOf(chunk, MESSAGES_TEXT_FIELD);
}

/** The generated text counter of an endpoint's stream (what the client gets: its dialect's events). */
export function streamTextBytesCounterOf(endpoint: string): (chunk: Uint8Array | string) => number {
  if (endpoint === 'responses') return responsesTextBytesOf;
  return endpoint === 'messages' ? messagesTextBytesOf : textBytesOf;
}
