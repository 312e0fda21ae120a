import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A mock OpenAI embeddings endpoint that answers fixed vectors per input text (default: a far-away vector). */
export interface MockEmbeddings {
  readonly url: string;
  /** Inputs received, in order. */
  readonly inputs: string[];
  close(): Promise<void>;
}

/** A unit vector whose cosine with `[1, 0, 0, 0]` is `similarity`. */
export function vectorWithSimilarity(similarity: number): number[] {
  return [similarity, Math.sqrt(1 - similarity ** 2), 0, 0];
}

/** Starts the mock on 127.0.0.1; `vectors` maps an input text to its embedding. */
export async function startMockEmbeddings(vectors: ReadonlyMap<string, number[]>): Promise<MockEmbeddings> {
  const inputs: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { input?: string; model?: string };
      const input = String(body.input ?? '');
      inputs.push(input);
      const embedding = vectors.get(input) ?? [0, 0, 0, 1];
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          object: 'list',
          data: [{ object: 'embedding', index: 0, embedding }],
          model: body.model ?? 'text-embedding-3-small',
          usage: { prompt_tokens: 8, total_tokens: 8 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    inputs,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
