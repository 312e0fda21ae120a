import { afterEach, describe, expect, it } from 'vitest';
import { createFixture, postgresUp, waitUntil } from '../test/support/engines.js';
import { createTcpProxy, type TcpProxy } from './testing/tcp-proxy.js';

// What an operator reads when PostgreSQL goes away under a running gateway: the line naming the
// database comes first whatever else failed at the same moment (the limits' spend written every
// second, last-used times), and the line saying it answers again follows it. The writers' own
// warnings shared one throttle with it: the spend's "could not write" came first, and the outage's
// only line about the database was "the database at … answers again".
describe('warnings while PostgreSQL is down', () => {
  let proxy: TcpProxy | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    proxy?.restore();
    await cleanup?.();
    await proxy?.close();
    proxy = undefined;
    cleanup = undefined;
  });

  it('names the database once per outage even when a writer’s warning came first, then says it answers again', async (context) => {
    if (!postgresUp) context.skip();
    const fixture = await createFixture('postgres');
    cleanup = () => fixture.cleanup();
    const url = new URL(fixture.options.databaseUrl as string);
    proxy = await createTcpProxy(url.hostname, Number(url.port || 5432));
    url.port = String(proxy.port);
    const warnings: string[] = [];
    const store = await fixture.open({
      databaseUrl: url.toString(),
      pollIntervalMs: 50,
      limitSpendFlushMs: 60_000,
      onWarning: (message) => warnings.push(message),
    });
    store.limitSpend.record('vk:outage', Date.now(), { costMicros: 5, tokens: 7, requests: 1 });
    proxy.cut();
    await store.limitSpend.flush().catch(() => undefined);
    await waitUntil(() => warnings.some((message) => /could not write limits' spend/.test(message)));
    await waitUntil(() => warnings.some((message) => /^the database at .* is unavailable/.test(message)));
    proxy.restore();
    await waitUntil(() => warnings.some((message) => /answers again/.test(message)));
    const told = warnings.filter((message) => /^the database at /.test(message));
    expect(told).toHaveLength(2);
    expect(told[0]).toMatch(/is unavailable .*serving requests from the last snapshot$/);
    expect(told[1]).toMatch(/answers again$/);
    expect(warnings.join('\n')).not.toContain(url.password || 'no-password-in-url');
  }, 30_000);
});
