import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { textLine } from './support/output-lines.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// The SQLite file deleted under a running gateway (a cleanup job, an operator's `rm` in the wrong
// folder), through the built gateway and the `portkey-ai` SDK: requests are still served, the log
// says what happened, the logs API answers 503 PK_ERR_STORE_UNAVAILABLE rather than a 500, no
// empty file without tables is made in its place, and the records of the requests served since are
// spilled at shutdown and stored by the next start.
const KEY = 'pk-deleted-file-key';
const messages = [{ role: 'user' as const, content: 'Hello' }];

let upstream: MockOpenAI;
let gateway: FeatureGateway;
/** The start after the shutdown. */
let next: FeatureGateway | undefined;
const dataDir = temporaryDataDir();
const databaseFile = join(dataDir.path, 'pk.db');

/** A gateway on the test's data directory, with its key and virtual key. */
const start = (): Promise<FeatureGateway> =>
  startFeatureGateway({
    settings: {
      gateway_keys: [{ id: 'deleted', key: KEY, role: 'admin' }],
      virtual_keys: {
        'openai-a': {
          provider: 'openai',
          api_key: 'sk-deleted',
          options: { custom_host: `${upstream.url}/v1` },
        },
      },
    },
    env: { PK_DATA_DIR: dataDir.path, PK_LOG_STORE_FLUSH_MS: '100' },
  });

beforeAll(async () => {
  upstream = await startMockOpenAI();
  gateway = await start();
});
afterAll(async () => {
  await gateway?.stop();
  await next?.stop();
  await upstream?.close();
  dataDir.remove();
});

const send = async (traceID: string, count: number): Promise<number> => {
  const portkey = new Portkey({ baseURL: gateway.base, apiKey: KEY, virtualKey: 'openai-a', traceID });
  let answered = 0;
  for (let index = 0; index < count; index += 1) {
    const answer = await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages });
    if (answer.choices?.[0]?.message?.content) answered += 1;
  }
  return answered;
};

describe('the SQLite file deleted under a running gateway', () => {
  it('serves on, says so, answers the logs API 503, makes no empty file, and stores the records at the next start', async () => {
    expect(await send('before-delete', 2)).toBe(2);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${databaseFile}${suffix}`, { force: true });

    expect(await send('after-delete', 3)).toBe(3);
    await gateway.process.waitForLine(textLine(`the SQLite file ${databaseFile} is gone`));
    // A few more batches: none of them makes a new, empty file in its place.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(existsSync(databaseFile), 'an empty pk.db without tables was made').toBe(false);

    const logs = await fetch(`${gateway.base}/logs?trace_id=after-delete`, {
      headers: { 'x-portkey-api-key': KEY },
    });
    expect(logs.status).toBe(503);
    expect(((await logs.json()) as { error: { code: string } }).error.code).toBe('PK_ERR_STORE_UNAVAILABLE');
    expect(gateway.process.output()).not.toContain('no such table');

    // SIGTERM: the records the store refused go to the spill file; the next start makes a new store
    // and stores them.
    gateway.process.child.kill('SIGTERM');
    expect(await gateway.process.exited).toBe(0);
    const restarted = await start();
    next = restarted;
    // The replay runs in the background: its records come within a moment.
    await vi.waitFor(
      async () => {
        const response = await fetch(`${restarted.base}/logs?trace_id=after-delete`, {
          headers: { 'x-portkey-api-key': KEY },
        });
        expect(response.status).toBe(200);
        expect(((await response.json()) as { data: unknown[] }).data).toHaveLength(3);
      },
      { timeout: 15_000, interval: 200 },
    );
  }, 60_000);
});
