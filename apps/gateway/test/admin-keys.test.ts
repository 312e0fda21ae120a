import { openStore } from '@pk/store';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminGateway, sdkError, startAdminGateway } from './support/admin-harness.js';
import { startGatewayApp } from './support/gateway-harness.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// Virtual keys, API keys and who may manage them, through the official portkey-ai SDK against the
// gateway app on a real port over a real SQLite store.
let admin: AdminGateway;
const PROVIDER_SECRET = 'sk-admin-api-provider-secret-0123456789';
const AWS_SECRET = 'aws-secret-access-key-0123456789abcdef';
const FILE_ADMIN_KEY = 'pk-settings-file-admin-key';
const FILE_USER_KEY = 'pk-settings-file-user-key';

beforeAll(async () => {
  admin = await startAdminGateway(
    {
      gateway_keys: [
        { id: 'file-admin', key: 'env:FILE_ADMIN', role: 'admin' },
        { id: 'file-user', key: 'env:FILE_USER' },
      ],
      virtual_keys: { 'file-vk': { provider: 'openai', api_key: 'sk-file-vk-0123456789abcdef' } },
      configs: { 'pc-uses-file-vk': { virtual_key: 'file-vk' } },
    },
    { FILE_ADMIN: FILE_ADMIN_KEY, FILE_USER: FILE_USER_KEY },
  );
});

afterAll(async () => {
  await admin?.close();
  // No provider secret or key secret in any log line.
  for (const secret of [PROVIDER_SECRET, AWS_SECRET, admin.adminKey, FILE_ADMIN_KEY, 'VERTEXADMIN'])
    expect(admin.gateway.logs()).not.toContain(secret);
});

