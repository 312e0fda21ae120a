import { appendFileSync, chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOnlyVolume } from '@pk/dev-config/read-only-volume';
import { type LogRow, openStore } from '@pk/store';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGatewayExpectingExit } from './server-process.js';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { fullVolume } from './support/full-volume.js';
import { textLine } from './support/output-lines.js';
import { type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// The spill file as an operator runs it (see log-spill-e2e.test.ts for the round trip): put where
// PK_LOG_SPILL_PATH says, refused at start where it could not be written, never left empty by a
// full disk, and its replay's count is the records it wrote. The SQLite file made read-only is the
// store that refuses.
const KEY = 'pk-spill-path-key';
const messages = [{ role: 'user' as const, content: 'Hello' }];
const readOnly = readOnlyVolume('pk-spill-ro-');
const full = fullVolume('pk-spill-full-');
let mock: ProviderMock;
const gateways: FeatureGateway[] = [];
const dataDirs: { path: string; remove(): void }[] = [];
const settings = (mockUrl: string) => ({
  gateway_keys: [{ id: 'spill-path', key: KEY }],
  virtual_keys: {
    'openai-a': { provider: 'openai', api_key: 'sk-spill-path', options: { custom_host: `${mockUrl}/v1` } },
  },
});

beforeAll(async () => {
  mock = await startProviderMock();
});
afterAll(async () => {
  for (const gateway of gateways) await gateway.stop().catch(() => undefined);
  for (const dataDir of dataDirs) {
    if (existsSync(join(dataDir.path, 'pk.db'))) chmodSync(join(dataDir.path, 'pk.db'), 0o600);
    dataDir.remove();
  }
  await mock?.close();
});

async function start(env: Record<string, string>): Promise<FeatureGateway> {
  const gateway = await startFeatureGateway({ mock, settings: settings(mock.url), env });
  gateways.push(gateway);
  return gateway;
}

/** Sends `count` chat requests under `traceID`: each answered, each reaching the provider. */
async function send(gateway: FeatureGateway, traceID: string, count: number): Promise<void> {
  const portkey = new Portkey({ baseURL: gateway.base, apiKey: KEY, virtualKey: 'openai-a', traceID });
  const before = mock.received.length;
  for (let index = 0; index < count; index += 1) {
    const answer = await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(answer.choices[0]?.message?.content).toBeTruthy();
  }
  expect(mock.received.length - before).toBe(count);
}

async function logsOf(gateway: FeatureGateway, traceId: string): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${gateway.base}/logs?trace_id=${traceId}&limit=50`, {
    headers: { 'x-portkey-api-key': KEY },
  });
  if (response.status !== 200) return [];
  return ((await response.json()) as { data: Record<string, unknown>[] }).data;
}

/** A gateway whose store refuses every record from now on (its SQLite file read-only), stopped by SIGTERM. */
async function spillOnStop(gateway: FeatureGateway, dataDir: string, traceID: string, count: number) {
  chmodSync(join(dataDir, 'pk.db'), 0o444);
  await send(gateway, traceID, count);
  gateway.process.child.kill('SIGTERM');
  return gateway.process.exited;
}

describe('PK_LOG_SPILL_PATH', () => {
  it('puts the spill file where it says, and the replay counts only the records it wrote', async () => {
    const dataDir = temporaryDataDir();
    const spillDir = temporaryDataDir();
    dataDirs.push(dataDir, spillDir);
    const spillFile = join(spillDir.path, 'spill', 'records.jsonl');
    const env = { PK_DATA_DIR: dataDir.path, PK_LOG_SPILL_PATH: spillFile };
    const first = await start(env);
    expect(await spillOnStop(first, dataDir.path, 'spill-path', 3)).toBe(0);
    expect(first.process.output()).toContain(
      `3 request log records could not be written before stopping: kept in ${spillFile}`,
    );
    expect(readdirSync(dataDir.path)).not.toContain('request-log-spill.jsonl');
    const rows = readFileSync(spillFile, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as LogRow);
    expect(rows.map((row) => row.trace_id)).toEqual(['spill-path', 'spill-path', 'spill-path']);

    // One record stored already (a replay SIGTERM cut short had written it), and a line another
    // version wrote without a column the store requires: neither is written by the next replay.
    chmodSync(join(dataDir.path, 'pk.db'), 0o600);
    const store = await openStore({ dataDir: dataDir.path, serve: false, onWarning: () => undefined });
    await store.writeLogRows([rows[0] as LogRow]);
    await store.close();
    const { source: _source, ...sourceless } = { ...rows[1], id: 'log_sourceless' } as Record<
      string,
      unknown
    >;
    appendFileSync(spillFile, `${JSON.stringify(sourceless)}\n`);

    const second = await start(env);
    const recovered =
      'request log spill: 2 records recovered into the store; not written: 1 record stored already, 1 record refused by the store';
    await second.process.waitForLine(textLine(recovered));
    expect(second.process.output()).toContain('the store refused a record on its own; skipped');
    expect(existsSync(spillFile)).toBe(false);
    const stored = await logsOf(second, 'spill-path');
    expect(stored.map((record) => record.id).sort()).toEqual(rows.map((row) => row.id).sort());
  });

  it.runIf(full.mounted)(
    'on a full disk: the records are told lost, the exit is 1, and no empty spill file is left',
    async () => {
      const dataDir = temporaryDataDir();
      dataDirs.push(dataDir);
      const spillFile = join(full.path, 'request-log-spill.jsonl');
      const gateway = await start({ PK_DATA_DIR: dataDir.path, PK_LOG_SPILL_PATH: spillFile });
      expect(await spillOnStop(gateway, dataDir.path, 'spill-full', 2)).toBe(1);
      expect(gateway.process.output()).toMatch(
        /2 request log records could not be written before stopping: they are lost \(the spill file .* could not be written: ENOSPC/,
      );
      // An empty file there would say records were kept, and the next start would replay nothing.
      expect(existsSync(spillFile)).toBe(false);
    },
  );

  it.runIf(readOnly.mounted)(
    'a path the gateway cannot write refuses the start, leaving nothing',
    async () => {
      const dataDir = temporaryDataDir();
      dataDirs.push(dataDir);
      const spillFile = join(readOnly.path, 'spill', 'records.jsonl');
      const { code, output } = await runGatewayExpectingExit({
        PK_DATA_DIR: dataDir.path,
        PK_LOG_SPILL_PATH: spillFile,
      });
      expect(code).toBe(1);
      expect(output).toContain(
        `pk gateway: PK_LOG_SPILL_PATH ${spillFile} is not writable (${readOnly.path}: EROFS): request log records the store refuses at shutdown could not be kept there.`,
      );
      expect(readdirSync(dataDir.path)).toEqual([]);
      // With the log store off the file is never written: no refusal.
      const off = await start({
        PK_DATA_DIR: dataDir.path,
        PK_LOG_SPILL_PATH: spillFile,
        PK_LOG_STORE: 'off',
      });
      await send(off, 'spill-off', 1);
    },
  );
});
