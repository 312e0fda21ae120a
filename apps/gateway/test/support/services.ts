import { Redis } from 'ioredis';

/**
 * Whether the shared Redis on 127.0.0.1:6379 answers. Outside CI a test that needs it is skipped
 * with a clear message when it does not; with `CI=true` an unreachable Redis is a failure.
 */
export async function redisAvailable(url = 'redis://127.0.0.1:6379'): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 1000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Throws in CI, or logs a skip message outside it, when Redis is down; returns whether to run. */
export async function requireRedis(suite: string): Promise<boolean> {
  if (await redisAvailable()) return true;
  if (process.env.CI === 'true')
    throw new Error(`${suite}: Redis on 127.0.0.1:6379 is unreachable (CI=true makes this a failure)`);
  console.warn(`${suite}: skipped, Redis on 127.0.0.1:6379 is unreachable`);
  return false;
}
