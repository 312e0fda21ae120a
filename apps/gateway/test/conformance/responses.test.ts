import OpenAI from 'openai';
import { expect } from 'vitest';
import { HELLO_ANSWER, PERSON_JSON, WEATHER_ANSWER, WEATHER_CALL } from '../support/provider-mock.js';
import { GEMINI_THOUGHT_SIGNATURE } from '../support/provider-mock-formats.js';
import { type Cell, type CellCases, conformanceSuite, TINY_PNG_BASE64 } from './harness.js';
import { expectImageSent, expectJsonAsked, expectToolsOffered, expectUpstream } from './upstream-checks.js';

// The OpenAI Responses dialect × every provider family: the official openai SDK's Responses API
// through the built gateway. Each case below is one row of the conformance matrix in the README.

function sdk(cell: Cell): OpenAI {
  return new OpenAI({
    baseURL: `${cell.gatewayUrl}/v1`,
    apiKey: 'unused-the-config-carries-credentials',
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-config': cell.config },
  });
}

const weatherTool: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Get the current weather in a given location',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  strict: false,
};
const question = 'What is the weather in San Francisco?';

/**
 * Gemini's function call came with a thought signature, and the next turn gave it back on its part
 * (Gemini 3 refuses the turn without it): the Responses dialect has no field for it, so it rides in the
 * call_id the client echoes.
 */
function expectThoughtSignatureBack(cell: Cell): void {
  if (cell.family.formats.responses !== 'gemini') return;
  expect(cell.mock.received.at(-1)?.text).toContain(`"thoughtSignature":"${GEMINI_THOUGHT_SIGNATURE}"`);
}

/**
 * A translated Response echoes `reasoning.effort` only when the target received it as
 * `reasoning_effort`: a target that dropped it (with a warning) applied none, and the echo says `null`.
 */
async function expectReasoningEffortEchoedTruthfully(cell: Cell): Promise<void> {
  if (cell.family.formats.responses === 'openai-responses') return;
  const { data, response } = await sdk(cell)
    .responses.create({ model: cell.family.model, input: 'Hello!', reasoning: { effort: 'low' } })
    .withResponse();
  const dropped = (response.headers.get('x-pk-warnings') ?? '').includes("'reasoning_effort'");
  const received = cell.mock.received.at(-1)?.body.reasoning_effort;
  expect(received).toBe(dropped ? undefined : 'low');
  expect(data.reasoning?.effort ?? null).toBe(dropped ? null : 'low');
  // Claude takes no reasoning_effort (pk, like Portkey, does not turn it into a thinking budget).
  if (cell.family.formats.responses === 'anthropic') expect(data.reasoning?.effort ?? null).toBeNull();
}

const CASES: CellCases = {
  text: async (cell) => {
    const response = await sdk(cell).responses.create({
      model: cell.family.model,
      instructions: 'Be kind.',
      input: 'Hello!',
    });
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe(HELLO_ANSWER);
    expectUpstream(cell.mock.received, cell.family, 'responses', { stream: false });
    await expectReasoningEffortEchoedTruthfully(cell);
  },
  stream: async (cell) => {
    const stream = await sdk(cell).responses.create({
      model: cell.family.model,
      input: 'Hello!',
      stream: true,
    });
    let text = '';
    let completed = false;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response.status === 'completed';
    }
    expect(text).toBe(HELLO_ANSWER);
    expect(completed).toBe(true);
    expectUpstream(cell.mock.received, cell.family, 'responses', { stream: true });
  },
  tools: async (cell) => {
    const client = sdk(cell);
    const first = await client.responses.create({
      model: cell.family.model,
      input: question,
      tools: [weatherTool],
    });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call?.type === 'function_call' ? call.name : '').toBe('get_weather');
    expect(JSON.parse(call?.type === 'function_call' ? call.arguments : '')).toEqual(WEATHER_CALL.input);
    expectToolsOffered(expectUpstream(cell.mock.received, cell.family, 'responses'));
    const second = await client.responses.create({
      model: cell.family.model,
      tools: [weatherTool],
      input: [
        { role: 'user', content: question },
        ...(call?.type === 'function_call' ? [call] : []),
        {
          type: 'function_call_output',
          call_id: call?.type === 'function_call' ? call.call_id : '',
          output: '15 degrees, fog',
        },
      ],
    });
    expect(second.output_text).toBe(WEATHER_ANSWER);
    expect(cell.mock.received.at(-1)?.text).toContain('15 degrees, fog');
    expectThoughtSignatureBack(cell);
  },
  streamedTools: async (cell) => {
    const stream = await sdk(cell).responses.create({
      model: cell.family.model,
      input: question,
      tools: [weatherTool],
      stream: true,
    });
    let args = '';
    let done: OpenAI.Responses.ResponseFunctionCallArgumentsDoneEvent | undefined;
    let call: OpenAI.Responses.ResponseFunctionToolCall | undefined;
    for await (const event of stream) {
      if (event.type === 'response.output_item.done' && event.item.type === 'function_call')
        call = event.item;
      if (event.type === 'response.function_call_arguments.delta') args += event.delta;
      if (event.type === 'response.function_call_arguments.done') done = event;
    }
    expect(JSON.parse(args)).toEqual(WEATHER_CALL.input);
    expect(done?.arguments).toBe(args);
    expectToolsOffered(expectUpstream(cell.mock.received, cell.family, 'responses', { stream: true }));
    expect(call?.arguments).toBe(args);
    if (cell.family.formats.responses !== 'gemini' || call === undefined) return;
    await sdk(cell).responses.create({
      model: cell.family.model,
      tools: [weatherTool],
      input: [
        { role: 'user', content: question },
        call,
        { type: 'function_call_output', call_id: call.call_id, output: 'fog' },
      ],
    });
    expectThoughtSignatureBack(cell);
  },
  images: async (cell) => {
    const response = await sdk(cell).responses.create({
      model: cell.family.model,
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is in this image?' },
            { type: 'input_image', image_url: `data:image/png;base64,${TINY_PNG_BASE64}`, detail: 'auto' },
          ],
        },
      ],
    });
    expect(response.output_text).toBe(HELLO_ANSWER);
    expectImageSent(expectUpstream(cell.mock.received, cell.family, 'responses'));
  },
  jsonMode: async (cell) => {
    const response = await sdk(cell).responses.create({
      model: cell.family.model,
      input: 'Give me a person.',
      text: {
        format: {
          type: 'json_schema',
          name: 'person',
          schema: {
            type: 'object',
            properties: { name: { type: 'string' }, age: { type: 'integer' } },
            required: ['name', 'age'],
          },
        },
      },
    });
    expect(JSON.parse(response.output_text)).toEqual(PERSON_JSON);
    expectJsonAsked(expectUpstream(cell.mock.received, cell.family, 'responses'));
  },
  usage: async (cell) => {
    const client = sdk(cell);
    const created = await client.responses.create({ model: cell.family.model, input: 'Hello!' });
    expect(created.usage).toMatchObject({ input_tokens: 25, output_tokens: 12, total_tokens: 37 });
    const streamed = await client.responses
      .stream({ model: cell.family.model, input: 'Hello!' })
      .finalResponse();
    expect(streamed.usage).toMatchObject({ input_tokens: 25, output_tokens: 12, total_tokens: 37 });
    expectUpstream(cell.mock.received, cell.family, 'responses', { stream: true });
  },
};

conformanceSuite('responses', CASES);
