import { describe, expect, it, vi } from 'vitest';
import { createBatchedLogDestination } from './batched-log-destination.js';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

describe('createBatchedLogDestination', () => {
  it('holds lines until batchBytes gathered, then writes them in one call', () => {
    const writes: string[] = [];
    const destination = createBatchedLogDestination({
      fd: 1,
      flushMs: 60_000,
      batchBytes: 10,
      write: (_fd, data) => {
        writes.push(data);
        return Buffer.byteLength(data);
      },
    });
    destination.write('abc\n');
    destination.write('def\n');
    expect(writes).toEqual([]);
    destination.write('ghi\n');
    expect(writes).toEqual(['abc\ndef\nghi\n']);
    destination.write('tail\n');
    destination.flushSync();
    expect(writes).toEqual(['abc\ndef\nghi\n', 'tail\n']);
  });

  it('writes within flushMs when the batch never fills', async () => {
    vi.useFakeTimers();
    try {
      const writes: string[] = [];
      const destination = createBatchedLogDestination({
        fd: 1,
        flushMs: 100,
        write: (_fd, data) => writes.push(data) && Buffer.byteLength(data),
      });
      destination.write('one\n');
      await vi.advanceTimersByTimeAsync(99);
      expect(writes).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(writes).toEqual(['one\n']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('writes the rest of a partial write', () => {
    const writes: string[] = [];
    const destination = createBatchedLogDestination({
      fd: 1,
      flushMs: 0,
      write: (_fd, data) => {
        writes.push(data);
        return Math.min(3, Buffer.byteLength(data));
      },
    });
    destination.write('abcdefgh\n');
    expect(writes.join('|')).toBe('abcdefgh\n|defgh\n|gh\n');
  });

  it('a reader that does not keep up (EAGAIN) never blocks: lines stay held, the oldest dropped past the bound', () => {
    let full = true;
    const writes: string[] = [];
    const drops: number[] = [];
    const destination = createBatchedLogDestination({
      fd: 1,
      flushMs: 60_000,
      batchBytes: 1,
      maxHeldBytes: 20,
      onDrop: (dropped) => drops.push(dropped),
      write: (_fd, data) => {
        if (full) throw errno('EAGAIN');
        writes.push(data);
        return Buffer.byteLength(data);
      },
    });
    for (let index = 0; index < 10; index += 1) destination.write(`line ${index}\n`);
    expect(writes).toEqual([]);
    expect(destination.dropped).toBe(8);
    expect(drops).toEqual([1]);
    full = false;
    destination.flushSync();
    expect(writes).toEqual(['line 8\nline 9\n']);
  });

  it('a reader that is gone (EPIPE) never hangs a flush: its lines are dropped and counted', () => {
    let calls = 0;
    const drops: string[] = [];
    const destination = createBatchedLogDestination({
      fd: 1,
      flushMs: 60_000,
      onDrop: (dropped, reason) => drops.push(`${dropped} ${reason}`),
      write: () => {
        calls += 1;
        throw errno('EPIPE');
      },
    });
    destination.write('a\n');
    destination.write('b\n');
    destination.flushSync();
    destination.write('c\n');
    destination.flushSync();
    expect(calls).toBe(1);
    expect(destination.dropped).toBe(3);
    expect(drops).toEqual(['2 the log reader is gone (EPIPE)']);
  });
});
