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

describe('empty variables and PK_LOG_LEVEL', () => {
  it('takes an empty variable for unset: the default, not 0 (a random port, no drain time)', () => {
    const options = readServerOptions([], {
      PORT: '',
      PK_SHUTDOWN_TIMEOUT_MS: '',
      PK_LOG_FLUSH_MS: '',
      PK_GUARDRAIL_HOLDBACK_CHARS: '',
      PK_LOG_LEVEL: '',
    });
    expect(options).toMatchObject({
      port: 8787,
      shutdownTimeoutMs: 30_000,
      logFlushMs: 100,
      guardrailHoldbackChars: 128,
      logLevel: 'info',
    });
  });

  it('takes pino’s levels in any case and refuses another, naming the variable', () => {
    expect(readServerOptions([], { PK_LOG_LEVEL: 'WARN' }).logLevel).toBe('warn');
    expect(() => readServerOptions([], { PK_LOG_LEVEL: 'verbose' })).toThrow(
      new StartupError(
        'PK_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got verbose',
      ),
    );
  });
});
