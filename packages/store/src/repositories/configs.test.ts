import { describe, expect, it } from 'vitest';
import { ENGINES, freshStoreForEachTest } from '../../test/support/engines.js';
import type { Store } from '../open-store.js';

const FALLBACK = {
  strategy: { mode: 'fallback' },
  targets: [{ virtual_key: 'openai-prod' }, { virtual_key: 'azure-prod' }],
};
const SINGLE = { virtual_key: 'openai-prod', retry: { attempts: 2 } };

describe.each(ENGINES)('saved configs on %s', (engine) => {
  let store: Store;
  freshStoreForEachTest(engine, (opened) => {
    store = opened;
  });

  it('creates version 1 with a Portkey-style slug, served from the snapshot', async () => {
    const record = await store.configs.create({ name: 'Pplx Cache Test', config: FALLBACK }, 'cli');
    expect(record.slug).toMatch(/^pc-pplx-c-[0-9a-f]{6}$/);
    expect(record).toMatchObject({ version: 1, status: 'active', config: FALLBACK, isDefault: false });
    const served = store.catalog.snapshot.configs.get(record.slug);
    expect(served).toMatchObject({ slug: record.slug, version: 1, versionId: record.versionId });
    expect(served?.config).toMatchObject({ strategy: { mode: 'fallback' } });
  });

  it('versions every update, serves the latest, and rolls back to any version', async () => {
    const v1 = await store.configs.create({ slug: 'pc-prod', name: 'prod', config: FALLBACK }, 'key:a');
    const v2 = await store.configs.update('pc-prod', { config: SINGLE }, 'key:b');
    expect(v2.version).toBe(2);
    expect(v2.versionId).not.toBe(v1.versionId);
    expect(store.catalog.snapshot.configs.get('pc-prod')?.config).toMatchObject({
      virtual_key: 'openai-prod',
    });
    const renamed = await store.configs.update('pc-prod', { name: 'production' }, 'key:b');
    expect(renamed.version).toBe(2);

    const rolledBack = await store.configs.rollback('pc-prod', v1.versionId as string, 'key:c');
    expect(rolledBack).toMatchObject({ version: 3, config: FALLBACK, name: 'production' });
    expect(store.catalog.snapshot.configs.get('pc-prod')?.config).toMatchObject({
      strategy: { mode: 'fallback' },
    });
    const again = await store.configs.rollback(v1.id, 2, 'key:c');
    expect(again).toMatchObject({ version: 4, config: SINGLE });

    const versions = await store.configs.versions('pc-prod');
    expect(versions.map((version) => [version.version, version.createdBy, version.restoredFrom])).toEqual([
      [4, 'key:c', v2.versionId],
      [3, 'key:c', v1.versionId],
      [2, 'key:b', null],
      [1, 'key:a', null],
    ]);
    await expect(store.configs.rollback('pc-prod', 99, 'cli')).rejects.toMatchObject({ code: 'not_found' });
    const audit = await store.audit.list({ entity: 'config', entityId: v1.id });
    expect(audit.map((entry) => entry.action)).toEqual([
      'rollback',
      'rollback',
      'update',
      'update',
      'create',
    ]);
  });

  it('refuses a blank, missing or overlong name in plain words naming the field, not the validator’s', async () => {
    await expect(store.configs.create({ name: '   ', config: SINGLE }, 'cli')).rejects.toMatchObject({
      code: 'invalid',
      message: 'invalid config: name: must not be blank',
      issues: [{ path: 'name', message: 'must not be blank' }],
    });
    await expect(
      store.configs.create({ config: SINGLE } as unknown as { name: string; config: unknown }, 'cli'),
    ).rejects.toMatchObject({ message: 'invalid config: name: is required' });
    await expect(
      store.configs.create({ name: 'x'.repeat(201), config: SINGLE }, 'cli'),
    ).rejects.toMatchObject({
      message: 'invalid config: name: must be at most 200 characters',
    });
    await store.configs.create({ slug: 'named', name: 'named', config: SINGLE }, 'cli');
    await expect(store.configs.update('named', { name: '' }, 'cli')).rejects.toMatchObject({
      message: 'invalid config: name: must not be blank',
    });
    expect((await store.configs.get('named')).name).toBe('named');
  });

  it('refuses a name holding a control character or a bidirectional override alike on each engine', async () => {
    for (const name of ['a\u0000b', 'line\nbreak', 'tab\there', 'invoice\u202Efdp.exe', 'x\u2066y\u2069']) {
      await expect(store.configs.create({ name, config: SINGLE }, 'cli')).rejects.toMatchObject({
        code: 'invalid',
        issues: [{ path: 'name', message: expect.stringContaining('must not hold control characters') }],
      });
    }
    await store.configs.create({ slug: 'plain', name: 'שלום 😀 <b>', config: SINGLE }, 'cli');
    await expect(store.configs.update('plain', { name: 'evil\u202E' }, 'cli')).rejects.toMatchObject({
      code: 'invalid',
    });
    expect((await store.configs.list()).map((config) => config.name)).toEqual(['שלום 😀 <b>']);
  });

  it('refuses an invalid config with its path, and writes nothing', async () => {
    const before = store.catalog.snapshot.version;
    await expect(
      store.configs.create({ name: 'bad', config: { retry: { attempts: -1 }, provider: 'openai' } }, 'cli'),
    ).rejects.toMatchObject({
      code: 'invalid',
      status: 400,
      issues: [{ path: 'config.retry.attempts', message: expect.stringContaining('of at least 0') }],
    });
    await expect(store.configs.create({ name: 'bad', config: '{nope' }, 'cli')).rejects.toMatchObject({
      code: 'invalid',
    });
    await store.configs.create({ slug: 'ok', name: 'ok', config: SINGLE }, 'cli');
    await expect(
      store.configs.update('ok', { config: { strategy: { mode: 'nope' } } }, 'cli'),
    ).rejects.toMatchObject({
      code: 'invalid',
    });
    expect((await store.configs.versions('ok')).length).toBe(1);
    expect(store.catalog.snapshot.version).toBe(before + 1);
  });

  it('accepts JSON text and camelCase, and keeps inline credentials out of the stored text', async () => {
    const apiKey = 'sk-inline-credential-0123456789abcdef';
    const record = await store.configs.create(
      {
        slug: 'inline',
        name: 'inline',
        config: JSON.stringify({ provider: 'openai', apiKey, retry: { attempts: 1 } }),
      },
      'cli',
    );
    expect(record.config).toEqual({ provider: 'openai', api_key: 'sk-…cdef', retry: { attempts: 1 } });
    expect(store.catalog.snapshot.configs.get('inline')?.config.api_key).toBe(apiKey);
    const row = await store.db.selectFrom('config_versions').selectAll().executeTakeFirstOrThrow();
    expect(row.config).not.toContain(apiKey);
    expect(row.secret).not.toBeNull();
    const rolled = await store.configs.update(
      'inline',
      { config: { provider: 'openai', api_key: 'sk-second-000000000000000000' } },
      'cli',
    );
    expect(rolled.version).toBe(2);
    await store.configs.rollback('inline', 1, 'cli');
    expect(store.catalog.snapshot.configs.get('inline')?.config.api_key).toBe(apiKey);
    expect(JSON.stringify(await store.audit.list())).not.toContain(apiKey);
  });

  it('keeps the credentials an update sends back as the masks a read showed (retrieve, change, update)', async () => {
    const first = 'sk-inline-first-0123456789abcdef';
    const second = 'sk-inline-second-fedcba9876543210';
    const config = {
      strategy: { mode: 'fallback' },
      targets: [
        { provider: 'openai', api_key: first },
        { provider: 'anthropic', api_key: second },
      ],
    };
    await store.configs.create({ slug: 'masks', name: 'masks', config }, 'cli');
    const read = (await store.configs.get('masks')).config as typeof config;
    expect(read.targets.map((target) => target.api_key)).toEqual(['sk-…cdef', 'sk-…3210']);
    // A field changed, the masks sent back as they came: the next version has the real keys.
    const updated = await store.configs.update(
      'masks',
      { config: { ...read, retry: { attempts: 2 } } },
      'cli',
    );
    expect(updated.version).toBe(2);
    expect(updated.config).toMatchObject({ targets: [{ api_key: 'sk-…cdef' }, { api_key: 'sk-…3210' }] });
    const served = store.catalog.snapshot.configs.get('masks')?.config;
    expect(served?.targets?.map((target) => (target as { api_key?: string }).api_key)).toEqual([
      first,
      second,
    ]);
    expect(served?.retry).toMatchObject({ attempts: 2 });
    // Reordered: each mask still finds its key; a new key beside a mask is taken as given.
    const third = 'sk-inline-third-00000000000000000';
    await store.configs.update(
      'masks',
      { config: { ...read, targets: [read.targets[1], { provider: 'openai', api_key: third }] } },
      'cli',
    );
    expect(
      store.catalog.snapshot.configs
        .get('masks')
        ?.config.targets?.map((target) => (target as { api_key?: string }).api_key),
    ).toEqual([second, third]);
  });

  it('refuses a masked credential that masks none of the current version’s, naming its path', async () => {
    await store.configs.create({ slug: 'plain', name: 'plain', config: SINGLE }, 'cli');
    for (const [write, path] of [
      [
        () => store.configs.update('plain', { config: { provider: 'openai', api_key: 'sk-…9999' } }, 'cli'),
        'config.api_key',
      ],
      [
        () =>
          store.configs.create(
            {
              slug: 'masked-new',
              name: 'masked-new',
              config: { strategy: { mode: 'fallback' }, targets: [{ provider: 'openai', api_key: '…' }] },
            },
            'cli',
          ),
        'config.targets[0].api_key',
      ],
    ] as const) {
      const refused = await write().then(
        () => undefined,
        (error: { code?: string; issues?: { path: string }[] }) => error,
      );
      expect(refused).toMatchObject({ code: 'invalid', issues: [{ path }] });
    }
    const unicode = await store.configs
      .update('plain', { config: { provider: 'openai', api_key: 'sk-ключ-0123456789abcdef' } }, 'cli')
      .then(
        () => undefined,
        (error: { code?: string; issues?: { path: string; message: string }[] }) => error,
      );
    expect(unicode).toMatchObject({
      code: 'invalid',
      issues: [{ path: 'config.api_key', message: expect.stringContaining('sent in an HTTP header') }],
    });
    expect((await store.configs.get('plain')).version).toBe(1);
    expect((await store.configs.list()).map((record) => record.slug)).toEqual(['plain']);
  });

  it('keeps one default, deletes a config with its versions', async () => {
    const a = await store.configs.create({ name: 'a', config: SINGLE, isDefault: true }, 'cli');
    await store.configs.create({ name: 'b', config: SINGLE, isDefault: true }, 'cli');
    expect((await store.configs.get(a.slug)).isDefault).toBe(false);
    await store.configs.delete(a.slug, 'cli');
    await expect(store.configs.get(a.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(store.catalog.snapshot.configs.has(a.slug)).toBe(false);
    const versions = await store.db.selectFrom('config_versions').select('config_id').execute();
    expect(versions.every((row) => row.config_id !== a.id)).toBe(true);
    expect((await store.configs.list()).map((config) => config.name)).toEqual(['b']);
  });

  it('runs the caller’s checks (the gateway’s hooks) on create, update and rollback', async () => {
    const refuseHooks = (config: Record<string, unknown>) =>
      'input_guardrails' in config
        ? [{ path: 'config.input_guardrails[0]', message: 'no guardrail has the id "missing"' }]
        : [];
    const guarded = { ...SINGLE, input_guardrails: ['missing'] };
    await expect(
      store.configs.create({ slug: 'hooked', name: 'h', config: guarded }, 'cli', { validate: refuseHooks }),
    ).rejects.toMatchObject({
      code: 'invalid',
      issues: [{ path: 'config.input_guardrails[0]', message: 'no guardrail has the id "missing"' }],
      message: expect.stringContaining('config.input_guardrails[0]: no guardrail'),
    });
    await store.configs.create({ slug: 'hooked', name: 'h', config: guarded }, 'cli');
    await store.configs.update('hooked', { config: SINGLE }, 'cli', { validate: refuseHooks });
    await expect(
      store.configs.update('hooked', { config: guarded }, 'cli', { validate: refuseHooks }),
    ).rejects.toMatchObject({ code: 'invalid' });
    await expect(store.configs.rollback('hooked', 1, 'cli', { validate: refuseHooks })).rejects.toMatchObject(
      {
        code: 'invalid',
      },
    );
    expect((await store.configs.get('hooked')).version).toBe(2);
  });
});
