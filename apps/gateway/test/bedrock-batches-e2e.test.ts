import OpenAI, { toFile } from 'openai';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BATCH_BUCKET,
  BEDROCK_BATCHES_CA_PATH,
  type BedrockBatchMock,
  startBedrockBatchMock,
} from './support/bedrock-batch-mock.js';
import { type FeatureGateway, rejectionOf, startFeatureGateway } from './support/feature-gateway.js';

// OpenAI's files and batches on a `bedrock` target, as Portkey's gateway runs them, through the built
// gateway with the official SDKs: the batch file goes to S3 as Bedrock records, the batch is a model
// invocation job on the Bedrock control plane, retrieve/list/cancel read and stop it, and Portkey's
// batches.output reads the job's `.jsonl.out` back as OpenAI batch output lines. S3 and Bedrock are a
// mock reached by their real host names through its CONNECT proxy, which checks every SigV4 signature.
const GATEWAY_KEY = 'pk-bedrock-batches';
const AWS = {
  accessKeyId: 'AKIAEXAMPLEBATCHES01',
  secretAccessKey: 'batches/Secret+Access/Key0123456789abcd',
};
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const ROLE = 'arn:aws:iam::123456789012:role/BedrockBatchRole';
let mock: BedrockBatchMock;
let gateway: FeatureGateway;

/** Two requests of OpenAI's batch input format (https://platform.openai.com/docs/guides/batch). */
const INPUT = [
  {
    custom_id: 'req-1',
    method: 'POST',
    url: '/v1/chat/completions',
    body: {
      model: 'x',
      max_tokens: 64,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Capital of France?' },
      ],
    },
  },
  {
    custom_id: 'req-2',
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'x', messages: [{ role: 'user', content: 'Capital of Spain?' }] },
  },
]
  .map((line) => JSON.stringify(line))
  .join('\n');

beforeAll(async () => {
  mock = await startBedrockBatchMock();
  mock.awsKeys.set(AWS.accessKeyId, AWS.secretAccessKey);
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [{ id: 'team-a', key: GATEWAY_KEY }],
      virtual_keys: {
        'bedrock-batches': {
          provider: 'bedrock',
          options: {
            aws_access_key_id: AWS.accessKeyId,
            aws_secret_access_key: AWS.secretAccessKey,
            aws_region: 'us-east-1',
            aws_s3_bucket: BATCH_BUCKET,
            aws_bedrock_model: MODEL,
          },
        },
      },
    },
    env: { NODE_EXTRA_CA_CERTS: BEDROCK_BATCHES_CA_PATH },
  });
}, 60_000);
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  expect(gateway.process.output()).not.toContain(AWS.secretAccessKey);
});

/** portkey-ai with the AWS credentials and Portkey's Bedrock file headers. */
const portkey = (extra: Record<string, unknown> = {}) =>
  new Portkey({
    baseURL: gateway.base,
    apiKey: GATEWAY_KEY,
    provider: 'bedrock',
    awsAccessKeyId: AWS.accessKeyId,
    awsSecretAccessKey: AWS.secretAccessKey,
    awsRegion: 'us-east-1',
    awsS3Bucket: BATCH_BUCKET,
    awsBedrockModel: MODEL,
    maxRetries: 0,
    ...extra,
  });

const s3Calls = () => mock.received.filter((request) => request.host.endsWith('.s3.us-east-1.amazonaws.com'));
const bedrockCalls = () =>
  mock.received.filter((request) => request.host === 'bedrock.us-east-1.amazonaws.com');

async function upload(key: string): Promise<string> {
  const file = await portkey({ awsS3ObjectKey: key }).files.create({
    file: await toFile(Buffer.from(INPUT), 'requests.jsonl'),
    purpose: 'batch',
  });
  return (file as unknown as { id: string }).id;
}

