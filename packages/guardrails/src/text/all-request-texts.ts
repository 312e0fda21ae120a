import type { RequestType } from '../model/hook-context.js';
import { isRecord } from '../model/is-record.js';
import {
  collectTexts,
  mapMessagesContent,
  mapMessagesRequest,
  mapResponsesOutput,
  mapResponsesRequest,
} from './dialect-texts.js';
import { mapToolCalls, toolCallTexts } from './tool-call-arguments.js';

/**
 * Every text of a request, not only the last message: each message's content (the system prompt and
 * earlier turns included), each text part and the string values of its tool calls' arguments, the
 * prompt, or the embedding input; on Anthropic's Messages API the system prompt and every message's
 * blocks, on OpenAI's Responses API the instructions and every input item (`dialect-texts.ts`). pk's own checks
 * scan all of them, because a secret pasted three turns ago is sent upstream again on every turn.
 */

/** The texts of one content value (string, or parts with `text`). */
function contentTexts(content: unknown, into: string[]): void {
  if (typeof content === 'string') into.push(content);
  else if (Array.isArray(content)) {
    for (const part of content) {
      if (typeof part === 'string') into.push(part);
      else if (isRecord(part) && typeof part.text === 'string') into.push(part.text);
    }
  }
}

/** Every text of the request, in order. */
export function allRequestTexts(json: Readonly<Record<string, unknown>>, type: RequestType): string[] {
  if (type === 'messages') return collectTexts(mapMessagesRequest, json);
  if (type === 'createModelResponse') return collectTexts(mapResponsesRequest, json);
  const texts: string[] = [];
  if (type === 'chatComplete') {
    if (typeof json.system === 'string') texts.push(json.system);
    const messages = Array.isArray(json.messages) ? json.messages : [];
    for (const message of messages) {
      if (!isRecord(message)) continue;
      contentTexts(message.content, texts);
      toolCallTexts(message, texts);
    }
  } else contentTexts(type === 'complete' ? json.prompt : json.input, texts);
  return texts;
}

function mapContent(content: unknown, map: (text: string) => string): unknown {
  if (typeof content === 'string') return map(content);
  if (!Array.isArray(content)) return content;
  return content.map((part: unknown) => {
    if (typeof part === 'string') return map(part);
    if (isRecord(part) && typeof part.text === 'string') return { ...part, text: map(part.text) };
    return part;
  });
}

/**
 * A copy of the request with every text passed through `map` (same order as {@link allRequestTexts});
 * values `map` returns unchanged keep their object identity.
 */
export function mapRequestTexts(
  json: Readonly<Record<string, unknown>>,
  type: RequestType,
  map: (text: string) => string,
): Record<string, unknown> {
  if (type === 'messages') return { ...(mapMessagesRequest(json, map) as Record<string, unknown>) };
  if (type === 'createModelResponse')
    return { ...(mapResponsesRequest(json, map) as Record<string, unknown>) };
  if (type === 'chatComplete') {
    const copy: Record<string, unknown> = { ...json };
    if (typeof json.system === 'string') copy.system = map(json.system);
    if (Array.isArray(json.messages)) {
      copy.messages = json.messages.map((message: unknown) => {
        if (!isRecord(message)) return message;
        const withContent =
          message.content != null ? { ...message, content: mapContent(message.content, map) } : message;
        return mapToolCalls(withContent, map);
      });
    }
    return copy;
  }
  const key = type === 'complete' ? 'prompt' : 'input';
  return { ...json, [key]: mapContent(json[key], map) };
}

/**
 * Every text of an answer: each choice's message content (or text) and its tool calls' arguments; a
 * Messages answer's `content` blocks; a Responses answer's `output` items.
 */
export function allResponseTexts(
  json: Readonly<Record<string, unknown>> | null,
  type: RequestType,
): string[] {
  if (json !== null && type === 'messages') return collectTexts(mapMessagesContent, json.content);
  if (json !== null && type === 'createModelResponse') return collectTexts(mapResponsesOutput, json.output);
  const texts: string[] = [];
  const choices = json && Array.isArray(json.choices) ? json.choices : [];
  for (const choice of choices) {
    if (!isRecord(choice)) continue;
    if (typeof choice.text === 'string') texts.push(choice.text);
    else if (isRecord(choice.message)) {
      contentTexts(choice.message.content, texts);
      toolCallTexts(choice.message, texts);
    }
  }
  return texts;
}

/** A copy of the answer with every text of {@link allResponseTexts} passed through `map`. */
export function mapResponseTexts(
  json: Readonly<Record<string, unknown>>,
  type: RequestType,
  map: (text: string) => string,
): Record<string, unknown> {
  if (type === 'messages') return { ...json, content: mapMessagesContent(json.content, map) };
  if (type === 'createModelResponse') return { ...json, output: mapResponsesOutput(json.output, map) };
  if (!Array.isArray(json.choices)) return { ...json };
  return {
    ...json,
    choices: json.choices.map((choice: unknown) => {
      if (!isRecord(choice)) return choice;
      if (typeof choice.text === 'string') return { ...choice, text: map(choice.text) };
      if (!isRecord(choice.message)) return choice;
      const message = choice.message;
      const withContent =
        message.content != null ? { ...message, content: mapContent(message.content, map) } : message;
      return { ...choice, message: mapToolCalls(withContent, map) };
    }),
  };
}
