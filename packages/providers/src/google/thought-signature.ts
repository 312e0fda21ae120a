/**
 * A function call's thought signature as Gemini's own OpenAI-compatible API gives it,
 * `extra_content.google.thought_signature` on the tool call: a client sends the assistant turn back
 * with it, and the next request carries it again (Gemini 3 refuses a function call without it).
 * Kept in strict OpenAI compliance too, since multi-turn function calling fails without it.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
export function signatureOf(signature: string | null | undefined): {
  extra_content?: { google: { thought_signature: string } };
} {
  return typeof signature === 'string' && signature !== ''
    ? { extra_content: { google: { thought_signature: signature } } }
    : {};
}

/** The thought signature a client sent back on a tool call ({@link signatureOf}'s field), if any. */
export function signatureFromToolCall(call: Readonly<Record<string, unknown>>): string | undefined {
  const signature = (call.extra_content as { google?: { thought_signature?: unknown } } | undefined)?.google
    ?.thought_signature;
  return typeof signature === 'string' && signature !== '' ? signature : undefined;
}
