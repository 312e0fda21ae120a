import { z } from 'zod';
import type { CheckDefinition } from '../../model/check-definition.js';
import { isRecord } from '../../model/is-record.js';
import { parseParameters } from '../../model/parameters.js';
import { requestContentPart, withRequestTexts } from '../../text/content-parts.js';

const schema = z.object({
  prefix: z.string().min(1, 'expected a non-empty prefix'),
  applyToRole: z.enum(['user', 'system', 'assistant']).optional(),
  addToExisting: z.boolean().optional(),
  onlyIfEmpty: z.boolean().optional(),
});
type Parameters = z.infer<typeof schema>;

function prefixed(content: unknown, prefix: string): unknown {
  if (content == null || typeof content === 'string') return `${prefix}${content ?? ''}`;
  if (Array.isArray(content)) {
    const first: unknown = content[0];
    if (isRecord(first) && first.type === 'text')
      return [
        { ...first, text: `${prefix}${typeof first.text === 'string' ? first.text : ''}` },
        ...content.slice(1),
      ];
    return [{ type: 'text', text: prefix }, ...content];
  }
  return `${prefix}${String(content)}`;
}

/** The prefix put on the first message of the role, in `key` (`messages`; a Responses `input`). */
function chatWithPrefix(
  json: Readonly<Record<string, unknown>>,
  parameters: Parameters,
  key = 'messages',
): Record<string, unknown> {
  const role = parameters.applyToRole ?? 'user';
  const list = json[key];
  const messages: unknown[] = Array.isArray(list)
    ? [...list]
    : typeof list === 'string'
      ? [{ role: 'user', content: list }]
      : [];
  const index = messages.findIndex((message) => isRecord(message) && message.role === role);
  if (index === -1) {
    const message = { role, content: parameters.prefix };
    if (role === 'system') messages.unshift(message);
    else messages.push(message);
    return { ...json, [key]: messages };
  }
  const target = messages[index] as Record<string, unknown>;
  const content = target.content;
  const isEmpty =
    (typeof content === 'string' && content.trim() === '') ||
    (Array.isArray(content) && content.length === 0);
  if (parameters.onlyIfEmpty === true && !isEmpty) return { ...json };
  if (parameters.addToExisting === false) messages.splice(index, 0, { role, content: parameters.prefix });
  else messages[index] = { ...target, content: prefixed(content, parameters.prefix) };
  return { ...json, [key]: messages };
}

/** Anthropic's Messages API keeps the system prompt in `system`, not among the messages. */
function messagesWithPrefix(
  json: Readonly<Record<string, unknown>>,
  parameters: Parameters,
): Record<string, unknown> {
  if (parameters.applyToRole !== 'system') return chatWithPrefix(json, parameters);
  const system = json.system;
  const isEmpty =
    system == null ||
    (typeof system === 'string' && system.trim() === '') ||
    (Array.isArray(system) && system.length === 0);
  if (parameters.onlyIfEmpty === true && !isEmpty) return { ...json };
  if (system == null) return { ...json, system: parameters.prefix };
  if (parameters.addToExisting === false) {
    const blocks = typeof system === 'string' ? [{ type: 'text', text: system }] : system;
    return { ...json, system: [{ type: 'text', text: parameters.prefix }, ...(blocks as unknown[])] };
  }
  return { ...json, system: prefixed(system, parameters.prefix) };
}

/**
 * `default.addPrefix` (a transformer, before the request only): puts `prefix` before the first
 * message of `applyToRole` (default `user`), as a new message when `addToExisting` is false or no
 * such message exists; with `onlyIfEmpty`, only when that message is empty. For completions, before
 * the prompt; on Anthropic's Messages API the `system` role is the `system` field; on the Responses API
 * the messages are the `input` items (a string `input` becomes one user message). Always passes.
 */
export const addPrefixCheck: CheckDefinition<Parameters> = {
  id: 'default.addPrefix',
  compile: (parameters) => parseParameters(schema, parameters),
  run({ context, parameters, event }) {
    if (event !== 'beforeRequestHook' || context.requestType === 'embed')
      return { verdict: true, data: null };
    const json = context.request.json;
    let transformed: Record<string, unknown>;
    if (context.requestType === 'chatComplete') transformed = chatWithPrefix(json, parameters);
    else if (context.requestType === 'messages') transformed = messagesWithPrefix(json, parameters);
    else if (context.requestType === 'createModelResponse')
      transformed = chatWithPrefix(json, parameters, 'input');
    else {
      const part = requestContentPart(json, 'complete');
      if (part.content === null) return { verdict: true, data: null };
      transformed = withRequestTexts(
        json,
        'complete',
        part.texts.map((text, index) => (index === 0 ? `${parameters.prefix}${text}` : text)),
      );
    }
    return {
      verdict: true,
      data: {
        prefix: parameters.prefix,
        requestType: context.requestType,
        applyToRole: parameters.applyToRole ?? 'user',
        addToExisting: parameters.addToExisting !== false,
        onlyIfEmpty: parameters.onlyIfEmpty === true,
      },
      transformedRequest: transformed,
    };
  },
};
