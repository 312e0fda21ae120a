import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createFixture, ENGINES, freshStoreForEachTest, postgresUp } from '../../test/support/engines.js';
import { generateMasterKey } from '../index.js';
import type { Store } from '../open-store.js';

const FIRST_KEY = 'sk-proj-first-4f1d8a2b9c3e7f6a5d4c3b2a';
const SECOND_KEY = 'sk-proj-second-9a8b7c6d5e4f3a2b1c0d9e8f';

describe.each(ENGINES)('integrations on %s', (engine) => {
  let store: Store;
  freshStoreForEachTest(engine, (opened) => {
    store = opened;
  });

  it('keeps the key encrypted and masked, and makes a provider named like it that requests can use', async () => {
    const integration = await store.integrations.create(
      {
        slug: 'azure-prod',
        name: 'Azure prod',
        provider: 'azure-openai',
        apiKey: FIRST_KEY,
        options: { resource_name: 'contoso', api_version: '2024-10-21' },
      },
      'cli',
    );
    expect(integration).toMatchObject({
      slug: 'azure-prod',
      provider: 'azure-openai',
      options: { resource_name: 'contoso', api_version: '2024-10-21' },
      secretHints: { api_key: `sk-…${FIRST_KEY.slice(-4)}` },
      providers: ['azure-prod'],
    });
    const provider = await store.virtualKeys.get('azure-prod');
    expect(provider).toMatchObject({
      provider: 'azure-openai',
      integrationId: integration.id,
      integrationSlug: 'azure-prod',
      options: { resource_name: 'contoso', api_version: '2024-10-21' },
    });
    const served = store.catalog.snapshot.virtualKeys.get('azure-prod');
    expect(served?.apiKey?.reveal()).toBe(FIRST_KEY);
    expect(served?.options.resource_name).toBe('contoso');
    // Nothing readable holds the key: not the records, not the audit, not the rows' bytes.
    expect(JSON.stringify(await store.integrations.list())).not.toContain(FIRST_KEY);
    expect(JSON.stringify(await store.audit.list({}))).not.toContain(FIRST_KEY);
    const rows = await sql<{ secret: Uint8Array }>`select secret from integrations`.execute(store.db);
    expect(Buffer.from(rows.rows[0]?.secret ?? []).toString('latin1')).not.toContain(FIRST_KEY);
  });

  it('makes providers with limits of their own; a new key reaches every provider at once', async () => {
    await store.integrations.create(
      { slug: 'openai-main', name: 'OpenAI main', provider: 'openai', apiKey: FIRST_KEY },
      'cli',
    );
    const team = await store.integrations.createProvider(
      {
        integration: 'openai-main',
        slug: 'team-a',
        name: 'Team A',
        usageLimits: { credit_limit: 5, type: 'cost', periodic_reset: 'monthly' },
        rateLimits: [{ type: 'requests', unit: 'rpm', value: 60 }],
      },
      'cli',
    );
    expect(team).toMatchObject({
      slug: 'team-a',
      provider: 'openai',
      usageLimits: { credit_limit: 5, type: 'cost', periodic_reset: 'monthly' },
      rateLimits: [{ type: 'requests', unit: 'rpm', value: 60 }],
    });
    expect(store.catalog.snapshot.virtualKeys.get('team-a')?.apiKey?.reveal()).toBe(FIRST_KEY);
    const updated = await store.integrations.update('openai-main', { apiKey: SECOND_KEY }, 'cli');
    expect(updated.providers).toEqual(['openai-main', 'team-a']);
    expect(updated.secretHints.api_key).toBe(`sk-…${SECOND_KEY.slice(-4)}`);
    for (const slug of ['openai-main', 'team-a']) {
      expect(store.catalog.snapshot.virtualKeys.get(slug)?.apiKey?.reveal()).toBe(SECOND_KEY);
    }
    // The provider's own fields stay its own.
    expect((await store.virtualKeys.get('team-a')).usageLimits).toMatchObject({ credit_limit: 5 });
    expect(JSON.stringify(await store.audit.list({}))).not.toContain(SECOND_KEY);
  });

  it("refuses a provider's key, provider or options changed anywhere but its integration", async () => {
    await store.integrations.create(
      { slug: 'anthropic', name: 'Anthropic', provider: 'anthropic', apiKey: FIRST_KEY },
      'cli',
    );
    await expect(store.virtualKeys.update('anthropic', { apiKey: SECOND_KEY }, 'cli')).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('the integration "anthropic"'),
    });
    await expect(
      store.virtualKeys.update('anthropic', { options: { custom_host: 'http://x' } }, 'cli'),
    ).rejects.toMatchObject({ code: 'conflict' });
    // Its own fields change as any virtual key's.
    const renamed = await store.virtualKeys.update(
      'anthropic',
      { name: 'Claude', rateLimits: [{ type: 'tokens', unit: 'rpd', value: 1000 }] },
      'cli',
    );
    expect(renamed).toMatchObject({
      name: 'Claude',
      rateLimits: [{ type: 'tokens', unit: 'rpd', value: 1000 }],
    });
  });

  it('deletes an integration only once its providers are gone', async () => {
    await store.integrations.create(
      { slug: 'groq', name: 'Groq', provider: 'groq', apiKey: FIRST_KEY },
      'cli',
    );
    await store.integrations.createProvider(
      { integration: 'groq', slug: 'groq-batch', name: 'batch' },
      'cli',
    );
    await expect(store.integrations.delete('groq', 'cli')).rejects.toMatchObject({
      code: 'conflict',
      message: 'the integration "groq" has the providers "groq", "groq-batch": delete them first',
    });
    await store.virtualKeys.delete('groq', 'cli');
    await store.virtualKeys.delete('groq-batch', 'cli');
    await store.integrations.delete('groq', 'cli');
    await expect(store.integrations.get('groq')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('creates nothing when the default provider cannot be made; none is made when asked not to', async () => {
    await store.virtualKeys.create({ slug: 'taken', name: 'taken', provider: 'openai' }, 'cli');
    await expect(
      store.integrations.create({ slug: 'taken', name: 'x', provider: 'openai', apiKey: FIRST_KEY }, 'cli'),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: 'a virtual key or provider "taken" already exists',
    });
    expect(await store.integrations.list()).toEqual([]);
    const bare = await store.integrations.create(
      { slug: 'taken', name: 'x', provider: 'openai', apiKey: FIRST_KEY, defaultProvider: null },
      'cli',
    );
    expect(bare.providers).toEqual([]);
    await expect(
      store.integrations.createProvider({ integration: 'nope', name: 'x' }, 'cli'),
    ).rejects.toMatchObject({ code: 'not_found', message: 'no integration has the id "nope"' });
  });
});

