import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { RequestLogInput } from './log-record.js';
import { type LogSink, RequestLogWriter } from './log-writer.js';

/** A sink whose writes answer when the test says: the writer's batching policy, seen from below. */
function controlledSink() {
  const batches: number[][] = [];
  const answers: Array<() => void> = [];
  const sink: LogSink<number> = {
    encode: (record) => record.createdAt,
    write: (items) => {
      batches.push([...items]);
      return new Promise<void>((resolve) => answers.push(resolve));
    },
    deleteBefore: async () => 0,
    close: async () => undefined,
  };
  /** Answers the oldest write waiting, then lets the writer go on (its promise chain). */
  const answer = async (): Promise<void> => {
    answers.shift()?.();
    await vi.advanceTimersByTimeAsync(0);
  };
  return { sink, batches, answer };
}

function record(createdAt: number): RequestLogInput {
  return { id: `log_${createdAt}`, createdAt, tenant: 'acme', traceId: 't', status: 200, latencyMs: 1 };
}

describe('RequestLogWriter batching', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a tick writes what was queued when it began; records that arrive during its write wait for the next tick', async () => {
    const { sink, batches, answer } = controlledSink();
    const writer = new RequestLogWriter({ sink, flushMs: 1000 });
    for (const at of [1, 2, 3]) writer.enqueue(record(at));
    await vi.advanceTimersByTimeAsync(1000);
    expect(batches).toEqual([[1, 2, 3]]);
    // Arrive while the batch is being written: no commit of their own when it answers.
    for (const at of [4, 5]) writer.enqueue(record(at));
    await answer();
    expect(batches).toHaveLength(1);
    expect(writer.stats()).toMatchObject({ depth: 2, written: 3 });
    // The next tick writes them.
    await vi.advanceTimersByTimeAsync(1000);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    await answer();
    expect(writer.stats()).toMatchObject({ depth: 0, written: 5 });
  });

  it('a backlog is written in full batches, and a full batch that gathers during a write goes at once', async () => {
    const { sink, batches, answer } = controlledSink();
    const writer = new RequestLogWriter({ sink, flushMs: 1000, batchSize: 3 });
    // Three records make a full batch: written without waiting for the tick.
    for (const at of [1, 2, 3]) writer.enqueue(record(at));
    expect(batches).toEqual([[1, 2, 3]]);
    // Meanwhile four more: one full batch (written after the first) and one record (the next tick).
    for (const at of [4, 5, 6, 7]) writer.enqueue(record(at));
    await answer();
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    await answer();
    expect(batches).toHaveLength(2);
    expect(writer.stats()).toMatchObject({ depth: 1, written: 6 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(batches.at(-1)).toEqual([7]);
    await answer();
    expect(writer.stats()).toMatchObject({ depth: 0, written: 7 });
  });

  it('flush() (and so close) writes everything, also what arrives during a flush under way', async () => {
    const { sink, batches, answer } = controlledSink();
    const writer = new RequestLogWriter({ sink, flushMs: 1000 });
    writer.enqueue(record(1));
    await vi.advanceTimersByTimeAsync(1000);
    writer.enqueue(record(2));
    const flushed = writer.flush();
    await answer();
    expect(batches).toEqual([[1], [2]]);
    await answer();
    await flushed;
    expect(writer.stats()).toMatchObject({ depth: 0, written: 2 });
    const closed = writer.close();
    await vi.advanceTimersByTimeAsync(0);
    await closed;
    expect(batches).toHaveLength(2);
  });
});

