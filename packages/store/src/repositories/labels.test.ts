import { describe, expect, it } from 'vitest';
import { ENGINES, freshStoreForEachTest } from '../../test/support/engines.js';
import type { Store } from '../open-store.js';

describe.each(ENGINES)('prompt labels on %s', (engine) => {
  let store: Store;
  freshStoreForEachTest(engine, (opened) => {
    store = opened;
  });

  const promptWithThreeVersions = async () => {
    const created = await store.prompts.create({ name: 'Answer', string: 'v1 {{q}}', parameters: {} }, 'cli');
    await store.prompts.update(created.slug, { string: 'v2 {{q}}' }, 'cli');
    await store.prompts.update(created.slug, { string: 'v3 {{q}}' }, 'cli');
    return created.slug;
  };

  it('starts with the universal labels, which cannot be changed or deleted', async () => {
    const labels = await store.labels.list();
    expect(labels.map((label) => [label.name, label.isUniversal])).toEqual([
      ['development', true],
      ['production', true],
      ['staging', true],
    ]);
    await expect(store.labels.update('production', { name: 'prod' }, 'cli')).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(store.labels.delete('staging', 'cli')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('creates, finds, renames and deletes a label; names are checked and unique', async () => {
    const created = await store.labels.create(
      { name: 'canary', description: '5 % of traffic', color_code: '#FF5733' },
      'cli',
    );
    expect(created).toMatchObject({
      name: 'canary',
      description: '5 % of traffic',
      colorCode: '#FF5733',
      isUniversal: false,
    });
    expect(await store.labels.get(created.id)).toEqual(created);
    expect(await store.labels.get('canary')).toEqual(created);
    expect((await store.labels.list({ search: 'CAN' })).map((label) => label.name)).toEqual(['canary']);
    await expect(store.labels.create({ name: 'canary' }, 'cli')).rejects.toMatchObject({ code: 'conflict' });
    for (const name of ['latest', 'default', '12', 'with space', 'a@b', '', 'x'.repeat(65), 7]) {
      await expect(store.labels.create({ name }, 'cli')).rejects.toMatchObject({
        code: 'invalid',
        issues: [{ path: 'name' }],
      });
    }
    const renamed = await store.labels.update('canary', { name: 'beta', color_code: null }, 'cli');
    expect(renamed).toMatchObject({
      id: created.id,
      name: 'beta',
      description: '5 % of traffic',
      colorCode: null,
    });
    await store.labels.delete(created.id, 'cli');
    expect(await store.labels.get(created.id)).toBeUndefined();
    await expect(store.labels.delete(created.id, 'cli')).rejects.toMatchObject({ code: 'not_found' });
    const audit = await store.audit.list({ entity: 'label' });
    expect(audit.map((entry) => entry.action).sort()).toEqual(['create', 'delete', 'update']);
  });

  it('points a label at a version, moves it, and resolves slug@label; a deleted label resolves nothing', async () => {
    const slug = await promptWithThreeVersions();
    const versions = await store.prompts.versions(slug);
    const v2 = versions.find((version) => version.version === 2);
    await store.prompts.label(slug, v2?.id ?? '', 'staging', 'cli');
    await store.prompts.label(slug, 1, 'production', 'cli');
    expect((await store.prompts.resolve(`${slug}@staging`))?.version.template).toBe('v2 {{q}}');
    expect((await store.prompts.resolve(`${slug}@production`))?.version.template).toBe('v1 {{q}}');
    expect(await store.prompts.resolve(`${slug}@development`)).toBeUndefined();
    expect(await store.prompts.resolve(`${slug}@nope`)).toBeUndefined();
    // Promote: staging moves to version 3; one version per prompt and label.
    await store.prompts.label(slug, 3, 'staging', 'cli');
    expect((await store.prompts.resolve(`${slug}@staging`))?.version.template).toBe('v3 {{q}}');
    const labels = await store.prompts.labelsOf(slug);
    const v3 = versions.find((version) => version.version === 3);
    const v1 = versions.find((version) => version.version === 1);
    expect(labels.get(v3?.id ?? '')?.map((label) => label.name)).toEqual(['staging']);
    expect(labels.get(v1?.id ?? '')?.map((label) => label.name)).toEqual(['production']);
    expect(labels.get(v2?.id ?? '')).toBeUndefined();
    // A label of its own, deleted: the reference resolves nothing any more.
    await store.labels.create({ name: 'canary' }, 'cli');
    await store.prompts.label(slug, 2, 'canary', 'cli');
    expect((await store.prompts.resolve(`${slug}@canary`))?.version.version).toBe(2);
    await store.labels.delete('canary', 'cli');
    expect(await store.prompts.resolve(`${slug}@canary`)).toBeUndefined();
  });

  it('refuses an unknown prompt, version or label, and a deleted prompt takes its labels with it', async () => {
    const slug = await promptWithThreeVersions();
    await expect(store.prompts.label('nope', 1, 'staging', 'cli')).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(store.prompts.label(slug, 9, 'staging', 'cli')).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.prompts.label(slug, 1, 'nope', 'cli')).rejects.toMatchObject({
      code: 'invalid',
      issues: [{ path: 'label_id' }],
    });
    await store.prompts.label(slug, 1, 'staging', 'cli');
    await store.prompts.delete(slug, 'cli');
    const rows = await store.db.selectFrom('prompt_version_labels').selectAll().execute();
    expect(rows).toEqual([]);
  });
});
