import { describe, expect, it } from 'vitest';
import { ENGINES, freshStoreForEachTest } from '../../test/support/engines.js';
import type { Store } from '../open-store.js';
import { Secret } from '../secret.js';

const API_KEY = 'sk-proj-4f1d8a2b9c3e7f6a5d4c3b2a1908f7e6';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe.each(ENGINES)('virtual keys on %s', (engine) => {
  let store: Store;
  freshStoreForEachTest(engine, (opened) => {
    store = opened;
  });

  it('stores credentials encrypted and returns them masked; the snapshot has them as Secrets', async () => {
    const record = await store.virtualKeys.create(
      {
        slug: 'bedrock-prod',
        name: 'Bedrock prod',
        provider: 'bedrock',
        apiKey: API_KEY,
        options: {
          aws_region: 'us-east-1',
          aws_secret_access_key: AWS_SECRET,
          aws_access_key_id: 'AKIAEXAMPLE123456789',
        },
        models: ['anthropic.claude-3-haiku'],
        usageLimits: { credit_limit: 10, type: 'cost', periodic_reset: 'monthly' },
        rateLimits: [{ type: 'requests', unit: 'rpm', value: 60 }],
      },
      'cli',
    );
    expect(record).toMatchObject({
      slug: 'bedrock-prod',
      provider: 'bedrock',
      options: { aws_region: 'us-east-1' },
      secretHints: { api_key: 'sk-…f7e6', aws_secret_access_key: 'wJa…EKEY', aws_access_key_id: 'AKI…6789' },
      usageLimits: { credit_limit: 10, type: 'cost', periodic_reset: 'monthly' },
      rateLimits: [{ type: 'requests', unit: 'rpm', value: 60 }],
    });
    expect(JSON.stringify(await store.virtualKeys.list())).not.toContain(API_KEY);
    const served = store.catalog.snapshot.virtualKeys.get('bedrock-prod');
    expect(served?.apiKey?.reveal()).toBe(API_KEY);
    expect(served?.options.aws_secret_access_key).toBeInstanceOf(Secret);
    expect(String((served?.options.aws_secret_access_key as Secret | undefined)?.reveal())).toBe(AWS_SECRET);
    expect(served?.options.aws_region).toBe('us-east-1');
    expect(JSON.stringify(served)).not.toContain(API_KEY);
  });

  it('refuses an expiry in the past, on create and when an update changes it', async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    await expect(
      store.virtualKeys.create({ slug: 'dead', name: 'Dead', provider: 'openai', expiresAt: past }, 'cli'),
    ).rejects.toMatchObject({ code: 'invalid', issues: [{ path: 'expiresAt' }] });
    await store.virtualKeys.create({ slug: 'alive', name: 'Alive', provider: 'openai' }, 'cli');
    await expect(store.virtualKeys.update('alive', { expiresAt: past }, 'cli')).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringContaining('expiresAt: is in the past'),
    });
  });

  it('leaves an expired key out of the snapshot and names it among the expired ones', async () => {
    await store.virtualKeys.create(
      {
        slug: 'gone',
        name: 'Gone',
        provider: 'openai',
        expiresAt: new Date(Date.now() + 200).toISOString(),
      },
      'cli',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    await store.virtualKeys.create(
      {
        slug: 'live',
        name: 'Live',
        provider: 'openai',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
      'cli',
    );
    const snapshot = store.catalog.snapshot;
    expect([...snapshot.virtualKeys.keys()]).toEqual(['live']);
    expect([...snapshot.expiredVirtualKeys]).toEqual(['gone']);
  });

  it('disables a key (left out of the snapshot, named among the disabled ones) and enables it again, audited', async () => {
    await store.virtualKeys.create(
      { slug: 'paused', name: 'Paused', provider: 'openai', apiKey: API_KEY },
      'cli',
    );
    const disabled = await store.virtualKeys.update('paused', { disabled: true }, 'admin:ops');
    expect(disabled.disabledAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await store.virtualKeys.get('paused')).disabledAt).toBe(disabled.disabledAt);
    expect(store.catalog.snapshot.virtualKeys.has('paused')).toBe(false);
    expect([...store.catalog.snapshot.disabledVirtualKeys]).toEqual(['paused']);
    // Disabling again keeps when it was first disabled.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await store.virtualKeys.update('paused', { disabled: true }, 'cli')).disabledAt).toBe(
      disabled.disabledAt,
    );
    const enabled = await store.virtualKeys.update('paused', { disabled: false }, 'cli');
    expect(enabled.disabledAt).toBeNull();
    expect(store.catalog.snapshot.virtualKeys.get('paused')?.apiKey?.reveal()).toBe(API_KEY);
    expect(store.catalog.snapshot.disabledVirtualKeys.size).toBe(0);
    const audit = await store.audit.list({ entity: 'virtual_key' });
    const changes = audit.filter((entry) => entry.action === 'update').map((entry) => entry.after);
    expect(changes.map((after) => (after as { disabledAt: string | null }).disabledAt !== null)).toEqual([
      false,
      true,
      true,
    ]);
    expect(JSON.stringify(audit)).not.toContain(API_KEY);
  });

  it('generates a Portkey-style slug and looks keys up by id or slug', async () => {
    const record = await store.virtualKeys.create({ name: 'Azure Test', provider: 'azure-openai' }, 'cli');
    expect(record.slug).toMatch(/^azure-test-[0-9a-f]{6}$/);
    expect((await store.virtualKeys.get(record.id)).slug).toBe(record.slug);
    expect((await store.virtualKeys.get(record.slug)).id).toBe(record.id);
  });

  it('merges option changes, keeping stored credentials, and re-encrypts a new API key', async () => {
    const created = await store.virtualKeys.create(
      {
        slug: 'vk',
        name: 'vk',
        provider: 'bedrock',
        apiKey: API_KEY,
        options: { aws_secret_access_key: AWS_SECRET, aws_region: 'us-east-1' },
      },
      'cli',
    );
    const before = await store.db.selectFrom('virtual_keys').select('secret').executeTakeFirstOrThrow();
    const updated = await store.virtualKeys.update('vk', { options: { aws_region: 'eu-west-1' } }, 'cli');
    expect(updated.options).toEqual({ aws_region: 'eu-west-1' });
    expect(updated.secretHints.aws_secret_access_key).toBe('wJa…EKEY');
    expect(store.catalog.snapshot.virtualKeys.get('vk')?.options.aws_region).toBe('eu-west-1');
    await store.virtualKeys.update(
      created.id,
      { apiKey: 'sk-new-key-000000000000000000', options: { aws_region: null } },
      'cli',
    );
    const served = store.catalog.snapshot.virtualKeys.get('vk');
    expect(served?.apiKey?.reveal()).toBe('sk-new-key-000000000000000000');
    expect(served?.options.aws_region).toBeUndefined();
    const after = await store.db.selectFrom('virtual_keys').select('secret').executeTakeFirstOrThrow();
    expect(Buffer.from(after.secret as Uint8Array).equals(Buffer.from(before.secret as Uint8Array))).toBe(
      false,
    );
    const audit = await store.audit.list({ entity: 'virtual_key' });
    expect(audit.map((entry) => entry.action)).toEqual(['update', 'update', 'create']);
    expect(JSON.stringify(audit)).not.toContain(API_KEY);
    expect(JSON.stringify(audit)).not.toContain(AWS_SECRET);
  });

  it('refuses a provider key that cannot be sent in an HTTP header, on create and on update', async () => {
    for (const apiKey of [
      'sk-ключ-🔑-1234567890',
      'sk-abc\r\nX-Injected: 1',
      'sk-pasted-with-newline\n',
      ' sk-x',
    ]) {
      await expect(
        store.virtualKeys.create({ name: 'bad key', provider: 'openai', apiKey }, 'cli'),
      ).rejects.toMatchObject({
        code: 'invalid',
        issues: [{ path: 'apiKey', message: expect.stringContaining('sent in an HTTP header') }],
      });
    }
    await store.virtualKeys.create(
      { slug: 'good', name: 'good', provider: 'openai', apiKey: API_KEY },
      'cli',
    );
    await expect(store.virtualKeys.update('good', { apiKey: 'sk-…1234' }, 'cli')).rejects.toMatchObject({
      code: 'invalid',
      issues: [{ path: 'apiKey' }],
    });
    expect(store.catalog.snapshot.virtualKeys.get('good')?.apiKey?.reveal()).toBe(API_KEY);
  });

  it('deletes; unknown ids are not_found; bad input lists paths', async () => {
    await store.virtualKeys.create(
      { slug: 'gone', name: 'gone', provider: 'openai', apiKey: API_KEY },
      'cli',
    );
    await store.virtualKeys.delete('gone', 'cli');
    expect(store.catalog.snapshot.virtualKeys.has('gone')).toBe(false);
    await expect(store.virtualKeys.get('gone')).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      store.virtualKeys.create(
        {
          name: 'x',
          provider: 'not-a-provider',
          usageLimits: { credit_limit: 0.5 },
          rateLimits: [{ type: 'requests', unit: 'rpy', value: 1 }],
        } as never,
        'cli',
      ),
    ).rejects.toMatchObject({
      code: 'invalid',
      issues: [
        { path: 'provider' },
        { path: 'usageLimits.credit_limit', message: 'expected at least 1 (USD), got 0.5' },
        { path: 'rateLimits.0.unit' },
      ],
    });
  });
});
