import type { ServerResponse } from 'node:http';
import { createErrorEnvelope } from '@pk/config';
import type { ByteStream } from '@pk/providers';

/** Idle interval after which a `: ping` comment keeps proxies from closing a quiet stream. */
export const SSE_PING_INTERVAL_MS = 15_000;

const encoder = new TextEncoder();

/** The message of the `event: error` a stream ends with when the gateway's drain time is over. */
export const SHUTDOWN_STREAM_MESSAGE = 'the gateway is shutting down';

function errorFrame(message: string): Uint8Array {
  const envelope = createErrorEnvelope({ code: 'PK_ERR_STREAM_INTERRUPTED', message });
  return encoder.encode(`event: error\ndata: ${JSON.stringify(envelope)}\n\n`);
}

/** Cancels a stream, ignoring a rejection (a web stream that is being read refuses to cancel). */
function cancelQuietly(stream: ByteStream, reason: Error): void {
  try {
    const result: unknown = stream.cancel(reason);
    if (result instanceof Promise) result.catch(() => {});
  } catch {
    // the stream is ending anyway
  }
}

/**
 * Copies an OpenAI SSE stream to the client: headers sent at once (with the first piece when it is
 * already there), backpressure respected (waits
 * for `drain`), a `: ping` comment after 15 s without data, the upstream cancelled when the client
 * goes away, and `event: error` + a clean close when the stream breaks or the gateway must stop
 * (`stop` aborts). Resolves `true` when the stream ended normally.
 */
export async function sendSse(options: {
  readonly response: ServerResponse;
  readonly stream: ByteStream;
  /** The response headers in layers, a later layer's value winning (the reply's, then the answer's). */
  readonly headers: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly stop: AbortSignal;
  readonly pingIntervalMs?: number;
  /** The status line (default 200; 246 when a guardrail failed without denying). */
  readonly status?: number;
  /** Sees every chunk sent to the client (the cache rebuilds the answer from them). */
  readonly onChunk?: (chunk: Uint8Array) => void;
  /** The error frame in the client's dialect (default: OpenAI's `event: error` envelope). */
  readonly errorFrame?: (message: string) => string;
}): Promise<boolean> {
  const { response, stream } = options;
  const frameOf = (message: string): Uint8Array | string =>
    options.errorFrame ? options.errorFrame(message) : errorFrame(message);
  // One object, copied key by key, not `{ ...reply, ...answer, 'content-type': … }`: in Node 20 a
  // property defined after a spread gives the object a new hidden class on every call.
  const head: Record<string, string | number | string[]> = {};
  for (const layer of options.headers) {
    for (const name in layer) head[name] = layer[name] as string | number | string[];
  }
  head['content-type'] = 'text/event-stream; charset=utf-8';
  head['cache-control'] = 'no-cache';
  head['x-accel-buffering'] = 'no';
  response.writeHead(options.status ?? 200, head);
  // The headers leave with the first piece when it is already there (one write instead of two), or
  // on their own at the next turn of the event loop, so a client waiting for a slow first token
  // still learns at once that the stream started.
  let written = false;
  const flushHeaders = setImmediate(() => {
    if (!written && !response.writableEnded && !response.destroyed) response.flushHeaders();
  });
  const chunks = stream[Symbol.asyncIterator]();
  // Ends the wait for the next chunk at once when the client leaves or the gateway stops, whether or
  // not the stream honours `cancel` while a read is pending.
  const finished: IteratorResult<Uint8Array> = { done: true, value: undefined };
  let interrupt: (result: IteratorResult<Uint8Array>) => void = () => {};
  const nextChunk = (): Promise<IteratorResult<Uint8Array>> =>
    new Promise((resolve, reject) => {
      interrupt = resolve;
      chunks.next().then(resolve, reject);
    });
  let clientGone = false;
  const onClose = (): void => {
    if (!response.writableFinished) {
      clientGone = true;
      cancelQuietly(stream, new Error('the client went away'));
      interrupt(finished);
    }
  };
  response.once('close', onClose);
  let stopped = false;
  const onStop = (): void => {
    stopped = true;
    cancelQuietly(stream, new Error(SHUTDOWN_STREAM_MESSAGE));
    interrupt(finished);
  };
  options.stop.addEventListener('abort', onStop, { once: true });
  const pingEvery = options.pingIntervalMs ?? SSE_PING_INTERVAL_MS;
  let lastWrite = Date.now();
  const ping = setInterval(
    () => {
      if (Date.now() - lastWrite >= pingEvery && !response.writableEnded) {
        response.write(': ping\n\n');
        lastWrite = Date.now();
      }
    },
    Math.max(10, Math.floor(pingEvery / 3)),
  );
  try {
    for (;;) {
      const { done, value } = await nextChunk();
      if (done || stopped || clientGone) break;
      lastWrite = Date.now();
      written = true;
      options.onChunk?.(value);
      if (!response.write(value)) {
        await new Promise<void>((resolve) => {
          const resume = (): void => {
            response.off('drain', resume);
            response.off('close', resume);
            resolve();
          };
          response.on('drain', resume);
          response.on('close', resume);
        });
      }
      if (clientGone) return false;
    }
    if (clientGone) return false;
    if (stopped && !response.writableEnded) response.write(frameOf(SHUTDOWN_STREAM_MESSAGE));
    response.end();
    return !stopped;
  } catch {
    if (!clientGone && !response.writableEnded) {
      response.write(frameOf(stopped ? SHUTDOWN_STREAM_MESSAGE : 'the provider stream was interrupted'));
      response.end();
    }
    return false;
  } finally {
    clearInterval(ping);
    clearImmediate(flushHeaders);
    response.off('close', onClose);
    options.stop.removeEventListener('abort', onStop);
  }
}
