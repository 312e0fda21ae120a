import { openStore } from '@pk/store';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkError } from './support/admin-harness.js';
import { portkeyHeadersOf } from './support/feature-gateway.js';
import { type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';
import { addMockIntegration, type SdkGateway, startSdkGateway } from './support/sdk-gateway.js';

// What one tenant's key does that another tenant's, or a key with allow lists, must not feel or
// reach, through the built gateway and the official portkey-ai SDK: a saved config's circuit
// breakers per tenant, a prompt render within the key's allow lists, expiries already past refused
// where keys are written, and the gateway key behind a config version named.
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

describe('tenants and keys with allow lists', () => {
  let running: SdkGateway;
  let mock: ProviderMock;
  let admin: Portkey;

  /** A raw admin call with the admin key (or `key`). */
  const call = async (method: string, path: string, body?: unknown, key?: string) => {
    const response = await fetch(`${running.gateway.url}/v1${path}`, {
      method,
      headers: {
        'x-portkey-api-key': key ?? running.adminKey,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  /** A new gateway key: a user key of `tenant` with `fields`, or an admin key. */
  const createKey = async (fields: Record<string, unknown>, type = 'workspace/service') => {
    const created = await call('POST', `/api-keys/${type}`, fields);
    expect(created.status).toBe(200);
    return { id: created.body.id as string, secret: created.body.key as string };
  };

  beforeAll(async () => {
    mock = await startProviderMock();
    running = await startSdkGateway('sqlite');
    await addMockIntegration(running, mock.url);
    admin = new Portkey({ apiKey: running.adminKey });
  });
  afterAll(async () => {
    await running?.stop();
    await mock?.close();
  });

  it('gives each tenant its own breakers on a saved config: one tenant’s failures don’t fail another over', async () => {
    const config = await admin.configs.create({
      name: 'Shared chat config',
      config: {
        strategy: { mode: 'fallback', cb_config: { failure_threshold: 2, cooldown_interval: 60_000 } },
        targets: [
          { provider: '@openai-prod', override_params: { model: 'fail-500' } },
          { provider: '@openai-prod', override_params: { model: 'tenant-backup' } },
        ],
      },
    });
    const slug = config.slug as string;
    const other = await createKey({ name: 'quiet team', workspace_id: 'quiet' });
    const ask = async (apiKey: string) => {
      const answer = await new Portkey({ apiKey, config: slug }).chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
      });
      expect(answer.choices[0]?.message?.content).toBe('The capital of France is Paris.');
      return portkeyHeadersOf(answer)['last-used-option-index'];
    };

    // The noisy tenant `app` opens its breaker: its third request skips the failing primary.
    await ask(running.userKey);
    await ask(running.userKey);
    expect(mock.forModel('fail-500')).toHaveLength(2);
    await ask(running.userKey);
    expect(mock.forModel('fail-500')).toHaveLength(2);

    // The quiet tenant's request through the same config still tries the primary first.
    await ask(other.secret);
    expect(mock.forModel('fail-500')).toHaveLength(3);

    const listed = await call('GET', '/breakers');
    const ours = (
      listed.body.data as { id: string; state: string; config: Record<string, unknown> }[]
    ).filter((breaker) => breaker.config.slug === slug);
    expect(ours.map((breaker) => [breaker.id, breaker.state, breaker.config.tenant]).sort()).toEqual([
      [`saved:app:${slug}:config.targets[0]`, 'open', 'app'],
      [`saved:quiet:${slug}:config.targets[0]`, 'counting', 'quiet'],
    ]);
  });

  it('renders a prompt only for a key whose allow lists reach where its completions would go', async () => {
    const otherKey = await call('POST', '/virtual-keys', {
      name: 'Other team',
      slug: 'other-vk',
      provider: 'openai',
      key: 'sk-other-0123456789',
    });
    expect(otherKey.status).toBe(200);
    const prompt = await admin.prompts.create({
      name: 'Private prompt',
      collection_id: 'tenants',
      string: 'Tell {{name}} the secret plan.',
      parameters: { max_tokens: 16 },
      model: 'gpt-4o-mini',
      virtual_key: 'openai-prod',
    });
    const promptID = prompt.slug as string;
    const variables = { name: 'Ann' };
    const limited = await createKey({ name: 'limited', workspace_id: 'limited', virtual_keys: ['other-vk'] });
    const sent = mock.received.length;

    // Completions would be refused (the prompt's virtual key is not among the key's): so is a render.
    const client = new Portkey({ apiKey: limited.secret });
    const ran = await sdkError(client.prompts.completions.create({ promptID, variables }));
    expect(ran).toMatchObject({ status: 403, body: { error: { code: 'PK_ERR_FORBIDDEN' } } });
    const rendered = await sdkError(client.prompts.render({ promptID, variables }));
    expect(rendered).toMatchObject({ status: 403, body: { error: { code: 'PK_ERR_FORBIDDEN' } } });
    expect(JSON.stringify(rendered.body)).not.toContain('secret plan');
    expect(mock.received.length).toBe(sent);

    // Routed through a virtual key it may use, the key may run it, and render it.
    const routed = new Portkey({ apiKey: limited.secret, virtualKey: 'other-vk' });
    expect(await routed.prompts.render({ promptID, variables })).toMatchObject({
      success: true,
      data: { messages: [{ role: 'user', content: 'Tell Ann the secret plan.' }] },
    });
    // A key without allow lists renders it as before.
    expect(
      await new Portkey({ apiKey: running.userKey }).prompts.render({ promptID, variables }),
    ).toMatchObject({
      success: true,
    });
  });

  it('refuses an expiry already past where keys are written, saying so plainly', async () => {
    const past = new Date(Date.now() - 3_600_000).toISOString();
    const expected = (what: string) => ({
      status: 400,
      body: {
        error: { code: 'PK_ERR_INVALID_REQUEST', param: 'expires_at' },
        message: `invalid ${what}: expires_at: is in the past (${past}): give a later date and time, or none; to stop a key now, revoke or delete it`,
      },
    });
    expect(
      await call('POST', '/api-keys/workspace/service', {
        name: 'dead',
        workspace_id: 'x',
        expires_at: past,
      }),
    ).toMatchObject(expected('gateway key'));
    const live = await createKey({ name: 'live', workspace_id: 'x' });
    expect(await call('PUT', `/api-keys/${live.id}`, { expires_at: past })).toMatchObject(
      expected('gateway key'),
    );
    expect(
      await call('POST', '/virtual-keys', {
        name: 'dead',
        provider: 'openai',
        key: 'sk-dead-0123',
        expires_at: past,
      }),
    ).toMatchObject(expected('virtual key'));
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await call('PUT', `/api-keys/${live.id}`, { expires_at: future })).status).toBe(200);
  });

  it('names the gateway key behind each config version, revoked and deleted keys too', async () => {
    const ops = await createKey({ name: 'ops bot' }, 'organisation/service');
    const gone = await createKey({ name: 'temp admin' }, 'organisation/service');
    const created = await admin.configs.create({ name: 'Named', config: { retry: { attempts: 1 } } });
    const slug = created.slug as string;
    for (const key of [ops.secret, gone.secret]) {
      const updated = await call('PUT', `/configs/${slug}`, { config: { retry: { attempts: 2 } } }, key);
      expect(updated.status).toBe(200);
      await call('PUT', `/configs/${slug}`, { config: { retry: { attempts: 3 } } }, key);
    }
    expect((await call('DELETE', `/api-keys/${ops.id}`)).status).toBe(200);
    // A key deleted outright (the store’s `gatewayKeys.delete`; the API only revokes): its name is
    // read from the audit entry of its deletion.
    const store = await openStore({
      ...running.setup.storeOptions,
      serve: false,
      onWarning: () => undefined,
    });
    try {
      await store.gatewayKeys.delete(gone.id, 'cli');
    } finally {
      await store.close();
    }
    const versions = await call('GET', `/configs/${slug}/versions`);
    const byVersion = (
      versions.body.data as { version: number; created_by: string; created_by_key: unknown }[]
    )
      .map((version) => [version.version, version.created_by, version.created_by_key])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(byVersion).toEqual([
      [1, `key:${running.adminId}`, { id: running.adminId, name: 'admin', status: 'active' }],
      [2, `key:${ops.id}`, { id: ops.id, name: 'ops bot', status: 'revoked' }],
      [3, `key:${ops.id}`, { id: ops.id, name: 'ops bot', status: 'revoked' }],
      [4, `key:${gone.id}`, { id: gone.id, name: 'temp admin', status: 'deleted' }],
      [5, `key:${gone.id}`, { id: gone.id, name: 'temp admin', status: 'deleted' }],
    ]);
  });

  it('names the gateway key behind each prompt version too', async () => {
    const editor = await createKey({ name: 'prompt editor' }, 'organisation/service');
    const prompt = await admin.prompts.create({
      name: 'Authored',
      collection_id: 'tenants',
      string: 'Hello {{name}}',
      parameters: {},
      model: 'gpt-4o-mini',
    });
    const slug = prompt.slug as string;
    expect((await call('PUT', `/prompts/${slug}`, { string: 'Hi {{name}}' }, editor.secret)).status).toBe(
      200,
    );
    expect((await call('DELETE', `/api-keys/${editor.id}`)).status).toBe(200);
    const versions = await call('GET', `/prompts/${slug}/versions`);
    const byVersion = (versions.body.data as { prompt_version: number; created_by_key: unknown }[])
      .map((version) => [version.prompt_version, version.created_by_key])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(byVersion).toEqual([
      [1, { id: running.adminId, name: 'admin', status: 'active' }],
      [2, { id: editor.id, name: 'prompt editor', status: 'revoked' }],
    ]);
  });
});
