import { createTemporaryDatabase, requirePostgres, type TemporaryDatabase } from '@pk/store/testing';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkError } from './support/admin-harness.js';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { announcedMetricsUrl } from './support/metrics-url.js';
import { textLine, writeMarkerLine } from './support/output-lines.js';
import { parsePrometheusText, sampleValue } from './support/prometheus-text.js';
import { type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';

// PostgreSQL refusing the gateway's database (`ALTER DATABASE … ALLOW_CONNECTIONS false` and its
// sessions ended, as during a maintenance or a failover), through the built gateway and the
// `portkey-ai` SDK: requests are still served, the request log keeps its records and writes them
// once the database is back (none dropped, `pk_log_dropped_total` 0), and the admin API answers 503
// PK_ERR_STORE_UNAVAILABLE, not 500.
const postgresUp = await requirePostgres('PostgreSQL refusing connections');
const KEY = 'pk-refusal-key';
const ADMIN = 'pk-refusal-admin';
const messages = [{ role: 'user' as const, content: 'Hello' }];

describe.runIf(postgresUp)('PostgreSQL refusing the gateway’s database', () => {
  let mock: ProviderMock;
  let gateway: FeatureGateway;
  let database: TemporaryDatabase;
  let metricsUrl: string;

  beforeAll(async () => {
    mock = await startProviderMock();
    database = await createTemporaryDatabase();
    gateway = await startFeatureGateway({
      mock,
      settings: {
        gateway_keys: [
          { id: 'refusal', key: KEY },
          { id: 'ops', key: ADMIN, role: 'admin' },
        ],
        virtual_keys: {
          'openai-a': {
            provider: 'openai',
            api_key: 'sk-refusal',
            options: { custom_host: `${mock.url}/v1` },
          },
        },
      },
      env: {
        PK_DATABASE_URL: database.url,
        PK_MASTER_KEY: 'env:PK_TEST_MASTER',
        PK_TEST_MASTER: Buffer.alloc(32, 7).toString('base64'),
        PK_METRICS_PORT: '0',
      },
    });
    metricsUrl = announcedMetricsUrl(gateway.process.output());
  });
  afterAll(async () => {
    await gateway?.stop();
    await mock?.close();
    if (database) {
      await database.allowConnections(true);
      await database.drop();
    }
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
  const admin = () => new Portkey({ baseURL: gateway.base, apiKey: ADMIN });
  const traceSize = async (traceId: string): Promise<number> => {
    const response = await fetch(`${gateway.base}/traces/${traceId}`, {
      headers: { 'x-portkey-api-key': ADMIN },
    });
    if (response.status !== 200) return 0;
    return ((await response.json()) as { requests: unknown[] }).requests.length;
  };
  const until = async (check: () => Promise<boolean>, timeoutMs = 15_000): Promise<boolean> => {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (await check()) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return false;
  };

  it('serves requests, keeps every log record for when it is back, and answers admin calls 503 PK_ERR_STORE_UNAVAILABLE', async () => {
    const created = await admin().configs.create({ name: 'refusal', config: { retry: { attempts: 1 } } });
    const slug = (created as { slug?: string; id?: string }).slug ?? '';
    expect(slug).not.toBe('');
    expect(await send('refusal-before', 3)).toBe(3);
    expect(await until(async () => (await traceSize('refusal-before')) === 3)).toBe(true);

    await database.allowConnections(false);
    expect(await send('refusal-during', 20)).toBe(20);
    // A flush ran while the database refused: the batch is kept, no record is refused "on its own".
    await gateway.process.waitForLine(textLine('refused a batch'));

    // One call at a time: a second call made up front would reject while the first is awaited, with
    // no handler yet (an unhandled rejection).
    for (const call of [
      () => admin().virtualKeys.list(),
      () => admin().configs.update({ slug, config: { retry: { attempts: 2 } } }),
    ]) {
      const refused = await sdkError(call());
      expect(refused.status, refused.message).toBe(503);
      expect(JSON.stringify(refused.body)).toContain('PK_ERR_STORE_UNAVAILABLE');
    }
    // The SDK has no call that lists logs: Portkey's route, as its API documents it.
    const logs = await fetch(`${gateway.base}/logs?limit=1`, { headers: { 'x-portkey-api-key': ADMIN } });
    expect(logs.status).toBe(503);
    expect(((await logs.json()) as { error: { code: string } }).error.code).toBe('PK_ERR_STORE_UNAVAILABLE');

    await database.allowConnections(true);
    expect(await until(async () => (await traceSize('refusal-during')) === 20)).toBe(true);
    // The end of the outage is said once, as its start was.
    await gateway.process.waitForLine(textLine('the log store takes records again after refusing them for'));
    await writeMarkerLine(gateway.process);
    expect(gateway.process.output()).not.toContain('on its own');
    expect(gateway.process.output().split('the log store takes records again')).toHaveLength(2);
    const metrics = parsePrometheusText(await (await fetch(metricsUrl)).text());
    expect(sampleValue(metrics, 'pk_log_dropped_total', { queue: 'log_store' })).toBe(0);
    // The admin API is back too.
    await admin().configs.update({ slug, config: { retry: { attempts: 2 } } });
  });
});
