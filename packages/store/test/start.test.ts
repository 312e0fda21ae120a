import { randomBytes } from 'node:crypto';
import { copyFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig } from '@pk/config';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  type GatewayKey,
  generateMasterKey,
  hashGatewayKeySecret,
  migrationsFor,
  openStore,
  RequestLogWriter,
  Secret,
  type SettingsRecords,
  type Store,
  StoreStartError,
} from '../src/index.js';
import { createTemporaryDatabase } from '../src/testing/index.js';
import { createFixture, ENGINES, postgresUp } from './support/engines.js';

/** The request log's indexes (besides primary keys), after every migration. */
const LOG_INDEXES = [
  'request_log_metadata_filter',
  'request_logs_tenant_time',
  'request_logs_time',
  'request_logs_trace',
  'request_logs_user',
];

/** The secondary indexes of the request log's two tables, by name. */
async function logIndexes(store: Store): Promise<string[]> {
  const rows =
    store.engine === 'postgres'
      ? await sql<{ name: string }>`select indexname as name from pg_indexes
          where schemaname = current_schema() and tablename in ('request_logs', 'request_log_metadata')
          and indexname not in (select conname from pg_constraint where contype = 'p')`.execute(store.db)
      : await sql<{ name: string }>`select name from sqlite_master where type = 'index'
          and tbl_name in ('request_logs', 'request_log_metadata') and sql is not null`.execute(store.db);
  return rows.rows.map((row) => row.name).sort();
}

const fileKey: GatewayKey = {
  id: 'team-a',
  name: 'team-a',
  tenant: 'team-a',
  role: 'user',
  keyHash: hashGatewayKeySecret('team-a-secret'),
  scopes: [],
};
const parsed = parseConfig({ virtual_key: 'file-vk' });
const settings: SettingsRecords = {
  source: '/etc/pk/settings.yaml',
  gatewayKeys: [fileKey],
  virtualKeys: [
    {
      id: 'file-vk',
      slug: 'file-vk',
      provider: 'openai',
      apiKey: new Secret('sk-file'),
      options: {},
      allowedHosts: [],
      models: [],
    },
  ],
  configs: parsed.ok ? [{ id: 'pc-file', slug: 'pc-file', config: parsed.config, warnings: [] }] : [],
};

