import { PkError } from '@pk/config';
import type { PromptVersionRecord } from '@pk/store';
import {
  checkPromptRenderSize,
  type PartialTemplates,
  type RenderedMessage,
  renderPromptMessages,
  variablesOf,
} from './render-prompt.js';

/** Fields of a prompt request that are not model parameters. */
const REQUEST_ONLY_FIELDS = new Set(['variables', 'prompt_id', 'promptID', 'promptId']);

/** What a prompt version gives a chat request before the request's own fields. */
type PromptVersionContent = Pick<
  PromptVersionRecord,
  'template' | 'parameters' | 'model' | 'virtualKey' | 'functions' | 'tools' | 'toolChoice'
>;

/**
 * The chat request a prompt version makes with a request's body (Portkey's `/prompts/:id/render` and
 * `/completions`): the version's parameters, functions, tools and tool choice, the template's
 * messages filled in with `variables`, then every other field of the body (any model parameter,
 * `model` and `messages` included, overrides the saved one; `stream` as sent). The model is the
 * body's, else the version's, else its parameters'. `partials`: what the template includes.
 */
export function promptChatBody(
  version: PromptVersionContent,
  body: Readonly<Record<string, unknown>>,
  partials: PartialTemplates = {},
): Record<string, unknown> & { messages: unknown; model?: unknown } {
  const variables = variablesOf(body);
  checkPromptRenderSize(version.template, variables, partials);
  const messages: RenderedMessage[] = renderPromptMessages(version.template, variables, partials);
  const chat: Record<string, unknown> = { ...version.parameters };
  if (version.model !== null) chat.model = version.model;
  if (version.functions !== null) chat.functions = version.functions;
  if (version.tools !== null) chat.tools = version.tools;
  if (version.toolChoice !== null && version.toolChoice !== undefined) chat.tool_choice = version.toolChoice;
  chat.messages = messages;
  for (const name in body) {
    if (!REQUEST_ONLY_FIELDS.has(name) && body[name] !== undefined) chat[name] = body[name];
  }
  return chat as Record<string, unknown> & { messages: unknown };
}

/**
 * The model a prompt's chat request is sent with: through the prompt's virtual key as the model
 * catalog's `@slug/model` when the request names no provider, virtual key or routing config of
 * its own (those route it instead; a config of only cache, retry … does not), else as it is. A prompt request without a model anywhere is a 400.
 */
export function routedPromptModel(
  model: unknown,
  virtualKey: string | null,
  requestRoutesItself: boolean,
): string {
  if (typeof model !== 'string' || model === '') {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'the prompt has no model: save one with the prompt (model, or parameters.model) or send model in the request',
      { param: 'model' },
    );
  }
  if (requestRoutesItself || virtualKey === null || model.startsWith('@')) return model;
  // A provider's slug may be written as the model catalog names it (`@openai-prod`).
  return `@${virtualKey.startsWith('@') ? virtualKey.slice(1) : virtualKey}/${model}`;
}
