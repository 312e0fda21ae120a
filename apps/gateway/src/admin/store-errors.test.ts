import { StoreError } from '@pk/store';
import { describe, expect, it } from 'vitest';
import { apiPathOf, pkErrorOfStoreError } from './store-errors.js';

describe("the store's refusals in the API's spelling", () => {
  it.each([
    ['apiKey', 'key'],
    ['usageLimits.credit_limit', 'usage_limits.credit_limit'],
    ['rateLimits.0.type', 'rate_limits.0.type'],
    ['expiresAt', 'expires_at'],
    ['virtualKeys.0', 'virtual_keys.0'],
    ['traceId', 'trace_id'],
    ['metadata.TeamName', 'metadata.TeamName'],
    ['config.targets[0].api_key', 'config.targets[0].api_key'],
    ['(root)', '(root)'],
  ])('%s is %s', (path, spelled) => {
    expect(apiPathOf(path)).toBe(spelled);
  });

  it('names the field as the client sent it, in param and message', () => {
    const error = new StoreError(
      'invalid',
      'invalid virtual key: apiKey: Too small; usageLimits.credit_limit: expected at least 1',
      {
        issues: [
          { path: 'apiKey', message: 'Too small' },
          { path: 'usageLimits.credit_limit', message: 'expected at least 1' },
        ],
      },
    );
    const refused = pkErrorOfStoreError(error, 'PK_ERR_VIRTUAL_KEY_NOT_FOUND');
    expect(refused.code).toBe('PK_ERR_INVALID_REQUEST');
    expect(refused.param).toBe('key');
    expect(refused.message).toBe(
      'invalid virtual key: key: Too small; usage_limits.credit_limit: expected at least 1',
    );
  });

  it('a database that cannot be reached: a write says nothing changed, a read does not', () => {
    const down = new StoreError('unavailable', 'connect ECONNREFUSED');
    expect(pkErrorOfStoreError(down, 'PK_ERR_RECORD_NOT_FOUND').message).toContain('nothing was changed');
    expect(pkErrorOfStoreError(down, 'PK_ERR_RECORD_NOT_FOUND', true).message).toBe(
      'the data store is unavailable; try again (requests are still served from the last snapshot)',
    );
  });
});
