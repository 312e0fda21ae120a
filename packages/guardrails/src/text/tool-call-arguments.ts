import { isRecord } from '../model/is-record.js';

/**
 * The texts of a message's tool calls: OpenAI's `tool_calls[].function.arguments` and the legacy
 * `function_call.arguments`, each a JSON text written by the model (and sent back on later turns).
 * pk's own checks read the string values inside it, so a JSON escape cannot hide what they look for,
 * and rewrite those values only, so the arguments stay valid JSON
 * (https://platform.openai.com/docs/api-reference/chat/object).
 */

/**
 * The string values of a JSON `arguments` text, in document order; the whole text when it is not
 * JSON (or is too deeply nested to walk), so nothing is left unread.
 */
function argumentTexts(text: string, into: string[]): void {
  const found: string[] = [];
  try {
    JSON.parse(text, (_key, value: unknown) => {
      if (typeof value === 'string') found.push(value);
      return value;
    });
  } catch {
    into.push(text);
    return;
  }
  into.push(...found);
}

/**
 * `arguments` with each string value passed through `map`, serialised again only when one changed.
 * Text that is not JSON (or too deep to walk) is mapped whole: it was not valid JSON to begin with.
 */
export function mapArgumentsText(text: string, map: (text: string) => string): string {
  let changed = false;
  try {
    const parsed: unknown = JSON.parse(text, (_key, value: unknown) => {
      if (typeof value !== 'string') return value;
      const mapped = map(value);
      if (mapped !== value) changed = true;
      return mapped;
    });
    return changed ? JSON.stringify(parsed) : text;
  } catch {
    return map(text);
  }
}

/** The `function` of a tool call, or the legacy `function_call`, with string `arguments`. */
function callWithArguments(call: unknown): (Record<string, unknown> & { arguments: string }) | undefined {
  return isRecord(call) && typeof call.arguments === 'string'
    ? (call as Record<string, unknown> & { arguments: string })
    : undefined;
}

/** Adds the texts of a message's tool-call arguments (`tool_calls`, then `function_call`) to `into`. */
export function toolCallTexts(message: Readonly<Record<string, unknown>>, into: string[]): void {
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      const fn = isRecord(call) ? callWithArguments(call.function) : undefined;
      if (fn !== undefined) argumentTexts(fn.arguments, into);
    }
  }
  const legacy = callWithArguments(message.function_call);
  if (legacy !== undefined) argumentTexts(legacy.arguments, into);
}

/**
 * A message with its tool-call arguments' string values passed through `map`; the message itself
 * when nothing changed.
 */
export function mapToolCalls<M extends Readonly<Record<string, unknown>>>(
  message: M,
  map: (text: string) => string,
): M {
  let copy: Record<string, unknown> | undefined;
  if (Array.isArray(message.tool_calls)) {
    let changed = false;
    const calls = message.tool_calls.map((call: unknown) => {
      const fn = isRecord(call) ? callWithArguments(call.function) : undefined;
      if (fn === undefined) return call;
      const mapped = mapArgumentsText(fn.arguments, map);
      if (mapped === fn.arguments) return call;
      changed = true;
      return { ...(call as Record<string, unknown>), function: { ...fn, arguments: mapped } };
    });
    if (changed) copy = { ...message, tool_calls: calls };
  }
  const legacy = callWithArguments(message.function_call);
  if (legacy !== undefined) {
    const mapped = mapArgumentsText(legacy.arguments, map);
    if (mapped !== legacy.arguments)
      copy = { ...(copy ?? message), function_call: { ...legacy, arguments: mapped } };
  }
  return (copy ?? message) as M;
}
