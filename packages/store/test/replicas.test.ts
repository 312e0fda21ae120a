import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import {
  generateMasterKey,
  hashGatewayKeySecret,
  isStaleCheck,
  openStore,
  type Store,
} from '../src/index.js';
import { createTcpProxy, createTemporaryDatabase, type TemporaryDatabase } from '../src/testing/index.js';
import { createFixture, ENGINES, type EngineFixture, postgresUp, waitUntil } from './support/engines.js';

describe.each(ENGINES)('two stores on one %s database (replicas, or a replica and the CLI)', (engine) => {
  let fixture: EngineFixture | undefined;
  afterEach(async () => {
    await fixture?.cleanup();
  });

  it.runIf(engine === 'sqlite' || postgresUp)('see each other’s changes within 1 s', async () => {
    fixture = await createFixture(engine);
    const a = await fixture.open({ pollIntervalMs: 250 });
    const b = await fixture.open({ pollIntervalMs: 250 });
    const { secret } = await a.gatewayKeys.create({ id: 'k' }, 'cli');
    const hash = hashGatewayKeySecret(secret);
    const seen = await waitUntil(() => b.catalog.snapshot.gatewayKeysByHash.has(hash), 2000);
    expect(seen).toBeLessThan(1000);
    await b.configs.create({ slug: 'pc-x', name: 'x', config: { provider: 'openai' } }, 'cli');
    expect(await waitUntil(() => a.catalog.snapshot.configs.has('pc-x'), 2000)).toBeLessThan(1000);
    await b.gatewayKeys.revoke('k', 'cli');
    const gone = await waitUntil(() => !a.catalog.snapshot.gatewayKeysByHash.has(hash), 2000);
    expect(gone).toBeLessThan(1000);
    const changes: number[] = [];
    a.catalog.onChange((snapshot) => changes.push(snapshot.version));
    await b.virtualKeys.create({ slug: 'vk', name: 'vk', provider: 'openai', apiKey: 'sk-abc' }, 'cli');
    await waitUntil(() => a.catalog.snapshot.virtualKeys.get('vk')?.apiKey?.reveal() === 'sk-abc', 2000);
    expect(changes.at(-1)).toBe(b.catalog.snapshot.version);
  });

  it.runIf(engine === 'sqlite' || postgresUp)(
    'refuse a write whose checks read a snapshot older than another replica’s change, and take it once checked again',
    async () => {
      fixture = await createFixture(engine);
      const a = await fixture.open({ pollIntervalMs: 60_000 });
      const b = await fixture.open({ pollIntervalMs: 60_000 });
      await a.virtualKeys.create(
        { slug: 'vk-old', name: 'old', provider: 'openai', apiKey: 'sk-abc' },
        'cli',
      );
      await b.refresh();
      // B checked that no config names the key on its snapshot; A then saved one that does.
      const checkedAt = b.catalog.snapshot.version;
      await a.configs.create({ slug: 'pc-uses', name: 'uses', config: { virtual_key: 'vk-old' } }, 'cli');
      const stale = await b.virtualKeys
        .delete('vk-old', 'cli', { checkedAt })
        .catch((error: unknown) => error);
      expect(isStaleCheck(stale)).toBe(true);
      expect(stale).toMatchObject({
        code: 'conflict',
        status: 409,
        message: expect.stringMatching(/try again/),
      });
      expect((await b.virtualKeys.get('vk-old')).slug).toBe('vk-old');
      // The config deleted through B: a config checked through A before that is stale in turn, and
      // the key's delete, checked on B's snapshot with nothing committed since, is taken.
      await a.refresh();
      const beforeDelete = a.catalog.snapshot.version;
      await b.configs.delete('pc-uses', 'cli');
      const late = await a.configs
        .create({ name: 'late', config: { virtual_key: 'vk-old' } }, 'cli', { checkedAt: beforeDelete })
        .catch((error: unknown) => error);
      expect(isStaleCheck(late)).toBe(true);
      await b.virtualKeys.delete('vk-old', 'cli', { checkedAt: b.catalog.snapshot.version });
      await expect(a.virtualKeys.get('vk-old')).rejects.toMatchObject({ code: 'not_found' });
    },
  );
});

describe.runIf(postgresUp)('PostgreSQL unavailable while running', () => {
  let database: TemporaryDatabase | undefined;
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close().catch(() => undefined);
    await database?.drop();
  });

  it('serves the last snapshot, refuses writes as unavailable, and recovers by itself', async () => {
    database = await createTemporaryDatabase();
    const masterKey = generateMasterKey();
    const proxy = await createTcpProxy('127.0.0.1', 5432);
    const viaProxy = new URL(database.url);
    viaProxy.port = String(proxy.port);
    const warnings: string[] = [];
    const replica = await openStore({
      databaseUrl: viaProxy.toString(),
      masterKey,
      pollIntervalMs: 100,
      onWarning: (message) => warnings.push(message),
    });
    const direct = await openStore({ databaseUrl: database.url, masterKey, onWarning: () => undefined });
    stores.push(replica, direct);
    const { secret } = await direct.gatewayKeys.create({ id: 'before' }, 'cli');
    await waitUntil(() => replica.catalog.snapshot.gatewayKeysByHash.has(hashGatewayKeySecret(secret)));

    // A query in flight when the connection drops fails; the process does not crash.
    const inFlight = sql`select pg_sleep(5)`.execute(replica.db);
    await new Promise((resolve) => setTimeout(resolve, 100));
    proxy.cut();
    await expect(inFlight).rejects.toThrow();
    await waitUntil(() => replica.status().available === false);
    expect(replica.catalog.snapshot.gatewayKeysByHash.has(hashGatewayKeySecret(secret))).toBe(true);
    await expect(replica.gatewayKeys.create({ id: 'during' }, 'cli')).rejects.toMatchObject({
      code: 'unavailable',
      status: 503,
    });
    const later = await direct.gatewayKeys.create({ id: 'after' }, 'cli');
    expect(warnings.some((warning) => warning.includes('serving requests from the last snapshot'))).toBe(
      true,
    );
    expect(warnings.join('\n')).not.toContain(masterKey);

    proxy.restore();
    await waitUntil(
      () => replica.catalog.snapshot.gatewayKeysByHash.has(hashGatewayKeySecret(later.secret)),
      5000,
    );
    expect(replica.status().available).toBe(true);
    expect(warnings.some((warning) => warning.includes('answers again'))).toBe(true);
    await proxy.close();
  });
});
