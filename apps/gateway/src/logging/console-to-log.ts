import { formatWithOptions } from 'node:util';

/** A tag such as ioredis' `[WARN] ` or `[ioredis] `: pk's line has its own level and shape. */
const LIBRARY_TAG = /^\[[\w-]+\]\s*/;

/**
 * Makes what a library writes to the console itself (ioredis' `[WARN] This Redis server's default
 * user does not require a password, but a password was supplied`, its `Skipping the ready check …`)
 * a warning of pk's log, through `warn`, instead of raw text between pino's JSON lines, which a log
 * collector parsing JSON would drop or mangle. For the gateway process only (`server.ts`): pk's own
 * code writes no console line, and a refused start writes its one line to stderr directly.
 */
export function routeConsoleToLog(warn: (message: string) => void): void {
  const toLog = (...args: unknown[]): void => {
    warn(formatWithOptions({ breakLength: Number.POSITIVE_INFINITY }, ...args).replace(LIBRARY_TAG, ''));
  };
  console.log = toLog;
  console.info = toLog;
  console.warn = toLog;
  console.error = toLog;
  console.debug = toLog;
}
