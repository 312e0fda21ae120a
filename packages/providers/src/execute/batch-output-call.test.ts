import { describe, expect, it } from 'vitest';
import type { UpstreamRequest, UpstreamResponse } from '../spec/upstream-request.js';
import { batchOutputFileIdOf, batchOutputIdOf } from './batch-output-call.js';
import { callProvider } from './call-provider.js';
import type { Transport } from './transport.js';

/** OpenAI's batch object (https://platform.openai.com/docs/api-reference/batch/object). */
function batchObject(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    id: 'batch_abc123',
    object: 'batch',
    endpoint: '/v1/chat/completions',
    errors: null,
    input_file_id: 'file-in',
    completion_window: '24h',
    status: 'completed',
    output_file_id: 'file-out',
    error_file_id: null,
    created_at: 1711471533,
    request_counts: { total: 2, completed: 2, failed: 0 },
    metadata: null,
    ...fields,
  };
}

const JSONL = '{"id":"batch_req_1","custom_id":"r-1","response":{"status_code":200},"error":null}\n';

/** A transport answering the batch and its file content by path, recording what was sent. */
function recordingTransport(batch: { status: number; json: unknown }): {
  transport: Transport;
  sent: UpstreamRequest[];
} {
  const sent: UpstreamRequest[] = [];
  const answer = (status: number, contentType: string, text: string): UpstreamResponse => ({
    status,
    headers: { 'content-type': contentType, 'x-request-id': `req_${sent.length}` },
    body: new Response(text).body as ReadableStream<Uint8Array>,
  });
  const transport: Transport = {
    async send(request) {
      sent.push(request);
      const path = new URL(request.url).pathname;
      if (path.endsWith('/content')) return answer(200, 'application/octet-stream', JSONL);
      return answer(batch.status, 'application/json', JSON.stringify(batch.json));
    },
    close: async () => {},
  };
  return { transport, sent };
}

async function textOf(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString();
}

const output = (path: string) => ({ endpoint: 'passthrough', path, method: 'GET', body: {} }) as const;

describe('batchOutputIdOf', () => {
  it('takes GET /batches/{id}/output (query ignored), and nothing else', () => {
    expect(batchOutputIdOf(output('/batches/batch_abc/output'))).toBe('batch_abc');
    expect(batchOutputIdOf(output('/batches/batch_abc/output?x=1'))).toBe('batch_abc');
    for (const request of [
      output('/batches/batch_abc'),
      output('/batches/batch_abc/cancel'),
      output('/batches/a/b/output'),
      output('/batches//output'),
      output('/files/file-a/content'),
      { ...output('/batches/batch_abc/output'), method: 'POST' },
      { ...output('/batches/batch_abc/output'), endpoint: 'chat.completions' },
    ] as const) {
      expect(batchOutputIdOf(request)).toBeUndefined();
    }
  });
});

describe('batchOutputFileIdOf', () => {
  const read = (batch: unknown) => () =>
    batchOutputFileIdOf({ batchId: 'batch_abc123', batch, provider: 'openai' });

  it('gives the output file of a completed batch, and of a cancelled or expired one that has one', () => {
    expect(read(batchObject({}))()).toBe('file-out');
    expect(read(batchObject({ status: 'expired', output_file_id: 'file-part' }))()).toBe('file-part');
  });

  it('refuses a batch without an output file with a 400 naming its status and where to look', () => {
    expect(read(batchObject({ status: 'in_progress', output_file_id: null }))).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'PK_ERR_INVALID_REQUEST',
        message:
          'batch batch_abc123 has no output file (status: in_progress); its output can be read once the batch is completed',
      }),
    );
    expect(
      read(
        batchObject({
          status: 'failed',
          output_file_id: null,
          errors: {
            object: 'list',
            data: [
              { code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', line: 3 },
            ],
          },
        }),
      ),
    ).toThrow(/status: failed\); its first error: This line is not parseable as valid JSON\./);
    expect(read(batchObject({ output_file_id: null, error_file_id: 'file-err' }))).toThrow(
      /the requests that failed are in file file-err \(GET \/v1\/files\/file-err\/content\)$/,
    );
  });

  it('never sends on a file id that could leave /files/, nor reads a non-object as a batch', () => {
    for (const id of ['..', '.', 'a/b', 'a%2fb', 'a?b', 'a\\b']) {
      expect(read(batchObject({ output_file_id: id }))).toThrow(
        expect.objectContaining({ status: 502, code: 'PK_ERR_UPSTREAM_UNAVAILABLE' }),
      );
    }
    expect(read([1, 2])).toThrow(expect.objectContaining({ status: 502 }));
  });
});

