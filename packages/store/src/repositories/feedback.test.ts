import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFixture,
  ENGINES,
  freshStoreForEachTest,
  postgresUp,
  waitUntil,
} from '../../test/support/engines.js';
import type { Store } from '../open-store.js';
import { createTcpProxy, type TcpProxy } from '../testing/tcp-proxy.js';
import { FEEDBACK_SPILL_FILE, feedbackRowOfLine } from './feedback.js';

describe.each(ENGINES)('feedback on %s', (engine) => {
  let store: Store;
  freshStoreForEachTest(engine, (opened) => {
    store = opened;
  });

  it('saves feedback with Portkey’s rules, in input order, scoped by tenant', async () => {
    const version = store.catalog.snapshot.version;
    const [first, second] = await store.feedback.create([
      {
        traceId: 't-1',
        value: 5,
        weight: 0.5,
        metadata: { _user: 'ada', long: 'x'.repeat(200), n: 3 },
        tenant: 'acme',
      },
      { traceId: 't-1', value: -10, weight: 7, tenant: 'acme', gatewayKeyId: 'k' },
    ]);
    expect(first).toMatchObject({
      traceId: 't-1',
      value: 5,
      weight: 0.5,
      metadata: { _user: 'ada', n: '3' },
    });
    expect(first?.metadata?.long).toHaveLength(128);
    expect(second).toMatchObject({ value: -10, weight: 1, gatewayKeyId: 'k' });
    const listed = await store.feedback.listByTrace('t-1', 'acme');
    expect(listed.map((entry) => entry.id).sort()).toEqual([first?.id, second?.id].sort());
    expect(await store.feedback.listByTrace('t-1', 'other')).toEqual([]);
    expect(store.catalog.snapshot.version).toBe(version);
    expect(await store.audit.list()).toEqual([]);
  });

  it('saves 10,000 pieces sent at once, in order, and none of a batch one piece of which the database refuses', async () => {
    const many = Array.from({ length: 10_000 }, (_, index) => ({
      traceId: 't-many',
      value: index % 10,
      tenant: 'acme',
    }));
    const saved = await store.feedback.create(many);
    expect(saved.map((piece) => piece.value)).toEqual(many.map((piece) => piece.value));
    expect(await store.feedback.listByTrace('t-many', 'acme')).toHaveLength(10_000);
    // A later piece the database refuses (NUL in PostgreSQL's text; SQLite keeps it): all or none.
    if (engine === 'postgres') {
      await expect(
        store.feedback.create([...many.slice(0, 600), { traceId: 't-many\u0000', value: 1, tenant: 'acme' }]),
      ).rejects.toMatchObject({ code: 'invalid' });
      expect(await store.feedback.listByTrace('t-many', 'acme')).toHaveLength(10_000);
    }
  });

  it('updates value and weight within the tenant only; refuses values out of range', async () => {
    const [saved] = await store.feedback.create([
      { traceId: 't-2', value: 1, weight: 0.2, metadata: { a: 'b' }, tenant: 'acme' },
    ]);
    const id = saved?.id as string;
    const updated = await store.feedback.update(id, { value: 9, tenant: 'acme' });
    expect(updated).toMatchObject({ traceId: 't-2', value: 9, weight: 1, metadata: { a: 'b' } });
    await expect(store.feedback.update(id, { value: 1, tenant: 'other' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(store.feedback.create([{ traceId: 't', value: 11, tenant: 'acme' }])).rejects.toMatchObject({
      code: 'invalid',
      issues: [{ path: 'value' }],
    });
  });
});

describe.each(ENGINES)('feedback queued off the request path on %s', (engine) => {
  let store: Store;
  freshStoreForEachTest(engine, (opened) => {
    store = opened;
  });

  it('writes queued feedback with the same rules as create, and a read of its trace sees it at once', async () => {
    const id = store.feedback.record({
      traceId: 't-q',
      value: -3,
      weight: 4,
      metadata: { failedChecks: 'default.contains', long: 'y'.repeat(300) },
      tenant: 'acme',
      gatewayKeyId: 'k-1',
    });
    const listed = await store.feedback.listByTrace('t-q', 'acme');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      id,
      traceId: 't-q',
      value: -3,
      weight: 1,
      tenant: 'acme',
      gatewayKeyId: 'k-1',
      metadata: { failedChecks: 'default.contains' },
    });
    expect(listed[0]?.metadata?.long).toHaveLength(128);
    expect(await store.feedback.listByTrace('t-q', 'other')).toEqual([]);
    // As long a trace id as the gateway keeps.
    const long = 't'.repeat(256);
    store.feedback.record({ traceId: long, value: 1, tenant: 'acme' });
    await store.feedback.create([{ traceId: long, value: 2, tenant: 'acme' }]);
    expect((await store.feedback.listByTrace(long, 'acme')).map((entry) => entry.value).sort()).toEqual([
      1, 2,
    ]);
    expect(() => store.feedback.record({ traceId: `${long}t`, value: 1, tenant: 'acme' })).toThrow(
      expect.objectContaining({ code: 'invalid' }),
    );
    expect(() => store.feedback.record({ traceId: 't-q', value: 10.5, tenant: 'acme' })).toThrow(
      expect.objectContaining({ code: 'invalid' }),
    );
  });
});

describe('queued feedback while PostgreSQL is down', () => {
  let proxy: TcpProxy | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    proxy?.restore();
    await cleanup?.();
    await proxy?.close();
    proxy = undefined;
    cleanup = undefined;
  });

  it('keeps what the database refused and writes it once when it answers again; close tells what it could not write', async (context) => {
    if (!postgresUp) context.skip();
    const fixture = await createFixture('postgres');
    cleanup = () => fixture.cleanup();
    const url = new URL(fixture.options.databaseUrl as string);
    proxy = await createTcpProxy(url.hostname, Number(url.port || 5432));
    url.port = String(proxy.port);
    const losses: string[] = [];
    const store = await fixture.open({
      databaseUrl: url.toString(),
      onLoss: (message) => losses.push(message),
    });
    const reader = await fixture.open();

    proxy.cut();
    store.feedback.record({ traceId: 't-down', value: 2, tenant: 'acme' });
    await store.feedback.flush();
    proxy.restore();
    await store.feedback.flush();
    expect((await reader.feedback.listByTrace('t-down', 'acme')).map((entry) => entry.value)).toEqual([2]);
    // A second flush adds nothing twice.
    await store.feedback.flush();
    expect(await reader.feedback.listByTrace('t-down', 'acme')).toHaveLength(1);

    store.feedback.record({ traceId: 't-lost', value: 1, tenant: 'acme' });
    proxy.cut();
    await store.close({ deadlineAt: Date.now() + 500 });
    expect(losses).toEqual([expect.stringContaining("hooks' feedback not written at close (1 piece)")]);
  }, 30_000);

  it('with a spill file, what the database refused at close is kept there and written at the next start, once', async (context) => {
    if (!postgresUp) context.skip();
    const fixture = await createFixture('postgres');
    cleanup = () => fixture.cleanup();
    const url = new URL(fixture.options.databaseUrl as string);
    proxy = await createTcpProxy(url.hostname, Number(url.port || 5432));
    url.port = String(proxy.port);
    const feedbackSpillFile = join(fixture.dataDir, FEEDBACK_SPILL_FILE);
    const warnings: string[] = [];
    const losses: string[] = [];
    const store = await fixture.open({
      databaseUrl: url.toString(),
      feedbackSpillFile,
      onWarning: (message) => warnings.push(message),
      onLoss: (message) => losses.push(message),
    });
    store.feedback.record({
      traceId: 't-spill',
      value: -7,
      weight: 0.3,
      metadata: { a: 'b' },
      tenant: 'acme',
    });
    proxy.cut();
    await store.close({ deadlineAt: Date.now() + 500 });
    expect(losses).toEqual([]);
    expect(warnings).toContain(
      `hooks' feedback not written at close (1 piece): kept in ${feedbackSpillFile}, written to the store at the next start`,
    );
    const lines = readFileSync(feedbackSpillFile, 'utf8').trimEnd().split('\n');
    expect(lines.map((line) => feedbackRowOfLine(line)?.trace_id)).toEqual(['t-spill']);

    proxy.restore();
    const next = await fixture.open({ feedbackSpillFile });
    await waitUntil(() => !existsSync(feedbackSpillFile), 10_000);
    expect(await next.feedback.listByTrace('t-spill', 'acme')).toMatchObject([
      { value: -7, weight: 0.3, metadata: { a: 'b' }, tenant: 'acme' },
    ]);
  }, 30_000);
});
