import { describe, expect, it } from 'vitest';
import { newLogId } from './log-record.js';

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
