import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the mock provider received. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The JSON body, parsed. */
  readonly body: Record<string, unknown>;
}

/** What the mock answers: a JSON body, or SSE events written one by one. */
export type MockAnswer =
  | { readonly status?: number; readonly json: unknown }
  | { readonly sse: readonly { readonly event?: string; readonly data: unknown }[] };

/** A provider mock on 127.0.0.1 that records every request and answers with what the test says. */
export interface MockProvider {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request received, in order. */
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

async function write(response: ServerResponse, answer: MockAnswer): Promise<void> {
  if ('json' in answer) {
    response.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(answer.json));
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const { event, data } of answer.sse) {
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    response.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${text}\n\n`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  response.end();
}

/**
 * Starts a mock provider on an ephemeral port of 127.0.0.1. `answer` gets each request (with the
 * ones before it) and says how to reply, so a test can play a vendor's wire format turn by turn.
 */
export async function startMockProvider(
  answer: (request: ReceivedRequest, index: number) => MockAnswer,
): Promise<MockProvider> {
  const received: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      const recorded: ReceivedRequest = {
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        headers: request.headers,
        body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
      };
      received.push(recorded);
      write(response, answer(recorded, received.length - 1)).catch(() => response.socket?.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
