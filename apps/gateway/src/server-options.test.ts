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

describe('numbers in variables', () => {
  // A refusal shows the value JSON-quoted: a space, the quotes a compose env_file keeps or a newline
  // (a secret file's) is visible, and the refusal stays one line.
  it('shows a refused value quoted, in one line, for every variable read here', () => {
    const names = [
      'PORT',
      'PK_METRICS_PORT',
      'PK_SHUTDOWN_TIMEOUT_MS',
      'PK_LOG_FLUSH_MS',
      'PK_GUARDRAIL_HOLDBACK_CHARS',
      'PK_STREAM_IDLE_TIMEOUT_MS',
      'PK_LOG_LEVEL',
    ];
    for (const name of names) {
      for (const value of ['64\n', ' 64 ', '"64"']) {
        let message = '';
        try {
          readServerOptions([], { [name]: value });
        } catch (error) {
          message = (error as Error).message;
        }
        expect(message, `${name}=${JSON.stringify(value)}`).toMatch(
          new RegExp(`^${name} must [^\\n]*, got `),
        );
        expect(message.endsWith(`, got ${JSON.stringify(value)}`), message).toBe(true);
      }
    }
  });

  it('takes decimal digits only: 0x1F, 1e3, a sign, a space or a fraction is refused, naming the variable', () => {
    for (const value of ['0x1F', '1e3', '+80', ' 80', '80.5', '8_0', '80\n', '"80"']) {
      expect(() => readServerOptions([], { PORT: value }), value).toThrow(
        new StartupError(`PORT must be 0-65535, got ${JSON.stringify(value)}`),
      );
      expect(() => readServerOptions([], { PK_METRICS_PORT: value }), value).toThrow(
        new StartupError(`PK_METRICS_PORT must be 0-65535, got ${JSON.stringify(value)}`),
      );
      expect(() => readServerOptions([], { PK_SHUTDOWN_TIMEOUT_MS: value }), value).toThrow(
        new StartupError(
          `PK_SHUTDOWN_TIMEOUT_MS must be 0-999999999 milliseconds, got ${JSON.stringify(value)}`,
        ),
      );
      expect(() => readServerOptions([], { PK_LOG_FLUSH_MS: value }), value).toThrow(
        new StartupError(`PK_LOG_FLUSH_MS must be 0-60000 milliseconds, got ${JSON.stringify(value)}`),
      );
    }
    // Nine digits at most, and the refusal says so (not "a whole number", which 1000000000 is).
    expect(() => readServerOptions([], { PK_SHUTDOWN_TIMEOUT_MS: '1000000000' })).toThrow(
      new StartupError('PK_SHUTDOWN_TIMEOUT_MS must be 0-999999999 milliseconds, got "1000000000"'),
    );
    expect(readServerOptions([], { PK_SHUTDOWN_TIMEOUT_MS: '999999999' }).shutdownTimeoutMs).toBe(
      999_999_999,
    );
    expect(
      readServerOptions([], { PORT: '0', PK_SHUTDOWN_TIMEOUT_MS: '0', PK_METRICS_PORT: '9464' }),
    ).toMatchObject({
      port: 0,
      shutdownTimeoutMs: 0,
      metricsPort: 9464,
    });
  });
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
        'PK_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
      ),
    );
  });
});

