import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, rejectionOf, startFeatureGateway } from './support/feature-gateway.js';
import { openAIBatch } from './support/openai-batch.js';
import {
  closedPort,
  type MockReply,
  type ProviderMock,
  startProviderMock,
} from './support/recording-provider-mock.js';

// Portkey's `GET /v1/batches/{id}/output` (the official SDK's `batches.output()`), a route OpenAI does
// not have: through the built gateway, answered from the provider's Batch API (the batch's
// `output_file_id`) and Files API (that file's content). Shapes as OpenAI's API reference gives them:
// https://platform.openai.com/docs/api-reference/batch/object and .../files/retrieve-contents.
const GATEWAY_KEY = 'pk-batch-output';
let mock: ProviderMock;
let gateway: FeatureGateway;

/** The output file's JSONL: one line per request, as https://platform.openai.com/docs/guides/batch shows it. */
const OUTPUT_JSONL = [
  {
    id: 'batch_req_1',
    custom_id: 'request-1',
    response: {
      status_code: 200,
      request_id: 'req_a1',
      body: {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1711652795,
        model: 'gpt-4o-mini-2024-07-18',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 22, completion_tokens: 2, total_tokens: 24 },
      },
    },
    error: null,
  },
  {
    id: 'batch_req_2',
    custom_id: 'request-2',
    response: {
      status_code: 200,
      request_id: 'req_a2',
      body: { id: 'chatcmpl-2', object: 'chat.completion' },
    },
    error: null,
  },
]
  .map((line) => `${JSON.stringify(line)}\n`)
  .join('');

const BATCHES: Readonly<Record<string, Record<string, unknown>>> = {
  batch_done: openAIBatch('batch_done', {}),
  batch_running: openAIBatch('batch_running', {
    status: 'in_progress',
    output_file_id: null,
    completed_at: null,
    finalizing_at: null,
    request_counts: { total: 2, completed: 1, failed: 0 },
  }),
};

