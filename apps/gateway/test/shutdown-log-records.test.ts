import { openStore } from '@pk/store';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type GatewayProcess, startGateway } from './server-process.js';
import { textLine } from './support/output-lines.js';
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

  it('stores the 503 records of requests refused during the drain, with their endpoint and headers’ facts', async () => {
    const dataDir = temporaryDataDir();
    try {
      const gateway = await startGateway({ PK_DATA_DIR: dataDir.path, PK_SHUTDOWN_TIMEOUT_MS: '5000' });
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
            'x-portkey-metadata': JSON.stringify({ _user: 'drain-user', team: 'ops' }),
          },
        });
      const chatsBefore = upstream.requests.get('/v1/chat/completions') ?? 0;
      // One request in flight keeps the drain open while another arrives.
      const inFlight = client('drain-in-flight').chat.completions.create({
        model: 'slow-1500',
        messages: [{ role: 'user', content: 'hi' }],
      });
      await vi.waitFor(
        () => expect(upstream.requests.get('/v1/chat/completions') ?? 0).toBe(chatsBefore + 1),
        { timeout: 10_000, interval: 20 },
      );
      gateway.child.kill('SIGTERM');
      await gateway.waitForLine(textLine('draining: new requests get 503'));
      const refused = await client('drain-refused')
        .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(refused).toBeInstanceOf(APIError);
      expect((refused as APIError).status).toBe(503);
      expect((refused as APIError).code).toBe('PK_ERR_SHUTTING_DOWN');
      expect((await inFlight).choices[0]?.message.content).toBeTruthy();
      // The refused request never reached the provider.
      expect(upstream.requests.get('/v1/chat/completions') ?? 0).toBe(chatsBefore + 1);
      expect(await gateway.exited).toBe(0);
      expect(lineOf(gateway, 'drain-refused'), gateway.output()).toMatchObject({
        status: 503,
        errorCode: 'PK_ERR_SHUTTING_DOWN',
        endpoint: 'chat.completions',
      });

      const store = await openStore({ dataDir: dataDir.path, serve: false, onWarning: () => undefined });
      try {
        const page = await store.logs.list({ traceId: 'drain-refused', limit: 5 });
        expect(page.records).toHaveLength(1);
        expect(page.records[0]).toMatchObject({
          status: 503,
          error_code: 'PK_ERR_SHUTTING_DOWN',
          endpoint: 'chat.completions',
          method: 'POST',
        });
        expect(page.records[0]?.metadata).toEqual({ _user: 'drain-user', team: 'ops' });
        const served = await store.logs.list({ traceId: 'drain-in-flight', limit: 5 });
        expect(served.records.map((stored) => stored.status)).toEqual([200]);
      } finally {
        await store.close();
      }
    } finally {
      dataDir.remove();
    }
  });
});
