import { describe, expect, it } from 'vitest';
import { testContext } from '../../test-support/context.js';
import { fileListOfListObjects, fileOfHeadObject, folderOfKey, listObjectsQuery } from './files.js';
import { batchIdOfJobArn, fileIdOfS3Uri, s3LocationOfFileId } from './ids.js';
import { createJobBody, openAIBatchStatusOf, toOpenAIBatch } from './jobs.js';
import { bedrockBatchOperationOf } from './operations.js';
import { toOpenAIBatchOutputLine } from './output.js';
import { toBedrockBatchRecords } from './records.js';
import { toS3OrBedrockUpstreamError } from './s3-errors.js';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const ARN = 'arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcd1234efgh';
const context = testContext('bedrock', { provider: 'bedrock', aws_region: 'us-east-1' });

describe('Bedrock batch records', () => {
  it('turns each OpenAI batch line into a record with the Claude InvokeModel body', () => {
    const line = {
      custom_id: 'req-1',
      method: 'POST',
      url: '/v1/chat/completions',
      body: {
        model: 'ignored',
        max_tokens: 50,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
      },
    };
    const { jsonl, count } = toBedrockBatchRecords(`${JSON.stringify(line)}\n\n`, MODEL, context);
    expect(count).toBe(1);
    expect(
      jsonl
        .trim()
        .split('\n')
        .map((text) => JSON.parse(text)),
    ).toEqual([
      {
        recordId: 'req-1',
        modelInput: {
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 50,
          system: 'Be brief.',
          messages: [{ role: 'user', content: 'Hi' }],
        },
      },
    ]);
  });

  it('names the line that is not a batch line, and refuses a model that is not Claude', () => {
    const good = '{"custom_id":"a","body":{"messages":[{"role":"user","content":"Hi"}]}}';
    expect(() => toBedrockBatchRecords(`${good}\nnope\n`, MODEL, context)).toThrow(
      /batch input line 2: not JSON/,
    );
    expect(() =>
      toBedrockBatchRecords(`${good}\n{"custom_id":"b","body":{"messages":[]}}`, MODEL, context),
    ).toThrow(/batch input line 2: invalid chat request at 'messages'/);
    expect(() => toBedrockBatchRecords('{}', 'amazon.titan-text-express-v1', context)).toThrow(
      /Claude models on Bedrock only/,
    );
  });
});

