import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS, startScriptNodeFlags } from './server-process.js';

describe('the V8 flags of `pnpm start`', () => {
  it('are the same at the repository root and in the gateway package (and what the tests start)', () => {
    const gateway = startScriptNodeFlags(new URL('../package.json', import.meta.url));
    expect(gateway).toContain('--max-semi-space-size=8');
    expect(gateway).toContain('--heap-growing-percent=50');
    expect(gateway).toContain('--single-threaded-gc');
    expect(gateway).toContain('--v8-pool-size=1');
    expect(startScriptNodeFlags(new URL('../../../package.json', import.meta.url))).toEqual(gateway);
    expect(SERVER_NODE_FLAGS).toEqual(gateway);
  });
});
