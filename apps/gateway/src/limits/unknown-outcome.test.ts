import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { failedCalls } from './__fixtures__/failed-calls.js';
import { mayHaveBeenBilled } from './unknown-outcome.js';

describe('which failed calls a provider may bill', () => {
  it.each([
    ['cut by a timeout', failedCalls.timeout, true],
    ['cut by the client hanging up', failedCalls.hangUp, true],
    ['reset after it was sent', failedCalls.reset, true],
    ['never reached (refused connection)', failedCalls.unreachable, false],
    ['answered with an error status', failedCalls.refused, false],
    ['pk’s own failure (nothing sent)', new PkError('PK_ERR_INVALID_REQUEST', 'bad'), false],
  ])('a call %s: %s', (_case, error, billed) => {
    expect(mayHaveBeenBilled(error)).toBe(billed);
  });
});
