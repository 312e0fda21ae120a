/** How long a write waits for another process's write lock (ms). */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** The first pause before trying the lock again, and the longest (ms): 5, 10, 20, 40, 80, 100, 100… */
const FIRST_PAUSE_MS = 5;
const LONGEST_PAUSE_MS = 100;

/**
 * How long a statement of the gateway's thread waits for another process's SQLite write lock: up to
 * `timeoutMs` from its first try, and never past a deadline set by {@link endBy} (a shutdown's).
 * The connection itself never waits (`busy_timeout = 0`: better-sqlite3 would wait synchronously,
 * blocking every request): {@link SqliteLockWait.pauses} are the async pauses between tries.
 */
export class SqliteLockWait {
  readonly timeoutMs: number;
  #endsBy = Number.POSITIVE_INFINITY;

  constructor(timeoutMs = SQLITE_BUSY_TIMEOUT_MS) {
    this.timeoutMs = timeoutMs;
  }

  /** From now on, no wait goes past `at` (ms since the epoch). */
  endBy(at: number): void {
    this.#endsBy = Math.min(this.#endsBy, at);
  }

  /** When a wait started at `startedAt` gives up. */
  deadlineFrom(startedAt: number): number {
    return Math.min(startedAt + this.timeoutMs, this.#endsBy);
  }

  /** The pause after `tries` failed tries (ms). */
  static pauseAfter(tries: number): number {
    return Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** Math.max(0, tries - 1));
  }
}

/** Whether `error` is SQLite's "another connection holds the lock" (`SQLITE_BUSY`, `SQLITE_BUSY_…`). */
export function isSqliteBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}
