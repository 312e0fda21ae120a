import { PkError } from '@pk/config';
import { isJsonObject } from '../../shared/json.js';
import { UpstreamError } from '../../spec/upstream-error.js';
import { batchIdOfJobArn, fileIdOfS3Uri, s3LocationOf, s3LocationOfFileId } from './ids.js';

/**
 * Bedrock's batch inference job statuses → OpenAI's batch statuses. `Scheduled` (validated, waiting
 * for capacity) is `in_progress`; `PartiallyCompleted` is `completed` (its failed records are lines
 * with an `error` in the output).
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GetModelInvocationJob.html#API_GetModelInvocationJob_ResponseSyntax
 * @see https://platform.openai.com/docs/api-reference/batch/object
 */
const STATUS: Readonly<Record<string, string>> = {
  Submitted: 'validating',
  Validating: 'validating',
  Scheduled: 'in_progress',
  InProgress: 'in_progress',
  Completed: 'completed',
  PartiallyCompleted: 'completed',
  Failed: 'failed',
  Stopping: 'cancelling',
  Stopped: 'cancelled',
  Expired: 'expired',
};

/** OpenAI's status of a Bedrock job status (an unknown one in snake case, as Portkey answers). */
export function openAIBatchStatusOf(status: string): string {
  return STATUS[status] ?? status.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Milliseconds of an ISO date → whole seconds, or `null`. */
function secondsOf(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

function stringAt(value: unknown, ...path: string[]): string | undefined {
  let at: unknown = value;
  for (const key of path) at = isJsonObject(at) ? at[key] : undefined;
  return typeof at === 'string' ? at : undefined;
}

/**
 * Where Bedrock writes a job's output for its input file: `{output s3Uri}{job id}/{input file name}.out`.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-results.html
 */
export function outputS3UriOf(job: Readonly<Record<string, unknown>>): string | undefined {
  const output = stringAt(job, 'outputDataConfig', 's3OutputDataConfig', 's3Uri');
  const input = stringAt(job, 'inputDataConfig', 's3InputDataConfig', 's3Uri');
  const arn = stringAt(job, 'jobArn');
  if (output === undefined || input === undefined || arn === undefined) return undefined;
  const name = input.slice(input.lastIndexOf('/') + 1);
  return `${output.endsWith('/') ? output : `${output}/`}${batchIdOfJobArn(arn)}/${name}.out`;
}

/** A whole number Bedrock counted, or `undefined` when its answer has none. */
function countAt(job: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const value = job[name];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * Bedrock's record counts of a job (`totalRecordCount`, `successRecordCount`, `errorRecordCount`,
 * `processedRecordCount`, in GetModelInvocationJob and its summaries since Bedrock reports them) →
 * OpenAI's `request_counts` (pure): `completed` the records that succeeded (else processed less
 * failed), `failed` those that failed; `null` when Bedrock sent no total (older API versions, or
 * a job not yet read).
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-results.html
 */
export function requestCountsOf(
  job: Readonly<Record<string, unknown>>,
): { total: number; completed: number; failed: number } | null {
  const total = countAt(job, 'totalRecordCount');
  if (total === undefined) return null;
  const failed = countAt(job, 'errorRecordCount') ?? 0;
  const processed = countAt(job, 'processedRecordCount');
  const completed =
    countAt(job, 'successRecordCount') ?? (processed === undefined ? 0 : Math.max(0, processed - failed));
  return { total, completed, failed };
}

/** Statuses after which Bedrock has written what it ran. */
const ENDED: ReadonlySet<string> = new Set(['Completed', 'PartiallyCompleted', 'Stopped', 'Expired']);

/**
 * A Bedrock job (GetModelInvocationJob's answer, or a ListModelInvocationJobs summary) → OpenAI's
 * Batch object (pure): `id` the job id, `input_file_id` and `output_file_id` pk's ids of the S3 objects
 * (the output only once the job ended), times in seconds, `errors` with Bedrock's `message`.
 */
export function toOpenAIBatch(job: unknown, provider: string): Record<string, unknown> {
  const arn = stringAt(job, 'jobArn');
  if (!isJsonObject(job) || arn === undefined) {
    throw new UpstreamError({
      provider,
      status: 502,
      message: 'bedrock answered with something other than a model invocation job',
      type: 'api_error',
      code: 'PK_ERR_UPSTREAM_UNAVAILABLE',
    });
  }
  const bedrockStatus = typeof job.status === 'string' ? job.status : 'Submitted';
  const status = openAIBatchStatusOf(bedrockStatus);
  const input = stringAt(job, 'inputDataConfig', 's3InputDataConfig', 's3Uri');
  const output = outputS3UriOf(job);
  const ended = secondsOf(job.endTime);
  const modified = secondsOf(job.lastModifiedTime);
  const message = typeof job.message === 'string' && job.message !== '' ? job.message : undefined;
  const at = (when: boolean, seconds: number | null) => (when ? (seconds ?? modified) : null);
  return {
    id: batchIdOfJobArn(arn),
    object: 'batch',
    endpoint: '/v1/chat/completions',
    model: job.modelId ?? null,
    errors:
      message === undefined || status !== 'failed'
        ? null
        : { object: 'list', data: [{ code: 'failed', message, param: null, line: null }] },
    input_file_id: input === undefined ? null : fileIdOfS3Uri(input),
    completion_window:
      typeof job.timeoutDurationInHours === 'number' ? `${job.timeoutDurationInHours}h` : '24h',
    status,
    output_file_id: output !== undefined && ENDED.has(bedrockStatus) ? fileIdOfS3Uri(output) : null,
    error_file_id: null,
    created_at: secondsOf(job.submitTime),
    in_progress_at: null,
    expires_at: secondsOf(job.jobExpirationTime),
    finalizing_at: null,
    completed_at: at(status === 'completed', ended),
    failed_at: at(status === 'failed', ended),
    expired_at: at(status === 'expired', ended),
    cancelling_at: null,
    cancelled_at: at(status === 'cancelled', ended),
    request_counts: requestCountsOf(job),
    metadata: typeof job.jobName === 'string' ? { job_name: job.jobName } : null,
  };
}

/** A string field of the batches.create body, or 400 naming it when required and missing. */
function field(body: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new PkError('PK_ERR_INVALID_REQUEST', `${name} must be a non-empty string`, { param: name });
  }
  return value;
}

