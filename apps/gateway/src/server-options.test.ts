import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_IDLE_TIMEOUT_MS, readServerOptions, StartupError } from './server-options.js';

describe('PK_STREAM_IDLE_TIMEOUT_MS', () => {
  it('defaults to 10 minutes and takes 0 (no limit) up to a day', () => {
    expect(readServerOptions([], {}).streamIdleTimeoutMs).toBe(DEFAULT_STREAM_IDLE_TIMEOUT_MS);
    expect(DEFAULT_STREAM_IDLE_TIMEOUT_MS).toBe(600_000);
    expect(readServerOptions([], { PK_STREAM_IDLE_TIMEOUT_MS: '' }).streamIdleTimeoutMs).toBe(600_000);
    expect(readServerOptions([], { PK_STREAM_IDLE_TIMEOUT_MS: '0' }).streamIdleTimeoutMs).toBe(0);
    expect(readServerOptions([], { PK_STREAM_IDLE_TIMEOUT_MS: '86400000' }).streamIdleTimeoutMs).toBe(
      86_400_000,
    );
  });

  it.each(['-1', '1.5', 'ten', '86400001', ' ', '1e6', '+5'])(
    'refuses %j at start with a message naming it',
    (value) => {
      expect(() => readServerOptions([], { PK_STREAM_IDLE_TIMEOUT_MS: value })).toThrow(StartupError);
      expect(() => readServerOptions([], { PK_STREAM_IDLE_TIMEOUT_MS: value })).toThrow(
        /PK_STREAM_IDLE_TIMEOUT_MS must be 0 \(no limit\) to 86400000 milliseconds/,
      );
    },
  );
});
