import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the mock upstream received. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** How the mock upstream answers. */
export interface MockReply {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A whole body. */
  readonly body?: string;
  /** Stream frames written one by one (SSE text, or binary event-stream frames). */
  readonly frames?: readonly (string | Uint8Array)[];
  /** Destroy the socket instead of answering (or after the frames). */
  readonly destroy?: boolean;
  /** Wait this long before answering (ms). */
  readonly delayMs?: number;
  /** Wait this long between two frames (ms; default: a turn of the event loop). */
  readonly frameDelayMs?: number;
}

/** A running mock upstream on 127.0.0.1. */
export interface MockUpstream {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Replaces the handler. */
  setHandler(handler: (request: RecordedRequest) => MockReply | Promise<MockReply>): void;
  close(): Promise<void>;
}

async function write(response: ServerResponse, reply: MockReply): Promise<void> {
  if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
  if (reply.destroy && !reply.frames) {
    response.socket?.destroy();
    return;
  }
  const sse = reply.frames !== undefined;
  response.writeHead(reply.status ?? 200, {
    'content-type': sse ? 'text/event-stream' : 'application/json',
    ...reply.headers,
  });
  if (!sse) {
    response.end(reply.body ?? '');
    return;
  }
  for (const frame of reply.frames ?? []) {
    response.write(frame);
    await new Promise((resolve) =>
      reply.frameDelayMs ? setTimeout(resolve, reply.frameDelayMs) : setImmediate(resolve),
    );
  }
  if (reply.destroy) response.socket?.destroy();
  else response.end();
}

/** Starts a real `node:http` server on an ephemeral port of 127.0.0.1 that records what it receives. */
export async function startMockUpstream(
  initial: (request: RecordedRequest) => MockReply | Promise<MockReply> = () => ({ body: '{}' }),
): Promise<MockUpstream> {
  let handler = initial;
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const recorded: RecordedRequest = {
        method: request.method ?? 'GET',
        url: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(parts).toString('utf8'),
      };
      requests.push(recorded);
      Promise.resolve(handler(recorded))
        .then((reply) => write(response, reply))
        .catch(() => response.socket?.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    setHandler(next) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
