import { hostname } from 'node:os';

const LEVELS: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};
const WARN = 40;

/** Writes a warning as one log line. */
export type WarningWriter = (message: string) => void;

/**
 * A warning line as pino writes `log.warn(message)` with the options pk's server uses (pino's default
 * time, pid and hostname): for what is said before the app's logger exists (a Redis unreachable at
 * start, a store warning), so every line the gateway writes is the same JSON. Nothing is written
 * when `level` is above `warn`, as pino would not.
 */
export function createWarningWriter(level: string, write: (line: string) => unknown): WarningWriter {
  const threshold = LEVELS[level] ?? WARN;
  if (threshold > WARN) return () => undefined;
  const bindings = `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`;
  return (message) => {
    write(`{"level":${WARN},"time":${Date.now()}${bindings},"msg":${JSON.stringify(message)}}\n`);
  };
}
