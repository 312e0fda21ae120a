import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateMasterKey, openStore, type Store } from '@pk/store';
import { sql } from 'kysely';
import OpenAI from 'openai';
import { createHeaders, Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type GatewayProcess, runGatewayExpectingExit, startGateway } from './server-process.js';
import { textLine } from './support/output-lines.js';
import { chat, msUntil, temporaryDataDir } from './support/store-fixtures.js';

// The embedded default end to end: a built gateway process on its SQLite store, and this test
// writing to the same file through @pk/store, as the `pk` CLI will (issue 17 brings the admin API).
// Changes reach the running gateway within a second, through the official portkey-ai SDK.
const VK_SECRET = 'sk-stored-in-the-vault-0123456789abcdef';
const NEW_SECRET = 'sk-rotated-in-the-vault-9876543210fedcba';
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

let upstream: MockOpenAI;
let dataDir: ReturnType<typeof temporaryDataDir>;
let gateway: GatewayProcess;
let store: Store;

beforeAll(async () => {
  upstream = await startMockOpenAI({ record: true, chunks: 3 });
  dataDir = temporaryDataDir();
  gateway = await startGateway({ PK_DATA_DIR: dataDir.path });
  // The gateway created the data directory, the SQLite file and a master key (mode 0600), and said so.
  expect(gateway.output()).toContain('generated a master key');
  store = await openStore({ dataDir: dataDir.path, onWarning: () => undefined });
});

afterAll(async () => {
  await store?.close();
  gateway?.child.kill('SIGTERM');
  await gateway?.exited;
  await upstream?.close();
  dataDir?.remove();
});

describe('a gateway on its SQLite store', () => {
  it('serves keys, virtual keys and versioned configs created at run time, within 1 s', async () => {
    const { secret } = await store.gatewayKeys.create({ id: 'team-a', tenant: 'acme' }, 'cli');
    // With a key in existence, a request without one is refused, and one with it works.
    expect(await msUntil(async () => (await chat(gateway.url, undefined)).status === 401)).toBeLessThan(1000);
    await store.virtualKeys.create(
      {
        slug: 'openai-prod',
        name: 'OpenAI prod',
        provider: 'openai',
        apiKey: VK_SECRET,
        options: { custom_host: `${upstream.url}/v1` },
      },
      'cli',
    );
    const client = new Portkey({ baseURL: `${gateway.url}/v1`, apiKey: secret, virtualKey: 'openai-prod' });
    const ready = await msUntil(async () => {
      try {
        await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
        return true;
      } catch {
        return false;
      }
    });
    expect(ready).toBeLessThan(1000);
    expect(upstream.received.at(-1)?.headers.authorization).toBe(`Bearer ${VK_SECRET}`);

    const config = await store.configs.create(
      {
        slug: 'pc-prod',
        name: 'prod',
        config: { virtual_key: 'openai-prod', override_params: { model: 'model-v1' } },
      },
      'cli',
    );
    const viaConfig = new Portkey({ baseURL: `${gateway.url}/v1`, apiKey: secret, config: 'pc-prod' });
    const sentModel = async (): Promise<unknown> => {
      await viaConfig.chat.completions.create({ model: 'gpt-4o-mini', messages }).catch(() => undefined);
      return upstream.received.at(-1)?.body.model;
    };
    expect(await msUntil(async () => (await sentModel()) === 'model-v1')).toBeLessThan(1000);
    await store.configs.update(
      'pc-prod',
      { config: { virtual_key: 'openai-prod', override_params: { model: 'model-v2' } } },
      'cli',
    );
    expect(await msUntil(async () => (await sentModel()) === 'model-v2')).toBeLessThan(1000);
    await store.configs.rollback('pc-prod', config.versionId as string, 'cli');
    expect(await msUntil(async () => (await sentModel()) === 'model-v1')).toBeLessThan(1000);

    await store.virtualKeys.update('openai-prod', { apiKey: NEW_SECRET }, 'cli');
    expect(
      await msUntil(async () => {
        await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
        return upstream.received.at(-1)?.headers.authorization === `Bearer ${NEW_SECRET}`;
      }),
    ).toBeLessThan(1000);

    await store.gatewayKeys.revoke('team-a', 'cli');
    expect(await msUntil(async () => (await chat(gateway.url, secret)).status === 401)).toBeLessThan(1000);
    // The request path recorded the key's use; the store writes it in batches.
    await msUntil(async () => (await store.gatewayKeys.get('team-a')).lastUsedAt !== null, 8000);
  });

  it('keys the cache by tenant for tenants created at run time', async () => {
    const first = await store.gatewayKeys.create({ tenant: 'blue' }, 'cli');
    const second = await store.gatewayKeys.create({ tenant: 'blue' }, 'cli');
    const other = await store.gatewayKeys.create({ tenant: 'green' }, 'cli');
    const config = JSON.stringify({ virtual_key: 'openai-prod', cache: { mode: 'simple', max_age: 3600 } });
    // Wait until the gateway knows all three. The previous test left it with no active key, so until
    // it loads one it answers loopback callers without a key, as the tenant `anonymous`.
    await msUntil(
      async () => (await chat(gateway.url, undefined, { 'x-portkey-config': config })).status === 401,
    );
    for (const key of [first, second, other]) {
      await msUntil(
        async () => (await chat(gateway.url, key.secret, { 'x-portkey-config': config })).status === 200,
      );
    }
    const asked = async (secret: string) =>
      (await chat(gateway.url, secret, { 'x-portkey-config': config }, 'gpt-4o-mini-tenant')).headers.get(
        'x-portkey-cache-status',
      );
    expect(await asked(first.secret)).toBe('MISS');
    expect(await asked(second.secret)).toBe('HIT');
    expect(await asked(other.secret)).toBe('MISS');
  });

  it('never writes a stored secret to its log or its database file', async () => {
    expect(gateway.output()).not.toContain(VK_SECRET);
    expect(gateway.output()).not.toContain(NEW_SECRET);
    const file = readFileSync(join(dataDir.path, 'pk.db')).toString('latin1');
    expect(file).not.toContain(VK_SECRET);
    expect(file).not.toContain(NEW_SECRET);
  });
});

