import { PkError } from '@pk/config';
import Mustache from 'mustache';
import { isRecord } from '../is-record.js';
import { OwnDataContext } from './own-data-context.js';
import { OwnDataWriter } from './own-data-writer.js';
import { checkRenderSize, renderSizeBound } from './render-size-bound.js';

export { MAX_RENDERED_CHARS, MAX_RENDERED_TAGS } from './render-size-bound.js';

/** A chat message of a rendered prompt: the template's message with its text filled in. */
export type RenderedMessage = Readonly<Record<string, unknown>> & { readonly role: string };

/** The partials a rendering may include, by the name templates give them (`slug` or `slug@2`). */
export type PartialTemplates = Readonly<Record<string, string>>;

/** One text of a template that is filled in, and where it is (for messages). */
export interface TemplateText {
  readonly text: string;
  readonly where: string;
}

/** Renders prompts: values written as they were sent, never HTML-escaped, without running their `toString`. */
const WRITER = new OwnDataWriter();

/** Mustache's partial tag: `{{> slug}}` includes one of the prompt partials. */
const PARTIAL_TAG = '>';

function isTextPart(part: unknown): part is Record<string, unknown> & { text: string } {
  return isRecord(part) && part.type === 'text' && typeof part.text === 'string';
}

/** A text's Mustache tokens; a text Mustache cannot parse (an unclosed section) is a 400 naming `where`. */
function tokensOf(text: string, where: string): unknown[] {
  try {
    return Mustache.parse(text) as unknown[];
  } catch (error) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      `the prompt template (${where}) is not valid Mustache: ${(error as Error).message}`,
    );
  }
}

/** Adds the partials a token list includes to `names`, sections too (they nest their tokens at index 4). */
function collectPartialNames(tokens: readonly unknown[], names: Set<string>): Set<string> {
  for (const token of tokens) {
    if (!Array.isArray(token)) continue;
    if (token[0] === PARTIAL_TAG && typeof token[1] === 'string') names.add(token[1]);
    if (Array.isArray(token[4])) collectPartialNames(token[4] as unknown[], names);
  }
  return names;
}

/** The partials a text includes (`{{> name}}`), in the order they first appear. */
export function partialNamesIn(text: string, where = 'string'): string[] {
  return [...collectPartialNames(tokensOf(text, where), new Set())];
}

/**
 * One text of a template filled in with Mustache (`{{name}}`, sections `{{#list}}…{{/list}}`,
 * inverted sections, comments, partials `{{> slug}}` from `partials`). A variable not given renders
 * as nothing, as Mustache does. A text Mustache cannot parse, or one including a partial that
 * `partials` lacks, is a 400 naming `where`.
 */
function renderText(
  text: string,
  variables: Readonly<Record<string, unknown>>,
  partials: PartialTemplates,
  where: string,
): string {
  for (const name of collectPartialNames(tokensOf(text, where), new Set())) {
    if (!Object.hasOwn(partials, name)) {
      throw new PkError(
        'PK_ERR_INVALID_REQUEST',
        `the prompt template (${where}) includes the partial "${name}", which does not exist`,
      );
    }
  }
  // Names find only the variables' own data, so the size bound checked before holds.
  return WRITER.render(text, new OwnDataContext(variables), partials);
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
  return parsed.every((message) => isRecord(message) && typeof message.role === 'string')
    ? (parsed as Record<string, unknown>[])
    : undefined;
}

/**
 * A message with each text a template fills in (a string content, or the `text` of each text part of
 * a content array) replaced by `fill(text, where)`; every other field, and other parts, as written.
 */
function withTexts(
  message: Readonly<Record<string, unknown>>,
  index: number,
  fill: (text: string, where: string) => string,
): RenderedMessage {
  const where = `messages[${index}].content`;
  const { content } = message;
  return {
    ...message,
    role: message.role as string,
    content:
      typeof content === 'string'
        ? fill(content, where)
        : Array.isArray(content)
          ? content.map((part, partIndex) =>
              isTextPart(part) ? { ...part, text: fill(part.text, `${where}[${partIndex}].text`) } : part,
            )
          : content,
  };
}

/**
 * The texts of a template that are filled in: every message's string content and text parts when it
 * is a JSON array of chat messages, else the whole template.
 */
export function templateTexts(template: string): TemplateText[] {
  const messages = messagesOf(template);
  if (messages === undefined) return [{ text: template, where: 'string' }];
  const texts: TemplateText[] = [];
  const collect = (text: string, where: string): string => {
    texts.push({ text, where });
    return text;
  };
  messages.forEach((message, index) => {
    withTexts(message, index, collect);
  });
  return texts;
}

/**
 * A prompt template (Portkey's `string`) filled in with the request's variables, as chat messages:
 * - a JSON array of chat messages (`[{"role":"system","content":"…"},{"role":"user","content":"{{q}}"}]`,
 *   the form Portkey's prompt studio keeps chat prompts in): each message's text content, string or
 *   text parts, rendered on its own, every other field kept;
 * - any other text: one `user` message of the rendered text.
 * `partials` are the templates `{{> slug}}` includes (see `loadPartials`).
 */
export function renderPromptMessages(
  template: string,
  variables: Readonly<Record<string, unknown>>,
  partials: PartialTemplates = {},
): RenderedMessage[] {
  const fill = (text: string, where: string) => renderText(text, variables, partials, where);
  const messages = messagesOf(template);
  if (messages === undefined) return [{ role: 'user', content: fill(template, 'string') }];
  return messages.map((message, index) => withTexts(message, index, fill));
}

/**
 * Refuses, before rendering, variables with which the template (and its partials) could render more
 * than {@link MAX_RENDERED_CHARS} characters or fill in more than {@link MAX_RENDERED_TAGS} tags: a
 * bound computed over the parsed template (see {@link renderSizeBound}), so nothing is rendered to
 * find out. A 400 naming `variables`.
 */
export function checkPromptRenderSize(
  template: string,
  variables: Readonly<Record<string, unknown>>,
  partials: PartialTemplates = {},
): void {
  checkRenderSize(renderSizeBound(variables, templateTexts(template), partials, tokensOf));
}

/** `variables` of a prompt request: an object (absent means none); anything else is a 400. */
export function variablesOf(body: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const variables = body.variables;
  if (variables === undefined || variables === null) return {};
  if (!isRecord(variables)) {
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
