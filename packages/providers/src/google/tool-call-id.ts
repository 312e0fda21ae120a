/**
 * The id of a Gemini function call that came without one: `call_<answer>_<candidate>_<n>`, where
 * `<answer>` is the answer's own id (Gemini's `responseId`, else the injected id generator's, less its
 * `chatcmpl-` prefix). Numbering calls per answer alone (`call_0_0`) repeated ids across the turns of
 * one conversation, so clients and frameworks that key tool results by id, and pk itself when it
 * names a tool result after its call, mixed turns up.
 */
export function googleToolCallId(options: {
  readonly answerId: string;
  readonly candidate: number;
  readonly call: number;
}): string {
  return `call_${options.answerId.replace(/^chatcmpl-/, '')}_${options.candidate}_${options.call}`;
}
