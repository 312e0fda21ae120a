import { openStore } from '@pk/store';
import { requirePostgres } from '@pk/store/testing';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import type { GatewayProcess } from './server-process.js';
import { sdkError } from './support/admin-harness.js';
import { logLineWhere, writeMarkerLine } from './support/output-lines.js';
import { type SdkGateway, startSdkGateway } from './support/sdk-gateway.js';
import type { EngineSetup } from './support/store-fixtures.js';

// The acceptance, end to end: the built gateway started as a process, on SQLite and on
// PostgreSQL (a database of its own, dropped afterwards); the official portkey-ai SDK configured by
// PORTKEY_BASE_URL alone creates a virtual key and a config with an admin key, chats through them
// (the stored key reaches the upstream mock), and an update, then a rollback, change the next call.
const postgresUp = await requirePostgres('admin API end to end on PostgreSQL');
const VK_SECRET = 'sk-admin-e2e-stored-provider-key-0123456789';
const INLINE_SECRET = 'sk-admin-e2e-inline-config-key-9876543210';
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

describe.each(['sqlite', 'postgres'] as const)('the admin API end to end on %s', (engine) => {
  const run = engine === 'sqlite' || postgresUp;
  let running: SdkGateway | undefined;
  let setup: EngineSetup;
  let upstream: MockOpenAI;
  let gateway: GatewayProcess;
  let adminKey: string;
  let adminId: string;
  let userKey: string;

  beforeAll(async () => {
    if (!run) return;
    upstream = await startMockOpenAI({ record: true });
    // Log lines written at once: the test counts them.
    running = await startSdkGateway(engine, { proxy: true, env: { PK_LOG_FLUSH_MS: '0' } });
    ({ setup, gateway, adminKey, adminId, userKey } = running);
  });

  afterAll(async () => {
    await running?.stop();
    await upstream?.close();
  });

  it.runIf(run)(
    'creates a virtual key and a config with the SDK; chats through them; an update and a rollback change the next call; a user key gets 403',
    async () => {
      // Nothing but PORTKEY_BASE_URL and an admin key.
      const portkey = new Portkey({ apiKey: adminKey });
      const virtualKey = await portkey.virtualKeys.create({
        name: 'OpenAI prod',
        provider: 'openai',
        key: VK_SECRET,
        custom_host: `${upstream.url}/v1`,
      });
      const config = await portkey.configs.create({
        name: 'Prod',
        config: { retry: { attempts: 1 }, override_params: { temperature: 0.1 } },
      });
      const slug = config.slug as string;

      const app = new Portkey({ apiKey: userKey, virtualKey: virtualKey.slug as string, config: slug });
      const chat = async () => {
        const completion = await app.chat.completions.create({ model: 'gpt-4o-mini', messages });
        expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
        return upstream.received.at(-1);
      };
      const first = await chat();
      expect(first?.headers.authorization).toBe(`Bearer ${VK_SECRET}`);
      expect(first?.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.1 });

      await portkey.configs.update({
        slug,
        config: { retry: { attempts: 1 }, override_params: { temperature: 0.9 } },
      });
      expect((await chat())?.body).toMatchObject({ temperature: 0.9 });

      // pk's rollback beside Portkey's routes: the first version is served again.
      const restored = await fetch(
        `${gateway.url}/v1/configs/${slug}/versions/${config.version_id as string}/restore`,
        { method: 'POST', headers: { 'x-portkey-api-key': adminKey } },
      );
      expect(restored.status).toBe(200);
      expect(await restored.json()).toMatchObject({
        version: 3,
        restored_from_version_id: config.version_id,
      });
      const third = await chat();
      expect(third?.body).toMatchObject({ temperature: 0.1 });
      expect(third?.headers.authorization).toBe(`Bearer ${VK_SECRET}`);

      const asUser = await sdkError(new Portkey({ apiKey: userKey }).configs.list());
      expect(asUser).toMatchObject({ status: 403, name: 'PermissionDeniedError' });
      expect(asUser.message).toContain('the admin API needs an admin key');

      const store = await openStore({ ...setup.storeOptions, serve: false, onWarning: () => undefined });
      try {
        const audit = await store.audit.list({ actor: `key:${adminId}` });
        expect(audit.map((entry) => [entry.action, entry.entity])).toEqual([
          ['rollback', 'config'],
          ['update', 'config'],
          ['create', 'config'],
          ['create', 'virtual_key'],
        ]);
      } finally {
        await store.close();
      }
      expect(gateway.output()).not.toContain(VK_SECRET);
      expect(gateway.output()).not.toContain(adminKey);
    },
  );

  it.runIf(run)(
    'refuses a config naming a virtual key that does not exist (create, update, restore) with a 400 naming its path and slug; requests keep the key the config had',
    async () => {
      const portkey = new Portkey({ apiKey: adminKey });
      const customHost = `${upstream.url}/v1`;
      const live = await portkey.virtualKeys.create({
        name: 'Live',
        provider: 'openai',
        key: VK_SECRET,
        custom_host: customHost,
      });
      const liveSlug = live.slug as string;
      const ghost = await sdkError(
        portkey.configs.create({
          name: 'Ghost',
          config: {
            strategy: { mode: 'fallback' },
            targets: [{ virtual_key: liveSlug }, { virtual_key: 'does-not-exist' }],
          },
        }),
      );
      expect(ghost).toMatchObject({ status: 400, name: 'BadRequestError' });
      expect(ghost.message).toContain(
        'config.targets[1].virtual_key: no virtual key has the id "does-not-exist"',
      );
      expect(ghost.body).toMatchObject({
        error: { code: 'PK_ERR_INVALID_CONFIG', param: 'config.targets[1].virtual_key' },
      });
      expect((await portkey.configs.list()).data?.map((config) => config.name)).not.toContain('Ghost');

      // A key only the first version uses, deleted once the config moved on: restoring that version is refused.
      const TEMP_SECRET = 'sk-admin-e2e-temporary-provider-key-42';
      const temp = await portkey.virtualKeys.create({
        name: 'Temp',
        provider: 'openai',
        key: TEMP_SECRET,
        custom_host: customHost,
      });
      const tempSlug = temp.slug as string;
      const config = await portkey.configs.create({ name: 'Rollback', config: { virtual_key: tempSlug } });
      const slug = config.slug as string;
      const app = new Portkey({ apiKey: userKey, config: slug });
      const chat = async () => {
        const completion = await app.chat.completions.create({ model: 'gpt-4o-mini', messages });
        expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
        return upstream.received.at(-1);
      };
      const asProvider = await sdkError(portkey.configs.update({ slug, config: { provider: '@nope-nope' } }));
      expect(asProvider).toMatchObject({ status: 400 });
      expect(asProvider.message).toContain('config.provider: no virtual key has the id "nope-nope"');
      expect((await chat())?.headers.authorization).toBe(`Bearer ${TEMP_SECRET}`);

      await portkey.configs.update({ slug, config: { virtual_key: liveSlug } });
      await portkey.virtualKeys.delete({ slug: tempSlug });
      const restore = await fetch(`${gateway.url}/v1/configs/${slug}/versions/1/restore`, {
        method: 'POST',
        headers: { 'x-portkey-api-key': adminKey },
      });
      expect(restore.status).toBe(400);
      expect(await restore.json()).toMatchObject({
        message: `invalid config: config.virtual_key: no virtual key has the id "${tempSlug}"`,
        error: { code: 'PK_ERR_INVALID_CONFIG', param: 'config.virtual_key' },
      });
      expect((await chat())?.headers.authorization).toBe(`Bearer ${VK_SECRET}`);
      expect(await portkey.configs.retrieve({ slug })).toMatchObject({ version: 2 });
      await portkey.configs.delete({ slug });
    },
  );

  it.runIf(run)(
    'a saved config of "@slug/model" targets: requests get the stored key and the bare model; a missing slug is refused at its path; the key cannot be deleted while the config uses it',
    async () => {
      const portkey = new Portkey({ apiKey: adminKey });
      const CATALOG_SECRET = 'sk-admin-e2e-catalog-provider-key-2468';
      const key = await portkey.virtualKeys.create({
        name: 'Catalog',
        provider: 'openai',
        key: CATALOG_SECRET,
        custom_host: `${upstream.url}/v1`,
      });
      const keySlug = key.slug as string;
      const missing = await sdkError(
        portkey.configs.create({
          name: 'Catalog ghost',
          config: {
            strategy: { mode: 'fallback' },
            targets: [
              { override_params: { model: `@${keySlug}/gpt-4o` } },
              { override_params: { model: '@does-not-exist/gpt-4o' } },
            ],
          },
        }),
      );
      expect(missing).toMatchObject({ status: 400 });
      expect(missing.message).toContain(
        'config.targets[1].override_params.model: no virtual key has the id "does-not-exist"',
      );
      expect(missing.body).toMatchObject({
        error: { code: 'PK_ERR_INVALID_CONFIG', param: 'config.targets[1].override_params.model' },
      });
      const config = await portkey.configs.create({
        name: 'Catalog',
        config: {
          strategy: { mode: 'fallback' },
          targets: [
            { override_params: { model: `@${keySlug}/fail-500` } },
            { override_params: { model: `@${keySlug}/gpt-4o` } },
          ],
        },
      });
      const slug = config.slug as string;
      const before = upstream.received.length;
      const completion = await new Portkey({ apiKey: userKey, config: slug }).chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
      });
      expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
      const sent = upstream.received.slice(before);
      expect(sent.map((request) => [request.body.model, request.headers.authorization])).toEqual([
        ['fail-500', `Bearer ${CATALOG_SECRET}`],
        ['gpt-4o', `Bearer ${CATALOG_SECRET}`],
      ]);
      const inUse = await sdkError(portkey.virtualKeys.delete({ slug: keySlug }));
      expect(inUse).toMatchObject({ status: 409 });
      expect(inUse.message).toContain(slug);
      await portkey.configs.delete({ slug });
      await portkey.virtualKeys.delete({ slug: keySlug });
    },
  );

  it.runIf(run)(
    "the README's retrieve-then-update of a config with an inline key keeps the key (sent back masked); a mask of no key is a 400",
    async () => {
      const portkey = new Portkey({ apiKey: adminKey });
      const config = await portkey.configs.create({
        name: 'Inline key',
        config: { provider: 'openai', api_key: INLINE_SECRET, custom_host: `${upstream.url}/v1` },
      });
      const slug = config.slug as string;
      const app = new Portkey({ apiKey: userKey, config: slug });
      const chat = async () => {
        const completion = await app.chat.completions.create({ model: 'gpt-4o-mini', messages });
        expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
        return upstream.received.at(-1);
      };
      expect((await chat())?.headers.authorization).toBe(`Bearer ${INLINE_SECRET}`);

      // As the README's admin script does it: retrieve, change a field, update with the rest as read.
      const current = await portkey.configs.retrieve({ slug });
      expect((current.config as { api_key?: string }).api_key).toBe(`sk-…${INLINE_SECRET.slice(-4)}`);
      await portkey.configs.update({
        slug,
        config: { ...(current.config as object), override_params: { temperature: 0.3 } },
      });
      const next = await chat();
      expect(next?.headers.authorization).toBe(`Bearer ${INLINE_SECRET}`);
      expect(next?.body).toMatchObject({ temperature: 0.3 });

      const foreign = await sdkError(
        portkey.configs.update({ slug, config: { ...(current.config as object), api_key: 'sk-…0000' } }),
      );
      expect(foreign.status).toBe(400);
      expect(foreign.message).toContain('config.api_key: this is a masked credential');
      expect((await chat())?.headers.authorization).toBe(`Bearer ${INLINE_SECRET}`);
      expect(gateway.output()).not.toContain(INLINE_SECRET);
      await portkey.configs.delete({ slug });
    },
  );

  it.runIf(run && engine === 'postgres')(
    'with the database down, admin writes and console sign-in answer 503 PK_ERR_STORE_UNAVAILABLE (not replayed by the SDK) while chats go on',
    async () => {
      const portkey = new Portkey({ apiKey: adminKey });
      const virtualKey = (await portkey.virtualKeys.list()).data?.[0]?.slug as string;
      setup.proxy?.cut();
      try {
        const refused = await sdkError(
          portkey.configs.create({ name: 'while down', config: { retry: { attempts: 1 } } }),
        );
        expect(refused).toMatchObject({ status: 503, name: 'InternalServerError' });
        expect(refused.body).toMatchObject({
          error: { code: 'PK_ERR_STORE_UNAVAILABLE', type: 'api_error' },
        });
        expect(refused.message).toContain('the data store is unavailable');
        // The SDK retries a 5xx unless a trace id came back: one request reached the gateway.
        const isRefusedLine = logLineWhere(
          (line) => line.msg === 'request' && line.path === '/v1/configs' && line.status === 503,
        );
        await gateway.waitForLine(isRefusedLine);
        await writeMarkerLine(gateway);
        expect(gateway.lines().filter(isRefusedLine)).toHaveLength(1);
        const app = new Portkey({ apiKey: userKey, virtualKey });
        const completion = await app.chat.completions.create({ model: 'gpt-4o-mini', messages });
        expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
        // Signing in to the console keeps a session in the database: a 503 the console shows, not a 500.
        const signIn = await fetch(`${gateway.url}/console/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ key: adminKey }),
        });
        expect(signIn.status).toBe(503);
        expect(await signIn.json()).toMatchObject({
          error: {
            code: 'PK_ERR_STORE_UNAVAILABLE',
            type: 'api_error',
            message: expect.stringContaining('cannot sign in while the data store is unavailable'),
          },
        });
        // The logs API reads the same database: the same 503, not a 500.
        for (const path of ['/v1/logs?limit=5', '/v1/logs/log-while-down', '/v1/traces/t-while-down']) {
          const logs = await fetch(`${gateway.url}${path}`, { headers: { 'x-portkey-api-key': adminKey } });
          expect({ path, status: logs.status }).toEqual({ path, status: 503 });
          const { error } = (await logs.json()) as { error: { code: string; type: string; message: string } };
          expect(error).toMatchObject({ code: 'PK_ERR_STORE_UNAVAILABLE', type: 'api_error' });
          // A read changes nothing, and its message does not speak of it.
          expect(error.message).toBe(
            'the data store is unavailable; try again (requests are still served from the last snapshot)',
          );
        }
      } finally {
        setup.proxy?.restore();
      }
      // Back again: writes succeed without a restart.
      for (let attempt = 0; ; attempt += 1) {
        try {
          await portkey.configs.create({ name: 'after', config: { retry: { attempts: 1 } } });
          break;
        } catch (error) {
          if (attempt > 50) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      expect(gateway.child.exitCode).toBeNull();
    },
  );

  it.runIf(run)(
    'a virtual key that expires while the gateway runs: chats through it until then, 401 virtual_key_expired_error after, nothing sent upstream',
    async () => {
      const secret = 'sk-admin-e2e-expiring-provider-key-0123456789';
      const portkey = new Portkey({ apiKey: adminKey });
      const virtualKey = await portkey.virtualKeys.create({
        name: 'Expiring',
        provider: 'openai',
        key: secret,
        custom_host: `${upstream.url}/v1`,
        expires_at: new Date(Date.now() + 1500).toISOString(),
      });
      const slug = virtualKey.slug as string;
      const app = new Portkey({ apiKey: userKey, virtualKey: slug });
      const completion = await app.chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
      expect(upstream.received.at(-1)?.headers.authorization).toBe(`Bearer ${secret}`);
      const sentBefore = upstream.received.length;

      await new Promise((resolve) => setTimeout(resolve, 2000));
      const refused = await sdkError(app.chat.completions.create({ model: 'gpt-4o-mini', messages }));
      expect(refused).toMatchObject({
        status: 401,
        name: 'AuthenticationError',
        body: {
          error: {
            type: 'virtual_key_expired_error',
            code: 'PK_ERR_VIRTUAL_KEY_EXPIRED',
            message: `x-portkey-virtual-key: virtual key ${slug.slice(0, 2)}********${slug.slice(-3)} has expired`,
          },
        },
      });
      expect(upstream.received).toHaveLength(sentBefore);
      expect(gateway.child.exitCode).toBeNull();
      expect(gateway.output()).not.toContain(secret);
    },
  );

  it.runIf(run)(
    'a virtual key disabled through the SDK is refused with 401 virtual_key_disabled_error, nothing sent upstream, the refusal logged; enabled, it serves again',
    async () => {
      const secret = 'sk-admin-e2e-disabled-provider-key-0123456789';
      const portkey = new Portkey({ apiKey: adminKey });
      const virtualKey = await portkey.virtualKeys.create({
        name: 'Paused',
        provider: 'openai',
        key: secret,
        custom_host: `${upstream.url}/v1`,
      });
      const slug = virtualKey.slug as string;
      const app = new Portkey({ apiKey: userKey, virtualKey: slug });
      await app.chat.completions.create({ model: 'gpt-4o-mini', messages });
      const sentBefore = upstream.received.length;

      await portkey.virtualKeys.update({ slug, status: 'disabled' });
      const disabled = await portkey.virtualKeys.retrieve({ slug });
      expect(disabled).toMatchObject({ status: 'disabled', disabled_at: expect.any(String) });
      const refused = await sdkError(app.chat.completions.create({ model: 'gpt-4o-mini', messages }));
      expect(refused).toMatchObject({
        status: 401,
        name: 'AuthenticationError',
        body: {
          error: {
            type: 'virtual_key_disabled_error',
            code: 'PK_ERR_VIRTUAL_KEY_DISABLED',
            param: 'x-portkey-virtual-key',
            message: `x-portkey-virtual-key: virtual key ${slug.slice(0, 2)}********${slug.slice(-3)} is disabled; an admin can enable it again`,
          },
        },
      });
      expect(upstream.received).toHaveLength(sentBefore);
      // Logged like the other refusals: its status and the key's slug, never the credential.
      const isRefusal = logLineWhere(
        (line) => line.msg === 'request' && line.status === 401 && JSON.stringify(line).includes(slug),
      );
      await gateway.waitForLine(isRefusal);
      // Only "active" or "disabled" are written; the others follow from the key.
      const wrong = await sdkError(portkey.virtualKeys.update({ slug, status: 'expired' }));
      expect(wrong).toMatchObject({ status: 400, body: { error: { param: 'status' } } });

      await portkey.virtualKeys.update({ slug, status: 'active' });
      expect(await portkey.virtualKeys.retrieve({ slug })).toMatchObject({
        status: 'active',
        disabled_at: null,
      });
      const served = await app.chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect(served.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
      expect(upstream.received.at(-1)?.headers.authorization).toBe(`Bearer ${secret}`);
      expect(gateway.output()).not.toContain(secret);
    },
  );
});
