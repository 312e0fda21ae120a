/** A Node stream (undici's body, a zlib stream): `destroy` releases its connection at once. */
interface DestroyableBody {
  destroy(error?: Error): unknown;
}

/** A web `ReadableStream`. */
interface CancellableBody {
  readonly locked: boolean;
  cancel(reason?: unknown): Promise<void>;
}

/** undici's body: `text()` reads it whole without an async iterator per chunk. */
interface TextBody {
  text(): Promise<string>;
}

function hasFunction<Name extends string>(
  value: unknown,
  name: Name,
): value is Record<Name, (...args: never[]) => unknown> {
  return typeof (value as Record<string, unknown>)[name] === 'function';
}

/** Reads a whole body as UTF-8 text (bytes joined first, so a character split across chunks survives). */
export async function bodyText(body: AsyncIterable<Uint8Array>): Promise<string> {
  if (hasFunction(body, 'text')) return (body as unknown as TextBody).text();
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Stops reading a body and releases its connection: a Node stream is destroyed, an unlocked web stream
 * cancelled. (A web stream being iterated is released by its iterator's `return`.)
 */
export function discardBody(body: AsyncIterable<Uint8Array>): void {
  if (hasFunction(body, 'destroy')) {
    (body as unknown as DestroyableBody).destroy();
    return;
  }
  if (hasFunction(body, 'cancel') && !(body as unknown as CancellableBody).locked) {
    (body as unknown as CancellableBody).cancel().catch(() => {});
  }
}

/**
 * A web `ReadableStream` over bytes that arrive as an async iterable (a `ByteStream`, a Node stream),
 * for `new Response(…)`: read as the consumer pulls, and cancelling it releases the source.
 */
export function toWebReadableStream(
  body: AsyncIterable<Uint8Array> & { cancel?: (reason?: unknown) => unknown },
): ReadableStream<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel(reason) {
        if (typeof body.cancel === 'function') body.cancel(reason);
        else discardBody(body);
        iterator.return?.()?.catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
