import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTcpProxy,
  createTemporaryDatabase,
  requirePostgres,
  type TcpProxy,
  type TemporaryDatabase,
} from '@pk/store/testing';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { textLine } from './support/output-lines.js';
import { type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// The log store failing mid-run, through the built gateway and the `portkey-ai` SDK: every request
// still succeeds, records beyond the queue are dropped and counted (warned about), and writes resume
// when the store is back, without a restart. PostgreSQL through a TCP proxy that is cut; SQLite's
// file made read-only. The queue holds 100 records (PK_LOG_QUEUE_SIZE) so drops come quickly.
const postgresUp = await requirePostgres('log store faults on PostgreSQL');
const KEY = 'pk-logfault-key';
const messages = [{ role: 'user' as const, content: 'Hello' }];

describe.each([
  ['sqlite', true],
  ['postgres', postgresUp],
] as const)('the log store failing mid-run on %s', (engine, available) => {
  let mock: ProviderMock;
  let gateway: FeatureGateway;
  let database: TemporaryDatabase | undefined;
  let proxy: TcpProxy | undefined;
  const dataDir = temporaryDataDir();

  beforeAll(async () => {
    if (!available) return;
    mock = await startProviderMock();
    let env: Record<string, string> = { PK_DATA_DIR: dataDir.path, PK_LOG_QUEUE_SIZE: '100' };
    if (engine === 'postgres') {
      database = await createTemporaryDatabase();
      const url = new URL(database.url);
      proxy = await createTcpProxy(url.hostname, Number(url.port || 5432));
      url.port = String(proxy.port);
      env = {
        ...env,
        PK_DATABASE_URL: url.toString(),
        PK_MASTER_KEY: 'env:PK_TEST_MASTER',
        PK_TEST_MASTER: Buffer.alloc(32, 9).toString('base64'),
      };
    }
    gateway = await startFeatureGateway({
      mock,
      settings: {
        gateway_keys: [{ id: 'faults', key: KEY }],
        virtual_keys: {
          'openai-a': {
            provider: 'openai',
            api_key: 'sk-faults',
            options: { custom_host: `${mock.url}/v1` },
          },
        },
      },
      env,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await mock?.close();
    await proxy?.close();
    await database?.drop();
    dataDir.remove();
  });

  const send = async (traceID: string, count: number): Promise<number[]> => {
    const portkey = new Portkey({ baseURL: gateway.base, apiKey: KEY, virtualKey: 'openai-a', traceID });
    const statuses: number[] = [];
    for (let index = 0; index < count; index += 1) {
      // The SDK throws on any failure; an answer with content is a 200.
      const answer = await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages });
      statuses.push(answer.choices?.[0]?.message?.content ? 200 : 0);
    }
    return statuses;
  };
  const traceSize = async (traceId: string): Promise<number> => {
    const response = await fetch(`${gateway.base}/traces/${traceId}`, {
      headers: { 'x-portkey-api-key': KEY },
    });
    if (response.status !== 200) return 0;
    return ((await response.json()) as { requests: unknown[] }).requests.length;
  };
  const until = async (check: () => Promise<boolean>, timeoutMs = 8000): Promise<boolean> => {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (await check()) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return false;
  };

  it.runIf(available)(
    'every request succeeds, drops are counted, writes resume without a restart',
    async () => {
      expect(await send('fault-before', 5)).toEqual(Array(5).fill(200));
      expect(await until(async () => (await traceSize('fault-before')) === 5)).toBe(true);

      // The store fails.
      if (proxy) proxy.cut();
      else chmodSync(join(dataDir.path, 'pk.db'), 0o444);
      const during = await send('fault-during', 160);
      expect(during.every((status) => status === 200)).toBe(true);
      // A flush fails (refused, kept), and the 100-record queue overflows: drops are warned about.
      await gateway.process.waitForLine(textLine(/dropped \d+ request log record/));
      await gateway.process.waitForLine(textLine('refused a batch'));

      // The store is back: what was queued is written (the queue drains), then new records, same process.
      if (proxy) proxy.restore();
      else chmodSync(join(dataDir.path, 'pk.db'), 0o600);
      expect(await until(async () => (await traceSize('fault-during')) > 0, 15_000)).toBe(true);
      const kept = await traceSize('fault-during');
      expect(kept).toBeLessThan(160);
      expect(await send('fault-after', 3)).toEqual([200, 200, 200]);
      expect(await until(async () => (await traceSize('fault-after')) === 3)).toBe(true);
      expect(gateway.process.child.exitCode).toBeNull();
    },
  );
});