/** The `role_arn` of batches.create (the service role Bedrock runs the job as): 400 without it. */
function roleArnOf(body: Readonly<Record<string, unknown>>): string {
  const roleArn = field(body, 'role_arn');
  if (roleArn === undefined) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'a Bedrock batch needs role_arn in the body: the service role Bedrock runs the job as (arn:aws:iam::<account>:role/<name>)',
      { param: 'role_arn' },
    );
  }
  return roleArn;
}

/**
 * OpenAI's batches.create body (with Portkey's Bedrock fields: `model`, `role_arn`, optional
 * `job_name`, `output_data_config.s3Uri`, `timeout_duration_in_hours`) → CreateModelInvocationJob's
 * body (pure). The output goes next to the input file unless `output_data_config` says where;
 * `model` falls back to the target's `aws_bedrock_model`. `requestToken` (one per client request,
 * the same across its attempts) is the `clientRequestToken`, so that Bedrock answers a retried
 * create with the job the first attempt started; the default job name is made of it too, as a
 * retry must send the same parameters.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateModelInvocationJob.html
 */
export function createJobBody(options: {
  readonly body: Readonly<Record<string, unknown>>;
  readonly model: string | undefined;
  readonly kmsKeyId: string | undefined;
  readonly requestToken: string;
}): Record<string, unknown> {
  const { body } = options;
  const endpoint = field(body, 'endpoint');
  if (endpoint !== undefined && endpoint !== '/v1/chat/completions') {
    throw new PkError(
      'PK_ERR_UNSUPPORTED_ENDPOINT',
      `pk runs Bedrock batches of /v1/chat/completions only, not ${endpoint.slice(0, 80)}`,
      { param: 'endpoint' },
    );
  }
  const inputFileId = field(body, 'input_file_id');
  if (inputFileId === undefined) {
    throw new PkError('PK_ERR_INVALID_REQUEST', 'input_file_id is required', { param: 'input_file_id' });
  }
  const input = s3LocationOfFileId(inputFileId, 'input_file_id');
  const model = field(body, 'model') ?? options.model;
  if (model === undefined) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'a Bedrock batch needs model in the body (or the x-portkey-aws-bedrock-model header)',
      { param: 'model' },
    );
  }
  const config = body.output_data_config;
  const given = isJsonObject(config) && typeof config.s3Uri === 'string' ? config.s3Uri : undefined;
  if (given !== undefined && s3LocationOf(given) === undefined) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'output_data_config.s3Uri must be an s3://bucket/prefix/ URI',
      {
        param: 'output_data_config',
      },
    );
  }
  const folder = `s3://${input.bucket}/${input.key.slice(0, input.key.lastIndexOf('/') + 1)}`;
  const timeout = body.timeout_duration_in_hours;
  return {
    jobName: field(body, 'job_name') ?? `pk-batch-${options.requestToken}`,
    roleArn: roleArnOf(body),
    modelId: model,
    inputDataConfig: { s3InputDataConfig: { s3Uri: input.uri, s3InputFormat: 'JSONL' } },
    outputDataConfig: {
      s3OutputDataConfig: {
        s3Uri: given ?? folder,
        ...(options.kmsKeyId === undefined ? {} : { s3EncryptionKeyId: options.kmsKeyId }),
      },
    },
    ...(typeof timeout === 'number' ? { timeoutDurationInHours: timeout } : {}),
    clientRequestToken: options.requestToken,
  };
}
