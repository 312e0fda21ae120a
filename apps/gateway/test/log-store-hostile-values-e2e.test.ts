import { requirePostgres } from '@pk/store/testing';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { sdkError } from './support/admin-harness.js';
import { addMockIntegration, type SdkGateway, startSdkGateway } from './support/sdk-gateway.js';

// Values a client can send that a database may not hold as given, through the built gateway and the
// official portkey-ai SDK, on SQLite and PostgreSQL: NUL in metadata (PostgreSQL's text cannot hold
// it), fractional and huge token counts and an impossible status in a custom log. Each request is
// answered and logged, the log goes on recording what comes after it, and a read naming NUL is a
// clear answer, never a 500.
const postgresUp = await requirePostgres('hostile log values end to end on PostgreSQL');

interface LogRecord {
  trace_id: string;
  status: number;
  metadata: Record<string, string>;
  usage: { prompt_tokens: number | null; completion_tokens: number | null };
}

describe.each(['sqlite', 'postgres'] as const)('hostile values in the request log on %s', (engine) => {
  const run = engine === 'sqlite' || postgresUp;
  let running: SdkGateway;
  let upstream: MockOpenAI;
  const runId = `${engine}-${Date.now()}`;

  beforeAll(async () => {
    if (!run) return;
    upstream = await startMockOpenAI({ record: true });
    // Records written every 50 ms rather than every second: the waits for them end sooner.
    running = await startSdkGateway(engine, { env: { PK_LOG_STORE_FLUSH_MS: '50' } });
    await addMockIntegration(running, upstream.url, 'sk-hostile-0123456789');
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await upstream?.close();
  });

  const logsOf = (query: string) =>
    vi.waitFor(
      async () => {
        const response = await fetch(`${running.gateway.url}/v1/logs?${query}`, {
          headers: { 'x-portkey-api-key': running.userKey },
        });
        expect(response.status).toBe(200);
        const data = ((await response.json()) as { data: LogRecord[] }).data;
        expect(data.length).toBeGreaterThan(0);
        return data;
      },
      { timeout: 5000, interval: 100 },
    );

  it.runIf(run)(
    'a chat whose metadata holds NUL is answered and logged, and so is the next one',
    async () => {
      const chat = (traceID: string, metadata: Record<string, string>) =>
        new Portkey({ apiKey: running.userKey, traceID, metadata }).chat.completions.create({
          model: '@openai-prod/gpt-4o-mini',
          messages: [{ role: 'user', content: 'hi' }],
        });
      const before = upstream.received.length;
      const answer = await chat(`nul-${runId}`, { team: 'red\u0000team', _user: `ada\u0000${runId}` });
      expect(answer.choices[0]?.message?.content).toBeTruthy();
      await chat(`after-${runId}`, { team: 'blue' });
      // Both reached the provider as asked (metadata is the gateway's, never sent on).
      expect(
        upstream.received.slice(before).map((request) => (request.body as { model: string }).model),
      ).toEqual(['gpt-4o-mini', 'gpt-4o-mini']);
      const [nul] = await logsOf(`trace_id=nul-${runId}`);
      // Stored with U+FFFD for NUL on both engines, and found by it.
      expect(nul?.metadata).toEqual({ team: 'red\uFFFDteam', _user: `ada\uFFFD${runId}` });
      expect(
        (await logsOf(`metadata.team=${encodeURIComponent('red\uFFFDteam')}`)).map((r) => r.trace_id),
      ).toEqual([`nul-${runId}`]);
      // The log did not stop at it.
      expect((await logsOf(`trace_id=after-${runId}`))[0]?.metadata).toEqual({ team: 'blue' });
    },
  );

  it.runIf(run)(
    'custom logs: counts rounded or dropped when no count could be that large; an impossible status or time, or over 64 metadata keys, is a 400',
    async () => {
      const portkey = new Portkey({ apiKey: running.userKey });
      const log = (response: Record<string, unknown>, trace: string) =>
        portkey.logs.create({
          request: {
            url: 'https://api.openai.com/v1/chat/completions',
            provider: 'openai',
            body: { model: 'gpt-4o' },
          },
          response: { body: { model: 'gpt-4o' }, ...response },
          metadata: { trace_id: `${trace}-${runId}` },
        } as never);
      expect(
        await log(
          {
            status: 200,
            body: { model: 'gpt-4o', usage: { prompt_tokens: 1.5, completion_tokens: 3e9, total_tokens: 7 } },
          },
          'counts',
        ),
      ).toBe('ok');
      const [counts] = await logsOf(`trace_id=counts-${runId}`);
      expect(counts?.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: null });

      expect(await sdkError(log({ status: 1e12 }, 'status'))).toMatchObject({
        status: 400,
        message: expect.stringContaining('response.status'),
      });
      expect(await sdkError(log({ status: 200, response_time: 1e300 }, 'time'))).toMatchObject({
        status: 400,
        message: expect.stringContaining('response.response_time'),
      });
      // As many metadata keys as the header allows (64): each one is a row of the log's index.
      const many = Object.fromEntries(Array.from({ length: 65 }, (_, index) => [`k${index}`, 'v']));
      expect(
        await sdkError(
          portkey.logs.create({
            request: { body: { model: 'gpt-4o' } },
            response: { status: 200, body: {} },
            metadata: many,
          } as never),
        ),
      ).toMatchObject({ status: 400, message: expect.stringContaining('at most 64 keys') });
      expect(await log({ status: 201, response_time: 12 }, 'later')).toBe('ok');
      expect((await logsOf(`trace_id=later-${runId}`))[0]?.status).toBe(201);
    },
  );

  it.runIf(run)('an id or filter naming NUL is a 400 naming it on both engines, never a 500', async () => {
    const admin = new Portkey({ apiKey: running.adminKey });
    expect(await sdkError(admin.collections.retrieve('a\u0000b'))).toMatchObject({
      status: 400,
      message: expect.stringContaining('NUL'),
    });
    const response = await fetch(`${running.gateway.url}/v1/logs?trace_id=a%00b`, {
      headers: { 'x-portkey-api-key': running.userKey },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { param: 'trace_id' } });
    // A name holding NUL is refused alike on both engines (SQLite kept it, PostgreSQL refused it).
    expect(await sdkError(admin.collections.create({ name: 'a\u0000b' }))).toMatchObject({
      status: 400,
      message: expect.stringContaining('NUL'),
    });
  });
});
