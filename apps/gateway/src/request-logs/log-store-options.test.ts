import { describe, expect, it } from 'vitest';
import { StartupError } from '../server-options.js';
import { readLogStoreOptions } from './log-store-options.js';

describe('readLogStoreOptions', () => {
  it('reads plain decimal numbers', () => {
    const options = readLogStoreOptions({
      PK_LOG_RETENTION_DAYS: '7',
      PK_LOG_QUEUE_SIZE: '5000',
      PK_LOG_STORE_FLUSH_MS: '250',
    });
    expect([options.retentionDays, options.queueSize, options.flushMs]).toEqual([7, 5000, 250]);
  });

  // Decision 0007: counts and milliseconds take decimal digits only, not what JavaScript's Number reads.
  it.each([
    ['PK_LOG_STORE_FLUSH_MS', '1e3'],
    ['PK_LOG_STORE_FLUSH_MS', '0x10'],
    ['PK_LOG_QUEUE_SIZE', '1e5'],
    ['PK_LOG_QUEUE_SIZE', ' 500'],
    ['PK_LOG_RETENTION_DAYS', '+7'],
    ['PK_LOG_RETENTION_DAYS', '7.0'],
  ])('refuses %s=%j instead of reading it as Number would', (name, value) => {
    expect(() => readLogStoreOptions({ [name]: value })).toThrow(StartupError);
    expect(() => readLogStoreOptions({ [name]: value })).toThrow(`${name} must be a whole number`);
  });

  it('names every spelling an on/off variable takes when it refuses one', () => {
    expect(() => readLogStoreOptions({ PK_LOG_BODIES: '2' })).toThrow(
      new StartupError('PK_LOG_BODIES must be on or off (1/0, true/false, on/off, yes/no), got "2"'),
    );
    expect(readLogStoreOptions({ PK_LOG_BODIES: 'ON', PK_LOG_STORE: 'off' })).toMatchObject({
      bodies: true,
      enabled: false,
    });
  });
});
