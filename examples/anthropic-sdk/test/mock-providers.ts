import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the mock received. */
export interface Received {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

/** One mock on 127.0.0.1 speaking Anthropic's Messages API and OpenAI's chat completions. */
export interface MockProviders {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

const CALL = { id: 'toolu_01A', name: 'get_weather', input: { location: 'San Francisco, CA' } };
export const FINAL_TEXT = 'It is 15 degrees and foggy in San Francisco.';

const sse = (event: string | undefined, data: unknown) =>
  `${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`;

/** Anthropic's stream (https://docs.anthropic.com/en/docs/build-with-claude/streaming): a tool call, or the final text. */
function anthropicStream(model: string, answered: boolean): string {
  const usage = {
    input_tokens: 40,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: 1,
  };
  const start = sse('message_start', {
    type: 'message_start',
    message: {
      id: 'msg_01',
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage,
    },
  });
  const block = answered
    ? [
        sse('content_block_start', {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'text', text: '' },
        }),
        sse('ping', { type: 'ping' }),
        sse('content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: FINAL_TEXT },
        }),
      ]
    : [
        sse('content_block_start', {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'tool_use', id: CALL.id, name: CALL.name, input: {} },
        }),
        sse('content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: '{"location": ' },
        }),
        sse('content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: '"San Francisco, CA"}' },
        }),
      ];
  return [
    start,
    ...block,
    sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
    sse('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: answered ? 'end_turn' : 'tool_use', stop_sequence: null },
      usage: { output_tokens: 20 },
    }),
    sse('message_stop', { type: 'message_stop' }),
  ].join('');
}

/** OpenAI's chat stream (https://platform.openai.com/docs/api-reference/chat-streaming), usage last. */
function openAIStream(model: string, answered: boolean): string {
  const chunk = (delta: unknown, finish: string | null = null) =>
    sse(undefined, {
      id: 'chatcmpl-01',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
  const body = answered
    ? [chunk({ role: 'assistant', content: '' }), chunk({ content: FINAL_TEXT }), chunk({}, 'stop')]
    : [
        chunk({
          role: 'assistant',
          content: null,
          tool_calls: [
            { index: 0, id: 'call_01', type: 'function', function: { name: CALL.name, arguments: '' } },
          ],
        }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: JSON.stringify(CALL.input) } }] }),
        chunk({}, 'tool_calls'),
      ];
  const usage = sse(undefined, {
    id: 'chatcmpl-01',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model,
    choices: [],
    usage: { prompt_tokens: 40, completion_tokens: 20, total_tokens: 60 },
  });
  return [...body, usage, 'data: [DONE]\n\n'].join('');
}

/** Starts the mock on an ephemeral port. A request that carries a tool result gets the final text. */
export async function startMockProviders(): Promise<MockProviders> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      received.push({ url: request.url ?? '', headers: request.headers, body });
      const answered = /"tool_result"|"role":"tool"/.test(text);
      const model = String(body.model ?? '');
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(
        request.url?.endsWith('/chat/completions')
          ? openAIStream(model, answered)
          : anthropicStream(model, answered),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
