import { PkError } from '@pk/config';
import { isJsonObject, parseJsonOrUndefined } from '../../shared/json.js';
import { readTargetString } from '../../shared/target-options.js';
import type {
  FilesAndBatchesAnswer,
  FilesAndBatchesExchange,
  FilesAndBatchesRoute,
  FilesAndBatchesScope,
  PreparedRequest,
  ProviderContext,
} from '../../spec/provider-adapter.js';
import { UpstreamError } from '../../spec/upstream-error.js';
import type { UpstreamRequest, UpstreamResponse } from '../../spec/upstream-request.js';
import { readBedrockAuthType, readBedrockRegion } from '../credentials.js';
import { fileListOfListObjects, fileOfHeadObject, folderOfKey, listObjectsQuery } from './files.js';
import {
  bedrockControlPlaneUrl,
  checkedBatchId,
  checkedBucket,
  fileIdOfS3Uri,
  type S3Location,
  s3LocationOfFileId,
  s3ObjectUrl,
} from './ids.js';
import { createJobBody, outputS3UriOf, toOpenAIBatch } from './jobs.js';
import { type BedrockBatchOperation, bedrockBatchOperationOf } from './operations.js';
import { openAIBatchOutputOf } from './output.js';
import { toBedrockBatchRecords } from './records.js';
import { toS3OrBedrockUpstreamError } from './s3-errors.js';

/** What every operation reads. */
interface Call {
  readonly request: PreparedRequest;
  readonly context: ProviderContext;
  readonly exchange: FilesAndBatchesExchange;
  readonly region: string;
  readonly scope: FilesAndBatchesScope;
}

const json = (body: unknown, status = 200): FilesAndBatchesAnswer => ({ kind: 'json', status, body });

/** A 2xx answer's JSON; anything else is a retryable 502, as every provider answer that is not JSON. */
async function jsonOf(call: Call, response: UpstreamResponse): Promise<Record<string, unknown>> {
  const parsed = parseJsonOrUndefined(await call.exchange.text(response));
  if (isJsonObject(parsed)) return parsed;
  throw new UpstreamError({
    provider: call.context.provider,
    status: 502,
    message: 'bedrock answered with invalid JSON',
    type: 'api_error',
    code: 'PK_ERR_UPSTREAM_UNAVAILABLE',
  });
}

/** A Bedrock API key signs nothing S3 takes: files need AWS credentials. */
function refuseApiKeyForS3(context: ProviderContext): void {
  if (readBedrockAuthType(context.target) !== 'apiKey') return;
  throw new PkError(
    'PK_ERR_INVALID_REQUEST',
    'Bedrock files live in S3, which takes no Amazon Bedrock API key: use aws_auth_type accessKey or assumedRole',
    { param: 'aws_auth_type' },
  );
}

/** A target option that a call cannot do without: 400 naming it and its header. */
function requiredOption(
  context: ProviderContext,
  name: string,
  header: string,
  what = 'file upload',
): string {
  const value = readTargetString(context.target, name);
  if (value === undefined) {
    throw new PkError('PK_ERR_INVALID_REQUEST', `a Bedrock ${what} needs ${name} (the ${header} header)`, {
      param: name,
    });
  }
  return value;
}

/** The JSONL of a `files.create` multipart body (its `file` part), refused when not a batch file. */
async function uploadedFileOf(request: PreparedRequest): Promise<{ text: string; filename: string }> {
  if (request.rawBody === undefined || request.contentType === undefined) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'files.create takes a multipart/form-data body with a file part',
      {
        param: 'file',
      },
    );
  }
  // The body is already in memory (bounded by the gateway's body limit); undici's form parser reads it.
  const form = await new Response(request.rawBody, {
    headers: { 'content-type': request.contentType },
  })
    .formData()
    .catch(() => {
      throw new PkError(
        'PK_ERR_INVALID_REQUEST',
        'the files.create body is not well-formed multipart/form-data',
        {
          param: 'file',
        },
      );
    });
  const purpose = form.get('purpose');
  if (purpose !== null && purpose !== 'batch') {
    throw new PkError(
      'PK_ERR_UNSUPPORTED_ENDPOINT',
      `pk uploads Bedrock files for purpose batch only, not ${String(purpose).slice(0, 40)}`,
      { param: 'purpose' },
    );
  }
  const file = form.get('file');
  if (file === null || typeof file === 'string') {
    throw new PkError('PK_ERR_INVALID_REQUEST', 'files.create needs a file part', { param: 'file' });
  }
  return { text: await file.text(), filename: file.name };
}

