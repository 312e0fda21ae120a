import OpenAI from 'openai';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, portkeyHeadersOf, startFeatureGateway } from './support/feature-gateway.js';
import { vectorWithSimilarity } from './support/mock-embeddings.js';
import { chatCompletion, type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';

// The semantic cache answers only the same question: the last user message's text is embedded,
// everything else (images, earlier turns, tool calls, every request field that changes the answer)
// must match exactly. Through the built gateway with the official SDKs, against a mock speaking
// OpenAI's chat and embeddings wire formats. Each test uses a model of its own, so its entries never
// meet another test's; a text without a vector gets the mock's default one (identical for all).
const KEY = 'pk-semantic-scope';
const CONFIG = { virtual_key: 'openai-a', cache: { mode: 'semantic', max_age: 3600 } };
let mock: ProviderMock;
let gateway: FeatureGateway;

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [{ id: 'team-a', key: KEY }],
      virtual_keys: {
        'openai-a': { provider: 'openai', api_key: 'sk-scope', options: { custom_host: `${mock.url}/v1` } },
      },
      semantic_cache: { virtual_key: 'openai-a', model: 'text-embedding-3-small' },
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
});

const portkey = () => new Portkey({ baseURL: gateway.base, apiKey: KEY, config: CONFIG });
const openai = () =>
  new OpenAI({
    baseURL: gateway.base,
    apiKey: 'unused',
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-api-key': KEY, 'x-portkey-config': JSON.stringify(CONFIG) },
  });

/** One chat request through the openai SDK: the answer and its cache status. */
async function ask(body: Record<string, unknown>) {
  const { data, response } = await openai()
    .chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming)
    .withResponse();
  return { answer: data, status: response.headers.get('x-portkey-cache-status') };
}

