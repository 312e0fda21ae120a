import { openStore } from '@pk/store';
import { requirePostgres, seedRequestLogs } from '@pk/store/testing';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { sdkError } from './support/admin-harness.js';
import { type SdkGateway, startSdkGateway } from './support/sdk-gateway.js';

// Portkey's log exports through the official portkey-ai SDK against the built gateway, on SQLite and
// on PostgreSQL: chats are made through the gateway (bodies kept with PK_LOG_BODIES), an export is
// created with Portkey's filters and fields, started, followed to `success`, and its file fetched
// from the download link with no key: JSONL, one line per matching record, the asked-for fields in
// order, values as the logs API has them (cost in cents). A large export (seeded records) is
// cancelled while it runs and then run again in full, its file written in several parts.
const postgresUp = await requirePostgres('log exports end to end on PostgreSQL');
const PROVIDER_KEY = 'sk-log-exports-0123456789abcdef';
const FIELDS = [
  'id',
  'trace_id',
  'created_at',
  'request',
  'response',
  'is_success',
  'ai_org',
  'ai_model',
  'req_units',
  'res_units',
  'total_units',
  'cost',
  'cost_currency',
  'response_time',
  'response_status_code',
  'mode',
  'metadata',
];
const SEEDED = 12_000;

interface LogRecord {
  id: string;
  trace_id: string;
  created_at: string;
  cost: number | null;
  latency_ms: number;
  metadata: Record<string, string>;
}

