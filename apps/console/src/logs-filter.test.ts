import { describe, expect, it } from 'vitest';
import {
  EMPTY_FILTER,
  filterFromSearch,
  filterPairs,
  formFilter,
  isoToLocal,
  localToIso,
  periodProblem,
} from './logs-filter.js';

describe('the logs filter in the URL', () => {
  it('round-trips every field and repeated metadata pairs, in the query API’s names', () => {
    const search = new URLSearchParams(
      'provider=openai&model=gpt-4o&metadata._user=alice&metadata.env=prod&from=2026-01-01T00:00:00.000Z&cursor=x&junk=1',
    );
    const filter = filterFromSearch(search);
    expect(filter).toEqual({
      fields: { provider: 'openai', model: 'gpt-4o', from: '2026-01-01T00:00:00.000Z' },
      metadata: [
        ['_user', 'alice'],
        ['env', 'prod'],
      ],
    });
    expect(new URLSearchParams(filterPairs(filter)).toString()).toBe(
      'provider=openai&model=gpt-4o&from=2026-01-01T00%3A00%3A00.000Z&metadata._user=alice&metadata.env=prod',
    );
  });

  it('applies the form’s fields without the spaces at their ends (a pasted trace id), metadata values as typed', () => {
    expect(
      formFilter({ trace_id: '  trace-abc \t', model: ' gpt-4o', provider: '   ' }, [
        ['_user', ' alice '],
        ['', 'no key'],
      ]),
    ).toEqual({ fields: { trace_id: 'trace-abc', model: 'gpt-4o' }, metadata: [['_user', ' alice ']] });
  });

  it('keeps the outcome and the error code, after the status', () => {
    const filter = filterFromSearch(new URLSearchParams('error_code=server_error&failed=true&status=200'));
    expect(filter.fields).toEqual({ status: '200', failed: 'true', error_code: 'server_error' });
    expect(new URLSearchParams(filterPairs(filter)).toString()).toBe(
      'status=200&failed=true&error_code=server_error',
    );
  });

  it('drops empty values and metadata pairs without a key', () => {
    expect(filterPairs({ fields: { model: '' }, metadata: [['', 'x']] })).toEqual([]);
  });

  it('converts the time range between the date input and ISO 8601', () => {
    const iso = localToIso('2026-03-04T05:06');
    expect(iso).toMatch(/^2026-03-0\dT\d\d:06:00.000Z$/);
    expect(isoToLocal(iso)).toBe('2026-03-04T05:06');
    expect(localToIso('')).toBe('');
    expect(isoToLocal('not a time')).toBe('');
  });
});

describe('a time the URL holds that the form cannot show', () => {
  it('is left out of the filter and named, so no filter applies that the form does not show', () => {
    const filter = filterFromSearch(
      new URLSearchParams('from=yesterday&to=2026-12-06T10:00:00.000Z&metadata._user=alice'),
    );
    expect(filter).toEqual({
      fields: { to: '2026-12-06T10:00:00.000Z' },
      metadata: [['_user', 'alice']],
      ignored: ['from=yesterday'],
    });
    expect(filterPairs(filter)).toEqual([
      ['to', '2026-12-06T10:00:00.000Z'],
      ['metadata._user', 'alice'],
    ]);
  });
});

describe('periodProblem', () => {
  it('names a period whose From is after its To, in local time: no record can be in it', () => {
    const from = '2026-12-08T10:00:00.000Z';
    const to = '2026-12-01T10:00:00.000Z';
    expect(periodProblem({ fields: { from, to }, metadata: [] })).toBe(
      `From (${new Date(from).toLocaleString()}) is after To (${new Date(to).toLocaleString()}): no request can be in that period. Swap them, or Clear the filters.`,
    );
  });

  it('accepts a period in order, an instant, or one end alone', () => {
    const time = '2026-12-01T10:00:00.000Z';
    expect(
      periodProblem({ fields: { from: time, to: '2026-12-08T10:00:00.000Z' }, metadata: [] }),
    ).toBeNull();
    expect(periodProblem({ fields: { from: time, to: time }, metadata: [] })).toBeNull();
    expect(periodProblem({ fields: { from: time }, metadata: [] })).toBeNull();
    expect(periodProblem({ fields: { to: time }, metadata: [] })).toBeNull();
    expect(periodProblem(EMPTY_FILTER)).toBeNull();
  });
});
