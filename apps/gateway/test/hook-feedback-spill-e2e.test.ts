import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requirePostgres } from '@pk/store/testing';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { type EngineSetup, setUpEngine, temporaryDataDir } from './support/store-fixtures.js';

// A hook's feedback the database refuses until SIGTERM is not lost, as the request log's records
// are not: the built gateway appends it to hook-feedback-spill.jsonl beside the request log's spill
// file, and the next start writes it to the store, where the trace shows it. PostgreSQL is cut
// through a TCP proxy (SQLite's file cannot be taken away from a process that has it open).
const postgresUp = await requirePostgres('hooks’ feedback spill on PostgreSQL');
const KEY = 'pk-feedback-spill-key';
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

describe.runIf(postgresUp)('hooks’ feedback across a restart with the database down', () => {
  let upstream: MockOpenAI;
  let setup: EngineSetup;
  let dataDir: { readonly path: string; remove(): void };
  const gateways: FeatureGateway[] = [];
  const start = async (): Promise<FeatureGateway> => {
    const gateway = await startFeatureGateway({
      settings: {
        gateway_keys: [{ id: 'spill', key: KEY, role: 'admin' }],
        virtual_keys: {
          'openai-a': {
            provider: 'openai',
            api_key: 'sk-spill',
            options: { custom_host: `${upstream.url}/v1` },
          },
        },
      },
      env: { ...setup.env, PK_DATA_DIR: dataDir.path },
    });
    gateways.push(gateway);
    return gateway;
  };

  beforeAll(async () => {
    upstream = await startMockOpenAI();
    setup = await setUpEngine('postgres', { proxy: true });
    dataDir = temporaryDataDir();
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop().catch(() => undefined);
    await upstream?.close();
    await setup?.cleanup();
    dataDir?.remove();
  });

  it('feedback the database refused at SIGTERM is kept in the spill file and on the trace after the next start', async () => {
    const first = await start();
    setup.proxy?.cut();
    const traceId = `feedback-spill-${Date.now().toString(36)}`;
    const portkey = new Portkey({
      baseURL: first.base,
      apiKey: KEY,
      traceID: traceId,
      config: {
        virtual_key: 'openai-a',
        input_guardrails: [
          {
            'default.contains': { words: ['capital'], operator: 'none' },
            on_fail: { feedback: { value: -6, weight: 0.5 } },
          },
        ],
      },
      maxRetries: 0,
    });
    // Answered while the database is down: the feedback waits in the queue.
    const completion = await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
    first.process.child.kill('SIGTERM');
    expect(await first.process.exited).toBe(0);
    const spillFile = join(dataDir.path, 'hook-feedback-spill.jsonl');
    expect(first.process.output()).toContain(
      `hooks' feedback not written at close (1 piece): kept in ${spillFile}, written to the store at the next start`,
    );
    const rows = readFileSync(spillFile, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows).toMatchObject([{ trace_id: traceId, value: -6, weight: 0.5 }]);

    setup.proxy?.restore();
    const second = await start();
    const feedback = await vi.waitFor(
      async () => {
        const response = await fetch(`${second.base}/traces/${traceId}`, {
          headers: { 'x-portkey-api-key': KEY },
        });
        expect(response.status).toBe(200);
        const body = (await response.json()) as { feedback: Record<string, unknown>[] };
        expect(body.feedback).toHaveLength(1);
        return body.feedback;
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(feedback[0]).toMatchObject({
      value: -6,
      weight: 0.5,
      metadata: { successfulChecks: '', failedChecks: 'default.contains', erroredChecks: '' },
    });
    expect(existsSync(spillFile)).toBe(false);
  }, 60_000);
});
