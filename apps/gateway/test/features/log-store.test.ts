import Anthropic from '@anthropic-ai/sdk';
import { cost } from '@pk/prices';
import { openStore } from '@pk/store';
import { createTemporaryDatabase, requirePostgres, type TemporaryDatabase } from '@pk/store/testing';
import { sql } from 'kysely';
import OpenAI, { toFile } from 'openai';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from '../support/feature-gateway.js';
import {
  chatChunks,
  chatChunksCutByServerError,
  chatCompletion,
  MOCK_ANSWER,
} from '../support/provider-answers.js';
import { raw, upload } from '../support/raw-http.js';
import { type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';
import { temporaryDataDir } from '../support/store-fixtures.js';

// Feature suite, issue 18: every request stored and queryable, through the built gateway and the
// official `portkey-ai` SDK, on SQLite (the default) and on PostgreSQL (a database of its own).
const postgresUp = await requirePostgres('log store on PostgreSQL');
const TEAM_A = 'pk-logstore-team-a';
const TEAM_B = 'pk-logstore-team-b';
const ADMIN = 'pk-logstore-admin';
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];
/** How often the gateways of these tests write queued records (`PK_LOG_STORE_FLUSH_MS`), but the SIGTERM one. */
const FLUSH_MS = 50;

type Json = Record<string, unknown>;

/** A real WAV file: 0.1 s of a 16-bit mono sine at 8 kHz (its samples are not UTF-8 text). */
function sineWave(): Buffer {
  const samples = Buffer.alloc(1600);
  for (let index = 0; index < 800; index += 1)
    samples.writeInt16LE(Math.round(Math.sin(index / 3) * 30_000), index * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16_000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples.length, 40);
  return Buffer.concat([header, samples]);
}

/** The settings' one virtual key, `openai-a`, pointing at the mock. */
const openaiVirtualKey = (mock: ProviderMock) => ({
  'openai-a': { provider: 'openai', api_key: 'sk-logstore', options: { custom_host: `${mock.url}/v1` } },
});

