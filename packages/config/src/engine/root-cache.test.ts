import { describe, expect, it } from 'vitest';
import { createMemoryCacheStore } from '../cache/memory-cache-store.js';
import { group, leaf, planOf } from '../testing/plan-builders.js';
import type { EngineCachePort, RootCacheEntry } from './ports.js';
import { runScenario, summary } from './test-scenario.js';

/** A cache port whose root key is `root`, leaves keyed by path; both stores in memory. */
function ports(extra: Partial<EngineCachePort<unknown, string>> = {}) {
  const leaves = createMemoryCacheStore<string>();
  const roots = createMemoryCacheStore<RootCacheEntry<string>>({ sizeOf: (entry) => entry.value.length });
  const cache: EngineCachePort<unknown, string> = {
    store: leaves,
    key: (target) => `leaf:${target.path}`,
    root: { store: roots, key: () => 'root' },
    isStream: (value) => value.startsWith('stream:'),
    ...extra,
  };
  return { leaves, roots, cache };
}

// Decision 0005 (as amended): a cache at the root of a config is looked up once, before the
// strategy runs, and the leaves do not apply it again.
const failingThenBackup = planOf(
  group({
    mode: 'fallback',
    targets: [leaf({ retry: { attempts: 2 } }), leaf()],
  }),
  { cache: { max_age: 600 } },
);

describe('the root cache', () => {
  it('a miss runs the strategy and stores the answer with the path of the target that gave it', async () => {
    const { roots, cache } = ports();
    const run = await runScenario({
      plan: failingThenBackup,
      script: { 'config.targets[0]': { status: 503 }, 'config.targets[1]': { ok: 'B' } },
      ports: { cache },
    });
    expect(summary(run).path).toBe('[1]');
    expect(run.result.cacheStatus).toBe('MISS');
    expect(run.elapsedMs).toBe(3000);
    expect(await roots.get('root')).toEqual({ value: 'B', path: 'config.targets[1]' });
  });

  it('a hit answers before the strategy: no target called, no back-off, the stored path, 0 retries', async () => {
    const { roots, cache } = ports();
    await roots.put('root', { value: 'B', path: 'config.targets[1]' }, 600);
    const run = await runScenario({
      plan: failingThenBackup,
      script: { 'config.targets[0]': { status: 503 }, 'config.targets[1]': { ok: 'never' } },
      ports: { cache },
    });
    expect(run.calls).toEqual([]);
    expect(run.elapsedMs).toBe(0);
    expect(run.result).toMatchObject({
      outcome: { ok: true, value: 'B', cacheHit: true },
      path: 'config.targets[1]',
      retryCount: 0,
      cacheStatus: 'HIT',
    });
    expect(summary(run).trace).toEqual(['[1]#0 t=0 200 HIT cache-hit → return']);
    expect(run.events).toEqual([{ type: 'cache-hit', atMs: 0, path: 'config.targets[1]', key: 'root' }]);
  });

  it('force refresh skips the lookup (REFRESH) and overwrites the entry', async () => {
    const { roots, cache } = ports({ refresh: () => true });
    await roots.put('root', { value: 'old', path: 'config.targets[1]' }, 600);
    const run = await runScenario({
      plan: planOf(leaf(), { cache: true }),
      script: { config: { ok: 'new' } },
      ports: { cache },
    });
    expect(run.result.cacheStatus).toBe('REFRESH');
    expect(await roots.get('root')).toEqual({ value: 'new', path: 'config' });
  });

  it('failures and non-200 answers are never stored', async () => {
    const { roots, cache } = ports();
    await runScenario({
      plan: planOf(leaf(), { cache: true }),
      script: { config: { status: 500 } },
      ports: { cache },
    });
    await runScenario({
      plan: planOf(leaf(), { cache: true }),
      script: { config: { ok: 'partial', status: 246 } },
      ports: { cache },
    });
    expect(await roots.get('root')).toBeUndefined();
  });

  it('a stream is stored only through commitToCache, with a leaf’s own commit when it has a cache', async () => {
    const { roots, leaves, cache } = ports();
    const run = await runScenario({
      plan: planOf(leaf({ cache: true }), { cache: true }),
      script: { config: { ok: 'stream:abc' } },
      ports: { cache },
    });
    expect(await roots.get('root')).toBeUndefined();
    await run.result.commitToCache?.('complete answer');
    expect(await roots.get('root')).toEqual({ value: 'complete answer', path: 'config' });
    expect(await leaves.get('leaf:config')).toBe('complete answer');
  });

  it('a target’s own cache below the root still answers per leaf (status HIT)', async () => {
    const { leaves, cache } = ports();
    await leaves.put('leaf:config.targets[1]', 'cached B', 60);
    const run = await runScenario({
      plan: planOf(group({ mode: 'fallback', targets: [leaf(), leaf({ cache: true })] }), { cache: true }),
      script: { 'config.targets[0]': { status: 503 } },
      ports: { cache },
    });
    expect(run.result).toMatchObject({ path: 'config.targets[1]', cacheStatus: 'HIT' });
    expect(run.calls.map((call) => call.path)).toEqual(['config.targets[0]']);
  });

  it('is not used when the caller gives no root port or declines the request', async () => {
    const withoutRoot = ports();
    const { root: _root, ...leafOnly } = withoutRoot.cache;
    const noPort = await runScenario({
      plan: planOf(leaf(), { cache: true }),
      script: { config: { ok: 'A' } },
      ports: { cache: leafOnly },
    });
    expect(noPort.result.cacheStatus).toBe('DISABLED');
    const declined = ports({ root: { store: createMemoryCacheStore(), key: () => undefined } });
    const run = await runScenario({
      plan: planOf(leaf(), { cache: true }),
      script: { config: { ok: 'A' } },
      ports: { cache: declined.cache },
    });
    expect(run.result.cacheStatus).toBe('DISABLED');
  });

  it('a failing store is a miss, never a failed request', async () => {
    const failing = {
      get: () => Promise.reject(new Error('down')),
      put: () => Promise.reject(new Error('down')),
    };
    const { cache } = ports({ root: { store: failing, key: () => 'root' } });
    const run = await runScenario({
      plan: planOf(leaf(), { cache: true }),
      script: { config: { ok: 'A' } },
      ports: { cache },
    });
    expect(run.result).toMatchObject({ outcome: { ok: true, value: 'A' }, cacheStatus: 'MISS' });
  });
});
