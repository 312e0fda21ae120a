import { PINO_LEVELS, pinoDefaultBindings } from './pino-line.js';

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
  const threshold = PINO_LEVELS[level] ?? WARN;
  if (threshold > WARN) return () => undefined;
  const bindings = pinoDefaultBindings();
  return (message) => {
    write(`{"level":${WARN},"time":${Date.now()}${bindings},"msg":${JSON.stringify(message)}}\n`);
  };
}
