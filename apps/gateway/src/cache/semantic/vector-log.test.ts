import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { requireRedis } from '../../../test/support/services.js';
import { createRedisClient } from '../../stores/redis-client.js';
import type { IndexedVector } from './vector-index.js';
import { createRedisVectorLog, type VectorLog } from './vector-log.js';

const redisUp = await requireRedis('semantic vector log');
const url = 'redis://127.0.0.1:6379';
const run = randomBytes(4).toString('hex');
const logs: VectorLog[] = [];
const streams: string[] = [];

afterAll(async () => {
  for (const log of logs) log.close();
  const cleanup = createRedisClient(url, { commandTimeoutMs: 5000 });
  // The client has no offline queue: a command sent before it is connected fails (and the streams stay).
  await new Promise((resolve) => cleanup.once('ready', resolve));
  if (streams.length > 0) await cleanup.del(...streams);
  cleanup.disconnect();
});

function replica(tenants: () => Iterable<string>, received: IndexedVector[]): VectorLog {
  const log = createRedisVectorLog({
    writer: createRedisClient(url),
    reader: createRedisClient(url, { commandTimeoutMs: 5000 }),
    tenants,
    retentionSeconds: 600,
    onEntry: (entry) => received.push(entry),
    onError: () => undefined,
  });
  logs.push(log);
  return log;
}

describe.runIf(redisUp)('semantic-cache vectors for tenants created at run time', () => {
  it('a replica follows the stream of a tenant that appears after it started', async () => {
    const tenant = `runtime-${run}`;
    streams.push(`pk:sv:{${tenant}}`);
    const known = new Set(['anonymous']);
    const receivedByB: IndexedVector[] = [];
    const a = replica(() => [tenant], []);
    replica(() => known, receivedByB);
    // The tenant is created (a key stored at run time): B's catalog now lists it.
    known.add(tenant);
    // The clients have no offline queue: let them connect before A writes.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const scope = `scope-${run}`;
    a.append({ tenant, scope, key: 'pk:c:1', vector: new Float32Array([0.6, 0.8]) });
    // Other suites share this Redis (the `anonymous` stream): only this test's scope counts.
    const mine = () => receivedByB.filter((entry) => entry.scope === scope);
    const started = performance.now();
    while (mine().length === 0 && performance.now() - started < 3000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(mine().map((entry) => [entry.tenant, entry.key])).toEqual([[tenant, 'pk:c:1']]);
    expect([...(mine()[0]?.vector ?? [])].map((value) => Math.round(value * 10) / 10)).toEqual([0.6, 0.8]);
  });
});
