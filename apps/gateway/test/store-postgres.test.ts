import { generateMasterKey, hashGatewayKeySecret, openStore, type Store } from '@pk/store';
import {
  createTcpProxy,
  createTemporaryDatabase,
  requirePostgres,
  type TcpProxy,
  type TemporaryDatabase,
} from '@pk/store/testing';
import OpenAI from 'openai';
import { createHeaders, Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type GatewayProcess, runGatewayExpectingExit, startGateway } from './server-process.js';
import { textLine } from './support/output-lines.js';
import { chat, msUntil } from './support/store-fixtures.js';

// Replicas on PostgreSQL: two built gateway processes share a database of their own (created and
// dropped by this suite). Changes are made through @pk/store from the test, as the admin API and the
// CLI will make them (issue 17), integrations and their providers included: every replica serves
// them within 1 s, and keeps serving its last
// snapshot while the database is unreachable.
const postgresUp = await requirePostgres('gateway on PostgreSQL');
const VK_SECRET = 'sk-postgres-vault-secret-0123456789abcd';
const ROTATED_SECRET = 'sk-postgres-rotated-secret-9876543210ab';

describe.runIf(postgresUp)('gateways on PostgreSQL', () => {
  let database: TemporaryDatabase;
  let upstream: MockOpenAI;
  let proxy: TcpProxy;
  let store: Store;
  const masterKey = generateMasterKey();
  const gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    database = await createTemporaryDatabase();
    upstream = await startMockOpenAI({ record: true, chunks: 3 });
    proxy = await createTcpProxy('127.0.0.1', 5432);
    const viaProxy = new URL(database.url);
    viaProxy.port = String(proxy.port);
    const env = { PK_MASTER_KEY: 'env:PK_TEST_MASTER', PK_TEST_MASTER: masterKey };
    // Two replicas starting together: one migrates, the other waits on the advisory lock.
    gateways.push(
      ...(await Promise.all([
        startGateway({ ...env, PK_DATABASE_URL: database.url }),
        startGateway({ ...env, PK_DATABASE_URL: viaProxy.toString() }),
      ])),
    );
    store = await openStore({ databaseUrl: database.url, masterKey, onWarning: () => undefined });
  });

  afterAll(async () => {
    await store?.close();
    for (const gateway of gateways) gateway.child.kill('SIGTERM');
    await Promise.all(gateways.map((gateway) => gateway.exited));
    await proxy?.close();
    await upstream?.close();
    await database?.drop();
  });

  let asked = 0;
  /**
   * The authorization the mock saw for a chat through `gateway` with the gateway key `secret` (and
   * the Portkey options given) naming `model`, or undefined when the chat failed or was not answered
   * with the mock's content. The request is told apart by its own `user` field: the replicas are
   * asked at the same time.
   */
  const sentKey = async (
    gateway: GatewayProcess,
    secret: string,
    model: string,
    portkey: { readonly virtualKey?: string; readonly config?: string } = {},
  ): Promise<string | undefined> => {
    const client = new OpenAI({
      apiKey: 'unused',
      baseURL: `${gateway.url}/v1`,
      defaultHeaders: createHeaders({ apiKey: secret, ...portkey }),
      maxRetries: 0,
    });
    asked += 1;
    const user = `replica-check-${asked}`;
    try {
      const answer = await client.chat.completions.create({
        model,
        user,
        messages: [{ role: 'user', content: 'hi' }],
      });
      if (answer.choices[0]?.message.content !== 'The capital of France is Paris.') return undefined;
      const received = upstream.received.find((request) => request.body.user === user);
      return received === undefined ? undefined : String(received.headers.authorization);
    } catch {
      return undefined;
    }
  };

  it('a key created through the store works on both replicas within 1 s; revoked, it fails on both within 1 s', async () => {
    const { secret } = await store.gatewayKeys.create({ id: 'replicated', tenant: 'acme' }, 'cli');
    const created = await Promise.all(
      gateways.map((gateway) =>
        msUntil(
          async () => (await chat(gateway.url, secret, { 'x-portkey-provider': 'openai' })).status !== 401,
        ),
      ),
    );
    expect(Math.max(...created)).toBeLessThan(1000);
    await store.virtualKeys.create(
      {
        slug: 'openai-pg',
        name: 'pg',
        provider: 'openai',
        apiKey: VK_SECRET,
        options: { custom_host: `${upstream.url}/v1` },
      },
      'cli',
    );
    for (const gateway of gateways) {
      await msUntil(
        async () =>
          (await sentKey(gateway, secret, 'gpt-4o-mini', { virtualKey: 'openai-pg' })) ===
          `Bearer ${VK_SECRET}`,
      );
    }

    await store.gatewayKeys.revoke('replicated', 'cli');
    const revoked = await Promise.all(
      gateways.map((gateway) =>
        msUntil(
          async () => (await chat(gateway.url, secret, { 'x-portkey-provider': 'openai' })).status === 401,
        ),
      ),
    );
    expect(Math.max(...revoked)).toBeLessThan(1000);
    expect(store.catalog.snapshot.retiredKeyHashes.has(hashGatewayKeySecret(secret))).toBe(true);
  });

  it("an integration's new key reaches the requests of both replicas through its providers within 1 s", async () => {
    const { secret } = await store.gatewayKeys.create({ id: 'catalog-user', tenant: 'acme' }, 'cli');
    await store.integrations.create(
      {
        slug: 'pg-openai',
        name: 'pg openai',
        provider: 'openai',
        apiKey: VK_SECRET,
        options: { custom_host: `${upstream.url}/v1` },
      },
      'cli',
    );
    await store.integrations.createProvider(
      { integration: 'pg-openai', slug: 'pg-team', name: 'team' },
      'cli',
    );
    for (const gateway of gateways) {
      for (const model of ['@pg-openai/gpt-4o-mini', '@pg-team/gpt-4o-mini']) {
        await msUntil(async () => (await sentKey(gateway, secret, model)) === `Bearer ${VK_SECRET}`);
      }
    }
    await store.integrations.update('pg-openai', { apiKey: ROTATED_SECRET }, 'cli');
    const seen = await Promise.all(
      gateways.map((gateway) =>
        msUntil(
          async () => (await sentKey(gateway, secret, '@pg-team/gpt-4o-mini')) === `Bearer ${ROTATED_SECRET}`,
        ),
      ),
    );
    expect(Math.max(...seen)).toBeLessThan(1000);
    for (const gateway of gateways) {
      expect(await sentKey(gateway, secret, '@pg-openai/gpt-4o-mini')).toBe(`Bearer ${ROTATED_SECRET}`);
      expect(gateway.output()).not.toContain(ROTATED_SECRET);
    }
  });

  // The admin key of the admin tests below (made by the first).
  let adminKey = '';
  /** `accepted`, or the status and message an admin call was refused with. */
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => 'accepted',
      (error: { status?: number; message?: string }) => `${error.status} ${error.message}`,
    );
  /** The admin API of each replica, through `portkey-ai`, with the admin key. */
  const replicasAsAdmin = () =>
    gateways.map((gateway) => new Portkey({ apiKey: adminKey, baseURL: `${gateway.url}/v1` })) as [
      Portkey,
      Portkey,
    ];

  it('admin changes sent to both replicas at once all take: no lost field, no 409 for a new version, a guardrail’s checks and actions both kept', async () => {
    ({ secret: adminKey } = await store.gatewayKeys.create({ id: 'replica-admin', role: 'admin' }, 'cli'));
    const [a, b] = replicasAsAdmin();
    // The admin key reaches each replica's snapshot within a second; the writes go to the database.
    for (const gateway of gateways) {
      await msUntil(
        async () =>
          (await fetch(`${gateway.url}/v1/configs`, { headers: { 'x-portkey-api-key': adminKey } }))
            .status === 200,
      );
    }
    const slug = 'both-replicas';
    await a.virtualKeys.create({
      name: 'both',
      slug,
      provider: 'openai',
      key: VK_SECRET,
      custom_host: `${upstream.url}/v1`,
    });
    const config = { slug: 'pc-both-replicas' };
    await a.configs.create({ name: 'both', ...config, config: { override_params: { temperature: 0 } } });
    // Before writes took turns on PostgreSQL, each replica read the record before the other wrote:
    // one of each pair of fields was lost (both answered 200), and one of two new config versions
    // took the same number and failed as 409 "already exists".
    const guardrail = async (gateway: GatewayProcess | undefined, method: string, body?: object) =>
      (await (
        await fetch(`${gateway?.url}/v1/guardrails${method === 'POST' ? '' : '/pg-both-replicas'}`, {
          method,
          headers: { 'x-portkey-api-key': adminKey, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
      ).json()) as { checks?: unknown; actions?: { deny?: boolean } };
    const contains = (word: string) => [
      { id: 'default.contains', parameters: { words: [word], operator: 'none' } },
    ];
    await guardrail(gateways[0], 'POST', {
      name: 'both',
      slug: 'pg-both-replicas',
      checks: contains('start'),
      actions: { deny: true },
    });
    let key = VK_SECRET;
    for (let round = 1; round <= 4; round += 1) {
      key = `sk-round-0123456789abcdef-000${round}`;
      await Promise.all([
        a.virtualKeys.update({ slug, key }),
        b.virtualKeys.update({ slug, note: `round ${round}` }),
        a.configs.update({ slug: config.slug, config: { override_params: { temperature: round / 10 } } }),
        b.configs.update({
          slug: config.slug,
          config: { override_params: { temperature: round / 10 + 0.05 } },
        }),
        guardrail(gateways[0], 'PUT', { actions: { deny: round % 2 === 0 } }),
        guardrail(gateways[1], 'PUT', { checks: contains(`round-${round}`) }),
      ]);
      // Both fields of the round, read back from the database (the masked key ends with its round).
      expect(await b.virtualKeys.retrieve({ slug })).toMatchObject({
        note: `round ${round}`,
        masked_api_key: expect.stringMatching(new RegExp(`000${round}$`)),
      });
      expect(await guardrail(gateways[1], 'GET')).toMatchObject({
        checks: contains(`round-${round}`),
        actions: { deny: round % 2 === 0 },
      });
    }
    // And the last key is the one each replica sends upstream.
    for (const gateway of gateways) {
      await msUntil(
        async () =>
          (await sentKey(gateway, adminKey, 'gpt-4o-mini', { virtualKey: slug })) === `Bearer ${key}`,
        2000,
      );
    }
    const versions = (await (
      await fetch(`${gateways[0]?.url}/v1/configs/${config.slug}/versions`, {
        headers: { 'x-portkey-api-key': adminKey },
      })
    ).json()) as { total: number };
    expect(versions.total).toBe(9);
  });

  it('a virtual key deleted through one replica can no longer be named by a config through the other, nor one a config just named', async () => {
    const [a, b] = replicasAsAdmin();
    const key = { provider: 'openai', key: VK_SECRET, custom_host: `${upstream.url}/v1` };
    await a.virtualKeys.create({ name: 'gone', slug: 'gone-replicas', ...key });
    await a.virtualKeys.create({ name: 'kept', slug: 'kept-replicas', ...key });
    // Both known to B's snapshot, then one deleted through A: B's snapshot still held it for up to
    // a poll, and wrote a config whose every request would be a 404.
    await msUntil(
      async () =>
        (await sentKey(gateways[1] as GatewayProcess, adminKey, 'gpt-4o-mini', {
          virtualKey: 'gone-replicas',
        })) !== undefined,
    );
    await a.virtualKeys.delete({ slug: 'gone-replicas' });
    expect(
      await failure(b.configs.create({ name: 'late', config: { virtual_key: 'gone-replicas' } })),
    ).toMatch(/^400 .*virtual_key: no virtual key has the id "gone-replicas"/);
    // A config naming a key, made through B, then the key deleted through A: refused, and served.
    const uses = { name: 'uses', slug: 'pc-uses-kept' };
    await b.configs.create({ ...uses, config: { virtual_key: 'kept-replicas' } });
    expect(await failure(a.virtualKeys.delete({ slug: 'kept-replicas' }))).toMatch(/^409 .*"pc-uses-kept"/);
    expect(
      await sentKey(gateways[0] as GatewayProcess, adminKey, 'gpt-4o-mini', { config: 'pc-uses-kept' }),
    ).toBe(`Bearer ${VK_SECRET}`);
  });

  it('a key deleted through one replica while a config naming it is saved through the other, at the same instant: never both', async () => {
    const [a, b] = replicasAsAdmin();
    const key = { provider: 'openai', key: VK_SECRET, custom_host: `${upstream.url}/v1` };
    const pairs: string[] = [];
    for (let round = 0; round < 8; round += 1) {
      const slug = `race-${round}`;
      await a.virtualKeys.create({ name: slug, slug, ...key });
      const config = { name: slug, slug: `pc-${slug}` };
      const [deleted, saved] = await Promise.all([
        failure(a.virtualKeys.delete({ slug })),
        failure(b.configs.create({ ...config, config: { virtual_key: slug } })),
      ]);
      pairs.push(`${deleted.split(' ')[0]} / ${saved.split(' ')[0]}`);
    }
    // One of the two always loses (the delete as a 409 naming the config, or the config as a 400
    // naming the missing key); both taken left a config whose every request is a 404.
    expect(pairs.filter((pair) => pair === 'accepted / accepted')).toEqual([]);
    expect(pairs.every((pair) => /^(accepted \/ 400|409 \/ accepted)$/.test(pair))).toBe(true);
  });

  it('a virtual key disabled through one replica’s admin API is refused by the other within 1 s, nothing sent upstream; enabled, served by both again', async () => {
    const [a] = replicasAsAdmin();
    const slug = 'paused-replicas';
    await a.virtualKeys.create({
      name: 'paused',
      slug,
      provider: 'openai',
      key: VK_SECRET,
      custom_host: `${upstream.url}/v1`,
    });
    const other = gateways[1] as GatewayProcess;
    await msUntil(
      async () => (await sentKey(other, adminKey, 'gpt-4o-mini', { virtualKey: slug })) !== undefined,
    );
    await a.virtualKeys.update({ slug, status: 'disabled' });
    const refusedIn = await msUntil(
      async () => (await chat(other.url, adminKey, { 'x-portkey-virtual-key': slug })).status === 401,
    );
    expect(refusedIn).toBeLessThan(1000);
    // Once refused, never again sent upstream.
    const sentBefore = upstream.received.length;
    const refused = await chat(other.url, adminKey, { 'x-portkey-virtual-key': slug });
    expect(refused).toMatchObject({
      status: 401,
      body: { error: { code: 'PK_ERR_VIRTUAL_KEY_DISABLED', type: 'virtual_key_disabled_error' } },
    });
    expect(upstream.received).toHaveLength(sentBefore);
    await a.virtualKeys.update({ slug, status: 'active' });
    const servedIn = await Promise.all(
      gateways.map((gateway) =>
        msUntil(
          async () =>
            (await sentKey(gateway, adminKey, 'gpt-4o-mini', { virtualKey: slug })) === `Bearer ${VK_SECRET}`,
        ),
      ),
    );
    expect(Math.max(...servedIn)).toBeLessThan(1000);
  });

  it('serves from the last snapshot while the database is down, and recovers by itself', async () => {
    const [, behindProxy] = gateways as [GatewayProcess, GatewayProcess];
    const { secret } = await store.gatewayKeys.create({ id: 'survivor' }, 'cli');
    const headers = { 'x-portkey-virtual-key': 'openai-pg' };
    // Known to the replica: a request without a key is refused (the first test revoked the only
    // key, leaving the replica answering loopback callers without one) and this key is served.
    await msUntil(async () => (await chat(behindProxy.url, undefined, headers)).status === 401);
    await msUntil(async () => (await chat(behindProxy.url, secret, headers)).status === 200);

    proxy.cut();
    await behindProxy.waitForLine(textLine('serving requests from the last snapshot'));
    for (let index = 0; index < 20; index += 1) {
      expect((await chat(behindProxy.url, secret, headers)).status).toBe(200);
    }
    const later = await store.gatewayKeys.create({ id: 'created-while-down' }, 'cli');
    expect((await chat(behindProxy.url, later.secret, headers)).status).toBe(401);

    proxy.restore();
    const recovered = await msUntil(
      async () => (await chat(behindProxy.url, later.secret, headers)).status === 200,
      10_000,
    );
    expect(recovered).toBeLessThan(10_000);
    await behindProxy.waitForLine(textLine('answers again'));
    for (const gateway of gateways) expect(gateway.output()).not.toContain(VK_SECRET);
    expect(behindProxy.child.exitCode).toBeNull();
  });
});

describe.runIf(postgresUp)('starting on PostgreSQL', () => {
  it('exits with a clear message when the database is down at start', async () => {
    const { code, output } = await runGatewayExpectingExit({
      PK_DATABASE_URL: 'postgres://pk:hunter2-password@127.0.0.1:1/pk',
      PK_MASTER_KEY: generateMasterKey(),
    });
    expect(code).toBe(1);
    expect(output).toContain('pk gateway: cannot reach the database at postgres://pk:***@127.0.0.1:1/pk');
    expect(output).not.toContain('hunter2-password');
  });

  it('refuses to start without PK_MASTER_KEY', async () => {
    // A database of its own: the gateway migrates before it reads the key ring, and the shared
    // `test` database must not carry one branch's migrations into another's run.
    const database = await createTemporaryDatabase();
    try {
      const { code, output } = await runGatewayExpectingExit({ PK_DATABASE_URL: database.url });
      expect(code).toBe(1);
      expect(output).toContain('PK_MASTER_KEY is required with PK_DATABASE_URL');
    } finally {
      await database.drop();
    }
  });
});
