import { upstreamErrorFromAbort } from './abort-reason.js';

/**
 * Waits for `promise`, but rejects as soon as `signal` aborts (the promise keeps running): a caller
 * stops waiting for a token exchange that other calls share.
 */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  provider: string,
): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(upstreamErrorFromAbort(provider, signal.reason));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(upstreamErrorFromAbort(provider, signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
