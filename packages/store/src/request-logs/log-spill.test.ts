import { appendFileSync, chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFixture, ENGINES, type EngineFixture, postgresUp } from '../../test/support/engines.js';
import type { Store } from '../open-store.js';
import { createTcpProxy, type TcpProxy } from '../testing/tcp-proxy.js';
import { newLogId, type RequestLogInput } from './log-record.js';
import {
  appendLogSpill,
  LOG_SPILL_FILE,
  type LogRow,
  type LogSpillOutcome,
  logRowOfLine,
  startLogSpillReplay,
} from './log-spill.js';
import { RequestLogWriter } from './log-writer.js';

/** A record with every field set (each value distinct), as the gateway makes them. */
function fullRecord(createdAt: number, traceId: string): RequestLogInput {
  return {
    id: newLogId(createdAt),
    createdAt,
    tenant: 'acme',
    traceId,
    spanId: 'span-1',
    parentSpanId: 'span-0',
    spanName: 'answer',
    gatewayKeyId: 'gk_1',
    virtualKey: 'vk-main',
    configId: 'pc-main',
    configVersion: 3,
    method: 'POST',
    endpoint: 'chat.completions',
    stream: true,
    provider: 'anthropic',
    model: 'claude-sonnet-4',
    answeredModel: 'claude-sonnet-4-20250514',
    status: 201,
    errorCode: 'PK_ERR_TEST',
    latencyMs: 123.5,
    firstByteMs: 45.25,
    overheadMs: 1.75,
    usage: { prompt_tokens: 11, completion_tokens: 12, total_tokens: 23, cached_tokens: 4 },
    cost: 0.00042,
    costStatus: 'priced',
    cacheStatus: 'MISS',
    retries: 2,
    targetPath: 'targets[1]',
    metadata: { _user: 'ada', team: 'x' },
    attempts: [
      { targetPath: 'targets[0]', provider: 'openai', startedAt: createdAt, status: 503, latencyMs: 9 },
    ],
    requestBody: '{"in":1}',
    responseBody: '{"out":2}',
  };
}