describe('Bedrock batch jobs', () => {
  it('maps each Bedrock job status to OpenAI’s', () => {
    expect(
      ['Submitted', 'Validating', 'Scheduled', 'InProgress', 'Completed', 'PartiallyCompleted', 'Failed'].map(
        openAIBatchStatusOf,
      ),
    ).toEqual(['validating', 'validating', 'in_progress', 'in_progress', 'completed', 'completed', 'failed']);
    expect(['Stopping', 'Stopped', 'Expired'].map(openAIBatchStatusOf)).toEqual([
      'cancelling',
      'cancelled',
      'expired',
    ]);
  });

  it('answers a completed job as an OpenAI batch whose output file is the job’s .out object', () => {
    const input = 's3://pk-batches/in/requests.jsonl';
    const batch = toOpenAIBatch(
      {
        jobArn: ARN,
        modelId: MODEL,
        status: 'Completed',
        submitTime: '2026-12-07T10:00:00Z',
        endTime: '2026-12-07T11:00:00Z',
        inputDataConfig: { s3InputDataConfig: { s3Uri: input } },
        outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://pk-batches/out/' } },
      },
      'bedrock',
    );
    expect(batch).toMatchObject({
      id: 'abcd1234efgh',
      object: 'batch',
      status: 'completed',
      input_file_id: fileIdOfS3Uri(input),
      output_file_id: fileIdOfS3Uri('s3://pk-batches/out/abcd1234efgh/requests.jsonl.out'),
      created_at: Date.parse('2026-12-07T10:00:00Z') / 1000,
      completed_at: Date.parse('2026-12-07T11:00:00Z') / 1000,
    });
    expect(batchIdOfJobArn(ARN)).toBe('abcd1234efgh');
    expect(batch.request_counts).toBeNull();
  });

  it('answers Bedrock’s record counts as OpenAI’s request_counts, where Bedrock sends them', () => {
    const job = { jobArn: ARN, modelId: MODEL, status: 'InProgress' };
    expect(
      toOpenAIBatch(
        {
          ...job,
          totalRecordCount: 120,
          processedRecordCount: 50,
          successRecordCount: 47,
          errorRecordCount: 3,
        },
        'bedrock',
      ).request_counts,
    ).toEqual({ total: 120, completed: 47, failed: 3 });
    expect(
      toOpenAIBatch({ ...job, totalRecordCount: 10, processedRecordCount: 4, errorRecordCount: 1 }, 'bedrock')
        .request_counts,
    ).toEqual({ total: 10, completed: 3, failed: 1 });
    expect(toOpenAIBatch({ ...job, errorRecordCount: 1 }, 'bedrock').request_counts).toBeNull();
  });

  it('builds CreateModelInvocationJob with the output next to the input, the request’s token, and asks for role_arn', () => {
    const input_file_id = fileIdOfS3Uri('s3://pk-batches/in/requests.jsonl');
    const requestToken = '0b6f7f52-6c2e-4d7e-9a51-3f1e2d4c5b6a';
    const body = createJobBody({
      body: { input_file_id, model: MODEL, role_arn: 'arn:aws:iam::123456789012:role/batch' },
      model: undefined,
      kmsKeyId: undefined,
      requestToken,
    });
    expect(body).toEqual({
      jobName: `pk-batch-${requestToken}`,
      roleArn: 'arn:aws:iam::123456789012:role/batch',
      modelId: MODEL,
      inputDataConfig: {
        s3InputDataConfig: { s3Uri: 's3://pk-batches/in/requests.jsonl', s3InputFormat: 'JSONL' },
      },
      outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://pk-batches/in/' } },
      clientRequestToken: requestToken,
    });
    // Bedrock's patterns: clientRequestToken ^[a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}$, jobName up to 63.
    expect(body.clientRequestToken).toMatch(/^[a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}$/);
    expect(String(body.jobName)).toMatch(/^[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9+\-.]){0,63}$/);
    expect(String(body.jobName).length).toBeLessThanOrEqual(63);
    expect(() =>
      createJobBody({
        body: { input_file_id, model: MODEL },
        model: undefined,
        kmsKeyId: undefined,
        requestToken,
      }),
    ).toThrow(/needs role_arn/);
    expect(() => s3LocationOfFileId('file-abc', 'input_file_id')).toThrow(/not a Bedrock file id/);
  });
});