/**
 * `files.create`: the JSONL translated to Bedrock's records ({@link toBedrockBatchRecords}) and put
 * in one S3 PutObject at `aws_s3_bucket`/`aws_s3_object_key` (default `<uuid>.jsonl`), SSE headers
 * from the target. The whole upload is in memory, bounded by the gateway's body limit
 * (`limits.body_limit_bytes`, 20 MiB by default): one PutObject takes up to 5 GB.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 */
async function uploadFile(call: Call): Promise<FilesAndBatchesAnswer> {
  const { context, request, exchange, region } = call;
  refuseApiKeyForS3(context);
  const bucket = checkedBucket(requiredOption(context, 'aws_s3_bucket', 'x-portkey-aws-s3-bucket'));
  const model = requiredOption(context, 'aws_bedrock_model', 'x-portkey-aws-bedrock-model');
  const key = readTargetString(context.target, 'aws_s3_object_key') ?? `${crypto.randomUUID()}.jsonl`;
  const { text, filename } = await uploadedFileOf(request);
  const records = toBedrockBatchRecords(text, model, context);
  const body = new TextEncoder().encode(records.jsonl);
  const sse = readTargetString(context.target, 'aws_server_side_encryption');
  const kmsKeyId = readTargetString(context.target, 'aws_server_side_encryption_kms_key_id');
  const put: UpstreamRequest = {
    url: s3ObjectUrl({ bucket, key }, region),
    method: 'PUT',
    headers: {
      'content-type': 'application/jsonl',
      ...(kmsKeyId === undefined
        ? sse === undefined
          ? {}
          : { 'x-amz-server-side-encryption': sse }
        : {
            'x-amz-server-side-encryption': 'aws:kms',
            'x-amz-server-side-encryption-aws-kms-key-id': kmsKeyId,
          }),
    },
    body,
  };
  await exchange.text(await exchange.send(put));
  const uri = `s3://${bucket}/${key}`;
  return json({
    id: fileIdOfS3Uri(uri),
    object: 'file',
    bytes: body.byteLength,
    created_at: Math.floor(context.now() / 1000),
    filename: filename || uri,
    purpose: 'batch',
    status: 'processed',
    status_details: null,
  });
}

/** The job id in the key of a job's output (`…/{job id}/{input name}.out`), or `undefined`. */
function outputJobIdOf(key: string): string | undefined {
  return /(?:^|\/)([a-z0-9]{12})\/[^/]+\.out$/.exec(key)?.[1];
}

/** GetModelInvocationJob's answer, or `undefined` when Bedrock has no such job (its 404). */
async function jobIfAny(call: Call, batchId: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await getJob(call, batchId)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof UpstreamError && error.status === 404) return undefined;
    throw error;
  }
}

/** An output object's Bedrock records, read from S3 as they come, as OpenAI's batch output lines. */
async function openAIOutputOf(
  call: Call,
  location: S3Location,
  model: string,
): Promise<FilesAndBatchesAnswer> {
  const answer = await call.exchange.send({
    url: s3ObjectUrl(location, call.region),
    method: 'GET',
    headers: {},
  });
  return {
    kind: 'raw',
    status: 200,
    contentType: 'application/octet-stream',
    body: openAIBatchOutputOf(answer.body, model, call.context),
  };
}

/**
 * `files.content`: the S3 object's bytes as they come (GetObject). A batch's `output_file_id` (the
 * `.out` object Bedrock wrote for a job, checked against GetModelInvocationJob) is answered as
 * OpenAI's batch output lines, as `batches.output` answers them: that is what OpenAI's
 * `files.content(batch.output_file_id)` gives; Bedrock's own records stay in S3.
 */
