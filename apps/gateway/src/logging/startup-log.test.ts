import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createWarningWriter } from './startup-log.js';

describe('warnings written before the app’s logger exists', () => {
  it('are pino’s JSON warn lines, the message escaped', () => {
    const lines: string[] = [];
    createWarningWriter('info', (line) => lines.push(line))('cache Redis unavailable ("x"\nretrying)');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    const parsed = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(parsed).toEqual({
      level: 40,
      time: expect.any(Number),
      pid: process.pid,
      hostname: hostname(),
      msg: 'cache Redis unavailable ("x"\nretrying)',
    });
  });

  it('are not written when the level is above warn', () => {
    const lines: string[] = [];
    createWarningWriter('error', (line) => lines.push(line))('quiet');
    createWarningWriter('silent', (line) => lines.push(line))('quiet');
    createWarningWriter('debug', (line) => lines.push(line))('loud');
    expect(lines).toHaveLength(1);
  });
});
