import { describe, expect, it } from 'vitest';
import { pointerToPath, validateConfigText } from './config-validation.js';

describe('the config editor’s check as you type', () => {
  it('names paths as parseConfig does', () => {
    expect(pointerToPath('#/targets/0/retry/attempts')).toBe('config.targets[0].retry.attempts');
    expect(pointerToPath('#')).toBe('config');
    expect(pointerToPath('#/a~1b')).toBe('config.a/b');
  });

  it('reports JSON syntax first', () => {
    expect(validateConfigText('{"strategy": ')[0]).toMatchObject({
      path: 'config',
      message: expect.stringContaining('not JSON'),
    });
  });

  it('reports schema problems at their path, and accepts a valid config', () => {
    const issues = validateConfigText(JSON.stringify({ targets: [{ provider: 42 }] }));
    expect(issues.some((issue) => issue.path === 'config.targets[0].provider')).toBe(true);
    expect(
      validateConfigText(
        JSON.stringify({ strategy: { mode: 'fallback' }, targets: [{ provider: 'openai' }] }),
      ),
    ).toEqual([]);
  });
});
