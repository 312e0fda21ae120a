import { describe, expect, it } from 'vitest';
import {
  anyRunning,
  downloadUrlOf,
  exportDescriptionOf,
  exportFiltersOf,
  exportProgressText,
  type LogExport,
  startable,
} from './log-export.js';
import { EMPTY_FILTER, filterFromSearch } from './logs-filter.js';

const item = (status: LogExport['status'], extra: Partial<LogExport> = {}): LogExport => ({
  id: 'e1',
  status,
  description: null,
  created_at: '2026-01-01T00:00:00.000Z',
  total: null,
  exported: 0,
  error: null,
  ...extra,
});

describe('the logs view’s filter as an export’s', () => {
  it('maps every field of the logs filter to Portkey’s export filter names', () => {
    const filter = filterFromSearch(
      new URLSearchParams({
        trace_id: 't-1',
        status: '200',
        failed: 'true',
        error_code: 'PK_ERR_STREAM_INTERRUPTED',
        provider: 'openai',
        model: 'gpt-4o',
        virtual_key: 'vk-main',
        config: 'pc-prod',
        prompt: 'support',
        cache_status: 'HIT',
        cost_min: '4.21',
        cost_max: '100',
        from: '2026-01-01T00:00:00.000Z',
        to: '2026-01-02T12:30:00.000Z',
        'metadata._user': 'alice',
        'metadata.env': 'prod',
      }),
    );
    expect(exportFiltersOf(filter)).toEqual({
      ok: true,
      filters: {
        trace_id: 't-1',
        status_code: '200',
        failed: 'true',
        error_code: 'PK_ERR_STREAM_INTERRUPTED',
        ai_org: 'openai',
        ai_model: 'gpt-4o',
        virtual_keys: 'vk-main',
        configs: 'pc-prod',
        prompt_slug: 'support',
        cache_status: 'HIT',
        // The same name and unit (cents) in the logs API and an export.
        cost_min: '4.21',
        cost_max: '100',
        time_of_generation_min: '2026-01-01T00:00:00.000Z',
        time_of_generation_max: '2026-01-02T12:30:00.000Z',
        metadata: { _user: 'alice', env: 'prod' },
      },
    });
  });

  it('is refused for a time in the address that is not one (the view shows no records for it)', () => {
    expect(
      exportFiltersOf({ fields: { provider: 'openai' }, metadata: [], ignored: ['from=garbage'] }),
    ).toEqual({
      ok: false,
      problems: ['from=garbage in the address is not a time'],
    });
  });

  it('exports everything for an empty filter, and leaves empty values out', () => {
    expect(exportFiltersOf(EMPTY_FILTER)).toEqual({ ok: true, filters: {} });
    expect(exportFiltersOf({ fields: { model: '' }, metadata: [['', 'x']] })).toEqual({
      ok: true,
      filters: {},
    });
  });

  it('gives a date alone the logs API’s meaning (midnight UTC), not an export’s whole day', () => {
    const mapped = exportFiltersOf({ fields: { to: '2026-03-04' }, metadata: [] });
    expect(mapped).toEqual({ ok: true, filters: { time_of_generation_max: '2026-03-04T00:00:00.000Z' } });
  });

  it('explains what an export would read otherwise instead of dropping it', () => {
    const mapped = exportFiltersOf({
      fields: { model: 'a,b', provider: ' openai' },
      metadata: [
        ['env', 'prod'],
        ['env', 'dev'],
      ],
    });
    expect(mapped.ok).toBe(false);
    if (mapped.ok) return;
    expect(mapped.problems).toEqual([
      'the model filter "a,b" has a comma, which an export reads as a list of values',
      'the provider filter " openai" has spaces at its ends, which an export leaves out',
      'the metadata key "env" is given twice, and an export takes one value a key',
    ]);
  });

  it('takes a metadata pair given twice with the same value once, and a `__proto__` key as a key', () => {
    const mapped = exportFiltersOf({
      fields: {},
      metadata: [
        ['env', 'prod'],
        ['env', 'prod'],
        ['__proto__', 'x'],
      ],
    });
    expect(mapped.ok).toBe(true);
    if (!mapped.ok) return;
    expect(JSON.stringify(mapped.filters)).toBe('{"metadata":{"env":"prod","__proto__":"x"}}');
  });

  it('describes the export by the view’s filter', () => {
    expect(exportDescriptionOf(EMPTY_FILTER)).toBe('Logs view: every record');
    expect(exportDescriptionOf({ fields: { model: 'gpt-4o' }, metadata: [['_user', 'alice']] })).toBe(
      'Logs view: model=gpt-4o, metadata._user=alice',
    );
    expect(
      exportDescriptionOf({ fields: {}, metadata: [['k', 'v'.repeat(2000)]] }).length,
    ).toBeLessThanOrEqual(1000);
  });
});

describe('an export in the table', () => {
  it('says how many records it wrote or holds', () => {
    expect(exportProgressText(item('draft'))).toBe('not started');
    expect(exportProgressText(item('in_progress', { exported: 1500 }))).toBe('1,500 records so far');
    expect(exportProgressText(item('success', { total: 1, exported: 1 }))).toBe('1 record');
    expect(exportProgressText(item('stopped', { exported: 3 }))).toBe('3 records written');
  });

  it('is followed while one runs, and may be started again unless running or done', () => {
    expect(anyRunning([item('success'), item('in_progress')])).toBe(true);
    expect(anyRunning([item('success'), item('failed')])).toBe(false);
    expect(
      ['draft', 'in_progress', 'success', 'failed', 'stopped'].filter((s) =>
        startable(item(s as LogExport['status'])),
      ),
    ).toEqual(['draft', 'failed', 'stopped']);
  });

  it('goes only to a web address for a download', () => {
    const base = 'http://127.0.0.1:8787/console/logs';
    expect(downloadUrlOf('http://127.0.0.1:8787/v1/logs/exports/e1/file?token=abc', base)).toBe(
      'http://127.0.0.1:8787/v1/logs/exports/e1/file?token=abc',
    );
    expect(downloadUrlOf('/v1/logs/exports/e1/file?token=abc', base)).toBe(
      'http://127.0.0.1:8787/v1/logs/exports/e1/file?token=abc',
    );
    expect(downloadUrlOf('javascript:alert(1)', base)).toBeNull();
    expect(downloadUrlOf(undefined, base)).toBeNull();
  });
});