describe('callProvider on GET /batches/{id}/output', () => {
  it('OpenAI: reads the batch, then streams its output file back with the file’s content type', async () => {
    const { transport, sent } = recordingTransport({ status: 200, json: batchObject({}) });
    const outcome = await callProvider({
      target: { provider: 'openai', api_key: 'sk-batch' },
      request: output('/batches/batch_abc123/output'),
      transport,
    });
    expect(sent.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET https://api.openai.com/v1/batches/batch_abc123',
      'GET https://api.openai.com/v1/files/file-out/content',
    ]);
    for (const request of sent) {
      expect(request.headers.authorization).toBe('Bearer sk-batch');
      expect(request.body).toBeUndefined();
    }
    if (!outcome.ok || outcome.value.kind !== 'raw') throw new Error('expected a raw answer');
    expect(outcome.value.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'x-portkey-provider': 'openai',
      'x-request-id': 'req_2',
    });
    expect(await textOf(outcome.value.body)).toBe(JSONL);
  });

  it('Azure OpenAI: both calls at the resource level, with the api-version and the api-key header', async () => {
    const { transport, sent } = recordingTransport({ status: 200, json: batchObject({}) });
    const outcome = await callProvider({
      target: {
        provider: 'azure-openai',
        api_key: 'az-key',
        resource_name: 'my-resource',
        deployment_id: 'gpt-4o-batch',
        api_version: '2024-10-21',
      },
      request: output('/batches/batch_abc123/output'),
      transport,
    });
    expect(outcome.ok).toBe(true);
    expect(sent.map((request) => request.url)).toEqual([
      'https://my-resource.openai.azure.com/openai/batches/batch_abc123?api-version=2024-10-21',
      'https://my-resource.openai.azure.com/openai/files/file-out/content?api-version=2024-10-21',
    ]);
    expect(sent.map((request) => request.headers['api-key'])).toEqual(['az-key', 'az-key']);
  });

  it('a batch the provider does not know stays its 404, and no file is asked for', async () => {
    const notFound = {
      error: {
        message: "No batch found with id 'batch_nope'.",
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    };
    const { transport, sent } = recordingTransport({ status: 404, json: notFound });
    const outcome = await callProvider({
      target: { provider: 'openai', api_key: 'sk-batch' },
      request: output('/batches/batch_nope/output'),
      transport,
    });
    expect(outcome).toMatchObject({ ok: false, status: 404 });
    expect(outcome.ok ? '' : outcome.error.message).toContain("No batch found with id 'batch_nope'.");
    expect(sent).toHaveLength(1);
  });

  it('a batch still running is a 400 with no second call', async () => {
    const running = batchObject({ status: 'in_progress', output_file_id: null });
    const { transport, sent } = recordingTransport({ status: 200, json: running });
    const outcome = await callProvider({
      target: { provider: 'openai', api_key: 'sk-batch' },
      request: output('/batches/batch_abc123/output'),
      transport,
    });
    expect(outcome).toMatchObject({ ok: false, status: 400, error: { code: 'PK_ERR_INVALID_REQUEST' } });
    expect(sent).toHaveLength(1);
  });

  it('a provider without pass-through refuses it before any call, as every pass-through path', async () => {
    const { transport, sent } = recordingTransport({ status: 200, json: batchObject({}) });
    const outcome = await callProvider({
      target: { provider: 'anthropic', api_key: 'k' },
      request: output('/batches/batch_abc123/output'),
      transport,
    });
    expect(outcome).toMatchObject({ ok: false, status: 400, error: { code: 'PK_ERR_UNSUPPORTED_ENDPOINT' } });
    expect(sent).toHaveLength(0);
  });
});
