import { requirePostgres } from '@pk/store/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type SdkGateway, startSdkGateway } from './support/sdk-gateway.js';

// The request log's read routes through the built gateway, on SQLite and on PostgreSQL: every
// analytics route applies `GET /v1/logs`'s filters; an unknown parameter is a 400 naming it (never
// everyone's records); a summary grouped by a key of many values answers the top groups and one
// `other` group a bucket; metadata longer than 128 characters is found by the value the app sent.
const postgresUp = await requirePostgres('log query filters end to end on PostgreSQL');

interface Row {
  bucket: string;
  group: string | null;
  other?: true;
  requests: number;
  errors: number;
}

interface Summary {
  truncated: boolean;
  top: number | null;
  data: Row[];
}

const USERS = 30;
const LONG_USER = `${'x'.repeat(127)}😀 and then some more than 128 characters ${'y'.repeat(60)}`;

describe.each(['sqlite', 'postgres'] as const)('the log’s query filters on %s', (engine) => {
  const run = engine === 'sqlite' || postgresUp;
  let running: SdkGateway;
  let from: string;
  const get = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${running.gateway.url}${path}`, {
      headers: { 'x-portkey-api-key': running.userKey },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const total = (summary: { body: Record<string, unknown> }) =>
    (summary.body as unknown as Summary).data.reduce((sum, row) => sum + row.requests, 0);

  beforeAll(async () => {
    if (!run) return;
    running = await startSdkGateway(engine);
    from = new Date(Date.now() - 60_000).toISOString();
    // 90 custom logs and a long-named user's: user-0 makes 32, user-1 … user-29 two each; two models; a tenth failing (500).
    const logs = Array.from({ length: 90 }, (_, index) => ({
      request: {
        url: 'https://api.openai.com/v1/chat/completions',
        provider: 'openai',
        body: { model: index % 2 ? 'gpt-4o' : 'gpt-4.1' },
      },
      response: { status: index % 10 === 0 ? 500 : 200, response_time: 10 + index },
      metadata: { _user: `user-${index < 30 ? 0 : index % USERS}`, trace_id: `trace-${index}` },
    }));
    logs.push({
      request: {
        url: 'https://api.openai.com/v1/chat/completions',
        provider: 'openai',
        body: { model: 'gpt-4o' },
      },
      response: { status: 200, response_time: 5 },
      metadata: { _user: LONG_USER, trace_id: 'trace-long' },
    });
    const posted = await fetch(`${running.gateway.url}/v1/logs`, {
      method: 'POST',
      headers: { 'x-portkey-api-key': running.userKey, 'content-type': 'application/json' },
      body: JSON.stringify(logs),
    });
    expect(posted.status).toBe(200);
    await vi.waitFor(
      async () => expect(total(await get(`/v1/analytics/summary?bucket=day&from=${from}`))).toBe(91),
      { timeout: 10_000, interval: 100 },
    );
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
  });

  it.runIf(run)(
    'the summary applies every filter of GET /v1/logs (and Portkey’s spellings of them)',
    async () => {
      const summary = (filter: string) => get(`/v1/analytics/summary?bucket=day&from=${from}&${filter}`);
      expect(total(await summary('metadata._user=user-0'))).toBe(32);
      expect(total(await summary('metadata._user=user-5'))).toBe(2);
      expect(total(await summary('model=gpt-4o'))).toBe(46);
      expect(total(await summary('ai_model=gpt-4o'))).toBe(46);
      expect(total(await summary('status=500'))).toBe(9);
      expect(total(await summary('status_code=500'))).toBe(9);
      expect(total(await summary('failed=true'))).toBe(9);
      expect(total(await summary('trace_id=trace-7'))).toBe(1);
      expect(total(await summary(`metadata=${encodeURIComponent('{"_user":"user-5"}')}`))).toBe(2);
      // The graphs and the cache summary take pk's names of the same filters too.
      const range = `time_of_generation_min=${from}&time_of_generation_max=${new Date(Date.now() + 60_000).toISOString()}`;
      expect((await get(`/v1/analytics/graphs/requests?${range}&model=gpt-4o`)).body.summary).toEqual({
        total: 46,
      });
      expect(
        (await get(`/v1/analytics/graphs/requests?${range}&metadata._user=user-0`)).body.summary,
      ).toEqual({
        total: 32,
      });
      expect(
        (
          (await get(`/v1/analytics/summary/cache?${range}&status=500`)).body.summary as Record<
            string,
            number
          >
        ).total_requests,
      ).toBe(9);
    },
  );

  it.runIf(run)('refuses a parameter it does not know, naming it, on every read route', async () => {
    for (const path of [
      '/v1/logs?user=user-5',
      '/v1/logs?status_codes=500',
      '/v1/logs?ai_models=gpt-4o',
      `/v1/analytics/summary?from=${from}&user=user-5`,
      `/v1/analytics/summary?from=${from}&limit=5`,
      `/v1/analytics/graphs/requests?time_of_generation_min=${from}&time_of_generation_max=${new Date().toISOString()}&user=user-5`,
      '/v1/logs/exports?status_code=500',
    ]) {
      const answer = await get(path);
      expect(answer.status, path).toBe(400);
      const error = answer.body.error as { code: string; param: string; message: string };
      expect(error.code, path).toBe('PK_ERR_INVALID_REQUEST');
      expect(path).toContain(`${error.param}=`);
    }
    // Portkey's spellings of the same filters are aliases; both spellings must agree.
    const listed = await get('/v1/logs?status_code=500&ai_model=gpt-4.1&limit=50');
    expect(listed.status).toBe(200);
    const data = listed.body.data as { status: number; model: string }[];
    expect(data).toHaveLength(9);
    expect(new Set(data.map((record) => `${record.status} ${record.model}`))).toEqual(
      new Set(['500 gpt-4.1']),
    );
    expect((await get('/v1/logs?status=500&status_code=200')).status).toBe(400);
    // Portkey's provider__model spelling: both filters at once.
    const both = await get('/v1/logs?ai_org_model=openai__gpt-4.1&status=500&limit=50');
    expect((both.body.data as unknown[]).length).toBe(9);
    expect((await get('/v1/logs?ai_org_model=openai__gpt-4.1&model=gpt-4o')).status).toBe(400);
  });

  it.runIf(run)('groups of many values are the top N and one other group a bucket', async () => {
    const grouped = (await get(`/v1/analytics/summary?bucket=day&from=${from}&group_by=user`))
      .body as unknown as Summary;
    // 31 users: the default top 20, then one other row that sums the other 11.
    expect(grouped.top).toBe(20);
    expect(grouped.truncated).toBe(true);
    expect(grouped.data.filter((row) => row.other !== true)).toHaveLength(20);
    const other = grouped.data.filter((row) => row.other === true);
    expect(other.every((row) => row.group === null)).toBe(true);
    expect(grouped.data.reduce((sum, row) => sum + row.requests, 0)).toBe(91);
    expect(grouped.data.find((row) => row.group === 'user-0')?.requests).toBe(32);
    const byErrors = (
      await get(`/v1/analytics/summary?bucket=day&from=${from}&group_by=user&top=1&top_by=errors`)
    ).body as unknown as Summary;
    // user-0 has 5 of the 9 errors (user-10 and user-20 two each): it leads by errors.
    expect(byErrors.data.filter((row) => row.other !== true).map((row) => row.group)).toEqual(['user-0']);
    expect(byErrors.data.reduce((sum, row) => sum + row.errors, 0)).toBe(9);
    for (const query of ['top=0', 'top=101', 'top_by=latency', 'group_by=user&top=abc']) {
      const refused = await get(`/v1/analytics/summary?from=${from}&group_by=model&${query}`);
      expect(refused.status, query).toBe(400);
    }
    expect((await get(`/v1/analytics/summary?from=${from}&top=5`)).status).toBe(400);
  });

  it.runIf(run)('finds metadata longer than 128 characters by the value the app sent', async () => {
    const listed = await get(`/v1/logs?metadata._user=${encodeURIComponent(LONG_USER)}`);
    const data = listed.body.data as { trace_id: string; metadata: Record<string, string> }[];
    expect(data.map((record) => record.trace_id)).toEqual(['trace-long']);
    // Stored cut to 127: the 128th character would have been half of the emoji.
    expect(data[0]?.metadata._user).toBe('x'.repeat(127));
    expect(
      total(await get(`/v1/analytics/summary?from=${from}&metadata._user=${encodeURIComponent(LONG_USER)}`)),
    ).toBe(1);
  });
});
