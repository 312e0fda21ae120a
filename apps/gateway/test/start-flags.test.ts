import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from './server-process.js';

const flagsOf = (packageJson: URL): string[] =>
  (JSON.parse(readFileSync(packageJson, 'utf8')) as { scripts: { start: string } }).scripts.start
    .split(' ')
    .filter(
      (word) => word.startsWith('--') && !word.startsWith('--filter') && !word.startsWith('--output-logs'),
    );

describe('the V8 flags of `pnpm start`', () => {
  it('are the same at the repository root and in the gateway package (and what the tests start)', () => {
    const gateway = flagsOf(new URL('../package.json', import.meta.url));
    expect(gateway).toContain('--max-semi-space-size=8');
    expect(gateway).toContain('--heap-growing-percent=50');
    expect(flagsOf(new URL('../../../package.json', import.meta.url))).toEqual(gateway);
    expect(SERVER_NODE_FLAGS).toEqual(gateway);
  });
});
