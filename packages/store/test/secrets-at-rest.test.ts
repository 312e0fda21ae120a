import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/index.js';
import { createFixture, ENGINES, type EngineFixture, postgresUp } from './support/engines.js';

const SECRETS = {
  apiKey: 'sk-proj-Zq8Lx3Vb7Nm2Kp5Rt9Wy4Hc6Jd1Fg0Ae',
  awsSecret: 'AwsSecret/Q2w3E4r5T6y7U8i9O0pLkJhGfDsA',
  inline: 'sk-ant-api03-InlineConfigSecret0123456789',
  updated: 'sk-proj-UpdatedKeyValue9876543210zyxwvu',
};

/** Every spelling a careless store could leave a secret in: clear text, base64, base64url, hex. */
function spellings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [
    secret,
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
  ];
}

async function dumpEveryTable(store: Store): Promise<string> {
  const tables = await store.db.introspection.getTables({ withInternalKyselyTables: true });
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)}`.execute(store.db);
    for (const row of rows.rows) {
      for (const value of Object.values(row)) {
        if (value instanceof Uint8Array) {
          const buffer = Buffer.from(value);
          parts.push(buffer.toString('latin1'), buffer.toString('hex'), buffer.toString('base64'));
        } else parts.push(typeof value === 'string' ? value : JSON.stringify(value));
      }
    }
  }
  return parts.join('\n');
}

describe.each(ENGINES)('secrets at rest on %s', (engine) => {
  let fixture: EngineFixture | undefined;
  afterEach(async () => {
    await fixture?.cleanup();
  });

  it.runIf(engine === 'sqlite' || postgresUp)(
    'no provider secret is in any table (or the SQLite files) in clear, base64 or hex',
    async () => {
      fixture = await createFixture(engine);
      const store = await fixture.open();
      await store.virtualKeys.create(
        {
          slug: 'vk',
          name: 'vk',
          provider: 'bedrock',
          apiKey: SECRETS.apiKey,
          options: { aws_secret_access_key: SECRETS.awsSecret, aws_region: 'us-east-1' },
        },
        'cli',
      );
      await store.virtualKeys.update('vk', { apiKey: SECRETS.updated }, 'cli');
      await store.configs.create(
        { slug: 'pc-inline', name: 'inline', config: { provider: 'anthropic', api_key: SECRETS.inline } },
        'cli',
      );
      await store.configs.update(
        'pc-inline',
        { config: { provider: 'openai', api_key: SECRETS.updated } },
        'cli',
      );
      await store.configs.rollback('pc-inline', 1, 'cli');
      const { secret: gatewaySecret } = await store.gatewayKeys.create({ id: 'gk' }, 'cli');
      expect(store.catalog.snapshot.virtualKeys.get('vk')?.apiKey?.reveal()).toBe(SECRETS.updated);

      const dump = await dumpEveryTable(store);
      expect(dump).toContain('bedrock');
      for (const secret of [...Object.values(SECRETS), gatewaySecret]) {
        for (const spelling of spellings(secret)) expect(dump).not.toContain(spelling);
      }
      if (engine === 'sqlite') {
        await store.close();
        for (const name of await readdir(fixture.dataDir)) {
          if (!name.startsWith('pk.db')) continue;
          const bytes = await readFile(join(fixture.dataDir, name));
          expect(bytes.includes('us-east-1')).toBe(true);
          const text = bytes.toString('latin1');
          for (const secret of [...Object.values(SECRETS), gatewaySecret]) {
            for (const spelling of spellings(secret)) expect(text).not.toContain(spelling);
          }
        }
        // Reopened from the file, the secrets decrypt.
        const reopened = await openStore({ ...fixture.options });
        expect(reopened.catalog.snapshot.configs.get('pc-inline')?.config.api_key).toBe(SECRETS.inline);
        await reopened.close();
      }
    },
  );
});
