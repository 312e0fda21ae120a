import { describe, expect, it } from 'vitest';
import { ENGINES, freshStoreForEachTest } from '../../test/support/engines.js';
import type { Store } from '../open-store.js';
import { newLogId, type RequestLogInput } from './log-record.js';
import { RequestLogWriter } from './log-writer.js';

const NOW = Date.UTC(2026, 11, 5, 12);

function record(fields: Partial<RequestLogInput> & { readonly traceId: string }): RequestLogInput {
  return {
    id: newLogId(NOW),
    createdAt: NOW,
    tenant: 'acme',
    status: 200,
    latencyMs: 5,
    ...fields,
  };
}

// Values a client can send that PostgreSQL cannot hold as given (NUL in text, fractional or huge
// counts): the records are kept, and none holds back the others. SQLite keeps them as given.
describe.each(ENGINES)('request log records with values a database may refuse, on %s', (engine) => {
  let store: Store;
  freshStoreForEachTest(engine, (opened) => {
    store = opened;
  });

  it('keeps records with NUL in text and counts out of an integer column’s range, and the batch around them', async () => {
    const warnings: string[] = [];
    const writer = new RequestLogWriter({
      sink: store.openLogSink({ onWarning: (message) => warnings.push(message) }),
      flushMs: 20,
      onWarning: (message) => warnings.push(message),
    });
    writer.enqueue(record({ traceId: 'before' }));
    writer.enqueue(
      record({
        traceId: 'nul',
        model: 'gpt\u0000-4o',
        metadata: { team: 'a\u0000b', _user: 'u\u0000' },
        requestBody: '{"x":"\u0000"}',
      }),
    );
    writer.enqueue(
      record({
        traceId: 'counts',
        status: 1e12,
        usage: { prompt_tokens: 1.5, completion_tokens: 3e9, total_tokens: Number.NaN },
        retries: 2.4,
      }),
    );
    writer.enqueue(record({ traceId: 'after', metadata: { team: 'fine' } }));
    await writer.close();
    expect(writer.stats()).toMatchObject({ written: 4, dropped: 0, depth: 0 });

    const page = await store.logs.list({ tenant: 'acme', limit: 10 });
    const byTrace = new Map(page.records.map((stored) => [stored.trace_id, stored]));
    expect([...byTrace.keys()].sort()).toEqual(['after', 'before', 'counts', 'nul']);
    const text = (value: string) => (engine === 'postgres' ? value.replaceAll('\u0000', '\uFFFD') : value);
    // Metadata is stored with U+FFFD for NUL on both engines (it is filtered on); other text only
    // where PostgreSQL needs it.
    expect(byTrace.get('nul')).toMatchObject({
      model: text('gpt\u0000-4o'),
      metadata: { team: 'a\uFFFDb', _user: 'u\uFFFD' },
    });
    const filtered = await store.logs.list({ tenant: 'acme', metadata: [['team', 'a\uFFFDb']] });
    expect(filtered.records.map((stored) => stored.trace_id)).toEqual(['nul']);
    const counts = byTrace.get('counts');
    if (engine === 'postgres')
      expect(counts).toMatchObject({
        status: 0,
        retries: 2,
        usage: { prompt_tokens: 2, completion_tokens: null, total_tokens: null },
      });
    else expect(counts?.usage.prompt_tokens).toBe(1.5);
    expect(warnings).toEqual([]);
  });

  it('drops a record the database still refuses on its own, saying so and counting it, and writes the rest of its batch', async () => {
    const warnings: string[] = [];
    const writer = new RequestLogWriter({
      sink: store.openLogSink({ onWarning: (message) => warnings.push(message) }),
      flushMs: 20,
      onWarning: (message) => warnings.push(message),
    });
    // A time no column holds on PostgreSQL (bigint); SQLite stores it as a real number.
    const refused = record({ traceId: 'far', createdAt: 1e30 });
    writer.enqueue(record({ traceId: 'one' }));
    writer.enqueue(refused);
    writer.enqueue(record({ traceId: 'two' }));
    await writer.close();
    const traces = (await store.logs.list({ tenant: 'acme', limit: 10 })).records.map(
      (stored) => stored.trace_id,
    );
    expect(traces).toEqual(expect.arrayContaining(['one', 'two']));
    if (engine === 'postgres') {
      expect(traces).not.toContain('far');
      expect(warnings).toEqual([expect.stringContaining(`refused record ${refused.id} on its own`)]);
      // Counted where `pk_log_dropped_total` reads it.
      expect(writer.stats()).toMatchObject({ dropped: 1, written: 2 });
    } else {
      // SQLite keeps it; its impossible time reads as 1970's instead of breaking every page.
      expect(traces).toContain('far');
      expect(warnings).toEqual([]);
    }
    expect(writer.stats().depth).toBe(0);
  });

  it('a read naming NUL is a refusal on PostgreSQL, nothing found on SQLite, never a crash', async () => {
    const lookup = store.collections.get('a\u0000b');
    if (engine === 'postgres')
      await expect(lookup).rejects.toMatchObject({
        code: 'invalid',
        message: expect.stringContaining('NUL'),
      });
    else expect(await lookup).toBeUndefined();
  });
});
