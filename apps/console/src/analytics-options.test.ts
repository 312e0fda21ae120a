import { describe, expect, it } from 'vitest';
import { analyticsOptionsFromSearch, analyticsSearch, DEFAULT_ANALYTICS } from './analytics-options.js';

describe('the analytics view’s choices in the address', () => {
  it('reads back what it wrote: metric, grouping (a metadata key’s too) and period', () => {
    const chosen = { metric: 'cost', groupBy: 'metadata', metadataKey: 'team & co', hours: '168' };
    const query = analyticsSearch(chosen);
    expect(query).toBe('?metric=cost&group_by=metadata.team+%26+co&hours=168');
    expect(analyticsOptionsFromSearch(new URLSearchParams(query))).toEqual(chosen);
    const byUser = { ...DEFAULT_ANALYTICS, groupBy: 'user' };
    expect(analyticsOptionsFromSearch(new URLSearchParams(analyticsSearch(byUser)))).toEqual(byUser);
  });

  it('leaves the defaults out, and takes the default for a value it does not know', () => {
    expect(analyticsSearch(DEFAULT_ANALYTICS)).toBe('');
    // A metadata grouping with no key yet is no grouping to keep.
    expect(analyticsSearch({ ...DEFAULT_ANALYTICS, groupBy: 'metadata' })).toBe('');
    expect(analyticsOptionsFromSearch(new URLSearchParams('metric=evil&group_by=<b>&hours=9999'))).toEqual(
      DEFAULT_ANALYTICS,
    );
  });
});
