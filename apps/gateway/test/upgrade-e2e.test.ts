import { generateMasterKey, openStore } from '@pk/store';
import { sql } from 'kysely';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type GatewayProcess, startGateway } from './server-process.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// Upgrading a one-process gateway (SQLite, limits in memory) from a pk older than migration 0017:
// that pk kept a budget's spend only in its memory, so the period's spend is only in its request
// logs. The store is made as such a pk left it (this version's schema rolled back to 0016, the
// records that pk wrote), then the built gateway starts on it, as a user deploys the new version.
const VK_SECRET = 'sk-old-provider-key-0123456789abcdef';
const MASTER_KEY = generateMasterKey();

let upstream: MockOpenAI;
let dataDir: ReturnType<typeof temporaryDataDir>;
let gateway: GatewayProcess;
let admin: string;

beforeAll(async () => {
  upstream = await startMockOpenAI({ record: true });
  dataDir = temporaryDataDir();
  const store = await openStore({ dataDir: dataDir.path, masterKey: MASTER_KEY, onWarning: () => undefined });
  admin = (await store.gatewayKeys.create({ id: 'admin', role: 'admin' }, 'cli')).secret;
  await store.virtualKeys.create(
    {
      slug: 'openai-prod',
      name: 'prod',
      provider: 'openai',
      apiKey: VK_SECRET,
      options: { custom_host: `${upstream.url}/v1` },
      usageLimits: { credit_limit: 1, periodic_reset: 'monthly' },
    },
    'cli',
  );
  const spentAt = Date.now() - 1000;
  for (const statement of [
    "delete from pk_migrations where name in ('0017-limit-spend', '0018-request-log-guardrails-and-error', '0019-guardrail-secrets', '0020-limit-spend-from-logs', '0021-virtual-key-disabled', '0022-request-log-cost-source', '0023-limit-spend-spills')",
    'drop table limit_spend_spills',
    'alter table request_logs drop column cost_source',
    'alter table request_logs drop column cost_parts',
    'alter table virtual_keys drop column disabled_at',
    'alter table guardrails drop column secret_key_id',
    'alter table guardrails drop column secret',
    'drop table limit_spend',
    'alter table request_logs drop column error_message',
    'alter table request_logs drop column guardrails',
    // What the old pk charged the key this month: $0.70 over two requests.
    `insert into request_logs (id, created_at, tenant, trace_id, source, gateway_key_id, virtual_key, stream, status, latency_ms, total_tokens, cost) values ('old-1', ${spentAt}, 'admin', 'old-1', 'gateway', 'admin', 'openai-prod', 0, 200, 5, 30000, 0.3), ('old-2', ${spentAt}, 'admin', 'old-2', 'gateway', 'admin', 'openai-prod', 1, 200, 5, 40000, 0.4)`,
  ])
    await sql.raw(statement).execute(store.db);
  await store.close();
  gateway = await startGateway({ PK_DATA_DIR: dataDir.path, PK_MASTER_KEY: MASTER_KEY });
});

afterAll(async () => {
  gateway?.child.kill('SIGTERM');
  await gateway?.exited;
  await upstream?.close();
  dataDir?.remove();
});

describe('a gateway started over a store an older pk wrote', () => {
  it('says which migrations it applied and how long they took', () => {
    expect(gateway.output()).toMatch(
      /"migrations":\["0017-limit-spend","0018-request-log-guardrails-and-error","0019-guardrail-secrets","0020-limit-spend-from-logs","0021-virtual-key-disabled","0022-request-log-cost-source","0023-limit-spend-spills"\],"ms":\d+,"msg":"data store migrated to 0023-limit-spend-spills \(7 applied in \d+ ms\)"/,
    );
  });

  it('keeps the budget’s spend of the period the old version logged, and refuses what no longer fits', async () => {
    const key = await fetch(`${gateway.url}/v1/virtual-keys/openai-prod`, {
      headers: { 'x-portkey-api-key': admin },
    }).then(
      (response) => response.json() as Promise<{ current_usage: { cost_usd: number; requests: number } }>,
    );
    expect(key.current_usage).toMatchObject({ cost_usd: 0.7, requests: 2 });

    const client = new Portkey({ baseURL: `${gateway.url}/v1`, apiKey: admin, virtualKey: 'openai-prod' });
    const messages = [{ role: 'user' as const, content: 'hi' }];
    // gpt-4o's output at $10 per million: 50,000 tokens hold $0.50, more than the $0.30 left.
    const refused = await client.chat.completions
      .create({ model: 'gpt-4o', messages, max_tokens: 50_000 })
      .catch((error: { status?: number }) => error);
    expect((refused as { status?: number }).status).toBe(412);
    const sent = upstream.received.length;
    // 10,000 tokens hold $0.10: it fits, and reaches the provider with the key the old pk stored.
    await client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 10_000 });
    expect(upstream.received.length).toBe(sent + 1);
    expect(upstream.received.at(-1)?.headers.authorization).toBe(`Bearer ${VK_SECRET}`);
  });
});
