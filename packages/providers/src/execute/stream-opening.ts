import type { OpenAIErrorEnvelope } from '@pk/config';
import { statusOfStreamError } from '../shared/stream-error-status.js';
import { UpstreamError } from '../spec/upstream-error.js';
import type { TranslatedStream } from './stream-pipeline.js';
import { type CallFailure, failure } from './upstream-exchange.js';

/**
 * Waits for a translated stream's first piece, so a stream attempt lasts until then: the engine's
 * `request_timeout` bounds the wait for it, and a stream that opens with an error (a vendor's in-band
 * error, a body that broke, stalled or ended first) is a failed attempt with the status that error
 * stands for, which retries and fallbacks route on, since nothing has reached the client yet. The
 * stream is cancelled (its upstream released) then; undefined when it started well.
 */
export async function streamOpeningFailure(
  translated: TranslatedStream,
  provider: string,
): Promise<CallFailure | undefined> {
  await translated.readFirstPiece();
  const opening = translated.progress.error;
  if (opening === undefined) return undefined;
  translated.stream.cancel();
  return failure(streamOpeningError(provider, opening));
}

function streamOpeningError(provider: string, error: OpenAIErrorEnvelope['error']): UpstreamError {
  return new UpstreamError({
    provider,
    status: statusOfStreamError(error),
    message: error.message,
    type: error.type,
    code: error.code,
    param: error.param,
    raw: { error },
  });
}