describe('on/off variables and the tracing variables the span module reads', () => {
  it('takes 1/0, true/false, on/off and yes/no in any case for PK_METRICS and PK_ALLOW_UNAUTHENTICATED', () => {
    for (const value of ['1', 'true', 'ON', 'yes']) {
      expect(readServerOptions([], { PK_ALLOW_UNAUTHENTICATED: value }).allowUnauthenticated, value).toBe(
        true,
      );
      expect(readServerOptions([], { PK_METRICS: value }).metrics, value).toBe(true);
    }
    for (const value of ['0', 'False', 'off', 'no', '']) {
      expect(readServerOptions([], { PK_ALLOW_UNAUTHENTICATED: value }).allowUnauthenticated, value).toBe(
        false,
      );
    }
    expect(readServerOptions([], { PK_METRICS: 'off' }).metrics).toBe(false);
    expect(readServerOptions([], { PK_METRICS: '' }).metrics).toBe(true);
  });

  it.each(['PK_METRICS', 'PK_ALLOW_UNAUTHENTICATED'])(
    'refuses %s=maybe, naming the accepted values',
    (name) => {
      expect(() => readServerOptions([], { [name]: 'maybe' })).toThrow(
        new StartupError(`${name} must be on or off (1/0, true/false, on/off, yes/no), got "maybe"`),
      );
    },
  );

  it('refuses an unknown sampler, a ratio outside 0-1 and a batch size that is not a whole number', () => {
    expect(() => readServerOptions([], { OTEL_TRACES_SAMPLER: 'bogus' })).toThrow(
      /^OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio, got "bogus"$/,
    );
    for (const argument of ['nope', '1.5', '-0.1', '1e-1'])
      expect(() => readServerOptions([], { OTEL_TRACES_SAMPLER_ARG: argument }), argument).toThrow(
        /OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1/,
      );
    expect(() => readServerOptions([], { OTEL_BSP_MAX_QUEUE_SIZE: 'x' })).toThrow(
      /OTEL_BSP_MAX_QUEUE_SIZE must be a whole number above 0, got "x"/,
    );
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(() => readServerOptions([], { ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      /^OTEL_EXPORTER_OTLP_PROTOCOL must be http\/json or http\/protobuf .*, got "grpc"$/,
    );
    // The traces' own variable wins over the general one, as OpenTelemetry's do.
    expect(
      readServerOptions([], {
        ...endpoint,
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'HTTP/JSON',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      }).tracing,
    ).toBe(true);
    expect(readServerOptions([], { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).tracing).toBe(false);
    // An endpoint without its scheme, or another scheme, is refused without repeating the value.
    for (const [value, found] of [
      ['otel-collector:4318', 'a value without http:// or https://'],
      ['notaurl', 'a value without http:// or https://'],
      ['http://', 'an http:// URL that does not parse'],
      ['grpc://collector:4317?token=secret-token', 'a grpc:// URL'],
    ]) {
      for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) {
        const refusal = (() => {
          try {
            readServerOptions([], { [name]: value });
          } catch (error) {
            return (error as Error).message;
          }
          return 'accepted';
        })();
        expect(refusal, `${name}=${value}`).toBe(
          `${name} must be an http:// or https:// URL (the collector's OTLP/HTTP endpoint, such as http://otel-collector:4318), got ${found}`,
        );
      }
    }
    expect(
      readServerOptions([], { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector/v1/traces' }).tracing,
    ).toBe(true);
    // Not read while the SDK is disabled, as the protocol is not.
    expect(
      readServerOptions([], { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'notaurl' }).tracing,
    ).toBe(false);
    expect(() => readServerOptions([], { OTEL_SDK_DISABLED: 'yes please' })).toThrow(
      /OTEL_SDK_DISABLED must be true or false/,
    );
    const accepted = readServerOptions([], {
      OTEL_TRACES_SAMPLER: 'ParentBased_TraceIdRatio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_SDK_DISABLED: 'TRUE',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    });
    expect(accepted.tracing).toBe(false);
  });
});

describe('HOST and PK_METRICS_HOST', () => {
  it('take an IP address or a host name, and default to 127.0.0.1', () => {
    expect(readServerOptions([], {}).host).toBe('127.0.0.1');
    expect(readServerOptions([], { HOST: '' }).host).toBe('127.0.0.1');
    expect(readServerOptions([], {}).metricsHost).toBe('127.0.0.1');
    for (const host of [
      '0.0.0.0',
      '::',
      '::1',
      'fe80::1%eth0',
      'localhost',
      'gateway.internal',
      'pk_gateway',
      'a.b.',
    ])
      expect(readServerOptions([], { HOST: host, PK_METRICS_HOST: host }), host).toMatchObject({
        host,
        metricsHost: host,
      });
  });

  it.each([
    'http://0.0.0.0',
    '0.0.0.0:8787',
    '[::1]',
    '1.2.3.256',
    'two words',
    '-dash.example',
    'a..b',
    '*',
  ])('refuse %j, naming the variable and what it takes', (value) => {
    for (const name of ['HOST', 'PK_METRICS_HOST'])
      expect(() => readServerOptions([], { [name]: value })).toThrow(
        new StartupError(
          `${name} must be an IP address (127.0.0.1, 0.0.0.0, ::1, ::; no brackets, no port) or a host name, got ${JSON.stringify(value)}`,
        ),
      );
  });
});

describe('AWS_ASSUME_ROLE_ACCESS_KEY_ID and AWS_ASSUME_ROLE_SECRET_ACCESS_KEY', () => {
  it('are read together, and are absent when both are unset or empty', () => {
    expect(readServerOptions([], {}).awsAssumeRoleCredentials).toBeUndefined();
    expect(
      readServerOptions([], { AWS_ASSUME_ROLE_ACCESS_KEY_ID: '', AWS_ASSUME_ROLE_SECRET_ACCESS_KEY: '' })
        .awsAssumeRoleCredentials,
    ).toBeUndefined();
    expect(
      readServerOptions([], {
        AWS_ASSUME_ROLE_ACCESS_KEY_ID: 'AKIDGATEWAY',
        AWS_ASSUME_ROLE_SECRET_ACCESS_KEY: 'gateway-secret',
      }).awsAssumeRoleCredentials,
    ).toEqual({ accessKeyId: 'AKIDGATEWAY', secretAccessKey: 'gateway-secret' });
    // From a Kubernetes secret made of files: their newlines would sign every AssumeRole wrongly.
    expect(
      readServerOptions([], {
        AWS_ASSUME_ROLE_ACCESS_KEY_ID: 'AKIDGATEWAY\n',
        AWS_ASSUME_ROLE_SECRET_ACCESS_KEY: ' gateway-secret\r\n',
      }).awsAssumeRoleCredentials,
    ).toEqual({ accessKeyId: 'AKIDGATEWAY', secretAccessKey: 'gateway-secret' });
  });

  it('refuses one without the other at start, without showing the secret', () => {
    expect(() => readServerOptions([], { AWS_ASSUME_ROLE_ACCESS_KEY_ID: 'AKIDGATEWAY' })).toThrow(
      'AWS_ASSUME_ROLE_ACCESS_KEY_ID and AWS_ASSUME_ROLE_SECRET_ACCESS_KEY must be set together',
    );
    expect(() => readServerOptions([], { AWS_ASSUME_ROLE_SECRET_ACCESS_KEY: 'gateway-secret' })).toThrow(
      /^AWS_ASSUME_ROLE_ACCESS_KEY_ID and AWS_ASSUME_ROLE_SECRET_ACCESS_KEY must be set together$/,
    );
  });
});

describe('the settings file’s path', () => {
  it('refuses one starting with ~ or holding a line break, naming where it came from', () => {
    expect(() => readServerOptions([], { PK_SETTINGS: '~/pk.yaml' })).toThrow(
      new StartupError(
        'PK_SETTINGS starts with ~, which only a shell expands (docker compose, Kubernetes and systemd pass it as it is): give the full path, got "~/pk.yaml"',
      ),
    );
    expect(() => readServerOptions(['--settings', '/etc/pk/pk.yaml\n'], {})).toThrow(
      '--settings holds a control character (a line break, a tab …): give the path alone, got "/etc/pk/pk.yaml\\n"',
    );
  });
});

describe('PK_METRICS_PORT beside PORT', () => {
  it('refuses the gateway’s own port, which it would hold itself, naming both', () => {
    for (const env of [
      { PORT: '8787', PK_METRICS_PORT: '8787' },
      { PK_METRICS_PORT: '8787' },
      { PORT: '9464', PK_METRICS_PORT: '9464', HOST: '0.0.0.0', PK_ALLOW_UNAUTHENTICATED: '1' },
    ]) {
      expect(() => readServerOptions([], env), JSON.stringify(env)).toThrow(
        new StartupError(
          `PK_METRICS_PORT must not be PORT (${env.PK_METRICS_PORT}): the gateway listens there itself; give the metrics a port of their own`,
        ),
      );
    }
    // Two addresses of their own (not a wildcard): the same number is two sockets.
    expect(
      readServerOptions([], {
        PORT: '9464',
        HOST: '127.0.0.1',
        PK_METRICS_PORT: '9464',
        PK_METRICS_HOST: '127.0.0.2',
      }).metricsPort,
    ).toBe(9464);
    expect(readServerOptions([], { PORT: '0', PK_METRICS_PORT: '0' }).metricsPort).toBe(0);
  });
});

describe('the proxy variables', () => {
  it('refuses a proxy without http:// or https://, naming the variable set, its password hidden', () => {
    const cases: [Record<string, string>, string, string][] = [
      // Without a scheme it may be the password alone: not repeated.
      [{ HTTPS_PROXY: 'proxy.internal:3128' }, 'HTTPS_PROXY', '(a value without a scheme://, not repeated)'],
      [{ https_proxy: 'socks5://user:hunter2@proxy:1080' }, 'https_proxy', '"socks5://***@proxy:1080"'],
      [{ HTTP_PROXY: '"http://user:hunter2@proxy:3128"' }, 'HTTP_PROXY', '"\\"http://***@proxy:3128\\""'],
      [
        { http_proxy: 'user:hunter2@proxy:3128' },
        'http_proxy',
        '(a value without a scheme://, not repeated)',
      ],
    ];
    for (const [env, name, shown] of cases) {
      expect(() => readServerOptions([], env), name).toThrow(
        new StartupError(
          `${name} must be an http:// or https:// URL (http://proxy.internal:3128), got ${shown}`,
        ),
      );
    }
    expect(() => readServerOptions([], { HTTPS_PROXY: 'http://user:hunter2@proxy:3128' })).not.toThrow();
    // The lower-case name is read only without the upper-case one, as the transport reads them.
    expect(() =>
      readServerOptions([], { HTTPS_PROXY: 'http://proxy:3128', https_proxy: 'leftover' }),
    ).not.toThrow();
    // An empty upper-case one is unset: the lower-case one is the proxy, and is checked.
    expect(() => readServerOptions([], { HTTPS_PROXY: '', https_proxy: 'leftover' })).toThrow(
      'https_proxy must be an http:// or https:// URL',
    );
  });
});

describe('the exporter’s own variables, when spans are exported', () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318' };

  it('refuses a timeout, compression or headers the SDK would drop without a word, never showing a header', () => {
    const cases: [Record<string, string>, string][] = [
      [
        { OTEL_EXPORTER_OTLP_TIMEOUT: 'abc' },
        'OTEL_EXPORTER_OTLP_TIMEOUT must be a whole number of milliseconds above 0, got "abc"',
      ],
      [
        { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '10s' },
        'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT must be a whole number of milliseconds above 0, got "10s"',
      ],
      [
        { OTEL_EXPORTER_OTLP_COMPRESSION: 'zip' },
        'OTEL_EXPORTER_OTLP_COMPRESSION must be gzip or none, got "zip"',
      ],
      [
        { OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20tok-secret,x-team tok-secret' },
        'OTEL_EXPORTER_OTLP_HEADERS must be name=value pairs separated by commas (authorization=Bearer%20…): pair 2 has no name=',
      ],
    ];
    for (const [env, message] of cases) {
      expect(() => readServerOptions([], { ...endpoint, ...env }), message).toThrow(
        new StartupError(message),
      );
    }
    // Without an endpoint nothing is exported: left to other services of the machine.
    expect(() => readServerOptions([], { OTEL_EXPORTER_OTLP_COMPRESSION: 'zip' })).not.toThrow();
    expect(() =>
      readServerOptions([], {
        ...endpoint,
        OTEL_EXPORTER_OTLP_TIMEOUT: '5000',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20tok,x-team=a',
      }),
    ).not.toThrow();
  });
});
