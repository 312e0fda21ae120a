import type { Writable } from 'node:stream';

/** Reports `done` of `total` steps of a long operation. */
export type ProgressReporter = (done: number, total: number) => void;

/**
 * Progress on stderr: on a terminal one line rewritten in place; elsewhere (a log, CI) a line at the
 * start, at every quarter and at the end, so the output stays short however many steps there are.
 */
export function progressOn(stream: Writable & { isTTY?: boolean }, label: string): ProgressReporter {
  let lastQuarter = -1;
  return (done, total) => {
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    if (stream.isTTY) {
      stream.write(`\r${label}: ${done}/${total} (${percent}%)${done >= total ? '\n' : ''}`);
      return;
    }
    const quarter = Math.floor(percent / 25);
    if (quarter === lastQuarter && done < total) return;
    lastQuarter = quarter;
    stream.write(`${label}: ${done}/${total} (${percent}%)\n`);
  };
}

/** Reports a count whose total is not known yet (records exported so far). */
export interface CountReporter {
  (done: number): void;
  /** Ends a line left open on a terminal, before something else is written (an error). */
  readonly stop: () => void;
}

/**
 * A count on stderr: on a terminal one line rewritten in place (shorter than {@link progressOn}'s
 * line of the same label, which may follow it with the total); elsewhere the first count and then at
 * most a line every `everyMs` while it changes, so a long run stays a few lines.
 */
export function countOn(
  stream: Writable & { isTTY?: boolean },
  label: string,
  everyMs = 10_000,
): CountReporter {
  let last = -1;
  let lastAt = 0;
  let open = false;
  const report = (done: number) => {
    if (stream.isTTY) {
      stream.write(`\r${label}: ${done}…`);
      open = true;
      return;
    }
    const now = Date.now();
    if (done === last || (last >= 0 && now - lastAt < everyMs)) return;
    last = done;
    lastAt = now;
    stream.write(`${label}: ${done}…\n`);
  };
  return Object.assign(report, {
    stop: () => {
      if (open) stream.write('\n');
      open = false;
    },
  });
}
