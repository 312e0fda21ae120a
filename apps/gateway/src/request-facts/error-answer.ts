/** Characters of an error's message a log record keeps. */
export const MAX_ERROR_MESSAGE_CHARS = 2000;

function messageIn(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { error, message } = value as { error?: unknown; message?: unknown };
  if (typeof error === 'object' && error !== null) {
    const inner = (error as { message?: unknown }).message;
    if (typeof inner === 'string') return inner;
  }
  // Some vendors (and pk's admin routes) put it at the top level; `{"error": "text"}` is a message too.
  if (typeof message === 'string') return message;
  return typeof error === 'string' ? error : undefined;
}

/**
 * The message of an error answer as the client got it: the OpenAI envelope's `error.message` (pk's
 * and the providers' errors), a top-level `message`, or `error` when it is a string; cut to
 * {@link MAX_ERROR_MESSAGE_CHARS}. `answer` is the text sent or the object a stream ended with;
 * undefined when it holds no message (not JSON, another shape).
 */
export function errorMessageOf(answer: unknown): string | undefined {
  let value = answer;
  if (typeof answer === 'string') {
    try {
      value = JSON.parse(answer);
    } catch {
      return undefined;
    }
  }
  const message = messageIn(value);
  if (message === undefined || message === '') return undefined;
  return message.length > MAX_ERROR_MESSAGE_CHARS ? message.slice(0, MAX_ERROR_MESSAGE_CHARS) : message;
}
