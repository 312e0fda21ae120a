import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from '../support/feature-gateway.js';
import { chatChunks } from '../support/provider-answers.js';
import { type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';
import { temporaryDataDir } from '../support/store-fixtures.js';

// Feature suite: a budget across its monthly reset, with the gateway process's clock (only its own:
// a module preloaded into it) set a few seconds before 2027-01-01 00:00 UTC. A stream admitted in
// December that ends in January is charged to December, and a restart (memory limits store,
// SQLite) must show January as the running gateway did, not charge it December's stream.
const ADMIN = 'pk-boundary-admin';
const USER = 'pk-boundary-user';
const MIDNIGHT = Date.parse('2027-01-01T00:00:00Z');
/** The gateway's clock minus this process's: the gateway starts 8 s before midnight. */
const OFFSET = MIDNIGHT - 8_000 - Date.now();
const dataDir = temporaryDataDir();
const clockModule = join(dataDir.path, 'shifted-clock.mjs');
let mock: ProviderMock;

beforeAll(async () => {
  mock = await startProviderMock();
  // Date.now() and new Date() read OFFSET ms ahead; timers and the monotonic clock are untouched.
  writeFileSync(
    clockModule,
    `const RealDate = globalThis.Date;
const offset = ${OFFSET};
class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offset;
  }
}
globalThis.Date = ShiftedDate;
`,
  );
});
afterAll(async () => {
  await mock?.close();
  dataDir.remove();
});

const start = () =>
  startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [
        { id: 'admin', key: ADMIN, role: 'admin' },
        { id: 'user', key: USER },
      ],
      virtual_keys: {
        monthly: {
          provider: 'openai',
          api_key: 'sk-boundary',
          options: { custom_host: `${mock.url}/v1` },
          usage_limits: { credit_limit: 100_000, type: 'tokens', periodic_reset: 'monthly' },
        },
      },
    },
    env: { PK_DATA_DIR: dataDir.path, NODE_OPTIONS: `--import ${clockModule}` },
  });

async function usageOf(gateway: FeatureGateway): Promise<Record<string, unknown>> {
  const key = (await new Portkey({ apiKey: ADMIN, baseURL: gateway.base }).virtualKeys.retrieve({
    slug: 'monthly',
  })) as unknown as { current_usage: Record<string, unknown> };
  return key.current_usage;
}

describe('a monthly budget across 2027-01-01 00:00 UTC', () => {
  it('a stream admitted in December and ended in January is December’s, before and after a restart', async () => {
    const first = await start();
    try {
      const gatewayNow = () => Date.now() + OFFSET;
      // Still December on the gateway's clock (its start took less than 8 s).
      expect(gatewayNow()).toBeLessThan(MIDNIGHT - 1_000);
      expect(await usageOf(first)).toMatchObject({ period_start: '2026-12-01T00:00:00.000Z', tokens: 0 });
      // The stream runs until 1.5 s past midnight; the provider reports its usage (21 tokens) at the end.
      const frames = chatChunks('boundary-model', { usage: true });
      mock.script('boundary-model', [
        { sse: frames, chunkDelayMs: Math.ceil((MIDNIGHT + 1_500 - gatewayNow()) / frames.length) },
      ]);
      const client = new OpenAI({
        baseURL: first.base,
        apiKey: USER,
        maxRetries: 0,
        defaultHeaders: { 'x-portkey-api-key': USER, 'x-portkey-virtual-key': 'monthly' },
      });
      const stream = await client.chat.completions.create({
        model: 'boundary-model',
        max_tokens: 50,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'hi' }],
      });
      let usage: unknown;
      for await (const chunk of stream) usage ??= chunk.usage ?? undefined;
      expect(usage).toMatchObject({ total_tokens: 21 });
      expect(gatewayNow()).toBeGreaterThan(MIDNIGHT);
      // The running gateway: January has spent nothing (the stream was held, and charged, in December).
      expect(await usageOf(first)).toMatchObject({
        period_start: '2027-01-01T00:00:00.000Z',
        period_end: '2027-02-01T00:00:00.000Z',
        tokens: 0,
      });
    } finally {
      // SIGTERM writes the last spend to the data store.
      first.process.child.kill('SIGTERM');
      await first.process.exited;
      await first.stop();
    }
    const second = await start();
    try {
      // Restarted, the budget's January is the same: December's stream is not spent again.
      expect(await usageOf(second)).toMatchObject({ period_start: '2027-01-01T00:00:00.000Z', tokens: 0 });
    } finally {
      await second.stop();
    }
  }, 40_000);
});
