import { describe, expect, it } from 'vitest';
import { ENGINES, freshStoreForEachTest } from '../../test/support/engines.js';
import type { Store } from '../open-store.js';
import { LOG_EXPORT_STALE_MS } from './log-exports.js';

const FIELDS = ['id', 'trace_id', 'ai_model', 'cost'];

async function collect(parts: AsyncGenerator<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const part of parts) all.push(part);
  return all;
}

describe.each(ENGINES)('log exports on %s', (engine) => {
  let store: Store;
  let clock = Date.parse('2026-12-01T10:00:00Z');
  const holder = freshStoreForEachTest(engine, (opened) => {
    store = opened;
  });
  /** The same location opened with a clock the test moves. */
  const withClock = () => holder.fixture.open({ now: () => clock });

  it('runs draft → in_progress → success, keeps the file in order, and scopes by tenant', async () => {
    const created = await store.logExports.create({
      tenant: 'team-a',
      createdBy: 'key:k1',
      description: 'November',
      filters: { time_of_generation_min: '2026-11-01' },
      requestedData: FIELDS,
    });
    expect(created).toMatchObject({
      tenant: 'team-a',
      createdBy: 'key:k1',
      description: 'November',
      filters: { time_of_generation_min: '2026-11-01' },
      requestedData: FIELDS,
      status: 'draft',
      total: null,
      exported: 0,
      error: null,
    });
    expect(await store.logExports.get(created.id, 'team-b')).toBeUndefined();
    expect(await store.logExports.list('team-b')).toEqual([]);
    expect((await store.logExports.list()).map((item) => item.id)).toEqual([created.id]);

    const started = await store.logExports.start(created.id, 'team-a');
    expect(started.status).toBe('in_progress');
    await expect(store.logExports.start(created.id, 'team-a')).rejects.toMatchObject({ code: 'conflict' });
    expect(await store.logExports.progress(started, 2, { index: 0, body: 'a\nb\n' })).toBe(true);
    expect(await store.logExports.progress(started, 2)).toBe(true);
    expect(await store.logExports.progress(started, 3, { index: 1, body: 'c\n' })).toBe(true);
    expect(await store.logExports.get(created.id)).toMatchObject({ status: 'in_progress', exported: 3 });
    // Not finished: no link.
    await expect(
      store.logExports.setDownloadToken(created.id, 'team-a', 'token', Date.now() + 60_000),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await store.logExports.finish(started, { total: 3 })).toBe(true);
    expect(await store.logExports.get(created.id, 'team-a')).toMatchObject({
      status: 'success',
      total: 3,
      exported: 3,
    });
    expect(await collect(store.logExports.parts(created.id))).toEqual(['a\nb\n', 'c\n']);
    // A finished export is not started again.
    await expect(store.logExports.start(created.id, 'team-a')).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('has finished'),
    });
  });

  it('hands out download tokens that expire and are replaced, stored only as hashes', async () => {
    const created = await store.logExports.create({ tenant: null, filters: {}, requestedData: FIELDS });
    const run = await store.logExports.start(created.id, undefined);
    await store.logExports.progress(run, 1, { index: 0, body: '{}\n' });
    await store.logExports.finish(run, { total: 1 });
    await store.logExports.setDownloadToken(created.id, undefined, 'first-token', Date.now() + 60_000);
    expect(await store.logExports.acceptsDownloadToken(created.id, 'first-token')).toBe(true);
    expect(await store.logExports.acceptsDownloadToken(created.id, 'other')).toBe(false);
    const row = await store.db
      .selectFrom('log_exports')
      .select('download_token_hash')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.download_token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.download_token_hash).not.toContain('first-token');
    await store.logExports.setDownloadToken(created.id, undefined, 'second-token', Date.now() + 60_000);
    expect(await store.logExports.acceptsDownloadToken(created.id, 'first-token')).toBe(false);
    expect(await store.logExports.acceptsDownloadToken(created.id, 'second-token')).toBe(true);
    await store.logExports.setDownloadToken(created.id, undefined, 'old-token', Date.now() - 1);
    expect(await store.logExports.acceptsDownloadToken(created.id, 'old-token')).toBe(false);
  });

  it('cancels a running export: the job learns it at its next progress report', async () => {
    const created = await store.logExports.create({ tenant: 't', filters: {}, requestedData: FIELDS });
    await expect(store.logExports.cancel(created.id, 't')).rejects.toMatchObject({ code: 'conflict' });
    const cancelled = await store.logExports.start(created.id, 't');
    expect((await store.logExports.cancel(created.id, 't')).status).toBe('stopped');
    expect(await store.logExports.progress(cancelled, 10, { index: 0, body: 'x\n' })).toBe(false);
    expect(await store.logExports.finish(cancelled, { total: 10 })).toBe(false);
    expect(await store.logExports.get(created.id)).toMatchObject({ status: 'stopped', total: null });
    expect(await collect(store.logExports.parts(created.id))).toEqual([]);
    // A stopped export starts again from nothing.
    await store.logExports.start(created.id, 't');
    expect(await store.logExports.get(created.id)).toMatchObject({ status: 'in_progress', exported: 0 });
  });

  it('changing an export makes it a draft again and drops its file; a running one is refused', async () => {
    const created = await store.logExports.create({ tenant: 't', filters: {}, requestedData: FIELDS });
    const run = await store.logExports.start(created.id, 't');
    await expect(store.logExports.update(created.id, 't', { description: 'changed' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('cancel it'),
    });
    await store.logExports.progress(run, 1, { index: 0, body: 'x\n' });
    await store.logExports.finish(run, { total: 1 });
    const updated = await store.logExports.update(created.id, 't', {
      filters: { trace_id: 'trace-1' },
      requestedData: ['id'],
    });
    expect(updated).toMatchObject({
      status: 'draft',
      total: null,
      filters: { trace_id: 'trace-1' },
      requestedData: ['id'],
      description: '',
    });
    expect(await collect(store.logExports.parts(created.id))).toEqual([]);
    await expect(store.logExports.update('nope', 't', {})).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.logExports.update(created.id, 'other', {})).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('shows a run without progress for two minutes as failed, and lets it start again', async () => {
    const clocked = await withClock();
    const created = await clocked.logExports.create({ tenant: 't', filters: {}, requestedData: FIELDS });
    const first = await clocked.logExports.start(created.id, 't');
    expect(await clocked.logExports.progress(first, 1, { index: 0, body: 'first\n' })).toBe(true);
    clock += LOG_EXPORT_STALE_MS - 1000;
    expect((await clocked.logExports.get(created.id))?.status).toBe('in_progress');
    clock += 2000;
    expect(await clocked.logExports.get(created.id)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('interrupted'),
    });
    const second = await clocked.logExports.start(created.id, 't');
    expect(second).toMatchObject({ status: 'in_progress', exported: 0 });
    expect(second.run).not.toBe(first.run);
    expect((await clocked.logExports.get(created.id))?.status).toBe('in_progress');
    // The first job wakes up: it may no longer write or finish; the second run's file is its own.
    expect(await clocked.logExports.progress(first, 5, { index: 1, body: 'late\n' })).toBe(false);
    expect(await clocked.logExports.progress(second, 1, { index: 0, body: 'second\n' })).toBe(true);
    expect(await clocked.logExports.finish(first, { error: 'late' })).toBe(false);
    expect(await clocked.logExports.finish(second, { total: 1 })).toBe(true);
    expect(await collect(clocked.logExports.parts(created.id))).toEqual(['second\n']);
    expect(await clocked.logExports.get(created.id)).toMatchObject({
      status: 'success',
      total: 1,
      error: null,
    });
  });

  it('a cancelled run started again at once: the first job writes nothing more into the new file', async () => {
    const created = await store.logExports.create({ tenant: 't', filters: {}, requestedData: FIELDS });
    const first = await store.logExports.start(created.id, 't');
    await store.logExports.cancel(created.id, 't');
    const second = await store.logExports.start(created.id, 't');
    // The first job has not yet seen the cancel; the export is running again, but not its run.
    expect(await store.logExports.progress(first, 500, { index: 0, body: 'stale\n' })).toBe(false);
    expect(await store.logExports.finish(first, { total: 500 })).toBe(false);
    expect(await store.logExports.progress(second, 1, { index: 0, body: 'fresh\n' })).toBe(true);
    expect(await store.logExports.finish(second, { total: 1 })).toBe(true);
    expect(await collect(store.logExports.parts(created.id))).toEqual(['fresh\n']);
  });

  it('retention deletes exports made before a time, with their files, but not a running one', async () => {
    const clocked = await withClock();
    const old = await clocked.logExports.create({ tenant: 't', filters: {}, requestedData: FIELDS });
    const oldRun = await clocked.logExports.start(old.id, 't');
    await clocked.logExports.progress(oldRun, 1, { index: 0, body: 'x\n' });
    await clocked.logExports.finish(oldRun, { total: 1 });
    const running = await clocked.logExports.create({ tenant: 't', filters: {}, requestedData: FIELDS });
    await clocked.logExports.start(running.id, 't');
    clock += 1000;
    const recent = await clocked.logExports.create({ tenant: 't', filters: {}, requestedData: FIELDS });
    expect(await clocked.logExports.deleteCreatedBefore(clock)).toBe(1);
    expect((await clocked.logExports.list()).map((item) => item.id).sort()).toEqual(
      [running.id, recent.id].sort(),
    );
    expect(await collect(clocked.logExports.parts(old.id))).toEqual([]);
  });

  it('refuses invalid input naming the field, and deletes an export with its file', async () => {
    await expect(
      store.logExports.create({ tenant: 't', filters: {}, requestedData: [] }),
    ).rejects.toMatchObject({ code: 'invalid', issues: [{ path: 'requested_data' }] });
    await expect(store.logExports.create({ tenant: 't', requestedData: FIELDS })).rejects.toMatchObject({
      code: 'invalid',
      issues: [{ path: 'filters' }],
    });
    await expect(
      store.logExports.create({
        tenant: 't',
        filters: [] as unknown as Record<string, unknown>,
        requestedData: FIELDS,
      }),
    ).rejects.toMatchObject({ code: 'invalid', issues: [{ path: 'filters' }] });
    await expect(
      store.logExports.create({
        tenant: 't',
        filters: {},
        requestedData: FIELDS,
        description: 'x'.repeat(1001),
      }),
    ).rejects.toMatchObject({ code: 'invalid', issues: [{ path: 'description' }] });

    const created = await store.logExports.create({ tenant: 't', filters: {}, requestedData: FIELDS });
    const run = await store.logExports.start(created.id, 't');
    await store.logExports.progress(run, 1, { index: 0, body: 'x\n' });
    await expect(store.logExports.delete(created.id, 'other')).rejects.toMatchObject({ code: 'not_found' });
    await store.logExports.delete(created.id, 't');
    expect(await store.logExports.get(created.id)).toBeUndefined();
    expect(await collect(store.logExports.parts(created.id))).toEqual([]);
    expect(await store.logExports.progress(run, 2)).toBe(false);
  });
});
