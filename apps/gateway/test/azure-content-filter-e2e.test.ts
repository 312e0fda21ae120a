import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureGateway } from './support/feature-gateway.js';
import { type LoggedGateway, startLoggedGateway } from './support/logged-gateway.js';
import type { ProviderMock } from './support/recording-provider-mock.js';
import { storedRecordOf } from './support/stored-records.js';

// Azure OpenAI's content filter through the built gateway, with the official SDKs: what Azure says
// about its filters (a refusal's `innererror`, an answer's `prompt_filter_results` and each choice's
// `content_filter_results`) reaches the caller as Azure sent it, and the request log keeps the refusal.
// The mock answers on Azure's real host name (through its CONNECT proxy) with the bodies of Azure's
// content filtering documentation (the provider's fixtures, `packages/providers/src/azure-openai/__fixtures__`).
const GATEWAY_KEY = 'pk-azure-filters';
const ADMIN_KEY = 'pk-azure-filters-admin';
const AZURE_KEY = 'azure-filters-key';
type Json = Record<string, unknown>;

const azureFixture = (name: string): string =>
  readFileSync(
    new URL(`../../../packages/providers/src/azure-openai/__fixtures__/${name}`, import.meta.url),
    'utf8',
  );
const REFUSAL = JSON.parse(azureFixture('error-400-content-filter.json')) as { error: Json };
const ANSWER = JSON.parse(azureFixture('text.json')) as Json & { choices: Json[] };
const FILTERED_STREAM = azureFixture('content-filter.chunks.txt')
  .split('\n')
  .filter((line) => line.trim() !== '');

let harness: LoggedGateway;
let mock: ProviderMock;
let gateway: FeatureGateway;

beforeAll(async () => {
  harness = await startLoggedGateway({
    user: { id: 'azure-user', key: GATEWAY_KEY },
    admin: { id: 'azure-admin', key: ADMIN_KEY },
    env: { PK_LOG_BODIES: 'true', PK_LOG_STORE_FLUSH_MS: '50' },
  });
  ({ mock, gateway } = harness);
}, 60_000);
afterAll(async () => {
  await harness?.stop();
  expect(gateway.process.output()).not.toContain(AZURE_KEY);
});

const AZURE_HEADERS = {
  'x-portkey-api-key': GATEWAY_KEY,
  'x-portkey-provider': 'azure-openai',
  'x-portkey-azure-resource-name': 'my-resource',
  'x-portkey-azure-deployment-id': 'gpt-4o-filtered',
  'x-portkey-azure-api-version': '2024-10-21',
};

const openai = (traceId: string, headers: Record<string, string> = {}) =>
  new OpenAI({
    baseURL: gateway.base,
    apiKey: AZURE_KEY,
    maxRetries: 0,
    defaultHeaders: { ...AZURE_HEADERS, 'x-portkey-trace-id': traceId, ...headers },
  });

/** The stored record of the request with this trace id, once written. */
function recordOf(traceId: string): Promise<Json> {
  return storedRecordOf(harness.adminGet, traceId);
}