describe('virtual keys through the portkey-ai SDK', () => {
  it('creates one with Portkey’s fields; the secret is never returned; limits are stored as sent', async () => {
    const portkey = admin.portkey({ config: 'pc-nowhere', virtualKey: 'vk-nowhere' });
    const usageLimits = {
      credit_limit: 10,
      type: 'cost',
      alert_threshold: 8,
      periodic_reset: 'monthly',
      extra: 'kept',
    };
    const rateLimits = [{ type: 'requests', unit: 'rpm', value: 100 }];
    const created = await portkey.virtualKeys.create({
      name: 'Azure Test',
      provider: 'azure-openai',
      key: PROVIDER_SECRET,
      note: 'for the test',
      resourceName: 'my-resource',
      deploymentName: 'gpt-4o',
      apiVersion: '2024-10-21',
      usage_limits: usageLimits,
      rate_limits: rateLimits,
      workspace_id: 'ignored',
    });
    expect(created).toMatchObject({
      object: 'virtual-key',
      slug: expect.stringMatching(/^azure-test-[0-9a-f]{6}$/),
    });
    const retrieved = await portkey.virtualKeys.retrieve({ slug: created.slug as string });
    expect(retrieved).toMatchObject({
      id: created.id,
      slug: created.slug,
      name: 'Azure Test',
      note: 'for the test',
      status: 'active',
      ai_provider_name: 'azure-openai',
      masked_api_key: 'sk-…6789',
      options: { resource_name: 'my-resource', deployment_id: 'gpt-4o', api_version: '2024-10-21' },
      usage_limits: usageLimits,
      rate_limits: rateLimits,
      model_config: {},
      object: 'virtual-key',
      // A key with limits is tracked (issue 22): nothing used yet in this month (UTC).
      current_usage: {
        tracked: true,
        period_start: expect.stringMatching(/^\d{4}-\d{2}-01T00:00:00\.000Z$/),
        period_end: expect.stringMatching(/^\d{4}-\d{2}-01T00:00:00\.000Z$/),
        cost_usd: 0,
        tokens: 0,
        requests: 0,
      },
    });
    const list = await portkey.virtualKeys.list();
    expect(list).toMatchObject({ object: 'list', total: 2 });
    for (const body of [created, retrieved, list])
      expect(JSON.stringify(body)).not.toContain(PROVIDER_SECRET.slice(3, -4));
    // The request path serves it, decrypted, at once.
    expect(admin.store.catalog.snapshot.virtualKeys.get(created.slug as string)?.apiKey?.reveal()).toBe(
      PROVIDER_SECRET,
    );
    const audit = await admin.store.audit.list({ entity: 'virtual_key', entityId: created.id as string });
    expect(audit[0]).toMatchObject({ action: 'create', actor: `key:${admin.adminKeyId}` });
    expect(JSON.stringify(audit)).not.toContain(PROVIDER_SECRET);
  });

  it('tells a budget’s next_usage_reset_at, as Portkey does: the reset its enforcement uses, never a value sent', async () => {
    const portkey = admin.portkey();
    const create = (name: string, usageLimits: Record<string, unknown>) =>
      portkey.virtualKeys.create({
        name,
        provider: 'openai',
        key: 'sk-reset-at-0123456789abcdef',
        usage_limits: usageLimits,
      });
    const weekly = await create('reset weekly', {
      credit_limit: 5,
      periodic_reset: 'weekly',
      // A client's own (stale) figure is not what the gateway enforces.
      next_usage_reset_at: '2020-01-01T00:00:00.000Z',
    });
    const days = await create('reset every 3 days', { credit_limit: 5, periodic_reset_days: 3 });
    const never = await create('never reset', { credit_limit: 5 });
    for (const [created, expected] of [
      [weekly, { day: 1 }],
      [days, { day: undefined }],
    ] as const) {
      const retrieved = (await portkey.virtualKeys.retrieve({ slug: created.slug as string })) as unknown as {
        usage_limits: { next_usage_reset_at?: string | null };
        current_usage: { period_end: string | null };
      };
      const resetAt = retrieved.usage_limits.next_usage_reset_at;
      expect(resetAt).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\.000Z$/);
      expect(resetAt).toBe(retrieved.current_usage.period_end);
      expect(Date.parse(resetAt as string)).toBeGreaterThan(Date.now());
      // Weekly: a Monday (UTC); every N days: within N days.
      if (expected.day !== undefined) expect(new Date(resetAt as string).getUTCDay()).toBe(expected.day);
      else expect(Date.parse(resetAt as string) - Date.now()).toBeLessThanOrEqual(3 * 86_400_000);
    }
    const forever = (await portkey.virtualKeys.retrieve({ slug: never.slug as string })) as {
      usage_limits: Record<string, unknown>;
    };
    expect(forever.usage_limits).toMatchObject({ credit_limit: 5, next_usage_reset_at: null });
    // The list tells the same.
    const list = (await portkey.virtualKeys.list()) as unknown as {
      data: { slug: string; usage_limits: Record<string, unknown> | null }[];
    };
    const listed = list.data.find((key) => key.slug === weekly.slug);
    expect(listed?.usage_limits?.next_usage_reset_at).not.toBe('2020-01-01T00:00:00.000Z');
    expect(listed?.usage_limits?.next_usage_reset_at).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\.000Z$/);
    for (const created of [weekly, days, never])
      await portkey.virtualKeys.delete({ slug: created.slug as string });
  });

  it('accepts snake_case, camelCase and pk’s own fields; updates merge options and replace the key', async () => {
    const created = await admin.call('POST', '/virtual-keys', {
      body: {
        name: 'bedrock',
        slug: 'bedrock-prod',
        provider: 'bedrock',
        aws_access_key_id: 'AKIAEXAMPLE',
        awsSecretAccessKey: AWS_SECRET,
        aws_region: 'us-east-1',
        models: ['anthropic.claude-3'],
        allowed_hosts: ['bedrock-proxy.example.com'],
      },
    });
    expect(created).toMatchObject({ status: 200, body: { slug: 'bedrock-prod' } });
    const updated = await admin.call('PUT', '/virtual-keys/bedrock-prod', {
      body: { awsRegion: 'eu-west-1', note: 'moved', usage_limits: { credit_limit: 5 } },
    });
    expect(updated.status).toBe(200);
    const retrieved = await admin.call('GET', '/virtual-keys/bedrock-prod');
    expect(retrieved.body).toMatchObject({
      note: 'moved',
      // Options whose name says credential (…key…, …secret…) are encrypted too, shown masked.
      options: { aws_region: 'eu-west-1' },
      secret_hints: { aws_access_key_id: '…', aws_secret_access_key: 'aws…cdef' },
      models: ['anthropic.claude-3'],
      allowed_hosts: ['bedrock-proxy.example.com'],
      usage_limits: { credit_limit: 5 },
    });
    expect(JSON.stringify(retrieved.body)).not.toContain(AWS_SECRET);
    expect(
      admin.store.catalog.snapshot.virtualKeys.get('bedrock-prod')?.options.aws_secret_access_key?.toString(),
    ).toBe('[redacted]');
  });

  it('[cloudauth 5] takes a Vertex service account as an object or its JSON text, keeps it as encrypted JSON text, refuses anything else unshown', async () => {
    const account = {
      type: 'service_account',
      project_id: 'my-project-123',
      client_email: 'pk@my-project-123.iam.gserviceaccount.com',
      private_key:
        '-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCVERTEXADMIN\n-----END PRIVATE KEY-----\n',
    };
    const portkey = admin.portkey();
    for (const [slug, given] of [
      ['vertex-object', account],
      ['vertex-text', JSON.stringify(account)],
    ] as const) {
      const created = await admin.call('POST', '/virtual-keys', {
        body: {
          name: slug,
          slug,
          provider: 'vertex-ai',
          vertex_region: 'us-central1',
          vertexServiceAccountJson: given,
        },
      });
      expect(created).toMatchObject({ status: 200, body: { slug } });
      const stored = admin.store.catalog.snapshot.virtualKeys.get(slug)?.options.vertex_service_account_json;
      expect(String(stored)).toBe('[redacted]');
      expect(JSON.parse((stored as unknown as { reveal(): string }).reveal())).toEqual(account);
      const retrieved = await admin.call('GET', `/virtual-keys/${slug}`);
      expect(JSON.stringify(retrieved.body)).not.toContain('VERTEXADMIN');
    }
    const updated = await admin.call('PUT', '/virtual-keys/vertex-text', {
      body: { options: { vertex_service_account_json: { ...account, project_id: 'other-project-1' } } },
    });
    expect(updated.status).toBe(200);
    const replaced =
      admin.store.catalog.snapshot.virtualKeys.get('vertex-text')?.options.vertex_service_account_json;
    expect(JSON.parse((replaced as unknown as { reveal(): string }).reveal())).toMatchObject({
      project_id: 'other-project-1',
    });
    for (const bad of [account.private_key, '["not", "an object"]', 42, ['x']]) {
      const refused = await sdkError(
        portkey.virtualKeys.create({ name: 'x', provider: 'vertex-ai', vertex_service_account_json: bad }),
      );
      expect(refused).toMatchObject({ status: 400 });
      expect(refused.message).toContain(
        'vertex_service_account_json: expected the service-account key file as an object or its JSON text',
      );
      expect(refused.message).not.toContain('VERTEXADMIN');
      expect(refused.message).not.toContain('PRIVATE KEY');
    }
  });

  it('refuses bad input with its path and a readable SDK message', async () => {
    const portkey = admin.portkey();
    const badLimits = await sdkError(
      portkey.virtualKeys.create({
        name: 'x',
        provider: 'openai',
        key: 'sk-x',
        usage_limits: { credit_limit: 0.5 },
      }),
    );
    expect(badLimits).toMatchObject({ status: 400, name: 'BadRequestError' });
    expect(badLimits.message).toContain('usage_limits.credit_limit: expected at least 1');
    // A key that cannot be sent in an HTTP header is refused when written, naming the field sent.
    for (const key of ['sk-ключ-🔑-1234567890', 'sk-abc\r\nX-Injected: 1', 'sk-pasted-with-newline\n']) {
      const unsendable = await sdkError(portkey.virtualKeys.create({ name: 'x', provider: 'openai', key }));
      expect(unsendable).toMatchObject({ status: 400 });
      expect(unsendable.message).toContain('key: expected printable ASCII');
    }
    // An empty key (a form's blank field sent as is) in one plain sentence, not the validator's two.
    const empty = await sdkError(portkey.virtualKeys.create({ name: 'x', provider: 'openai', key: '' }));
    expect(empty).toMatchObject({ status: 400, body: { error: { param: 'key' } } });
    expect(empty.message).toBe(
      'key: empty: give the provider API key, or leave key out for a provider that takes none',
    );
    const badProvider = await sdkError(portkey.virtualKeys.create({ name: 'x', provider: 'not-a-provider' }));
    expect(badProvider.message).toContain('provider');
    const unknown = await sdkError(
      portkey.virtualKeys.create({ name: 'x', provider: 'openai', flavour: 'mint' }),
    );
    expect(unknown.message).toBe('virtual key: unknown field "flavour"');
    // A custom host without its scheme is refused when written, not on every request through the key.
    for (const custom_host of ['localhost:1234', '127.0.0.1:8080/v1', 42]) {
      const badHost = await sdkError(
        portkey.virtualKeys.create({ name: 'x', provider: 'openai', key: 'sk-x', custom_host }),
      );
      expect(badHost).toMatchObject({ status: 400 });
      expect(badHost.message).toBe('custom_host: expected an http:// or https:// URL');
    }
    const missing = await sdkError(portkey.virtualKeys.retrieve({ slug: 'nope' }));
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'PK_ERR_VIRTUAL_KEY_NOT_FOUND' } } });
    const fileManaged = await sdkError(portkey.virtualKeys.update({ slug: 'file-vk', note: 'x' }));
    expect(fileManaged).toMatchObject({ status: 409, name: 'ConflictError' });
    expect(fileManaged.message).toContain('pk.yaml');
  });

  it('refuses to store a gateway key of this gateway as a virtual key’s credential, naming the field, never the value', async () => {
    const portkey = admin.portkey();
    // A key of the store that is revoked still counts: it was this gateway's.
    const retired = await portkey.apiKeys.create({
      type: 'organisation',
      'sub-type': 'service',
      name: 'old',
      scopes: [],
    });
    await portkey.apiKeys.delete({ id: retired.id as string });
    const attempts: [Record<string, unknown>, string][] = [
      [{ provider: 'openai', key: FILE_USER_KEY }, 'key'],
      [{ provider: 'openai', api_key: `Bearer ${admin.adminKey}` }, 'api_key'],
      [{ provider: 'openai', key: retired.key as string }, 'key'],
      [
        {
          provider: 'bedrock',
          awsAccessKeyId: 'AKIAEXAMPLE',
          awsSecretAccessKey: AWS_SECRET,
          awsSessionToken: FILE_ADMIN_KEY,
        },
        // The SDK sends its camelCase fields in snake_case: the field named is the one received.
        'aws_session_token',
      ],
      [
        { provider: 'azure-openai', resource_name: 'r', options: { azure_ad_token: admin.adminKey } },
        'options.azure_ad_token',
      ],
    ];
    for (const [fields, field] of attempts) {
      const refused = await sdkError(portkey.virtualKeys.create({ name: 'holds a gateway key', ...fields }));
      expect(refused).toMatchObject({
        status: 400,
        body: { error: { code: 'PK_ERR_INVALID_REQUEST', param: field } },
      });
      expect(refused.message).toBe(
        `${field}: holds a gateway key of this gateway, which is never sent to a provider; give the provider's own credential`,
      );
    }
    expect((await admin.store.virtualKeys.list()).some((key) => key.name === 'holds a gateway key')).toBe(
      false,
    );

    // Nor may an update put one in; the stored key keeps its own.
    const created = await portkey.virtualKeys.create({
      name: 'kept',
      provider: 'openai',
      key: PROVIDER_SECRET,
    });
    const slug = created.slug as string;
    const update = await sdkError(portkey.virtualKeys.update({ slug, key: FILE_ADMIN_KEY }));
    expect(update).toMatchObject({
      status: 400,
      body: { error: { code: 'PK_ERR_INVALID_REQUEST', param: 'key' } },
    });
    expect((await portkey.virtualKeys.retrieve({ slug })).masked_api_key).toBe('sk-…6789');
    for (const secret of [FILE_USER_KEY, FILE_ADMIN_KEY, admin.adminKey, retired.key as string])
      expect(JSON.stringify([update.body, update.message])).not.toContain(secret);
  });

  it('a key past its expires_at answers 401 virtual_key_expired_error (Portkey’s), an unknown one 404', async () => {
    const portkey = admin.portkey();
    // An expiry already past is refused: the key would be written dead. One expires while the
    // gateway runs (the catalog reloads at expiry).
    const past = new Date(Date.now() - 60_000).toISOString();
    const dead = await sdkError(
      portkey.virtualKeys.create({
        name: 'Expired Before',
        provider: 'openai',
        key: 'sk-expired-before-0123456789',
        expires_at: past,
      }),
    );
    expect(dead).toMatchObject({
      status: 400,
      body: {
        error: { code: 'PK_ERR_INVALID_REQUEST', param: 'expires_at' },
        message: `invalid virtual key: expires_at: is in the past (${past}): give a later date and time, or none; to stop a key now, revoke or delete it`,
      },
    });
    const soon = await portkey.virtualKeys.create({
      name: 'Expires Soon',
      provider: 'openai',
      key: 'sk-expires-soon-0123456789',
      expires_at: new Date(Date.now() + 800).toISOString(),
    });
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const listed = await admin.call('GET', '/virtual-keys');
    const statuses = Object.fromEntries(
      (listed.body.data as { slug: string; status: string }[]).map((key) => [key.slug, key.status]),
    );
    for (const slug of [soon.slug as string]) {
      expect(statuses[slug]?.startsWith('expired')).toBe(true);
      const refused = await sdkError(
        admin.portkey({ virtualKey: slug }).chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'hi' }],
        }),
      );
      expect(refused).toMatchObject({
        status: 401,
        name: 'AuthenticationError',
        body: { error: { type: 'virtual_key_expired_error', code: 'PK_ERR_VIRTUAL_KEY_EXPIRED' } },
      });
      expect((refused.body.error as { message: string }).message).toBe(
        `x-portkey-virtual-key: virtual key ${slug.slice(0, 2)}********${slug.slice(-3)} has expired`,
      );
    }
    const unknown = await sdkError(
      admin.portkey({ virtualKey: 'never-existed' }).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'PK_ERR_VIRTUAL_KEY_NOT_FOUND' } } });
  });

  it('refuses to delete a key a saved config sends requests through, and deletes it once unused', async () => {
    await admin.call('POST', '/virtual-keys', {
      body: { name: 'used', slug: 'used-vk', provider: 'openai', key: 'sk-u' },
    });
    await admin.call('POST', '/configs', {
      body: { name: 'user', slug: 'pc-user', config: { virtual_key: 'used-vk' } },
    });
    const refused = await admin.call('DELETE', '/virtual-keys/used-vk');
    expect(refused).toMatchObject({
      status: 409,
      body: { error: { code: 'PK_ERR_CONFLICT' }, message: expect.stringContaining('"pc-user"') },
    });
    await admin.call('DELETE', '/configs/pc-user');
    // A prompt whose published version runs through it holds it too (its runs would fail).
    const prompt = await admin.portkey().prompts.create({
      name: 'uses the key',
      collection_id: 'support',
      string: 'Hello {{name}}',
      parameters: {},
      model: 'gpt-4o-mini',
      virtual_key: 'used-vk',
    });
    const byPrompt = await admin.call('DELETE', '/virtual-keys/used-vk');
    expect(byPrompt).toMatchObject({
      status: 409,
      body: {
        error: { code: 'PK_ERR_CONFLICT' },
        message: expect.stringContaining(`is used by the prompt "${prompt.slug as string}"`),
      },
    });
    await admin.call('DELETE', `/prompts/${prompt.slug as string}`);
    const deleted = await admin.call('DELETE', '/virtual-keys/used-vk');
    expect(deleted).toMatchObject({ status: 200, body: {} });
    expect(admin.store.catalog.snapshot.virtualKeys.has('used-vk')).toBe(false);
  });
});

