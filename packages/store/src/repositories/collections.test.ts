import { describe, expect, it } from 'vitest';
import { ENGINES, freshStoreForEachTest } from '../../test/support/engines.js';
import type { Store } from '../open-store.js';

describe.each(ENGINES)('prompt collections on %s', (engine) => {
  let store: Store;
  freshStoreForEachTest(engine, (opened) => {
    store = opened;
  });

  it('creates, finds by id or slug, nests, renames and lists collections with what they hold', async () => {
    const support = await store.collections.create({ name: 'Customer support' }, 'cli');
    expect(support).toMatchObject({ name: 'Customer support', parentId: null });
    expect(support.slug).toMatch(/^customer-support-[0-9a-f]{6}$/);
    const billing = await store.collections.create(
      { name: 'Billing', parent_collection_id: support.slug },
      'cli',
    );
    expect(billing.parentId).toBe(support.id);

    // Prompts name a collection by id or by slug; a slug is kept as the id.
    const bySlug = await store.prompts.create(
      { name: 'Refunds', string: 'Refund {{order}}', parameters: {}, collection_id: billing.slug },
      'cli',
    );
    expect(bySlug.collectionId).toBe(billing.id);
    await store.prompts.create(
      { name: 'Invoices', string: 'Invoice {{order}}', parameters: {}, collection_id: billing.id },
      'cli',
    );
    // One that names no collection made here keeps what it was given (as before collections).
    const elsewhere = await store.prompts.create(
      { name: 'Other', string: 'x', parameters: {}, collection_id: 'not-made-here' },
      'cli',
    );
    expect(elsewhere.collectionId).toBe('not-made-here');

    const found = await store.collections.get(support.id);
    expect(found).toMatchObject({
      slug: support.slug,
      contents: { promptsCount: 0, childCollectionsCount: 1 },
    });
    expect(found?.contents.childCollectionsUpdatedAt).toBe(billing.updatedAt);
    expect((await store.collections.get(billing.slug))?.contents).toMatchObject({
      promptsCount: 2,
      childCollectionsCount: 0,
    });
    expect(await store.collections.get('nothing')).toBeUndefined();

    expect((await store.collections.list()).map((collection) => collection.name)).toEqual([
      'Billing',
      'Customer support',
    ]);
    expect((await store.collections.list({ search: 'SUPP' })).map((collection) => collection.id)).toEqual([
      support.id,
    ]);
    expect((await store.collections.list({ parentId: support.slug })).map((c) => c.id)).toEqual([billing.id]);

    // The prompts of a collection, named by id or slug.
    for (const reference of [billing.id, billing.slug])
      expect((await store.prompts.list({ collectionId: reference })).map((prompt) => prompt.name)).toEqual([
        'Refunds',
        'Invoices',
      ]);

    const renamed = await store.collections.update(billing.slug, { name: 'Billing & refunds' }, 'cli');
    expect(renamed).toMatchObject({ id: billing.id, slug: billing.slug, name: 'Billing & refunds' });
    const audit = await store.audit.list({ entity: 'collection' });
    expect(audit.map((entry) => entry.action).sort()).toEqual(['create', 'create', 'update']);
  });

  it('counts a prompt moved into a collection by its slug', async () => {
    await store.prompts.create({ name: 'Early', string: 'x', parameters: {}, collection_id: 'early' }, 'cli');
    const made = await store.collections.create({ name: 'Early' }, 'cli');
    // Its slug is not `early` (slugs get a suffix); a prompt moved to it by id counts.
    await store.prompts.update(
      (await store.prompts.list({ collectionId: 'early' }))[0]?.slug as string,
      { collection_id: made.slug },
      'cli',
    );
    expect((await store.collections.get(made.id))?.contents.promptsCount).toBe(1);
  });

  it('refuses a bad name, an unknown parent, a move, and deleting a collection that holds anything', async () => {
    await expect(store.collections.create({ name: '' }, 'cli')).rejects.toMatchObject({ code: 'invalid' });
    await expect(store.collections.create({}, 'cli')).rejects.toMatchObject({ code: 'invalid' });
    await expect(
      store.collections.create({ name: 'x', parent_collection_id: 'nobody' }, 'cli'),
    ).rejects.toMatchObject({ code: 'not_found' });
    const top = await store.collections.create({ name: 'Top' }, 'cli');
    const child = await store.collections.create({ name: 'Child', parent_collection_id: top.id }, 'cli');
    await expect(
      store.collections.update(child.id, { name: 'Child', parent_collection_id: null }, 'cli'),
    ).rejects.toMatchObject({ code: 'invalid' });
    await expect(store.collections.update('nobody', { name: 'x' }, 'cli')).rejects.toMatchObject({
      code: 'not_found',
    });

    const prompt = await store.prompts.create(
      { name: 'In child', string: 'x', parameters: {}, collection_id: child.slug },
      'cli',
    );
    await expect(store.collections.delete(top.slug, 'cli')).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('0 prompt(s) and 1 collection(s)'),
    });
    await expect(store.collections.delete(child.id, 'cli')).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('1 prompt(s)'),
    });
    // Emptied, they go: the child, then its parent.
    await store.prompts.update(prompt.slug, { collection_id: null }, 'cli');
    await store.collections.delete(child.id, 'cli');
    await store.collections.delete(top.slug, 'cli');
    expect(await store.collections.list()).toEqual([]);
    await expect(store.collections.delete(top.id, 'cli')).rejects.toMatchObject({ code: 'not_found' });
  });
});
