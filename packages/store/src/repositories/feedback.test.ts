import { describe, expect, it } from 'vitest';
import { ENGINES, freshStoreForEachTest } from '../../test/support/engines.js';
import type { Store } from '../open-store.js';

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
