import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from '../support/feature-gateway.js';
import { closedPort } from '../support/recording-provider-mock.js';
import { temporaryDataDir } from '../support/store-fixtures.js';

// Feature suite: a key's status while the limits store (Redis) cannot be read. Whether a key with a
// budget is exhausted is then unknown, and the admin API says so rather than `active`.
const ADMIN = 'pk-lim-status-admin';
let gateway: FeatureGateway;
const dataDir = temporaryDataDir();

beforeAll(async () => {
  const upstream = {
    provider: 'openai',
    api_key: 'sk-status',
    options: { custom_host: 'http://127.0.0.1:9/v1' },
  };
  gateway = await startFeatureGateway({
    settings: {
      gateway_keys: [
        { id: 'status-admin', key: ADMIN, role: 'admin' },
        { id: 'status-budgeted', key: 'pk-lim-status-budgeted', usage_limits: { credit_limit: 5 } },
      ],
      virtual_keys: {
        budgeted: { ...upstream, usage_limits: { credit_limit: 100_000, type: 'tokens' } },
        rated: { ...upstream, rate_limits: [{ type: 'requests', unit: 'rpm', value: 10 }] },
        free: upstream,
      },
    },
    env: {
      PK_DATA_DIR: dataDir.path,
      PK_LIMITS_STORE: 'redis',
      PK_REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
      PK_LIMITS_KEY_PREFIX: 'pk-test-status-unknown:',
    },
  });
}, 30_000);
afterAll(async () => {
  await gateway?.stop();
  dataDir.remove();
});

describe('a key’s status while the limits store is down', () => {
  it('a key with a budget reads `unknown` with null figures; keys that cannot be exhausted stay `active`', async () => {
    const portkey = new Portkey({ apiKey: ADMIN, baseURL: gateway.base, maxRetries: 0 });
    expect(await portkey.virtualKeys.retrieve({ slug: 'budgeted' })).toMatchObject({
      status: 'unknown',
      current_usage: { tracked: false, tokens: null, budget_exhausted: null },
    });
    expect(await portkey.virtualKeys.retrieve({ slug: 'rated' })).toMatchObject({ status: 'active' });
    expect(await portkey.virtualKeys.retrieve({ slug: 'free' })).toMatchObject({ status: 'active' });
    expect(await portkey.apiKeys.retrieve({ id: 'status-budgeted' })).toMatchObject({ status: 'unknown' });
  });
});
