import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the recording server received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/** A fake gateway on 127.0.0.1 that records every request and answers like pk's gateway. */
export interface RecordingServer {
  /** `http://127.0.0.1:<port>/v1` */
  readonly baseURL: string;
  readonly received: ReceivedRequest[];
  /** The next answers' status (default 200), extra headers, and JSON body of a 200 (default a completion). */
  respondWith(answer: { status?: number; headers?: Record<string, string>; body?: unknown }): void;
  close(): Promise<void>;
}

const COMPLETION = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Paris.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
};

/** Starts the recording server; answers chat completions (JSON or SSE) with `x-portkey-*` headers. */
export async function startRecordingServer(): Promise<RecordingServer> {
  const received: ReceivedRequest[] = [];
  let answer: { status?: number; headers?: Record<string, string>; body?: unknown } = {};
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const text = Buffer.concat(parts).toString();
      const body = text === '' ? undefined : (JSON.parse(text) as unknown);
      received.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body,
      });
      const traceId = request.headers['x-portkey-trace-id'] ?? `trace-${received.length}`;
      const status = answer.status ?? 200;
      const headers = {
        'x-portkey-trace-id': String(traceId),
        'x-portkey-provider': 'openai',
        'x-portkey-retry-attempt-count': '0',
        'x-portkey-cache-status': 'MISS',
        'x-request-id': `req-${received.length}`,
        ...answer.headers,
      };
      const stream = (body as { stream?: boolean } | undefined)?.stream === true;
      if (status !== 200) {
        response.writeHead(status, { ...headers, 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            error: { message: `scripted ${status}`, type: 'server_error', param: null, code: null },
          }),
        );
        return;
      }
      if (stream) {
        response.writeHead(200, { ...headers, 'content-type': 'text/event-stream' });
        const chunk = {
          ...COMPLETION,
          object: 'chat.completion.chunk',
          choices: [{ index: 0, delta: { content: 'Paris.' }, finish_reason: null }],
        };
        response.end(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`);
        return;
      }
      response.writeHead(200, { ...headers, 'content-type': 'application/json' });
      response.end(JSON.stringify(answer.body ?? COMPLETION));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    received,
    respondWith: (next) => {
      answer = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The user message most examples send. */
export const MESSAGES = [{ role: 'user' as const, content: 'What is the capital of France?' }];
