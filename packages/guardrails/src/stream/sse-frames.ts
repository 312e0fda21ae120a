import { StringDecoder } from 'node:string_decoder';

/** Bytes that arrive over time, read once; `cancel` releases what feeds them (the upstream). */
export interface CancellableByteStream extends AsyncIterable<Uint8Array> {
  cancel(reason?: unknown): void;
}

/** What a guard does with each SSE frame of a stream. */
export interface SseFrameHandler {
  /** One frame (without its blank line): the text to send for it, and whether the stream must stop. */
  onFrame(raw: string): Promise<{ readonly out: string; readonly stop: boolean }>;
  /** The upstream ended without a frame that stopped the stream: the text to send last. */
  atEnd(): Promise<string>;
}

const encoder = new TextEncoder();

/** An SSE frame's event name (`''` without one) and its joined `data:` lines. */
export function parseSseFrame(raw: string): { readonly event: string; readonly data: string } {
  let event = '';
  let data = '';
  for (const line of raw.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data += line.slice(line.startsWith('data: ') ? 6 : 5);
  }
  return { event, data };
}

/**
 * SSE bytes in, the handler's text out, frame by frame (comments and blank frames pass as they are).
 * When the handler stops the stream, or the client cancels it, the upstream is cancelled.
 */
export function guardSseFrames(
  source: CancellableByteStream,
  handler: SseFrameHandler,
): CancellableByteStream {
  // Node's StringDecoder, not a streaming TextDecoder: in Node 20 the latter decodes through ICU and
  // returns two-byte strings, which every search and check of the text then pays for.
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let cancelled = false;
  let done = false;

  async function* run(): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for await (const bytes of source) {
        if (cancelled) return;
        buffer += decoder.write(bytes);
        let out = '';
        let stop = false;
        for (let end = buffer.indexOf('\n\n'); end !== -1 && !stop; end = buffer.indexOf('\n\n')) {
          const raw = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (raw.trim() === '' || raw.startsWith(':')) {
            out += `${raw}\n\n`;
            continue;
          }
          const step = await handler.onFrame(raw);
          out += step.out;
          stop = step.stop;
        }
        if (out !== '') yield encoder.encode(out);
        if (stop) {
          done = true;
          source.cancel(new Error('the stream was stopped by a guardrail or ended'));
          return;
        }
      }
      if (!cancelled && !done) {
        done = true;
        const out = await handler.atEnd();
        if (out !== '') yield encoder.encode(out);
      }
    } finally {
      if (!done) source.cancel(new Error('the guarded stream was closed'));
    }
  }

  const iterator = run();
  return {
    [Symbol.asyncIterator]: () => iterator,
    cancel(reason?: unknown) {
      cancelled = true;
      source.cancel(reason);
      void iterator.return(undefined).catch(() => {});
    },
  };
}
