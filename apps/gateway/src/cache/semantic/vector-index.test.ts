import { describe, expect, it } from 'vitest';
import { VectorIndex } from './vector-index.js';

const unit = (angle: number) => Float32Array.from([Math.cos(angle), Math.sin(angle)]);

/** Adds `count` entries of `tenant` to its own scope, keyed `<tenant>:<n>` from `from` on. */
function fill(index: VectorIndex, tenant: string, count: number, from = 0): void {
  for (let n = from; n < from + count; n += 1)
    index.add({ tenant, scope: `scope-${tenant}`, key: `${tenant}:${n}`, vector: unit(n / 1000) });
}

describe('VectorIndex eviction between tenants', () => {
  it('a busy tenant recycles its own entries: a quiet one below its fair share keeps all of its own', () => {
    const index = new VectorIndex({ maxEntries: 10 });
    fill(index, 'quiet', 3);
    fill(index, 'busy', 50);
    expect(index.size).toBe(10);
    expect(index.sizeOf('quiet')).toBe(3);
    expect(index.sizeOf('busy')).toBe(7);
    // The quiet tenant's first entry is still found; the busy one kept its newest seven.
    expect(index.search('scope-quiet', unit(0))).toEqual({
      key: 'quiet:0',
      similarity: expect.closeTo(1, 5),
    });
    expect(index.search('scope-busy', unit(0))?.key).toBe('busy:43');
  });

  it('when full, the tenant holding the most entries loses its oldest, until both hold their fair share', () => {
    const index = new VectorIndex({ maxEntries: 10 });
    fill(index, 'first', 10);
    // The second tenant takes from the first (the largest), oldest first, until they are even.
    fill(index, 'second', 5);
    expect([index.sizeOf('first'), index.sizeOf('second')]).toEqual([5, 5]);
    expect(index.search('scope-first', unit(0))?.key).toBe('first:5');
    // Even: the tenant adding is among the largest, so it drops its own oldest.
    fill(index, 'second', 3, 5);
    expect([index.sizeOf('first'), index.sizeOf('second')]).toEqual([5, 5]);
    expect(index.search('scope-second', unit(0))?.key).toBe('second:3');
    expect(index.search('scope-first', unit(0))?.key).toBe('first:5');
  });

  it('an evicted scope is gone from searches, and the entries of another scope of the tenant stay', () => {
    const index = new VectorIndex({ maxEntries: 2 });
    index.add({ tenant: 't', scope: 'a', key: 'a1', vector: unit(0) });
    index.add({ tenant: 't', scope: 'b', key: 'b1', vector: unit(0) });
    index.add({ tenant: 't', scope: 'b', key: 'b2', vector: unit(0.5) });
    expect(index.search('a', unit(0))).toBeUndefined();
    expect(index.search('b', unit(0))?.key).toBe('b1');
    expect(index.size).toBe(2);
  });
});

describe('VectorIndex search with a vector that is not one', () => {
  it('never matches a query or an entry holding NaN (a NaN similarity is not above the threshold)', () => {
    const index = new VectorIndex();
    index.add({ tenant: 't', scope: 's', key: 'broken', vector: Float32Array.from([Number.NaN, 1]) });
    index.add({ tenant: 't', scope: 's', key: 'far', vector: unit(Math.PI / 2) });
    expect(index.search('s', Float32Array.from([Number.NaN, Number.NaN]))).toBeUndefined();
    expect(index.search('s', unit(0))).toEqual({ key: 'far', similarity: expect.closeTo(0, 5) });
    expect(index.search('s', Float32Array.from([Number.POSITIVE_INFINITY, 0]))).toBeUndefined();
  });
});