describe.each(ENGINES)('opening the store on %s', (engine) => {
  const run = engine === 'sqlite' || postgresUp;

  it.runIf(run)('migrates a new database once and is idempotent on the next start', async () => {
    const fixture = await createFixture(engine);
    try {
      const first = await fixture.open();
      const applied = await sql<{ name: string }>`select name from pk_migrations`.execute(first.db);
      expect(applied.rows.map((row) => row.name)).toEqual(Object.keys(migrationsFor(engine)));
      expect(await logIndexes(first)).toEqual(LOG_INDEXES);
      await first.close();
      const second = await fixture.open();
      const again = await sql<{ name: string }>`select name from pk_migrations`.execute(second.db);
      expect(again.rows).toHaveLength(applied.rows.length);
    } finally {
      await fixture.cleanup();
    }
  });

  it.runIf(run)(
    'migration 0005 moves `_user` filters of existing records to their user_id column',
    async () => {
      const fixture = await createFixture(engine);
      try {
        // A database as 0004 left it: descending indexes, `_user` also a metadata row (and none of
        // the later migrations' tables).
        const old = await fixture.open();
        for (const statement of [
          "delete from pk_migrations where name in ('0005-request-log-write-cost', '0006-request-log-tenant-indexes', '0007-integrations', '0008-prompts', '0009-prompt-partials', '0010-request-log-prompt', '0011-log-exports', '0012-prompt-labels', '0013-feedback-time', '0014-prompt-collections', '0015-log-export-runs', '0016-request-log-path', '0017-limit-spend', '0018-request-log-guardrails-and-error', '0019-guardrail-secrets', '0020-limit-spend-from-logs', '0021-virtual-key-disabled', '0022-request-log-cost-source', '0023-limit-spend-spills')",
          'drop table limit_spend_spills',
          'alter table request_logs drop column cost_source',
          'alter table request_logs drop column cost_parts',
          'alter table virtual_keys drop column disabled_at',
          'alter table guardrails drop column secret_key_id',
          'alter table guardrails drop column secret',
          'drop table limit_spend',
          'alter table request_logs drop column error_message',
          'alter table request_logs drop column guardrails',
          'drop table collections',
          'drop index feedback_tenant_time',
          'drop table prompt_version_labels',
          'drop table labels',
          'drop table log_export_parts',
          'drop table log_exports',
          'alter table request_logs drop column prompt',
          'alter table request_logs drop column path',
          'drop table prompt_versions',
          'drop table prompts',
          'drop index virtual_keys_integration',
          'alter table virtual_keys drop column integration_id',
          'drop table integrations',
          'drop index request_logs_user',
          'drop index request_logs_tenant_time',
          'create index request_logs_tenant_time on request_logs (tenant, created_at desc, id desc)',
          "insert into request_logs (id, created_at, tenant, trace_id, source, stream, status, latency_ms, user_id, metadata) values ('log_old', 1767225600000, 'acme', 'trace-old', 'gateway', 0, 200, 5, 'ada', '{\"_user\":\"ada\",\"team\":\"x\"}')",
          "insert into request_log_metadata (log_id, tenant, key, value, created_at) values ('log_old', 'acme', '_user', 'ada', 1767225600000), ('log_old', 'acme', 'team', 'x', 1767225600000)",
        ])
          await sql.raw(statement).execute(old.db);
        await old.close();

        const store = await fixture.open();
        const found = await store.logs.list({ tenant: 'acme', metadata: [['_user', 'ada']] });
        expect(found.records.map((entry) => [entry.id, entry.metadata])).toEqual([
          ['log_old', { _user: 'ada', team: 'x' }],
        ]);
        const keys = await sql<{ key: string }>`select key from request_log_metadata`.execute(store.db);
        expect(keys.rows.map((row) => row.key)).toEqual(['team']);
        // And 0006 after it: the request log's filter indexes all lead with the tenant.
        expect(await logIndexes(store)).toEqual(LOG_INDEXES);
        await store.close();
      } finally {
        await fixture.cleanup();
      }
    },
  );

  it.runIf(run)(
    'migration 0016 gives records a path column: records from before read null, new ones keep theirs',
    async () => {
      const fixture = await createFixture(engine);
      try {
        // A database as 0015 left it, with a record in it.
        const old = await fixture.open();
        for (const statement of [
          "delete from pk_migrations where name in ('0016-request-log-path', '0017-limit-spend', '0018-request-log-guardrails-and-error', '0019-guardrail-secrets', '0020-limit-spend-from-logs', '0021-virtual-key-disabled', '0022-request-log-cost-source', '0023-limit-spend-spills')",
          'drop table limit_spend_spills',
          'alter table request_logs drop column cost_source',
          'alter table request_logs drop column cost_parts',
          'alter table virtual_keys drop column disabled_at',
          'alter table guardrails drop column secret_key_id',
          'alter table guardrails drop column secret',
          'drop table limit_spend',
          'alter table request_logs drop column error_message',
          'alter table request_logs drop column guardrails',
          'alter table request_logs drop column path',
          "insert into request_logs (id, created_at, tenant, trace_id, source, endpoint, stream, status, latency_ms) values ('log_before', 1767225600000, 'acme', 'trace-path', 'gateway', 'passthrough', 0, 200, 5)",
        ])
          await sql.raw(statement).execute(old.db);
        await old.close();

        const store = await fixture.open();
        const writer = new RequestLogWriter({ sink: store.openLogSink(), onWarning: () => undefined });
        writer.enqueue({
          id: 'log_after',
          createdAt: 1767225600001,
          tenant: 'acme',
          traceId: 'trace-path',
          endpoint: 'passthrough',
          path: '/v1/batches/batch_1/cancel',
          status: 200,
          latencyMs: 5,
        });
        await writer.close();
        const trace = await store.logs.trace('trace-path', 'acme');
        expect(trace.map((record) => [record.id, record.path])).toEqual([
          ['log_before', null],
          ['log_after', '/v1/batches/batch_1/cancel'],
        ]);
        await store.close();
      } finally {
        await fixture.cleanup();
      }
    },
  );

  it.runIf(run)(
    'migration 0022 gives records cost_source and cost_parts: records from before read their cost as the price table’s, new ones keep theirs',
    async () => {
      const fixture = await createFixture(engine);
      try {
        const old = await fixture.open();
        for (const statement of [
          "delete from pk_migrations where name in ('0022-request-log-cost-source', '0023-limit-spend-spills')",
          'drop table limit_spend_spills',
          'alter table request_logs drop column cost_source',
          'alter table request_logs drop column cost_parts',
          "insert into request_logs (id, created_at, tenant, trace_id, source, endpoint, stream, status, latency_ms, cost, cost_status) values ('log_before', 1767225600000, 'acme', 'trace-cost', 'gateway', 'chat.completions', 0, 200, 5, 0.25, 'priced')",
        ])
          await sql.raw(statement).execute(old.db);
        await old.close();

        const store = await fixture.open();
        const writer = new RequestLogWriter({ sink: store.openLogSink(), onWarning: () => undefined });
        const parts = [
          { part: 'responses', model: 'gpt-realtime', events: 2, total_tokens: 300, cost: 0.01 },
          { part: 'input_audio_transcription', model: 'whisper-1', events: 1, seconds: 4.2, cost: null },
        ];
        writer.enqueue({
          id: 'log_after',
          createdAt: 1767225600001,
          tenant: 'acme',
          traceId: 'trace-cost',
          endpoint: 'realtime',
          status: 101,
          latencyMs: 5,
          cost: 0.01,
          costStatus: 'priced',
          costParts: parts,
        });
        writer.enqueue({
          id: 'log_charged',
          createdAt: 1767225600002,
          tenant: 'acme',
          traceId: 'trace-cost',
          endpoint: 'chat.completions',
          status: 200,
          latencyMs: 5,
          cost: 0.0007,
          costStatus: 'priced',
          costSource: 'provider',
        });
        await writer.close();
        const trace = await store.logs.trace('trace-cost', 'acme');
        expect(trace.map((record) => [record.id, record.cost_source, record.cost_parts])).toEqual([
          ['log_before', 'price_table', null],
          ['log_after', 'price_table', parts],
          ['log_charged', 'provider', null],
        ]);
        await store.close();
      } finally {
        await fixture.cleanup();
      }
    },
  );

  it.runIf(run)(
    'migration 0020 recovers the spend of keys an older pk kept only in its limits store from the request logs',
    async () => {
      const fixture = await createFixture(engine);
      try {
        // A database as 0016 left it (pk before budgets' spend was kept), with what it logged: two
        // requests and a failed one through a stored virtual key, a cache hit, one through a key of
        // the settings file, and a request of the month before.
        const old = await fixture.open();
        const log = (
          id: string,
          at: number,
          vk: string,
          status: number,
          tokens: number | null,
          cost: number | null,
          cache = 'MISS',
        ) =>
          `insert into request_logs (id, created_at, tenant, trace_id, source, gateway_key_id, virtual_key, stream, status, latency_ms, total_tokens, cost, cache_status) values ('${id}', ${at}, 't', '${id}', 'gateway', 'gk-1', '${vk}', 0, ${status}, 5, ${tokens}, ${cost}, '${cache}')`;
        for (const statement of [
          "delete from pk_migrations where name in ('0017-limit-spend', '0018-request-log-guardrails-and-error', '0019-guardrail-secrets', '0020-limit-spend-from-logs', '0021-virtual-key-disabled', '0022-request-log-cost-source', '0023-limit-spend-spills')",
          'drop table limit_spend_spills',
          'alter table request_logs drop column cost_source',
          'alter table request_logs drop column cost_parts',
          'alter table virtual_keys drop column disabled_at',
          'alter table guardrails drop column secret_key_id',
          'alter table guardrails drop column secret',
          'drop table limit_spend',
          'alter table request_logs drop column error_message',
          'alter table request_logs drop column guardrails',
          "insert into virtual_keys (id, slug, name, provider, options, models, allowed_hosts, secret_hints, created_at, updated_at) values ('vk-id-1', 'openai-prod', 'prod', 'openai', '{}', '[]', '[]', '{}', 1, 1)",
          log('a', Date.UTC(2026, 11, 3, 10), 'openai-prod', 200, 2000, 0.0125),
          log('b', Date.UTC(2026, 11, 3, 11), 'openai-prod', 200, 1000, 0.5),
          log('c', Date.UTC(2026, 11, 4, 9), 'openai-prod', 500, null, null),
          log('d', Date.UTC(2026, 11, 4, 9, 30), 'openai-prod', 200, 1000, 0.5, 'HIT'),
          log('e', Date.UTC(2026, 11, 4, 10), 'file-vk', 200, 10, 0.25),
          log('f', Date.UTC(2026, 10, 30, 10), 'openai-prod', 200, 7, 7),
        ])
          await sql.raw(statement).execute(old.db);
        await old.close();

        const store = await fixture.open();
        const december = await store.limitSpend.sum(
          ['vk:vk-id-1', 'vk:file-vk', 'gk:gk-1'],
          Date.UTC(2026, 11, 1),
        );
        expect(Object.fromEntries(december)).toEqual({
          'vk:vk-id-1': { costMicros: 512_500, tokens: 3000, requests: 4 },
          'vk:file-vk': { costMicros: 250_000, tokens: 10, requests: 1 },
          'gk:gk-1': { costMicros: 762_500, tokens: 3010, requests: 5 },
        });
        const november = await store.limitSpend.sum(['vk:vk-id-1'], Date.UTC(2026, 10, 1));
        expect(november.get('vk:vk-id-1')).toEqual({ costMicros: 7_512_500, tokens: 3007, requests: 5 });
        await store.close();
      } finally {
        await fixture.cleanup();
      }
    },
  );

  it.runIf(run)(
    'migration 0020 adds nothing to a database whose spend pk already recorded (never counted twice)',
    async () => {
      const fixture = await createFixture(engine);
      try {
        const old = await fixture.open();
        for (const statement of [
          "delete from pk_migrations where name in ('0020-limit-spend-from-logs', '0021-virtual-key-disabled', '0022-request-log-cost-source', '0023-limit-spend-spills')",
          'drop table limit_spend_spills',
          'alter table request_logs drop column cost_source',
          'alter table request_logs drop column cost_parts',
          'alter table virtual_keys drop column disabled_at',
          `insert into limit_spend (subject, day, cost_micros, tokens, requests) values ('gk:gk-1', ${Math.floor(Date.UTC(2026, 11, 3) / 86_400_000)}, 10, 20, 1)`,
          `insert into request_logs (id, created_at, tenant, trace_id, source, gateway_key_id, stream, status, latency_ms, total_tokens, cost) values ('a', ${Date.UTC(2026, 11, 3, 10)}, 't', 'a', 'gateway', 'gk-1', 0, 200, 5, 2000, 0.0125)`,
        ])
          await sql.raw(statement).execute(old.db);
        await old.close();

        const store = await fixture.open();
        const spend = await store.limitSpend.sum(['gk:gk-1'], Date.UTC(2026, 11, 1));
        expect(spend.get('gk:gk-1')).toEqual({ costMicros: 10, tokens: 20, requests: 1 });
        await store.close();
      } finally {
        await fixture.cleanup();
      }
    },
  );

  it.runIf(run)('refuses a schema newer than it knows, with a clear message', async () => {
    const fixture = await createFixture(engine);
    try {
      const store = await fixture.open();
      await sql`insert into pk_migrations (name, timestamp) values ('9999-from-the-future', '2099-01-01T00:00:00.000Z')`.execute(
        store.db,
      );
      await store.close();
      const error = await fixture.open().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreStartError);
      expect((error as Error).message).toMatch(
        /the database schema is newer than this version of pk: it has migration 9999-from-the-future.*Upgrade pk/,
      );
    } finally {
      await fixture.cleanup();
    }
  });

  it.runIf(run)(
    'refuses to start with a wrong master key, and starts with a ring that holds the right one',
    async () => {
      const fixture = await createFixture(engine);
      try {
        const right = generateMasterKey();
        const store = await fixture.open({ masterKey: right });
        await store.virtualKeys.create(
          { slug: 'vk', name: 'vk', provider: 'openai', apiKey: 'sk-test-0123456789abcdef' },
          'cli',
        );
        await store.close();
        const wrong = generateMasterKey();
        const error = await fixture.open({ masterKey: wrong }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(StoreStartError);
        expect((error as Error).message).toMatch(/the master key does not fit this database/);
        expect((error as Error).message).not.toContain(right);
        expect((error as Error).message).not.toContain(wrong);
        // Rolling a new key in: the ring holds the new key first and the old one after it.
        const rolled = await fixture.open({ masterKey: `${wrong},${right}` });
        expect(rolled.catalog.snapshot.virtualKeys.get('vk')?.apiKey?.reveal()).toBe(
          'sk-test-0123456789abcdef',
        );
        const progress: [number, number][] = [];
        const rotated = await rolled.vault.rotate('cli', {
          onProgress: (done, total) => progress.push([done, total]),
        });
        expect(rotated.reencrypted).toBe(1);
        expect(progress).toEqual([
          [0, 1],
          [1, 1],
        ]);
        await rolled.close();
        const onlyNew = await fixture.open({ masterKey: wrong });
        expect(onlyNew.catalog.snapshot.virtualKeys.get('vk')?.apiKey?.reveal()).toBe(
          'sk-test-0123456789abcdef',
        );
        expect((await onlyNew.audit.list({ entity: 'vault' }))[0]?.after).toMatchObject({ reencrypted: 1 });
      } finally {
        await fixture.cleanup();
      }
    },
  );

  it.runIf(run)(
    'opened for a tool (serve: false): no snapshot, no polling, a config only the settings make valid does not stop it',
    async () => {
      const fixture = await createFixture(engine);
      try {
        const trusted = { trustedCustomHosts: ['vllm.internal'] };
        const gateway = await fixture.open({ parseOptions: trusted });
        await gateway.configs.create(
          {
            slug: 'pc-internal',
            name: 'internal',
            config: { provider: 'openai', custom_host: 'http://vllm.internal/v1' },
          },
          'cli',
        );
        await gateway.close();
        const refused = await fixture.open().catch((caught: unknown) => caught);
        expect(refused).toBeInstanceOf(StoreStartError);
        const tool = await fixture.open({ serve: false });
        expect(tool.catalog.snapshot.configs.size).toBe(0);
        const { record } = await tool.gatewayKeys.create({ role: 'admin' }, 'cli');
        expect(await tool.gatewayKeys.hasAdmin()).toBe(true);
        expect(record.role).toBe('admin');
        await tool.close();
      } finally {
        await fixture.cleanup();
      }
    },
  );

  it.runIf(run)('serves the settings file read-only, refusing changes by naming the file', async () => {
    const fixture = await createFixture(engine);
    try {
      const store = await fixture.open({ settings });
      const snapshot = store.catalog.snapshot;
      expect(snapshot.gatewayKeysByHash.get(fileKey.keyHash)?.managedBy).toBe('/etc/pk/settings.yaml');
      expect(snapshot.virtualKeys.get('file-vk')?.apiKey?.reveal()).toBe('sk-file');
      expect(snapshot.configs.has('pc-file')).toBe(true);
      const refusal = {
        code: 'read_only',
        status: 409,
        message: expect.stringContaining('/etc/pk/settings.yaml'),
      };
      await expect(store.gatewayKeys.revoke('team-a', 'cli')).rejects.toMatchObject(refusal);
      await expect(store.virtualKeys.update('file-vk', { name: 'x' }, 'cli')).rejects.toMatchObject(refusal);
      await expect(store.configs.update('pc-file', { name: 'x' }, 'cli')).rejects.toMatchObject(refusal);
      await expect(store.configs.delete('pc-file', 'cli')).rejects.toMatchObject(refusal);
      await expect(store.gatewayKeys.create({ id: 'team-a' }, 'cli')).rejects.toMatchObject({
        code: 'conflict',
      });
      await expect(
        store.virtualKeys.create({ slug: 'file-vk', name: 'x', provider: 'openai' }, 'cli'),
      ).rejects.toMatchObject({ code: 'conflict' });
      expect((await store.gatewayKeys.list())[0]).toMatchObject({
        id: 'team-a',
        managedBy: '/etc/pk/settings.yaml',
      });
      expect((await store.virtualKeys.get('file-vk')).secretHints).toEqual({ api_key: '…' });
      await store.gatewayKeys.create({ id: 'stored', virtualKeys: ['file-vk'], configs: ['pc-file'] }, 'cli');
      await store.close();
      // A settings file that defines an id the database already has is refused at start.
      const clash: SettingsRecords = {
        ...settings,
        gatewayKeys: [...settings.gatewayKeys, { ...fileKey, id: 'stored', keyHash: 'x' }],
      };
      await expect(fixture.open({ settings: clash })).rejects.toThrow(
        'the settings file /etc/pk/settings.yaml and the database both define gateway key "stored"',
      );
    } finally {
      await fixture.cleanup();
    }
  });

  it.runIf(run)('leaves no half-applied change when a write fails midway', async () => {
    const fixture = await createFixture(engine);
    try {
      const store = await fixture.open();
      const version = store.catalog.snapshot.version;
      // The audit insert, the last statement of every change, fails: nothing before it may stay.
      await sql`alter table audit_log rename to audit_log_gone`.execute(store.db);
      await expect(
        store.configs.create({ slug: 'half', name: 'half', config: { provider: 'openai' } }, 'cli'),
      ).rejects.toThrow();
      await sql`alter table audit_log_gone rename to audit_log`.execute(store.db);
      expect(await store.db.selectFrom('configs').selectAll().execute()).toEqual([]);
      expect(await store.db.selectFrom('config_versions').selectAll().execute()).toEqual([]);
      const state = await store.db.selectFrom('pk_state').select('version').executeTakeFirstOrThrow();
      expect(state.version).toBe(version);
    } finally {
      await fixture.cleanup();
    }
  });
});