describe('the semantic cache compares the question’s text, and everything else exactly', () => {
  it('the same question about another image is a SEMANTIC MISS; about the same image, a SEMANTIC HIT (portkey-ai)', async () => {
    const model = 'scope-image';
    mock.embeddings.set('What is in this picture?', [1, 0, 0, 0]);
    mock.embeddings.set('What do you see in this picture?', vectorWithSimilarity(0.97));
    const CAT = 'data:image/png;base64,Q0FUQ0FU';
    const XRAY = 'data:image/png;base64,WFJBWUI=';
    const about = (text: string, url: string) => [
      {
        role: 'user' as const,
        content: [
          { type: 'text' as const, text },
          { type: 'image_url' as const, image_url: { url } },
        ],
      },
    ];
    const client = portkey();
    const cat = await client.chat.completions.create({
      model,
      messages: about('What is in this picture?', CAT),
    });
    expect(portkeyHeadersOf(cat)['cache-status']).toBe('SEMANTIC MISS');
    const xray = await client.chat.completions.create({
      model,
      messages: about('What is in this picture?', XRAY),
    });
    expect(portkeyHeadersOf(xray)['cache-status']).toBe('SEMANTIC MISS');
    expect(xray.id).not.toBe(cat.id);
    expect(mock.forModel(model)).toHaveLength(2);
    expect(mock.forModel(model)[1]?.body?.messages).toEqual(about('What is in this picture?', XRAY));
    const catAgain = await client.chat.completions.create({
      model,
      messages: about('What do you see in this picture?', CAT),
    });
    expect(portkeyHeadersOf(catAgain)['cache-status']).toBe('SEMANTIC HIT');
    expect(catAgain.id).toBe(cat.id);
    expect(mock.forModel(model)).toHaveLength(2);
  });

  it('an image with no text has nothing to embed: another image is a MISS of the exact lookup, the same one a HIT', async () => {
    const model = 'scope-image-only';
    const image = (url: string) => [
      { role: 'user' as const, content: [{ type: 'image_url' as const, image_url: { url } }] },
    ];
    const first = await ask({ model, messages: image('https://images.example.test/cat.png') });
    const other = await ask({ model, messages: image('https://images.example.test/xray-b.png') });
    const again = await ask({ model, messages: image('https://images.example.test/cat.png') });
    expect([first.status, other.status, again.status]).toEqual(['MISS', 'MISS', 'HIT']);
    expect(other.answer.id).not.toBe(first.answer.id);
    expect(again.answer.id).toBe(first.answer.id);
    expect(mock.forModel(model)).toHaveLength(2);
  });

  it('a long shared conversation with another last question is a SEMANTIC MISS; with a similar one, a HIT', async () => {
    const model = 'scope-conversation';
    mock.embeddings.set('What is your refund policy for opened items?', [1, 0, 0, 0]);
    mock.embeddings.set('Please delete my account and all my data.', [0, 1, 0, 0]);
    mock.embeddings.set('What’s your refund policy on opened items?', vectorWithSimilarity(0.97));
    const topics = ['shipping times to Canada', 'the blender’s warranty', 'resetting the router'];
    const history = topics.flatMap((topic) => [
      { role: 'user', content: `Can you tell me about ${topic}?` },
      { role: 'assistant', content: `Certainly. Here is what customers usually ask about ${topic}.` },
    ]);
    const conversation = (earlier: unknown[], last: string) => ({
      model,
      messages: [
        { role: 'system', content: 'You are a support bot.' },
        ...earlier,
        { role: 'user', content: last },
      ],
    });
    const refund = await ask(conversation(history, 'What is your refund policy for opened items?'));
    expect(refund.status).toBe('SEMANTIC MISS');
    const deletion = await ask(conversation(history, 'Please delete my account and all my data.'));
    expect(deletion.status).toBe('SEMANTIC MISS');
    expect(deletion.answer.id).not.toBe(refund.answer.id);
    expect(mock.forModel(model).at(-1)?.body?.messages).toEqual(
      conversation(history, 'Please delete my account and all my data.').messages,
    );
    const similar = await ask(conversation(history, 'What’s your refund policy on opened items?'));
    expect(similar.status).toBe('SEMANTIC HIT');
    expect(similar.answer.id).toBe(refund.answer.id);
    // The same question after another earlier answer: the history is part of the scope.
    const otherHistory = [
      ...history.slice(0, -1),
      { role: 'assistant', content: 'I cannot help with routers.' },
    ];
    const elsewhere = await ask(conversation(otherHistory, 'What is your refund policy for opened items?'));
    expect(elsewhere.status).toBe('SEMANTIC MISS');
    expect(mock.forModel(model)).toHaveLength(3);
  });

  it('n, logprobs, stop, reasoning_effort, presence_penalty and a field pk does not know each keep the question apart; user does not', async () => {
    const model = 'scope-fields';
    mock.embeddings.set('Suggest a name for my cat.', [1, 0, 0, 0]);
    mock.embeddings.set('Suggest a name for my kitten.', vectorWithSimilarity(0.97));
    mock.script(model, (request) => {
      const answer = chatCompletion(model, 'Whiskers.');
      const n = Number(request.body?.n ?? 1);
      const choice = answer.choices[0];
      return {
        json: { ...answer, choices: Array.from({ length: n }, (_, index) => ({ ...choice, index })) },
      };
    });
    const question = { model, messages: [{ role: 'user', content: 'Suggest a name for my cat.' }] };
    const first = await ask(question);
    expect(first.status).toBe('SEMANTIC MISS');
    const three = await ask({ ...question, n: 3 });
    expect(three.status).toBe('SEMANTIC MISS');
    expect(three.answer.choices).toHaveLength(3);
    const variants: Record<string, unknown>[] = [
      { logprobs: true, top_logprobs: 2 },
      { stop: ['\n'] },
      { reasoning_effort: 'high' },
      { presence_penalty: 1 },
      { a_field_openai_adds_next_year: 'on' },
    ];
    for (const extra of variants) {
      const calls = mock.forModel(model).length;
      const answered = await ask({ ...question, ...extra });
      expect([JSON.stringify(extra), answered.status]).toEqual([JSON.stringify(extra), 'SEMANTIC MISS']);
      expect(mock.forModel(model)).toHaveLength(calls + 1);
      expect(mock.forModel(model).at(-1)?.body).toMatchObject(extra);
    }
    // `user` names the end user and does not change the answer: a similar question is still a hit.
    const calls = mock.forModel(model).length;
    const kitten = await ask({
      ...question,
      messages: [{ role: 'user', content: 'Suggest a name for my kitten.' }],
      user: 'end-user-42',
    });
    expect(kitten.status).toBe('SEMANTIC HIT');
    expect(kitten.answer.id).toBe(first.answer.id);
    expect(mock.forModel(model)).toHaveLength(calls);
  });

  it('a forced legacy function_call is not answered with plain text, and its answer is never served semantically', async () => {
    const model = 'scope-functions';
    mock.embeddings.set('Weather in Paris today?', [1, 0, 0, 0]);
    mock.embeddings.set('What’s the weather in Paris today?', vectorWithSimilarity(0.97));
    mock.script(model, (request) => {
      const answer = chatCompletion(model, 'It is sunny.');
      if (request.body?.function_call === undefined) return { json: answer };
      const message = {
        role: 'assistant',
        content: null,
        function_call: { name: 'get_weather', arguments: '{"city":"Paris"}' },
        refusal: null,
      };
      return {
        json: { ...answer, choices: [{ index: 0, message, logprobs: null, finish_reason: 'function_call' }] },
      };
    });
    const functions = [
      { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
    ];
    const plain = await ask({ model, messages: [{ role: 'user', content: 'Weather in Paris today?' }] });
    expect(plain.status).toBe('SEMANTIC MISS');
    const forced = {
      model,
      messages: [{ role: 'user', content: 'Weather in Paris today?' }],
      functions,
      function_call: { name: 'get_weather' },
    };
    const called = await ask(forced);
    expect(called.status).toBe('SEMANTIC MISS');
    expect(called.answer.choices[0]?.message.function_call?.name).toBe('get_weather');
    // The call's arguments answer those exact words: a similar question goes to the provider.
    const similar = await ask({
      ...forced,
      messages: [{ role: 'user', content: 'What’s the weather in Paris today?' }],
    });
    expect(similar.status).toBe('SEMANTIC MISS');
    expect(similar.answer.id).not.toBe(called.answer.id);
    expect(mock.forModel(model)).toHaveLength(3);
  });

  it('the same tool result after other tool-call arguments is a SEMANTIC MISS', async () => {
    const model = 'scope-tool-calls';
    const transfer = (to: string, amount: number) => ({
      model,
      tools: [{ type: 'function', function: { name: 'transfer', parameters: { type: 'object' } } }],
      messages: [
        { role: 'user', content: 'Send the money.' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'transfer', arguments: JSON.stringify({ to, amount }) },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'done' },
      ],
    });
    const alice = await ask(transfer('alice', 10));
    expect(alice.status).toBe('SEMANTIC MISS');
    const mallory = await ask(transfer('mallory', 9000));
    expect(mallory.status).toBe('SEMANTIC MISS');
    expect(mallory.answer.id).not.toBe(alice.answer.id);
    expect(mock.forModel(model)).toHaveLength(2);
    expect(mock.forModel(model)[1]?.body?.messages).toEqual(transfer('mallory', 9000).messages);
  });
});
