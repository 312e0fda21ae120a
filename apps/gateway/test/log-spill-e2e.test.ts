import { appendFileSync, chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { requirePostgres } from '@pk/store/testing';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGatewayExpectingExit } from './server-process.js';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { textLine } from './support/output-lines.js';
import { type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';
import { type EngineSetup, setUpEngine, temporaryDataDir } from './support/store-fixtures.js';

// Records the store refuses until SIGTERM are not lost: the built gateway appends them to
// PK_DATA_DIR/request-log-spill.jsonl, and the next start writes them to the store in the
// background, with their ids. PostgreSQL is cut through a TCP proxy (and is still down at the
// second start, which refuses to start and leaves the file); SQLite's file is made read-only (and
// is still read-only at the second start, which serves while the replay waits for the file).
const postgresUp = await requirePostgres('the request log spill file on PostgreSQL');
const KEY = 'pk-spill-key';
const messages = [{ role: 'user' as const, content: 'Hello' }];

describe.each([
  ['sqlite', true],
  ['postgres', postgresUp],
] as const)('request log records kept across a restart on %s', (engine, available) => {
  let mock: ProviderMock;
  let setup: EngineSetup;
  let dataDir: string;
  let spillDir: { readonly path: string; remove(): void } | undefined;
  const gateways: FeatureGateway[] = [];
  const settings = (mockUrl: string) => ({
    gateway_keys: [{ id: 'spill', key: KEY }],
    virtual_keys: {
      'openai-a': { provider: 'openai', api_key: 'sk-spill', options: { custom_host: `${mockUrl}/v1` } },
    },
  });
  const start = async (): Promise<FeatureGateway> => {
    const gateway = await startFeatureGateway({
      mock,
      settings: settings(mock.url),
      env: { ...setup.env, PK_DATA_DIR: dataDir },
    });
    gateways.push(gateway);
    return gateway;
  };

  beforeAll(async () => {
    if (!available) return;
    mock = await startProviderMock();
    setup = await setUpEngine(engine, { proxy: true });
    // PostgreSQL's replicas keep their spill file in a data directory of their own.
    spillDir = engine === 'sqlite' ? undefined : temporaryDataDir();
    dataDir = setup.env.PK_DATA_DIR ?? spillDir?.path ?? '';
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop().catch(() => undefined);
    if (available && engine === 'sqlite') chmodSync(join(dataDir, 'pk.db'), 0o600);
    await mock?.close();
    await setup?.cleanup();
    spillDir?.remove();
  });

  const send = async (gateway: FeatureGateway, traceID: string, count: number): Promise<void> => {
    const portkey = new Portkey({ baseURL: gateway.base, apiKey: KEY, virtualKey: 'openai-a', traceID });
    for (let index = 0; index < count; index += 1) {
      const answer = await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect(answer.choices[0]?.message?.content).toBeTruthy();
    }
  };
  const logsOf = async (gateway: FeatureGateway, traceId: string): Promise<Record<string, unknown>[]> => {
    const response = await fetch(`${gateway.base}/logs?trace_id=${traceId}&limit=50`, {
      headers: { 'x-portkey-api-key': KEY },
    });
    if (response.status !== 200) return [];
    return ((await response.json()) as { data: Record<string, unknown>[] }).data;
  };
  const until = async (check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<boolean> => {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (await check()) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  };

  it.runIf(available)(
    'records the store refused at SIGTERM are spilled to the data directory and stored at the next start, a corrupt line skipped',
    async () => {
      const first = await start();
      await send(first, 'spill-before', 2);
      expect(await until(async () => (await logsOf(first, 'spill-before')).length === 2)).toBe(true);

      // The store fails; requests go on succeeding, their records wait in the queue.
      if (setup.proxy) setup.proxy.cut();
      else chmodSync(join(dataDir, 'pk.db'), 0o444);
      await send(first, 'spill-during', 3);
      first.process.child.kill('SIGTERM');
      expect(await first.process.exited).toBe(0);
      const spillFile = join(dataDir, 'request-log-spill.jsonl');
      expect(first.process.output()).toContain(
        `3 request log records could not be written before stopping: kept in ${spillFile}`,
      );
      expect(statSync(spillFile).mode & 0o777).toBe(0o600);
      const spilled = readFileSync(spillFile, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(spilled.map((row) => row.trace_id)).toEqual(['spill-during', 'spill-during', 'spill-during']);
      // A line a crash or an editor broke.
      appendFileSync(spillFile, '{"id":"log_broken",\n');

      if (setup.proxy) {
        // Still down at the next start: the gateway refuses to start, and the file stays.
        const refused = await runGatewayExpectingExit({ ...setup.env, PK_DATA_DIR: dataDir });
        expect(refused.code).toBe(1);
        expect(refused.output).toMatch(/cannot reach the database/);
        expect(existsSync(spillFile)).toBe(true);
        setup.proxy.restore();
      }

      // A start with the log store off neither replays the file nor passes it over in silence.
      const spilledText = readFileSync(spillFile, 'utf8');
      const off = await startFeatureGateway({
        mock,
        settings: settings(mock.url),
        env: { ...setup.env, PK_DATA_DIR: dataDir, PK_LOG_STORE: 'off' },
      });
      gateways.push(off);
      expect(
        off.process
          .output()
          .split('\n')
          .filter((line) => line.includes('request log spill')),
      ).toEqual([
        expect.stringContaining(
          `request log spill ${spillFile} holds 4 lines of records the store refused at an earlier shutdown; ` +
            'PK_LOG_STORE=off: not replayed now, it will be when the gateway starts with the log store on',
        ),
      ]);
      expect(off.process.output()).toMatch(/"level":40,.*request log spill/);
      await send(off, 'spill-off', 1);
      await off.stop();
      expect(readFileSync(spillFile, 'utf8')).toBe(spilledText);

      const second = await start();
      if (!setup.proxy) {
        // Still read-only at the next start: the gateway serves, the replay waits and the file stays.
        await second.process.waitForLine(textLine(/request log spill .*: not written yet/));
        expect(existsSync(spillFile)).toBe(true);
        expect(await logsOf(second, 'spill-during')).toEqual([]);
        chmodSync(join(dataDir, 'pk.db'), 0o600);
      }
      expect(await until(async () => (await logsOf(second, 'spill-during')).length === 3)).toBe(true);
      expect(await until(() => !existsSync(spillFile))).toBe(true);
      // Log lines reach stdout in batches: wait for the line that reports the replay, then read.
      const recovered = 'request log spill: 3 records recovered into the store';
      await second.process.waitForLine(textLine(recovered));
      const output = second.process.output();
      expect(output).toContain(`line 4 is not a record; skipped`);
      expect(output).toContain(recovered);
      // The records as the first process made them: same ids, same fields, once each.
      const stored = await logsOf(second, 'spill-during');
      expect(stored.map((record) => record.id).sort()).toEqual(spilled.map((row) => row.id).sort());
      for (const row of spilled) {
        const response = await fetch(`${second.base}/logs/${row.id}`, {
          headers: { 'x-portkey-api-key': KEY },
        });
        expect(response.status).toBe(200);
        const record = (await response.json()) as Record<string, unknown>;
        expect(record).toMatchObject({
          id: row.id,
          created_at: new Date(row.created_at as number).toISOString(),
          trace_id: 'spill-during',
          status: 200,
          provider: 'openai',
          model: 'gpt-4o-mini',
          virtual_key: 'openai-a',
          gateway_key_id: 'spill',
          latency_ms: row.latency_ms,
        });
      }
      expect((await logsOf(second, 'spill-before')).length).toBe(2);
    },
    // Four gateway starts and a drain: ~15 s alone, past 20 s on a loaded machine.
    60_000,
  );
});
