/**
 * Replays a stored chat completion as an OpenAI SSE stream, so a streamed request can be answered
 * from an entry stored by a non-streamed one (https://platform.openai.com/docs/api-reference/chat-streaming):
 * a role chunk, the content, every tool call, a finish chunk per choice, the usage chunk when the
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
    if (typeof message.content === 'string') delta.content = message.content;
    if (typeof message.refusal === 'string') delta.refusal = message.refusal;
    if (Array.isArray(message.tool_calls)) {
      delta.tool_calls = (message.tool_calls as Record<string, unknown>[]).map((call, callIndex) => ({
        index: callIndex,
        ...call,
      }));
    }
    push({ choices: [{ index, delta, logprobs: null, finish_reason: null }] });
    push({ choices: [{ index, delta: {}, logprobs: null, finish_reason: choice.finish_reason ?? 'stop' }] });
  }
  if (includeUsage && completion.usage !== undefined) push({ choices: [], usage: completion.usage });
  frames.push('data: [DONE]\n\n');
  return frames.join('');
}
