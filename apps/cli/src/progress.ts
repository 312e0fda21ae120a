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
