import type { WireFormat } from '../src/test-support/fixtures.js';
import { type Expected, expectedFromChunks, expectedFromJson } from './harness-expectations.js';

type Json = Record<string, unknown>;

const COHERE_FINISH: Record<string, string> = {
  COMPLETE: 'stop',
  TOOL_CALL: 'tool_calls',
  MAX_TOKENS: 'length',
};

function usageOf(prompt: number, completion: number): Record<string, unknown> {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function cohereUsage(usage: Json | undefined): Record<string, unknown> {
  const tokens = (usage?.tokens ?? usage?.billed_units ?? {}) as Json;
  return usageOf(Number(tokens.input_tokens ?? 0), Number(tokens.output_tokens ?? 0));
}

function cohereFromJson(body: Json): Expected {
  const message = body.message as Json;
  const texts = ((message.content as Json[] | undefined) ?? []).map((item) => String(item.text ?? ''));
  const calls = (message.tool_calls as { function: { arguments: string } }[] | undefined) ?? [];
  return {
    content: texts.length > 0 ? texts.join('') : null,
    toolArguments: calls.map((call) => call.function.arguments).join(''),
    finishReason: COHERE_FINISH[String(body.finish_reason)] ?? 'stop',
    usage: cohereUsage(body.usage as Json),
  };
}

function cohereFromChunks(events: Json[]): Expected {
  const expected: Expected = { content: '', toolArguments: '', finishReason: '', usage: {} };
  for (const event of events) {
    const delta = (event.delta ?? {}) as Json;
    const message = (delta.message ?? {}) as Json;
    if (event.type === 'content-delta') expected.content += String((message.content as Json).text ?? '');
    if (event.type === 'tool-call-start' || event.type === 'tool-call-delta') {
      expected.toolArguments += String(((message.tool_calls as Json).function as Json).arguments ?? '');
    }
    if (event.type === 'message-end') {
      expected.finishReason = COHERE_FINISH[String(delta.finish_reason)] ?? 'stop';
      expected.usage = cohereUsage(delta.usage as Json);
    }
  }
  return expected;
}

/** What the openai SDK must see for a non-streamed fixture in any wire format. */
export function expectedFromJsonFor(format: WireFormat, body: Json): Expected {
  switch (format) {
    case 'openai':
    case 'anthropic':
      return expectedFromJson(format, body);
    case 'cohere':
      return cohereFromJson(body);
    default:
      throw new Error(`no expectations for ${format}`);
  }
}

/** What the openai SDK must see for a `.chunks.txt` fixture in any wire format. */
export function expectedFromChunksFor(format: WireFormat, lines: readonly string[]): Expected {
  switch (format) {
    case 'openai':
    case 'anthropic':
      return expectedFromChunks(format, lines);
    case 'cohere':
      return cohereFromChunks(lines.map((line) => JSON.parse(line) as Json));
    default:
      throw new Error(`no expectations for ${format}`);
  }
}
