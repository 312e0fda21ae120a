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

/** What Cohere bills (`billed_units`) first: its `tokens` count its own prompt template too. */
function cohereUsage(usage: Json | undefined): Record<string, unknown> {
  const tokens = (usage?.billed_units ?? usage?.tokens ?? {}) as Json;
  return usageOf(Number(tokens.input_tokens ?? 0), Number(tokens.output_tokens ?? 0));
}

function cohereFromJson(body: Json): Expected {
  const message = body.message as Json;
  const texts = ((message.content as Json[] | undefined) ?? []).map((item) => String(item.text ?? ''));
  const calls = (message.tool_calls as { function: { arguments: string } }[] | undefined) ?? [];
  // A tool plan (Cohere's words before its tool calls) is the assistant's content.
  if (typeof message.tool_plan === 'string' && message.tool_plan !== '') texts.unshift(message.tool_plan);
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
    if (event.type === 'tool-plan-delta') expected.content += String(message.tool_plan ?? '');
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

const GOOGLE_FINISH: Record<string, string> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
};
const BEDROCK_FINISH: Record<string, string> = {
  end_turn: 'stop',
  tool_use: 'tool_calls',
  max_tokens: 'length',
  guardrail_intervened: 'content_filter',
};

function googleExpected(responses: Json[]): Expected {
  const expected: Expected = { content: '', toolArguments: '', finishReason: '', usage: {} };
  let called = false;
  for (const response of responses) {
    for (const candidate of (response.candidates as Json[] | undefined) ?? []) {
      for (const part of ((candidate.content as Json | undefined)?.parts as Json[] | undefined) ?? []) {
        if (part.functionCall) {
          called = true;
          expected.toolArguments += JSON.stringify((part.functionCall as Json).args ?? {});
        } else expected.content += String(part.text ?? '');
      }
      if (candidate.finishReason) {
        const reason = GOOGLE_FINISH[String(candidate.finishReason)] ?? 'stop';
        expected.finishReason = reason === 'stop' && called ? 'tool_calls' : reason;
      }
    }
    const usage = response.usageMetadata as Json | undefined;
    if (usage)
      expected.usage = usageOf(Number(usage.promptTokenCount ?? 0), Number(usage.candidatesTokenCount ?? 0));
  }
  return expected;
}

function bedrockUsage(usage: Json | undefined): Record<string, unknown> {
  return usageOf(Number(usage?.inputTokens ?? 0), Number(usage?.outputTokens ?? 0));
}

function bedrockFromJson(body: Json): Expected {
  const blocks = (((body.output as Json).message as Json).content as Json[] | undefined) ?? [];
  const texts = blocks.filter((block) => typeof block.text === 'string').map((block) => String(block.text));
  return {
    content: texts.length > 0 ? texts.join('') : null,
    toolArguments: blocks
      .filter((block) => block.toolUse)
      .map((block) => JSON.stringify((block.toolUse as Json).input))
      .join(''),
    finishReason: BEDROCK_FINISH[String(body.stopReason)] ?? 'stop',
    usage: bedrockUsage(body.usage as Json),
  };
}

function bedrockFromChunks(events: Json[]): Expected {
  const expected: Expected = { content: '', toolArguments: '', finishReason: '', usage: {} };
  for (const event of events) {
    const delta = (event.contentBlockDelta as Json | undefined)?.delta as Json | undefined;
    if (typeof delta?.text === 'string') expected.content += delta.text;
    if (delta?.toolUse) expected.toolArguments += String((delta.toolUse as Json).input ?? '');
    if (event.messageStop)
      expected.finishReason = BEDROCK_FINISH[String((event.messageStop as Json).stopReason)] ?? 'stop';
    if (event.metadata) expected.usage = bedrockUsage((event.metadata as Json).usage as Json);
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
    case 'google': {
      const expected = googleExpected([body]);
      return { ...expected, content: expected.content === '' ? null : expected.content };
    }
    case 'bedrock':
      return bedrockFromJson(body);
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
    case 'google':
      return googleExpected(lines.map((line) => JSON.parse(line) as Json));
    case 'bedrock':
      return bedrockFromChunks(lines.map((line) => JSON.parse(line) as Json));
  }
}
