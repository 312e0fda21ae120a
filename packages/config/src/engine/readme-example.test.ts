import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

// The README's example runs for real (real timers, about 60 ms): it is user code, not a strategy test.
describe('README routing engine example', () => {
  it('runs and produces what its comments say', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const { result } = await import('./readme-example.js');
      expect(result.outcome).toEqual({ ok: true, value: 'backup: Hello' });
      expect([result.path, result.retryCount]).toEqual(['config.targets[1]', 1]);
      expect(log.mock.calls).toEqual([
        [{ ok: true, value: 'backup: Hello' }],
        ['config.targets[1]', 1],
        ['config.targets[0]', 408, 'fallback'],
        ['config.targets[1]', 503, 'retry'],
        ['config.targets[1]', 200, 'return'],
      ]);
    } finally {
      log.mockRestore();
    }
  });

  it('is the code the README shows', () => {
    const source = readFileSync(new URL('./readme-example.ts', import.meta.url), 'utf8');
    const region = /\/\/ #region readme\n([\s\S]*?)\/\/ #endregion readme\n/.exec(source)?.[1];
    expect(region).toBeDefined();
    const shown = `${region?.replace("from '../index.js'", "from '@pk/config'").trimEnd()}\n`;
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${shown}\`\`\``);
  });
});