describe('starting on SQLite', () => {
  it('two gateways starting together on a new data directory migrate once and share one master key', async () => {
    const shared = temporaryDataDir();
    try {
      const [a, b] = await Promise.all([
        startGateway({ PK_DATA_DIR: shared.path }),
        startGateway({ PK_DATA_DIR: shared.path }),
      ]);
      const generated = [a, b].filter((one) => one.output().includes('generated a master key'));
      expect(generated).toHaveLength(1);
      const writer = await openStore({ dataDir: shared.path, onWarning: () => undefined });
      const { secret } = await writer.gatewayKeys.create({ id: 'both' }, 'cli');
      await writer.close();
      for (const one of [a, b]) {
        expect(
          await msUntil(
            async () => (await chat(one.url, secret, { 'x-portkey-provider': 'openai' })).status !== 401,
          ),
        ).toBeLessThan(1000);
      }
      for (const one of [a, b]) one.child.kill('SIGTERM');
      expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);
    } finally {
      shared.remove();
    }
  });

  it('refuses to start with a wrong master key, clearly', async () => {
    const { code, output } = await runGatewayExpectingExit({
      PK_DATA_DIR: dataDir.path,
      PK_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    expect(code).toBe(1);
    expect(output).toContain('pk gateway: the master key does not fit this database');
    expect(output).not.toContain(Buffer.alloc(32, 7).toString('base64'));
  });

  it('refuses a database migrated by a newer pk, clearly (rolling upgrades)', async () => {
    const newer = temporaryDataDir();
    try {
      const writer = await openStore({ dataDir: newer.path, onWarning: () => undefined });
      await sql`insert into pk_migrations (name, timestamp) values ('9999-next', '2099-01-01T00:00:00.000Z')`.execute(
        writer.db,
      );
      await writer.close();
      const { code, output } = await runGatewayExpectingExit({ PK_DATA_DIR: newer.path });
      expect(code).toBe(1);
      expect(output).toContain('pk gateway: the database schema is newer than this version of pk');
    } finally {
      newer.remove();
    }
  });

  it('refuses a settings file whose ids the store already has', async () => {
    const settings = join(dataDir.path, 'settings.json');
    (await import('node:fs')).writeFileSync(
      settings,
      JSON.stringify({ virtual_keys: { 'openai-prod': { provider: 'openai', api_key: 'sk-file' } } }),
    );
    const { code, output } = await runGatewayExpectingExit({
      PK_DATA_DIR: dataDir.path,
      PK_SETTINGS: settings,
    });
    expect(code).toBe(1);
    expect(output).toContain(
      `the settings file ${settings} and the database both define virtual key "openai-prod"`,
    );
  });
});

describe('a replica whose PK_MASTER_KEY lacks the key of `pk vault rotate`', () => {
  it('answers 503 PK_ERR_VIRTUAL_KEY_UNREADABLE for the key it cannot decrypt, not a 404, until restarted with the new key', async () => {
    const oldKey = generateMasterKey();
    const newKey = generateMasterKey();
    const rotated = temporaryDataDir();
    let replica: GatewayProcess | undefined;
    try {
      const writer = await openStore({
        dataDir: rotated.path,
        masterKey: oldKey,
        onWarning: () => undefined,
      });
      await writer.virtualKeys.create(
        {
          slug: 'rotated-vk',
          name: 'rotated',
          provider: 'openai',
          apiKey: VK_SECRET,
          options: { custom_host: `${upstream.url}/v1` },
        },
        'cli',
      );
      await writer.close();
      replica = await startGateway({ PK_DATA_DIR: rotated.path, PK_MASTER_KEY: oldKey });
      const url = replica.url;
      const client = new OpenAI({
        apiKey: 'unused',
        baseURL: `${url}/v1`,
        maxRetries: 0,
        defaultHeaders: createHeaders({ virtualKey: 'rotated-vk' }),
      });
      const ask = () => client.chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect((await ask()).choices[0]?.message.content).toBeTruthy();

      // `pk vault rotate` with the new ring, while this replica still holds the old key alone.
      const rotator = await openStore({
        dataDir: rotated.path,
        masterKey: `${newKey},${oldKey}`,
        onWarning: () => undefined,
      });
      await rotator.vault.rotate('cli');
      await rotator.close();

      let refusal: unknown;
      await msUntil(async () => {
        refusal = await ask().then(
          () => undefined,
          (error: unknown) => error,
        );
        return refusal !== undefined;
      });
      expect(refusal).toBeInstanceOf(OpenAI.APIError);
      const error = refusal as InstanceType<typeof OpenAI.APIError>;
      expect(error.status).toBe(503);
      expect(error.code).toBe('PK_ERR_VIRTUAL_KEY_UNREADABLE');
      expect(error.type).toBe('api_error');
      expect(error.param).toBe('x-portkey-virtual-key');
      expect(error.message).toContain('this gateway cannot decrypt virtual key ro********-vk');
      expect(error.message).toContain('PK_MASTER_KEY');
      // The server log names the master key that is missing; the answer does not, nor any secret.
      // (Log lines reach stdout in batches: the line may come a moment after the answer.)
      const missingKeyPattern = /encrypted with master key ([0-9a-f]{16}), which is not in the key ring/;
      await replica.waitForLine(textLine(missingKeyPattern));
      const missingKeyId = missingKeyPattern.exec(replica.output())?.[1];
      expect(missingKeyId).toBeDefined();
      expect(error.message).not.toContain(missingKeyId);
      for (const secret of [VK_SECRET, newKey, oldKey]) {
        expect(error.message).not.toContain(secret);
        expect(replica.output()).not.toContain(secret);
      }

      replica.child.kill('SIGTERM');
      await replica.exited;
      replica = await startGateway({ PK_DATA_DIR: rotated.path, PK_MASTER_KEY: `${newKey},${oldKey}` });
      const restarted = new OpenAI({
        apiKey: 'unused',
        baseURL: `${replica.url}/v1`,
        maxRetries: 0,
        defaultHeaders: createHeaders({ virtualKey: 'rotated-vk' }),
      });
      await restarted.chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect(upstream.received.at(-1)?.headers.authorization).toBe(`Bearer ${VK_SECRET}`);
    } finally {
      replica?.child.kill('SIGTERM');
      await replica?.exited;
      rotated.remove();
    }
  }, 60_000);
});
