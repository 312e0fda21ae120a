import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { callProvider } from '../execute/call-provider.js';
import type { Transport } from '../execute/transport.js';

/** A running harness: an OpenAI-shaped HTTP front over `callProvider`, no framework. */
export interface Harness {
  /** `http://127.0.0.1:<port>/v1`, the openai SDK's `baseURL`. */
  readonly baseURL: string;
  close(): Promise<void>;
}

/**
 * Starts a tiny `node:http` server for the openai SDK: `POST /v1/chat/completions` and
 * `/v1/embeddings`, the provider chosen by the `x-test-provider` header, its target built by
 * `targetFor`. Answers JSON, SSE or the OpenAI error envelope with the outcome's status.
 */
export async function startHarness(options: {
  readonly transport: Transport;
  readonly targetFor: (provider: string) => Record<string, unknown>;
}): Promise<Harness> {
  const server: Server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const provider = String(request.headers['x-test-provider'] ?? '');
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
      const endpoint = request.url?.endsWith('/embeddings') ? 'embeddings' : 'chat.completions';
      void callProvider({
        target: options.targetFor(provider),
        request: { endpoint, body },
        transport: options.transport,
      }).then((outcome) => {
        if (!outcome.ok) {
          response.writeHead(outcome.status, {
            'content-type': 'application/json',
            'x-portkey-provider': provider,
          });
          response.end(JSON.stringify(outcome.error.toEnvelope()));
          return;
        }
        const answer = outcome.value;
        response.writeHead(answer.status, answer.headers);
        if (answer.kind === 'json') response.end(JSON.stringify(answer.body));
        else {
          const stream = answer.kind === 'stream' ? answer.stream : answer.body;
          Readable.from(stream).pipe(response);
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