describe.each(ENGINES)('integrations and master key rotation on %s', (engine) => {
  it.runIf(engine === 'sqlite' || postgresUp)(
    "re-encrypts integrations' keys under the new master key",
    async () => {
      const fixture = await createFixture(engine);
      try {
        const old = generateMasterKey();
        const store = await fixture.open({ masterKey: old });
        await store.integrations.create(
          {
            slug: 'mistral',
            name: 'Mistral',
            provider: 'mistral-ai',
            apiKey: FIRST_KEY,
            defaultProvider: null,
          },
          'cli',
        );
        await store.close();
        const next = generateMasterKey();
        const rolled = await fixture.open({ masterKey: `${next},${old}` });
        expect((await rolled.vault.rotate('cli')).reencrypted).toBe(1);
        await rolled.close();
        // Under the new key alone, a provider made now still gets the integration's key.
        const onlyNew = await fixture.open({ masterKey: next });
        await onlyNew.integrations.createProvider(
          { integration: 'mistral', slug: 'mistral-app', name: 'app' },
          'cli',
        );
        expect(onlyNew.catalog.snapshot.virtualKeys.get('mistral-app')?.apiKey?.reveal()).toBe(FIRST_KEY);
      } finally {
        await fixture.cleanup();
      }
    },
  );
});
