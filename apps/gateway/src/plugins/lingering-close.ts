import type { Socket } from 'node:net';

/** Most of an unwanted body read and thrown away after an early answer: 64 MiB. */
export const LINGER_MAX_BYTES = 64 * 1024 * 1024;
/** Longest wait for the rest of an unwanted body after an early answer: 5 s. */
export const LINGER_MAX_MS = 5000;

type ClosableSocket = Socket & { destroySoon: () => void };

const lingering = new WeakSet<Socket>();

/**
 * A lingering close, for a response sent before the request body was read (413): the answer goes
 * out at once, the rest of the body is read and thrown away, and only then is the connection closed:
 * when the client has sent the whole body (or closes), after `maxBytes` more bytes, or after `maxMs`,
 * whichever comes first. Closing at once instead leaves bytes the client is still sending unread,
 * so the kernel answers them with a reset: the client sees `EPIPE` or `ECONNRESET` and often never
 * reads its 413 (the reset discards what it had received). Apache and nginx linger the same way.
 *
 * Node's HTTP server ends a `connection: close` response with `socket.destroySoon()` (end, then
 * destroy once written); on this socket that call is put off until the body is done. The body keeps
 * flowing through Node's parser into a listener that only counts it.
 */
export function lingerBeforeClose(
  socket: Socket,
  request: NodeJS.ReadableStream,
  limits: { readonly maxBytes: number; readonly maxMs: number } = {
    maxBytes: LINGER_MAX_BYTES,
    maxMs: LINGER_MAX_MS,
  },
): void {
  const closable = socket as Partial<ClosableSocket> & Socket;
  // Only a real TCP socket lingers (light-my-request's injected ones have no destroySoon).
  if (typeof closable.destroySoon !== 'function' || socket.destroyed || lingering.has(socket)) return;
  lingering.add(socket);
  const endThenDestroy = closable.destroySoon.bind(socket);
  let responseDone = false;
  let bodyDone = false;
  let discarded = 0;
  const stop = (): void => {
    clearTimeout(timer);
    request.removeListener('data', count);
  };
  /** Closes gracefully once both the answer is out and the body is in. */
  const closeWhenDone = (): void => {
    if (!responseDone || !bodyDone) return;
    stop();
    endThenDestroy();
  };
  const count = (chunk: Buffer): void => {
    discarded += chunk.length;
    if (discarded > limits.maxBytes) {
      stop();
      socket.destroy();
    }
  };
  const timer = setTimeout(() => {
    stop();
    socket.destroy();
  }, limits.maxMs);
  timer.unref();
  // Counted on the request, not the socket: a 'data' listener on the socket would take it out of
  // Node's parser-driven reading, which then never resumes it.
  request.on('data', count);
  request.resume();
  socket.once('close', stop);
  const onBodyDone = (): void => {
    bodyDone = true;
    closeWhenDone();
  };
  request.once('end', onBodyDone);
  socket.once('end', onBodyDone);
  closable.destroySoon = () => {
    responseDone = true;
    closeWhenDone();
  };
}
