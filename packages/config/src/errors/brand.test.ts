import { describe, expect, it, vi } from 'vitest';
import { PlanAbortedError } from '../engine/plan-aborted-error.js';
import { PkError } from './error-envelope.js';

/** A second copy of the modules, as an application that loads both the ESM and a CommonJS bundle has. */
async function loadAnotherCopy() {
  vi.resetModules();
  const envelope = await import('./error-envelope.js');
  const aborted = await import('../engine/plan-aborted-error.js');
  return { PkError: envelope.PkError, PlanAbortedError: aborted.PlanAbortedError };
}

describe('instanceof across copies of @pk/config', () => {
  it('a PkError from another copy is instanceof this copy’s PkError, and the reverse', async () => {
    const other = await loadAnotherCopy();
    expect(other.PkError).not.toBe(PkError);
    const foreign = new other.PkError('PK_ERR_INVALID_CONFIG', 'bad config');
    expect(foreign instanceof PkError).toBe(true);
    expect(new PkError('PK_ERR_TIMEOUT', 'late') instanceof other.PkError).toBe(true);
    expect(foreign instanceof Error).toBe(true);
  });

  it('a PlanAbortedError from another copy is instanceof this copy’s PlanAbortedError', async () => {
    const other = await loadAnotherCopy();
    expect(new other.PlanAbortedError('left', [], 'config') instanceof PlanAbortedError).toBe(true);
    expect(new PlanAbortedError('left', [], 'config') instanceof other.PlanAbortedError).toBe(true);
  });

  it('other errors and look-alikes are not instances', () => {
    const lookAlike = Object.assign(new Error('x'), { name: 'PkError', code: 'PK_ERR_TIMEOUT', status: 408 });
    for (const value of [
      lookAlike,
      new Error('x'),
      { code: 'PK_ERR_TIMEOUT' },
      null,
      undefined,
      'PkError',
      1,
    ]) {
      expect(value instanceof PkError).toBe(false);
      expect(value instanceof PlanAbortedError).toBe(false);
    }
    expect(new PlanAbortedError('left', [], 'config') instanceof PkError).toBe(false);
    expect(new PkError('PK_ERR_TIMEOUT', 'late') instanceof PlanAbortedError).toBe(false);
  });

  it('a subclass keeps the prototype check: a PkError is not instanceof the subclass, the subclass is a PkError', async () => {
    class DeniedError extends PkError {}
    const other = await loadAnotherCopy();
    class OtherDeniedError extends other.PkError {}
    expect(new PkError('PK_ERR_TIMEOUT', 'late') instanceof DeniedError).toBe(false);
    expect(new other.PkError('PK_ERR_TIMEOUT', 'late') instanceof DeniedError).toBe(false);
    expect(new OtherDeniedError('PK_ERR_TIMEOUT', 'late') instanceof DeniedError).toBe(false);
    expect(new DeniedError('PK_ERR_TIMEOUT', 'late') instanceof DeniedError).toBe(true);
    expect(new OtherDeniedError('PK_ERR_TIMEOUT', 'late') instanceof PkError).toBe(true);
  });

  it('the brand is not an own or enumerable property: errors compare and serialise as before', () => {
    const error = new PkError('PK_ERR_TIMEOUT', 'late');
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(error).toEqual(new PkError('PK_ERR_TIMEOUT', 'late'));
    expect(JSON.stringify(error.toEnvelope())).not.toContain('pk.config');
  });
});