describe('API keys through the portkey-ai SDK', () => {
  it('maps Portkey’s types to roles: an organisation service key is an admin key', async () => {
    const portkey = admin.portkey();
    const created = await portkey.apiKeys.create({
      type: 'organisation',
      'sub-type': 'service',
      name: 'ci admin',
      description: 'used by CI',
      scopes: ['configs.read', 'configs.list'],
      defaults: { metadata: { team: 'ci' } },
    });
    expect(created).toMatchObject({
      object: 'api-key',
      key: expect.stringMatching(/^pk-[A-Za-z0-9_-]{43}$/),
    });
    const key = created.key as string;
    const retrieved = await portkey.apiKeys.retrieve({ id: created.id as string });
    expect(retrieved).toMatchObject({
      id: created.id,
      key: `pk-…${key.slice(-4)}`,
      name: 'ci admin',
      description: 'used by CI',
      type: 'organisation-service',
      role: 'admin',
      status: 'active',
      creation_mode: 'api',
      scopes: ['configs.read', 'configs.list'],
      defaults: { metadata: { team: 'ci' } },
      object: 'api-key',
    });
    expect(JSON.stringify(retrieved)).not.toContain(key.slice(3, -4));

    // Its scopes hold: it may list and read configs, not create them or see virtual keys.
    const scoped = new Portkey({ apiKey: key, baseURL: admin.baseURL });
    expect((await scoped.configs.list()).object).toBe('list');
    const refused = await sdkError(scoped.configs.create({ name: 'x', config: {} }));
    expect(refused).toMatchObject({ status: 403, name: 'PermissionDeniedError' });
    expect(refused.message).toBe("this admin key's scopes do not include configs.create");
    expect((await sdkError(scoped.virtualKeys.list())).status).toBe(403);
  });

  it('creates workspace keys as user keys of the workspace’s tenant; updates, lists and revokes them', async () => {
    const portkey = admin.portkey();
    const created = await portkey.apiKeys.create({
      type: 'workspace',
      'sub-type': 'service',
      name: 'team key',
      workspace_id: 'team-a',
      scopes: ['completions.write'],
    });
    const retrieved = await portkey.apiKeys.retrieve({ id: created.id as string });
    expect(retrieved).toMatchObject({
      type: 'workspace-service',
      role: 'user',
      tenant: 'team-a',
      workspace_id: 'team-a',
    });
    const user = await sdkError(
      portkey.apiKeys.create({
        type: 'workspace',
        'sub-type': 'user',
        name: 'u',
        workspace_id: 'team-a',
        scopes: [],
      }),
    );
    expect(user.message).toBe('user_id: a workspace user key needs the user it belongs to');
    const wrongType = await sdkError(portkey.apiKeys.create({ name: 'x', scopes: [] }));
    expect(wrongType.message).toContain(
      'api key type "undefined/undefined" is not one of organisation/service',
    );

    expect(
      await portkey.apiKeys.update({
        id: created.id as string,
        name: 'renamed',
        rate_limits: [{ type: 'requests', unit: 'rpm', value: 10 }],
      }),
    ).toEqual({
      getHeaders: expect.any(Function),
    });
    expect(await portkey.apiKeys.retrieve({ id: created.id as string })).toMatchObject({
      name: 'renamed',
      rate_limits: [{ type: 'requests', unit: 'rpm', value: 10 }],
    });
    const inTeam = await portkey.apiKeys.list({ workspace_id: 'team-a' });
    expect(inTeam.data?.map((key) => key.id)).toEqual([created.id]);

    // The new key works on the data plane until it is deleted (revoked), then is refused.
    const models = () =>
      fetch(`${admin.baseURL}/models`, { headers: { 'x-portkey-api-key': created.key as string } });
    expect((await models()).status).toBe(200);
    expect(await portkey.apiKeys.delete({ id: created.id as string })).toEqual({
      getHeaders: expect.any(Function),
    });
    expect((await models()).status).toBe(401);
    expect((await portkey.apiKeys.list({})).data?.some((key) => key.id === created.id)).toBe(false);
    const revoked = await admin.call('GET', '/api-keys?include_revoked=true');
    expect(
      (revoked.body.data as { id: string; status: string }[]).find((key) => key.id === created.id)?.status,
    ).toBe('revoked');
    const audit = await admin.store.audit.list({ entity: 'gateway_key', entityId: created.id as string });
    expect(audit.map((entry) => [entry.action, entry.actor])).toEqual([
      ['revoke', `key:${admin.adminKeyId}`],
      ['update', `key:${admin.adminKeyId}`],
      ['create', `key:${admin.adminKeyId}`],
    ]);
  });

  it('tells a monthly budget’s next_usage_reset_at: the 1st 00:00 UTC its enforcement resets on', async () => {
    const portkey = admin.portkey();
    const created = await portkey.apiKeys.create({
      type: 'workspace',
      'sub-type': 'service',
      name: 'budgeted key',
      workspace_id: 'team-b',
      scopes: ['completions.write'],
      usage_limits: { credit_limit: 3, periodic_reset: 'monthly' },
    });
    const budgeted = (await portkey.apiKeys.retrieve({ id: created.id as string })) as unknown as {
      usage_limits: { next_usage_reset_at?: string | null };
      current_usage: { period_end: string | null };
    };
    expect(budgeted.usage_limits.next_usage_reset_at).toMatch(/^\d{4}-\d{2}-01T00:00:00\.000Z$/);
    expect(budgeted.usage_limits.next_usage_reset_at).toBe(budgeted.current_usage.period_end);
    await portkey.apiKeys.delete({ id: created.id as string });
  });

  it('refuses to change a settings-file key with 409 naming the file', async () => {
    const refused = await sdkError(admin.portkey().apiKeys.delete({ id: 'file-user' }));
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'PK_ERR_READ_ONLY' } } });
    expect(refused.message).toContain('pk.yaml');
  });
});

