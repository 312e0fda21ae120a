import { isRecord } from '../model/is-record.js';
import { mapArgumentsText } from './tool-call-arguments.js';

/**
 * The texts of the two other client dialects pk answers, as one walk per shape that passes every
 * text through `map` in document order and returns the value itself when nothing changed: reading is
 * a walk whose `map` collects ({@link collectTexts}), rewriting one whose `map` replaces. Anthropic's
 * Messages API (https://docs.anthropic.com/en/api/messages): `system` and each message's `content`, a
 * string or blocks (`text`, `tool_use` with its `input` object, `tool_result` with string or block
 * `content`, `document` with a plain-text or content source, `search_result`); an answer's `content` blocks. OpenAI's Responses API
 * (https://platform.openai.com/docs/api-reference/responses/create): `instructions`, `input` as a string
 * or items (`message` with string content or `input_text` / `output_text` parts, `function_call`
 * with its JSON `arguments`, `function_call_output` with its `output`); an answer's `output` items.
 */

/** Passes each text of a value through `map`. */
export type TextWalk = (value: unknown, map: (text: string) => string) => unknown;

/** The texts a walk visits, in order. */
export function collectTexts(walk: TextWalk, value: unknown): string[] {
  const texts: string[] = [];
  walk(value, (text) => {
    texts.push(text);
    return text;
  });
  return texts;
}

/**
 * A copy of `value` with the walk's n-th text replaced by `texts[n]` (a `null` or empty entry keeps
 * the text), as Portkey's `setCurrentContentPart` writes parts back by index.
 */
export function replaceTexts(walk: TextWalk, value: unknown, texts: readonly (string | null)[]): unknown {
  let index = 0;
  return walk(value, (text) => {
    const replacement = texts[index];
    index += 1;
    return replacement == null || replacement === '' ? text : replacement;
  });
}

/** Maps an array's items, returning the array itself when none changed. */
function mapItems(items: readonly unknown[], mapItem: (item: unknown) => unknown): readonly unknown[] {
  let copy: unknown[] | undefined;
  items.forEach((item, index) => {
    const mapped = mapItem(item);
    if (mapped !== item) {
      copy ??= [...items];
      copy[index] = mapped;
    }
  });
  return copy ?? items;
}

/** A copy of `record` with `key` set, or the record itself when the value did not change. */
function withKey<R extends Readonly<Record<string, unknown>>>(record: R, key: string, value: unknown): R {
  return record[key] === value ? record : { ...record, [key]: value };
}

/** Every string value of a JSON value (a `tool_use` block's `input`), keys left alone. */
function mapJsonStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return mapItems(value, (item) => mapJsonStrings(item, map));
  if (!isRecord(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const mapped = mapJsonStrings(item, map);
    if (mapped !== item) {
      copy ??= { ...value };
      copy[key] = mapped;
    }
  }
  return copy ?? value;
}

/** A string, or blocks / parts of which those with a string `text` are read. */
function mapTextOrParts(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (!Array.isArray(value)) return value;
  return mapItems(value, (part) =>
    isRecord(part) && typeof part.text === 'string' ? withKey(part, 'text', map(part.text)) : part,
  );
}

/** A `document` block's source: a plain-text source's `data`, a content source's text blocks. */
function mapDocumentSource(source: unknown, map: (text: string) => string): unknown {
  if (!isRecord(source)) return source;
  if (source.type === 'text' && typeof source.data === 'string')
    return withKey(source, 'data', map(source.data));
  if (source.type === 'content') return withKey(source, 'content', mapTextOrParts(source.content, map));
  return source;
}

/**
 * One Anthropic content block: `text`, `tool_use` input's string values, `tool_result` content (a
 * string or blocks, documents included), a `document`'s text (plain-text or content source), a
 * `search_result`'s text blocks.
 */
function mapMessagesBlock(block: unknown, map: (text: string) => string): unknown {
  if (!isRecord(block)) return block;
  if (block.type === 'tool_use' || block.type === 'server_tool_use')
    return withKey(block, 'input', mapJsonStrings(block.input, map));
  if (block.type === 'tool_result') return withKey(block, 'content', mapMessagesContent(block.content, map));
  if (block.type === 'document') return withKey(block, 'source', mapDocumentSource(block.source, map));
  if (block.type === 'search_result') return withKey(block, 'content', mapTextOrParts(block.content, map));
  return typeof block.text === 'string' ? withKey(block, 'text', map(block.text)) : block;
}

/** An Anthropic `content` (a message's, or an answer's): a string or content blocks. */
export const mapMessagesContent: TextWalk = (content, map) => {
  if (typeof content === 'string') return map(content);
  return Array.isArray(content) ? mapItems(content, (block) => mapMessagesBlock(block, map)) : content;
};

/** An Anthropic request's `system` (a string or text blocks) and every message's content, in order. */
export const mapMessagesRequest: TextWalk = (json, map) => {
  if (!isRecord(json)) return json;
  const withSystem = withKey(json, 'system', mapTextOrParts(json.system, map));
  if (!Array.isArray(json.messages)) return withSystem;
  const messages = mapItems(json.messages, (message) =>
    isRecord(message) ? withKey(message, 'content', mapMessagesContent(message.content, map)) : message,
  );
  return withKey(withSystem, 'messages', messages);
};

/** One Responses item: a message's content, a function call's arguments, a function call's output. */
export const mapResponsesItem: TextWalk = (item, map) => {
  if (typeof item === 'string') return map(item);
  if (!isRecord(item)) return item;
  if (item.type === 'function_call' || item.type === 'custom_tool_call') {
    if (typeof item.arguments === 'string')
      return withKey(item, 'arguments', mapArgumentsText(item.arguments, map));
    return typeof item.input === 'string' ? withKey(item, 'input', map(item.input)) : item;
  }
  if (item.type === 'function_call_output' || item.type === 'custom_tool_call_output')
    return withKey(item, 'output', mapTextOrParts(item.output, map));
  // A `message` item, or the short form `{role, content}` without a type.
  if (item.type === undefined || item.type === 'message')
    return withKey(item, 'content', mapTextOrParts(item.content, map));
  return item;
};

/** A Responses `input`: a string, or items. */
export const mapResponsesInput: TextWalk = (input, map) => {
  if (typeof input === 'string') return map(input);
  return Array.isArray(input) ? mapItems(input, (item) => mapResponsesItem(item, map)) : input;
};

/** A Responses request's `instructions` and `input`, in order. */
export const mapResponsesRequest: TextWalk = (json, map) => {
  if (!isRecord(json)) return json;
  const withInstructions =
    typeof json.instructions === 'string' ? withKey(json, 'instructions', map(json.instructions)) : json;
  return withKey(withInstructions, 'input', mapResponsesInput(json.input, map));
};

/** A Responses answer's `output` items (messages' `output_text` parts, function calls' arguments). */
export const mapResponsesOutput: TextWalk = (output, map) =>
  Array.isArray(output) ? mapItems(output, (item) => mapResponsesItem(item, map)) : output;