async function fileContent(call: Call, fileId: string): Promise<FilesAndBatchesAnswer> {
  refuseApiKeyForS3(call.context);
  const location = s3LocationOfFileId(fileId, 'file_id');
  const jobId = outputJobIdOf(location.key);
  const job = jobId === undefined ? undefined : await jobIfAny(call, jobId);
  if (job !== undefined && outputS3UriOf(job) === location.uri) {
    return openAIOutputOf(call, location, typeof job.modelId === 'string' ? job.modelId : '');
  }
  const answer = await call.exchange.send({
    url: s3ObjectUrl(location, call.region),
    method: 'GET',
    headers: {},
  });
  return {
    kind: 'raw',
    status: 200,
    contentType: answer.headers['content-type'] ?? 'application/octet-stream',
    body: answer.body,
  };
}

/**
 * `files.retrieve`: S3 HeadObject, answered as OpenAI's File (size, last-modified time, the key's
 * last segment as name). A missing object is S3's 404.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html
 */
async function retrieveFile(call: Call, fileId: string): Promise<FilesAndBatchesAnswer> {
  refuseApiKeyForS3(call.context);
  const location = s3LocationOfFileId(fileId, 'file_id');
  const url = s3ObjectUrl(location, call.region);
  const answer = await call.exchange.send({ url, method: 'HEAD', headers: {} });
  await call.exchange.text(answer);
  return json(fileOfHeadObject(location, answer.headers));
}

/**
 * `files.delete`: HeadObject (S3's DeleteObject answers 204 for a key that is not there too, where
 * OpenAI answers 404), then DeleteObject; answered as OpenAI's `{id, object: "file", deleted: true}`.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
 */
async function deleteFile(call: Call, fileId: string): Promise<FilesAndBatchesAnswer> {
  refuseApiKeyForS3(call.context);
  const location = s3LocationOfFileId(fileId, 'file_id');
  const url = s3ObjectUrl(location, call.region);
  await call.exchange.text(await call.exchange.send({ url, method: 'HEAD', headers: {} }));
  await call.exchange.text(await call.exchange.send({ url, method: 'DELETE', headers: {} }));
  return json({ id: fileId, object: 'file', deleted: true });
}

/**
 * `files.list`: S3 ListObjectsV2 of `aws_s3_bucket` under the folder of `aws_s3_object_key` (the
 * whole bucket without one), in key order; `limit` as `max-keys`, `after` as `start-after`.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
async function listFiles(call: Call, query: URLSearchParams): Promise<FilesAndBatchesAnswer> {
  const { context } = call;
  refuseApiKeyForS3(context);
  const bucket = checkedBucket(
    requiredOption(context, 'aws_s3_bucket', 'x-portkey-aws-s3-bucket', 'file list'),
  );
  const prefix = folderOfKey(readTargetString(context.target, 'aws_s3_object_key'));
  const search = listObjectsQuery({ bucket, prefix, query });
  const url = `${s3ObjectUrl({ bucket, key: '' }, call.region)}?${search}`;
  const answer = await call.exchange.send({ url, method: 'GET', headers: {} });
  return json(fileListOfListObjects(await call.exchange.text(answer), bucket));
}

/** GetModelInvocationJob's answer. */
async function getJob(call: Call, batchId: string): Promise<unknown> {
  const url = `${bedrockControlPlaneUrl(call.region)}/model-invocation-job/${checkedBatchId(batchId)}`;
  return jsonOf(call, await call.exchange.send({ url, method: 'GET', headers: {} }));
}

/** `batches.create`: CreateModelInvocationJob, answered as the batch it started. */
async function createBatch(call: Call): Promise<FilesAndBatchesAnswer> {
  const { context, request, exchange, region } = call;
  const body = createJobBody({
    body: request.body,
    model: readTargetString(context.target, 'aws_bedrock_model'),
    kmsKeyId: readTargetString(context.target, 'aws_server_side_encryption_kms_key_id'),
    requestToken: call.scope.requestToken,
  });
  const answer = await exchange.send({
    url: `${bedrockControlPlaneUrl(region)}/model-invocation-job`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const created = await jsonOf(call, answer);
  const submitTime = new Date(context.now()).toISOString();
  return json(
    toOpenAIBatch({ ...body, jobArn: created.jobArn, status: 'Submitted', submitTime }, context.provider),
  );
}

/**
 * `batches.list`: ListModelInvocationJobs, newest first, `limit` as `maxResults`. OpenAI's `after`
 * (a batch id) has no Bedrock counterpart (it pages by token): refused with a 400 naming it.
 */
async function listBatches(call: Call, query: URLSearchParams): Promise<FilesAndBatchesAnswer> {
  if (query.has('after')) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'Bedrock lists batch jobs by page token, not after a batch id: pk answers the first page only (give limit, up to 1000)',
      { param: 'after' },
    );
  }
  const limit = Number(query.get('limit') ?? '20');
  const maxResults = Number.isInteger(limit) && limit >= 1 && limit <= 1000 ? limit : 20;
  const url = `${bedrockControlPlaneUrl(call.region)}/model-invocation-jobs?maxResults=${maxResults}&sortBy=CreationTime&sortOrder=Descending`;
  const answer = await call.exchange.send({ url, method: 'GET', headers: {} });
  const list = await jsonOf(call, answer);
  const jobs = Array.isArray(list.invocationJobSummaries) ? list.invocationJobSummaries : [];
  const data = jobs.map((job) => toOpenAIBatch(job, call.context.provider));
  return json({
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: typeof list.nextToken === 'string' && list.nextToken !== '',
  });
}

