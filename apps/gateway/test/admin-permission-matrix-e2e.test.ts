import { requirePostgres } from '@pk/store/testing';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGateway } from './server-process.js';
import { type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';
import { addMockIntegration, type SdkGateway, startSdkGateway } from './support/sdk-gateway.js';

// Who may call what: every admin route (and the data-plane routes that read or write a tenant's
// logs, feedback and metrics) × every kind of key, against the built gateway. A row is the statuses
// the live keys get; keys that are no keys (expired, revoked, none, a provider's secret, a virtual
// key's slug) get 401 everywhere. A refusal comes before a record is looked up, so a key learns
// nothing of which ids exist from a 404.
const postgresUp = await requirePostgres('an admin key revoked on one replica');
const messages = [{ role: 'user' as const, content: 'hi' }];

/** The live keys, in the order of a row's statuses. */
const LIVE = ['admin', 'scopedAdmin', 'user', 'otherTenant', 'limited', 'metricsOnly'] as const;
type Live = (typeof LIVE)[number];

interface Call {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function callAs(
  url: string,
  method: string,
  path: string,
  key?: string,
  body?: unknown,
): Promise<Call> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(key === undefined ? {} : { 'x-portkey-api-key': key }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // /metrics is text.
  }
  return { status: response.status, body: parsed };
}

describe('the admin API’s permission matrix', () => {
  let running: SdkGateway;
  let mock: ProviderMock;
  const keys = {} as Record<Live, string> & { expired: string; revoked: string };
  const ids = { otherTenant: '', config: '', prompt: '', log: '', feedback: '', export: '' };
  const call = (method: string, path: string, key?: string, body?: unknown) =>
    callAs(running.gateway.url, method, path, key, body);

  beforeAll(async () => {
    mock = await startProviderMock();
    running = await startSdkGateway('sqlite');
    await addMockIntegration(running, mock.url);
    const admin = new Portkey({ apiKey: running.adminKey });
    ids.config = (await admin.configs.create({ name: 'm', config: { retry: { attempts: 1 } } }))
      .slug as string;
    ids.prompt = (
      await admin.prompts.create({
        name: 'm',
        collection_id: 'm',
        string: 'Hello {{name}}',
        parameters: {},
        model: 'gpt-4o-mini',
        virtual_key: 'openai-prod',
      })
    ).slug as string;
    const create = async (type: string, fields: Record<string, unknown>) => {
      const created = await call('POST', `/v1/api-keys/${type}`, running.adminKey, fields);
      expect(created.status).toBe(200);
      return { id: created.body.id as string, key: created.body.key as string };
    };
    keys.admin = running.adminKey;
    keys.user = running.userKey;
    keys.scopedAdmin = (
      await create('organisation/service', { name: 'reader', scopes: ['configs.read'] })
    ).key;
    const other = await create('workspace/service', { name: 'other', workspace_id: 'other' });
    keys.otherTenant = other.key;
    ids.otherTenant = other.id;
    keys.limited = (
      await create('workspace/service', {
        name: 'limited',
        workspace_id: 'limited',
        virtual_keys: ['openai-prod'],
        configs: [ids.config],
      })
    ).key;
    // The settings file's scraper, made through the API: a user key of the tenant `app`.
    keys.metricsOnly = (
      await create('workspace/service', { name: 'scraper', workspace_id: 'app', scopes: ['metrics'] })
    ).key;
    keys.expired = (
      await create('organisation/service', {
        name: 'expiring',
        expires_at: new Date(Date.now() + 1000).toISOString(),
      })
    ).key;
    const revoked = await create('organisation/service', { name: 'revoked' });
    keys.revoked = revoked.key;
    expect((await call('DELETE', `/v1/api-keys/${revoked.id}`, running.adminKey)).status).toBe(200);

    // One request of the tenant `app`, its log record and a piece of feedback on its trace.
    await new Portkey({
      apiKey: running.userKey,
      provider: '@openai-prod',
      traceID: 'matrix-trace',
    }).chat.completions.create({ model: 'gpt-4o-mini', messages });
    for (let tries = 0; ids.log === '' && tries < 50; tries += 1) {
      const logs = await call('GET', '/v1/logs?trace_id=matrix-trace', running.adminKey);
      ids.log = ((logs.body.data as { id: string }[] | undefined)?.[0]?.id as string | undefined) ?? '';
      if (ids.log === '') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const feedback = await call('POST', '/v1/feedback', running.userKey, {
      trace_id: 'matrix-trace',
      value: 1,
    });
    ids.feedback = (feedback.body.feedback_ids as string[])[0] as string;
    const draft = await call('POST', '/v1/logs/exports', running.userKey, {
      filters: {},
      requested_data: ['id', 'trace_id'],
    });
    expect(draft.status).toBe(200);
    ids.export = draft.body.id as string;
    // The expiring key has expired by now (the snapshot is rebuilt at its expiry).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1300)));
  });
  afterAll(async () => {
    await running?.stop();
    await mock?.close();
  });

  const none = '00000000-0000-0000-0000-000000000000';
  /** An admin route: the admin key's status, the admin key scoped to `configs.read`'s, 403 for user keys. */
  const admin = (full: number, scoped = 403): readonly number[] => [full, scoped, 403, 403, 403, 403];
  // [method, path (`:config`, `:prompt`, `:other`, `:log`, `:feedback` filled in), body, statuses of LIVE]
  const rows: readonly (readonly [string, string, unknown, readonly number[]])[] = [
    ['GET', '/v1/configs', undefined, admin(200)],
    ['POST', '/v1/configs', {}, admin(400)],
    ['GET', '/v1/configs/:config', undefined, admin(200, 200)],
    ['GET', '/v1/configs/pc-missing', undefined, admin(404, 404)],
    ['PUT', '/v1/configs/:config', { bogus: 1 }, admin(400)],
    ['DELETE', '/v1/configs/pc-missing', undefined, admin(404)],
    ['GET', '/v1/configs/:config/versions', undefined, admin(200, 200)],
    ['GET', '/v1/virtual-keys', undefined, admin(200)],
    ['POST', '/v1/virtual-keys', {}, admin(400)],
    ['GET', '/v1/virtual-keys/openai-prod', undefined, admin(200)],
    ['GET', '/v1/virtual-keys/missing', undefined, admin(404)],
    ['GET', '/v1/providers', undefined, admin(200)],
    ['GET', '/v1/integrations', undefined, admin(200)],
    ['GET', '/v1/integrations/missing', undefined, admin(404)],
    ['GET', '/v1/api-keys', undefined, admin(200)],
    ['POST', '/v1/api-keys/workspace/service', { bogus: 1 }, admin(400)],
    ['GET', '/v1/api-keys/:other', undefined, admin(200)],
    ['GET', `/v1/api-keys/${none}`, undefined, admin(404)],
    ['PUT', '/v1/api-keys/:other', { bogus: 1 }, admin(400)],
    ['DELETE', `/v1/api-keys/${none}`, undefined, admin(404)],
    ['GET', '/v1/guardrails', undefined, admin(200)],
    ['GET', '/v1/guardrails/missing', undefined, admin(404)],
    ['GET', '/v1/prompts', undefined, admin(200)],
    ['GET', '/v1/prompts/:prompt', undefined, admin(200)],
    ['GET', '/v1/prompts/partials', undefined, admin(200)],
    ['GET', '/v1/labels', undefined, admin(200)],
    ['GET', '/v1/collections', undefined, admin(200)],
    ['POST', '/v1/configs/:config/versions/999/restore', {}, admin(404)],
    ['PUT', '/v1/virtual-keys/missing', { note: 'x' }, admin(404)],
    ['DELETE', '/v1/virtual-keys/missing', undefined, admin(404)],
    ['POST', '/v1/providers', {}, admin(400)],
    ['GET', '/v1/providers/openai-prod', undefined, admin(200)],
    ['PUT', '/v1/providers/missing', { note: 'x' }, admin(404)],
    ['DELETE', '/v1/providers/missing', undefined, admin(404)],
    ['POST', '/v1/integrations', {}, admin(400)],
    ['PUT', '/v1/integrations/missing', { name: 'x' }, admin(404)],
    ['DELETE', '/v1/integrations/missing', undefined, admin(404)],
    ['POST', '/v1/guardrails', {}, admin(400)],
    ['PUT', '/v1/guardrails/missing', { name: 'x' }, admin(404)],
    ['DELETE', '/v1/guardrails/missing', undefined, admin(404)],
    ['POST', '/v1/prompts', {}, admin(400)],
    ['PUT', '/v1/prompts/missing', { name: 'x' }, admin(404)],
    ['DELETE', '/v1/prompts/missing', undefined, admin(404)],
    ['PUT', '/v1/prompts/missing/makeDefault', { version: 1 }, admin(404)],
    ['GET', '/v1/prompts/:prompt/versions', undefined, admin(200)],
    ['GET', '/v1/prompts/:prompt/versions/missing', undefined, admin(404)],
    ['PUT', '/v1/prompts/:prompt/versions/missing', { label_id: 'x' }, admin(404)],
    ['POST', '/v1/prompts/partials', {}, admin(400)],
    ['GET', '/v1/prompts/partials/missing', undefined, admin(404)],
    ['PUT', '/v1/prompts/partials/missing', { name: 'x' }, admin(404)],
    ['DELETE', '/v1/prompts/partials/missing', undefined, admin(404)],
    ['GET', '/v1/prompts/partials/missing/versions', undefined, admin(404)],
    ['POST', '/v1/labels', {}, admin(400)],
    ['GET', '/v1/labels/missing', undefined, admin(404)],
    ['PUT', '/v1/labels/missing', { name: 'x' }, admin(404)],
    ['DELETE', '/v1/labels/missing', undefined, admin(404)],
    ['POST', '/v1/collections', {}, admin(400)],
    ['GET', '/v1/collections/missing', undefined, admin(404)],
    ['PUT', '/v1/collections/missing', { name: 'x' }, admin(404)],
    ['DELETE', '/v1/collections/missing', undefined, admin(404)],
    ['GET', '/v1/breakers', undefined, admin(200)],
    [
      'DELETE',
      `/v1/breakers/${encodeURIComponent('saved:app:pc-x:config.targets[0]')}`,
      undefined,
      admin(200),
    ],
    // Data plane: each key within its tenant (another tenant's record is 404); scopes are Portkey's.
    ['POST', '/v1/prompts/:prompt/render', { variables: { name: 'Ann' } }, [200, 200, 200, 200, 200, 200]],
    ['POST', '/v1/feedback', { trace_id: 'matrix-trace', value: 1 }, [200, 403, 200, 200, 200, 403]],
    ['PUT', '/v1/feedback/:feedback', { value: 2 }, [404, 403, 200, 404, 404, 403]],
    ['GET', '/v1/logs', undefined, [200, 403, 200, 200, 200, 403]],
    ['GET', '/v1/logs/:log', undefined, [200, 403, 200, 404, 404, 403]],
    ['GET', '/v1/traces/matrix-trace', undefined, [200, 403, 200, 404, 404, 403]],
    ['GET', '/v1/analytics/summary', undefined, [200, 403, 200, 200, 200, 403]],
    ['GET', '/v1/logs/exports', undefined, [200, 403, 200, 200, 200, 403]],
    ['POST', '/v1/logs', {}, [400, 403, 400, 400, 400, 403]],
    ['GET', '/v1/analytics/graphs/requests', undefined, [400, 403, 400, 400, 400, 403]],
    ['GET', '/v1/analytics/groups/ai-models', undefined, [400, 403, 400, 400, 400, 403]],
    ['GET', '/v1/analytics/summary/cache', undefined, [400, 403, 400, 400, 400, 403]],
    ['POST', '/v1/logs/exports/:export/cancel', {}, [409, 403, 409, 404, 404, 403]],
    ['DELETE', '/v1/logs/exports/missing', undefined, [404, 403, 404, 404, 404, 403]],
    ['GET', '/v1/logs/exports/:export', undefined, [200, 403, 200, 404, 404, 403]],
    ['PUT', '/v1/logs/exports/:export', { filter: {} }, [400, 403, 400, 400, 400, 403]],
    ['GET', '/v1/logs/exports/:export/download', undefined, [409, 403, 409, 404, 404, 403]],
    ['GET', '/metrics', undefined, [200, 403, 403, 403, 403, 200]],
  ];
  const pathOf = (path: string) =>
    path
      .replace(':config', ids.config)
      .replace(':prompt', ids.prompt)
      .replace(':other', ids.otherTenant)
      .replace(':log', ids.log)
      .replace(':feedback', ids.feedback)
      .replace(':export', ids.export);

  it.each(rows)('%s %s answers each kind of key as it may', async (method, path, body, expected) => {
    const got: Record<string, number> = {};
    for (const kind of LIVE) got[kind] = (await call(method, pathOf(path), keys[kind], body)).status;
    expect(got).toEqual(Object.fromEntries(LIVE.map((kind, index) => [kind, expected[index]])));
    const dead = {
      expired: keys.expired,
      revoked: keys.revoked,
      none: undefined,
      providerSecret: 'sk-mock-0123456789',
      virtualKeySlug: 'openai-prod',
    };
    for (const [kind, key] of Object.entries(dead)) {
      const refused = await call(method, pathOf(path), key, body);
      expect({ kind, status: refused.status, code: (refused.body.error as { code?: string })?.code }).toEqual(
        {
          kind,
          status: 401,
          code: 'PK_ERR_UNAUTHORIZED',
        },
      );
    }
  });

  it('answers a tenant’s log queries with its own records only', async () => {
    const totalFor = async (key: string) =>
      ((await call('GET', '/v1/logs?trace_id=matrix-trace', key)).body.data as unknown[]).length;
    expect(await totalFor(keys.admin)).toBe(1);
    expect(await totalFor(keys.user)).toBe(1);
    expect(await totalFor(keys.otherTenant)).toBe(0);
    expect(await totalFor(keys.limited)).toBe(0);
  });
});

describe.runIf(postgresUp)('an admin key revoked on one replica (PostgreSQL)', () => {
  let running: SdkGateway;
  let second: GatewayProcess;

  beforeAll(async () => {
    running = await startSdkGateway('postgres');
    second = await startGateway({ ...running.setup.env });
  });
  afterAll(async () => {
    second?.child.kill('SIGTERM');
    await second?.exited;
    await running?.stop();
  });

  it('is refused by the other replica’s admin API within a second', async () => {
    const created = await callAs(
      running.gateway.url,
      'POST',
      '/v1/api-keys/organisation/service',
      running.adminKey,
      {
        name: 'ops',
      },
    );
    const { id, key } = created.body as { id: string; key: string };
    const listOn = async (url: string) => (await callAs(url, 'GET', '/v1/configs', key)).status;
    const until = async (check: () => Promise<boolean>): Promise<number> => {
      const started = Date.now();
      while (!(await check())) {
        if (Date.now() - started > 5000) throw new Error('not within 5 s');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return Date.now() - started;
    };
    await until(async () => (await listOn(second.url)) === 200);
    expect((await callAs(running.gateway.url, 'DELETE', `/v1/api-keys/${id}`, running.adminKey)).status).toBe(
      200,
    );
    expect(await listOn(running.gateway.url)).toBe(401);
    expect(await until(async () => (await listOn(second.url)) === 401)).toBeLessThan(1000);
  });
});
