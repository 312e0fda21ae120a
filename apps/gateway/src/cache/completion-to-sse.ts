/** Message members the replay writes by their own rules. */
const REBUILT_MEMBERS: ReadonlySet<string> = new Set(['role', 'content', 'refusal', 'tool_calls']);

/**
 * Replays a stored chat completion as an OpenAI SSE stream, so a streamed request can be answered
 * from an entry stored by a non-streamed one (https://platform.openai.com/docs/api-reference/chat-streaming):
 * a chunk with the role, the content, every tool call, the message's other members and the choice's
 * `logprobs`, a finish chunk per choice, the usage chunk when the
 * client asked for it (`stream_options.include_usage`), then `data: [DONE]`.
 */
export function completionToSse(
  completion: Readonly<Record<string, unknown>>,
  includeUsage: boolean,
): string {
  const base = {
    id: completion.id,
    object: 'chat.completion.chunk',
    created: completion.created,
    model: completion.model,
    ...(completion.system_fingerprint === undefined
      ? {}
      : { system_fingerprint: completion.system_fingerprint }),
  };
  const frames: string[] = [];
  const push = (chunk: Record<string, unknown>): void => {
    frames.push(`data: ${JSON.stringify({ ...base, ...chunk })}\n\n`);
  };
  const choices = Array.isArray(completion.choices) ? (completion.choices as Record<string, unknown>[]) : [];
  for (const choice of choices) {
    const index = typeof choice.index === 'number' ? choice.index : 0;
    const message = (choice.message ?? {}) as Record<string, unknown>;
    const delta: Record<string, unknown> = { role: message.role ?? 'assistant' };
    // The message's other members (a reasoning model's `reasoning_content`, `audio`, `annotations`
    // …) as a delta carries them; empty ones are left out, as a stream does.
    for (const [name, value] of Object.entries(message)) {
      if (REBUILT_MEMBERS.has(name) || value === null || value === undefined) continue;
      if (Array.isArray(value) && value.length === 0) continue;
      delta[name] = value;
    }
    if (typeof message.content === 'string') delta.content = message.content;
    if (typeof message.refusal === 'string') delta.refusal = message.refusal;
    if (Array.isArray(message.tool_calls)) {
      delta.tool_calls = (message.tool_calls as Record<string, unknown>[]).map((call, callIndex) => ({
        index: callIndex,
        ...call,
      }));
    }
    // The whole answer's `logprobs` with the whole content, as a chunk carries its own tokens'.
    push({ choices: [{ index, delta, logprobs: choice.logprobs ?? null, finish_reason: null }] });
    push({ choices: [{ index, delta: {}, logprobs: null, finish_reason: choice.finish_reason ?? 'stop' }] });
  }
  if (includeUsage && completion.usage !== undefined) push({ choices: [], usage: completion.usage });
  frames.push('data: [DONE]\n\n');
  return frames.join('');
}
