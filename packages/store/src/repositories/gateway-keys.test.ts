import { describe, expect, it } from 'vitest';
import { ENGINES, freshStoreForEachTest } from '../../test/support/engines.js';
import { StoreError } from '../errors.js';
import { hashGatewayKeySecret } from '../ids.js';
import type { Store } from '../open-store.js';

describe.each(ENGINES)('gateway keys on %s', (engine) => {
  let store: Store;
  const each = freshStoreForEachTest(engine, (opened) => {
    store = opened;
  });

  it('creates a key whose secret is returned once and stored only as a hash', async () => {
    const { record, secret } = await store.gatewayKeys.create({ id: 'team-a', name: 'Team A' }, 'cli');
    expect(secret).toMatch(/^pk-[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({
      id: 'team-a',
      name: 'Team A',
      tenant: 'team-a',
      role: 'user',
      revokedAt: null,
    });
    expect(record.keyHint).toBe(`pk-…${secret.slice(-4)}`);
    expect(JSON.stringify(record)).not.toContain(secret.slice(3));
    const row = await store.db.selectFrom('gateway_keys').selectAll().executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashGatewayKeySecret(secret));
    const served = store.catalog.snapshot.gatewayKeysByHash.get(hashGatewayKeySecret(secret));
    expect(served).toMatchObject({ id: 'team-a', tenant: 'team-a', role: 'user' });
    expect(store.catalog.snapshot.tenants.has('team-a')).toBe(true);
  });

  it('shares a tenant between keys, and generates ids', async () => {
    const first = await store.gatewayKeys.create(
      { tenant: 'acme', role: 'admin', scopes: ['configs.read'] },
      'cli',
    );
    const second = await store.gatewayKeys.create({ tenant: 'acme' }, 'cli');
    expect(first.record.id).not.toBe(second.record.id);
    expect(first.record.id).toMatch(/^[0-9a-f-]{36}$/);
    expect([first.record.tenant, second.record.tenant]).toEqual(['acme', 'acme']);
    expect(await store.gatewayKeys.hasAdmin()).toBe(true);
    expect((await store.gatewayKeys.list({ tenant: 'acme' })).map((key) => key.id).sort()).toEqual(
      [first.record.id, second.record.id].sort(),
    );
  });

  it('revokes a key: gone from the snapshot, kept in the list with revokedAt, audited', async () => {
    const { secret } = await store.gatewayKeys.create({ id: 'k1' }, 'key:admin');
    const revoked = await store.gatewayKeys.revoke('k1', 'key:admin');
    expect(revoked.revokedAt).not.toBeNull();
    expect(store.catalog.snapshot.gatewayKeysByHash.has(hashGatewayKeySecret(secret))).toBe(false);
    expect(store.catalog.snapshot.retiredKeyHashes.has(hashGatewayKeySecret(secret))).toBe(true);
    expect(await store.gatewayKeys.list()).toEqual([]);
    expect((await store.gatewayKeys.list({ includeRevoked: true })).map((key) => key.id)).toEqual(['k1']);
    const audit = await store.audit.list({ entity: 'gateway_key', entityId: 'k1' });
    expect(audit.map((entry) => [entry.action, entry.actor])).toEqual([
      ['revoke', 'key:admin'],
      ['create', 'key:admin'],
    ]);
    expect(JSON.stringify(audit)).not.toContain(hashGatewayKeySecret(secret));
    expect(JSON.stringify(audit)).not.toContain(secret.slice(3));
  });

  it('updates fields, checks references, deletes', async () => {
    await store.virtualKeys.create(
      { slug: 'openai-prod', name: 'OpenAI', provider: 'openai', apiKey: 'sk-x' },
      'cli',
    );
    await store.gatewayKeys.create({ id: 'k2' }, 'cli');
    const updated = await store.gatewayKeys.update(
      'k2',
      { tenant: 'other', virtualKeys: ['openai-prod'] },
      'cli',
    );
    expect(updated).toMatchObject({ tenant: 'other', virtualKeys: ['openai-prod'] });
    const served = [...store.catalog.snapshot.gatewayKeysByHash.values()].find((key) => key.id === 'k2');
    expect([...(served?.virtualKeys ?? [])]).toEqual(['openai-prod']);
    await expect(store.gatewayKeys.update('k2', { virtualKeys: ['nope'] }, 'cli')).rejects.toMatchObject({
      code: 'invalid',
      status: 400,
      issues: [{ path: 'virtualKeys.0', message: 'no virtual key "nope"' }],
    });
    await store.gatewayKeys.delete('k2', 'cli');
    await expect(store.gatewayKeys.get('k2')).rejects.toMatchObject({ code: 'not_found', status: 404 });
    await expect(store.gatewayKeys.revoke('missing', 'cli')).rejects.toBeInstanceOf(StoreError);
  });

  it('refuses a duplicate id and invalid input with paths', async () => {
    await store.gatewayKeys.create({ id: 'dup' }, 'cli');
    await expect(store.gatewayKeys.create({ id: 'dup' }, 'cli')).rejects.toMatchObject({
      code: 'conflict',
      status: 409,
    });
    await expect(store.gatewayKeys.create({ id: 'Bad Id', expiresAt: 'soon' }, 'cli')).rejects.toMatchObject({
      code: 'invalid',
      issues: [
        { path: 'id', message: expect.stringContaining('[a-z0-9_-]') },
        { path: 'expiresAt', message: 'expected an ISO 8601 date-time' },
      ],
    });
  });

  it('refuses an expiry in the past, on create and when an update changes it, in plain words', async () => {
    const past = new Date(Date.now() - 60_000);
    await expect(
      store.gatewayKeys.create({ id: 'dead-on-arrival', expiresAt: past }, 'cli'),
    ).rejects.toMatchObject({
      code: 'invalid',
      issues: [
        { path: 'expiresAt', message: expect.stringMatching(/^is in the past \(.+\): give a later date/) },
      ],
    });
    await expect(store.gatewayKeys.get('dead-on-arrival')).rejects.toMatchObject({ code: 'not_found' });
    const { record } = await store.gatewayKeys.create(
      { id: 'lives', expiresAt: new Date(Date.now() + 60_000) },
      'cli',
    );
    await expect(store.gatewayKeys.update(record.id, { expiresAt: past }, 'cli')).rejects.toMatchObject({
      code: 'invalid',
      issues: [{ path: 'expiresAt' }],
    });
    // Its stored expiry, resent unchanged with another field, is not a change.
    const renamed = await store.gatewayKeys.update(
      record.id,
      { name: 'Lives on', expiresAt: record.expiresAt },
      'cli',
    );
    expect(renamed).toMatchObject({ name: 'Lives on', expiresAt: record.expiresAt });
  });

  it('leaves an expired key out of the snapshot and rebuilds it when a key expires', async () => {
    const soon = await store.gatewayKeys.create({ expiresAt: new Date(Date.now() + 300) }, 'cli');
    const hash = hashGatewayKeySecret(soon.secret);
    expect(store.catalog.snapshot.gatewayKeysByHash.get(hash)?.expiresAt).toBeGreaterThan(Date.now());
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(store.catalog.snapshot.gatewayKeysByHash.has(hash)).toBe(false);
  });

  it('writes last-used times in batches, off the request path', async () => {
    const { record } = await store.gatewayKeys.create({ id: 'used' }, 'cli');
    expect(record.lastUsedAt).toBeNull();
    store.recordKeyUse('used', Date.UTC(2030, 0, 1));
    store.recordKeyUse('used', Date.UTC(2030, 0, 2));
    const before = store.catalog.snapshot.version;
    await store.close();
    const reopened = await each.fixture.open();
    expect((await reopened.gatewayKeys.get('used')).lastUsedAt).toBe('2030-01-02T00:00:00.000Z');
    // Last-used writes change nothing the request path serves: no snapshot reload anywhere.
    expect(reopened.catalog.snapshot.version).toBe(before);
  });

  it('keeps a description and Portkey’s other API-key fields as sent', async () => {
    const attributes = { type: 'workspace-service', user_id: null, defaults: { config_id: 'pc-a' } };
    const { record } = await store.gatewayKeys.create(
      { id: 'described', description: 'CI runner', attributes },
      'cli',
    );
    expect(record).toMatchObject({ description: 'CI runner', attributes });
    const updated = await store.gatewayKeys.update('described', { description: null }, 'cli');
    expect(updated).toMatchObject({ description: null, attributes });
    expect(await store.gatewayKeys.get('described')).toMatchObject({ description: null, attributes });
    await expect(
      store.gatewayKeys.create({ attributes: { big: 'x'.repeat(20_000) } }, 'cli'),
    ).rejects.toMatchObject({ code: 'invalid', issues: [{ path: 'attributes' }] });
  });
});