/** `batches.cancel`: StopModelInvocationJob, then the job as it is now. */
async function cancelBatch(call: Call, batchId: string): Promise<FilesAndBatchesAnswer> {
  const url = `${bedrockControlPlaneUrl(call.region)}/model-invocation-job/${checkedBatchId(batchId)}/stop`;
  await call.exchange.text(await call.exchange.send({ url, method: 'POST', headers: {} }));
  return json(toOpenAIBatch(await getJob(call, batchId), call.context.provider));
}

/**
 * Portkey's `batches.output`: the job, then its output object in S3 (`{output}/{job id}/{input}.out`)
 * translated line by line into OpenAI's batch output ({@link openAIBatchOutputOf}). A job that has
 * not ended has no output yet: 400 with its status.
 */
async function batchOutput(call: Call, batchId: string): Promise<FilesAndBatchesAnswer> {
  refuseApiKeyForS3(call.context);
  const job = await getJob(call, batchId);
  const batch = toOpenAIBatch(job, call.context.provider);
  const uri = outputS3UriOf(job as Record<string, unknown>);
  if (batch.output_file_id === null || uri === undefined) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      `batch ${batchId} has no output yet (status: ${String(batch.status)}); its output can be read once the batch has ended`,
      { param: 'batch_id' },
    );
  }
  const location = s3LocationOfFileId(fileIdOfS3Uri(uri), 'batch_id');
  return openAIOutputOf(call, location, typeof batch.model === 'string' ? batch.model : '');
}

function run(call: Call, operation: BedrockBatchOperation): Promise<FilesAndBatchesAnswer> {
  switch (operation.kind) {
    case 'upload-file':
      return uploadFile(call);
    case 'list-files':
      return listFiles(call, operation.query);
    case 'retrieve-file':
      return retrieveFile(call, operation.fileId);
    case 'delete-file':
      return deleteFile(call, operation.fileId);
    case 'file-content':
      return fileContent(call, operation.fileId);
    case 'create-batch':
      return createBatch(call);
    case 'list-batches':
      return listBatches(call, operation.query);
    case 'retrieve-batch':
      return getJob(call, operation.batchId).then((job) => json(toOpenAIBatch(job, call.context.provider)));
    case 'cancel-batch':
      return cancelBatch(call, operation.batchId);
    case 'batch-output':
      return batchOutput(call, operation.batchId);
  }
}

/**
 * OpenAI's files and batches on Bedrock, as Portkey's gateway runs them: a batch file goes to S3 as
 * Bedrock records, a batch is a model invocation job (`bedrock.{region}.amazonaws.com`), its output
 * read back from S3 as OpenAI's batch output. Every call is signed by the adapter's `authorize` (SigV4,
 * service `s3` for S3's hosts).
 */
export const bedrockFilesAndBatches: FilesAndBatchesRoute = {
  accepts: (request) => bedrockBatchOperationOf(request) !== undefined,
  run(request, context, exchange, scope) {
    const operation = bedrockBatchOperationOf(request);
    if (operation === undefined) {
      return Promise.reject(
        new PkError('PK_ERR_UNSUPPORTED_ENDPOINT', `bedrock does not answer ${request.path}`),
      );
    }
    const region = readBedrockRegion(context.target);
    return run({ request, context, exchange, region, scope }, operation);
  },
  parseError: toS3OrBedrockUpstreamError,
};