describe('SQLite file', () => {
  it('is readable by its owner only; backed up online with SQLite’s backup API, it restores with its master key', async () => {
    const fixture = await createFixture('sqlite');
    const restored = await createFixture('sqlite');
    try {
      const store = await fixture.open();
      await store.virtualKeys.create(
        { slug: 'vk', name: 'vk', provider: 'openai', apiKey: 'sk-backed-up-0123456789' },
        'cli',
      );
      expect((await stat(join(fixture.dataDir, 'pk.db'))).mode & 0o777).toBe(0o600);
      // What `sqlite3 .pk-data/pk.db ".backup backup.db"` does, while the gateway runs.
      const source = new BetterSqlite3(join(fixture.dataDir, 'pk.db'), { readonly: true });
      await source.backup(join(restored.dataDir, 'pk.db'));
      source.close();
      await copyFile(join(fixture.dataDir, 'master.key'), join(restored.dataDir, 'master.key'));
      const copy = await restored.open();
      expect(copy.catalog.snapshot.virtualKeys.get('vk')?.apiKey?.reveal()).toBe('sk-backed-up-0123456789');
    } finally {
      await fixture.cleanup();
      await restored.cleanup();
    }
  });

  it('gives deleted pages back in small steps (incremental vacuum)', async () => {
    const fixture = await createFixture('sqlite');
    try {
      const store = await fixture.open();
      const note = 'x'.repeat(1900);
      for (let index = 0; index < 60; index += 1) {
        await store.virtualKeys.create({ slug: `vk-${index}`, name: 'vk', note, provider: 'openai' }, 'cli');
      }
      await store.db.deleteFrom('virtual_keys').execute();
      await store.db.deleteFrom('audit_log').execute();
      const freePages = async () =>
        Number(
          (await sql<{ n: number }>`select freelist_count as n from pragma_freelist_count`.execute(store.db))
            .rows[0]?.n,
        );
      const before = await freePages();
      expect(before).toBeGreaterThan(20);
      await store.reclaimSpace(10);
      expect(await freePages()).toBe(before - 10);
      await store.reclaimSpace();
      expect(await freePages()).toBe(0);
    } finally {
      await fixture.cleanup();
    }
  });

  it('starts in WAL mode with incremental auto-vacuum, in a data directory created on first start', async () => {
    const fixture = await createFixture('sqlite');
    try {
      const dataDir = join(fixture.dataDir, 'nested', 'data');
      const store = await fixture.open({ dataDir });
      await store.close();
      const file = new BetterSqlite3(join(dataDir, 'pk.db'), { readonly: true });
      expect(file.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(file.pragma('auto_vacuum', { simple: true })).toBe(2);
      file.close();
    } finally {
      await fixture.cleanup();
    }
  });
});

describe.runIf(postgresUp)('PostgreSQL start', () => {
  it('migrates once when replicas start together (advisory lock)', async () => {
    const database = await createTemporaryDatabase();
    const masterKey = generateMasterKey();
    try {
      const stores = await Promise.all(
        Array.from({ length: 4 }, () =>
          openStore({ databaseUrl: database.url, masterKey, onWarning: () => undefined }),
        ),
      );
      const applied = await sql<{ name: string }>`select name from pk_migrations`.execute(
        stores[0]?.db as never,
      );
      expect(applied.rows.map((row) => row.name)).toEqual(Object.keys(migrationsFor('postgres')));
      const state = await sql<{ count: string }>`select count(*) as count from pk_state`.execute(
        stores[0]?.db as never,
      );
      expect(Number(state.rows[0]?.count)).toBe(1);
      await Promise.all(stores.map((store) => store.close()));
    } finally {
      await database.drop();
    }
  });

  it('exits with a clear message when the database is down at start, without the password', async () => {
    const password = randomBytes(8).toString('hex');
    const error = await openStore({
      databaseUrl: `postgres://pk:${password}@127.0.0.1:1/pk`,
      masterKey: generateMasterKey(),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreStartError);
    expect((error as Error).message).toMatch(
      /cannot reach the database at postgres:\/\/pk:\*\*\*@127\.0\.0\.1:1\/pk/,
    );
    expect((error as Error).message).not.toContain(password);
  });

  it('requires PK_MASTER_KEY', async () => {
    const database = await createTemporaryDatabase();
    try {
      await expect(openStore({ databaseUrl: database.url })).rejects.toThrow(/PK_MASTER_KEY is required/);
    } finally {
      await database.drop();
    }
  });
});

describe('PK_DATABASE_URL', () => {
  it('must be a postgres:// URL', async () => {
    await expect(openStore({ databaseUrl: 'mysql://u:p@h/db' })).rejects.toThrow(
      'PK_DATABASE_URL must be a postgres:// URL (got "mysql://u:***@h/db")',
    );
  });
});
