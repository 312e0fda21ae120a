import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { startGateway } from './server-process.js';
import { sdkError } from './support/admin-harness.js';
import { type SdkGateway, startSdkGateway } from './support/sdk-gateway.js';
import { SqliteLockHolder } from './support/sqlite-lock-holder.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// Another process holding the SQLite file's write lock (a `sqlite3` shell, `pk vault rotate`, a
// second gateway): an admin write waits for it up to 5 s, then answers 503, while the gateway goes
// on serving everything else at once (decision 0009: the gateway's reads never wait for a writer).
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

let upstream: MockOpenAI;
let running: SdkGateway;
let other: SqliteLockHolder;

beforeAll(async () => {
  upstream = await startMockOpenAI({ record: true });
  running = await startSdkGateway('sqlite');
  other = new SqliteLockHolder(running.setup.env.PK_DATA_DIR as string);
});

afterAll(async () => {
  other?.close();
  await running?.stop();
  await upstream?.close();
});

/** The slowest `/health` answer (ms) while `work` runs, asked every 50 ms. */
async function slowestHealthDuring(work: Promise<unknown>): Promise<number> {
  let done = false;
  void work.finally(() => {
    done = true;
  });
  let slowest = 0;
  while (!done) {
    const started = performance.now();
    const answer = await fetch(`${running.gateway.url}/health`);
    await answer.text();
    slowest = Math.max(slowest, performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return slowest;
}

describe('an admin write while another process holds the SQLite write lock', () => {
  it('waits for the lock while /health and proxied requests answer at once, then is written', async () => {
    other.hold();
    const release = setTimeout(() => other.release(), 1500);
    const admin = new Portkey({ apiKey: running.adminKey });
    const created = admin.configs.create({ name: 'Locked', config: { retry: { attempts: 1 } } });
    const client = new OpenAI({
      apiKey: 'sk-lock-test',
      baseURL: `${running.gateway.url}/v1`,
      maxRetries: 0,
      defaultHeaders: {
        'x-portkey-api-key': running.userKey,
        'x-portkey-provider': 'openai',
        'x-portkey-custom-host': `${upstream.url}/v1`,
      },
    });
    const chatStarted = performance.now();
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(performance.now() - chatStarted).toBeLessThan(1000);
    expect(completion.choices[0]?.message.content).toBe('The capital of France is Paris.');
    expect(upstream.received.at(-1)?.body).toMatchObject({ model: 'gpt-4o-mini' });
    expect(await slowestHealthDuring(created)).toBeLessThan(300);
    clearTimeout(release);
    expect((await created).slug).toMatch(/^pc-/);
  });

  it('answers 503 PK_ERR_STORE_UNAVAILABLE after 5 s of waiting, and /health never waits', async () => {
    other.hold();
    try {
      const admin = new Portkey({ apiKey: running.adminKey, maxRetries: 0 });
      const started = performance.now();
      const refused = sdkError(admin.configs.create({ name: 'Refused', config: { retry: { attempts: 1 } } }));
      expect(await slowestHealthDuring(refused)).toBeLessThan(300);
      const { status, body } = await refused;
      expect(performance.now() - started).toBeGreaterThan(4500);
      expect(status).toBe(503);
      expect(JSON.stringify(body)).toContain('PK_ERR_STORE_UNAVAILABLE');
    } finally {
      other.release();
    }
  }, 15_000);
});

describe('SIGTERM while another process holds the SQLite write lock', () => {
  it('exits within the drain time and a moment, the request log’s records kept in the spill file', async () => {
    const dataDir = temporaryDataDir();
    const gateway = await startGateway({
      PK_DATA_DIR: dataDir.path,
      PK_SHUTDOWN_TIMEOUT_MS: '1000',
      PK_LOG_FLUSH_MS: '0',
    });
    const lock = new SqliteLockHolder(dataDir.path);
    try {
      lock.hold();
      const client = new OpenAI({
        apiKey: 'sk-lock-test',
        baseURL: `${gateway.url}/v1`,
        maxRetries: 0,
        defaultHeaders: {
          'x-portkey-provider': 'openai',
          'x-portkey-custom-host': `${upstream.url}/v1`,
          'x-portkey-trace-id': 'locked-at-shutdown',
        },
      });
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
      const signalled = performance.now();
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
      expect(performance.now() - signalled).toBeLessThan(3500);
      const spilled = readFileSync(join(dataDir.path, 'request-log-spill.jsonl'), 'utf8');
      expect(spilled).toContain('locked-at-shutdown');
      expect(gateway.output()).toMatch(/1 request log records could not be written before stopping: kept in/);
    } finally {
      lock.close();
      dataDir.remove();
    }
  }, 20_000);
});
