import { describe, expect, it } from 'vitest';
import { callerAbortableStream } from './caller-abortable-stream.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** A source that hands out `parts` on demand and records its cancellation. */
function recordingSource(parts: string[]) {
  const seen = { cancelledWith: undefined as unknown, cancelled: false };
  const source = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const part = parts.shift();
        if (part === undefined) controller.close();
        else controller.enqueue(bytes(part));
      },
      cancel(reason) {
        seen.cancelled = true;
        seen.cancelledWith = reason;
      },
    },
    { highWaterMark: 0 },
  );
  return { source, seen };
}

describe('callerAbortableStream', () => {
  it('passes the bytes through and stops listening once they end', async () => {
    const { source } = recordingSource(['a', 'b']);
    const controller = new AbortController();
    const text = await new Response(callerAbortableStream(source, controller.signal)).text();
    expect(text).toBe('ab');
    controller.abort();
  });

  it('on abort: cancels the source and errors the reader with the signal’s reason', async () => {
    const { source, seen } = recordingSource(['a', 'b', 'c']);
    const controller = new AbortController();
    const reader = callerAbortableStream(source, controller.signal).getReader();
    expect((await reader.read()).value).toEqual(bytes('a'));
    controller.abort();
    const error = await reader.read().catch((caught: unknown) => caught);
    expect(error).toBe(controller.signal.reason);
    expect((error as Error).name).toBe('AbortError');
    expect(seen.cancelled).toBe(true);
    expect(seen.cancelledWith).toBe(controller.signal.reason);
  });

  it('an abort while a read is pending errors that read', async () => {
    let cancelled = false;
    // A source that never answers: the read waits on it until the abort.
    const source = new ReadableStream<Uint8Array>(
      {
        pull: () => new Promise<void>(() => {}),
        cancel() {
          cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const controller = new AbortController();
    const reading = callerAbortableStream(source, controller.signal).getReader().read();
    await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(new Error('stop'));
    expect(cancelled).toBe(true);
    await expect(reading).rejects.toThrow('stop');
  });

  it('an already aborted signal ends the stream before the first byte', async () => {
    const { source, seen } = recordingSource(['a']);
    const stream = callerAbortableStream(source, AbortSignal.abort());
    await expect(stream.getReader().read()).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.cancelled).toBe(true);
  });

  it('the reader’s own cancel reaches the source', async () => {
    const { source, seen } = recordingSource(['a']);
    await callerAbortableStream(source, new AbortController().signal).cancel('done');
    expect(seen.cancelledWith).toBe('done');
  });
});