describe('RequestLogWriter when the store refuses at the end', () => {
  it('close() says how many records are lost, even right after a failed write’s warning', async () => {
    const warnings: string[] = [];
    const writer = new RequestLogWriter({
      sink: {
        encode: (record) => record.createdAt,
        write: async () => {
          throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        },
        deleteBefore: async () => 0,
        close: async () => undefined,
      },
      flushMs: 60_000,
      onWarning: (message) => warnings.push(message),
    });
    for (const createdAt of [1, 2, 3, 4, 5]) writer.enqueue(record(createdAt));
    await writer.flush();
    expect(warnings).toEqual([expect.stringContaining('refused a batch of 5 (connect ECONNREFUSED')]);
    await writer.close();
    expect(warnings[1]).toBe('5 request log records could not be written before stopping: they are lost');
    expect(writer.lostAtClose).toBe(5);
  });

  it('says once that the store takes records again after refusing them, with how long and what is left', async () => {
    vi.useFakeTimers();
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const warnings: string[] = [];
    let refusing = true;
    const written: number[] = [];
    const writer = new RequestLogWriter({
      sink: {
        encode: (record) => record.createdAt,
        write: async (items) => {
          if (refusing) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
          written.push(...items);
        },
        deleteBefore: async () => 0,
        close: async () => undefined,
      },
      flushMs: 60_000,
      batchSize: 2,
      onWarning: (message) => warnings.push(message),
    });
    for (const createdAt of [1, 2, 3]) writer.enqueue(record(createdAt));
    await writer.flush();
    await vi.advanceTimersByTimeAsync(12_000);
    await writer.flush();
    expect(warnings).toHaveLength(2);
    expect(warnings.every((warning) => warning.startsWith('the log store refused a batch of 2'))).toBe(true);
    refusing = false;
    await writer.flush();
    expect(written).toEqual([1, 2, 3]);
    // Told after the first batch it took: one batch of two was still to write then.
    expect(warnings.slice(2)).toEqual([
      'the log store takes records again after refusing them for 12 s; 1 records kept meanwhile are still to write',
    ]);
    // Once: later writes say nothing.
    writer.enqueue(record(4));
    await writer.flush();
    expect(warnings).toHaveLength(3);
    await writer.close();
  });

  it('tells records lost at close through onLoss (error level), not among the warnings', async () => {
    const warnings: string[] = [];
    const losses: string[] = [];
    const writer = new RequestLogWriter({
      sink: {
        write: async () => {
          throw new Error('disk full');
        },
        deleteBefore: async () => 0,
        close: async () => undefined,
      },
      flushMs: 60_000,
      onWarning: (message) => warnings.push(message),
      onLoss: (message) => losses.push(message),
    });
    writer.enqueue(record(1));
    writer.enqueue(record(2));
    await writer.close();
    expect(losses).toEqual(['2 request log records could not be written before stopping: they are lost']);
    expect(warnings.join('\n')).not.toContain('they are lost');
    expect(writer.lostAtClose).toBe(2);
  });
});

describe('RequestLogWriter at close and when full', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes records queued while close() writes the last batch; one after it is refused and told so, not as a full queue', async () => {
    const { sink, batches, answer } = controlledSink();
    const warnings: string[] = [];
    const writer = new RequestLogWriter({
      sink,
      flushMs: 1000,
      onWarning: (message) => warnings.push(message),
    });
    writer.enqueue(record(1));
    const closed = writer.close();
    await vi.advanceTimersByTimeAsync(0);
    // The request cut at shutdown ends while the last batch is being written: its record is kept.
    expect(writer.enqueue(record(2))).toBe(true);
    await answer();
    await answer();
    await closed;
    expect(batches).toEqual([[1], [2]]);
    expect(writer.stats()).toMatchObject({ depth: 0, written: 2, dropped: 0 });
    expect(writer.closed).toBe(true);

    expect(writer.enqueue(record(3))).toBe(false);
    expect(writer.stats().dropped).toBe(1);
    expect(warnings).toEqual([
      'dropped 1 request log record(s): they came after the log writer was closed (the gateway is stopping) (1 dropped since start)',
    ]);
  });

  it('tells every drop of a burst, once, when the warning interval has passed', async () => {
    const { sink } = controlledSink();
    const warnings: string[] = [];
    const writer = new RequestLogWriter({
      sink,
      capacity: 2,
      flushMs: 60_000,
      warnEveryMs: 10_000,
      onWarning: (message) => warnings.push(message),
    });
    for (const at of [1, 2, 3]) writer.enqueue(record(at));
    // The first drop is told at once; the 99 after it within 10 s when those 10 s have passed.
    expect(warnings).toEqual([
      expect.stringMatching(/^dropped 1 request log record\(s\): the queue is full \(2\)/),
    ]);
    for (let at = 4; at < 103; at += 1) writer.enqueue(record(at));
    await vi.advanceTimersByTimeAsync(9_000);
    expect(warnings).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(warnings[1]).toMatch(
      /^dropped 99 request log record\(s\): the queue is full .*\(100 dropped since start\)$/,
    );
    expect(writer.stats().dropped).toBe(100);
  });

  it('enqueueAll() queues every record or none, and what it refuses is not a drop', async () => {
    const { sink } = controlledSink();
    const writer = new RequestLogWriter({ sink, capacity: 5, flushMs: 60_000 });
    expect(writer.enqueueAll([record(1), record(2), record(3)])).toBe(true);
    expect(writer.enqueueAll([record(4), record(5), record(6)])).toBe(false);
    expect(writer.stats()).toMatchObject({ depth: 3, dropped: 0 });
    expect(writer.enqueueAll([record(4), record(5)])).toBe(true);
    expect(writer.stats()).toMatchObject({ depth: 5, dropped: 0 });
  });
});