describe.each([
  ['sqlite', true],
  ['postgres', postgresUp],
] as const)('the request log store on %s', (engine, available) => {
  let mock: ProviderMock;
  let gateway: FeatureGateway;
  let database: TemporaryDatabase | undefined;
  const run = `${engine}-${Date.now().toString(36)}`;

  beforeAll(async () => {
    if (!available) return;
    mock = await startProviderMock();
    database = engine === 'postgres' ? await createTemporaryDatabase() : undefined;
    gateway = await startFeatureGateway({
      mock,
      settings: {
        gateway_keys: [
          { id: 'team-a', key: TEAM_A },
          { id: 'team-b', key: TEAM_B },
          { id: 'logs-admin', key: ADMIN, role: 'admin' },
        ],
        virtual_keys: openaiVirtualKey(mock),
        // The settings' prices: a model no table knows, priced by the operator.
        prices: { '*': { 'pk-house-model': { input: 10, output: 20 } } },
      },
      // Records written every 50 ms rather than every second: the polls below end sooner.
      env: {
        PK_LOG_STORE_FLUSH_MS: String(FLUSH_MS),
        ...(database
          ? {
              PK_DATABASE_URL: database.url,
              PK_MASTER_KEY: 'env:PK_TEST_MASTER',
              PK_TEST_MASTER: Buffer.alloc(32, 7).toString('base64'),
            }
          : {}),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await mock?.close();
    await database?.drop();
  });

  const get = async (path: string, key: string): Promise<{ status: number; body: Json }> => {
    const response = await fetch(`${gateway.base}${path}`, { headers: { 'x-portkey-api-key': key } });
    return { status: response.status, body: (await response.json()) as Json };
  };
  /** Polls until the record(s) are written (the writer flushes at least every {@link FLUSH_MS}). */
  const eventually = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
    const until = Date.now() + 5000;
    for (;;) {
      const value = await read();
      if (done(value) || Date.now() > until) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const client = (key: string, extra: Record<string, unknown> = {}) =>
    new Portkey({ baseURL: gateway.base, apiKey: key, virtualKey: 'openai-a', ...extra });

  it.runIf(available)(
    'a fallback with retries shows every attempt with its status and latency in GET /v1/traces/:id; another tenant gets 404',
    async () => {
      const traceId = `fallback-${run}`;
      const portkey = new Portkey({
        baseURL: gateway.base,
        apiKey: TEAM_A,
        traceID: traceId,
        config: {
          strategy: { mode: 'fallback' },
          targets: [
            {
              virtual_key: 'openai-a',
              override_params: { model: 'fail-503' },
              retry: { attempts: 2, on_status_codes: [503] },
            },
            { virtual_key: 'openai-a', override_params: { model: 'gpt-4o-mini' } },
          ],
        },
      });
      const answer = await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect(answer.choices?.[0]?.message?.content).toBeTruthy();
      await portkey.feedback.create({ traceID: traceId, value: 5 });
      const trace = await eventually(
        () => get(`/traces/${traceId}`, TEAM_A),
        (result) => result.status === 200,
      );
      expect(trace.status).toBe(200);
      expect(trace.body.trace_id).toBe(traceId);
      const [record] = trace.body.requests as Json[];
      const attempts = record?.attempts as Json[];
      expect(attempts.map((attempt) => [attempt.target_path, attempt.status])).toEqual([
        ['config.targets[0]', 503],
        ['config.targets[0]', 503],
        ['config.targets[0]', 503],
        ['config.targets[1]', 200],
      ]);
      for (const attempt of attempts) {
        expect(attempt.provider).toBe('openai');
        expect(attempt.latency_ms).toEqual(expect.any(Number));
      }
      expect(attempts[0]?.error_code).toEqual(expect.any(String));
      expect(record).toMatchObject({
        tenant: 'team-a',
        status: 200,
        retries: 0,
        target_path: 'config.targets[1]',
        provider: 'openai',
        model: 'gpt-4o-mini',
        cost_status: 'priced',
        endpoint: 'chat.completions',
      });
      expect(record?.cost).toBeGreaterThan(0);
      expect(trace.body.feedback).toEqual([expect.objectContaining({ value: 5 })]);
      // What the upstream saw: three calls to the failing target, one to the fallback.
      expect(mock.received.filter((call) => call.model === 'fail-503').length).toBeGreaterThanOrEqual(3);

      // Another tenant's trace and record do not exist for team B; the admin key sees them.
      expect((await get(`/traces/${traceId}`, TEAM_B)).status).toBe(404);
      expect((await get(`/logs/${record?.id}`, TEAM_B)).status).toBe(404);
      expect((await get(`/logs/${record?.id}`, TEAM_A)).status).toBe(200);
      expect((await get(`/traces/${traceId}`, ADMIN)).status).toBe(200);
    },
  );

  it.runIf(available)(
    'finds a trace by the longest trace id the gateway keeps (256 characters, / and % among them) in GET /v1/traces/:id',
    async () => {
      // Percent-encoded in the path it is 596 characters: beyond fastify's default parameter length (100).
      const traceId = `${'t/%'.repeat(85)}t`;
      expect(traceId).toHaveLength(256);
      await client(TEAM_A, { traceID: traceId }).chat.completions.create({ model: 'gpt-4o-mini', messages });
      const trace = await eventually(
        () => get(`/traces/${encodeURIComponent(traceId)}`, TEAM_A),
        (result) => result.status === 200,
      );
      expect(trace.status).toBe(200);
      expect(trace.body.trace_id).toBe(traceId);
      expect((trace.body.requests as Json[]).map((record) => record.trace_id)).toEqual([traceId]);
    },
  );

  it.runIf(available)('a _user filter finds exactly that user’s requests, across pages', async () => {
    const ada = `ada-${run}`;
    const receivedBefore = mock.received.length;
    for (let index = 0; index < 3; index += 1) {
      await client(TEAM_A, { metadata: { _user: ada, turn: String(index) } }).chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
      });
      await client(TEAM_A, { metadata: { _user: `bob-${run}` } }).chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
      });
    }
    // The same user name in another tenant is not team A's.
    await client(TEAM_B, { metadata: { _user: ada } }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
    });
    // The upstream got each of the seven chat requests once, with the virtual key's provider key.
    const calls = mock.received.slice(receivedBefore);
    expect(calls).toHaveLength(7);
    for (const call of calls) {
      expect(call).toMatchObject({ path: '/v1/chat/completions', model: 'gpt-4o-mini' });
      expect(call.headers.authorization).toBe('Bearer sk-logstore');
    }
    const first = await eventually(
      () => get(`/logs?metadata._user=${ada}&limit=2`, TEAM_A),
      (result) => result.body.next_cursor !== null,
    );
    expect(first.body.object).toBe('list');
    const second = await get(
      `/logs?metadata._user=${ada}&limit=2&cursor=${encodeURIComponent(String(first.body.next_cursor))}`,
      TEAM_A,
    );
    const records = [...(first.body.data as Json[]), ...(second.body.data as Json[])];
    expect(second.body.next_cursor).toBeNull();
    expect(records).toHaveLength(3);
    for (const record of records)
      expect(record).toMatchObject({ tenant: 'team-a', metadata: { _user: ada } });
    expect(new Set(records.map((record) => (record.metadata as Json).turn))).toEqual(
      new Set(['0', '1', '2']),
    );
    const both = await get(`/logs?metadata._user=${ada}&metadata.turn=1`, TEAM_A);
    expect(both.body.data).toHaveLength(1);
    const admin = await eventually(
      () => get(`/logs?metadata._user=${ada}`, ADMIN),
      (result) => (result.body.data as Json[]).length === 4,
    );
    expect(admin.body.data).toHaveLength(4);
    // Paged (each tenant's page through its own index, merged newest first): the same four, in order.
    const adminFirst = await get(`/logs?metadata._user=${ada}&limit=3`, ADMIN);
    const adminSecond = await get(
      `/logs?metadata._user=${ada}&limit=3&cursor=${encodeURIComponent(String(adminFirst.body.next_cursor))}`,
      ADMIN,
    );
    expect(adminSecond.body.next_cursor).toBeNull();
    const paged = [...(adminFirst.body.data as Json[]), ...(adminSecond.body.data as Json[])];
    expect(paged.map((record) => record.id)).toEqual((admin.body.data as Json[]).map((record) => record.id));
    expect(new Set(paged.map((record) => record.tenant))).toEqual(new Set(['team-a', 'team-b']));
    const times = paged.map((record) => Date.parse(String(record.created_at)));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // Nine metadata filters: refused before the store (each one a subquery of every tenant's page).
    const nine = Array.from({ length: 9 }, (_, index) => `metadata.k${index}=v`).join('&');
    const refused = await get(`/logs?${nine}`, ADMIN);
    expect(refused).toMatchObject({
      status: 400,
      body: {
        error: {
          type: 'invalid_request_error',
          code: 'PK_ERR_INVALID_REQUEST',
          param: 'metadata',
          message: expect.stringContaining('at most 8 metadata.<key>=<value> filters'),
        },
      },
    });
    const summary = await get('/analytics/summary?group_by=user&bucket=day', TEAM_A);
    expect(summary.status).toBe(200);
    expect(summary.body.data).toContainEqual(expect.objectContaining({ group: ada, requests: 3, errors: 0 }));
  });

  it.runIf(available)(
    'an unknown model: cost null with cost_status unknown_price, never 0; the settings’ prices: price one',
    async () => {
      const traceId = `unpriced-${run}`;
      await client(TEAM_A, { traceID: traceId }).chat.completions.create({
        model: 'pk-unpriced-9',
        messages,
      });
      const trace = await eventually(
        () => get(`/traces/${traceId}`, TEAM_A),
        (result) => result.status === 200,
      );
      expect((trace.body.requests as Json[])[0]).toMatchObject({ cost: null, cost_status: 'unknown_price' });
      const housed = `house-${run}`;
      await client(TEAM_A, { traceID: housed }).chat.completions.create({
        model: 'pk-house-model',
        messages,
      });
      const house = await eventually(
        () => get(`/traces/${housed}`, TEAM_A),
        (result) => result.status === 200,
      );
      const record = (house.body.requests as Json[])[0] as Json & { usage: Json };
      expect(record, JSON.stringify(record)).toMatchObject({ cost_status: 'priced' });
      const usage = record.usage as { prompt_tokens: number; completion_tokens: number };
      expect(record.cost).toBeCloseTo((usage.prompt_tokens * 10 + usage.completion_tokens * 20) / 1e6, 12);
    },
  );

  it.runIf(available)(
    'a streamed answer’s record has the model that answered, its usage and its cost',
    async () => {
      const traceId = `streamed-${run}`;
      // The upstream answers a requested alias with a dated model id, as OpenAI does.
      mock.script('gpt-4o-mini-streamed', [{ sse: chatChunks('gpt-4o-mini-2024-07-18', { usage: true }) }]);
      const stream = await client(TEAM_A, { traceID: traceId }).chat.completions.create({
        model: 'gpt-4o-mini-streamed',
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      expect(text).toBe(MOCK_ANSWER);
      // The upstream got one streamed request for the alias, asking for the usage.
      const received = mock.forModel('gpt-4o-mini-streamed');
      expect(received).toHaveLength(1);
      expect(received[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
      const trace = await eventually(
        () => get(`/traces/${traceId}`, TEAM_A),
        (result) => result.status === 200,
      );
      const record = (trace.body.requests as Json[])[0] as Json & { usage: Json };
      expect(record, JSON.stringify(record)).toMatchObject({
        stream: true,
        model: 'gpt-4o-mini-streamed',
        answered_model: 'gpt-4o-mini-2024-07-18',
        status: 200,
        usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
        // Priced by the model that answered (the table knows the dated id).
        cost_status: 'priced',
      });
      expect(record.cost).toBeGreaterThan(0);
    },
  );

  it.runIf(available)(
    'an answer an output guardrail denied (446) keeps the provider, usage and cost it was billed',
    async () => {
      const traceId = `denied-${run}`;
      const model = `gpt-4o-mini-denied-${run}`;
      const answer = {
        ...chatCompletion('gpt-4o-mini'),
        usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
      };
      (answer.choices[0] as { message: { content: string } }).message.content = 'Apple out';
      mock.script(model, [{ json: answer }]);
      const config = {
        virtual_key: 'openai-a',
        output_guardrails: [{ 'default.contains': { operator: 'none', words: ['Apple'] }, deny: true }],
      };
      const refused = await client(TEAM_A, { traceID: traceId, config, maxRetries: 0 })
        .chat.completions.create({ model, messages })
        .then(
          () => undefined,
          (error: { status?: number }) => error,
        );
      expect(refused?.status).toBe(446);
      const trace = await eventually(
        () => get(`/traces/${traceId}`, TEAM_A),
        (result) => result.status === 200,
      );
      const record = (trace.body.requests as Json[])[0] as Json;
      expect(record, JSON.stringify(record)).toMatchObject({
        status: 446,
        provider: 'openai',
        answered_model: 'gpt-4o-mini',
        usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
        cost_status: 'priced',
        error_code: 'PK_ERR_GUARDRAIL_DENIED',
      });
      expect(record.cost).toBeCloseTo(
        cost({ provider: 'openai', model: 'gpt-4o-mini', usage: { prompt_tokens: 11, completion_tokens: 7 } })
          .cost ?? 0,
        12,
      );
    },
  );

  it.runIf(available)(
    'a stream an output guardrail denied part-way is a failed request with the guardrail’s code',
    async () => {
      const user = `stream-denied-${run}`;
      const streamModel = `stream-denied-${run}`;
      mock.script(streamModel, (request) => ({
        sse: chatChunks(request.model, { usage: true, text: `${'Fine words. '.repeat(20)}Apple out` }),
      }));
      const config = {
        virtual_key: 'openai-a',
        output_guardrails: [{ 'default.contains': { operator: 'none', words: ['Apple'] }, deny: true }],
      };
      const stream = await client(TEAM_A, {
        config,
        metadata: { _user: user },
        maxRetries: 0,
      }).chat.completions.create({
        model: streamModel,
        messages,
        stream: true,
      });
      let streamError: unknown;
      try {
        for await (const _chunk of stream) {
          // drained
        }
      } catch (error) {
        streamError = error;
      }
      expect(String(streamError)).toMatch(/guardrail|hook/i);
      const failed = await eventually(
        async () => (await get(`/logs?metadata._user=${user}&failed=true`, TEAM_A)).body.data as Json[],
        (rows) => rows.length === 1,
      );
      expect(failed.map((record) => [record.status, record.error_code])).toEqual([
        [200, 'PK_ERR_GUARDRAIL_DENIED'],
      ]);
    },
  );

  it.runIf(available)(
    'a stream that fails after its 200 is a failed request: failed=true lists it, error_code finds it, the analytics count it as an error',
    async () => {
      const user = `failures-${run}`;
      const streamModel = `errors-mid-stream-${run}`;
      // OpenAI's in-band error after three chunks (apart, so the client has had the first piece).
      mock.script(streamModel, (request) => ({
        sse: chatChunksCutByServerError(request.model),
        chunkDelayMs: 50,
      }));
      const portkey = client(TEAM_A, { metadata: { _user: user } });
      const started = new Date(Date.now() - 60_000).toISOString();
      const answer = await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect(answer.choices?.[0]?.message?.content).toBe(MOCK_ANSWER);
      const stream = await portkey.chat.completions.create({ model: streamModel, messages, stream: true });
      let text = '';
      let streamError: unknown;
      try {
        for await (const chunk of stream) text += chunk.choices?.[0]?.delta?.content ?? '';
      } catch (error) {
        streamError = error;
      }
      expect(text).toBe('The capital of F');
      expect(String(streamError)).toContain('The server had an error while processing your request');
      const refused = await portkey.chat.completions.create({ model: 'fail-503', messages }).then(
        () => undefined,
        (error: { status?: number }) => error.status,
      );
      expect(refused).toBe(503);
      expect(mock.forModel(streamModel)).toHaveLength(1);
      expect(mock.forModel(streamModel)[0]?.headers.authorization).toBe('Bearer sk-logstore');

      const ofUser = async (filters: string) =>
        ((await get(`/logs?metadata._user=${user}${filters}`, TEAM_A)).body.data as Json[]).map((record) => [
          record.status,
          record.error_code,
          record.model,
        ]);
      await eventually(
        () => ofUser(''),
        (rows) => rows.length === 3,
      );
      // Both failures are the provider's server_error (OpenAI's type; its code is null): the record
      // says so, as its attempt does.
      expect(await ofUser('&failed=true')).toEqual([
        [503, 'server_error', 'fail-503'],
        [200, 'server_error', streamModel],
      ]);
      expect(await ofUser('&failed=false')).toEqual([[200, null, 'gpt-4o-mini']]);
      expect(await ofUser('&error_code=server_error')).toEqual([
        [503, 'server_error', 'fail-503'],
        [200, 'server_error', streamModel],
      ]);
      expect(await ofUser('&error_code=server_error&status=200')).toEqual([
        [200, 'server_error', streamModel],
      ]);
      expect(await ofUser('&status=200&failed=true')).toEqual([[200, 'server_error', streamModel]]);
      expect(await get(`/logs?failed=maybe`, TEAM_A)).toMatchObject({
        status: 400,
        body: { error: { message: 'failed must be true or false', param: 'failed' } },
      });

      // Portkey's analytics through its SDK, narrowed to the user: two errors of three requests.
      const analytics = new Portkey({ baseURL: gateway.base, apiKey: TEAM_A }).analytics.graphs;
      const range = {
        time_of_generation_min: started,
        time_of_generation_max: new Date(Date.now() + 60_000).toISOString(),
        metadata: JSON.stringify({ _user: user }),
      };
      type Graph = { summary: Record<string, number>; data_points: Record<string, unknown>[] };
      expect(((await analytics.errors(range as never)) as unknown as Graph).summary).toEqual({ total: 2 });
      expect(((await analytics.requests(range as never)) as unknown as Graph).summary.total).toBe(3);
      const codes = (await analytics.errors_status_code(range as never)) as unknown as Graph;
      expect(codes.summary).toEqual({ total_errors: 2, unique_error_codes: 2 });
      expect(codes.data_points).toEqual(
        expect.arrayContaining([
          { status_code: 200, count: 1 },
          { status_code: 503, count: 1 },
        ]),
      );
      const failedOnly = { ...range, failed: 'true' };
      expect(((await analytics.requests(failedOnly as never)) as unknown as Graph).summary.total).toBe(2);
      expect(
        ((await analytics.requests({ ...range, error_code: 'server_error' } as never)) as unknown as Graph)
          .summary.total,
      ).toBe(2);
      // pk's summary grouped by error code: the stream's code, every one of its requests an error.
      const byCode = await get('/analytics/summary?group_by=error_code&bucket=day', TEAM_A);
      const serverErrors = (byCode.body.data as Json[]).filter((row) => row.group === 'server_error');
      expect(serverErrors.reduce((sum, row) => sum + Number(row.requests), 0)).toBeGreaterThanOrEqual(1);
      for (const row of serverErrors) expect(row.errors).toBe(row.requests);
      expect(gateway.process.output()).not.toContain('sk-logstore');
    },
  );

  it.runIf(available)(
    'a request refused before any provider call: its record has the error code the client got and the model it asked for',
    async () => {
      const user = `refused-${run}`;
      const receivedBefore = mock.received.length;
      const refusal = await client(TEAM_A, { virtualKey: 'no-such-virtual-key', metadata: { _user: user } })
        .chat.completions.create({ model: 'gpt-4o-mini', messages })
        .then(
          () => undefined,
          (error: { status?: number; error?: { error?: { code?: string } } }) => error,
        );
      expect(refusal?.status).toBe(404);
      // The portkey-ai SDK's error holds the gateway's body as it came.
      const code = refusal?.error?.error?.code;
      expect(code).toBe('PK_ERR_VIRTUAL_KEY_NOT_FOUND');
      expect(mock.received.length).toBe(receivedBefore);
      const records = await eventually(
        async () => (await get(`/logs?metadata._user=${user}`, TEAM_A)).body.data as Json[],
        (found) => found.length === 1,
      );
      // With the model it asked for (no provider: it never got that far).
      expect(records[0]).toMatchObject({
        status: 404,
        error_code: code,
        model: 'gpt-4o-mini',
        provider: null,
      });
      const byCode = await get(
        `/logs?metadata._user=${user}&error_code=${code}&failed=true&model=gpt-4o-mini`,
        TEAM_A,
      );
      expect((byCode.body.data as Json[]).map((record) => record.id)).toEqual([records[0]?.id]);
    },
  );

  it.runIf(available)(
    'requests refused before they ran (a body that is not JSON, one without messages, a prompt that does not exist, a Messages request without max_tokens) are stored with their user; an unauthenticated one is not',
    async () => {
      const user = `bad-bodies-${run}`;
      const receivedBefore = mock.received.length;
      const headers = (key: string | undefined) => ({
        'content-type': 'application/json',
        'x-portkey-virtual-key': 'openai-a',
        'x-portkey-metadata': JSON.stringify({ _user: user }),
        ...(key === undefined ? {} : { 'x-portkey-api-key': key }),
      });
      const notJson = await fetch(`${gateway.base}/chat/completions`, {
        method: 'POST',
        headers: headers(TEAM_A),
        body: '{"model": "gpt-4o-mini", "messages": [',
      });
      expect(notJson.status).toBe(400);
      // Through the SDK: a body without `messages`, refused before any provider call.
      const noMessages = await client(TEAM_A, { metadata: { _user: user } })
        .chat.completions.create({ model: 'gpt-4o-mini' } as never)
        .then(
          () => undefined,
          (error: { status?: number }) => error.status,
        );
      expect(noMessages).toBe(400);
      // A prompt that does not exist: a chat request of its own, refused before any provider call.
      const noPrompt = await client(TEAM_A, { metadata: { _user: user } })
        .prompts.completions.create({ promptID: 'no-such-prompt', variables: {} })
        .then(
          () => undefined,
          (error: { status?: number }) => error.status,
        );
      expect(noPrompt).toBe(404);
      // The Anthropic SDK's Messages request without max_tokens: refused in Anthropic's error shape.
      const anthropic = new Anthropic({
        baseURL: gateway.url,
        apiKey: 'sk-ant-unused',
        maxRetries: 0,
        defaultHeaders: {
          'x-portkey-api-key': TEAM_A,
          'x-portkey-virtual-key': 'openai-a',
          'x-portkey-metadata': JSON.stringify({ _user: user }),
        },
      });
      const noMaxTokens = await anthropic.messages
        .create({ model: 'claude-sonnet-4-20250514', messages } as never)
        .then(
          () => undefined,
          (error: { status?: number; error?: { type?: string } }) => error,
        );
      expect(noMaxTokens).toMatchObject({ status: 400, error: { type: 'error' } });
      // Without a gateway key: refused by the access check, never stored.
      const anonymous = await fetch(`${gateway.base}/chat/completions`, {
        method: 'POST',
        headers: headers(undefined),
        body: '{"model": "gpt-4o-mini", "messages": [',
      });
      expect(anonymous.status).toBe(401);
      expect(mock.received.length).toBe(receivedBefore);
      const records = await eventually(
        async () => (await get(`/logs?metadata._user=${user}`, ADMIN)).body.data as Json[],
        (found) => found.length === 4,
      );
      // With the virtual key its header named (a stored record), as a request that ran has it.
      expect(
        records.map((record) => [
          record.status,
          record.error_code,
          record.endpoint,
          record.model,
          record.virtual_key,
        ]),
      ).toEqual([
        [400, 'PK_ERR_INVALID_REQUEST', 'messages', 'claude-sonnet-4-20250514', 'openai-a'],
        [404, 'PK_ERR_RECORD_NOT_FOUND', 'chat.completions', null, 'openai-a'],
        [400, 'PK_ERR_INVALID_REQUEST', 'chat.completions', 'gpt-4o-mini', 'openai-a'],
        [400, 'PK_ERR_INVALID_REQUEST', 'chat.completions', null, 'openai-a'],
      ]);
      for (const record of records)
        expect(record).toMatchObject({ tenant: 'team-a', metadata: { _user: user } });
      // A moment later (many flushes), still four: the unauthenticated request left no record.
      await new Promise((resolve) => setTimeout(resolve, 10 * FLUSH_MS));
      expect((await get(`/logs?metadata._user=${user}`, ADMIN)).body.data).toHaveLength(4);
    },
  );

  it.runIf(available)(
    'requests refused on pass-through routes (too large, a type not taken, broken JSON, a GET with a body, a dot segment, a text body) are stored with their user; health, admin and unauthenticated requests are not',
    async () => {
      const user = `passthrough-refused-${run}`;
      const port = Number(new URL(gateway.base).port);
      const receivedBefore = mock.received.length;
      const headersOf = (traceId: string): Record<string, string> => ({
        'x-portkey-api-key': TEAM_A,
        'x-portkey-virtual-key': 'openai-a',
        'x-portkey-trace-id': traceId,
        'x-portkey-metadata': JSON.stringify({ _user: user }),
      });
      const headLines = (traceId: string) =>
        Object.entries(headersOf(traceId))
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('');
      const send = async (path: string, init: RequestInit & { traceId: string }) => {
        const response = await fetch(`${gateway.url}${path}`, {
          ...init,
          headers: { ...headersOf(init.traceId), ...(init.headers as Record<string, string>) },
        });
        await response.arrayBuffer();
        return response.status;
      };
      const cases: [
        name: string,
        method: string,
        status: number,
        code: string,
        send: () => Promise<number>,
      ][] = [
        [
          'too-large',
          'POST',
          413,
          'PK_ERR_PAYLOAD_TOO_LARGE',
          async () =>
            (
              await upload(
                port,
                '/v1/audio/transcriptions',
                {
                  ...headersOf(`too-large-${run}`),
                  'content-type': 'multipart/form-data; boundary=pk-boundary',
                },
                20 * 1024 * 1024 + 1024,
                'content-length',
              )
            ).status,
        ],
        [
          'urlencoded',
          'POST',
          415,
          'PK_ERR_UNSUPPORTED_MEDIA_TYPE',
          () =>
            send('/v1/files', {
              traceId: `urlencoded-${run}`,
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: 'purpose=batch',
            }),
        ],
        [
          'broken-json',
          'PUT',
          400,
          'PK_ERR_INVALID_REQUEST',
          () =>
            send('/v1/files/x', {
              traceId: `broken-json-${run}`,
              method: 'PUT',
              headers: { 'content-type': 'application/json' },
              body: '{"purpose": ',
            }),
        ],
        [
          'get-with-body',
          'GET',
          400,
          'PK_ERR_INVALID_REQUEST',
          async () =>
            (
              await raw(
                port,
                `GET /v1/files HTTP/1.1\r\nhost: 127.0.0.1\r\n${headLines(`get-with-body-${run}`)}` +
                  'content-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}',
              )
            ).status,
        ],
        [
          'dot-segment',
          'GET',
          400,
          'PK_ERR_INVALID_REQUEST',
          async () =>
            (
              await raw(
                port,
                `GET /v1/files/../models HTTP/1.1\r\nhost: 127.0.0.1\r\n${headLines(`dot-segment-${run}`)}` +
                  'connection: close\r\n\r\n',
              )
            ).status,
        ],
        [
          'text-body',
          'POST',
          415,
          'PK_ERR_UNSUPPORTED_MEDIA_TYPE',
          () =>
            send('/v1/audio/transcriptions', {
              traceId: `text-body-${run}`,
              method: 'POST',
              headers: { 'content-type': 'text/plain' },
              body: 'not audio',
            }),
        ],
      ];
      for (const [name, , status, , request] of cases)
        expect([name, await request()]).toEqual([name, status]);
      // Not proxy requests: nothing stored for them, whatever their headers say.
      expect(await send('/health', { traceId: `health-${run}` })).toBe(200);
      expect(await send('/v1/configs/no-such-config', { traceId: `admin-${run}` })).toBeGreaterThanOrEqual(
        400,
      );
      // Refused for its gateway key: never stored.
      const anonymous = await fetch(`${gateway.base}/files`, {
        method: 'POST',
        headers: { ...headersOf(`anonymous-${run}`), 'x-portkey-api-key': 'pk-not-a-key' },
        body: '{"purpose": ',
      });
      expect(anonymous.status).toBe(401);
      expect(mock.received.length).toBe(receivedBefore);
      for (const [name, method, status, code] of cases) {
        const records = await eventually(
          async () => (await get(`/logs?trace_id=${name}-${run}`, ADMIN)).body.data as Json[],
          (found) => found.length === 1,
        );
        expect([name, records]).toEqual([
          name,
          [
            expect.objectContaining({
              tenant: 'team-a',
              endpoint: 'passthrough',
              method,
              status,
              error_code: code,
              virtual_key: 'openai-a',
              metadata: { _user: user },
            }),
          ],
        ]);
      }
      const byUser = await get(`/logs?metadata._user=${user}`, ADMIN);
      expect(byUser.body.data).toHaveLength(cases.length);
      for (const other of ['health', 'admin', 'anonymous'])
        expect((await get(`/logs?trace_id=${other}-${run}`, ADMIN)).body.data).toEqual([]);
    },
  );

  it.runIf(available)(
    'metadata sent as UTF-8 bytes (curl, Go) or by the SDK in any script is stored and found as the client wrote it',
    async () => {
      const rawUser = `José-日本-${run}`;
      // Raw HTTP on a socket, the header's bytes UTF-8 as curl sends them.
      const body = JSON.stringify({ model: 'gpt-4o-mini', messages });
      const head = [
        'POST /v1/chat/completions HTTP/1.1',
        `host: ${new URL(gateway.base).host}`,
        'content-type: application/json',
        `content-length: ${Buffer.byteLength(body)}`,
        `x-portkey-api-key: ${TEAM_A}`,
        'x-portkey-virtual-key: openai-a',
        `x-portkey-metadata: ${JSON.stringify({ _user: rawUser, team: 'Zürich 🙂' })}`,
        'connection: close',
      ].join('\r\n');
      const answer = await raw(
        Number(new URL(gateway.base).port),
        Buffer.from(`${head}\r\n\r\n${body}`, 'utf8'),
      );
      expect(answer.status).toBe(200);
      // The official SDK: Latin-1 text goes as Latin-1 bytes, which are not UTF-8, and are read as sent.
      const sdkUser = `Zoë-${run}`;
      await client(TEAM_A, { metadata: { _user: sdkUser } }).chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
      });
      for (const [user, metadata] of [
        [rawUser, { _user: rawUser, team: 'Zürich 🙂' }],
        [sdkUser, { _user: sdkUser }],
      ] as const) {
        const found = await eventually(
          () => get(`/logs?metadata._user=${encodeURIComponent(user)}`, TEAM_A),
          (result) => (result.body.data as Json[]).length === 1,
        );
        expect(found.body.data).toEqual([expect.objectContaining({ metadata })]);
      }
    },
  );

  it.runIf(available)(
    'Portkey’s POST /v1/logs stores a custom log under its trace; exports stay 501',
    async () => {
      const traceId = `custom-${run}`;
      const portkey = new Portkey({ baseURL: gateway.base, apiKey: TEAM_A });
      const answer = await portkey.logs.create({
        request: {
          url: 'https://api.openai.com/v1/chat/completions',
          provider: 'openai',
          body: { model: 'gpt-4o' },
        },
        response: {
          status: 200,
          body: { model: 'gpt-4o', usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 } },
          response_time: 250,
        },
        metadata: { trace_id: traceId, _user: 'custom-user' },
      } as never);
      expect(answer).toBe('ok');
      const trace = await eventually(
        () => get(`/traces/${traceId}`, TEAM_A),
        (result) => result.status === 200,
      );
      expect((trace.body.requests as Json[])[0]).toMatchObject({
        source: 'custom',
        provider: 'openai',
        model: 'gpt-4o',
        latency_ms: 250,
        cost_status: 'priced',
        metadata: { _user: 'custom-user' },
      });
      // `/logs/exports` is Portkey's log exports (log-exports-e2e.test.ts), never read as a record id.
      expect((await get('/logs/exports', ADMIN)).body).toMatchObject({ object: 'list', data: [] });
    },
  );

  it.runIf(available)(
    'logs.create with an array (the SDK sends it as an object of numbered keys) stores each; a log without a response is a 400',
    async () => {
      const traceId = `custom-array-${run}`;
      const portkey = new Portkey({ baseURL: gateway.base, apiKey: TEAM_A });
      const log = (status: number) => ({
        request: {
          url: 'https://api.openai.com/v1/chat/completions',
          provider: 'openai',
          body: { model: 'gpt-4o' },
        },
        response: { status, body: { model: 'gpt-4o' }, response_time: 10 },
        metadata: { trace_id: traceId },
      });
      expect(await portkey.logs.create([log(200), log(500)] as never)).toBe('ok');
      const trace = await eventually(
        () => get(`/traces/${traceId}`, TEAM_A),
        (result) => result.status === 200 && (result.body.requests as Json[]).length === 2,
      );
      expect((trace.body.requests as Json[]).map((record) => record.status).sort()).toEqual([200, 500]);
      for (const [body, param] of [
        [{}, 'request'],
        [{ request: { url: 'https://api.openai.com/v1/chat/completions', body: {} } }, 'response'],
      ] as const) {
        const refused = await fetch(`${gateway.base}/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-portkey-api-key': TEAM_A },
          body: JSON.stringify(body),
        });
        expect(refused.status).toBe(400);
        expect(await refused.json()).toMatchObject({ error: { param } });
      }
    },
  );

  it.runIf(available)(
    'a failed custom log gets an error code (its answer’s error’s code, else type, else its status): found by error_code and grouped apart from the successes',
    async () => {
      const user = `custom-errors-${run}`;
      const portkey = new Portkey({ baseURL: gateway.base, apiKey: TEAM_A });
      const log = (status: number, body: Json) => ({
        request: {
          url: 'https://api.openai.com/v1/chat/completions',
          provider: 'openai',
          body: { model: 'gpt-4o' },
        },
        response: { status, body, response_time: 10 },
        metadata: { _user: user },
      });
      const answer = await portkey.logs.create([
        log(200, { model: 'gpt-4o' }),
        log(400, {
          error: { message: 'too long', type: 'invalid_request_error', code: 'context_length_exceeded' },
        }),
        log(429, { error: { message: 'slow down', type: 'rate_limit_error', code: null } }),
        log(502, { model: 'gpt-4o' }),
      ] as never);
      expect(answer).toBe('ok');
      const ofUser = async (filters: string) =>
        ((await get(`/logs?metadata._user=${user}${filters}`, TEAM_A)).body.data as Json[])
          .map((record) => [record.status, record.error_code])
          .sort((a, b) => Number(a[0]) - Number(b[0]));
      await eventually(
        () => ofUser(''),
        (rows) => rows.length === 4,
      );
      expect(await ofUser('')).toEqual([
        [200, null],
        [400, 'context_length_exceeded'],
        [429, 'rate_limit_error'],
        [502, '502'],
      ]);
      expect(await ofUser('&error_code=502')).toEqual([[502, '502']]);
      expect(await ofUser('&error_code=rate_limit_error')).toEqual([[429, 'rate_limit_error']]);
      // Grouped by error code, the success alone is in the group without one.
      const byCode = await get(
        `/analytics/summary?group_by=error_code&bucket=day&metadata._user=${user}`,
        TEAM_A,
      );
      const groups = (byCode.body.data as Json[])
        .map((row) => [row.group, row.requests, row.errors])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      expect(groups).toEqual([
        ['502', 1, 1],
        ['context_length_exceeded', 1, 1],
        [null, 1, 0],
        ['rate_limit_error', 1, 1],
      ]);
    },
  );
});

describe('PK_LOG_BODIES=true (SQLite)', () => {
  let mock: ProviderMock;
  let gateway: FeatureGateway;
  beforeAll(async () => {
    mock = await startProviderMock();
    gateway = await startFeatureGateway({
      mock,
      settings: {
        gateway_keys: [{ id: 'bodies', key: TEAM_A }],
        virtual_keys: openaiVirtualKey(mock),
      },
      env: { PK_LOG_BODIES: 'true', PK_LOG_STORE_FLUSH_MS: String(FLUSH_MS) },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await mock?.close();
  });
  const recordOf = async (traceId: string): Promise<Json> => {
    const until = Date.now() + 5000;
    for (;;) {
      const list = await fetch(`${gateway.base}/logs?trace_id=${traceId}`, {
        headers: { 'x-portkey-api-key': TEAM_A },
      });
      const [first] = ((await list.json()) as { data: Json[] }).data;
      if (first !== undefined) {
        const one = await fetch(`${gateway.base}/logs/${first.id}`, {
          headers: { 'x-portkey-api-key': TEAM_A },
        });
        return (await one.json()) as Json;
      }
      if (Date.now() > until) throw new Error(`no record for ${traceId}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('stores both bodies, cuts one over 64 KiB with a flag, and none with x-portkey-debug: false', async () => {
    const portkey = (traceID: string, extra: Record<string, unknown> = {}) =>
      new Portkey({ baseURL: gateway.base, apiKey: TEAM_A, virtualKey: 'openai-a', traceID, ...extra });
    await portkey('bodies-small').chat.completions.create({ model: 'gpt-4o-mini', messages });
    const small = await recordOf('bodies-small');
    expect(JSON.parse(String(small.request_body))).toMatchObject({ model: 'gpt-4o-mini', messages });
    expect(JSON.parse(String(small.response_body))).toMatchObject({ object: 'chat.completion' });
    expect(small.body_truncated).toBe(false);

    const long = [{ role: 'user' as const, content: 'x'.repeat(70 * 1024) }];
    await portkey('bodies-long').chat.completions.create({ model: 'gpt-4o-mini', messages: long });
    const cut = await recordOf('bodies-long');
    expect(String(cut.request_body)).toHaveLength(64 * 1024);
    expect(cut.body_truncated).toBe(true);

    await portkey('bodies-off', { debug: false }).chat.completions.create({ model: 'gpt-4o-mini', messages });
    const off = await recordOf('bodies-off');
    expect(off).toMatchObject({ request_body: null, response_body: null, body_truncated: false });
    // Bodies never reach the stdout line.
    expect(gateway.requestLines('bodies-small')[0]).not.toHaveProperty('requestBody');
    expect(gateway.process.output()).not.toContain('x'.repeat(1000));
  });

  it('keeps a pass-through upload as its fields and a file’s name, type and size, a JSON answer as sent, and no bytes of audio', async () => {
    const openai = (traceId: string) =>
      new OpenAI({
        baseURL: gateway.base,
        apiKey: TEAM_A,
        maxRetries: 0,
        defaultHeaders: { 'x-portkey-virtual-key': 'openai-a', 'x-portkey-trace-id': traceId },
      });
    const wav = sineWave();
    await openai('bodies-upload').audio.transcriptions.create({
      model: 'whisper-1',
      language: 'fr',
      file: await toFile(wav, 'clip.wav', { type: 'audio/wav' }),
    });
    // The upstream got the client's bytes; the record names the model and what the form held.
    expect(mock.received.at(-1)?.raw.includes(wav)).toBe(true);
    const upload = await recordOf('bodies-upload');
    expect(upload.model).toBe('whisper-1');
    expect(JSON.parse(String(upload.request_body))).toEqual({
      model: 'whisper-1',
      language: 'fr',
      file: { filename: 'clip.wav', content_type: 'audio/wav', bytes: wav.length },
    });
    expect(JSON.parse(String(upload.response_body))).toMatchObject({
      object: 'echo',
      bytes: expect.any(Number),
    });
    // A streamed transcription (`stream=true` in the form) is recorded as a stream; its events are no JSON answer.
    mock.script('', [
      {
        sse: [
          { event: 'transcript.text.delta', data: '{"type":"transcript.text.delta","delta":"bonjour"}' },
          { event: 'transcript.text.done', data: '{"type":"transcript.text.done","text":"bonjour"}' },
        ],
      },
    ]);
    const events = await openai('bodies-upload-stream').audio.transcriptions.create({
      model: 'gpt-4o-transcribe',
      stream: true,
      file: await toFile(wav, 'clip.wav', { type: 'audio/wav' }),
    });
    const types: string[] = [];
    for await (const event of events) types.push(event.type);
    expect(types).toEqual(['transcript.text.delta', 'transcript.text.done']);
    const streamed = await recordOf('bodies-upload-stream');
    expect(streamed).toMatchObject({ model: 'gpt-4o-transcribe', stream: true, response_body: null });

    const mp3 = Buffer.from([0xff, 0xfb, 0x90, 0x64, 0x00, 0xc3, 0x28, 0xfe]);
    mock.script('tts-1', [
      { frames: [mp3], contentType: 'audio/mpeg', headers: { 'content-length': String(mp3.length) } },
    ]);
    const speech = await openai('bodies-speech').audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: 'hi',
    });
    // The upstream's length goes with its bytes: a download shows its progress and size.
    expect(speech.headers.get('content-length')).toBe(String(mp3.length));
    expect(Buffer.from(await speech.arrayBuffer()).equals(mp3)).toBe(true);
    const spoken = await recordOf('bodies-speech');
    expect(JSON.parse(String(spoken.request_body))).toEqual({ model: 'tts-1', voice: 'alloy', input: 'hi' });
    expect(spoken.response_body).toBeNull();
    // A GET sent no body: none is kept (not the `{}` it is routed on).
    await openai('bodies-get').files.retrieve('file-abc');
    expect((await recordOf('bodies-get')).request_body).toBeNull();
  });
});

describe('SIGTERM writes the queued records before the process exits', () => {
  it('a record queued a moment before SIGTERM is in the store afterwards', async () => {
    const mock = await startProviderMock();
    const dataDir = temporaryDataDir();
    const gateway = await startFeatureGateway({
      mock,
      settings: {
        virtual_keys: openaiVirtualKey(mock),
      },
      env: { PK_DATA_DIR: dataDir.path },
    });
    try {
      const portkey = new Portkey({
        baseURL: gateway.base,
        apiKey: 'unused',
        virtualKey: 'openai-a',
        traceID: 'sigterm-1',
      });
      await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages });
      // At once: the writer's one-second flush has not run yet.
      gateway.process.child.kill('SIGTERM');
      await gateway.process.exited;
      const store = await openStore({ dataDir: dataDir.path, serve: false, onWarning: () => undefined });
      try {
        const trace = await store.logs.trace('sigterm-1');
        expect(trace).toHaveLength(1);
        expect(trace[0]).toMatchObject({ status: 200, provider: 'openai' });
      } finally {
        await store.close();
      }
    } finally {
      await gateway.stop();
      await mock.close();
      dataDir.remove();
    }
  });
});

