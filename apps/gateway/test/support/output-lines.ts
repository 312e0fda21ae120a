import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';

/** One JSON log line of the gateway (pino's fields and pk's). */
export type LogLine = Record<string, unknown> & { traceId?: string; status?: number; msg?: string };

/** One line a gateway wrote: its JSON object when it parses as one, else its text. */
export type OutputLine = LogLine | string;

/** Tells the line waited for: the parsed line (see {@link OutputLine}) and its text. */
export type LinePredicate<Line extends OutputLine = OutputLine> =
  | ((line: OutputLine, text: string) => line is Line)
  | ((line: OutputLine, text: string) => boolean);

/** Options of {@link OutputLines.waitForLine} and {@link OutputLines.waitForLines}. */
export interface WaitForLineOptions {
  /** Longest wait, ms (default {@link LINE_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
  /** What the predicate looks for, in the timeout's message (default: the predicate's source). */
  readonly description?: string;
  /** Only lines from this index on count (a {@link OutputLines.lineCount} taken before the event). */
  readonly fromLine?: number;
}

/** How long {@link OutputLines.waitForLine} waits by default: well past a loaded machine's log batch. */
export const LINE_TIMEOUT_MS = 10_000;

/** How many of the last lines a timeout's message shows. */
const LINES_SHOWN = 20;

/**
 * The lines a gateway (a process's stdout and stderr, or an in-process logger's stream) writes, and
 * a wait for the one a test needs. The gateway writes its lines in batches and after its answer, so a
 * test never reads them right after a response: it waits for the line, and is told what it waited for
 * and the last lines seen when the line never comes.
 */
export interface OutputLines {
  /** Everything written so far, as text (both streams, in the order it arrived). */
  text(): string;
  /** Every complete line so far, parsed (see {@link OutputLine}). */
  lines(): OutputLine[];
  /** How many complete lines were written so far: a mark for `fromLine`. */
  lineCount(): number;
  /** The first line (already written or still to come) the predicate accepts. */
  waitForLine<Line extends OutputLine>(
    predicate: LinePredicate<Line>,
    options?: WaitForLineOptions,
  ): Promise<Line>;
  /** The first `count` lines (already written or still to come) the predicate accepts. */
  waitForLines<Line extends OutputLine>(
    predicate: LinePredicate<Line>,
    options: WaitForLineOptions & { readonly count: number },
  ): Promise<Line[]>;
}

/** {@link OutputLines} fed by the streams it reads and told when they end. */
export interface CollectedOutputLines extends OutputLines {
  /** Reads `stream` (utf-8) to the end; its lines are kept whole even when chunks of another interleave. */
  read(stream: Readable): void;
  /** Takes `chunk` of one writer (all chunks of one writer through the same `writer` key). */
  append(chunk: string, writer?: string): void;
  /** Nothing more will be written: a wait still pending fails at once, after the last partial lines count. */
  end(reason: string): void;
}

interface Waiter {
  readonly predicate: LinePredicate;
  readonly description: string;
  readonly count: number;
  readonly fromLine: number;
  readonly found: OutputLine[];
  readonly resolve: (lines: OutputLine[]) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** Parses `text` as a JSON object; anything else stays text. */
export function parseOutputLine(text: string): OutputLine {
  if (!text.startsWith('{')) return text;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as LogLine)
      : text;
  } catch {
    return text;
  }
}

/** A predicate on JSON lines only (text lines never match). */
export function logLineWhere(match: (line: LogLine) => boolean): (line: OutputLine) => line is LogLine {
  return (line): line is LogLine => typeof line === 'object' && match(line);
}

/** The request line (`msg: "request"`) of one trace id. */
export function requestLineOf(traceId: string): (line: OutputLine) => line is LogLine {
  return logLineWhere((line) => line.msg === 'request' && line.traceId === traceId);
}

/** A line whose text contains `pattern` (a string) or matches it (a RegExp). */
export function textLine(pattern: string | RegExp): (line: OutputLine, text: string) => boolean {
  return (_line, text) => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text));
}

