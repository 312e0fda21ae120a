import { describe, expect, it } from 'vitest';
import { createSeededRandom } from './seeded-random.js';

describe('seeded random', () => {
  it('repeats for a seed and differs between seeds', () => {
    const first = createSeededRandom(42);
    const again = createSeededRandom(42);
    const other = createSeededRandom(43);
    const a = Array.from({ length: 5 }, first);
    expect(Array.from({ length: 5 }, again)).toEqual(a);
    expect(Array.from({ length: 5 }, other)).not.toEqual(a);
  });

  it('stays in [0, 1) with a mean near 0.5', () => {
    const random = createSeededRandom(9);
    let sum = 0;
    let outside = 0;
    for (let index = 0; index < 100_000; index++) {
      const value = random();
      if (value < 0 || value >= 1) outside++;
      sum += value;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.01);
  });
});