describe.each(['sqlite', 'postgres'] as const)('log exports end to end on %s', (engine) => {
  const run = engine === 'sqlite' || postgresUp;
  let running: SdkGateway;
  let upstream: MockOpenAI;
  let admin: Portkey;
  let app: Portkey;

  const logs = async (query: string, key = running.adminKey): Promise<LogRecord[]> => {
    const response = await fetch(`${running.gateway.url}/v1/logs?${query}`, {
      headers: { 'x-portkey-api-key': key },
    });
    return ((await response.json()) as { data: LogRecord[] }).data;
  };
  /** An export as pk answers it: Portkey's fields and pk's progress (`total`, `exported`, `error`). */
  type ExportState = Record<string, unknown> & { status?: string; total?: number | null; exported?: number };
  const retrieve = async (client: Portkey, exportId: string) =>
    (await client.logs.exports.retrieve({ exportId })) as unknown as ExportState;
  const finished = async (client: Portkey, exportId: string) =>
    vi.waitFor(
      async () => {
        const current = await retrieve(client, exportId);
        expect(current.status).toBe('success');
        return current;
      },
      { timeout: 30_000, interval: 100 },
    );
  const download = async (client: Portkey, exportId: string) => {
    const link = (await client.logs.exports.download({ exportId })) as { signed_url: string };
    expect(link.signed_url).toMatch(
      new RegExp(`^${running.gateway.url}/v1/logs/exports/${exportId}/file\\?token=[\\w-]{43}$`),
    );
    // The link needs no key: a browser or curl opens it as it is.
    const response = await fetch(link.signed_url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/jsonl; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="pk-logs-${exportId}.jsonl"`,
    );
    const text = await response.text();
    return { link: link.signed_url, lines: text === '' ? [] : text.trimEnd().split('\n') };
  };

  beforeAll(async () => {
    if (!run) return;
    upstream = await startMockOpenAI({ record: true });
    running = await startSdkGateway(engine, { env: { PK_LOG_BODIES: '1' } });
    admin = new Portkey({ apiKey: running.adminKey });
    await admin.integrations.create({
      name: 'OpenAI production',
      slug: 'openai-prod',
      ai_provider_id: 'openai',
      key: PROVIDER_KEY,
      configurations: { custom_host: `${upstream.url}/v1` },
    });
    // Chats of the tenant `app`: three of team a (one trace), two of team b.
    for (const [team, traceID] of [
      ['a', 'trace-export-a'],
      ['a', 'trace-export-a'],
      ['a', 'trace-export-a'],
      ['b', 'trace-export-b1'],
      ['b', 'trace-export-b2'],
    ] as const) {
      const client = new Portkey({
        apiKey: running.userKey,
        traceID,
        metadata: { team, _user: `user-${team}` },
      });
      await client.chat.completions.create({
        model: '@openai-prod/gpt-4o-mini',
        messages: [{ role: 'user', content: `question of team ${team}` }],
      });
    }
    app = new Portkey({ apiKey: running.userKey });
    await vi.waitFor(async () => expect(await logs('limit=10')).toHaveLength(5), {
      timeout: 5000,
      interval: 100,
    });
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await upstream?.close();
  });

  it.runIf(run)(
    'create, start, follow to success and download: the JSONL has the asked-for fields of the matching records',
    async () => {
      const created = await app.logs.exports.create({
        filters: { metadata: { team: 'a' }, time_of_generation_min: '2020-01-01' },
        requestedData: FIELDS,
        description: 'team a',
      });
      expect(created).toMatchObject({ id: expect.any(String), total: 0, object: 'export' });
      const exportId = created.id as string;
      expect(await app.logs.exports.retrieve({ exportId })).toMatchObject({
        id: exportId,
        status: 'draft',
        description: 'team a',
        filters: { metadata: { team: 'a' }, time_of_generation_min: '2020-01-01' },
        requested_data: FIELDS,
        workspace_id: 'app',
        object: 'export',
      });
      // Not finished: no link yet.
      expect(await sdkError(app.logs.exports.download({ exportId }))).toMatchObject({ status: 409 });
      expect(await app.logs.exports.start({ exportId })).toMatchObject({ object: 'export' });
      const done = await finished(app, exportId);
      expect(done).toMatchObject({ total: 3, exported: 3, error: null });

      const { link, lines } = await download(app, exportId);
      const expected = await logs('metadata.team=a', running.userKey);
      expect(lines).toHaveLength(3);
      const exported = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      // Newest first, as the logs; every line has exactly the fields asked for, in their order.
      expect(exported.map((line) => line.id)).toEqual(expected.map((record) => record.id));
      // Its `request` is the body the provider received (team a's three chats were the first sent).
      expect(exported.map((line) => line.request)).toEqual(
        upstream.received
          .slice(0, 3)
          .reverse()
          .map((received) => received.body),
      );
      for (const [index, line] of exported.entries()) {
        const record = expected[index] as LogRecord;
        expect(Object.keys(line)).toEqual(FIELDS);
        expect(line).toMatchObject({
          trace_id: 'trace-export-a',
          created_at: record.created_at,
          is_success: 1,
          ai_org: 'openai',
          ai_model: 'gpt-4o-mini',
          req_units: 12,
          res_units: 9,
          total_units: 21,
          cost_currency: 'USD',
          response_time: record.latency_ms,
          response_status_code: 200,
          mode: 'chat.completions',
          metadata: { team: 'a', _user: 'user-a' },
          // The bodies as the provider received and answered them (PK_LOG_BODIES).
          request: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'question of team a' }] },
          response: { object: 'chat.completion', usage: { total_tokens: 21 } },
        });
        expect(line.cost).toBeCloseTo((record.cost ?? Number.NaN) * 100, 10);
      }
      // The provider key is in no line.
      expect(lines.join('\n')).not.toContain(PROVIDER_KEY);

      // The link is the token: a wrong one, none, or a replaced one is refused.
      const wrong = await fetch(link.replace(/token=.*/, 'token=not-the-token'));
      expect(wrong.status).toBe(403);
      expect(await wrong.json()).toMatchObject({ error: { code: 'PK_ERR_FORBIDDEN' } });
      expect((await fetch(link.replace(/\?token=.*/, ''))).status).toBe(403);
      const again = await download(app, exportId);
      expect(again.lines).toEqual(lines);
      expect((await fetch(link)).status).toBe(403);

      // Tenant-scoped: the admin sees it; another tenant's key would not (the app key sees only its own).
      expect((await admin.logs.exports.list({})).data?.map((item) => item.id)).toContain(exportId);
      const adminOwn = await admin.logs.exports.create({ filters: {}, requestedData: ['id'] });
      expect((await app.logs.exports.list({})).data?.map((item) => item.id)).toEqual([exportId]);
      expect(await sdkError(app.logs.exports.retrieve({ exportId: adminOwn.id as string }))).toMatchObject({
        status: 404,
      });
      // An admin key's export reads every tenant, a metadata filter included: the same records.
      const everyTenant = await admin.logs.exports.create({
        filters: { metadata: { team: 'a' } },
        requestedData: ['id'],
      });
      await admin.logs.exports.start({ exportId: everyTenant.id as string });
      await finished(admin, everyTenant.id as string);
      expect((await download(admin, everyTenant.id as string)).lines).toEqual(
        expected.map((record) => JSON.stringify({ id: record.id })),
      );
    },
  );

  it.runIf(run)(
    'refuses what it cannot export exactly, naming the field, and runs nothing twice',
    async () => {
      expect(
        await sdkError(
          app.logs.exports.create({ filters: { weighted_feedback_min: 0.5 }, requestedData: ['id'] }),
        ),
      ).toMatchObject({ status: 400, message: expect.stringContaining('filters.weighted_feedback_min') });
      expect(
        await sdkError(app.logs.exports.create({ filters: { virtual_keys: 'a,b' }, requestedData: ['id'] })),
      ).toMatchObject({ status: 400, message: expect.stringContaining('one value at a time') });
      expect(
        await sdkError(app.logs.exports.create({ filters: {}, requestedData: ['id', 'prompt_tokens'] })),
      ).toMatchObject({ status: 400, message: expect.stringContaining('"prompt_tokens" is not a field') });
      expect(await sdkError(app.logs.exports.create({ filters: {} }))).toMatchObject({
        status: 400,
        message: expect.stringContaining('requested_data'),
      });
      expect(
        await sdkError(
          app.logs.exports.create({
            filters: { time_of_generation_min: 'yesterday' },
            requestedData: ['id'],
          }),
        ),
      ).toMatchObject({ status: 400, message: expect.stringContaining('ISO 8601') });
      // The SDK shows the top-level message, as for every admin route (not the whole body as JSON).
      const unknownExport = await sdkError(app.logs.exports.retrieve({ exportId: 'nope' }));
      expect(unknownExport).toMatchObject({
        status: 404,
        message: expect.stringContaining('no log export has this id'),
      });
      expect(unknownExport.message).not.toContain('{');

      // A numeric range and a model: applied to each record read.
      const ranged = await app.logs.exports.create({
        filters: {
          ai_org_model: 'openai__gpt-4o-mini',
          total_units_min: 21,
          total_units_max: 21,
          trace_id: 'trace-export-b1',
        },
        requestedData: ['trace_id', 'total_units'],
      });
      const exportId = ranged.id as string;
      await app.logs.exports.start({ exportId });
      await finished(app, exportId);
      expect((await download(app, exportId)).lines).toEqual([
        '{"trace_id":"trace-export-b1","total_units":21}',
      ]);
      // A finished export is not run again; a change makes it a draft, which runs again.
      expect(await sdkError(app.logs.exports.start({ exportId }))).toMatchObject({
        status: 409,
        message: expect.stringContaining('has finished'),
      });
      expect(await sdkError(app.logs.exports.cancel({ exportId }))).toMatchObject({ status: 409 });
      await app.logs.exports.update({
        exportId,
        filters: { trace_id: 'trace-export-b2' },
        requestedData: ['trace_id'],
      });
      expect(await app.logs.exports.retrieve({ exportId })).toMatchObject({ status: 'draft', total: null });
      await app.logs.exports.start({ exportId });
      await finished(app, exportId);
      expect((await download(app, exportId)).lines).toEqual(['{"trace_id":"trace-export-b2"}']);
    },
  );

  it.runIf(run)(
    'a large export: cancelled while it runs, then run again in full, its file in several parts',
    async () => {
      const store = await openStore({
        ...running.setup.storeOptions,
        serve: false,
        onWarning: () => undefined,
      });
      try {
        await seedRequestLogs(store, SEEDED);
        const created = await admin.logs.exports.create({
          filters: {},
          requestedData: ['id', 'trace_id', 'created_at', 'ai_model', 'metadata'],
        });
        const exportId = created.id as string;
        await admin.logs.exports.start({ exportId });
        expect(await admin.logs.exports.cancel({ exportId })).toMatchObject({ object: 'export' });
        const stopped = await retrieve(admin, exportId);
        expect(stopped.status).toBe('stopped');
        expect(await sdkError(admin.logs.exports.download({ exportId }))).toMatchObject({ status: 409 });
        // Its job noticed: the count stays where it was.
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect((await retrieve(admin, exportId)).exported).toBe(stopped.exported);

        await admin.logs.exports.start({ exportId });
        const done = await finished(admin, exportId);
        // Every record of every tenant: the seeded ones, the chats and nothing else.
        expect(done.total).toBe(SEEDED + 5);
        const parts = await store.db
          .selectFrom('log_export_parts')
          .select('part')
          .where('export_id', '=', exportId)
          .execute();
        expect(parts.length).toBeGreaterThan(1);
        const { lines } = await download(admin, exportId);
        expect(lines).toHaveLength(SEEDED + 5);
        const ids = new Set(lines.map((line) => (JSON.parse(line) as { id: string }).id));
        expect(ids.size).toBe(SEEDED + 5);
        const times = lines.map((line) =>
          Date.parse((JSON.parse(line) as { created_at: string }).created_at),
        );
        expect(times).toEqual([...times].sort((a, b) => b - a));
      } finally {
        await store.close();
      }
    },
    120_000,
  );

  it.runIf(run)(
    'cancelled and started again at once: the second run’s file is whole, its parts in order, no record twice',
    async () => {
      const store = await openStore({
        ...running.setup.storeOptions,
        serve: false,
        onWarning: () => undefined,
      });
      try {
        await seedRequestLogs(store, SEEDED);
        const counted = await store.db
          .selectFrom('request_logs')
          .select((expression) => expression.fn.countAll<number | string>().as('count'))
          .executeTakeFirstOrThrow();
        const created = await admin.logs.exports.create({ filters: {}, requestedData: ['id', 'trace_id'] });
        const exportId = created.id as string;
        // No pause: the first job may still be reading when the second run starts (a matter of timing
        // here; `log-exports.test.ts` in the store makes that race certain).
        await admin.logs.exports.start({ exportId });
        await admin.logs.exports.cancel({ exportId });
        await admin.logs.exports.start({ exportId });
        const done = await finished(admin, exportId);
        expect(done.total).toBe(Number(counted.count));
        const parts = (
          await store.db
            .selectFrom('log_export_parts')
            .select('part')
            .where('export_id', '=', exportId)
            .orderBy('part')
            .execute()
        ).map((row) => row.part);
        expect(parts).toEqual(parts.map((_, index) => index));
        const { lines } = await download(admin, exportId);
        expect(lines).toHaveLength(Number(counted.count));
        expect(new Set(lines.map((line) => (JSON.parse(line) as { id: string }).id)).size).toBe(lines.length);
      } finally {
        await store.close();
      }
    },
    120_000,
  );

  it.runIf(engine === 'sqlite')(
    'PK_PUBLIC_URL: download links point where clients reach the gateway (a proxy), and work there',
    async () => {
      const behind = await startSdkGateway('sqlite', {
        env: { PK_PUBLIC_URL: 'https://ai.example.com/pk/' },
      });
      try {
        const client = new Portkey({ apiKey: behind.adminKey, baseURL: `${behind.gateway.url}/v1` });
        const created = await client.logs.exports.create({ filters: {}, requestedData: ['id'] });
        const exportId = created.id as string;
        await client.logs.exports.start({ exportId });
        await finished(client, exportId);
        const link = (await client.logs.exports.download({ exportId })) as { signed_url: string };
        expect(link.signed_url).toMatch(
          new RegExp(`^https://ai\\.example\\.com/pk/v1/logs/exports/${exportId}/file\\?token=[\\w-]{43}$`),
        );
        // What the proxy forwards (its prefix taken off) is what the gateway serves.
        const url = new URL(link.signed_url);
        const response = await fetch(
          `${behind.gateway.url}${url.pathname.replace(/^\/pk/, '')}${url.search}`,
        );
        expect(response.status).toBe(200);
        expect(await response.text()).toBe('');
      } finally {
        await behind.stop();
        // `stop` gave PORTKEY_BASE_URL back to the first gateway's.
      }
    },
  );

  // Last: it stops the gateway.
  it.runIf(run)(
    'SIGTERM while an export runs: it is marked failed with why, and nothing half-done is served',
    async () => {
      const created = await admin.logs.exports.create({ filters: {}, requestedData: ['id', 'metadata'] });
      const exportId = created.id as string;
      await admin.logs.exports.start({ exportId });
      running.gateway.child.kill('SIGTERM');
      await running.gateway.exited;
      const store = await openStore({
        ...running.setup.storeOptions,
        serve: false,
        onWarning: () => undefined,
      });
      try {
        expect(await store.logExports.get(exportId)).toMatchObject({
          status: 'failed',
          error: 'the gateway stopped while exporting; start it again',
          total: null,
        });
      } finally {
        await store.close();
      }
    },
  );
});
