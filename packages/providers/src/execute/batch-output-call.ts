import { PkError } from '@pk/config';
import { isJsonObject } from '../shared/json.js';
import type {
  BuiltRequest,
  PreparedRequest,
  ProviderAdapter,
  ProviderContext,
  ProviderRequest,
} from '../spec/provider-adapter.js';
import { UpstreamError } from '../spec/upstream-error.js';
import { withPassedRawAnswerHeaders } from './answer-headers.js';
import type { ProviderAttemptOutcome } from './call-provider.js';
import { readBodyText } from './read-body.js';
import {
  isSuccess,
  parseJsonAnswer,
  type SendOptions,
  sendUpstream,
  upstreamFailure,
} from './upstream-exchange.js';

/** `/batches/{id}/output` (one id segment), query ignored. */
const BATCH_OUTPUT_PATH = /^\/batches\/([^/?]+)\/output$/;

/**
 * The batch id of Portkey's `GET /v1/batches/{id}/output` (the official SDK's `batches.output()`),
 * a route of Portkey's gateway only: pk answers it by reading the batch and then its output file.
 * `undefined` for every other call, which is passed through as it is.
 */
export function batchOutputIdOf(
  request: Pick<ProviderRequest, 'endpoint' | 'path' | 'method'>,
): string | undefined {
  if (request.endpoint !== 'passthrough' || request.path === undefined) return undefined;
  if ((request.method ?? 'POST').toUpperCase() !== 'GET') return undefined;
  return BATCH_OUTPUT_PATH.exec(request.path.split('?')[0] ?? '')?.[1];
}

/** The first message of a batch's `errors.data` (a batch that failed validation), if any. */
function firstErrorOf(batch: Record<string, unknown>): string | undefined {
  const errors = batch.errors;
  if (!isJsonObject(errors) || !Array.isArray(errors.data)) return undefined;
  const first: unknown = errors.data[0];
  return isJsonObject(first) && typeof first.message === 'string' ? first.message : undefined;
}

/**
 * The output file id of a batch object (OpenAI's `GET /batches/{id}` answer, Azure's too), or a 400
 * `PK_ERR_INVALID_REQUEST` (thrown) saying why there is none yet: its status, the first validation
 * error of a failed batch, and the error file where failed requests went. A cancelled or expired batch
 * that has an output file (its requests done before it stopped) gives it.
 * @see https://platform.openai.com/docs/api-reference/batch/object
 */
export function batchOutputFileIdOf(options: {
  readonly batchId: string;
  readonly batch: unknown;
  readonly provider: string;
}): string {
  const { batchId, batch, provider } = options;
  if (!isJsonObject(batch)) {
    throw new UpstreamError({
      provider,
      status: 502,
      message: `the provider answered GET /batches/${batchId} with something other than a batch object`,
      type: 'api_error',
      code: 'PK_ERR_UPSTREAM_UNAVAILABLE',
    });
  }
  const fileId = batch.output_file_id;
  if (typeof fileId === 'string' && fileId !== '') {
    // An id from the provider's answer goes into the next URL: never one that could leave `/files/`.
    if (fileId === '.' || fileId === '..' || /[/\\?#%]/.test(fileId)) {
      throw new UpstreamError({
        provider,
        status: 502,
        message: `batch ${batchId}: the provider gave an output_file_id pk does not send upstream`,
        type: 'api_error',
        code: 'PK_ERR_UPSTREAM_UNAVAILABLE',
      });
    }
    return fileId;
  }
  const status = typeof batch.status === 'string' ? batch.status : 'unknown';
  const error = firstErrorOf(batch);
  const errorFile =
    typeof batch.error_file_id === 'string' && batch.error_file_id !== '' ? batch.error_file_id : undefined;
  const reasons = [
    `batch ${batchId} has no output file (status: ${status})`,
    ...(error === undefined ? [] : [`its first error: ${error}`]),
    errorFile === undefined
      ? 'its output can be read once the batch is completed'
      : `the requests that failed are in file ${errorFile} (GET /v1/files/${errorFile}/content)`,
  ];
  throw new PkError('PK_ERR_INVALID_REQUEST', reasons.join('; '), { param: 'batch_id' });
}

/** What {@link callBatchOutput} needs from the call it answers. */
export interface BatchOutputCall {
  readonly adapter: ProviderAdapter;
  /** The prepared pass-through request (`GET /batches/{id}/output`). */
  readonly prepared: PreparedRequest;
  readonly context: ProviderContext;
  readonly batchId: string;
  readonly forwardedHeaders: Readonly<Record<string, string>> | undefined;
  readonly options: SendOptions;
}

/**
 * Portkey's `GET /v1/batches/{id}/output` on a provider with pass-through (OpenAI, Azure OpenAI, the
 * OpenAI-compatible ones): `GET /batches/{id}` through the adapter's own pass-through request (its base
 * URL, auth and query, so Azure's `/openai/batches/{id}?api-version=…`), then `GET /files/{output
 * file id}/content` likewise, whose bytes go back as they come (never read whole: batch outputs run to
 * hundreds of MB), with the file's content type. An error answer to either call is the provider's,
 * status kept (a batch that does not exist stays a 404); a batch without an output file is a 400.
 * Throws `PkError` and `UpstreamError` for {@link callProvider} to turn into a failed outcome.
 */
export async function callBatchOutput(call: BatchOutputCall): Promise<ProviderAttemptOutcome> {
  const { adapter, prepared, context, batchId, forwardedHeaders, options } = call;
  const get = (path: string): BuiltRequest =>
    adapter.buildRequest({ ...prepared, path, method: 'GET', body: {} }, context);
  const parts = { target: context.target, context, forwardedHeaders };
  const batchRequest = get(`/batches/${batchId}`);
  const batchAnswer = await sendUpstream(adapter, batchRequest, context, forwardedHeaders, options);
  if (!isSuccess(batchAnswer)) {
    return upstreamFailure(adapter, batchAnswer, { ...parts, built: batchRequest }, options.signal);
  }
  const text = await readBodyText({
    body: batchAnswer.body,
    provider: context.provider,
    signal: options.signal,
  });
  const batch = parseJsonAnswer(text, context.provider);
  const fileId = batchOutputFileIdOf({ batchId, batch, provider: context.provider });
  const fileRequest = get(`/files/${encodeURIComponent(fileId)}/content`);
  const file = await sendUpstream(adapter, fileRequest, context, forwardedHeaders, options);
  if (!isSuccess(file)) {
    return upstreamFailure(adapter, file, { ...parts, built: fileRequest }, options.signal);
  }
  return {
    ok: true,
    value: {
      provider: context.provider,
      status: file.status,
      warnings: fileRequest.warnings,
      kind: 'raw',
      body: file.body,
      headers: withPassedRawAnswerHeaders(
        {
          'content-type': file.headers['content-type'] ?? 'application/octet-stream',
          'x-portkey-provider': context.provider,
        },
        file.headers,
      ),
    },
  };
}
