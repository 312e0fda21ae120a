import { PkError } from '@pk/config';
import Mustache from 'mustache';

/** A chat message of a rendered prompt: the template's message with its text filled in. */
export type RenderedMessage = Readonly<Record<string, unknown>> & { readonly role: string };

/**
 * Mustache without HTML escaping: a prompt is text for a model, not HTML, so `{{name}}` gives the
 * variable as it was sent (`<b>` stays `<b>`, `"` stays `"`), like `{{{name}}}`.
 */
const RENDER_CONFIG = { escape: (value: unknown): string => String(value) };

/** Template tags pk does not serve: `{{> partial}}` names one of Portkey's prompt partials. */
const PARTIAL_TAG = '>';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A token list with a partial anywhere in it (sections nest their own tokens at index 4). */
function hasPartial(tokens: readonly unknown[]): boolean {
  for (const token of tokens) {
    if (!Array.isArray(token)) continue;
    if (token[0] === PARTIAL_TAG) return true;
    if (Array.isArray(token[4]) && hasPartial(token[4] as unknown[])) return true;
  }
  return false;
}

/**
 * One text of a template filled in with Mustache (`{{name}}`, sections `{{#list}}…{{/list}}`,
 * inverted sections, comments). A variable not given renders as nothing, as Mustache does. A
 * template Mustache cannot parse (an unclosed section) or one naming a partial is refused with a
 * 400 naming `where`.
 */
function renderText(text: string, variables: Readonly<Record<string, unknown>>, where: string): string {
  let tokens: unknown[];
  try {
    tokens = Mustache.parse(text) as unknown[];
  } catch (error) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      `the prompt template (${where}) is not valid Mustache: ${(error as Error).message}`,
    );
  }
  if (hasPartial(tokens)) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      `the prompt template (${where}) names a partial ({{> …}}): pk does not serve prompt partials`,
    );
  }
  return Mustache.render(text, variables, undefined, RENDER_CONFIG);
}

/** A message's content filled in: a string, or the `text` of each text part of a content array. */
function renderContent(
  content: unknown,
  variables: Readonly<Record<string, unknown>>,
  where: string,
): unknown {
  if (typeof content === 'string') return renderText(content, variables, where);
  if (!Array.isArray(content)) return content;
  return content.map((part, index) =>
    isObject(part) && part.type === 'text' && typeof part.text === 'string'
      ? { ...part, text: renderText(part.text, variables, `${where}[${index}].text`) }
      : part,
  );
}

/** The template's messages when it is a JSON array of chat messages, else `undefined`. */
function messagesOf(template: string): readonly Record<string, unknown>[] | undefined {
  if (!template.trimStart().startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(template);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
  return parsed.every((message) => isObject(message) && typeof message.role === 'string')
    ? (parsed as Record<string, unknown>[])
    : undefined;
}

/**
 * A prompt template (Portkey's `string`) filled in with the request's variables, as chat messages:
 * - a JSON array of chat messages (`[{"role":"system","content":"…"},{"role":"user","content":"{{q}}"}]`,
 *   the form Portkey's prompt studio keeps chat prompts in): each message's text content, string or
 *   text parts, rendered on its own, every other field kept;
 * - any other text: one `user` message of the rendered text.
 */
export function renderPromptMessages(
  template: string,
  variables: Readonly<Record<string, unknown>>,
): RenderedMessage[] {
  const messages = messagesOf(template);
  if (messages === undefined) return [{ role: 'user', content: renderText(template, variables, 'string') }];
  return messages.map((message, index) => ({
    ...message,
    role: message.role as string,
    content: renderContent(message.content, variables, `messages[${index}].content`),
  }));
}

/** `variables` of a prompt request: an object (absent means none); anything else is a 400. */
export function variablesOf(body: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const variables = body.variables;
  if (variables === undefined || variables === null) return {};
  if (!isObject(variables)) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'variables: expected an object of variable names and values',
      {
        param: 'variables',
      },
    );
  }
  return variables;
}
