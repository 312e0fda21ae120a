import { describe, expect, it } from 'vitest';
import { completionToSse } from './completion-to-sse.js';
import { ChatStreamAccumulator } from './stream-accumulator.js';

const encoder = new TextEncoder();
const completion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1731000000,
  model: 'gpt-4o-mini',
  system_fingerprint: 'fp_1',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
          { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    },
  ],
  usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
};

function feed(text: string, pieces = 7): ChatStreamAccumulator {
  const accumulator = new ChatStreamAccumulator();
  const bytes = encoder.encode(text);
  const size = Math.ceil(bytes.length / pieces);
  for (let offset = 0; offset < bytes.length; offset += size)
    accumulator.push(bytes.slice(offset, offset + size));
  return accumulator;
}

describe('stream ⇄ completion', () => {
  it('a replayed completion, split anywhere, rebuilds to the same completion (tool calls and usage included)', () => {
    const sse = completionToSse(completion, true);
    expect(sse.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(sse).not.toContain('event:');
    for (const pieces of [1, 3, 17, 101]) expect(feed(sse, pieces).result()).toEqual(completion);
  });

  it('leaves usage out of the replay unless asked for', () => {
    expect(completionToSse(completion, false)).not.toContain('"usage"');
  });

  it('rebuilds text streamed in pieces', () => {
    const chunk = (delta: object, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
    const text =
      chunk({ role: 'assistant', content: '' }) +
      chunk({ content: 'Hel' }) +
      chunk({ content: 'lo' }) +
      chunk({}, 'stop') +
      'data: [DONE]\n\n';
    expect(feed(text).result()).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }],
    });
  });

  it('names the completion after Azure’s answer, not its filter-only first chunk (id "", model "", created 0)', () => {
    const safe = { hate: { filtered: false, severity: 'safe' } };
    const answer = { id: 'chatcmpl-AJ5bC', created: 1729098900, model: 'gpt-4o-2024-08-06' };
    const chunk = (delta: object, finish: string | null = null) =>
      `data: ${JSON.stringify({ choices: [{ content_filter_results: safe, delta, finish_reason: finish, index: 0, logprobs: null }], ...answer, object: 'chat.completion.chunk', system_fingerprint: 'fp_a7d06e42a7' })}\n\n`;
    const text =
      `data: ${JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: safe }] })}\n\n` +
      chunk({ content: '', role: 'assistant' }) +
      chunk({ content: 'Blue.' }) +
      chunk({}, 'stop') +
      'data: [DONE]\n\n';
    expect(feed(text).result()).toMatchObject({
      ...answer,
      system_fingerprint: 'fp_a7d06e42a7',
      choices: [{ message: { content: 'Blue.' }, finish_reason: 'stop' }],
    });
  });

  it('gives nothing for a cut stream, an error frame, or a stream without [DONE]', () => {
    const sse = completionToSse(completion, true);
    expect(feed(sse.slice(0, sse.length - 20)).result()).toBeUndefined();
    const withError = sse.replace(
      'data: [DONE]',
      'event: error\ndata: {"error":{"message":"x"}}\n\ndata: [DONE]',
    );
    expect(feed(withError).result()).toBeUndefined();
    expect(feed(sse.replace('data: [DONE]\n\n', '')).result()).toBeUndefined();
  });
});

describe('what a replay and a rebuild keep', () => {
  const token = (text: string) => ({
    token: text,
    logprob: -0.5,
    bytes: [...encoder.encode(text)],
    top_logprobs: [],
  });
  const answered = {
    ...completion,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Paris', reasoning_content: 'The capital is asked.' },
        logprobs: { content: [token('Par'), token('is')], refusal: null },
        finish_reason: 'stop',
      },
    ],
  };

  it('a completion’s logprobs and reasoning text survive a replay as SSE and the rebuild of it', () => {
    expect(feed(completionToSse(answered, true)).result()).toEqual(answered);
  });

  it('joins the chunks’ logprobs and reasoning text in order', () => {
    const chunk = (delta: object, tokens: string[], finish: string | null = null) =>
      `data: ${JSON.stringify({
        id: 'c',
        created: 1,
        model: 'm',
        choices: [
          { index: 0, delta, logprobs: { content: tokens.map(token), refusal: null }, finish_reason: finish },
        ],
      })}\n\n`;
    const text = [
      chunk({ role: 'assistant', reasoning_content: 'Think ' }, []),
      chunk({ reasoning_content: 'first.' }, []),
      chunk({ content: 'Par' }, ['Par']),
      chunk({ content: 'is' }, ['is'], 'stop'),
      'data: [DONE]\n\n',
    ].join('');
    const choice = (feed(text).result()?.choices as Record<string, unknown>[] | undefined)?.[0];
    expect(choice?.message).toEqual({
      role: 'assistant',
      content: 'Paris',
      reasoning_content: 'Think first.',
    });
    expect(choice?.logprobs).toEqual({ content: [token('Par'), token('is')], refusal: null });
  });

  it('rebuilds nothing from a stream with a delta member it does not know (not stored rather than stored without it)', () => {
    const text = [
      `data: ${JSON.stringify({ id: 'c', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', audio: { id: 'a1', data: 'AAAA' } }, finish_reason: null }] })}\n\n`,
      `data: ${JSON.stringify({ id: 'c', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
      'data: [DONE]\n\n',
    ].join('');
    expect(feed(text).result()).toBeUndefined();
  });
});
