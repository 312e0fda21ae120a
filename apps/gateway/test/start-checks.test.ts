import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMasterKey, openStore, storeExists } from '@pk/store';
import { createTemporaryDatabase, requirePostgres } from '@pk/store/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayProcess, runGatewayExpectingExit, startGateway } from './server-process.js';
import { closedPort } from './support/network-faults.js';
import { textLine } from './support/output-lines.js';

const running: GatewayProcess[] = [];
/** Folders a test made for its settings file: removed after it. */
const tempDirs: string[] = [];
afterEach(() => {
  for (const gateway of running.splice(0)) gateway.child.kill('SIGKILL');
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * What the gateway process says and refuses at start: each test starts processes of its own and
 * measures no time, so this file shares the machine with others (server.test.ts times its exits).
 */
describe('the gateway process at start', () => {
  it('refuses a bad variable before it writes anything: no data directory, SQLite file or master key', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'pk-refused-'));
    const refusals: [Record<string, string>, string][] = [
      [{ PK_LOG_LEVEL: 'verbose' }, 'PK_LOG_LEVEL must be one of'],
      [{ PORT: 'abc' }, 'PORT must be 0-65535'],
      [{ PORT: '0x1F' }, 'PORT must be 0-65535, got "0x1F"'],
      [{ PK_SHUTDOWN_TIMEOUT_MS: '1e3' }, 'PK_SHUTDOWN_TIMEOUT_MS must be 0-999999999 milliseconds'],
      [
        { PK_SHUTDOWN_TIMEOUT_MS: '1000000000' },
        'PK_SHUTDOWN_TIMEOUT_MS must be 0-999999999 milliseconds, got "1000000000"',
      ],
      [{ PK_CACHE_STORE: 'bogus' }, 'PK_CACHE_STORE must be memory or redis'],
      [{ PK_CACHE_STORE: 'redis', PK_REDIS_URL: 'notaurl' }, 'PK_REDIS_URL must be a redis://'],
      // Set while no store uses Redis: checked all the same.
      [{ PK_REDIS_URL: 'localhost:6379' }, 'PK_REDIS_URL must be a redis:// or rediss:// URL'],
      // ioredis SELECTed "abc": an unhandled ReplyError ended the process with a stack trace.
      [
        { PK_CACHE_STORE: 'redis', PK_REDIS_URL: 'redis://127.0.0.1:6379/abc' },
        'PK_REDIS_URL must name a database by its number, if at all',
      ],
      [{ PK_REDIS_KEY_PREFIX: 'pk:{prod}:' }, 'PK_REDIS_KEY_PREFIX must be 1-64 characters without {, }'],
      [{ HOST: 'http://0.0.0.0' }, 'HOST must be an IP address (127.0.0.1, 0.0.0.0, ::1, ::; no brackets'],
      [{ HOST: '0.0.0.0:8787' }, 'HOST must be an IP address'],
      [{ HOST: 'no-such-host.invalid' }, 'HOST must be an IP address or a host name this machine resolves'],
      [{ PK_METRICS_HOST: '[::1]' }, 'PK_METRICS_HOST must be an IP address'],
      [
        { PORT: '18999', PK_METRICS_PORT: '18999' },
        'PK_METRICS_PORT must not be PORT (18999): the gateway listens there itself',
      ],
      [
        { PK_METRICS_PORT: '0', PK_METRICS_HOST: 'no-such-host.invalid' },
        'PK_METRICS_HOST must be an IP address or a host name this machine resolves',
      ],
      [{ PK_BREAKER_STORE: 'bogus' }, 'PK_BREAKER_STORE must be memory or redis'],
      [{ PK_LIMITS_STORE: 'bogus' }, 'PK_LIMITS_STORE must be memory or redis'],
      [{ PK_REPLICAS: 'x' }, 'PK_REPLICAS must be an integer'],
      [{ PK_LIMITS_HOLD_TTL_MS: '0x10' }, 'PK_LIMITS_HOLD_TTL_MS must be an integer 1-86400000, got "0x10"'],
      [
        { PK_LOG_STORE_FLUSH_MS: '1e3' },
        'PK_LOG_STORE_FLUSH_MS must be a whole number from 10 to 60000, got "1e3"',
      ],
      [{ PK_CACHE_MAX_BYTES: '1e9' }, 'PK_CACHE_MAX_BYTES must be a number of bytes ≥ 1024, got "1e9"'],
      [{ PK_LIMITS_TIMEOUT_MS: 'x' }, 'PK_LIMITS_TIMEOUT_MS must be an integer 1-60000, got "x"'],
      [
        { PK_CACHE_STORE: 'redis', PK_CACHE_MAX_BYTES: 'lots' },
        'PK_CACHE_MAX_BYTES must be a number of bytes',
      ],
      [
        { PK_METRICS: 'maybe' },
        'PK_METRICS must be on or off (1/0, true/false, on/off, yes/no), got "maybe"',
      ],
      [
        { PK_ALLOW_UNAUTHENTICATED: 'maybe' },
        'PK_ALLOW_UNAUTHENTICATED must be on or off (1/0, true/false, on/off, yes/no), got "maybe"',
      ],
      [{ OTEL_TRACES_SAMPLER: 'bogus' }, 'OTEL_TRACES_SAMPLER must be one of always_on, always_off'],
      [{ OTEL_TRACES_SAMPLER_ARG: 'half' }, 'OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1'],
      [{ OTEL_BSP_SCHEDULE_DELAY: 'soon' }, 'OTEL_BSP_SCHEDULE_DELAY must be a whole number above 0'],
      [
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'otel-collector:4318' },
        'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL',
      ],
      [{ HTTPS_PROXY: '::not a url' }, 'HTTPS_PROXY must be an http:// or https:// URL'],
      // A proxy named without its scheme: undici's "Invalid URL protocol" after the store was made.
      [
        { HTTPS_PROXY: 'proxy.internal:3128' },
        'HTTPS_PROXY must be an http:// or https:// URL (http://proxy.internal:3128), got (a value without a scheme://, not repeated)',
      ],
      [
        { PK_PUBLIC_URL: 'https://user:pass@ai.example.com' },
        'PK_PUBLIC_URL must be an http(s) URL without credentials, query or fragment (https://ai.example.com), got "https://***@ai.example.com"',
      ],
      // Decision 0007, a value of each class as compose, Kubernetes and systemd pass it: numbers,
      // listen addresses, levels, store kinds and key prefixes are read exactly (padding refused);
      // quotes are never taken off; a sign is refused.
      [{ PORT: ' 8787' }, 'PORT must be 0-65535, got " 8787"'],
      [{ PK_REPLICAS: '-1' }, 'PK_REPLICAS must be an integer 1-10000, got "-1"'],
      [
        { PK_LOG_RETENTION_DAYS: '"30"' },
        'PK_LOG_RETENTION_DAYS must be a whole number from 1 to 36500, got "\\"30\\""',
      ],
      [
        { PK_METRICS: '"off"' },
        'PK_METRICS must be on or off (1/0, true/false, on/off, yes/no), got "\\"off\\""',
      ],
      [
        { HOST: '0.0.0.0\n' },
        'HOST must be an IP address (127.0.0.1, 0.0.0.0, ::1, ::; no brackets, no port) or a host name, got "0.0.0.0\\n"',
      ],
      [
        { PK_LOG_LEVEL: ' info' },
        'PK_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got " info"',
      ],
      [{ PK_CACHE_STORE: '"memory"' }, 'PK_CACHE_STORE must be memory or redis, got "\\"memory\\""'],
      // Taken as they were: the limits' keys then apart from every other replica's.
      [
        { PK_LIMITS_KEY_PREFIX: ' pk:limits:' },
        'PK_LIMITS_KEY_PREFIX must be a prefix without {, }, whitespace or control characters (staging:limits:), got " pk:limits:"',
      ],
      [
        { PK_LIMITS_STORE: 'redis', PK_LIMITS_KEY_PREFIX: 'pk:limits:\n' },
        'PK_LIMITS_KEY_PREFIX must be a prefix without {, }, whitespace or control characters (staging:limits:), got "pk:limits:\\n"',
      ],
      [
        { PK_REDIS_KEY_PREFIX: '"staging:"' },
        'PK_REDIS_KEY_PREFIX is in quotes, which are never taken off (a docker compose env_file keeps them): give the prefix without them, got "\\"staging:\\""',
      ],
      [
        { PK_LOG_SPILL_PATH: '"/data/spill.jsonl"' },
        'PK_LOG_SPILL_PATH is in quotes, which are never taken off (a docker compose env_file keeps them): give the path without them, got "\\"/data/spill.jsonl\\""',
      ],
      [
        { PK_SETTINGS: "'/etc/pk/settings.yaml'" },
        'PK_SETTINGS is in quotes, which are never taken off (a docker compose env_file keeps them): give the path without them, got "\'/etc/pk/settings.yaml\'"',
      ],
      [{ PK_MASTER_KEY: 'short' }, 'PK_MASTER_KEY: key 1 is not 32 bytes of base64'],
      [{ PK_MASTER_KEY: 'env:PK_NOT_SET_ANYWHERE' }, 'PK_MASTER_KEY names the variable PK_NOT_SET_ANYWHERE'],
    ];
    try {
      // Three processes at a time (each is a gateway start of its own, nothing timed): a third of the wait.
      const entries = [...refusals.entries()];
      for (let first = 0; first < entries.length; first += 3) {
        await Promise.all(
          entries.slice(first, first + 3).map(async ([index, [env, message]]) => {
            const dataDir = join(parent, `data-${index}`);
            const refused = await runGatewayExpectingExit({ ...env, PK_DATA_DIR: dataDir });
            expect({ code: refused.code, output: refused.output }, message).toMatchObject({
              code: 1,
              output: expect.stringContaining(message),
            });
            expect(existsSync(dataDir), `${JSON.stringify(env)} left ${dataDir} behind`).toBe(false);
          }),
        );
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
    // Some forty-five gateway starts (19 s here): a loaded CI machine takes over a minute for them.
  }, 120_000);

  // Decision 0007: quotes are never taken off (a compose env_file keeps `PK_DATA_DIR="/data"`). The
  // store was made in a folder named `"/data"` in the working directory, not on the volume mounted at
  // /data: gone with the container.
  it('refuses a PK_DATA_DIR in quotes before it writes anything, not making the store in the working directory', async () => {
    const name = `"pk-quoted-data-${process.pid}"`;
    const madeHere = join(process.cwd(), name);
    try {
      const refused = await runGatewayExpectingExit({ PK_DATA_DIR: name });
      expect({ code: refused.code, output: refused.output }).toMatchObject({
        code: 1,
        output: expect.stringContaining(
          `PK_DATA_DIR is in quotes, which are never taken off (a docker compose env_file keeps them): give the path without them, got ${JSON.stringify(name)}`,
        ),
      });
      expect(existsSync(madeHere)).toBe(false);
    } finally {
      rmSync(madeHere, { recursive: true, force: true });
    }
  });

  // Decision 0007: empty is unset, for every variable; whitespace and a trailing newline (a secret
  // file's) are taken off on/off switches and URLs.
  it('reads an empty variable as unset, and a padded switch or URL without its padding', async () => {
    const empty = Object.fromEntries(
      [
        'HOST',
        'PK_SHUTDOWN_TIMEOUT_MS',
        'PK_LOG_RETENTION_DAYS',
        'PK_LOG_LEVEL',
        'PK_CACHE_STORE',
        'PK_LIMITS_STORE',
        'PK_LIMITS_KEY_PREFIX',
        'PK_REDIS_KEY_PREFIX',
        'PK_SETTINGS',
        'PK_MASTER_KEY',
        'PK_METRICS_PORT',
        'PK_LOG_SPILL_PATH',
        'OTEL_TRACES_SAMPLER',
      ].map((name) => [name, '']),
    );
    const gateway = await startGateway({
      ...empty,
      PK_METRICS: ' Off\n',
      PK_LOG_BODIES: ' yes ',
      OTEL_SDK_DISABLED: ' TRUE\n',
      PK_PUBLIC_URL: ' https://ai.example.com\n',
      PK_REDIS_URL: ' redis://127.0.0.1:6379\n',
    });
    running.push(gateway);
    expect(gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(gateway.output()).toContain('"settings":"(embedded defaults)"');
    // PK_METRICS=" Off\n" read as off: no /metrics.
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(404);
  });

  it('says where a settings file has bad syntax, never the line with the key written there', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'pk-refused-syntax-'));
    tempDirs.push(parent);
    const key = 'pk-canary-settings-literal-0123';
    for (const [name, text, problem] of [
      [
        'pk.yaml',
        `gateway_keys:\n  - id: ops\n    key: "${key}\n`,
        'not valid YAML: Missing closing "quote at line 4',
      ],
      [
        'pk.json',
        `{"gateway_keys": [{"id": "ops", "key": ${key}}]}`,
        "not valid JSON: Unexpected token 'p' at line 1",
      ],
    ] as const) {
      const path = join(parent, name);
      writeFileSync(path, text);
      const refused = await runGatewayExpectingExit({
        PK_SETTINGS: path,
        PK_DATA_DIR: join(parent, `data-${name}`),
      });
      expect(refused.code).toBe(1);
      expect(refused.output).toContain(`${path}: ${problem}`);
      expect(refused.output).not.toContain(key);
    }
  });

  it('never repeats the password of a PK_REDIS_URL it refuses, even one that does not parse', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'pk-refused-redis-'));
    tempDirs.push(parent);
    const password = 'pk-canary-redis-password-0123';
    for (const [index, [value, shown]] of [
      [`redis://:${password}@[cache:6379`, 'got "redis://***@[cache:6379"'],
      [password, 'got (a value without a scheme://, not repeated)'],
      [
        `https://default:${password}@cache.example.com:6379?password=${password}`,
        'got "https://***@cache.example.com:6379"',
      ],
    ].entries()) {
      const refused = await runGatewayExpectingExit({
        PK_LIMITS_STORE: 'redis',
        PK_REDIS_URL: value ?? '',
        PK_DATA_DIR: join(parent, `data-${index}`),
      });
      expect(refused.code).toBe(1);
      expect(refused.output).toContain(
        `PK_REDIS_URL must be a redis:// or rediss:// URL (redis://127.0.0.1:6379), ${shown}`,
      );
      expect(refused.output).not.toContain(password);
    }
  });

  it('refuses in one line a PK_DATA_DIR it cannot create where the parent exists, without hanging', async () => {
    // procfs answers ENOENT to a mkdir under it: Node's recursive mkdir then made the parent (EEXIST)
    // and tried again, for ever, and the gateway hung at start without a word.
    if (!existsSync('/proc/self')) return;
    const refused = await runGatewayExpectingExit({ PK_DATA_DIR: '/proc/pk-no-such-data' });
    expect({ code: refused.code, lines: refused.output.trim().split('\n') }).toEqual({
      code: 1,
      lines: [
        expect.stringMatching(
          /^pk gateway: cannot create the data directory \/proc\/pk-no-such-data \(PK_DATA_DIR\): ENOENT; /,
        ),
      ],
    });
  });

  it('refuses an OTLP protocol its exporter does not speak when it would export spans, and only then', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'pk-refused-otlp-'));
    tempDirs.push(parent);
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    for (const env of [
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
      { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint },
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/jsonn', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
    ]) {
      const dataDir = join(parent, `data-${Object.keys(env)[0]}-${Object.values(env)[0]}`.replace('/', '-'));
      const refused = await runGatewayExpectingExit({ ...env, PK_DATA_DIR: dataDir });
      expect({ code: refused.code, output: refused.output }).toMatchObject({
        code: 1,
        output: expect.stringMatching(
          /OTEL_EXPORTER_OTLP_(TRACES_)?PROTOCOL must be http\/json or http\/protobuf/,
        ),
      });
      expect(existsSync(dataDir)).toBe(false);
    }
    // Set for other services of the machine, without an endpoint: pk exports nothing, so it starts.
    const gateway = await startGateway({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      PK_DATA_DIR: join(parent, 'data-untraced'),
    });
    running.push(gateway);
    // http/protobuf, the variable's default, is taken: spans go as OTLP/HTTP JSON, which collectors take too.
    const protobuf = await startGateway({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      PK_DATA_DIR: join(parent, 'data-protobuf'),
    });
    running.push(protobuf);
    expect(protobuf.output()).toContain('"tracing":"otlp"');
  }, 60_000);

  it('refuses an unknown argument or a --settings without its path, before it writes anything', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'pk-refused-args-'));
    const settings = join(parent, 'pk.yaml');
    writeFileSync(settings, 'gateway_keys:\n  - id: a\n    key: env:PK_TEST_GATEWAY_KEY\n');
    const usage = 'the gateway takes one argument, --settings <path> (or --settings=<path>)';
    const refusals: [string[], string][] = [
      [['--setting', settings], `unknown argument "--setting": ${usage}`],
      [['--settings'], `--settings needs the path of a settings file: ${usage}`],
      [['--settings='], `--settings needs the path of a settings file: ${usage}`],
      [['--', '--settings'], `--settings needs the path of a settings file: ${usage}`],
      [['--settings', '--', settings], `--settings needs the path of a settings file: ${usage}`],
      [[settings], `unknown argument ${JSON.stringify(settings)}: ${usage}`],
      [['--settings', settings, '--settings', settings], `--settings is given twice: ${usage}`],
    ];
    try {
      for (const [index, [args, message]] of refusals.entries()) {
        const dataDir = join(parent, `data-${index}`);
        const refused = await runGatewayExpectingExit(
          { PK_DATA_DIR: dataDir, PK_TEST_GATEWAY_KEY: 'a-gateway-key-of-the-settings-file' },
          args,
        );
        expect({ code: refused.code, output: refused.output }, args.join(' ')).toMatchObject({
          code: 1,
          output: expect.stringContaining(message),
        });
        expect(existsSync(dataDir), `${args.join(' ')} left ${dataDir} behind`).toBe(false);
      }
      // `pnpm start -- --settings ./pk.yaml` passes the `--` on: the settings file is read.
      for (const args of [
        ['--', '--settings', settings],
        ['--', `--settings=${settings}`],
      ]) {
        const gateway = await startGateway(
          { PK_TEST_GATEWAY_KEY: 'a-gateway-key-of-the-settings-file' },
          args,
        );
        running.push(gateway);
        expect(gateway.output()).toContain(`"settings":${JSON.stringify(settings)}`);
        expect((await fetch(`${gateway.url}/v1/models`)).status).toBe(401);
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }, 60_000);

  it('warns in one JSON log line of each Redis variable the memory stores do not use, and starts', async () => {
    const gateway = await startGateway({ PK_LIMITS_KEY_PREFIX: 'mine:', PK_REDIS_KEY_PREFIX: 'ours:' });
    running.push(gateway);
    const warnings = gateway
      .output()
      .split('\n')
      .filter((line) => line.includes('_KEY_PREFIX'));
    expect(warnings).toHaveLength(2);
    expect(JSON.parse(warnings[0] ?? '')).toMatchObject({
      level: 40,
      pid: gateway.child.pid,
      msg: 'PK_LIMITS_KEY_PREFIX is set but PK_LIMITS_STORE is memory: it applies only with PK_LIMITS_STORE=redis',
    });
    expect(JSON.parse(warnings[1] ?? '')).toMatchObject({
      level: 40,
      msg: 'PK_REDIS_KEY_PREFIX is set but no store uses Redis (PK_CACHE_STORE, PK_BREAKER_STORE and PK_LIMITS_STORE are memory): it applies only to Redis keys',
    });
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
  });

  it('says a Redis it cannot reach at start in JSON log lines like every other, and starts', async () => {
    const redisUrl = `redis://127.0.0.1:${await closedPort()}`;
    const gateway = await startGateway({
      PK_CACHE_STORE: 'redis',
      PK_BREAKER_STORE: 'redis',
      PK_REDIS_URL: redisUrl,
    });
    running.push(gateway);
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    const lines = () =>
      gateway
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '');
    await gateway.waitForLine(textLine('cache Redis unavailable'));
    await gateway.waitForLine(textLine('circuit-breaker Redis unavailable'));
    // Every line the process wrote is pino's JSON, these warnings included.
    for (const line of lines()) expect(() => JSON.parse(line), line).not.toThrow();
    const cacheWarning = lines()
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => String(line.msg).startsWith('cache Redis unavailable'));
    expect(cacheWarning).toMatchObject({
      level: 40,
      msg: expect.stringContaining('serving without the cache'),
    });
  });

  it('says what ioredis writes to the console in pk’s JSON log lines, not as raw text beside them', async () => {
    // ioredis console.warn()s "[WARN] … does not require a password, but a password was supplied"
    // itself; the local Redis needs none. No request is made: nothing is written to it.
    const gateway = await startGateway({
      PK_CACHE_STORE: 'redis',
      PK_REDIS_URL: 'redis://:not-needed-secret@127.0.0.1:6379',
      PK_REDIS_KEY_PREFIX: `pk-test-console-${process.pid}:`,
    });
    running.push(gateway);
    await gateway.waitForLine(textLine('but a password was supplied'));
    const lines = gateway
      .output()
      .split('\n')
      .filter((line) => line.trim() !== '');
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    const said = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => String(line.msg).includes('but a password was supplied'));
    expect(said).toMatchObject({ level: 40, msg: expect.not.stringContaining('[WARN]') });
    expect(gateway.output()).not.toContain('not-needed-secret');
  });

  it('names the variable when its port is taken or its address is not this machine’s, in one line', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const cases: [Record<string, string>, string][] = [
        [
          { PORT: String(port) },
          `pk gateway: PORT ${port} is already in use on 127.0.0.1 (another pk gateway or another program listens there): stop it, or set PORT to a free port`,
        ],
        [
          { PK_METRICS_PORT: String(port) },
          `pk gateway: PK_METRICS_PORT ${port} is already in use on 127.0.0.1 (another pk gateway or another program listens there): stop it, or set PK_METRICS_PORT to a free port`,
        ],
        // TEST-NET-1 (RFC 5737): never an address of this machine; nothing is sent to it.
        [
          { HOST: '192.0.2.1', PK_ALLOW_UNAUTHENTICATED: '1' },
          'pk gateway: HOST 192.0.2.1 is not an address of this machine: set HOST to one of its addresses',
        ],
      ];
      for (const [env, message] of cases) {
        const refused = await runGatewayExpectingExit(env);
        expect({ code: refused.code, output: refused.output }, message).toMatchObject({
          code: 1,
          output: expect.stringContaining(message),
        });
        // The raw error of listen, and no word of a failed start without its cause.
        expect(refused.output).not.toContain('listen EADD');
        expect(refused.output).not.toContain('failed to start');
      }
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('refuses a port in use before it writes anything: no data directory, SQLite file or master key', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = String((taken.address() as AddressInfo).port);
    const parent = mkdtempSync(join(tmpdir(), 'pk-refused-port-'));
    tempDirs.push(parent);
    try {
      for (const env of [{ PORT: port }, { PK_METRICS_PORT: port }]) {
        const dataDir = join(parent, Object.keys(env)[0] ?? '');
        const refused = await runGatewayExpectingExit({ ...env, PK_DATA_DIR: dataDir });
        expect({ code: refused.code, output: refused.output }).toMatchObject({
          code: 1,
          output: expect.stringContaining(`${Object.keys(env)[0]} ${port} is already in use on 127.0.0.1`),
        });
        // A first start that never served: a pk.db and master.key left would be a store nobody made.
        expect(existsSync(dataDir), `${JSON.stringify(env)} left ${dataDir} behind`).toBe(false);
      }
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('refuses to listen beyond loopback without gateway keys, unless allowed', async () => {
    const refused = await runGatewayExpectingExit({ HOST: '0.0.0.0' });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('refusing to listen on 0.0.0.0 with no gateway keys');
    // Before, any value but 1 or true was read as "not allowed", silently (yes and on among them).
    const allowed = await startGateway({ HOST: '0.0.0.0', PK_ALLOW_UNAUTHENTICATED: 'yes' });
    running.push(allowed);
    expect(allowed.url).toContain('0.0.0.0');
  });

  it('refuses beyond loopback without keys leaving nothing it created, and counts keys an existing store holds', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'pk-refused-keyless-'));
    const masterKey = generateMasterKey();
    try {
      // No store yet: refused before one is created (no data directory, pk.db or master.key).
      const fresh = join(parent, 'fresh');
      const refused = await runGatewayExpectingExit({ HOST: '0.0.0.0', PK_DATA_DIR: fresh });
      expect(refused.code).toBe(1);
      expect(existsSync(fresh), 'the refused start left its data directory').toBe(false);
      expect(refused.output).toContain('refusing to listen on 0.0.0.0 with no gateway keys');
      expect(refused.output).toContain('pk init');
      // So the user's next start, with a master key of their own, is not refused for a key it never had.
      const own = await startGateway({ PK_DATA_DIR: fresh, PK_MASTER_KEY: masterKey });
      running.push(own);
      expect((await fetch(`${own.url}/health`)).status).toBe(200);
      own.child.kill('SIGTERM');
      expect(await own.exited, own.output()).toBe(0);

      // A store without keys: read for its keys, still refused, nothing added beside it.
      const again = await runGatewayExpectingExit({
        HOST: '0.0.0.0',
        PK_DATA_DIR: fresh,
        PK_MASTER_KEY: masterKey,
      });
      expect(again.code).toBe(1);
      expect(again.output).toContain('refusing to listen on 0.0.0.0 with no gateway keys');
      expect(readdirSync(fresh)).toEqual(['pk.db']);
      // A pk.db never opened by pk (empty): the master key its opening generated is removed again.
      const empty = join(parent, 'empty');
      mkdirSync(empty);
      writeFileSync(join(empty, 'pk.db'), '');
      const emptyRefused = await runGatewayExpectingExit({ HOST: '0.0.0.0', PK_DATA_DIR: empty });
      expect(emptyRefused.code).toBe(1);
      expect(emptyRefused.output).toContain('refusing to listen on 0.0.0.0 with no gateway keys');
      expect(readdirSync(empty)).toEqual(['pk.db']);

      // A key in the existing store counts (pk init's admin key): the gateway starts beyond loopback.
      const store = await openStore({ dataDir: fresh, masterKey, onWarning: () => undefined });
      const { secret } = await store.gatewayKeys.create({ name: 'admin', role: 'admin' }, 'cli');
      await store.close();
      const keyed = await startGateway({ HOST: '0.0.0.0', PK_DATA_DIR: fresh, PK_MASTER_KEY: masterKey });
      running.push(keyed);
      const port = new URL(keyed.url).port;
      const listed = await fetch(`http://127.0.0.1:${port}/v1/api-keys`, {
        headers: { 'x-portkey-api-key': secret },
      });
      expect(listed.status).toBe(200);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses beyond loopback without keys before migrating a PostgreSQL database pk never used', async () => {
    if (!(await requirePostgres('server: keyless refusal on PostgreSQL'))) return;
    const database = await createTemporaryDatabase();
    try {
      const env = { HOST: '0.0.0.0', PK_DATABASE_URL: database.url, PK_MASTER_KEY: generateMasterKey() };
      const refused = await runGatewayExpectingExit(env);
      expect(refused.code).toBe(1);
      expect(refused.output).toContain('refusing to listen on 0.0.0.0 with no gateway keys');
      // Not migrated: pk's migrations table is not there.
      expect(await storeExists({ databaseUrl: database.url })).toBe(false);
    } finally {
      await database.drop();
    }
  }, 60_000);

  it('reports a broken settings file clearly and exits 1, without echoing secrets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pk-server-'));
    tempDirs.push(dir);
    const path = join(dir, 'settings.yaml');
    writeFileSync(
      path,
      'gateway_keys:\n  - id: a\n    key: sk-should-not-appear\n    virtual_keys: [missing]\n',
    );
    const result = await runGatewayExpectingExit({}, ['--settings', path]);
    expect(result.code).toBe(1);
    expect(result.output).toContain('gateway_keys[0].virtual_keys: no virtual key "missing"');
    expect(result.output).not.toContain('sk-should-not-appear');
  });

  it('takes the settings file from PK_SETTINGS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pk-server-'));
    tempDirs.push(dir);
    const path = join(dir, 'settings.json');
    writeFileSync(path, JSON.stringify({ gateway_keys: [{ id: 'a', key: 'env:PK_TEST_KEY' }] }));
    const gateway = await startGateway({ PK_SETTINGS: path, PK_TEST_KEY: 'pk-secret-key' });
    running.push(gateway);
    expect(gateway.output()).toContain('"gatewayKeys":1');
    expect(gateway.output()).not.toContain('pk-secret-key');
    const unauthorized = await fetch(`${gateway.url}/v1/models`);
    expect(unauthorized.status).toBe(401);
  });

  it('takes a settings gateway key from a variable ending with a newline, as Kubernetes passes a secret made from a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pk-server-'));
    tempDirs.push(dir);
    const path = join(dir, 'settings.yaml');
    writeFileSync(path, 'gateway_keys:\n  - id: ops\n    key: env:PK_TEST_KEY\n');
    const gateway = await startGateway({ PK_SETTINGS: path, PK_TEST_KEY: 'pk-secret-key-from-a-file\n' });
    running.push(gateway);
    const models = await fetch(`${gateway.url}/v1/models`, {
      headers: { 'x-portkey-api-key': 'pk-secret-key-from-a-file' },
    });
    expect(models.status).toBe(200);
  });
});
