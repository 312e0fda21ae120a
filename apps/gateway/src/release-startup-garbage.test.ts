import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { releaseStartupGarbage } from './release-startup-garbage.js';

const newSpaceBytes = (): number =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;

describe('releaseStartupGarbage', () => {
  it('shrinks the young generation that surviving allocations grew', async () => {
    // What start-up does: many allocations that survive scavenges, so V8 grows the young generation.
    const kept: unknown[] = [];
    for (let index = 0; index < 300_000; index += 1) kept.push({ index, text: `entry ${index}` });
    const grown = newSpaceBytes();
    kept.length = 0;
    await expect(releaseStartupGarbage()).resolves.toBe(true);
    expect(newSpaceBytes()).toBeLessThan(grown);
  });
});
