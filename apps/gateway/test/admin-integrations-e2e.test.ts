import { requirePostgres } from '@pk/store/testing';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import type { GatewayProcess } from './server-process.js';
import { sdkError } from './support/admin-harness.js';
import { type SdkGateway, startSdkGateway } from './support/sdk-gateway.js';

// Portkey's model catalog through the official portkey-ai SDK against the built gateway, on SQLite
// and on PostgreSQL: an integration holds the provider key once; the providers made from it are what
// requests name (`@slug/model`, `provider: '@slug'`); a new key reaches every provider at once; a
// provider's own rate limit holds; the key is never read back; deletes go in order.
const postgresUp = await requirePostgres('integrations end to end on PostgreSQL');
const FIRST_KEY = 'sk-integration-first-0123456789abcdef';
const SECOND_KEY = 'sk-integration-second-fedcba9876543210';
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

describe.each(['sqlite', 'postgres'] as const)('integrations and providers end to end on %s', (engine) => {
  const run = engine === 'sqlite' || postgresUp;
  let running: SdkGateway | undefined;
  let upstream: MockOpenAI;
  let gateway: GatewayProcess;
  let adminKey: string;
  let userKey: string;

  beforeAll(async () => {
    if (!run) return;
    upstream = await startMockOpenAI({ record: true });
    running = await startSdkGateway(engine);
    ({ gateway, adminKey, userKey } = running);
  });

  afterAll(async () => {
    await running?.stop();
    await upstream?.close();
  });

  it.runIf(run)(
    'an integration, its default provider and a provider of its own: chats through both, a new key reaches both, limits and deletes hold',
    async () => {
      const admin = new Portkey({ apiKey: adminKey });
      const created = await admin.integrations.create({
        name: 'OpenAI production',
        slug: 'openai-prod',
        ai_provider_id: 'openai',
        key: FIRST_KEY,
        configurations: { custom_host: `${upstream.url}/v1` },
      });
      expect(created).toMatchObject({ slug: 'openai-prod', object: 'integration' });
      const team = await admin.providers.create({
        name: 'Team A',
        integration_id: 'openai-prod',
        slug: 'team-a',
        rate_limits: [{ type: 'requests', unit: 'rpm', value: 3 }] as unknown as Record<string, unknown>,
      });
      expect(team).toMatchObject({ slug: 'team-a', object: 'provider' });

      // The default provider by the model catalog's `@slug/model`; the other by `provider: '@slug'`.
      const app = new Portkey({ apiKey: userKey });
      const teamApp = new Portkey({ apiKey: userKey, provider: '@team-a' });
      const chat = async (client: Portkey, model: string) => {
        const completion = await client.chat.completions.create({ model, messages });
        expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
        return upstream.received.at(-1);
      };
      const viaDefault = await chat(app, '@openai-prod/gpt-4o-mini');
      expect(viaDefault?.headers.authorization).toBe(`Bearer ${FIRST_KEY}`);
      expect(viaDefault?.body).toMatchObject({ model: 'gpt-4o-mini' });
      expect((await chat(teamApp, 'gpt-4o-mini'))?.headers.authorization).toBe(`Bearer ${FIRST_KEY}`);

      // A new key on the integration: the next request through either provider carries it.
      await admin.integrations.update({ slug: 'openai-prod', key: SECOND_KEY });
      expect((await chat(app, '@openai-prod/gpt-4o-mini'))?.headers.authorization).toBe(
        `Bearer ${SECOND_KEY}`,
      );
      expect((await chat(teamApp, 'gpt-4o-mini'))?.headers.authorization).toBe(`Bearer ${SECOND_KEY}`);

      // Team A's own limit (3 requests a minute): the third passes, the fourth never reaches OpenAI.
      await chat(teamApp, 'gpt-4o-mini');
      const sent = upstream.received.length;
      const limited = await sdkError(teamApp.chat.completions.create({ model: 'gpt-4o-mini', messages }));
      expect(limited.status).toBe(429);
      expect(upstream.received.length).toBe(sent);

      // Read back: the key only masked, the providers named, Portkey's shapes.
      const integration = await admin.integrations.retrieve({ slug: 'openai-prod' });
      expect(integration).toMatchObject({
        slug: 'openai-prod',
        name: 'OpenAI production',
        ai_provider_id: 'openai',
        masked_key: `sk-…${SECOND_KEY.slice(-4)}`,
        configurations: { custom_host: `${upstream.url}/v1` },
        providers: ['openai-prod', 'team-a'],
        object: 'integration',
      });
      const listed = await admin.integrations.list();
      expect(listed).toMatchObject({ object: 'list', total: 1 });
      const providers = await admin.providers.list();
      expect(
        (providers.data ?? []).map((provider) => [
          provider.slug,
          provider.integration_id,
          (provider as unknown as { object: string }).object,
        ]),
      ).toEqual([
        ['openai-prod', 'openai-prod', 'provider'],
        ['team-a', 'openai-prod', 'provider'],
      ]);
      const teamRecord = await admin.providers.retrieve({ slug: 'team-a' });
      expect(teamRecord).toMatchObject({
        name: 'Team A',
        ai_provider_name: 'openai',
        integration_id: 'openai-prod',
        rate_limits: [{ type: 'requests', unit: 'rpm', value: 3 }],
      });
      for (const read of [integration, listed, providers, teamRecord]) {
        expect(JSON.stringify(read)).not.toContain(FIRST_KEY);
        expect(JSON.stringify(read)).not.toContain(SECOND_KEY);
      }

      // A provider's key is its integration's: changing it there is refused, naming the integration.
      const ownKey = await sdkError(
        admin.providers.update({ slug: 'team-a', key: 'sk-elsewhere' } as Parameters<
          typeof admin.providers.update
        >[0]),
      );
      expect(ownKey.status).toBe(409);
      expect(ownKey.message).toContain('the integration "openai-prod"');

      // Deletes in order: the integration only once its providers are gone.
      const early = await sdkError(admin.integrations.delete({ slug: 'openai-prod' }));
      expect(early.status).toBe(409);
      expect(early.message).toContain('has the providers "openai-prod", "team-a": delete them first');
      await admin.providers.delete({ slug: 'team-a' });
      await admin.providers.delete({ slug: 'openai-prod' });
      await admin.integrations.delete({ slug: 'openai-prod' });
      expect((await admin.integrations.list()).total).toBe(0);
      const gone = await sdkError(
        app.chat.completions.create({ model: '@openai-prod/gpt-4o-mini', messages }),
      );
      expect(gone.status).toBe(404);
      expect(upstream.received.length).toBe(sent);

      expect(gateway.output()).not.toContain(FIRST_KEY);
      expect(gateway.output()).not.toContain(SECOND_KEY);
    },
  );

  it.runIf(run)(
    'a config naming a provider by its @slug is logged with that provider as the virtual key',
    async () => {
      const admin = new Portkey({ apiKey: adminKey });
      await admin.integrations.create({
        name: 'OpenAI for logs',
        slug: 'openai-logs',
        ai_provider_id: 'openai',
        key: FIRST_KEY,
        configurations: { custom_host: `${upstream.url}/v1` },
      });
      const traceId = `slug-in-config-${engine}-${Date.now()}`;
      const app = new Portkey({
        apiKey: userKey,
        traceID: traceId,
        config: {
          strategy: { mode: 'fallback' },
          targets: [
            { provider: '@openai-logs', override_params: { model: 'fail-500' } },
            { provider: '@openai-logs', override_params: { model: 'gpt-4o-mini' } },
          ],
        },
      });
      const completion = await app.chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect(completion.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
      let record: { virtual_key?: string; attempts?: { provider?: string }[] } | undefined;
      for (let waited = 0; record === undefined && waited < 5_000; waited += 100) {
        const page = (await (
          await fetch(`${gateway.url}/v1/logs?trace_id=${traceId}`, {
            headers: { 'x-portkey-api-key': adminKey },
          })
        ).json()) as { data: (typeof record)[] };
        record = page.data[0];
        if (record === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(record?.virtual_key).toBe('openai-logs');
      expect(record?.attempts?.map((attempt) => attempt.provider)).toEqual(['openai', 'openai']);
      await admin.providers.delete({ slug: 'openai-logs' });
      await admin.integrations.delete({ slug: 'openai-logs' });
    },
  );

  it.runIf(run)('refuses bad bodies with a 400 naming the field; nothing is created', async () => {
    const admin = new Portkey({ apiKey: adminKey });
    // Each call made when its turn comes: a rejection nobody awaits yet would be unhandled.
    const cases: [() => Promise<unknown>, string][] = [
      [() => admin.integrations.create({ name: 'x', key: FIRST_KEY }), 'ai_provider_id: required'],
      [
        () => admin.integrations.create({ name: 'x', ai_provider_id: 'openia', key: FIRST_KEY }),
        'ai_provider_id: unknown provider "openia"',
      ],
      [
        () =>
          admin.integrations.create({
            name: 'x',
            ai_provider_id: 'openai',
            configurations: { colour: 'blue' },
          }),
        'configurations: unknown field "colour"',
      ],
      [
        () => admin.providers.create({ name: 'x', integration_id: 'nope' }),
        'integration_id: no integration has the id "nope"',
      ],
    ];
    for (const [call, message] of cases) {
      const refused = await sdkError(call());
      expect({ status: refused.status, message: refused.message }).toMatchObject({
        status: 400,
        message: expect.stringContaining(message),
      });
    }
    expect((await admin.integrations.list()).total).toBe(0);
    // A user key may not manage them.
    const asUser = await sdkError(new Portkey({ apiKey: userKey }).integrations.list());
    expect(asUser.status).toBe(403);
  });

  it.runIf(run)(
    'refuses a gateway key of this gateway as an integration’s credential, naming the field, never the value',
    async () => {
      const admin = new Portkey({ apiKey: adminKey });
      const refusal = (field: string) => ({
        status: 400,
        message: `${field}: holds a gateway key of this gateway, which is never sent to a provider; give the provider's own credential`,
        param: field,
        code: 'PK_ERR_INVALID_REQUEST',
      });
      const outcome = async (call: Promise<unknown>) => {
        const refused = await sdkError(call);
        const error = refused.body.error as { code: string; param: string };
        expect(JSON.stringify(refused)).not.toContain(userKey);
        expect(JSON.stringify(refused)).not.toContain(adminKey);
        return { status: refused.status, message: refused.message, param: error.param, code: error.code };
      };
      expect(
        await outcome(admin.integrations.create({ name: 'x', ai_provider_id: 'openai', key: userKey })),
      ).toEqual(refusal('key'));
      expect(
        await outcome(
          admin.integrations.create({
            name: 'x',
            ai_provider_id: 'azure-openai',
            configurations: { resource_name: 'r', azure_ad_token: adminKey },
          }),
        ),
      ).toEqual(refusal('configurations.azure_ad_token'));
      expect((await admin.integrations.list()).total).toBe(0);

      // An update may not put one in either; the integration keeps its key.
      // `create_default_provider` (no provider made: the integration can be deleted at once) is not
      // in the SDK's type, so the body is a variable rather than a literal.
      const kept = {
        name: 'kept',
        slug: 'kept',
        ai_provider_id: 'openai',
        key: FIRST_KEY,
        create_default_provider: false,
      };
      await admin.integrations.create(kept);
      expect(await outcome(admin.integrations.update({ slug: 'kept', key: `Bearer ${userKey}` }))).toEqual(
        refusal('key'),
      );
      expect(await admin.integrations.retrieve({ slug: 'kept' })).toMatchObject({
        masked_key: 'sk-…cdef',
      });
      await admin.integrations.delete({ slug: 'kept' });
    },
  );
});