describe('OpenAI batches on Bedrock through pk', () => {
  it('files.create puts the JSONL in S3 as Claude records, signed for s3, and answers an OpenAI file', async () => {
    const before = s3Calls().length;
    const file = (await portkey({ awsS3ObjectKey: 'in/requests.jsonl' }).files.create({
      file: await toFile(Buffer.from(INPUT), 'requests.jsonl'),
      purpose: 'batch',
    })) as unknown as Record<string, unknown>;
    const [put] = s3Calls().slice(before);
    expect(put).toMatchObject({ method: 'PUT', path: '/in/requests.jsonl' });
    expect(String(put?.headers.authorization)).toMatch(/\/us-east-1\/s3\/aws4_request/);
    const stored = mock.objects.get('in/requests.jsonl')?.body.toString('utf8') ?? '';
    expect(
      stored
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      {
        recordId: 'req-1',
        modelInput: {
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 64,
          system: 'Be brief.',
          messages: [{ role: 'user', content: 'Capital of France?' }],
        },
      },
      {
        recordId: 'req-2',
        modelInput: {
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 4096,
          messages: [{ role: 'user', content: 'Capital of Spain?' }],
        },
      },
    ]);
    expect(file).toMatchObject({
      object: 'file',
      purpose: 'batch',
      status: 'processed',
      filename: 'requests.jsonl',
      bytes: Buffer.byteLength(stored),
    });
    expect(String(file.id)).toMatch(/^file-bedrock-[\w-]+$/);
  });

  it('batches.create starts a model invocation job; retrieve, list and output follow it to its end', async () => {
    const inputFileId = await upload('jobs/one.jsonl');
    const before = bedrockCalls().length;
    const batch = (await portkey().batches.create({
      input_file_id: inputFileId,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      model: MODEL,
      role_arn: ROLE,
      job_name: 'pk-e2e-job',
    } as never)) as unknown as Record<string, unknown>;
    const [create] = bedrockCalls().slice(before);
    expect(create).toMatchObject({ method: 'POST', path: '/model-invocation-job' });
    expect(String(create?.headers.authorization)).toMatch(/\/us-east-1\/bedrock\/aws4_request/);
    expect(JSON.parse(create?.raw.toString('utf8') ?? '')).toEqual({
      jobName: 'pk-e2e-job',
      roleArn: ROLE,
      modelId: MODEL,
      inputDataConfig: {
        s3InputDataConfig: { s3Uri: `s3://${BATCH_BUCKET}/jobs/one.jsonl`, s3InputFormat: 'JSONL' },
      },
      outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${BATCH_BUCKET}/jobs/` } },
      clientRequestToken: expect.stringMatching(/^[a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}$/),
    });
    const jobId = String(batch.id);
    expect(mock.jobs.has(jobId)).toBe(true);
    expect(batch).toMatchObject({
      object: 'batch',
      status: 'validating',
      input_file_id: inputFileId,
      output_file_id: null,
      request_counts: null,
    });

    const running = (await portkey().batches.retrieve(jobId)) as unknown as Record<string, unknown>;
    expect(running).toMatchObject({ id: jobId, status: 'validating', output_file_id: null });
    const early = await rejectionOf(portkey().batches.output(jobId));
    expect(early).toMatchObject({ status: 400 });
    expect(early.message).toContain(`batch ${jobId} has no output yet (status: validating)`);

    mock.complete(jobId, 'req-2');
    const done = (await portkey().batches.retrieve(jobId)) as unknown as Record<string, unknown>;
    expect(done).toMatchObject({
      id: jobId,
      status: 'completed',
      model: MODEL,
      request_counts: { total: 2, completed: 1, failed: 1 },
    });
    expect(typeof done.completed_at).toBe('number');
    const listed = (await portkey().batches.list({ limit: 10 })) as unknown as {
      data: Record<string, unknown>[];
    };
    expect(listed.data.map((item) => item.id)).toContain(jobId);
    expect(bedrockCalls().at(-1)?.path).toBe(
      '/model-invocation-jobs?maxResults=10&sortBy=CreationTime&sortOrder=Descending',
    );

    const output: unknown = await portkey().batches.output(jobId);
    const lines = String(output)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toMatchObject([
      {
        custom_id: 'req-1',
        response: {
          status_code: 200,
          request_id: 'msg_bdrk_req-1',
          body: {
            object: 'chat.completion',
            model: MODEL,
            // portkey-ai sends strict OpenAI compliance off: Claude's own stop reason, as its chat calls get.
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: 'Answer to req-1' },
                finish_reason: 'end_turn',
              },
            ],
            usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 },
          },
        },
        error: null,
      },
      {
        custom_id: 'req-2',
        response: null,
        error: { code: '400', message: 'Malformed input request, please reformat your input and try again.' },
      },
    ]);
    expect(s3Calls().at(-1)).toMatchObject({ method: 'GET', path: `/jobs/${jobId}/one.jsonl.out` });

    // OpenAI's own way to the output, the openai SDK's files.content of output_file_id: the same
    // OpenAI batch output lines (the job read to know its model and that the file is its output).
    const openai = new OpenAI({
      baseURL: gateway.base,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-api-key': GATEWAY_KEY, 'x-portkey-virtual-key': 'bedrock-batches' },
    });
    const before2 = mock.received.length;
    const content = await (await openai.files.content(String(done.output_file_id))).text();
    // Ids a failed record has not and creation times are made when read: the rest is the same but
    // the finish reason, OpenAI's here (the openai SDK leaves strict OpenAI compliance on).
    const comparable = (line: Record<string, unknown>) =>
      JSON.stringify(line, (key, value) =>
        key === 'id' || key === 'created' || key === 'finish_reason' ? undefined : value,
      );
    expect(content).toContain('"finish_reason":"stop"');
    expect(
      content
        .trim()
        .split('\n')
        .map((line) => comparable(JSON.parse(line) as Record<string, unknown>)),
    ).toEqual(lines.map(comparable));
    expect(content).toContain('"custom_id":"req-1"');
    expect(mock.received.slice(before2).map((call) => `${call.method} ${call.path}`)).toEqual([
      `GET /model-invocation-job/${jobId}`,
      `GET /jobs/${jobId}/one.jsonl.out`,
    ]);
    // Any other file's content is its bytes as they are: the input's Bedrock records.
    const input = await (await openai.files.content(inputFileId)).text();
    expect(input).toBe(mock.objects.get('jobs/one.jsonl')?.body.toString('utf8'));
  });

  it('a create retried after Bedrock’s 500 sends the same clientRequestToken and answers the one job it started', async () => {
    const inputFileId = await upload('jobs/retried.jsonl');
    const before = bedrockCalls().length;
    const jobsBefore = mock.jobs.size;
    mock.failCreates = 1;
    const client = portkey({
      config: { virtual_key: 'bedrock-batches', retry: { attempts: 2, on_status_codes: [500] } },
    });
    const batch = (await client.batches.create({
      input_file_id: inputFileId,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      role_arn: ROLE,
    } as never)) as unknown as Record<string, unknown>;
    const creates = bedrockCalls()
      .slice(before)
      .filter((call) => call.method === 'POST' && call.path === '/model-invocation-job')
      .map((call) => JSON.parse(call.raw.toString('utf8')) as Record<string, unknown>);
    expect(creates).toHaveLength(2);
    const [first, second] = creates;
    expect(first?.clientRequestToken).toMatch(/^[a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}$/);
    // The same request twice: token and default job name, so Bedrock takes the second as the first.
    expect(second).toEqual(first);
    expect(String(first?.jobName)).toBe(`pk-batch-${String(first?.clientRequestToken)}`);
    expect(mock.jobs.size).toBe(jobsBefore + 1);
    const job = [...mock.jobs.values()].at(-1);
    expect(job?.clientRequestToken).toBe(first?.clientRequestToken);
    expect(batch).toMatchObject({
      id: job?.jobArn.slice(-12),
      status: 'validating',
      input_file_id: inputFileId,
    });

    // Another client request is another token: a new job, not the first one again.
    const other = (await client.batches.create({
      input_file_id: inputFileId,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      role_arn: ROLE,
    } as never)) as unknown as Record<string, unknown>;
    expect(other.id).not.toBe(batch.id);
    expect(mock.jobs.size).toBe(jobsBefore + 2);
  });

  it('a create that falls back to a target on the same account after a 500 sends the first target’s token', async () => {
    const inputFileId = await upload('jobs/fallback.jsonl');
    const before = bedrockCalls().length;
    const jobsBefore = mock.jobs.size;
    mock.failCreates = 1;
    const batch = (await portkey({
      config: {
        strategy: { mode: 'fallback', on_status_codes: [500] },
        targets: [{ virtual_key: 'bedrock-batches' }, { virtual_key: 'bedrock-batches' }],
      },
    }).batches.create({
      input_file_id: inputFileId,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      role_arn: ROLE,
    } as never)) as unknown as Record<string, unknown>;
    const tokens = bedrockCalls()
      .slice(before)
      .filter((call) => call.method === 'POST' && call.path === '/model-invocation-job')
      .map((call) => (JSON.parse(call.raw.toString('utf8')) as Record<string, unknown>).clientRequestToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).toBe(tokens[0]);
    expect(mock.jobs.size).toBe(jobsBefore + 1);
    expect(batch.id).toBe([...mock.jobs.values()].at(-1)?.jobArn.slice(-12));
  });

  it('batches.cancel stops the job and answers it cancelling, with a virtual key’s credentials', async () => {
    const inputFileId = await upload('jobs/two.jsonl');
    const vk = new Portkey({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      virtualKey: 'bedrock-batches',
      maxRetries: 0,
    });
    const batch = (await vk.batches.create({
      input_file_id: inputFileId,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      role_arn: ROLE,
    } as never)) as unknown as Record<string, unknown>;
    const jobId = String(batch.id);
    expect(mock.jobs.get(jobId)).toMatchObject({ modelId: MODEL, status: 'Submitted' });
    const cancelled = (await vk.batches.cancel(jobId)) as unknown as Record<string, unknown>;
    expect(cancelled).toMatchObject({ id: jobId, object: 'batch', status: 'cancelling' });
    expect(bedrockCalls().map((call) => `${call.method} ${call.path}`)).toContain(
      `POST /model-invocation-job/${jobId}/stop`,
    );
  });
});

describe('OpenAI files on Bedrock’s S3 through pk', () => {
  it('files.retrieve is S3’s HeadObject, answered as the OpenAI file files.create gave', async () => {
    const id = await upload('kept/one.jsonl');
    const before = s3Calls().length;
    const file = (await portkey().files.retrieve(id)) as unknown as Record<string, unknown>;
    expect(s3Calls().slice(before)).toMatchObject([{ method: 'HEAD', path: '/kept/one.jsonl' }]);
    expect(String(s3Calls().at(-1)?.headers.authorization)).toMatch(/\/us-east-1\/s3\/aws4_request/);
    expect(file).toMatchObject({
      id,
      object: 'file',
      bytes: mock.objects.get('kept/one.jsonl')?.body.length,
      created_at: Math.floor((mock.objects.get('kept/one.jsonl')?.modified.getTime() ?? 0) / 1000),
      filename: 'one.jsonl',
      purpose: 'batch',
      status: 'processed',
      status_details: null,
    });
    const missing = await rejectionOf(
      portkey().files.retrieve(
        `file-bedrock-${Buffer.from(`s3://${BATCH_BUCKET}/kept/none.jsonl`).toString('base64url')}`,
      ),
    );
    expect(missing).toMatchObject({ status: 404 });
    expect(missing.message).toContain('NotFound: no such file');
  });

  it('files.list is ListObjectsV2 under the object key’s folder, paged by limit and after', async () => {
    const a = await upload('listed/a.jsonl');
    const b = await upload('listed/b.jsonl');
    await upload('elsewhere/c.jsonl');
    const client = portkey({ awsS3ObjectKey: 'listed/' });
    const first = (await client.files.list({ limit: 1 } as never)) as unknown as {
      data: Record<string, unknown>[];
      has_more: boolean;
    };
    expect(s3Calls().at(-1)).toMatchObject({
      method: 'GET',
      path: '/?list-type=2&max-keys=1&prefix=listed%2F',
    });
    expect(first.data.map((file) => [file.id, file.filename, file.purpose])).toEqual([
      [a, 'a.jsonl', 'batch'],
    ]);
    expect(first.has_more).toBe(true);
    // The openai SDK's own pagination: each next page starts after the last id.
    const openai = new OpenAI({
      baseURL: gateway.base,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: {
        'x-portkey-api-key': GATEWAY_KEY,
        'x-portkey-virtual-key': 'bedrock-batches',
        'x-portkey-aws-s3-object-key': 'listed/',
      },
    });
    const all: string[] = [];
    for await (const file of openai.files.list({ limit: 1 })) all.push(file.id);
    expect(all).toEqual([a, b]);
    expect(s3Calls().at(-1)?.path).toBe(
      `/?list-type=2&max-keys=1&prefix=listed%2F&start-after=listed%2Fa.jsonl`,
    );
  });

  it('files.content of a .out file no Bedrock job wrote is its bytes as they are', async () => {
    const body = Buffer.from('{"recordId":"r","modelInput":{},"modelOutput":{"id":"m"}}\n');
    mock.objects.set('copies/zzzzzzzzzzzz/old.jsonl.out', {
      body,
      contentType: 'application/octet-stream',
      modified: new Date(),
    });
    const id = `file-bedrock-${Buffer.from(`s3://${BATCH_BUCKET}/copies/zzzzzzzzzzzz/old.jsonl.out`).toString('base64url')}`;
    const before = mock.received.length;
    const openai = new OpenAI({
      baseURL: gateway.base,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-api-key': GATEWAY_KEY, 'x-portkey-virtual-key': 'bedrock-batches' },
    });
    expect(await (await openai.files.content(id)).text()).toBe(body.toString('utf8'));
    expect(mock.received.slice(before).map((call) => `${call.method} ${call.path}`)).toEqual([
      'GET /model-invocation-job/zzzzzzzzzzzz',
      'GET /copies/zzzzzzzzzzzz/old.jsonl.out',
    ]);
  });

  it('files.delete is HeadObject then DeleteObject, and a file already gone is a 404', async () => {
    const id = await upload('gone/one.jsonl');
    const before = s3Calls().length;
    const deleted = (await portkey().files.delete(id)) as unknown as Record<string, unknown>;
    expect(deleted).toMatchObject({ id, object: 'file', deleted: true });
    expect(
      s3Calls()
        .slice(before)
        .map((call) => `${call.method} ${call.path}`),
    ).toEqual(['HEAD /gone/one.jsonl', 'DELETE /gone/one.jsonl']);
    expect(mock.objects.has('gone/one.jsonl')).toBe(false);
    const again = await rejectionOf(portkey().files.delete(id));
    expect(again).toMatchObject({ status: 404 });
  });
});

describe('what pk refuses or passes on for Bedrock batches', () => {
  it('files.create without a bucket names the header it needs, before any call to AWS', async () => {
    const before = mock.received.length;
    const error = await rejectionOf(
      portkey({ awsS3Bucket: null }).files.create({
        file: await toFile(Buffer.from(INPUT), 'a.jsonl'),
        purpose: 'batch',
      }),
    );
    expect(error).toMatchObject({ status: 400 });
    expect(error.message).toContain(
      'a Bedrock file upload needs aws_s3_bucket (the x-portkey-aws-s3-bucket header)',
    );
    expect(mock.received.length).toBe(before);
  });

  it('batches.create without role_arn is a 400 naming it', async () => {
    const input_file_id = `file-bedrock-${Buffer.from(`s3://${BATCH_BUCKET}/x.jsonl`).toString('base64url')}`;
    const before = mock.received.length;
    const error = await rejectionOf(
      portkey().batches.create({
        input_file_id,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      } as never),
    );
    expect(error).toMatchObject({ status: 400 });
    expect(error.message).toContain('a Bedrock batch needs role_arn in the body');
    expect(mock.received.length).toBe(before);
  });

  it('a job Bedrock does not know is its 404, and S3’s refusal of a wrong secret its 403 without the signed text', async () => {
    const missing = await rejectionOf(portkey().batches.retrieve('zzzzzzzzzzzz'));
    expect(missing).toMatchObject({ status: 404 });
    expect(missing.message).toContain('could not be found');
    const wrong = await rejectionOf(
      portkey({
        awsSecretAccessKey: 'wrong/Secret+Access/Key0123456789abcde',
        awsS3ObjectKey: 'x.jsonl',
      }).files.create({
        file: await toFile(Buffer.from(INPUT), 'x.jsonl'),
        purpose: 'batch',
      }),
    );
    expect(wrong).toMatchObject({ status: 403 });
    expect(wrong.message).toContain('SignatureDoesNotMatch');
    expect(wrong.message).not.toContain('AWS4-HMAC-SHA256');
  });

  it('a call Bedrock has no counterpart for is a 400 naming the path', async () => {
    const error = await rejectionOf(portkey().fineTuning.jobs.list());
    expect(error).toMatchObject({ status: 400, code: 'PK_ERR_UNSUPPORTED_ENDPOINT' });
    expect(error.message).toContain(
      "provider 'bedrock' does not support the path /fine_tuning/jobs (passed through)",
    );
  });
});