describe('a large analytics summary (SQLite) holds no request', () => {
  const RECORDS = 250_000;
  const BASE = Date.UTC(2026, 10, 3, 10, 0, 0);
  let mock: ProviderMock;
  let gateway: FeatureGateway;
  let dataDir: { readonly path: string; remove(): void };
  beforeAll(async () => {
    dataDir = temporaryDataDir();
    // A quarter of a million records in the gateway's own file before it starts (bulk, in SQL).
    const store = await openStore({ dataDir: dataDir.path, onWarning: () => undefined });
    await sql`
      insert into request_logs (id, created_at, tenant, trace_id, source, stream, status, latency_ms, model, total_tokens)
      select 'log_bulk_' || n, ${sql.lit(BASE)} + n * 10, 'bulk', 'trace-bulk', 'gateway', 0, 200, (n % 1000) / 10.0,
        'model-' || (n % 4), 10
      from (with recursive numbers(n) as (select 0 union all select n + 1 from numbers where n + 1 < ${RECORDS})
        select n from numbers) as numbers`.execute(store.db);
    await store.close();
    mock = await startProviderMock();
    gateway = await startFeatureGateway({
      mock,
      settings: {
        gateway_keys: [
          { id: 'team-a', key: TEAM_A },
          { id: 'logs-admin', key: ADMIN, role: 'admin' },
        ],
        virtual_keys: openaiVirtualKey(mock),
      },
      env: { PK_DATA_DIR: dataDir.path },
    });
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    await mock?.close();
    dataDir?.remove();
  });

  it('a chat through the SDK is answered while the summary of every record is computed', async () => {
    const portkey = new Portkey({ baseURL: gateway.base, apiKey: TEAM_A, virtualKey: 'openai-a' });
    await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const range = `from=${new Date(BASE).toISOString()}&to=${new Date(BASE + 86_400_000).toISOString()}`;
    let summaryDoneAt = 0;
    const summary = fetch(`${gateway.base}/analytics/summary?bucket=day&group_by=model&${range}`, {
      headers: { 'x-portkey-api-key': ADMIN },
    }).then(async (response) => {
      summaryDoneAt = performance.now();
      return {
        status: response.status,
        body: (await response.json()) as { data: Json[]; truncated: boolean },
      };
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const answer = await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(answer.choices[0]?.message?.content).toBe(MOCK_ANSWER);
    const chatDoneAt = performance.now();
    const { status, body } = await summary;
    expect(status).toBe(200);
    expect(body.truncated).toBe(false);
    expect(body.data.map((row) => [row.group, row.requests])).toEqual(
      [0, 1, 2, 3].map((model) => [`model-${model}`, RECORDS / 4]),
    );
    // Had the summary read its records on the gateway's thread, the chat would have waited for all of it.
    expect(chatDoneAt).toBeLessThan(summaryDoneAt);
  }, 60_000);
});
