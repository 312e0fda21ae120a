import { describe, expect, it, vi } from 'vitest';
import { UpstreamError } from './upstream-error.js';

const init = { status: 429, provider: 'anthropic', message: 'rate limited', type: 'rate_limit_error' };

describe('UpstreamError across copies of @pk/providers', () => {
  it('an UpstreamError from another copy is instanceof this copy’s UpstreamError, and the reverse', async () => {
    vi.resetModules();
    const other = await import('./upstream-error.js');
    expect(other.UpstreamError).not.toBe(UpstreamError);
    expect(new other.UpstreamError(init) instanceof UpstreamError).toBe(true);
    expect(new UpstreamError(init) instanceof other.UpstreamError).toBe(true);
    expect(UpstreamError.isInstance(new other.UpstreamError(init))).toBe(true);
  });

  it('look-alikes are not instances, and a subclass keeps the prototype check', () => {
    class OverloadedError extends UpstreamError {}
    const lookAlike = Object.assign(new Error('x'), { name: 'UpstreamError', status: 429, provider: 'p' });
    for (const value of [lookAlike, new Error('x'), { status: 429 }, null, undefined, 'UpstreamError'])
      expect(value instanceof UpstreamError).toBe(false);
    expect(new UpstreamError(init) instanceof OverloadedError).toBe(false);
    expect(new OverloadedError(init) instanceof OverloadedError).toBe(true);
    expect(new OverloadedError(init) instanceof UpstreamError).toBe(true);
  });
});
