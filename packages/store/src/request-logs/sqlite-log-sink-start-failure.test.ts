import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFixture, type EngineFixture } from '../../test/support/engines.js';
import { SQLITE_FILE } from '../open-store.js';
import { newLogId } from './log-record.js';
import { RequestLogWriter } from './log-writer.js';
import { SqliteLogSink } from './sqlite-log-sink.js';

// The one fault this file injects: Node refusing to start a thread (as `new Worker` does when the
// process is out of threads or memory). Every thread that does start is a real one, writing to a
// real SQLite file.
const threadStarts = vi.hoisted(() => ({ refused: false, refusals: 0 }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:worker_threads')>();
  class Worker extends real.Worker {
    constructor(...args: ConstructorParameters<typeof real.Worker>) {
      if (threadStarts.refused) {
        threadStarts.refusals += 1;
        throw Object.assign(new Error('Worker initialization failure: Resource temporarily unavailable'), {
          code: 'ERR_WORKER_INIT_FAILED',
        });
      }
      super(...args);
    }
  }
  return { ...real, default: { ...real, Worker }, Worker };
});

describe('SqliteLogSink: a writer thread that cannot start', () => {
  let fixture: EngineFixture;
  beforeEach(async () => {
    fixture = await createFixture('sqlite');
    // The schema (migrations), then the store is not needed: the sink writes the file itself.
    await (await fixture.open()).close();
  });
  afterEach(async () => {
    threadStarts.refused = false;
    await fixture.cleanup();
  });

  it('keeps every record it was handed (the outbox grows past its first buffer) and writes them all once a thread starts', async () => {
    const sink = new SqliteLogSink(join(fixture.dataDir, SQLITE_FILE), { stageBatch: 64 });
    const warnings: string[] = [];
    const writer = new RequestLogWriter({
      sink,
      flushMs: 60_000,
      onWarning: (message) => warnings.push(message),
    });
    const base = Date.UTC(2026, 4, 1);
    const ids: string[] = [];
    try {
      threadStarts.refused = true;
      // 1,000 records: the hand-over of each 64 is refused, so one outbox holds them all (its slot
      // buffer doubled four times), text, coded words and metadata included.
      for (let index = 0; index < 1000; index += 1) {
        const createdAt = base + index;
        const id = newLogId(createdAt);
        ids.push(id);
        expect(
          writer.enqueue({
            id,
            createdAt,
            tenant: index % 2 === 0 ? 'acme' : 'beta',
            traceId: `trace-${index}`,
            status: 200,
            latencyMs: index / 4,
            model: `model-${index % 3}`,
            metadata: { _user: `user-${index % 7}`, team: `team-${index % 5}` },
          }),
        ).toBe(true);
      }
      await writer.flush();
      expect(threadStarts.refusals).toBeGreaterThan(15);
      expect(sink.running).toBe(false);
      expect(writer.stats()).toMatchObject({ depth: 1000, written: 0, dropped: 0 });
      expect(writer.stats().failedBatches).toBeGreaterThan(0);
      expect(warnings.join('\n')).toContain('the SQLite log writer thread could not be started');
      expect(warnings.join('\n')).toContain('1000 records kept and retried');

      threadStarts.refused = false;
      await writer.flush();
      expect(writer.stats()).toMatchObject({ depth: 0, written: 1000, dropped: 0 });
    } finally {
      await writer.close();
    }

    const db = new Database(join(fixture.dataDir, SQLITE_FILE), { readonly: true });
    try {
      const rows = db
        .prepare(
          'select id, tenant, trace_id, latency_ms, model, user_id from request_logs order by created_at',
        )
        .all() as {
        id: string;
        tenant: string;
        trace_id: string;
        latency_ms: number;
        model: string;
        user_id: string;
      }[];
      expect(rows.map((row) => row.id)).toEqual(ids);
      expect(rows[999]).toEqual({
        id: ids[999],
        tenant: 'beta',
        trace_id: 'trace-999',
        latency_ms: 249.75,
        model: 'model-0',
        user_id: 'user-5',
      });
      const teams = db
        .prepare("select value from request_log_metadata where key = 'team' order by created_at")
        .all() as {
        value: string;
      }[];
      expect(teams.map((row) => row.value)).toEqual(ids.map((_, index) => `team-${index % 5}`));
    } finally {
      db.close();
    }
  });
});
