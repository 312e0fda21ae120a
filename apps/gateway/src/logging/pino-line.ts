import { hostname } from 'node:os';

/** pino's numeric levels by name (`silent` above every level). */
export const PINO_LEVELS: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

/** The bindings pino's defaults add after `time` (`,"pid":…,"hostname":…`), as JSON text. */
export function pinoDefaultBindings(): string {
  return `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`;
}
