import { createHash } from 'node:crypto';
import { canonicalJson } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { SEMANTIC_SCHEME, semanticQueryOf } from './semantic-request.js';

const PARTITION = 'tenant-a|vk|chat.completions|md:{}';
const question = (text: string) => ({ role: 'user', content: text });
const base = { model: 'gpt-4o-mini', messages: [question('What is the capital of France?')] };
const queryOf = (body: Record<string, unknown>) => semanticQueryOf(body, PARTITION);
const scopeOf = (body: Record<string, unknown>) => queryOf(body)?.scope;

const picture = (text: string, url: string) => ({
  role: 'user',
  content: [
    { type: 'text', text },
    { type: 'image_url', image_url: { url } },
  ],
});

/** Twelve turns about other things, shared by the conversations below. */
const history = ['shipping times', 'the warranty', 'store hours'].flatMap((topic) => [
  question(`Tell me about ${topic}.`),
  { role: 'assistant', content: `Here is what to know about ${topic}.` },
]);

const transfer = (to: string, amount: number) => ({
  model: 'gpt-4o-mini',
  tools: [{ type: 'function', function: { name: 'transfer', parameters: { type: 'object' } } }],
  messages: [
    question('Send the money.'),
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          id: 'c1',
          type: 'function',
          function: { name: 'transfer', arguments: JSON.stringify({ to, amount }) },
        },
      ],
    },
    { role: 'tool', tool_call_id: 'c1', content: 'done' },
  ],
});

describe('semanticQueryOf: what is embedded', () => {
  it('embeds only the last user message’s text, without a role prefix', () => {
    expect(queryOf(base)?.text).toBe('What is the capital of France?');
    const conversation = {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are a support bot.' },
        ...history,
        question('What is your refund policy?'),
      ],
    };
    expect(queryOf(conversation)?.text).toBe('What is your refund policy?');
  });

  it('joins the text parts of the last user message, and leaves its images out of the text', () => {
    const body = {
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,Q0FU' } },
            { type: 'text', text: 'Answer in one word.' },
          ],
        },
      ],
    };
    expect(queryOf(body)?.text).toBe('What is in this picture?\nAnswer in one word.');
  });

  it('embeds the last user message when tool calls and results follow it', () => {
    expect(queryOf(transfer('alice', 10))?.text).toBe('Send the money.');
  });

  it('has nothing to embed without a user message, or when the last one has no text', () => {
    expect(queryOf({ model: 'm', messages: [{ role: 'system', content: 'Be brief.' }] })).toBeUndefined();
    expect(queryOf({ model: 'm' })).toBeUndefined();
    const imageOnly = {
      model: 'gpt-4o',
      messages: [
        question('Describe what I send next.'),
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.test/a.png' } }] },
      ],
    };
    expect(queryOf(imageOnly)).toBeUndefined();
  });
});

describe('semanticQueryOf: the exact scope', () => {
  it('is the same for the same request with another question, key order aside', () => {
    const other = { messages: [question('Tell me France’s capital')], model: 'gpt-4o-mini' };
    expect(scopeOf(other)).toBe(scopeOf(base));
    expect(semanticQueryOf(base, 'tenant-b|vk|chat.completions|md:{}')?.scope).not.toBe(scopeOf(base));
  });

  it('holds the last user message’s images by content: another image is another scope', () => {
    const cat = scopeOf({
      model: 'gpt-4o',
      messages: [picture('What is this?', 'data:image/png;base64,Q0FU')],
    });
    const xray = scopeOf({
      model: 'gpt-4o',
      messages: [picture('What is this?', 'data:image/png;base64,WFJB')],
    });
    const catAgain = scopeOf({
      model: 'gpt-4o',
      messages: [picture('What do you see?', 'data:image/png;base64,Q0FU')],
    });
    expect(cat).not.toBe(xray);
    expect(catAgain).toBe(cat);
  });

  it('holds audio and file parts too', () => {
    const audio = (data: string) => ({
      model: 'gpt-4o-audio-preview',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Transcribe this.' },
            { type: 'input_audio', input_audio: { data, format: 'wav' } },
          ],
        },
      ],
    });
    expect(scopeOf(audio('UklGRg=='))).not.toBe(scopeOf(audio('UklGRh==')));
    const file = (id: string) => ({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Summarise.' },
            { type: 'file', file: { file_id: id } },
          ],
        },
      ],
    });
    expect(scopeOf(file('file-a'))).not.toBe(scopeOf(file('file-b')));
  });

  it('holds every earlier message in full: another history is another scope', () => {
    const ask = (earlier: unknown[]) =>
      scopeOf({ model: 'gpt-4o-mini', messages: [...earlier, question('What is your refund policy?')] });
    const shared = ask(history);
    expect(ask(history)).toBe(shared);
    expect(ask(history.slice(2))).not.toBe(shared);
    expect(ask([...history.slice(0, -1), { role: 'assistant', content: 'Something else.' }])).not.toBe(
      shared,
    );
    expect(ask([{ role: 'system', content: 'Answer in French.' }, ...history])).not.toBe(shared);
    expect(ask([{ role: 'developer', content: 'Answer in French.' }, ...history])).not.toBe(shared);
  });

  it('holds earlier tool calls with their arguments, and tool results', () => {
    expect(scopeOf(transfer('mallory', 9000))).not.toBe(scopeOf(transfer('alice', 10)));
    const result = transfer('alice', 10);
    const failed = {
      ...result,
      messages: [...result.messages.slice(0, 2), { ...result.messages[2], content: 'failed' }],
    };
    expect(scopeOf(failed)).not.toBe(scopeOf(result));
  });

  it('holds every request field but a few that never change the answer (a deny-list)', () => {
    const fields: Record<string, unknown>[] = [
      { n: 3 },
      { logprobs: true, top_logprobs: 2 },
      {
        functions: [{ name: 'get_weather', parameters: { type: 'object' } }],
        function_call: { name: 'get_weather' },
      },
      { stop: ['\n'] },
      { reasoning_effort: 'high' },
      { presence_penalty: 1 },
      { frequency_penalty: 1 },
      { logit_bias: { '1234': -100 } },
      { parallel_tool_calls: false },
      { modalities: ['text', 'audio'] },
      { temperature: 0.2 },
      { response_format: { type: 'json_object' } },
      { a_field_openai_adds_next_year: true },
    ];
    for (const extra of fields)
      expect(scopeOf({ ...base, ...extra }), JSON.stringify(extra)).not.toBe(scopeOf(base));
    const ignored: Record<string, unknown>[] = [
      { user: 'end-user-42' },
      { safety_identifier: 'end-user-42' },
      { stream: true, stream_options: { include_usage: true } },
      { metadata: { app: 'x' } },
      { store: true },
      { prompt_cache_key: 'k' },
    ];
    for (const extra of ignored)
      expect(scopeOf({ ...base, ...extra }), JSON.stringify(extra)).toBe(scopeOf(base));
  });

  it('never equals the scope the first scheme gave the same request (old vectors are not searched)', () => {
    // Scheme 1 hashed the partition, the system prompts and nine fields; its vectors, still in a
    // Redis vector log, must stay in scopes the later schemes never search.
    const firstScheme = (body: { model: string }) =>
      createHash('sha256')
        .update(canonicalJson({ partition: PARTITION, system: [], model: body.model }))
        .digest('hex');
    expect(SEMANTIC_SCHEME).toBe(3);
    expect(scopeOf(base)).not.toBe(firstScheme(base));
  });
});