describe('an Azure content-filter refusal on /v1/chat/completions', () => {
  it('reaches the openai SDK with Azure’s innererror as sent, and the request log keeps it', async () => {
    mock.script('gpt-4o-refused', [{ status: 400, json: REFUSAL }]);
    const traceId = 'azure-filter-refusal';
    const error = await openai(traceId)
      .chat.completions.create({
        model: 'gpt-4o-refused',
        messages: [{ role: 'user', content: 'hurt them' }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const refused = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(refused.code).toBe('content_filter');
    expect(refused.param).toBe('prompt');
    expect(refused.error).toMatchObject({ code: 'content_filter', innererror: REFUSAL.error.innererror });
    expect(mock.received.at(-1)).toMatchObject({
      host: 'my-resource.openai.azure.com',
      path: '/openai/deployments/gpt-4o-filtered/chat/completions?api-version=2024-10-21',
    });
    const record = await recordOf(traceId);
    expect(record).toMatchObject({ status: 400, error_code: 'content_filter' });
    expect(JSON.parse(String(record.response_body))).toMatchObject({
      error: { code: 'content_filter', innererror: REFUSAL.error.innererror },
    });
  });
});

describe('Azure’s filter results in answers on /v1/chat/completions', () => {
  it('prompt_filter_results and each choice’s content_filter_results reach the openai SDK unchanged', async () => {
    mock.script('gpt-4o-answer', [{ json: { ...ANSWER, model: 'gpt-4o-answer' } }]);
    const completion = (await openai('azure-filter-answer').chat.completions.create({
      model: 'gpt-4o-answer',
      messages: [{ role: 'user', content: 'How do I care for a parrot?' }],
    })) as unknown as Json & { choices: Json[] };
    expect(completion.prompt_filter_results).toEqual(ANSWER.prompt_filter_results);
    expect(completion.choices[0]?.content_filter_results).toEqual(ANSWER.choices[0]?.content_filter_results);
  });

  it.each([
    ['strict OpenAI compliance (the default)', {}],
    ['strict OpenAI compliance off', { 'x-portkey-strict-open-ai-compliance': 'false' }],
  ])('a stream’s filter results reach the openai SDK unchanged, with %s', async (_label, headers) => {
    mock.script('gpt-4o-stream', [{ sse: FILTERED_STREAM }]);
    const stream = await openai('azure-filter-stream', headers).chat.completions.create({
      model: 'gpt-4o-stream',
      messages: [{ role: 'user', content: 'Describe the fight' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: Json[] = [];
    for await (const chunk of stream) chunks.push(chunk as unknown as Json);
    const sent = FILTERED_STREAM.filter((line) => line !== '[DONE]').map((line) => JSON.parse(line) as Json);
    expect(chunks[0]).toEqual(sent[0]);
    expect(chunks[0]?.prompt_filter_results).toEqual(sent[0]?.prompt_filter_results);
    const filterResults = (chunk: Json | undefined) =>
      (chunk?.choices as Json[] | undefined)?.map((choice) => choice.content_filter_results);
    expect(chunks.map(filterResults)).toEqual(sent.map(filterResults));
    expect((chunks.at(-2)?.choices as Json[] | undefined)?.[0]?.finish_reason).toBe('content_filter');
  });
});

describe('an Azure target behind /v1/messages (a translated dialect)', () => {
  const anthropic = () =>
    new Anthropic({
      baseURL: gateway.url,
      apiKey: AZURE_KEY,
      maxRetries: 0,
      defaultHeaders: AZURE_HEADERS,
    });

  it('a content-filter refusal reaches the Anthropic SDK in Anthropic’s shape, with Azure’s innererror', async () => {
    mock.script('gpt-4o-refused-messages', [{ status: 400, json: REFUSAL }]);
    const error = await anthropic()
      .messages.create({
        model: 'gpt-4o-refused-messages',
        max_tokens: 50,
        messages: [{ role: 'user', content: 'hurt them' }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: REFUSAL.error.message,
        code: 'content_filter',
        innererror: REFUSAL.error.innererror,
      },
    });
  });

  it('a filtered stream ends as Anthropic’s refusal stop; Messages has no field for the filter results', async () => {
    mock.script('gpt-4o-stream-messages', [{ sse: FILTERED_STREAM }]);
    const message = await anthropic()
      .messages.stream({
        model: 'gpt-4o-stream-messages',
        max_tokens: 50,
        messages: [{ role: 'user', content: 'Describe the fight' }],
      })
      .finalMessage();
    expect(message.stop_reason).toBe('refusal');
    expect(message.content).toEqual([{ type: 'text', text: 'Here is' }]);
    expect(message.model).toBe('gpt-4o-2024-08-06');
    // The filter-only first chunk (id "", model "") does not open the message.
    expect(message.id).toBe('chatcmpl-AJ5bC');
    expect(JSON.stringify(message)).not.toContain('filter_results');
  });
});
