import OpenAI from 'openai';
import { expect } from 'vitest';
import { HELLO_ANSWER, PERSON_JSON, WEATHER_ANSWER, WEATHER_CALL } from '../support/provider-mock.js';
import {
  COHERE_TOOL_PLAN,
  GEMINI_THOUGHT_SIGNATURE,
  MOCK_LOGPROB,
} from '../support/provider-mock-formats.js';
import { type Cell, type CellCases, conformanceSuite, TINY_PNG_BASE64 } from './harness.js';
import { expectImageSent, expectJsonAsked, expectToolsOffered, expectUpstream } from './upstream-checks.js';

// The Chat Completions dialect × every provider family: the official openai SDK through the built
// gateway. Each case below is one row of the conformance matrix in the README (one cell per family).

function sdk(cell: Cell): OpenAI {
  return new OpenAI({
    baseURL: `${cell.gatewayUrl}/v1`,
    apiKey: 'unused-the-config-carries-credentials',
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-config': cell.config },
  });
}

const weatherTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather in a given location',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};
const question: OpenAI.ChatCompletionMessageParam = {
  role: 'user',
  content: 'What is the weather in San Francisco?',
};
const hello: OpenAI.ChatCompletionMessageParam = { role: 'user', content: 'Hello!' };

/**
 * Claude's extended thinking and top_k, sent as chat parameters (as Portkey takes them), reach Claude
 * on Anthropic, Vertex AI and Bedrock (Converse: in `additionalModelRequestFields`), with no warning.
 */
async function expectClaudeParametersKept(cell: Cell): Promise<void> {
  const thinking = { type: 'enabled', budget_tokens: 1024 };
  const { data, response } = await sdk(cell)
    .chat.completions.create({
      model: cell.family.model,
      max_tokens: 2048,
      messages: [hello],
      // Claude's own parameters, beside OpenAI's.
      ...({ thinking, top_k: 40 } as Record<string, unknown>),
    })
    .withResponse();
  expect(data.choices[0]?.message.content).toBe(HELLO_ANSWER);
  const body = cell.mock.received.at(-1)?.body;
  const claude = cell.family.formats.chat === 'bedrock-converse' ? body?.additionalModelRequestFields : body;
  expect(claude).toMatchObject({ thinking, top_k: 40 });
  expect(response.headers.get('x-pk-warnings') ?? '').not.toMatch(/thinking|top_k/);
}

/**
 * `logprobs` / `top_logprobs` reach Gemini (`generationConfig.responseLogprobs` / `logprobs`) and
 * Cohere (`logprobs`; it has no alternatives), and their answers' log probabilities come back as
 * OpenAI's `choices[].logprobs.content` (Cohere's streamed ones on each chunk too).
 */
async function expectLogprobsMapped(cell: Cell): Promise<void> {
  const gemini = cell.family.formats.chat === 'gemini';
  const client = sdk(cell);
  const { data, response } = await client.chat.completions
    .create({ model: cell.family.model, messages: [hello], logprobs: true, top_logprobs: 1 })
    .withResponse();
  const sent = cell.mock.received.at(-1)?.body;
  if (gemini) expect(sent?.generationConfig).toMatchObject({ responseLogprobs: true, logprobs: 1 });
  else expect(sent?.logprobs).toBe(true);
  const content = data.choices[0]?.logprobs?.content ?? [];
  expect(content.map((token) => token.token).join('')).toBe(HELLO_ANSWER);
  expect(content[0]).toEqual({
    token: content[0]?.token,
    logprob: MOCK_LOGPROB,
    bytes: [...Buffer.from(content[0]?.token ?? '', 'utf8')],
    top_logprobs: gemini
      ? [
          {
            token: content[0]?.token,
            logprob: MOCK_LOGPROB,
            bytes: [...Buffer.from(content[0]?.token ?? '')],
          },
        ]
      : [],
  });
  const warnings = response.headers.get('x-pk-warnings') ?? '';
  expect(warnings).not.toContain("'logprobs'");
  if (gemini) return;
  expect(warnings).toContain("'top_logprobs' is not supported by cohere");
  const stream = await client.chat.completions.create({
    model: cell.family.model,
    messages: [hello],
    logprobs: true,
    stream: true,
  });
  const streamed: string[] = [];
  for await (const chunk of stream)
    for (const token of chunk.choices[0]?.logprobs?.content ?? []) streamed.push(token.token);
  expect(streamed.join('')).toBe(HELLO_ANSWER);
}

