import type { HookContext, HookEvent, RequestType } from '../model/hook-context.js';
import { isRecord } from '../model/is-record.js';
import {
  collectTexts,
  mapMessagesContent,
  mapResponsesItem,
  mapResponsesOutput,
  replaceTexts as replaceWalkedTexts,
  type TextWalk,
} from './dialect-texts.js';

/**
 * The text Portkey's `default.*` checks read (its `getCurrentContentPart`, behaviour reference §7.2):
 * for a request, the last message's content (text parts), the prompt or the embedding input; for an
 * answer, `choices[0]`'s message content or text. On Anthropic's Messages API, the last message's
 * content and the answer's `content` blocks; on OpenAI's Responses API, the `input` string or its last
 * item and the answer's `output` items (`dialect-texts.ts` says which texts of a block or item count).
 * pk's own checks read every message instead (`all-request-texts.ts`).
 */
export interface ContentPart {
  /** The content as written (string, parts array, …), or null when there is none. */
  readonly content: unknown;
  /** Its texts, one per part (`''` for a part without text). */
  readonly texts: readonly string[];
}

const NONE: ContentPart = { content: null, texts: [] };

function partText(part: unknown): string {
  if (typeof part === 'string') return part;
  return isRecord(part) && typeof part.text === 'string' ? part.text : '';
}

function textsOf(content: unknown): string[] {
  if (Array.isArray(content)) return content.map(partText);
  if (typeof content === 'string') return [content];
  return [];
}

function walkedPart(walk: TextWalk, content: unknown): ContentPart {
  return content == null ? NONE : { content, texts: collectTexts(walk, content) };
}

/** The last item of an array, or `undefined`. */
function lastOf(value: unknown): unknown {
  return Array.isArray(value) ? value[value.length - 1] : undefined;
}

/** The request's current content part. */
export function requestContentPart(json: Readonly<Record<string, unknown>>, type: RequestType): ContentPart {
  if (type === 'chatComplete' || type === 'messages') {
    const last = lastOf(json.messages);
    const content = isRecord(last) ? last.content : undefined;
    if (type === 'messages') return walkedPart(mapMessagesContent, content);
    return content == null ? NONE : { content, texts: textsOf(content) };
  }
  if (type === 'createModelResponse')
    return walkedPart(mapResponsesItem, typeof json.input === 'string' ? json.input : lastOf(json.input));
  const content = type === 'complete' ? json.prompt : json.input;
  if (content == null) return NONE;
  return {
    content,
    texts: Array.isArray(content)
      ? content.map((item) => (typeof item === 'string' ? item : ''))
      : textsOf(content),
  };
}

/** The answer's current content part (`choices[0]`). */
export function responseContentPart(
  json: Readonly<Record<string, unknown>> | null,
  type: RequestType,
): ContentPart {
  if (json === null) return NONE;
  if (type === 'messages') return walkedPart(mapMessagesContent, json.content);
  if (type === 'createModelResponse') return walkedPart(mapResponsesOutput, json.output);
  const choices = json.choices;
  const first: unknown = Array.isArray(choices) ? choices[0] : undefined;
  if (!isRecord(first)) return NONE;
  const content =
    type === 'complete' ? first.text : isRecord(first.message) ? first.message.content : undefined;
  return content == null ? NONE : { content, texts: textsOf(content) };
}

/** The content part a hook event reads. */
export function currentContentPart(context: HookContext, event: HookEvent): ContentPart {
  return event === 'beforeRequestHook'
    ? requestContentPart(context.request.json, context.requestType)
    : responseContentPart(context.response?.json ?? null, context.requestType);
}

/** Portkey's `getText`: the non-empty texts of the current part, joined with new lines. */
export function currentText(context: HookContext, event: HookEvent): string {
  return currentContentPart(context, event)
    .texts.filter((text) => text !== '')
    .join('\n');
}

/** The first characters of a text, as Portkey shows them in `data.textExcerpt`. */
export function excerpt(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
}

/**
 * A copy of the request with the current part's texts replaced (a `null` or empty entry keeps the
 * part's own text), as Portkey's `setCurrentContentPart`.
 */
export function withRequestTexts(
  json: Readonly<Record<string, unknown>>,
  type: RequestType,
  texts: readonly (string | null)[],
): Record<string, unknown> {
  if (type === 'chatComplete' || type === 'messages') {
    const messages = Array.isArray(json.messages) ? [...json.messages] : [];
    const index = messages.length - 1;
    const last: unknown = messages[index];
    if (!isRecord(last)) return { ...json };
    const content =
      type === 'messages'
        ? replaceWalkedTexts(mapMessagesContent, last.content, texts)
        : replaceTexts(last.content, texts);
    messages[index] = { ...last, content };
    return { ...json, messages };
  }
  if (type === 'createModelResponse') {
    if (!Array.isArray(json.input))
      return { ...json, input: replaceWalkedTexts(mapResponsesItem, json.input, texts) };
    const input = [...json.input];
    input[input.length - 1] = replaceWalkedTexts(mapResponsesItem, input[input.length - 1], texts);
    return { ...json, input };
  }
  const key = type === 'complete' ? 'prompt' : 'input';
  return { ...json, [key]: replaceTexts(json[key], texts) };
}

/** A copy of the answer with its current part's texts replaced (`choices[0]`, `content`, `output`). */
export function withResponseTexts(
  json: Readonly<Record<string, unknown>>,
  type: RequestType,
  texts: readonly (string | null)[],
): Record<string, unknown> {
  if (type === 'messages')
    return { ...json, content: replaceWalkedTexts(mapMessagesContent, json.content, texts) };
  if (type === 'createModelResponse')
    return { ...json, output: replaceWalkedTexts(mapResponsesOutput, json.output, texts) };
  const choices = Array.isArray(json.choices) ? [...json.choices] : [];
  const first: unknown = choices[0];
  if (!isRecord(first)) return { ...json };
  if (type === 'complete') choices[0] = { ...first, text: replaceTexts(first.text, texts) };
  else if (isRecord(first.message))
    choices[0] = {
      ...first,
      message: { ...first.message, content: replaceTexts(first.message.content, texts) },
    };
  return { ...json, choices };
}

function replaceTexts(content: unknown, texts: readonly (string | null)[]): unknown {
  if (Array.isArray(content)) {
    return content.map((part: unknown, index) => {
      const text = texts[index];
      if (text == null || text === '') return part;
      if (typeof part === 'string') return text;
      return isRecord(part) ? { ...part, text } : part;
    });
  }
  const text = texts[0];
  return text == null || text === '' ? content : text;
}
