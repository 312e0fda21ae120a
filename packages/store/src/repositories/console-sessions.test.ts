import { describe, expect, it } from 'vitest';
import { ENGINES, freshStoreForEachTest } from '../../test/support/engines.js';
import type { Store } from '../open-store.js';

describe.each(ENGINES)('console sessions on %s', (engine) => {
  let store: Store;
  freshStoreForEachTest(engine, (opened) => {
    store = opened;
  });

  it('finds a session by its token, never stores the token, and signs out', async () => {
    const { token, session } = await store.consoleSessions.create('key-1');
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(session.expiresAt - session.createdAt).toBe(12 * 60 * 60 * 1000);
    expect(await store.consoleSessions.find(token)).toEqual(session);
    expect(await store.consoleSessions.find(`${token}x`)).toBeUndefined();
    const rows = await store.db.selectFrom('console_sessions').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(await store.consoleSessions.delete(token)).toBe(true);
    expect(await store.consoleSessions.find(token)).toBeUndefined();
    expect(await store.consoleSessions.delete(token)).toBe(false);
  });

  it('an expired session is not found, and ending a key ends its sessions', async () => {
    const expired = await store.consoleSessions.create('key-1', -1);
    expect(await store.consoleSessions.find(expired.token)).toBeUndefined();
    const a = await store.consoleSessions.create('key-2');
    const b = await store.consoleSessions.create('key-3');
    await store.consoleSessions.deleteForKey('key-2');
    expect(await store.consoleSessions.find(a.token)).toBeUndefined();
    expect(await store.consoleSessions.find(b.token)).toBeDefined();
  });
});
