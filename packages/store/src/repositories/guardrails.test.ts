import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFixture, ENGINES, type EngineFixture, postgresUp } from '../../test/support/engines.js';
import { generateMasterKey } from '../index.js';
import type { Store } from '../open-store.js';

const PII = { type: 'mutator', checks: [{ id: 'pk.pii', parameters: { redact: true } }] };
const DENY_WORDS = {
  deny: true,
  checks: [{ id: 'default.contains', parameters: { operator: 'none', words: ['Apple'] } }],
};

describe.each(ENGINES)('guardrails on %s', (engine) => {
  let fixture: EngineFixture;
  let store: Store;
  beforeEach(async (context) => {
    if (engine === 'postgres' && !postgresUp) context.skip();
    fixture = await createFixture(engine);
    store = await fixture.open({
      settings: {
        source: 'pk.yaml',
        gatewayKeys: [],
        virtualKeys: [],
        configs: [],
        guardrails: [{ id: 'file-shield', definition: PII }],
      },
    });
  });
  afterEach(async () => {
    await fixture?.cleanup();
  });

  it('creates a guardrail with a Portkey-style slug, served from the snapshot, and audits it', async () => {
    const record = await store.guardrails.create({ name: 'PII Shield', definition: PII }, 'key:admin-1');
    expect(record.slug).toMatch(/^pg-pii-sh-[0-9a-f]{6}$/);
    expect(record).toMatchObject({ name: 'PII Shield', definition: PII, status: 'active', managedBy: null });
    expect(store.catalog.snapshot.guardrails.get(record.slug)).toEqual({
      id: record.id,
      slug: record.slug,
      versionId: record.versionId,
      definition: PII,
    });
    const [entry] = await store.audit.list({ entity: 'guardrail' });
    expect(entry).toMatchObject({ action: 'create', actor: 'key:admin-1', entityId: record.id });
  });

  it('updates with a new version id, lists file-managed first, and deletes', async () => {
    const created = await store.guardrails.create(
      { slug: 'no-apple', name: 'No Apple', definition: { ...DENY_WORDS, id: 'ignored' } },
      'cli',
    );
    expect(created.definition).toEqual(DENY_WORDS);
    const updated = await store.guardrails.update('no-apple', { definition: PII, status: 'archived' }, 'cli');
    expect(updated.versionId).not.toBe(created.versionId);
    expect(updated).toMatchObject({ definition: PII, status: 'archived', name: 'No Apple' });
    expect(store.catalog.snapshot.guardrails.get('no-apple')?.definition).toEqual(PII);
    expect((await store.guardrails.list()).map((guardrail) => [guardrail.slug, guardrail.managedBy])).toEqual(
      [
        ['file-shield', 'pk.yaml'],
        ['no-apple', null],
      ],
    );
    await store.guardrails.delete(created.id, 'cli');
    expect(store.catalog.snapshot.guardrails.has('no-apple')).toBe(false);
    await expect(store.guardrails.get('no-apple')).rejects.toMatchObject({ code: 'not_found', status: 404 });
    const audit = await store.audit.list({ entity: 'guardrail', entityId: created.id });
    expect(audit.map((entry) => entry.action)).toEqual(['delete', 'update', 'create']);
    expect(audit[1]?.before).toMatchObject({ definition: DENY_WORDS });
  });

  it('refuses what the validator refuses, with paths under the definition, and writes nothing', async () => {
    const version = store.catalog.snapshot.version;
    const validate = () => [{ path: 'checks[0].parameters.rule', message: 'not a valid regex' }];
    await expect(
      store.guardrails.create({ slug: 'bad', name: 'bad', definition: DENY_WORDS }, 'cli', { validate }),
    ).rejects.toMatchObject({
      code: 'invalid',
      issues: [{ path: 'definition.checks[0].parameters.rule', message: 'not a valid regex' }],
    });
    await store.guardrails.create({ slug: 'good', name: 'good', definition: DENY_WORDS }, 'cli');
    await expect(
      store.guardrails.update('good', { definition: PII }, 'cli', { validate }),
    ).rejects.toMatchObject({ code: 'invalid' });
    expect((await store.guardrails.get('good')).definition).toEqual(DENY_WORDS);
    expect(store.catalog.snapshot.version).toBe(version + 1);
    await expect(
      store.guardrails.create({ name: 'x', definition: [] as unknown as Record<string, unknown> }, 'cli'),
    ).rejects.toMatchObject({ code: 'invalid', issues: [{ path: 'definition' }] });
  });

  it('keeps the settings file’s guardrails read-only and their ids taken', async () => {
    await expect(
      store.guardrails.create({ slug: 'file-shield', name: 'x', definition: PII }, 'cli'),
    ).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('pk.yaml') });
    await expect(store.guardrails.update('file-shield', { name: 'y' }, 'cli')).rejects.toMatchObject({
      code: 'read_only',
      status: 409,
      message: expect.stringContaining('pk.yaml'),
    });
    await expect(store.guardrails.delete('file-shield', 'cli')).rejects.toMatchObject({ code: 'read_only' });
    expect(await store.guardrails.get('file-shield')).toMatchObject({
      managedBy: 'pk.yaml',
      definition: PII,
    });
    await store.guardrails.create({ slug: 'dup', name: 'dup', definition: PII }, 'cli');
    await expect(
      store.guardrails.create({ slug: 'dup', name: 'dup', definition: PII }, 'cli'),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  describe('secrets in a definition', () => {
    const CANARY = 'Bearer canary-hdr-5f1c2e9a7b';
    const TOKEN = 'canary-qs-0d8e3b6a';
    const WEBHOOK = {
      deny: true,
      checks: [
        {
          id: 'default.webhook',
          parameters: {
            webhookURL: `https://hooks.example/check?tenant=acme&token=${TOKEN}`,
            headers: { Authorization: CANARY, 'X-Team': 'ml' },
          },
        },
      ],
    };
    const MASKED_CHECK = {
      id: 'default.webhook',
      parameters: {
        webhookURL: 'https://hooks.example/check?tenant=…&token=…',
        headers: { Authorization: 'Bea…9a7b', 'X-Team': '…' },
      },
    };

    async function rowOf(slug: string) {
      return store.db.selectFrom('guardrails').selectAll().where('slug', '=', slug).executeTakeFirstOrThrow();
    }

    it('masks a webhook’s headers and URL token in reads, the audit log and the row, and serves them whole', async () => {
      const record = await store.guardrails.create(
        { slug: 'hook', name: 'hook', definition: WEBHOOK },
        'cli',
      );
      expect(record.definition).toEqual({ deny: true, checks: [MASKED_CHECK] });
      expect((await store.guardrails.get('hook')).definition).toEqual(record.definition);
      expect(JSON.stringify(await store.guardrails.list())).not.toMatch(/canary/);
      expect(JSON.stringify(await store.audit.list({ entity: 'guardrail' }))).not.toMatch(/canary/);
      const row = await rowOf('hook');
      expect(row.definition).not.toMatch(/canary/);
      expect(row.secret).not.toBeNull();
      expect(Buffer.from(row.secret as Uint8Array).toString('latin1')).not.toMatch(/canary/);
      expect(store.catalog.snapshot.guardrails.get('hook')?.definition).toEqual(WEBHOOK);
    });

    it('keeps the secrets a read masked when its definition is written back with another change', async () => {
      await store.guardrails.create({ slug: 'hook', name: 'hook', definition: WEBHOOK }, 'cli');
      const read = await store.guardrails.get('hook');
      await store.guardrails.update('hook', { definition: { ...read.definition, deny: false } }, 'cli');
      expect(store.catalog.snapshot.guardrails.get('hook')?.definition).toEqual({ ...WEBHOOK, deny: false });
      await store.guardrails.update('hook', { definitionChanges: { checks: read.definition.checks } }, 'cli');
      expect(store.catalog.snapshot.guardrails.get('hook')?.definition).toEqual({ ...WEBHOOK, deny: false });
      const changed = structuredClone(WEBHOOK);
      (
        changed.checks[0] as { parameters: { headers: Record<string, string> } }
      ).parameters.headers.Authorization = 'Bearer canary-new-value-99';
      await store.guardrails.update('hook', { definition: changed }, 'cli');
      expect(store.catalog.snapshot.guardrails.get('hook')?.definition).toEqual(changed);
    });

    it('leaves a check’s other parameters as written, a regex that looks like a URL among them', async () => {
      const rule = { id: 'default.regexMatch', parameters: { rule: 'https://evil\\.example/\\?token=\\w+' } };
      const record = await store.guardrails.create(
        { slug: 'rx', name: 'rx', definition: { deny: true, checks: [rule] } },
        'cli',
      );
      expect(record.definition).toEqual({ deny: true, checks: [rule] });
      expect((await rowOf('rx')).secret).toBeNull();
    });

    it('refuses a mask that masks none of the guardrail’s values, naming its path', async () => {
      await expect(
        store.guardrails.create(
          { slug: 'masked', name: 'masked', definition: { deny: true, checks: [MASKED_CHECK] } },
          'cli',
        ),
      ).rejects.toMatchObject({
        code: 'invalid',
        issues: expect.arrayContaining([
          { path: 'definition.checks[0].parameters.webhookURL', message: expect.any(String) },
        ]),
      });
    });

    it('reads a row written in clear before, masked, serves it, and encrypts it at its first change', async () => {
      await store.guardrails.create({ slug: 'hook', name: 'hook', definition: DENY_WORDS }, 'cli');
      await store.db
        .updateTable('guardrails')
        .set({ definition: JSON.stringify(WEBHOOK), secret: null, secret_key_id: null })
        .where('slug', '=', 'hook')
        .execute();
      const reopened = await fixture.open();
      expect(reopened.catalog.snapshot.guardrails.get('hook')?.definition).toEqual(WEBHOOK);
      const read = await reopened.guardrails.get('hook');
      expect(read.definition).toEqual({ deny: true, checks: [MASKED_CHECK] });
      await reopened.guardrails.update('hook', { name: 'renamed' }, 'cli');
      const row = await rowOf('hook');
      expect(row.definition).not.toMatch(/canary/);
      expect(row.secret).not.toBeNull();
      expect(reopened.catalog.snapshot.guardrails.get('hook')?.definition).toEqual(WEBHOOK);
    });

    it('encrypts a row written in clear before when the vault rotates (an upgraded store), and serves it under the new key alone', async () => {
      const rotating = await createFixture(engine);
      try {
        const old = generateMasterKey();
        const first = await rotating.open({ masterKey: old });
        await first.guardrails.create({ slug: 'hook', name: 'hook', definition: DENY_WORDS }, 'cli');
        // As pk before migration 0019 wrote it: the secrets in the definition's clear text.
        await first.db
          .updateTable('guardrails')
          .set({ definition: JSON.stringify(WEBHOOK), secret: null, secret_key_id: null })
          .where('slug', '=', 'hook')
          .execute();
        await first.close();
        const next = generateMasterKey();
        const rolled = await rotating.open({ masterKey: `${next},${old}` });
        expect((await rolled.vault.rotate('cli')).reencrypted).toBe(1);
        const row = await rolled.db
          .selectFrom('guardrails')
          .selectAll()
          .where('slug', '=', 'hook')
          .executeTakeFirstOrThrow();
        expect(row.definition).not.toMatch(/canary/);
        expect(row.secret).not.toBeNull();
        await rolled.close();
        const onlyNew = await rotating.open({ masterKey: next });
        expect(onlyNew.catalog.snapshot.guardrails.get('hook')?.definition).toEqual(WEBHOOK);
        expect((await onlyNew.guardrails.get('hook')).definition).toEqual({
          deny: true,
          checks: [MASKED_CHECK],
        });
        await onlyNew.close();
      } finally {
        await rotating.cleanup();
      }
    });

    it('re-encrypts a guardrail’s secrets when the vault rotates, and serves them under the new key alone', async () => {
      const rotating = await createFixture(engine);
      try {
        const old = generateMasterKey();
        const first = await rotating.open({ masterKey: old });
        await first.guardrails.create({ slug: 'hook', name: 'hook', definition: WEBHOOK }, 'cli');
        await first.close();
        const next = generateMasterKey();
        const rolled = await rotating.open({ masterKey: `${next},${old}` });
        expect((await rolled.vault.rotate('cli')).reencrypted).toBe(1);
        await rolled.close();
        const onlyNew = await rotating.open({ masterKey: next });
        expect(onlyNew.catalog.snapshot.guardrails.get('hook')?.definition).toEqual(WEBHOOK);
      } finally {
        await rotating.cleanup();
      }
    });
  });
});
