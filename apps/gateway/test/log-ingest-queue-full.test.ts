import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkError } from './support/admin-harness.js';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { writeMarkerLine } from './support/output-lines.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// Portkey's custom logs (`portkey.logs.create`) when the request log queue cannot take a call's
// logs, through the built gateway and the `portkey-ai` SDK: the call is refused whole (503
// PK_ERR_STORE_UNAVAILABLE with Retry-After), never answered `ok` for logs that are then dropped.
// The queue holds 100 records (PK_LOG_QUEUE_SIZE).
const KEY = 'pk-ingest-key';

describe('logs.create when the log queue cannot take the call', () => {
  let gateway: FeatureGateway;
  const dataDir = temporaryDataDir();
  beforeAll(async () => {
    gateway = await startFeatureGateway({
      settings: { gateway_keys: [{ id: 'ingest', key: KEY }] },
      env: { PK_DATA_DIR: dataDir.path, PK_LOG_QUEUE_SIZE: '100' },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    dataDir.remove();
  });

  const logs = (traceId: string, count: number) =>
    Array.from({ length: count }, (_, index) => ({
      request: {
        url: 'https://api.openai.com/v1/chat/completions',
        provider: 'openai',
        body: { model: 'gpt-4o' },
      },
      response: { status: 200, body: { model: 'gpt-4o' }, response_time: 10 },
      metadata: { trace_id: traceId, n: String(index) },
    }));
  const traceSize = async (traceId: string): Promise<number> => {
    const response = await fetch(`${gateway.base}/traces/${traceId}`, {
      headers: { 'x-portkey-api-key': KEY },
    });
    if (response.status !== 200) return 0;
    return ((await response.json()) as { requests: unknown[] }).requests.length;
  };

  it('refuses a call whose logs do not all fit, keeping none of them, and takes one that fits', async () => {
    const portkey = new Portkey({ baseURL: gateway.base, apiKey: KEY, maxRetries: 0 } as never);
    const refused = await sdkError(portkey.logs.create(logs('ingest-too-many', 150) as never));
    expect(refused.status, refused.message).toBe(503);
    expect(JSON.stringify(refused.body)).toContain('PK_ERR_STORE_UNAVAILABLE');
    const raw = await fetch(`${gateway.base}/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-portkey-api-key': KEY },
      body: JSON.stringify(logs('ingest-too-many', 150)),
    });
    expect(raw.status).toBe(503);
    expect(raw.headers.get('retry-after')).toBe('1');

    expect(await portkey.logs.create(logs('ingest-fits', 60) as never)).toBe('ok');
    const until = Date.now() + 10_000;
    while ((await traceSize('ingest-fits')) < 60 && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await traceSize('ingest-fits')).toBe(60);
    // Nothing of the refused calls was kept, and nothing was dropped.
    expect(await traceSize('ingest-too-many')).toBe(0);
    await writeMarkerLine(gateway.process);
    expect(gateway.process.output()).not.toMatch(/dropped \d+ request log record/);
  });
});
