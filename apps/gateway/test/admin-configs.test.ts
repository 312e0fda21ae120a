import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminGateway, sdkError, startAdminGateway } from './support/admin-harness.js';

// Portkey's saved-config admin API through the official portkey-ai SDK, unchanged, against the
// gateway app on a real port over a real SQLite store. The SDK client carries a config, a virtual
// key and a trace id, as scripts' clients do: the admin routes must ignore them.
let admin: AdminGateway;

const FILE_CONFIG = { retry: { attempts: 1 }, provider: 'openai' };

beforeAll(async () => {
  admin = await startAdminGateway({
    configs: { 'pc-file': FILE_CONFIG },
    guardrails: {
      'file-shield': { type: 'mutator', checks: [{ id: 'pk.pii', parameters: { redact: true } }] },
    },
  });
});

afterAll(async () => {
  await admin?.close();
});

const client = () =>
  admin.portkey({ config: 'pc-does-not-exist', virtualKey: 'vk-does-not-exist', traceID: 'admin-trace' });

describe('configs through the portkey-ai SDK', () => {
  it('creates, retrieves, lists, updates and deletes, as the SDK sends and reads them', async () => {
    const portkey = client();
    const created = await portkey.configs.create({
      name: 'Pplx Cache Test',
      config: { retry: { attempts: 3 }, cache: { mode: 'simple', max_age: 60 }, provider: 'openai' },
      isDefault: 1,
    });
    expect(created).toMatchObject({
      object: 'config',
      slug: expect.stringMatching(/^pc-pplx-c-[0-9a-f]{6}$/),
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.version_id).toMatch(/^[0-9a-f-]{36}$/);

    const retrieved = await portkey.configs.retrieve({ slug: created.slug as string });
    expect(retrieved).toMatchObject({
      id: created.id,
      slug: created.slug,
      name: 'Pplx Cache Test',
      is_default: 1,
      status: 'active',
      format: 'json',
      type: 'ORG_CONFIG',
      version_id: created.version_id,
      object: 'config',
      config: { retry: { attempts: 3 }, cache: { mode: 'simple', max_age: 60 }, provider: 'openai' },
    });
    // `config` comes back as an object: `cfg.config.retry` works.
    expect((retrieved.config as { retry: { attempts: number } }).retry.attempts).toBe(3);

    const updated = await portkey.configs.update({
      slug: created.slug as string,
      name: 'Renamed',
      config: JSON.stringify({ retry: { attempts: 1 }, provider: 'openai' }),
      status: 'active',
    } as never);
    expect(updated).toMatchObject({ object: 'config', version: 2 });
    expect(updated.version_id).not.toBe(created.version_id);
    expect(await portkey.configs.retrieve({ slug: created.id as string })).toMatchObject({
      name: 'Renamed',
      version_id: updated.version_id,
      config: { retry: { attempts: 1 } },
    });

    const list = await portkey.configs.list();
    expect(list).toMatchObject({ object: 'list', total: 2 });
    expect(list.data?.map((config) => [config.slug, config.managed_by])).toEqual([
      ['pc-file', 'pk.yaml'],
      [created.slug, null],
    ]);

    expect(await portkey.configs.delete({ slug: created.slug as string })).toEqual({
      getHeaders: expect.any(Function),
    });
    const gone = await sdkError(portkey.configs.retrieve({ slug: created.slug as string }));
    expect(gone).toMatchObject({ status: 404, name: 'NotFoundError' });
    expect(gone.message).toBe(`no saved config has the id "${created.slug}"`);
    expect(gone.body).toMatchObject({ error: { code: 'PK_ERR_CONFIG_NOT_FOUND', type: 'not_found_error' } });
  });

  it('accepts snake_case and camelCase, an id or a slug, pages lists, and keeps one default', async () => {
    const first = await admin.call('POST', '/configs', {
      body: { name: 'snake', config: { provider: 'openai' }, is_default: true, workspace_id: 'ws-1' },
    });
    const second = await admin.call('POST', '/configs', {
      body: { name: 'camel', config: '{"provider":"anthropic"}', isDefault: 1, slug: 'pc-camel' },
    });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body.slug).toBe('pc-camel');
    expect((await admin.call('GET', `/configs/${first.body.id}`)).body).toMatchObject({ is_default: 0 });
    const page = await admin.call('GET', '/configs?current_page=1&page_size=1');
    expect(page.body).toMatchObject({ object: 'list', total: 3 });
    expect((page.body.data as { slug: string }[]).map((config) => config.slug)).toEqual([first.body.slug]);
    const refused = await admin.call('GET', '/configs?page_size=0');
    expect(refused.status).toBe(400);
    await admin.call('DELETE', `/configs/${first.body.id}`);
    await admin.call('DELETE', '/configs/pc-camel');
  });

  it('lists versions and restores one by id or number, served to the next request', async () => {
    const created = await admin.call('POST', '/configs', {
      body: { name: 'versions', slug: 'pc-versions', config: { provider: 'openai', retry: { attempts: 1 } } },
    });
    await admin.call('PUT', '/configs/pc-versions', {
      body: { slug: 'pc-versions', config: { provider: 'openai', retry: { attempts: 2 } } },
    });
    const versions = await admin.call('GET', '/configs/pc-versions/versions');
    expect(versions.body).toMatchObject({ object: 'list', total: 2 });
    const [latest, first] = versions.body.data as Record<string, unknown>[];
    expect(latest).toMatchObject({ version: 2, is_latest: true, created_by: `key:${admin.adminKeyId}` });
    expect(first).toMatchObject({ version: 1, version_id: created.body.version_id, is_latest: false });

    const restored = await admin.call(
      'POST',
      `/configs/pc-versions/versions/${created.body.version_id}/restore`,
    );
    expect(restored.body).toMatchObject({
      slug: 'pc-versions',
      version: 3,
      restored_from_version_id: created.body.version_id,
      object: 'config',
    });
    expect(admin.store.catalog.snapshot.configs.get('pc-versions')?.config.retry).toMatchObject({
      attempts: 1,
    });
    const byNumber = await admin.call('POST', '/configs/pc-versions/versions/2/restore');
    expect(byNumber.body).toMatchObject({ version: 4 });
    expect(admin.store.catalog.snapshot.configs.get('pc-versions')?.config.retry).toMatchObject({
      attempts: 2,
    });
    const missing = await admin.call('POST', '/configs/pc-versions/versions/99/restore');
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'PK_ERR_CONFIG_NOT_FOUND' } } });
    const audit = await admin.store.audit.list({ entity: 'config', entityId: created.body.id as string });
    expect(audit.map((entry) => [entry.action, entry.actor])).toEqual([
      ['rollback', `key:${admin.adminKeyId}`],
      ['rollback', `key:${admin.adminKeyId}`],
      ['update', `key:${admin.adminKeyId}`],
      ['create', `key:${admin.adminKeyId}`],
    ]);
  });

  it('validates a config exactly like the settings file, hooks included, before writing anything', async () => {
    const portkey = client();
    const before = admin.store.catalog.snapshot.version;
    const unknownGuardrail = await sdkError(
      portkey.configs.create({
        name: 'bad',
        config: { provider: 'openai', input_guardrails: ['pg-nowhere'] },
      }),
    );
    expect(unknownGuardrail).toMatchObject({ status: 400, name: 'BadRequestError' });
    expect(unknownGuardrail.message).toContain(
      'config.input_guardrails[0]: no guardrail has the id "pg-nowhere"',
    );
    expect(unknownGuardrail.body).toMatchObject({
      error: { code: 'PK_ERR_INVALID_CONFIG', param: 'config.input_guardrails[0]' },
    });

    const badRegex = await sdkError(
      portkey.configs.create({
        name: 'bad',
        config: { provider: 'openai', input_guardrails: [{ 'default.regexMatch': { rule: '(unclosed' } }] },
      }),
    );
    expect(badRegex.message).toContain(
      'config.input_guardrails[0]["default.regexMatch"].rule: expected a regular expression',
    );

    const badRetry = await sdkError(
      portkey.configs.create({ name: 'bad', config: { retry: { attempts: -1 } } }),
    );
    expect(badRetry.message).toContain('config.retry.attempts');
    const webhookFromConfig = await sdkError(
      portkey.configs.create({
        name: 'bad',
        config: {
          provider: 'openai',
          before_request_hooks: [
            {
              type: 'guardrail',
              checks: [{ id: 'default.webhook', parameters: { webhookURL: 'https://x.example' } }],
            },
          ],
        },
      }),
    );
    expect(webhookFromConfig.status).toBe(400);
    const notJson = await admin.call('POST', '/configs', { body: { name: 'bad', config: '{nope' } });
    expect(notJson).toMatchObject({ status: 400, body: { message: expect.stringContaining('config') } });
    const typo = await admin.call('POST', '/configs', { body: { name: 'x', config: {}, is_defualt: 1 } });
    expect(typo).toMatchObject({
      status: 400,
      body: { message: 'config: unknown field "is_defualt"', error: { param: 'is_defualt' } },
    });
    expect(admin.store.catalog.snapshot.version).toBe(before);

    // The settings file's guardrail is known to configs written through the API.
    const withFileGuardrail = await portkey.configs.create({
      name: 'guarded',
      config: { provider: 'openai', input_guardrails: ['file-shield'] },
    });
    expect(withFileGuardrail.slug).toMatch(/^pc-guarde-/);
  });

  it('refuses to change a settings-file config with 409 naming the file', async () => {
    const portkey = client();
    const refused = await sdkError(portkey.configs.update({ slug: 'pc-file', name: 'changed' }));
    expect(refused).toMatchObject({ status: 409, name: 'ConflictError' });
    expect(refused.message).toContain('managed by the settings file pk.yaml');
    expect(refused.body).toMatchObject({ error: { code: 'PK_ERR_READ_ONLY', type: 'conflict_error' } });
    expect((await sdkError(portkey.configs.delete({ slug: 'pc-file' }))).status).toBe(409);
    const taken = await sdkError(
      portkey.configs.create({ name: 'x', config: FILE_CONFIG, slug: 'pc-file' } as never),
    );
    expect(taken.body).toMatchObject({ error: { code: 'PK_ERR_CONFLICT' } });
    expect(await portkey.configs.retrieve({ slug: 'pc-file' })).toMatchObject({
      slug: 'pc-file',
      managed_by: 'pk.yaml',
      version_id: null,
      config: FILE_CONFIG,
    });
    expect((await admin.call('GET', '/configs/pc-file/versions')).body).toMatchObject({
      error: { code: 'PK_ERR_READ_ONLY' },
    });
  });

  it('ignores the x-portkey-* headers the SDK adds to every call, even malformed ones', async () => {
    const response = await fetch(`${admin.baseURL}/configs`, {
      headers: {
        'x-portkey-api-key': admin.adminKey,
        'content-type': 'application/json',
        'x-portkey-config': '{not json',
        'x-portkey-virtual-key': 'vk-nowhere',
        'x-portkey-provider': 'not-a-provider',
        'x-portkey-request-timeout': 'soon',
        'x-portkey-strict-open-ai-compliance': 'false',
        'x-portkey-trace-id': 'admin-call-trace',
      },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-portkey-trace-id')).toBe('admin-call-trace');
    expect(await response.json()).toMatchObject({ object: 'list' });
  });

  it('answers 501 for what it does not serve below the admin paths, never sending it to a provider', async () => {
    expect((await admin.call('PATCH', '/configs')).status).toBe(501);
    expect((await admin.call('DELETE', '/configs')).status).toBe(501);
    expect((await admin.call('GET', '/configs/a/b/c')).body).toMatchObject({
      error: { code: 'PK_ERR_NOT_IMPLEMENTED' },
    });
    expect((await admin.call('PATCH', '/labels')).status).toBe(501);
    expect((await admin.call('PATCH', '/collections')).status).toBe(501);
    expect((await admin.call('GET', '/mcp-servers')).status).toBe(501);
    // Without the /v1 prefix too, as every route.
    const bare = await fetch(`${admin.gateway.url}/configs`, {
      headers: { 'x-portkey-api-key': admin.adminKey },
    });
    expect(bare.status).toBe(200);
  });
});
