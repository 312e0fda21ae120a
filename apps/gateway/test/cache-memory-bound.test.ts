import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// The embedded cache store stays within its byte bound in accounting and in real memory. Run in a
// child process with --expose-gc so heap figures are read after a forced collection.
const script = `
import { createMemoryCacheStore } from '@pk/config/cache';
const bound = 32 * 1024 * 1024;
const entry = 100 * 1024;
const gc = globalThis.gc;
gc(); gc();
const base = process.memoryUsage();
const store = createMemoryCacheStore({ maxBytes: bound });
let maxAccounted = 0;
const total = Math.ceil((10 * bound) / entry);
for (let index = 0; index < total; index += 1) {
  // a distinct string each time, so nothing is shared between entries
  await store.put('key-' + index, String(index % 10).repeat(entry - 8) + String(index).padStart(8, '0'), 3600);
  if (index % 50 === 0) await store.get('key-5'); // read an early entry now and then: it must survive
  maxAccounted = Math.max(maxAccounted, store.bytes);
}
gc(); gc();
const after = process.memoryUsage();
const growth = after.heapUsed + after.arrayBuffers - (base.heapUsed + base.arrayBuffers);
console.log(JSON.stringify({
  bound,
  maxAccounted,
  growth,
  oldestGone: (await store.get('key-0')) === undefined,
  recentlyReadKept: (await store.get('key-5')) !== undefined,
  newestKept: (await store.get('key-' + (total - 1))) !== undefined,
}));
`;

describe('in-memory cache store bound', () => {
  it('inserting 10× a 32 MiB bound in 100 KiB entries stays under the bound (accounting, and heap within 1.2×)', () => {
    const run = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url).pathname,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(result.maxAccounted).toBeLessThanOrEqual(result.bound);
    expect(result.growth).toBeLessThan(1.2 * result.bound);
    expect(result.oldestGone).toBe(true);
    expect(result.recentlyReadKept).toBe(true);
    expect(result.newestKept).toBe(true);
  });
});
