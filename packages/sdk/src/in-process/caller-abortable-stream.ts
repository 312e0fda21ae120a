/**
 * A web stream over an answer's bytes that stops when the caller's signal fires: the source is
 * cancelled (which closes the upstream connection, so the provider stops generating) and the reader
 * gets the signal's reason, as a reader of a `fetch` body does after an abort (the `openai` client
 * then ends its iteration as it does against a real server). Once an attempt has resolved, the
 * routing engine's timers no longer touch its signal, so stopping the stream is the caller's to do.
 */
export function callerAbortableStream(
  source: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let finished = false;
  let stopListening = (): void => {};
  const finish = (): boolean => {
    if (finished) return false;
    finished = true;
    stopListening();
    return true;
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const onAbort = (): void => {
          if (!finish()) return;
          controller.error(signal.reason);
          reader.cancel(signal.reason).catch(() => {});
        };
        if (signal.aborted) {
          onAbort();
          return;
        }
        signal.addEventListener('abort', onAbort, { once: true });
        stopListening = () => signal.removeEventListener('abort', onAbort);
      },
      async pull(controller) {
        let next: Awaited<ReturnType<typeof reader.read>>;
        try {
          next = await reader.read();
        } catch (error) {
          if (finish()) controller.error(error);
          return;
        }
        // An abort while this read was pending has already errored the stream.
        if (finished) return;
        if (next.done) {
          finish();
          controller.close();
        } else controller.enqueue(next.value);
      },
      cancel(reason) {
        finish();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
