import OpenAI from 'openai';
import { createHeaders, Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { openAIError } from './support/provider-answers.js';
import { type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// What a stored record says about a request, through the built gateway and the official SDKs: the
// path a pass-through request called (`openai`'s generic `post`), and where its time went
// (`portkey-ai`): `overhead_ms` is the gateway's own time, not the back-off it waited on purpose.
const KEY = 'pk-timing-key';
let mock: ProviderMock;
let gateway: FeatureGateway;
const dataDir = temporaryDataDir();

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [{ id: 'timing', key: KEY }],
      virtual_keys: {
        'openai-a': { provider: 'openai', api_key: 'sk-timing', options: { custom_host: `${mock.url}/v1` } },
      },
    },
    // Records written every 50 ms rather than every second: the waits for them end sooner.
    env: { PK_DATA_DIR: dataDir.path, PK_LOG_STORE_FLUSH_MS: '50' },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  dataDir.remove();
});

/** The stored records of a trace, once `count` of them are written (within 5 s). */
async function recordsOf(traceId: string, count = 1): Promise<Record<string, unknown>[]> {
  const end = Date.now() + 5000;
  for (;;) {
    const response = await fetch(`${gateway.base}/logs?trace_id=${traceId}`, {
      headers: { 'x-portkey-api-key': KEY },
    });
    const data = ((await response.json()) as { data: Record<string, unknown>[] }).data;
    if (data.length >= count || Date.now() > end) return data;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('overhead_ms of a stored record', () => {
  it('leaves out the back-off before a retry: a request retried once after ~1 s shows the gateway’s own milliseconds', async () => {
    // The first call answers 503, the retry (after the default back-off, ~1 s) the usual answer.
    mock.script('gpt-4o-mini-retried', (_request, index) =>
      index === 0 ? { status: 503, json: openAIError(503, 'overloaded') } : undefined,
    );
    const portkey = new Portkey({
      baseURL: gateway.base,
      apiKey: KEY,
      traceID: 'timing-retried',
      config: { virtual_key: 'openai-a', retry: { attempts: 1, on_status_codes: [503] } },
    });
    const answer = await portkey.chat.completions.create({
      model: 'gpt-4o-mini-retried',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(answer.choices[0]?.message?.content).toBeTruthy();
    expect(mock.forModel('gpt-4o-mini-retried')).toHaveLength(2);

    const [record] = await recordsOf('timing-retried');
    const attempts = record?.attempts as { started_at: string; latency_ms: number; status: number }[];
    expect(attempts.map((attempt) => attempt.status)).toEqual([503, 200]);
    const [failed, retried] = attempts as [(typeof attempts)[0], (typeof attempts)[0]];
    const backoffMs = Date.parse(retried.started_at) - Date.parse(failed.started_at) - failed.latency_ms;
    expect(backoffMs).toBeGreaterThanOrEqual(500);
    expect(record?.retries).toBe(1);
    expect(record?.latency_ms as number).toBeGreaterThan(backoffMs);
    // Before, overhead_ms was latency minus provider time: the whole back-off (~1,000 ms) and more.
    expect(record?.overhead_ms as number).toBeLessThan(backoffMs / 5);
    expect(record?.overhead_ms as number).toBeGreaterThanOrEqual(0);
  });
});

describe('path of a stored pass-through record', () => {
  it('is the path the client called, without the query string that may carry a key', async () => {
    const openai = new OpenAI({
      baseURL: gateway.base,
      apiKey: KEY,
      defaultHeaders: createHeaders({ apiKey: KEY, virtualKey: 'openai-a', traceId: 'passthrough-path' }),
    });
    // An endpoint the gateway has no route of its own for: forwarded as it is, query included.
    const echo = (await openai.post('/vector_stores/vs_abc123/file_batches', {
      body: { file_ids: ['file-1'] },
      query: { key: 'sk-in-the-query', limit: 2 },
    })) as { object: string; path: string };
    expect(echo.object).toBe('echo');
    const [received] = mock.received.filter((request) => request.path.includes('file_batches'));
    expect(received?.path).toBe('/v1/vector_stores/vs_abc123/file_batches?key=sk-in-the-query&limit=2');

    const [record] = await recordsOf('passthrough-path');
    expect(record).toMatchObject({
      endpoint: 'passthrough',
      method: 'POST',
      path: '/v1/vector_stores/vs_abc123/file_batches',
      status: 200,
      provider: 'openai',
    });
    const response = await fetch(`${gateway.base}/logs/${String(record?.id)}`, {
      headers: { 'x-portkey-api-key': KEY },
    });
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ path: '/v1/vector_stores/vs_abc123/file_batches' });
    expect(text).not.toContain('sk-in-the-query');

    // A chat request names its endpoint; it has no path of its own.
    const portkey = new Portkey({
      baseURL: gateway.base,
      apiKey: KEY,
      virtualKey: 'openai-a',
      traceID: 'chat-path',
    });
    await portkey.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const [chat] = await recordsOf('chat-path');
    expect(chat).toMatchObject({ endpoint: 'chat.completions', path: null });
  });

  it('is a field of log exports: the pass-through request’s path, null for a chat', async () => {
    const portkey = new Portkey({ baseURL: gateway.base, apiKey: KEY });
    const exportPaths = async (traceId: string): Promise<unknown[]> => {
      const created = await portkey.logs.exports.create({
        filters: { trace_id: traceId },
        requestedData: ['trace_id', 'mode', 'path'],
      });
      const exportId = created.id as string;
      await portkey.logs.exports.start({ exportId });
      const end = Date.now() + 10_000;
      while (
        ((await portkey.logs.exports.retrieve({ exportId })) as { status?: string }).status !== 'success'
      ) {
        if (Date.now() > end) throw new Error(`export ${exportId} did not finish`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const link = (await portkey.logs.exports.download({ exportId })) as { signed_url: string };
      const text = await (await fetch(link.signed_url)).text();
      return text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown);
    };
    expect(await exportPaths('passthrough-path')).toEqual([
      { trace_id: 'passthrough-path', mode: 'passthrough', path: '/v1/vector_stores/vs_abc123/file_batches' },
    ]);
    expect(await exportPaths('chat-path')).toEqual([
      { trace_id: 'chat-path', mode: 'chat.completions', path: null },
    ]);
  });
});

describe('error_code of a stored proxied record', () => {
  it('is the status the client got when the provider’s error has neither code nor type, so ?error_code=500 finds it', async () => {
    // An upstream (or a proxy in front of it) answering a 500 whose error names no code and no type.
    mock.script('gpt-4o-mini-bare-500', () => ({
      status: 500,
      json: { error: { message: 'The server had an error while processing your request.' } },
    }));
    const openai = new OpenAI({
      baseURL: gateway.base,
      apiKey: KEY,
      maxRetries: 0,
      defaultHeaders: createHeaders({ virtualKey: 'openai-a', traceId: 'bare-500' }),
    });
    const failure = await openai.chat.completions
      .create({ model: 'gpt-4o-mini-bare-500', messages: [{ role: 'user', content: 'Hi' }] })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(OpenAI.InternalServerError);
    expect((failure as InstanceType<typeof OpenAI.InternalServerError>).status).toBe(500);
    expect(mock.forModel('gpt-4o-mini-bare-500')).toHaveLength(1);

    const [record] = await recordsOf('bare-500');
    expect(record).toMatchObject({ status: 500, error_code: '500' });
    const response = await fetch(`${gateway.base}/logs?error_code=500&trace_id=bare-500`, {
      headers: { 'x-portkey-api-key': KEY },
    });
    const found = ((await response.json()) as { data: Record<string, unknown>[] }).data;
    expect(found.map((row) => row.trace_id)).toEqual(['bare-500']);
  });
});

describe('the model of a stored record', () => {
  it('is the model a config’s override_params.model called, not the body’s: in the record, the stdout line and the model filter', async () => {
    const portkey = new Portkey({
      baseURL: gateway.base,
      apiKey: KEY,
      traceID: 'model-override',
      config: {
        strategy: { mode: 'fallback' },
        targets: [
          // The first target fails: the second one's model answers.
          { virtual_key: 'openai-a', override_params: { model: 'fail-503' } },
          { virtual_key: 'openai-a', override_params: { model: 'gpt-4o' } },
        ],
      },
    });
    const before = mock.received.length;
    const answer = await portkey.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(answer.model).toBe('gpt-4o');
    expect(answer.choices[0]?.message?.content).toBeTruthy();
    // The provider was asked for the overriding models only, never the body's.
    expect(mock.received.slice(before).map((request) => request.model)).toEqual(['fail-503', 'gpt-4o']);

    const [line] = await gateway.waitForRequestLines('model-override');
    expect(line).toMatchObject({
      status: 200,
      model: 'gpt-4o',
      answeredModel: 'gpt-4o',
      targetPath: 'config.targets[1]',
    });
    const [record] = await recordsOf('model-override');
    expect(record).toMatchObject({ model: 'gpt-4o', status: 200 });
    // The console's and /v1/logs' model filter finds it under the model called.
    const filtered = await fetch(`${gateway.base}/logs?trace_id=model-override&model=gpt-4o`, {
      headers: { 'x-portkey-api-key': KEY },
    });
    expect(((await filtered.json()) as { data: unknown[] }).data).toHaveLength(1);
  });
});
