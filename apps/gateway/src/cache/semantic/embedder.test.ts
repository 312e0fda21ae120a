import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createUndiciTransport } from '@pk/providers';
import type { VirtualKey } from '@pk/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbedder, type EmbeddingOutcome } from './embedder.js';

// The embedder against a local server in OpenAI's embeddings wire format (documented examples in
// __fixtures__): the model names what the server does.
const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
let server: Server;
let baseUrl = '';
const transport = createUndiciTransport();

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const model = (JSON.parse(body) as { model: string }).model;
      const answer = (status: number, text: string) => {
        response.writeHead(status, { 'content-type': 'application/json' }).end(text);
      };
      if (model === 'bad-key') answer(401, fixture('openai-invalid-api-key.json'));
      else if (model === 'not-numbers')
        answer(
          200,
          JSON.stringify({
            object: 'list',
            data: [{ object: 'embedding', index: 0, embedding: [0.1, null, 'NaN'] }],
            model,
            usage: { prompt_tokens: 1, total_tokens: 1 },
          }),
        );
      else if (model === 'slow') setTimeout(() => answer(200, fixture('openai-embeddings.json')), 1000);
      else answer(200, fixture('openai-embeddings.json'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await transport.close();
});

function embedderFor(model: string, timeoutMs = 2000) {
  const failures: string[] = [];
  const outcomes: EmbeddingOutcome[] = [];
  const virtualKey: VirtualKey = {
    id: 'embedder',
    slug: 'embedder',
    provider: 'openai',
    options: { custom_host: `${baseUrl}/v1`, api_key: 'sk-embed-secret' },
    allowedHosts: [],
    models: [],
  };
  const embed = createEmbedder(
    { virtualKey, model, timeoutMs, maxEntries: 10, retentionSeconds: 60 },
    transport,
    (reason) => failures.push(reason),
    (outcome) => outcomes.push(outcome),
  );
  return { embed, failures, outcomes };
}

describe('createEmbedder', () => {
  it('returns the vector of a documented answer, reports no failure and counts the call as ok', async () => {
    const { embed, failures, outcomes } = embedderFor('text-embedding-3-small');
    expect(Array.from((await embed('hello')) ?? [])).toEqual(
      Array.from(Float32Array.from([0.0023064255, -0.009327292, -0.0028842222])),
    );
    expect(failures).toEqual([]);
    expect(outcomes).toEqual(['ok']);
  });

  it('reports a refused key by its status, never the key', async () => {
    const { embed, failures, outcomes } = embedderFor('bad-key');
    expect(await embed('hello')).toBeUndefined();
    expect(failures).toEqual(['status 401']);
    expect(outcomes).toEqual(['error']);
  });

  it('reports a call slower than timeout_ms as timed out, after that long', async () => {
    const { embed, failures, outcomes } = embedderFor('slow', 150);
    const started = performance.now();
    expect(await embed('hello')).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(800);
    expect(failures).toEqual(['timed out after 150 ms']);
    expect(outcomes).toEqual(['timeout']);
  });

  it('reports no failure when the client left first, and counts the call as client_left', async () => {
    const { embed, failures, outcomes } = embedderFor('slow', 2000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await embed('hello', controller.signal)).toBeUndefined();
    expect(failures).toEqual([]);
    expect(outcomes).toEqual(['client_left']);
  });

  it('refuses an embedding with values that are not finite numbers (it would match anything)', async () => {
    const { embed, failures, outcomes } = embedderFor('not-numbers');
    expect(await embed('hello')).toBeUndefined();
    expect(failures).toEqual(['an embedding with values that are not finite numbers']);
    expect(outcomes).toEqual(['error']);
  });
});
