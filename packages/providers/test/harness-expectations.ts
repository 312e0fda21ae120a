/** What the openai SDK must see, computed from a fixture in the vendor's own format. */
export interface Expected {
  content: string | null;
  toolArguments: string;
  finishReason: string;
  usage: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const STOP_REASONS: Record<string, string> = {
  end_turn: 'stop',
  tool_use: 'tool_calls',
  max_tokens: 'length',
  refusal: 'content_filter',
};

function anthropicUsage(usage: Json): Record<string, unknown> {
  const prompt =
    Number(usage.input_tokens ?? 0) +
    Number(usage.cache_read_input_tokens ?? 0) +
    Number(usage.cache_creation_input_tokens ?? 0);
  const completion = Number(usage.output_tokens ?? 0);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function openAIUsage(usage: Json): Record<string, unknown> {
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.total_tokens,
  };
}

/** Expectations from a non-streamed fixture. */
export function expectedFromJson(format: 'openai' | 'anthropic', body: Json): Expected {
  if (format === 'openai') {
    const choice = (body.choices as Json[])[0] as Json;
    const message = choice.message as Json;
    const calls = (message.tool_calls as { function: { arguments: string } }[] | undefined) ?? [];
    return {
      content: (message.content as string | null | undefined) ?? null,
      toolArguments: calls.map((call) => call.function.arguments).join(''),
      finishReason: String(choice.finish_reason),
      usage: openAIUsage(body.usage as Json),
    };
  }
  const blocks = body.content as Json[];
  const texts = blocks.filter((block) => block.type === 'text').map((block) => String(block.text));
  return {
    content: texts.length > 0 ? texts.join('') : null,
    toolArguments: blocks
      .filter((block) => block.type === 'tool_use')
      .map((block) => JSON.stringify(block.input))
      .join(''),
    finishReason: STOP_REASONS[String(body.stop_reason)] ?? 'stop',
    usage: anthropicUsage(body.usage as Json),
  };
}

/** Expectations from a `.chunks.txt` fixture. */
export function expectedFromChunks(format: 'openai' | 'anthropic', lines: readonly string[]): Expected {
  const events = lines.filter((line) => line !== '[DONE]').map((line) => JSON.parse(line) as Json);
  const expected: Expected = { content: '', toolArguments: '', finishReason: '', usage: {} };
  if (format === 'openai') {
    for (const event of events) {
      for (const choice of (event.choices as Json[] | undefined) ?? []) {
        const delta = choice.delta as Json;
        expected.content += (delta.content as string | null | undefined) ?? '';
        for (const call of (delta.tool_calls as { function?: { arguments?: string } }[] | undefined) ?? []) {
          expected.toolArguments += call.function?.arguments ?? '';
        }
        if (choice.finish_reason) expected.finishReason = String(choice.finish_reason);
      }
      if (event.usage) expected.usage = openAIUsage(event.usage as Json);
    }
    return expected;
  }
  let usage: Json = {};
  for (const event of events) {
    if (event.type === 'message_start') usage = { ...((event.message as Json).usage as Json) };
    if (event.type === 'message_delta') {
      usage = { ...usage, ...(event.usage as Json) };
      expected.finishReason = STOP_REASONS[String((event.delta as Json).stop_reason)] ?? 'stop';
    }
    if (event.type === 'content_block_delta') {
      const delta = event.delta as Json;
      if (delta.type === 'text_delta') expected.content += String(delta.text);
      if (delta.type === 'input_json_delta') expected.toolArguments += String(delta.partial_json);
    }
  }
  expected.usage = anthropicUsage(usage);
  return expected;
}
