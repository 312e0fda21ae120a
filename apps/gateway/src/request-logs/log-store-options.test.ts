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
    // Surrounding whitespace is taken off, as PK_METRICS's and PK_ALLOW_UNAUTHENTICATED's (decision 0007).
    expect(readLogStoreOptions({ PK_LOG_BODIES: ' true ', PK_LOG_STORE: 'off\n' })).toMatchObject({
      bodies: true,
      enabled: false,
    });
  });
});

describe('PK_PUBLIC_URL', () => {
  it('refuses a URL with credentials, without echoing them', () => {
    for (const value of ['https://user:s3cret-pass@ai.example.com', 'https://s3cret-token@ai.example.com/']) {
      let refusal: unknown;
      try {
        readLogStoreOptions({ PK_PUBLIC_URL: value });
      } catch (error) {
        refusal = error;
      }
      expect(refusal, value).toBeInstanceOf(StartupError);
      expect((refusal as Error).message).toContain(
        'PK_PUBLIC_URL must be an http(s) URL without credentials',
      );
      expect((refusal as Error).message).not.toMatch(/s3cret|user/);
    }
  });

  it('does not echo the credentials of a URL it cannot parse either', () => {
    expect(() => readLogStoreOptions({ PK_PUBLIC_URL: 'https://user:s3cret@ai example.com' })).toThrow(
      new StartupError(
        'PK_PUBLIC_URL must be a URL (https://ai.example.com), got "https://***@ai example.com"',
      ),
    );
  });

  it('keeps the address as given, its trailing slashes dropped', () => {
    expect(readLogStoreOptions({ PK_PUBLIC_URL: 'https://ai.example.com/pk/' }).publicUrl).toBe(
      'https://ai.example.com/pk',
    );
  });
});

describe('PK_LOG_SPILL_PATH', () => {
  it('refuses a path starting with ~ or holding a line break, as the data directory is', () => {
    expect(() => readLogStoreOptions({ PK_LOG_SPILL_PATH: '~/spill.jsonl' })).toThrow(
      new StartupError(
        'PK_LOG_SPILL_PATH starts with ~, which only a shell expands (docker compose, Kubernetes and systemd pass it as it is): give the full path, got "~/spill.jsonl"',
      ),
    );
    expect(() => readLogStoreOptions({ PK_LOG_SPILL_PATH: '/var/lib/pk/spill.jsonl\n' })).toThrow(
      'PK_LOG_SPILL_PATH holds a control character (a line break, a tab …): give the path alone, got "/var/lib/pk/spill.jsonl\\n"',
    );
  });
});
