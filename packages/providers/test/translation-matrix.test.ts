import { openAIErrorEnvelopeSchema } from '@pk/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFilterOnlyChunk } from '../src/dialects/filter-only-chunk.js';
import { callProvider, type ProviderAnswer } from '../src/execute/call-provider.js';
import { createUndiciTransport } from '../src/execute/undici-transport.js';
import type { ChatCompletionChunk } from '../src/openai-format/chat-completion-chunk.js';
import {
  MATRIX_PROVIDERS,
  MATRIX_SCENARIOS,
  matrixCell,
  renderTranslationMatrix,
} from '../src/readme/translation-matrix.js';
import { bedrockFramesFromChunks } from '../src/test-support/bedrock-frames.js';
import { readChunkFixture, readFixtureText, sseFramesFromChunks } from '../src/test-support/fixtures.js';
import { MATRIX_REQUESTS } from '../src/test-support/matrix-requests.js';
import { fixturePath, MATRIX_TARGETS, type MatrixTarget } from '../src/test-support/matrix-targets.js';
import { type MockReply, type MockUpstream, startMockUpstream } from '../src/test-support/mock-upstream.js';
import { chatCompletionChunkSchema, chatCompletionSchema } from '../src/test-support/openai-schemas.js';
import { collectChatStream, readSseEvents } from '../src/test-support/sse-client.js';
import { checkAnthropicUpstream } from './anthropic-upstream-checks.js';
import { checkTranslatedUpstream } from './translated-upstream-checks.js';

const transport = createUndiciTransport();
let upstream: MockUpstream;

beforeAll(async () => {
  upstream = await startMockUpstream();
});
afterAll(async () => {
  await upstream.close();
  await transport.close();
});

function fixture(target: MatrixTarget, name: string): string {
  const { folder, name: file } = fixturePath(target, name);
  return readFixtureText(folder, file);
}

function replyFor(target: MatrixTarget, scenario: string): MockReply {
  const chunks = (name: string): MockReply => {
    const { folder, name: file } = fixturePath(target, name);
    const lines = readChunkFixture(folder, file);
    return target.format === 'bedrock'
      ? {
          frames: bedrockFramesFromChunks(lines),
          headers: { 'content-type': 'application/vnd.amazon.eventstream' },
        }
      : { frames: sseFramesFromChunks(lines, target.format) };
  };
  switch (scenario) {
    case 'tools':
      return { body: fixture(target, 'tool-call.json') };
    case 'json-mode':
      return { body: fixture(target, target.jsonModeFixture) };
    case 'stream-usage':
      return chunks('text.chunks.txt');
    case 'stream-tool-call':
      return chunks('tool-call.chunks.txt');
    case 'error':
      return {
        status: target.error.status,
        headers: target.error.headers,
        body: fixture(target, target.error.fixture),
      };
    default:
      return { body: fixture(target, 'text.json') };
  }
}

function checkOpenAIFamilyUpstream(sent: Record<string, unknown>, received: Record<string, unknown>): void {
  const expected =
    sent.stream === true
      ? { ...sent, stream_options: { ...(sent.stream_options as object), include_usage: true } }
      : sent;
  expect(received).toEqual(expected);
}

async function checkAnswer(scenario: string, answer: ProviderAnswer): Promise<void> {
  if (answer.kind === 'stream') {
    const events = await readSseEvents(answer.stream);
    expect(events.every((event) => event.event === undefined)).toBe(true);
    expect(events.at(-1)?.data).toBe('[DONE]');
    for (const event of events.slice(0, -1)) {
      const chunk = JSON.parse(event.data) as Partial<ChatCompletionChunk>;
      // Azure OpenAI's opening chunk of filter results alone is passed on as Azure sends it.
      if (!isFilterOnlyChunk(chunk)) chatCompletionChunkSchema.parse(chunk);
    }
    const collected = collectChatStream(events);
    expect(collected.usageChunks).toBe(scenario === 'stream-usage' ? 1 : 0);
    expect(await answer.usage).toMatchObject({ total_tokens: expect.any(Number) });
    if (scenario === 'stream-tool-call') {
      expect(collected.finishReason).toBe('tool_calls');
      expect(collected.toolCalls.length).toBeGreaterThan(0);
      for (const call of collected.toolCalls)
        expect(() => JSON.parse(call.arguments) as unknown).not.toThrow();
    } else expect(collected.content.length).toBeGreaterThan(0);
    return;
  }
  expect(answer.kind).toBe('json');
  if (answer.kind !== 'json') return;
  const completion = chatCompletionSchema.parse(answer.body);
  const choice = completion.choices[0];
  if (scenario === 'tools') {
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.tool_calls?.length).toBeGreaterThan(0);
  } else expect(choice?.message.content).toEqual(expect.any(String));
  if (scenario === 'json-mode')
    expect(() => JSON.parse(choice?.message.content ?? '') as unknown).not.toThrow();
}

const results: string[] = [];

describe.each(MATRIX_PROVIDERS)('translation matrix: %s', (provider) => {
  const target: MatrixTarget = MATRIX_TARGETS[provider];
  it.each(MATRIX_SCENARIOS.map((scenario) => [scenario.id, scenario] as const))(
    '%s',
    async (id, scenario) => {
      const cell = matrixCell(provider, scenario);
      const body = MATRIX_REQUESTS[id] ?? {};
      const before = upstream.requests.length;
      upstream.setHandler((request) => {
        const problem = target.verify?.(request);
        return problem === undefined
          ? replyFor(target, id)
          : { status: 403, body: JSON.stringify({ message: problem }) };
      });
      const outcome = await callProvider({
        target: target.target(upstream.origin),
        request: { endpoint: 'chat.completions', body },
        transport,
        now: () => 1_700_000_000_000,
        generateId: () => 'chatcmpl-test',
      });
      if (cell !== 'pass') {
        expect(outcome.ok).toBe(false);
        expect(upstream.requests.length).toBe(before);
        results.push(`${provider} ${id}: not supported`);
        return;
      }
      const received = upstream.requests.at(-1);
      const streamed = body.stream === true;
      expect(received?.url).toBe(streamed && target.streamPath ? target.streamPath : target.chatPath);
      if (target.auth) expect(received?.headers[target.auth[0]]).toBe(target.auth[1]);
      if (received && target.verify) expect(target.verify(received)).toBeUndefined();
      const receivedBody = JSON.parse(received?.body ?? '{}') as Record<string, unknown>;
      if (target.format === 'anthropic') checkAnthropicUpstream(id, body, receivedBody);
      else if (target.format === 'openai') checkOpenAIFamilyUpstream(body, receivedBody);
      else checkTranslatedUpstream(target.format, id, receivedBody);
      if (id === 'error') {
        expect(outcome.ok).toBe(false);
        if (outcome.ok) return;
        expect(outcome.status).toBe(target.error.status);
        expect(outcome.error.status).toBe(target.error.status);
        expect(openAIErrorEnvelopeSchema.safeParse(outcome.error.toEnvelope()).success).toBe(true);
        expect('retryable' in outcome.error && outcome.error.retryable).toBe(true);
      } else {
        expect(outcome.ok).toBe(true);
        if (!outcome.ok) return;
        expect(outcome.value.headers['x-portkey-provider']).toBe(provider);
        await checkAnswer(id, outcome.value);
      }
      results.push(`${provider} ${id}: pass`);
    },
  );
});

afterAll(() => {
  console.log(`translation matrix\n${renderTranslationMatrix()}\n(${results.length} cells run)`);
});
