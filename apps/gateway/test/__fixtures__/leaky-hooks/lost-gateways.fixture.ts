import { appendFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../server-process.js';
import { startRedisServer } from '../../support/redis-server.js';

// Gateways a test file loses: server-process.test.ts runs this file in a vitest of its own and then
// looks for processes carrying the mark.
const env = { GATEWAY_TEST_MARK: process.env.GATEWAY_TEST_FIXTURE_MARK ?? 'unmarked' };
// redis-server rewrites its environment (its process title), so the mark cannot be seen there: the
// ports of the Redis servers started go to a file instead.
const redisPorts = (port: number): void => {
  if (process.env.GATEWAY_TEST_FIXTURE_REDIS_PORTS)
    appendFileSync(process.env.GATEWAY_TEST_FIXTURE_REDIS_PORTS, `${port}\n`);
};

describe('a beforeAll that times out while its gateway starts', () => {
  beforeAll(async () => {
    await startGateway(env);
  }, 50);

  it('never runs', () => {
    expect.unreachable();
  });
});

describe('a test that never stops the gateway it started (no afterAll)', () => {
  it('starts one and leaves it running', async () => {
    const gateway = await startGateway(env);
    expect(gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('a beforeAll that times out after it started its own Redis server', () => {
  beforeAll(async () => {
    redisPorts((await startRedisServer({ env })).port);
    // What comes next never finishes (a gateway that does not start, a Redis that does not answer).
    await new Promise(() => undefined);
  }, 500);

  it('never runs', () => {
    expect.unreachable();
  });
});

describe('a test that never stops the Redis server it started', () => {
  it('starts one and leaves it running', async () => {
    const redis = await startRedisServer({ env });
    redisPorts(redis.port);
    expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
  });
});