const CASES: CellCases = {
  text: async (cell) => {
    const completion = await sdk(cell).chat.completions.create({
      model: cell.family.model,
      messages: [{ role: 'system', content: 'Be kind.' }, hello],
    });
    expect(completion.choices[0]?.message.content).toBe(HELLO_ANSWER);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expectUpstream(cell.mock.received, cell.family, 'chat', { stream: false });
    if (cell.family.model.includes('claude')) await expectClaudeParametersKept(cell);
    if (cell.family.formats.chat === 'gemini' || cell.family.formats.chat === 'cohere')
      await expectLogprobsMapped(cell);
  },
  stream: async (cell) => {
    const stream = await sdk(cell).chat.completions.create({
      model: cell.family.model,
      messages: [hello],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(HELLO_ANSWER);
    expectUpstream(cell.mock.received, cell.family, 'chat', { stream: true });
  },
  tools: async (cell) => {
    const client = sdk(cell);
    const first = await client.chat.completions.create({
      model: cell.family.model,
      messages: [question],
      tools: [weatherTool],
    });
    const message = first.choices[0]?.message;
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    const call = message?.tool_calls?.[0];
    expect(call?.type === 'function' ? call.function.name : '').toBe('get_weather');
    expect(JSON.parse(call?.type === 'function' ? call.function.arguments : '')).toEqual(WEATHER_CALL.input);
    expectToolsOffered(expectUpstream(cell.mock.received, cell.family, 'chat'));
    const second = await client.chat.completions.create({
      model: cell.family.model,
      tools: [weatherTool],
      messages: [
        question,
        { role: 'assistant', content: null, tool_calls: message?.tool_calls ?? [] },
        { role: 'tool', tool_call_id: call?.id ?? '', content: '15 degrees, fog' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe(WEATHER_ANSWER);
    expect(cell.mock.received.at(-1)?.text).toContain('15 degrees, fog');
    if (cell.family.formats.chat === 'bedrock-converse') {
      // Converse has no tool_choice "none", and refuses tool blocks without a toolConfig: the tools
      // go with no tool choice, and the client is told.
      const { data, response } = await client.chat.completions
        .create({
          model: cell.family.model,
          tools: [weatherTool],
          tool_choice: 'none',
          messages: [
            question,
            { role: 'assistant', content: null, tool_calls: message?.tool_calls ?? [] },
            { role: 'tool', tool_call_id: call?.id ?? '', content: '15 degrees, fog' },
          ],
        })
        .withResponse();
      expect(data.choices[0]?.message.content).toBe(WEATHER_ANSWER);
      expect(cell.mock.received.at(-1)?.body.toolConfig).toMatchObject({
        tools: [{ toolSpec: { name: 'get_weather' } }],
      });
      expect(cell.mock.received.at(-1)?.body.toolConfig).not.toHaveProperty('toolChoice');
      expect(response.headers.get('x-pk-warnings')).toContain("tool_choice 'none' cannot be kept on bedrock");
    }
    if (cell.family.formats.chat === 'cohere') {
      // Cohere's tool_plan is the content beside the calls, and goes back to Cohere as their tool_plan.
      expect(message?.content).toBe(COHERE_TOOL_PLAN);
      await client.chat.completions.create({
        model: cell.family.model,
        tools: [weatherTool],
        messages: [
          question,
          message as OpenAI.ChatCompletionAssistantMessageParam,
          { role: 'tool', tool_call_id: call?.id ?? '', content: '15 degrees, fog' },
        ],
      });
      expect((cell.mock.received.at(-1)?.body.messages as unknown[] | undefined)?.[1]).toMatchObject({
        role: 'assistant',
        tool_plan: COHERE_TOOL_PLAN,
        tool_calls: [{ id: call?.id }],
      });
    }
    if (cell.family.formats.chat === 'gemini') {
      // The call's thought signature went to the client and came back to Gemini on its part.
      expect((call as { extra_content?: unknown } | undefined)?.extra_content).toEqual({
        google: { thought_signature: GEMINI_THOUGHT_SIGNATURE },
      });
      expect(cell.mock.received.at(-1)?.text).toContain(`"thoughtSignature":"${GEMINI_THOUGHT_SIGNATURE}"`);
      // Gemini sends no call id: the gateway names the call after the answer, so the next answer's
      // call never repeats the id of one the conversation already holds.
      const again = await client.chat.completions.create({
        model: cell.family.model,
        messages: [question],
        tools: [weatherTool],
      });
      const next = again.choices[0]?.message.tool_calls?.[0];
      expect(next?.id).toBeDefined();
      expect(next?.id).not.toBe(call?.id);
    }
  },
  streamedTools: async (cell) => {
    const stream = await sdk(cell).chat.completions.create({
      model: cell.family.model,
      messages: [question],
      tools: [weatherTool],
      stream: true,
    });
    let name = '';
    let args = '';
    let content = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      content += delta?.content ?? '';
      name += delta?.tool_calls?.[0]?.function?.name ?? '';
      args += delta?.tool_calls?.[0]?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual(WEATHER_CALL.input);
    expect(finish).toBe('tool_calls');
    // Cohere streams its plan (tool-plan-delta) before the calls, as content.
    if (cell.family.formats.chat === 'cohere') expect(content).toBe(COHERE_TOOL_PLAN);
    expectToolsOffered(expectUpstream(cell.mock.received, cell.family, 'chat', { stream: true }));
  },
  images: async (cell) => {
    const completion = await sdk(cell).chat.completions.create({
      model: cell.family.model,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this image?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${TINY_PNG_BASE64}` } },
          ],
        },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe(HELLO_ANSWER);
    expectImageSent(expectUpstream(cell.mock.received, cell.family, 'chat'));
  },
  jsonMode: async (cell) => {
    const completion = await sdk(cell).chat.completions.create({
      model: cell.family.model,
      messages: [{ role: 'user', content: 'Give me a person.' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'person',
          // As Pydantic writes it: a `$ref` into `$defs`, an Optional as anyOf with null, a `const`, an
          // `EmailStr` (`format: email`, which the Gemini API refuses and Vertex AI takes).
          schema: {
            $defs: { Name: { title: 'Name', type: 'string' } },
            properties: {
              name: { $ref: '#/$defs/Name' },
              age: { anyOf: [{ type: 'integer' }, { type: 'null' }], default: null, title: 'Age' },
              kind: { const: 'person', default: 'person', title: 'Kind', type: 'string' },
              email: { format: 'email', title: 'Email', type: 'string' },
            },
            required: ['name', 'age'],
            title: 'Person',
            type: 'object',
          },
        },
      },
    });
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual(PERSON_JSON);
    expectJsonAsked(expectUpstream(cell.mock.received, cell.family, 'chat'));
    if (cell.family.formats.chat === 'gemini') {
      // Gemini takes its OpenAPI Schema subset only (the mock refuses anything else, as Gemini does).
      expect(cell.mock.received.at(-1)?.body.generationConfig).toMatchObject({
        responseSchema: {
          properties: {
            name: { title: 'Name', type: 'string' },
            age: { type: 'integer', nullable: true },
            kind: { enum: ['person'], type: 'string' },
            email: cell.family.id === 'google' ? { title: 'Email', type: 'string' } : { format: 'email' },
          },
        },
      });
    }
  },
  usage: async (cell) => {
    const client = sdk(cell);
    const created = await client.chat.completions.create({ model: cell.family.model, messages: [hello] });
    expect(created.usage).toMatchObject({ prompt_tokens: 25, completion_tokens: 12, total_tokens: 37 });
    const stream = await client.chat.completions.create({
      model: cell.family.model,
      messages: [hello],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) usage = chunk.usage ?? usage;
    expect(usage).toMatchObject({ prompt_tokens: 25, completion_tokens: 12, total_tokens: 37 });
    expectUpstream(cell.mock.received, cell.family, 'chat', { stream: true });
  },
};

conformanceSuite('chat', CASES);