/** Collects the lines of a gateway's streams (see {@link OutputLines}). */
export function createOutputLines(): CollectedOutputLines {
  let allText = '';
  const texts: string[] = [];
  const parsed: OutputLine[] = [];
  const partial = new Map<string, string>();
  let waiters: Waiter[] = [];
  let ended: string | undefined;
  let readers = 0;

  const lastLines = (): string => {
    const shown = texts.slice(-LINES_SHOWN);
    const skipped = texts.length - shown.length;
    const tail = partial.size === 0 ? '' : `\n(partial) ${[...partial.values()].join(' | ')}`;
    return `${skipped > 0 ? `… ${skipped} earlier lines\n` : ''}${shown.join('\n')}${tail}`;
  };
  const failure = (waiter: Waiter, why: string): Error =>
    new Error(
      `${why}: ${waiter.found.length} of ${waiter.count} line(s) matching ${waiter.description}; the last lines seen (${texts.length} in all):\n${lastLines() || '(none)'}`,
    );
  const offer = (waiter: Waiter, index: number): boolean => {
    if (index < waiter.fromLine) return false;
    if (!waiter.predicate(parsed[index] as OutputLine, texts[index] as string)) return false;
    waiter.found.push(parsed[index] as OutputLine);
    return waiter.found.length >= waiter.count;
  };
  const settle = (waiter: Waiter): void => {
    clearTimeout(waiter.timer);
    waiters = waiters.filter((other) => other !== waiter);
    waiter.resolve(waiter.found);
  };
  const addLine = (text: string): void => {
    texts.push(text);
    parsed.push(parseOutputLine(text));
    const index = texts.length - 1;
    for (const waiter of waiters) if (offer(waiter, index)) settle(waiter);
  };
  const append = (chunk: string, writer = 'default'): void => {
    allText += chunk;
    const pieces = `${partial.get(writer) ?? ''}${chunk}`.split('\n');
    const rest = pieces.pop() ?? '';
    if (rest === '') partial.delete(writer);
    else partial.set(writer, rest);
    for (const piece of pieces) addLine(piece);
  };
  const waitFor = (predicate: LinePredicate, options: WaitForLineOptions & { readonly count: number }) =>
    new Promise<OutputLine[]>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? LINE_TIMEOUT_MS;
      const description = options.description ?? predicate.toString();
      const waiter: Waiter = {
        predicate,
        description,
        count: options.count,
        fromLine: options.fromLine ?? 0,
        found: [],
        resolve,
        reject,
        timer: setTimeout(() => {
          waiters = waiters.filter((other) => other !== waiter);
          reject(failure(waiter, `no line in ${timeoutMs} ms`));
        }, timeoutMs),
      };
      waiter.timer.unref();
      for (let index = 0; index < texts.length; index += 1) {
        if (offer(waiter, index)) {
          clearTimeout(waiter.timer);
          resolve(waiter.found);
          return;
        }
      }
      if (ended !== undefined) {
        clearTimeout(waiter.timer);
        reject(failure(waiter, ended));
        return;
      }
      waiters.push(waiter);
    });

  return {
    text: () => allText,
    lines: () => [...parsed],
    lineCount: () => texts.length,
    async waitForLine<Line extends OutputLine>(
      predicate: LinePredicate<Line>,
      options: WaitForLineOptions = {},
    ) {
      const [line] = await waitFor(predicate, { ...options, count: 1 });
      return line as Line;
    },
    async waitForLines<Line extends OutputLine>(
      predicate: LinePredicate<Line>,
      options: WaitForLineOptions & { readonly count: number },
    ) {
      return (await waitFor(predicate, options)) as Line[];
    },
    read(stream) {
      readers += 1;
      const writer = `stream-${readers}`;
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => append(chunk, writer));
    },
    append,
    end(reason) {
      if (ended !== undefined) return;
      for (const rest of partial.values()) addLine(rest);
      partial.clear();
      ended = reason;
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(failure(waiter, reason));
      }
      waiters = [];
    },
  };
}

/**
 * Sends a request of its own (`GET /health` with a fresh trace id) and waits for its request line.
 * Lines keep their order, so a line the gateway wrote for anything before it is there by then: a test
 * asserts that a line was NOT written after this, not after a sleep.
 */
export async function writeMarkerLine(gateway: {
  readonly url: string;
  readonly waitForLine: OutputLines['waitForLine'];
}): Promise<LogLine> {
  const traceId = `marker-${randomUUID()}`;
  const response = await fetch(`${gateway.url}/health`, { headers: { 'x-portkey-trace-id': traceId } });
  await response.arrayBuffer();
  return gateway.waitForLine(requestLineOf(traceId), { description: `the marker request line ${traceId}` });
}