describe('who may call the admin API', () => {
  it('a user key gets 403; no key gets 401; a settings-file key is a user key unless role: admin', async () => {
    const asUser = await sdkError(
      new Portkey({ apiKey: admin.userKey, baseURL: admin.baseURL }).configs.list(),
    );
    expect(asUser).toMatchObject({ status: 403, name: 'PermissionDeniedError' });
    expect(asUser.message).toBe(
      'this gateway key is a user key: the admin API needs an admin key (role admin)',
    );
    const fileUser = await sdkError(
      new Portkey({ apiKey: FILE_USER_KEY, baseURL: admin.baseURL }).virtualKeys.list(),
    );
    expect(fileUser.status).toBe(403);
    const fileAdmin = new Portkey({ apiKey: FILE_ADMIN_KEY, baseURL: admin.baseURL });
    expect((await fileAdmin.virtualKeys.list()).object).toBe('list');
    const none = await admin.call('GET', '/configs', { key: undefined });
    expect(none).toMatchObject({ status: 401, body: { error: { code: 'PK_ERR_UNAUTHORIZED' } } });
    // Errors of the admin API carry the trace id (so the SDK does not replay them) and the top-level message.
    expect(none.headers.get('x-portkey-trace-id')).toBeTruthy();
    expect(none.body.message).toBe((none.body.error as { message: string }).message);
  });

  it('with no admin key in existence (the zero-setup default) answers 401 saying how to create one', async () => {
    const dataDir = temporaryDataDir();
    const store = await openStore({ dataDir: dataDir.path, onWarning: () => undefined });
    const gateway = await startGatewayApp({}, {}, { store });
    try {
      const portkey = new Portkey({ apiKey: 'anything', baseURL: `${gateway.url}/v1` });
      const refused = await sdkError(portkey.configs.create({ name: 'x', config: {} }));
      expect(refused).toMatchObject({ status: 401, name: 'AuthenticationError' });
      expect(refused.message).toContain('create one with `pk init`');
      // A user key alone does not change that: there is still no admin key.
      const { secret } = await store.gatewayKeys.create({ id: 'only-user' }, 'cli');
      const asUser = await sdkError(
        new Portkey({ apiKey: secret, baseURL: `${gateway.url}/v1` }).configs.list(),
      );
      expect(asUser.status).toBe(401);
      expect(asUser.message).toContain('pk init');
    } finally {
      await gateway.close();
      await store.close();
      dataDir.remove();
    }
  });
});
