import { openStore } from '@pk/store';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type GatewayProcess, startGateway } from './server-process.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// SIGTERM with requests still waiting for their provider at the drain deadline: their connections
// are ended, and their 499 records reach the request log store before it closes (the README's
// "At shutdown, records the store refuses go to a spill file"), with no false "queue is full" warning.
let upstream: MockOpenAI;
const running: GatewayProcess[] = [];
beforeAll(async () => {
  upstream = await startMockOpenAI({});
});
afterAll(async () => {
  for (const gateway of running) gateway.child.kill('SIGKILL');
  await upstream.close();
});

/** The request line of a trace id in the gateway's output. */
function lineOf(gateway: GatewayProcess, traceId: string): Record<string, unknown> | undefined {
  const line = gateway
    .output()
    .split('\n')
    .find((text) => text.includes(`"traceId":"${traceId}"`) && text.includes('"path"'));
  return line === undefined ? undefined : (JSON.parse(line) as Record<string, unknown>);
}

describe('SIGTERM and the request log', () => {
  it('stores the 499 records of requests cut at the deadline, and tells no false "queue is full"', async () => {
    const dataDir = temporaryDataDir();
    try {
      const gateway = await startGateway({ PK_DATA_DIR: dataDir.path, PK_SHUTDOWN_TIMEOUT_MS: '1000' });
      running.push(gateway);
      const client = (traceId: string) =>
        new OpenAI({
          apiKey: 'sk-shutdown-test',
          baseURL: `${gateway.url}/v1`,
          maxRetries: 0,
          defaultHeaders: {
            'x-portkey-provider': 'openai',
            'x-portkey-custom-host': `${upstream.url}/v1`,
            'x-portkey-trace-id': traceId,
          },
        });
      const chatsBefore = upstream.requests.get('/v1/chat/completions') ?? 0;
      const cut = ['cut-json-1', 'cut-json-2'].map((traceId) =>
        client(traceId)
          .chat.completions.create({ model: 'slow-8000', messages: [{ role: 'user', content: 'hi' }] })
          .then(
            () => 'answered',
            (error: Error) => error.constructor.name,
          ),
      );
      // Both in flight before the signal: the upstream has both.
      await vi.waitFor(
        () => expect(upstream.requests.get('/v1/chat/completions') ?? 0).toBe(chatsBefore + 2),
        { timeout: 10_000, interval: 20 },
      );
      gateway.child.kill('SIGTERM');
      // The clients lose their connection at the deadline, as the README says.
      expect(await Promise.all(cut)).toEqual(['APIConnectionError', 'APIConnectionError']);
      expect(await gateway.exited).toBe(0);
      expect(lineOf(gateway, 'cut-json-1'), gateway.output()).toMatchObject({
        status: 499,
        errorCode: 'PK_ERR_SHUTTING_DOWN',
      });
      expect(gateway.output()).not.toContain('queue is full');
      expect(gateway.output()).not.toMatch(/dropped \d+ request log record/);

      const store = await openStore({ dataDir: dataDir.path, serve: false, onWarning: () => undefined });
      try {
        for (const traceId of ['cut-json-1', 'cut-json-2']) {
          const page = await store.logs.list({ traceId, limit: 5 });
          expect(page.records.map((stored) => [stored.status, stored.error_code])).toEqual([
            [499, 'PK_ERR_SHUTTING_DOWN'],
          ]);
        }
      } finally {
        await store.close();
      }
    } finally {
      dataDir.remove();
    }
  });
});
