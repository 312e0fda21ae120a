import type { ProviderEndpoint } from '@pk/providers';

/** Why a request body cannot be sent: the field (`messages[1].role`; `null` for the body itself) and a message naming it. */
export interface BodyProblem {
  readonly param: string | null;
  readonly message: string;
}

/** Names the JSON type of a value for an error message, never the value itself (it may be private). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return `a ${typeof value}`;
  }
}

function problem(param: string, expected: string, value: unknown): BodyProblem {
  return { param, message: `${param}: expected ${expected}, got ${kindOf(value)}` };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `messages`: a non-empty array of objects, each with a string `role`. */
function checkMessages(messages: unknown): BodyProblem | undefined {
  if (!Array.isArray(messages) || messages.length === 0) {
    return problem('messages', 'a non-empty array of messages', messages);
  }
  for (let index = 0; index < messages.length; index += 1) {
    const message: unknown = messages[index];
    if (!isPlainObject(message)) return problem(`messages[${index}]`, 'a message object', message);
    if (typeof message.role !== 'string') {
      return problem(`messages[${index}].role`, 'a string such as "user"', message.role);
    }
  }
  return undefined;
}

/**
 * Checks the shape the gateway itself relies on in an OpenAI request body, before anything is sent:
 * `model` a string and `stream` a boolean when present (`null` counts as absent, as OpenAI reads it);
 * for chat completions `messages` a non-empty array of objects with a string `role`; for embeddings
 * `input` a string or an array. Nothing else is looked at: unknown fields and the contents of each
 * message pass through unchanged (the provider judges them). One pass over the top-level keys and
 * the messages' roles, no allocation when the body is fine. Returns the first problem, or `undefined`.
 */
export function checkOpenAIBody(endpoint: ProviderEndpoint, body: unknown): BodyProblem | undefined {
  if (!isPlainObject(body)) return { param: null, message: 'the request body must be a JSON object' };
  const { model, stream } = body;
  if (model != null && typeof model !== 'string') return problem('model', 'a string', model);
  if (stream != null && typeof stream !== 'boolean') return problem('stream', 'true or false', stream);
  if (endpoint === 'chat.completions') return checkMessages(body.messages);
  if (endpoint === 'embeddings') {
    const { input } = body;
    if (typeof input !== 'string' && !Array.isArray(input)) {
      return problem('input', 'a string or an array', input);
    }
  }
  return undefined;
}
