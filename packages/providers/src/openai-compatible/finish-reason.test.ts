import { describe, expect, it } from 'vitest';
import { mappedFinishReason } from './finish-reason.js';

describe('mappedFinishReason', () => {
  const together = { eos: 'stop' };

  it('maps a vendor reason the table names, and nothing else', () => {
    expect(mappedFinishReason(together, 'eos')).toBe('stop');
    expect(mappedFinishReason(together, 'stop')).toBeUndefined();
    expect(mappedFinishReason(undefined, 'eos')).toBeUndefined();
    expect(mappedFinishReason(together, null)).toBeUndefined();
  });

  it('does not take an Object prototype member for a mapping', () => {
    expect(mappedFinishReason(together, 'constructor')).toBeUndefined();
    expect(mappedFinishReason(together, '__proto__')).toBeUndefined();
  });
});