/** OpenAI's Batch and Files API (Azure's too: the same paths under `/openai`, with `api-version`). */
function batchApi(request: { method: string; path: string }): MockReply | undefined {
  const route = request.path.split('?')[0] ?? '';
  const batchId = /\/batches\/([^/]+)$/.exec(route)?.[1];
  if (request.method === 'GET' && batchId !== undefined) {
    const batch = BATCHES[batchId];
    if (batch !== undefined) return { json: batch };
    return {
      status: 404,
      json: {
        error: {
          message: `No batch found with id '${batchId}'.`,
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
    };
  }
  if (request.method === 'GET' && route.endsWith('/files/file-output/content')) {
    return { frames: [OUTPUT_JSONL], contentType: 'application/octet-stream' };
  }
  return undefined;
}

beforeAll(async () => {
  mock = await startProviderMock();
  // Requests without a `model` (every GET) are the mock's script '' .
  mock.script('', batchApi);
  const refused = await closedPort();
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [{ id: 'team-a', key: GATEWAY_KEY }],
      virtual_keys: {
        'openai-batch': {
          provider: 'openai',
          api_key: 'sk-batch-openai',
          options: { custom_host: `${mock.url}/v1` },
        },
        'openai-down': {
          provider: 'openai',
          api_key: 'sk-batch-down',
          options: { custom_host: `http://127.0.0.1:${refused}/v1` },
        },
        'azure-batch': {
          provider: 'azure-openai',
          api_key: 'az-batch-key',
          options: { resource_name: 'my-resource', deployment_id: 'gpt-4o-batch', api_version: '2024-10-21' },
        },
        'anthropic-batch': { provider: 'anthropic', api_key: 'sk-ant-batch' },
      },
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
});

const client = (options: Record<string, unknown>) =>
  new Portkey({ baseURL: gateway.base, apiKey: GATEWAY_KEY, maxRetries: 0, ...options });

describe('portkey.batches.output() through pk', () => {
  it('OpenAI: the batch, then its output file, with the virtual key’s credentials; the client gets the JSONL bytes', async () => {
    const before = mock.received.length;
    const output: unknown = await client({ virtualKey: 'openai-batch' }).batches.output('batch_done', {
      traceID: 'batch-output-openai',
    });
    expect(output).toBe(OUTPUT_JSONL);
    const sent = mock.received.slice(before);
    expect(sent.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /v1/batches/batch_done',
      'GET /v1/files/file-output/content',
    ]);
    for (const request of sent) {
      expect(request.headers.authorization).toBe('Bearer sk-batch-openai');
      expect(request.raw.length).toBe(0);
    }
    // Logged as every pass-through request: the path the client called, the provider, the status.
    const [line] = await gateway.waitForRequestLines('batch-output-openai');
    expect(line).toMatchObject({
      method: 'GET',
      path: '/v1/batches/batch_done/output',
      status: 200,
      endpoint: 'passthrough',
      virtualKey: 'openai-batch',
      provider: 'openai',
      attempts: 1,
    });
  });

  it('the upstream’s content type comes back, and the route answers without the /v1 prefix too', async () => {
    const response = await fetch(`${gateway.url}/batches/batch_done/output`, {
      headers: { 'x-portkey-api-key': GATEWAY_KEY, 'x-portkey-virtual-key': 'openai-batch' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('x-portkey-provider')).toBe('openai');
    expect(await response.text()).toBe(OUTPUT_JSONL);
  });

  it('Azure OpenAI: both calls at the resource level with its api-version and api-key', async () => {
    const before = mock.received.length;
    const output: unknown = await client({ virtualKey: 'azure-batch' }).batches.output('batch_done');
    expect(output).toBe(OUTPUT_JSONL);
    const sent = mock.received.slice(before);
    expect(sent.map((request) => `${request.host} ${request.method} ${request.path}`)).toEqual([
      'my-resource.openai.azure.com GET /openai/batches/batch_done?api-version=2024-10-21',
      'my-resource.openai.azure.com GET /openai/files/file-output/content?api-version=2024-10-21',
    ]);
    expect(sent.map((request) => request.headers['api-key'])).toEqual(['az-batch-key', 'az-batch-key']);
  });

  it('a config’s targets route it: a fallback past a provider that cannot be reached', async () => {
    const before = mock.received.length;
    const output: unknown = await client({
      config: {
        strategy: { mode: 'fallback' },
        targets: [{ virtual_key: 'openai-down' }, { virtual_key: 'openai-batch' }],
      },
    }).batches.output('batch_done');
    expect(output).toBe(OUTPUT_JSONL);
    expect(mock.received.slice(before).map((request) => request.path)).toEqual([
      '/v1/batches/batch_done',
      '/v1/files/file-output/content',
    ]);
  });

  it('a batch still in progress is a 400 saying so, and no file is asked for', async () => {
    const before = mock.received.length;
    const error = await rejectionOf(
      client({ virtualKey: 'openai-batch' }).batches.output('batch_running', {
        traceID: 'batch-output-running',
      }),
    );
    expect(error).toMatchObject({ status: 400 });
    expect(error.message).toContain(
      'batch batch_running has no output file (status: in_progress); its output can be read once the batch is completed',
    );
    expect(mock.received.slice(before).map((request) => request.path)).toEqual(['/v1/batches/batch_running']);
    const [line] = await gateway.waitForRequestLines('batch-output-running');
    expect(line).toMatchObject({
      path: '/v1/batches/batch_running/output',
      status: 400,
      endpoint: 'passthrough',
      errorCode: 'PK_ERR_INVALID_REQUEST',
    });
  });

  it('a batch the provider does not know stays its 404, with its message', async () => {
    const before = mock.received.length;
    const error = await rejectionOf(client({ virtualKey: 'openai-batch' }).batches.output('batch_nope'));
    expect(error).toMatchObject({ status: 404 });
    expect(error.message).toContain("No batch found with id 'batch_nope'.");
    expect(mock.received.slice(before)).toHaveLength(1);
  });

  it('a provider without pass-through refuses it before anything is sent', async () => {
    const before = mock.received.length;
    const error = await rejectionOf(client({ virtualKey: 'anthropic-batch' }).batches.output('batch_done'));
    expect(error).toMatchObject({ status: 400 });
    expect(error.message).toContain(
      "provider 'anthropic' does not support the path /batches/batch_done/output",
    );
    expect(mock.received.length).toBe(before);
  });
});
