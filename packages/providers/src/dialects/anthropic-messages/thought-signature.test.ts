import { describe, expect, it } from 'vitest';
import { googleAdapter } from '../../google/index.js';
import { toGoogleRequest } from '../../google/request.js';
import { fromGoogleResponse } from '../../google/response.js';
import { chatCompletionSchema } from '../../openai-format/chat-completion.js';
import { dialectTestContext, preparedChat } from '../../test-support/context.js';
import { readChunkFixture, readJsonFixture, sseFramesFromChunks } from '../../test-support/fixtures.js';
import { runDialectStream } from '../../test-support/run-dialect-stream.js';
import { createMessagesStreamAccumulator } from './accumulator.js';
import { messagesFromChatCompletion } from './from-chat-completion.js';
import { anthropicMessagesDialect } from './index.js';
import { messagesToChatRequest } from './to-chat-request.js';

type Block = Record<string, unknown> & { type: string };

const context = dialectTestContext('google', { provider: 'google', api_key: 'g' });
const tools = [{ name: 'check_flight', input_schema: { type: 'object' } }];

/** The history a Messages client sends back after the assistant turn `content`, answering each call. */
function nextTurn(content: readonly Block[]) {
  const results = content
    .filter((block) => block.type === 'tool_use')
    .map((block) => ({ type: 'tool_result', tool_use_id: block.id, content: 'on time' }));
  return {
    model: 'gemini-3-pro-preview',
    max_tokens: 100,
    tools,
    messages: [
      { role: 'user', content: 'Is AA100 on time?' },
      { role: 'assistant', content },
      { role: 'user', content: results },
    ],
  };
}

/** The model turn Gemini is sent for that history. */
function geminiModelTurn(body: Record<string, unknown>) {
  const chat = messagesToChatRequest(body, { provider: 'google' }).body;
  const built = toGoogleRequest(preparedChat('google', chat), context);
  const sent = JSON.parse(String(built.upstream.body)) as { contents: { role: string; parts: unknown[] }[] };
  return sent.contents;
}

describe('Messages dialect on Gemini: function calls’ thought signatures', () => {
  it('come back to Gemini on the next turn from the tool_use ids of a non-streamed Message', () => {
    const completion = chatCompletionSchema.parse(
      fromGoogleResponse(
        readJsonFixture('google', 'thought-signature.json'),
        preparedChat('google', { model: 'gemini-3-pro-preview', messages: [] }),
        context,
      ),
    );
    const message = messagesFromChatCompletion(completion) as { content: Block[] };
    const ids = message.content.map((block) => String(block.id));
    for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9_-]+$/);
    const contents = geminiModelTurn(nextTurn(message.content));
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
    // Each result still answers its call by name.
    expect(contents[2]?.parts).toEqual([
      { functionResponse: { name: 'check_flight', response: { content: 'on time' } } },
      { functionResponse: { name: 'book_taxi', response: { content: 'on time' } } },
    ]);
  });

  it('come back to Gemini on the next turn from the tool_use ids of a streamed Message', async () => {
    const { chunks } = await runDialectStream({
      dialect: anthropicMessagesDialect,
      adapter: googleAdapter,
      context,
      frames: sseFramesFromChunks(readChunkFixture('google', 'thought-signature.chunks.txt'), 'google'),
    });
    const accumulator = createMessagesStreamAccumulator();
    for (const chunk of chunks) accumulator.push(chunk);
    const message = accumulator.result() as { content: Block[] };
    expect(message.content).toMatchObject([{ type: 'tool_use', name: 'check_flight' }]);
    expect(geminiModelTurn(nextTurn(message.content))[1]?.parts).toEqual([
      {
        functionCall: { name: 'check_flight', args: { flight: 'AA100' } },
        thoughtSignature: 'CpcBAdHtim9-signature-A',
      },
    ]);
  });

  it('stay out of the ids other targets are sent (the call’s own id on both the call and its result)', () => {
    const signed = [
      { type: 'tool_use', id: 'call_r1_0_0__thought__Q3BjQkFkSHRpbTk', name: 'check_flight', input: {} },
    ];
    for (const provider of ['anthropic', 'openai', 'bedrock']) {
      const messages = messagesToChatRequest(nextTurn(signed), { provider }).body.messages as Record<
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
