import { describe, expect, it } from 'vitest';
import { StartupError } from '../server-options.js';
import { redisKeyPrefixFromEnvironment, redisUrlFromEnvironment } from './redis-client.js';

describe('PK_REDIS_URL', () => {
  it('defaults to the local Redis, and takes redis:// and rediss:// URLs', () => {
    expect(redisUrlFromEnvironment({})).toBe('redis://127.0.0.1:6379');
    expect(redisUrlFromEnvironment({ PK_REDIS_URL: '' })).toBe('redis://127.0.0.1:6379');
    expect(redisUrlFromEnvironment({ PK_REDIS_URL: 'rediss://:secret@cache.internal:6380/2' })).toBe(
      'rediss://:secret@cache.internal:6380/2',
    );
  });

  it.each(['http://127.0.0.1:6379', 'localhost:6379', 'notaurl', 'redis://'])(
    'refuses %j at start, naming the variable (ioredis would retry it for ever)',
    (value) => {
      expect(() => redisUrlFromEnvironment({ PK_REDIS_URL: value })).toThrow(StartupError);
      expect(() => redisUrlFromEnvironment({ PK_REDIS_URL: value })).toThrow(/^PK_REDIS_URL must be/);
    },
  );

  it('refuses a path that is not a database number: ioredis’ SELECT of it crashed the gateway', () => {
    for (const value of [
      'redis://127.0.0.1:6379/abc',
      'redis://:hunter2@cache:6379/pk/0',
      'redis://cache:6379/-1',
    ]) {
      expect(() => redisUrlFromEnvironment({ PK_REDIS_URL: value }), value).toThrow(
        /^PK_REDIS_URL must name a database by its number, if at all \(redis:\/\/127\.0\.0\.1:6379\/0\), got "/,
      );
      expect(() => redisUrlFromEnvironment({ PK_REDIS_URL: value })).not.toThrow(/hunter2/);
    }
    for (const value of ['redis://cache:6379', 'redis://cache:6379/', 'redis://cache:6379/15'])
      expect(redisUrlFromEnvironment({ PK_REDIS_URL: value })).toBe(value);
  });

  it('never repeats a password of a refused URL', () => {
    expect(() => redisUrlFromEnvironment({ PK_REDIS_URL: 'http://user:hunter2@cache:6379' })).toThrow(
      'PK_REDIS_URL must be a redis:// or rediss:// URL (redis://127.0.0.1:6379), got "http://***@cache:6379"',
    );
    // Nor of one that does not parse (a space in the host), nor the quotes a compose env_file keeps.
    expect(() => redisUrlFromEnvironment({ PK_REDIS_URL: 'redis://:hunter2@cache host:6379' })).toThrow(
      'PK_REDIS_URL must be a redis:// or rediss:// URL (redis://127.0.0.1:6379), got "redis://***@cache host:6379"',
    );
    expect(() => redisUrlFromEnvironment({ PK_REDIS_URL: '"redis://:hunter2@cache:6379"' })).toThrow(
      'got "\\"redis://***@cache:6379\\""',
    );
  });

  it.each([
    ['redis://:hunter2-secret@[cache', '"redis://***@[cache"'],
    ['hunter2-secret', '(a value without a scheme://, not repeated)'],
    ['http://admin:admin@cache:6379', '"http://***@cache:6379"'],
    ['http://hunter2-secret@cache:6379', '"http://***@cache:6379"'],
    ['http://u:p%40ss@w@cache:6379', '"http://***@cache:6379"'],
    ['redis://:pa?ss#w@cache:6379', '"redis://***@cache:6379"'],
    ['http://cache:6379/0?password=hunter2-secret', '"http://cache:6379/0"'],
  ])('never repeats the credentials of %j, even when it does not parse', (value, shown) => {
    expect(() => redisUrlFromEnvironment({ PK_REDIS_URL: value })).toThrow(
      `PK_REDIS_URL must be a redis:// or rediss:// URL (redis://127.0.0.1:6379), got ${shown}`,
    );
  });
});

describe('PK_REDIS_KEY_PREFIX', () => {
  it('defaults to pk:, and takes a prefix of its own', () => {
    expect(redisKeyPrefixFromEnvironment({})).toBe('pk:');
    expect(redisKeyPrefixFromEnvironment({ PK_REDIS_KEY_PREFIX: '' })).toBe('pk:');
    expect(redisKeyPrefixFromEnvironment({ PK_REDIS_KEY_PREFIX: 'staging:pk:' })).toBe('staging:pk:');
  });

  // Decision 0007: quotes are never taken off (a compose env_file keeps `PK_REDIS_KEY_PREFIX="staging:"`),
  // and the keys began with `"staging:"`, apart from those of the replicas given it without them.
  it.each(['"staging:"', "'staging:'"])('refuses %j: quotes are never taken off', (value) => {
    expect(() => redisKeyPrefixFromEnvironment({ PK_REDIS_KEY_PREFIX: value })).toThrow(
      new StartupError(
        `PK_REDIS_KEY_PREFIX is in quotes, which are never taken off (a docker compose env_file keeps them): give the prefix without them, got ${JSON.stringify(value)}`,
      ),
    );
  });

  it.each(['a{b', 'tenant}', 'two words', 'tab\t', 'nul\u0000', 'x'.repeat(65)])(
    'refuses %j at start (braces would break Redis Cluster hash tags)',
    (value) => {
      expect(() => redisKeyPrefixFromEnvironment({ PK_REDIS_KEY_PREFIX: value })).toThrow(StartupError);
      expect(() => redisKeyPrefixFromEnvironment({ PK_REDIS_KEY_PREFIX: value })).toThrow(
        /^PK_REDIS_KEY_PREFIX must be 1-64 characters without \{, \}, whitespace or control characters/,
      );
    },
  );
});
