import { upstreamErrorFromAbort, upstreamUnavailableError } from './abort-reason.js';
import { bodyText } from './upstream-body.js';

/** Reads a whole body as text; an abort or a broken connection becomes an `UpstreamError`. */
export async function readBodyText(options: {
  readonly body: AsyncIterable<Uint8Array>;
  readonly provider: string;
  readonly signal?: AbortSignal | undefined;
}): Promise<string> {
  try {
    return await bodyText(options.body);
  } catch (error) {
    if (options.signal?.aborted) throw upstreamErrorFromAbort(options.provider, options.signal.reason);
    // Its status and headers came: the provider answered, and its answer broke off.
    throw upstreamUnavailableError(options.provider, error, { answerBegan: true });
  }
}
