import { upstreamErrorFromAbort, upstreamUnavailableError } from './abort-reason.js';

/** Reads a whole body as text; an abort or a broken connection becomes an `UpstreamError`. */
export async function readBodyText(options: {
  readonly body: ReadableStream<Uint8Array>;
  readonly provider: string;
  readonly signal?: AbortSignal | undefined;
}): Promise<string> {
  try {
    return await new Response(options.body).text();
  } catch (error) {
    if (options.signal?.aborted) throw upstreamErrorFromAbort(options.provider, options.signal.reason);
    throw upstreamUnavailableError(options.provider, error);
  }
}