describe('Bedrock batch output', () => {
  it('turns a record’s Claude answer into an OpenAI batch output line, and a failed record into its error', () => {
    const answer = toOpenAIBatchOutputLine(
      {
        recordId: 'req-1',
        modelInput: { max_tokens: 5, messages: [] },
        modelOutput: {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'claude',
          content: [{ type: 'text', text: 'Paris.' }],
          stop_reason: 'end_turn',
          usage: { input_tokens: 3, output_tokens: 2 },
        },
      },
      MODEL,
      context,
    );
    expect(answer).toMatchObject({
      id: 'batch_req_msg_1',
      custom_id: 'req-1',
      response: {
        status_code: 200,
        request_id: 'msg_1',
        body: {
          object: 'chat.completion',
          model: MODEL,
          choices: [{ message: { role: 'assistant', content: 'Paris.' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 2 },
        },
      },
      error: null,
    });
    expect(
      toOpenAIBatchOutputLine(
        { recordId: 'req-2', modelInput: {}, error: { errorCode: 400, errorMessage: 'Malformed input' } },
        MODEL,
        context,
      ),
    ).toMatchObject({
      custom_id: 'req-2',
      response: null,
      error: { code: '400', message: 'Malformed input' },
    });
  });
});

describe('Bedrock files and batches calls', () => {
  it('reads the calls pk answers from the method and path, and no other', () => {
    expect(bedrockBatchOperationOf({ method: 'POST', path: '/files' })).toEqual({ kind: 'upload-file' });
    expect(bedrockBatchOperationOf({ method: 'GET', path: '/batches/abcd1234efgh/output' })).toEqual({
      kind: 'batch-output',
      batchId: 'abcd1234efgh',
    });
    expect(bedrockBatchOperationOf({ method: 'POST', path: '/batches/abcd1234efgh/cancel' })).toMatchObject({
      kind: 'cancel-batch',
    });
    expect(bedrockBatchOperationOf({ method: 'DELETE', path: '/files/x' })).toEqual({
      kind: 'delete-file',
      fileId: 'x',
    });
    expect(bedrockBatchOperationOf({ method: 'GET', path: '/files/x' })).toEqual({
      kind: 'retrieve-file',
      fileId: 'x',
    });
    expect(bedrockBatchOperationOf({ method: 'GET', path: '/files?limit=2' })).toMatchObject({
      kind: 'list-files',
    });
    expect(bedrockBatchOperationOf({ method: 'PUT', path: '/files/x' })).toBeUndefined();
    expect(bedrockBatchOperationOf({ method: 'POST', path: '/images/generations' })).toBeUndefined();
  });

  it('reads S3’s XML error without the signed text it quotes', () => {
    const error = toS3OrBedrockUpstreamError({
      provider: 'bedrock',
      status: 403,
      body: '<?xml version="1.0"?><Error><Code>SignatureDoesNotMatch</Code><Message>The signature we calculated does not match</Message><StringToSign>AWS4 secret-ish</StringToSign></Error>',
      headers: {},
      now: 0,
    });
    expect(error.status).toBe(403);
    expect(error.message).toContain('SignatureDoesNotMatch: The signature we calculated does not match');
    expect(JSON.stringify(error.raw)).not.toContain('secret-ish');
  });
});

describe('Bedrock files in S3', () => {
  const bucket = 'pk-batches';

  it('answers HeadObject as an OpenAI file: size, time, name, and batch_output for a job’s output', () => {
    const input = fileOfHeadObject(
      { bucket, key: 'in/requests.jsonl' },
      { 'content-length': '512', 'last-modified': 'Mon, 07 Dec 2026 10:00:00 GMT' },
    );
    expect(input).toEqual({
      id: fileIdOfS3Uri('s3://pk-batches/in/requests.jsonl'),
      object: 'file',
      bytes: 512,
      created_at: Date.parse('2026-12-07T10:00:00Z') / 1000,
      filename: 'requests.jsonl',
      purpose: 'batch',
      status: 'processed',
      status_details: null,
    });
    expect(fileOfHeadObject({ bucket, key: 'in/abcd1234efgh/requests.jsonl.out' }, {}).purpose).toBe(
      'batch_output',
    );
  });

  it('answers ListObjectsV2 as OpenAI’s file list, folder markers left out', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>pk-batches</Name><Prefix>in/</Prefix><KeyCount>3</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
<Contents><Key>in/</Key><LastModified>2026-12-07T09:00:00.000Z</LastModified><Size>0</Size></Contents>
<Contents><Key>in/a&amp;b.jsonl</Key><LastModified>2026-12-07T10:00:00.000Z</LastModified><ETag>"x"</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>
</ListBucketResult>`;
    const list = fileListOfListObjects(xml, bucket);
    const id = fileIdOfS3Uri('s3://pk-batches/in/a&b.jsonl');
    expect(list).toEqual({
      object: 'list',
      data: [expect.objectContaining({ id, filename: 'a&b.jsonl', bytes: 12 })],
      first_id: id,
      last_id: id,
      has_more: true,
    });
  });

  it('lists under the object key’s folder, limit as max-keys and after as start-after', () => {
    expect(folderOfKey('in/sub/requests.jsonl')).toBe('in/sub/');
    expect(folderOfKey('requests.jsonl')).toBe('');
    const after = fileIdOfS3Uri('s3://pk-batches/in/a b.jsonl');
    expect(
      listObjectsQuery({ bucket, prefix: 'in/', query: new URLSearchParams({ limit: '5000', after }) }),
    ).toBe('list-type=2&max-keys=1000&prefix=in%2F&start-after=in%2Fa%20b.jsonl');
    expect(listObjectsQuery({ bucket, prefix: '', query: new URLSearchParams() })).toBe(
      'list-type=2&max-keys=1000',
    );
    const elsewhere = fileIdOfS3Uri('s3://other-bucket/x.jsonl');
    expect(() =>
      listObjectsQuery({ bucket, prefix: '', query: new URLSearchParams({ after: elsewhere }) }),
    ).toThrow(/not in 'pk-batches'/);
  });

  it('reads S3’s bodiless 404 (HeadObject) as a missing file', () => {
    const error = toS3OrBedrockUpstreamError({
      provider: 'bedrock',
      status: 404,
      body: '',
      headers: {},
      now: 0,
    });
    expect(error.status).toBe(404);
    expect(error.message).toContain('NotFound: no such file');
  });
});
