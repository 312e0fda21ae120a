import { describe, expect, it } from 'vitest';
import { toGoogleRequest } from '../../google/request.js';
import { fromGoogleResponse } from '../../google/response.js';
import { chatCompletionSchema } from '../../openai-format/chat-completion.js';
import { dialectTestContext, preparedChat } from '../../test-support/context.js';
import { readChunkFixture, readJsonFixture, sseFramesFromChunks } from '../../test-support/fixtures.js';
import { runDialectStream } from '../../test-support/run-dialect-stream.js';
import { vertexAIAdapter } from '../../vertex-ai/index.js';
import { createResponsesStreamAccumulator } from './accumulator.js';
import { responseFromChatCompletion } from './from-chat-completion.js';
import { openAIResponsesDialect } from './index.js';
import { responsesToChatRequest } from './to-chat-request.js';

type Item = Record<string, unknown> & { type: string };

const context = dialectTestContext('vertex-ai', { provider: 'vertex-ai', api_key: 'ya29.t' });
const googleContext = dialectTestContext('google', { provider: 'google', api_key: 'g' });
const tools = [{ type: 'function', name: 'check_flight', parameters: { type: 'object' } }];

/** The input a Responses client sends back after `output`, answering each call. */
function nextTurn(output: readonly Item[]) {
  return {
    model: 'gemini-3-pro-preview',
    store: false,
    tools,
    input: [
      { role: 'user', content: 'Is AA100 on time?' },
      ...output,
      ...output
        .filter((item) => item.type === 'function_call')
        .map((item) => ({ type: 'function_call_output', call_id: item.call_id, output: 'on time' })),
    ],
  };
}

function geminiContents(body: Record<string, unknown>, provider: string) {
  const chat = responsesToChatRequest(body, { provider }).body;
  const built = toGoogleRequest(preparedChat('google', chat), googleContext);
  return (JSON.parse(String(built.upstream.body)) as { contents: { role: string; parts: unknown[] }[] })
    .contents;
}

describe('Responses dialect on Gemini: function calls’ thought signatures', () => {
  it('come back to Gemini on the next turn from the call_ids of a non-streamed Response', () => {
    const completion = chatCompletionSchema.parse(
      fromGoogleResponse(
        readJsonFixture('google', 'thought-signature.json'),
        preparedChat('google', { model: 'gemini-3-pro-preview', messages: [] }),
        googleContext,
      ),
    );
    const response = responseFromChatCompletion(completion, {}) as { output: Item[] };
    const contents = geminiContents(nextTurn(response.output), 'google');
    expect(contents[1]).toEqual({
      role: 'model',
      parts: [
        {
          functionCall: { name: 'check_flight', args: { flight: 'AA100' } },
          thoughtSignature: 'CpcBAdHtim9-signature-A',
        },
        { functionCall: { name: 'book_taxi', args: { time: '10 AM' } } },
      ],
    });
    expect(contents[2]?.parts).toEqual([
      { functionResponse: { name: 'check_flight', response: { content: 'on time' } } },
      { functionResponse: { name: 'book_taxi', response: { content: 'on time' } } },
    ]);
    // The item id stays short: only call_id carries the signature.
    expect(response.output[0]?.id).not.toContain('__thought__');
  });

  it('come back on the next turn from the call_ids of a streamed Response (Vertex AI)', async () => {
    const { chunks } = await runDialectStream({
      dialect: openAIResponsesDialect,
      adapter: vertexAIAdapter,
      context,
      frames: sseFramesFromChunks(readChunkFixture('google', 'thought-signature.chunks.txt'), 'google'),
      request: { model: 'gemini-3-pro-preview', input: 'Is AA100 on time?' },
    });
    const accumulator = createResponsesStreamAccumulator();
    for (const chunk of chunks) accumulator.push(chunk);
    const response = accumulator.result() as { output: Item[] };
    expect(response.output).toMatchObject([{ type: 'function_call', name: 'check_flight' }]);
    expect(response.output[0]?.id).not.toContain('__thought__');
    expect(geminiContents(nextTurn(response.output), 'vertex-ai')[1]?.parts).toEqual([
      {
        functionCall: { name: 'check_flight', args: { flight: 'AA100' } },
        thoughtSignature: 'CpcBAdHtim9-signature-A',
      },
    ]);
  });

  it('stay out of the ids other targets are sent (the call’s own id on both the call and its output)', () => {
    const output = [
      {
        type: 'function_call',
        id: 'fc_call_r1_0_0',
        call_id: 'call_r1_0_0__thought__Q3BjQkFkSHRpbTk',
        name: 'check_flight',
        arguments: '{}',
      },
    ];
    for (const provider of ['anthropic', 'mistral-ai']) {
      const messages = responsesToChatRequest(nextTurn(output), { provider }).body.messages as Record<
        string,
        unknown
      >[];
      expect(messages[1]).toEqual({
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_r1_0_0', type: 'function', function: { name: 'check_flight', arguments: '{}' } },
        ],
      });
      expect(messages[2]).toMatchObject({ role: 'tool', tool_call_id: 'call_r1_0_0' });
    }
  });
});
