import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ENGINES, freshStoreForEachTest } from '../../test/support/engines.js';
import type { Store } from '../open-store.js';

const SUPPORT_REPLY = {
  slug: 'support-reply',
  name: 'Support reply',
  collection_id: 'col-support',
  string: '{{#system}}You answer {{customer}}.{{/system}}{{#user}}{{question}}{{/user}}',
  parameters: { customer: 'Ada', temperature: 0.2 },
  model: 'gpt-4o-mini',
  virtual_key: 'openai-prod',
  tools: [{ type: 'function', function: { name: 'lookup_order', parameters: { type: 'object' } } }],
  tool_choice: 'auto',
  version_description: 'first draft',
  template_metadata: { owner: 'support' },
};

describe.each(ENGINES)('prompts on %s', (engine) => {
  let store: Store;
  freshStoreForEachTest(engine, (opened) => {
    store = opened;
  });

  it('creates a prompt as version 1, published, and finds it by slug, id and list', async () => {
    const created = await store.prompts.create(SUPPORT_REPLY, 'cli');
    expect(created).toMatchObject({
      slug: 'support-reply',
      name: 'Support reply',
      collectionId: 'col-support',
      status: 'active',
      publishedVersion: 1,
      latestVersion: 1,
      published: {
        promptId: created.id,
        version: 1,
        template: SUPPORT_REPLY.string,
        parameters: { customer: 'Ada', temperature: 0.2 },
        model: 'gpt-4o-mini',
        virtualKey: 'openai-prod',
        functions: null,
        tools: SUPPORT_REPLY.tools,
        toolChoice: 'auto',
        description: 'first draft',
        templateMetadata: { owner: 'support' },
        createdBy: 'cli',
      },
    });
    expect(created.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await store.prompts.get('support-reply')).toEqual(created);
    expect(await store.prompts.get(created.id)).toEqual(created);
    expect(await store.prompts.get('nope')).toBeUndefined();

    const other = await store.prompts.create(
      { name: 'Summarise 50% of it', string: 'Summarise {{text}}', parameters: {} },
      'cli',
    );
    expect(other.published).toMatchObject({
      model: null,
      virtualKey: null,
      tools: null,
      toolChoice: null,
      templateMetadata: null,
    });
    expect((await store.prompts.list()).map((prompt) => prompt.slug)).toEqual(['support-reply', other.slug]);
    expect(await store.prompts.list({ collectionId: 'col-support' })).toEqual([created]);
    expect((await store.prompts.list({ search: 'SUMMARISE' })).map((prompt) => prompt.id)).toEqual([
      other.id,
    ]);
    // `%` and `_` are searched for as themselves.
    expect((await store.prompts.list({ search: '50%' })).map((prompt) => prompt.id)).toEqual([other.id]);
    expect(await store.prompts.list({ search: '_' })).toEqual([]);
  });

  it("generates Portkey's slug from the name", async () => {
    const created = await store.prompts.create(
      { name: 'A very long prompt name for testing', string: 'hi', parameters: {} },
      'cli',
    );
    expect(created.slug).toMatch(/^pp-a-very-long-prompt-n-[0-9a-f]{6}$/);
    const unnamed = await store.prompts.create({ name: '***', string: 'hi', parameters: {} }, 'cli');
    expect(unnamed.slug).toMatch(/^pp-prompt-[0-9a-f]{6}$/);
  });

  it('names the prompts whose published, latest or labelled version uses a virtual key', async () => {
    await store.prompts.create(SUPPORT_REPLY, 'cli');
    expect(await store.prompts.usingVirtualKey('openai-prod')).toEqual(['support-reply']);
    // Version 2 on another key, not published: version 1 (published) still uses it.
    await store.prompts.update('support-reply', { virtual_key: 'anthropic-prod' }, 'cli');
    expect(await store.prompts.usingVirtualKey('openai-prod')).toEqual(['support-reply']);
    expect(await store.prompts.usingVirtualKey('anthropic-prod')).toEqual(['support-reply']);
    // Published: version 1 is neither published nor latest, until a label points at it.
    await store.prompts.publish('support-reply', 2, 'cli');
    expect(await store.prompts.usingVirtualKey('openai-prod')).toEqual([]);
    await store.prompts.label('support-reply', 1, 'staging', 'cli');
    expect(await store.prompts.usingVirtualKey('openai-prod')).toEqual(['support-reply']);
    expect(await store.prompts.usingVirtualKey('nobody')).toEqual([]);
  });

  it('finds the published, latest or labelled templates containing a text, of its own kind, % and _ as themselves', async () => {
    await store.promptPartials.create({ slug: 'tone', name: 'Tone', string: 'Be brief.' }, 'cli');
    await store.promptPartials.create({ slug: 'outer', name: 'Outer', string: '{{> tone}} Thanks.' }, 'cli');
    await store.prompts.create(
      { slug: 'uses-tone', name: 'Uses', string: '{{>tone@1}} {{q}}', parameters: {} },
      'cli',
    );
    await store.prompts.create(
      { slug: 'plain', name: 'Plain', string: '50% of {{q}}', parameters: {} },
      'cli',
    );
    const usesTone = await store.prompts.get('uses-tone');
    expect(await store.prompts.templatesContaining('tone')).toEqual([
      { id: usesTone?.id, slug: 'uses-tone', template: '{{>tone@1}} {{q}}' },
    ]);
    expect(await store.promptPartials.templatesContaining('tone')).toEqual([
      { id: expect.any(String), slug: 'outer', template: '{{> tone}} Thanks.' },
    ]);
    expect((await store.prompts.templatesContaining('50%')).map((row) => row.slug)).toEqual(['plain']);
    expect(await store.prompts.templatesContaining('_')).toEqual([]);
    // Version 2 drops it: the published version 1 still has it, and so does a labelled one once published moves.
    await store.prompts.update('uses-tone', { string: 'No partial {{q}}' }, 'cli');
    expect((await store.prompts.templatesContaining('tone')).map((row) => row.slug)).toEqual(['uses-tone']);
    await store.prompts.publish('uses-tone', 2, 'cli');
    expect(await store.prompts.templatesContaining('tone')).toEqual([]);
    await store.prompts.label('uses-tone', 1, 'staging', 'cli');
    expect((await store.prompts.templatesContaining('tone')).map((row) => row.slug)).toEqual(['uses-tone']);
  });

  it('a label pointed at a version that does not exist names the version by its number', async () => {
    await store.prompts.create(SUPPORT_REPLY, 'cli');
    await expect(store.prompts.label('support-reply', 2, 'staging', 'cli')).rejects.toMatchObject({
      code: 'not_found',
      message: 'the prompt "support-reply" has no version 2',
    });
  });

  it('makes a new version on a change of content, published only when asked', async () => {
    const created = await store.prompts.create(SUPPORT_REPLY, 'cli');
    const renamed = await store.prompts.update('support-reply', { name: 'Support' }, 'key:admin');
    expect(renamed).toMatchObject({ name: 'Support', latestVersion: 1, publishedVersion: 1 });

    const updated = await store.prompts.update(
      'support-reply',
      { string: 'Answer {{question}}', model: null, version_description: 'shorter' },
      'key:admin',
    );
    expect(updated).toMatchObject({ publishedVersion: 1, latestVersion: 2, published: created.published });
    const versions = await store.prompts.versions('support-reply');
    expect(versions.map((version) => version.version)).toEqual([2, 1]);
    expect(versions[0]).toMatchObject({
      template: 'Answer {{question}}',
      // Copied from version 1, or cleared by null.
      parameters: SUPPORT_REPLY.parameters,
      virtualKey: 'openai-prod',
      tools: SUPPORT_REPLY.tools,
      toolChoice: 'auto',
      templateMetadata: { owner: 'support' },
      model: null,
      description: 'shorter',
      createdBy: 'key:admin',
    });
    expect(await store.prompts.version('support-reply', 2)).toEqual(versions[0]);
    expect(await store.prompts.version(created.id, versions[1]?.id ?? '')).toEqual(created.published);
    expect(await store.prompts.version('support-reply', 3)).toBeUndefined();
    expect(await store.prompts.version('nope', 1)).toBeUndefined();
    await expect(store.prompts.versions('nope')).rejects.toMatchObject({ code: 'not_found' });

    const published = await store.prompts.publish('support-reply', 2, 'key:admin');
    expect(published).toMatchObject({ publishedVersion: 2, latestVersion: 2, published: versions[0] });
    expect((await store.prompts.get('support-reply'))?.published.version).toBe(2);
    // Back to 1: publishing any version is allowed.
    expect((await store.prompts.publish('support-reply', 1, 'cli')).published).toEqual(created.published);
    await expect(store.prompts.publish('support-reply', 7, 'cli')).rejects.toMatchObject({
      code: 'not_found',
      message: 'the prompt "support-reply" has no version 7',
    });
    await expect(store.prompts.publish('nope', 1, 'cli')).rejects.toMatchObject({
      code: 'not_found',
      message: 'no prompt has the id "nope"',
    });
  });

  it('resolves slug, id, @version and @latest for the request path', async () => {
    const created = await store.prompts.create(SUPPORT_REPLY, 'cli');
    await store.prompts.update('support-reply', { string: 'v2' }, 'cli');
    const prompt = { id: created.id, slug: 'support-reply', name: 'Support reply' };

    expect(await store.prompts.resolve('support-reply')).toEqual({ prompt, version: created.published });
    expect(await store.prompts.resolve(created.id)).toEqual({ prompt, version: created.published });
    expect(await store.prompts.resolve('support-reply@1')).toEqual({ prompt, version: created.published });
    expect((await store.prompts.resolve(`${created.id}@2`))?.version.template).toBe('v2');
    expect((await store.prompts.resolve('support-reply@latest'))?.version).toMatchObject({
      version: 2,
      template: 'v2',
    });
    expect(await store.prompts.resolve('nope')).toBeUndefined();
    expect(await store.prompts.resolve('nope@latest')).toBeUndefined();
    expect(await store.prompts.resolve('support-reply@3')).toBeUndefined();
    for (const garbage of [
      '',
      'support-reply@',
      'support-reply@0',
      'support-reply@01',
      'support-reply@-1',
      'support-reply@1.5',
      'support-reply@99999999999',
      'support-reply@published',
      'support-reply@1@2',
      'Support-Reply',
      "x' or 1=1 --",
    ]) {
      expect(await store.prompts.resolve(garbage), garbage).toBeUndefined();
    }
  });

  it('deletes a prompt with its versions', async () => {
    const created = await store.prompts.create(SUPPORT_REPLY, 'cli');
    await store.prompts.update('support-reply', { string: 'v2' }, 'cli');
    await store.prompts.delete('support-reply', 'cli');
    expect(await store.prompts.get(created.id)).toBeUndefined();
    expect(await store.prompts.list()).toEqual([]);
    const rows = await sql<{ count: number | string }>`select count(*) as count from prompt_versions`.execute(
      store.db,
    );
    expect(Number(rows.rows[0]?.count)).toBe(0);
    await expect(store.prompts.delete('support-reply', 'cli')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses invalid input, naming the field', async () => {
    const { string: _string, ...withoutTemplate } = SUPPORT_REPLY;
    await expect(store.prompts.create(withoutTemplate, 'cli')).rejects.toMatchObject({
      code: 'invalid',
      status: 400,
      issues: [expect.objectContaining({ path: 'string' })],
    });
    await expect(store.prompts.create({ ...SUPPORT_REPLY, temperature: 1 }, 'cli')).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringContaining('temperature'),
    });
    await expect(store.prompts.create({ ...SUPPORT_REPLY, slug: 'Bad Slug' }, 'cli')).rejects.toMatchObject({
      code: 'invalid',
      issues: [expect.objectContaining({ path: 'slug' })],
    });
    await expect(
      store.prompts.create({ ...SUPPORT_REPLY, parameters: ['not', 'an', 'object'] }, 'cli'),
    ).rejects.toMatchObject({ code: 'invalid', issues: [expect.objectContaining({ path: 'parameters' })] });
    await expect(
      store.prompts.create({ ...SUPPORT_REPLY, string: 'x'.repeat(1024 * 1024 + 1) }, 'cli'),
    ).rejects.toMatchObject({ code: 'invalid', issues: [expect.objectContaining({ path: 'string' })] });

    await store.prompts.create(SUPPORT_REPLY, 'cli');
    await expect(store.prompts.update('support-reply', {}, 'cli')).rejects.toMatchObject({
      code: 'invalid',
      message: 'invalid prompt: (root): expected at least one field to change',
    });
    await expect(store.prompts.update('support-reply', { string: null }, 'cli')).rejects.toMatchObject({
      code: 'invalid',
      issues: [expect.objectContaining({ path: 'string' })],
    });
    await expect(store.prompts.update('support-reply', { slug: 'other' }, 'cli')).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringContaining('slug'),
    });
    await expect(store.prompts.update('nope', { name: 'x' }, 'cli')).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(store.prompts.publish('support-reply', 0, 'cli')).rejects.toMatchObject({
      code: 'invalid',
      issues: [expect.objectContaining({ path: 'version' })],
    });
    expect((await store.prompts.versions('support-reply')).map((version) => version.version)).toEqual([1]);
  });

  it('refuses a slug that is taken', async () => {
    const first = await store.prompts.create(SUPPORT_REPLY, 'cli');
    await expect(store.prompts.create(SUPPORT_REPLY, 'cli')).rejects.toMatchObject({
      code: 'conflict',
      status: 409,
      message: 'a prompt "support-reply" already exists',
    });
    // An id is a name too.
    await expect(store.prompts.create({ ...SUPPORT_REPLY, slug: first.id }, 'cli')).rejects.toMatchObject({
      code: 'conflict',
    });
    expect(await store.prompts.list()).toHaveLength(1);
  });

  it('audits every change', async () => {
    const created = await store.prompts.create(SUPPORT_REPLY, 'cli');
    await store.prompts.update('support-reply', { string: 'v2' }, 'key:admin');
    await store.prompts.publish('support-reply', 2, 'key:admin');
    await store.prompts.delete('support-reply', 'cli');
    const entries = await store.audit.list({ entity: 'prompt', entityId: created.id });
    expect(entries.map((entry) => [entry.action, entry.actor])).toEqual([
      ['delete', 'cli'],
      ['publish', 'key:admin'],
      ['update', 'key:admin'],
      ['create', 'cli'],
    ]);
    const [deleted, published, updated, createdEntry] = entries;
    expect(createdEntry?.after).toMatchObject({ slug: 'support-reply', published: { version: 1 } });
    // An update that is not published yet is still in the log, as the latest version.
    expect(updated?.before).toMatchObject({ latestVersion: 1, latest: { version: 1 } });
    expect(updated?.after).toMatchObject({
      publishedVersion: 1,
      published: { version: 1 },
      latest: { version: 2, template: 'v2' },
    });
    expect(published?.after).toMatchObject({ publishedVersion: 2, published: { template: 'v2' } });
    expect(deleted?.before).toMatchObject({ slug: 'support-reply', publishedVersion: 2 });
    expect(deleted?.after).toBeNull();
  });

  it('keeps partials apart from prompts: their own input, slugs shared, versions and publish alike', async () => {
    const partial = await store.promptPartials.create(
      { name: 'Tone', string: 'Be brief and kind to {{customer}}.', workspace_id: 'ws-1' },
      'cli',
    );
    expect(partial).toMatchObject({ kind: 'partial', publishedVersion: 1, published: { parameters: {} } });
    expect(partial.slug).toMatch(/^pl-tone-[0-9a-f]{6}$/);
    await store.prompts.create(SUPPORT_REPLY, 'cli');
    // Each repository sees its own kind only.
    expect((await store.promptPartials.list()).map((record) => record.slug)).toEqual([partial.slug]);
    expect((await store.prompts.list()).map((record) => record.slug)).toEqual(['support-reply']);
    expect(await store.prompts.get(partial.slug)).toBeUndefined();
    expect(await store.promptPartials.resolve('support-reply')).toBeUndefined();
    expect((await store.promptPartials.resolve(partial.slug))?.version.template).toBe(
      'Be brief and kind to {{customer}}.',
    );
    // One slug names one thing across both.
    await expect(
      store.promptPartials.create({ slug: 'support-reply', name: 'x', string: 'x' }, 'cli'),
    ).rejects.toMatchObject({ code: 'conflict', message: 'a prompt "support-reply" already exists' });
    // A partial takes a template and a description, not a prompt's model settings.
    await expect(
      store.promptPartials.create({ name: 'x', string: 'x', model: 'gpt-4o' }, 'cli'),
    ).rejects.toMatchObject({ code: 'invalid' });
    // `description` describes the new version, published when asked.
    const changed = await store.promptPartials.update(
      partial.slug,
      { string: 'Be brief.', description: 'shorter' },
      'key:admin',
    );
    expect(changed).toMatchObject({ latestVersion: 2, publishedVersion: 1 });
    expect(await store.promptPartials.version(partial.slug, 2)).toMatchObject({ description: 'shorter' });
    await store.promptPartials.publish(partial.slug, 2, 'key:admin');
    expect((await store.promptPartials.resolve(partial.slug))?.version.template).toBe('Be brief.');
    await expect(store.prompts.publish(partial.slug, 1, 'cli')).rejects.toMatchObject({
      code: 'not_found',
      message: `no prompt has the id "${partial.slug}"`,
    });
    await store.promptPartials.delete(partial.slug, 'cli');
    expect(await store.promptPartials.list()).toEqual([]);
    const audit = await store.audit.list({ entity: 'prompt_partial', entityId: partial.id });
    expect(audit.map((entry) => entry.action)).toEqual(['delete', 'publish', 'update', 'create']);
  });
});
