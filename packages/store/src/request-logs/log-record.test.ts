import { describe, expect, it } from 'vitest';
import {
  attemptsOfColumn,
  LOG_COLUMNS,
  logRowValues,
  metadataOfColumns,
  newLogId,
  type RequestLogInput,
} from './log-record.js';

describe('newLogId', () => {
  it('is log_ + 11 base-36 digits of the millisecond + 10 random base-36 digits', () => {
    const at = Date.UTC(2026, 11, 3, 12, 0, 0, 123);
    const id = newLogId(at + 0.7);
    expect(id).toMatch(/^log_[0-9a-z]{21}$/);
    expect(Number.parseInt(id.slice(4, 15), 36)).toBe(at);
  });

  it('sorts in time order and does not repeat within one millisecond', () => {
    const at = Date.UTC(2026, 11, 3);
    const ids = Array.from({ length: 50_000 }, () => newLogId(at));
    expect(new Set(ids).size).toBe(ids.length);
    expect(newLogId(at + 1) > (ids.toSorted().at(-1) ?? '')).toBe(true);
    expect(newLogId(0)).toMatch(/^log_0{11}[0-9a-z]{10}$/);
  });
});

describe('the metadata and attempts columns', () => {
  const createdAt = Date.UTC(2026, 11, 3, 12, 0, 0, 123);
  const base = {
    id: newLogId(createdAt),
    createdAt,
    tenant: 'acme',
    traceId: 't',
    status: 200,
    latencyMs: 9,
  };
  const column = (input: RequestLogInput, name: (typeof LOG_COLUMNS)[number]) =>
    logRowValues(input)[LOG_COLUMNS.indexOf(name)] as string | null;

  it('stores no metadata JSON when `_user` is the only key (user_id holds it) and reads it back', () => {
    const onlyUser = { ...base, metadata: { _user: 'ada' } };
    expect(column(onlyUser, 'metadata')).toBeNull();
    expect(column(onlyUser, 'user_id')).toBe('ada');
    expect(metadataOfColumns(null, 'ada')).toEqual({ _user: 'ada' });
    expect(metadataOfColumns(null, null)).toEqual({});
    const more = { ...base, metadata: { _user: 'ada', team: 'blue' } };
    expect(metadataOfColumns(column(more, 'metadata'), 'ada')).toEqual({ _user: 'ada', team: 'blue' });
  });

  it('stores attempts as arrays with their start relative to the record, read back as they were', () => {
    const attempts = [
      {
        targetPath: '0',
        provider: 'openai',
        startedAt: createdAt + 0.25,
        status: 503,
        latencyMs: 3.5,
        errorCode: 'upstream_error',
      },
      { targetPath: '1', provider: 'anthropic', startedAt: createdAt + 4.125, status: 200, latencyMs: 5 },
    ];
    const text = column({ ...base, attempts }, 'attempts');
    expect(JSON.parse(text ?? '')).toEqual([
      ['0', 'openai', 0.25, 503, 3.5, 'upstream_error'],
      ['1', 'anthropic', 4.125, 200, 5],
    ]);
    expect(attemptsOfColumn(text, createdAt)).toEqual([
      attempts[0],
      { ...attempts[1], errorCode: undefined },
    ]);
  });

  it('keeps an attempt never sent as such, with or without its error code', () => {
    const attempts = [
      {
        targetPath: '0',
        provider: 'openai',
        startedAt: createdAt,
        status: 503,
        latencyMs: 0,
        errorCode: 'PK_ERR_CIRCUIT_OPEN',
        notSent: true as const,
      },
      {
        targetPath: '1',
        provider: 'openai',
        startedAt: createdAt,
        status: 429,
        latencyMs: 0,
        notSent: true as const,
      },
    ];
    const text = column({ ...base, attempts }, 'attempts');
    expect(JSON.parse(text ?? '')).toEqual([
      ['0', 'openai', 0, 503, 0, 'PK_ERR_CIRCUIT_OPEN', 1],
      ['1', 'openai', 0, 429, 0, null, 1],
    ]);
    expect(attemptsOfColumn(text, createdAt)).toEqual([
      attempts[0],
      { ...attempts[1], errorCode: undefined },
    ]);
  });

  it('reads the attempts of records written before, as objects', () => {
    const old = [{ targetPath: '0', provider: 'openai', startedAt: createdAt, status: 200, latencyMs: 1 }];
    expect(attemptsOfColumn(JSON.stringify(old), createdAt)).toEqual(old);
    expect(attemptsOfColumn(null, createdAt)).toEqual([]);
    expect(attemptsOfColumn('not json', createdAt)).toEqual([]);
  });
});
