import { describe, expect, it } from 'vitest';
import { ENGINES, freshStoreForEachTest } from '../../test/support/engines.js';
import type { Store } from '../open-store.js';

describe.each(ENGINES)('audit log on %s', (engine) => {
  let store: Store;
  freshStoreForEachTest(engine, (opened) => {
    store = opened;
  });

  it('records an action that changes no record (a usage reset) beside the changes, newest first', async () => {
    const key = await store.virtualKeys.create(
      { name: 'metered', provider: 'openai', apiKey: 'sk-test-1234' },
      'cli',
    );
    const before = { period_start: '2027-01-01T00:00:00.000Z', cost_usd: 1.25, tokens: 900, requests: 3 };
    await store.audit.recordAction({
      actor: 'key:admin-1',
      action: 'reset_usage',
      entity: 'virtual_key',
      entityId: key.id,
      before,
    });
    const entries = await store.audit.list({ entity: 'virtual_key', entityId: key.id });
    expect(entries.map((entry) => entry.action)).toEqual(['reset_usage', 'create']);
    expect(entries[0]).toMatchObject({ actor: 'key:admin-1', before, after: null });
    expect(Date.parse(entries[0]?.at ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });
});