describe.each(ENGINES)('the request log spill file on %s', (engine) => {
  let fixture: EngineFixture;
  let proxy: TcpProxy | undefined;
  let store: Store;
  let spillFile: string;
  beforeEach(async (context) => {
    if (engine === 'postgres' && !postgresUp) context.skip();
    fixture = await createFixture(engine);
    let databaseUrl = fixture.options.databaseUrl;
    if (databaseUrl !== undefined) {
      const url = new URL(databaseUrl);
      proxy = await createTcpProxy(url.hostname, Number(url.port || 5432));
      url.port = String(proxy.port);
      databaseUrl = url.toString();
    }
    store = await fixture.open(databaseUrl === undefined ? {} : { databaseUrl });
    spillFile = join(fixture.dataDir, LOG_SPILL_FILE);
  });
  afterEach(async () => {
    proxy?.restore();
    if (engine === 'sqlite') chmodSync(join(fixture.dataDir, 'pk.db'), 0o600);
    await fixture?.cleanup();
    await proxy?.close();
    proxy = undefined;
  });

  const cutStore = (): void => {
    if (proxy) proxy.cut();
    else chmodSync(join(fixture.dataDir, 'pk.db'), 0o444);
  };
  const restoreStore = (): void => {
    if (proxy) proxy.restore();
    else chmodSync(join(fixture.dataDir, 'pk.db'), 0o600);
  };

  it('records the store refuses at close go to the spill file, and a replay stores them with every field, once', async () => {
    const warnings: string[] = [];
    const writer = new RequestLogWriter({
      sink: store.openLogSink(),
      flushMs: 60_000,
      writeTimeoutMs: 2000,
      onWarning: (message) => warnings.push(message),
      spillFile,
    });
    // The same record written the ordinary way, as the replayed one must read back.
    const baseline = fullRecord(Date.UTC(2026, 1, 2, 3, 4, 5), 'trace-baseline');
    writer.enqueue(baseline);
    await writer.flush();
    const spilled = [1, 2, 3].map((at) => fullRecord(Date.UTC(2026, 1, 2, 3, 4, 5) + at, 'trace-spilled'));
    for (const record of spilled) writer.enqueue(record);
    cutStore();
    await writer.close();

    expect(warnings.at(-1)).toMatch(
      `3 request log records could not be written before stopping: kept in ${spillFile}`,
    );
    expect(statSync(spillFile).mode & 0o777).toBe(0o600);
    const lines = readFileSync(spillFile, 'utf8').trimEnd().split('\n');
    expect(lines.map((line) => logRowOfLine(line)?.id)).toEqual(spilled.map((record) => record.id));

    restoreStore();
    const recovered: number[] = [];
    const replay = startLogSpillReplay({
      path: spillFile,
      write: (rows) => store.writeLogRows(rows),
      onRecovered: (outcome) => recovered.push(outcome.recovered),
    });
    await replay.finished;
    expect(recovered).toEqual([3]);
    expect(existsSync(spillFile)).toBe(false);

    const expected = await store.logs.get(baseline.id, 'acme');
    for (const record of spilled) {
      const stored = await store.logs.get(record.id, 'acme');
      expect({ ...stored, id: '', created_at: '', trace_id: '', attempts: [] }).toEqual({
        ...expected,
        id: '',
        created_at: '',
        trace_id: '',
        attempts: [],
      });
      expect(stored?.attempts[0]?.started_at).toBe(new Date(record.createdAt).toISOString());
    }
    // Replayed again (a crash before the file was removed): nothing is stored twice.
    await appendLogSpill(
      spillFile,
      lines.map((line) => logRowOfLine(line) as LogRow),
    );
    const again: LogSpillOutcome[] = [];
    await startLogSpillReplay({
      path: spillFile,
      write: (rows) => store.writeLogRows(rows),
      onRecovered: (outcome) => again.push(outcome),
    }).finished;
    // Told as what they are: none recovered by this replay, three stored already.
    expect(again).toEqual([{ recovered: 0, alreadyStored: 3, refused: 0, skippedLines: 0 }]);
    const page = await store.logs.list({ tenant: 'acme', traceId: 'trace-spilled', limit: 10 });
    expect(page.records).toHaveLength(3);
    const byTeam = await store.logs.list({ tenant: 'acme', metadata: [['team', 'x']], limit: 10 });
    expect(byTeam.records).toHaveLength(4);
  });

  it('a corrupt line is skipped with a warning naming its number; the others are stored', async () => {
    const rows = [1, 2, 3].map(
      (at) => JSON.parse(JSON.stringify(fullRecordRow(Date.UTC(2026, 2, 1) + at))) as LogRow,
    );
    await appendLogSpill(spillFile, rows.slice(0, 1));
    appendFileSync(spillFile, '{"id": "log_cut", "created_at": 17\n');
    await appendLogSpill(spillFile, rows.slice(1, 2));
    appendFileSync(spillFile, '[1,2,3]\n');
    await appendLogSpill(spillFile, rows.slice(2));
    // An append a crash cut short: the last line has no newline.
    appendFileSync(spillFile, '{"id":"log_half","crea');
    const warnings: string[] = [];
    const recovered: LogSpillOutcome[] = [];
    await startLogSpillReplay({
      path: spillFile,
      write: (batch) => store.writeLogRows(batch),
      batchSize: 2,
      onWarning: (message) => warnings.push(message),
      onRecovered: (outcome) => recovered.push(outcome),
    }).finished;
    expect(warnings).toEqual([
      `request log spill ${spillFile}: line 2 is not a record; skipped`,
      `request log spill ${spillFile}: line 4 is not a record; skipped`,
      `request log spill ${spillFile}: line 6 is not a record; skipped`,
    ]);
    expect(recovered).toEqual([{ recovered: 3, alreadyStored: 0, refused: 0, skippedLines: 3 }]);
    for (const row of rows) expect((await store.logs.get(row.id as string, 'acme'))?.id).toBe(row.id);
    expect(existsSync(spillFile)).toBe(false);
  });

  it('rows the store refuses on their own are counted apart from those recovered, alone in a batch too', async () => {
    const rows = [1, 2, 3].map(
      (at) => JSON.parse(JSON.stringify(fullRecordRow(Date.UTC(2026, 2, 2) + at))) as LogRow,
    );
    // A line another version or an editor wrote: a record without the NOT NULL `source` column.
    const { source: _source, ...sourceless } = rows[1] as Record<string, string | number | null>;
    await appendLogSpill(spillFile, [rows[0] as LogRow, sourceless, rows[2] as LogRow, rows[0] as LogRow]);
    const refusedIds: unknown[] = [];
    const outcomes: LogSpillOutcome[] = [];
    await startLogSpillReplay({
      path: spillFile,
      write: (batch) => store.writeLogRows(batch, (row) => refusedIds.push(row.id)),
      onRecovered: (outcome) => outcomes.push(outcome),
    }).finished;
    expect(refusedIds).toEqual([rows[1]?.id]);
    expect(outcomes).toEqual([{ recovered: 2, alreadyStored: 1, refused: 1, skippedLines: 0 }]);
    expect(existsSync(spillFile)).toBe(false);

    // A batch of that one row: refused and told, not retried for ever with the file kept.
    await appendLogSpill(spillFile, [sourceless]);
    const alone: LogSpillOutcome[] = [];
    await startLogSpillReplay({
      path: spillFile,
      write: (batch) => store.writeLogRows(batch, (row) => refusedIds.push(row.id)),
      retryMs: 60_000,
      onRecovered: (outcome) => alone.push(outcome),
    }).finished;
    expect(alone).toEqual([{ recovered: 0, alreadyStored: 0, refused: 1, skippedLines: 0 }]);
    expect(existsSync(spillFile)).toBe(false);
  });

  it.runIf(engine === 'postgres')(
    'with the store down the file stays and the replay is retried until the store is back',
    async () => {
      const rows = [1, 2].map((at) => fullRecordRow(Date.UTC(2026, 3, 1) + at));
      await appendLogSpill(spillFile, rows);
      cutStore();
      const warnings: string[] = [];
      const replay = startLogSpillReplay({
        path: spillFile,
        write: (batch) => store.writeLogRows(batch),
        retryMs: 100,
        maxRetryMs: 200,
        onWarning: (message) => warnings.push(message),
      });
      const deadline = Date.now() + 5000;
      while (warnings.length < 2 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(warnings[0]).toMatch(/not written yet \(.*\); 0 written so far, the rest kept in the file/);
      expect(existsSync(spillFile)).toBe(true);
      restoreStore();
      await replay.finished;
      expect(existsSync(spillFile)).toBe(false);
      for (const row of rows) expect((await store.logs.get(row.id as string, 'acme'))?.id).toBe(row.id);
    },
  );
});

/** A record's `request_logs` row, as a spill file holds it. */
function fullRecordRow(createdAt: number): LogRow {
  const record = fullRecord(createdAt, 'trace-rows');
  return {
    id: record.id,
    created_at: createdAt,
    tenant: 'acme',
    trace_id: record.traceId,
    source: 'gateway',
    status: 200,
    latency_ms: 5,
    stream: 0,
    body_truncated: 0,
    metadata: '{"team":"y"}',
  };
}

describe('an append that fails', () => {
  it('leaves no empty spill file behind, and a file that held lines as it was', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const directory = mkdtempSync(join(tmpdir(), 'pk-spill-'));
    try {
      const path = join(directory, LOG_SPILL_FILE);
      // A row that cannot be written (as a full disk refuses the bytes): the append fails part-way.
      const unwritable = {
        toJSON() {
          throw new Error('no space left on device');
        },
      } as unknown as LogRow;
      await expect(appendLogSpill(path, [fullRecordRow(1), unwritable])).rejects.toThrow('no space left');
      expect(existsSync(path)).toBe(false);

      await appendLogSpill(path, [fullRecordRow(2)]);
      const before = readFileSync(path, 'utf8');
      await expect(appendLogSpill(path, [unwritable])).rejects.toThrow('no space left');
      expect(readFileSync(path, 'utf8')).toBe(before);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('a replay that the store refuses', () => {
  it('is retried from the batch that failed, and a stopped replay leaves the file whole', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const directory = mkdtempSync(join(tmpdir(), 'pk-spill-'));
    const path = join(directory, LOG_SPILL_FILE);
    await appendLogSpill(
      path,
      [1, 2, 3, 4, 5].map((at) => fullRecordRow(at)),
    );
    const written: string[][] = [];
    let failures = 2;
    const replay = startLogSpillReplay({
      path,
      batchSize: 2,
      retryMs: 10,
      write: async (rows) => {
        if (rows[0]?.created_at === 3 && failures-- > 0) throw new Error('connection refused');
        written.push(rows.map((row) => String(row.created_at)));
        return { written: rows.length, refused: 0 };
      },
    });
    await replay.finished;
    expect(written).toEqual([['1', '2'], ['3', '4'], ['5']]);
    expect(existsSync(path)).toBe(false);

    await appendLogSpill(path, [fullRecordRow(1)]);
    const stopped = startLogSpillReplay({
      path,
      retryMs: 60_000,
      write: async () => {
        throw new Error('connection refused');
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await stopped.stop();
    expect(readFileSync(path, 'utf8').trimEnd().split('\n')).toHaveLength(1);
    rmSync(directory, { recursive: true, force: true });
  });
});
