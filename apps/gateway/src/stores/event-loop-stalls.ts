/** How often the loop is sampled (ms). */
export const LOOP_SAMPLE_MS = 50;
/** Least lateness of a tick that counts as blocked time (ms): below it, timer jitter. */
const LATE_TICK_MS = 10;
/** Least blocked time during a wait that can make its timeout this process's own (ms). */
export const LOOP_STALL_MS = 100;
/** Late ticks remembered (the latest): at least 3 s of a loop late by 50 ms or more. */
const REMEMBERED_STALLS = 64;

/** Tells whether this process's event loop was blocked while a command waited (see {@link eventLoopStalls}). */
export interface EventLoopStalls {
  /** A mark of now, to pass to {@link ownStall} when the command fails. */
  mark(): number;
  /**
   * True when the loop was blocked (100 ms or more in all) for at least half the time since `mark`: a command that timed
   * out then may have been answered in time, its reply unread while the process was busy (a
   * timeout timer fires before the socket is read when the loop wakes up).
   */
  ownStall(mark: number): boolean;
}

/**
 * Samples the event loop with a timer (every 50 ms, unref'd) and remembers when its ticks ran late:
 * time this process's loop was blocked (a long synchronous task, a GC pause, a starved CPU, or a
 * loop so busy that timers wait), whether in one long stall or in many short ones.
 */
export function createEventLoopStalls(
  options: { readonly now?: () => number; readonly sampleMs?: number; readonly stallMs?: number } = {},
): EventLoopStalls & { stop(): void; sample(): void } {
  const now = options.now ?? (() => performance.now());
  const sampleMs = options.sampleMs ?? LOOP_SAMPLE_MS;
  const stallMs = options.stallMs ?? LOOP_STALL_MS;
  /** [start, end] of recent stalls, oldest first. */
  const stalls: [number, number][] = [];
  let lastTick = now();
  const sample = (): void => {
    const tick = now();
    if (tick - lastTick >= sampleMs + LATE_TICK_MS) {
      stalls.push([lastTick + sampleMs, tick]);
      if (stalls.length > REMEMBERED_STALLS) stalls.shift();
    }
    lastTick = tick;
  };
  const timer = setInterval(sample, sampleMs);
  timer.unref();
  return {
    mark: now,
    ownStall(mark) {
      const end = now();
      let blocked = 0;
      for (const [start, stop] of stalls) blocked += Math.max(0, Math.min(stop, end) - Math.max(start, mark));
      // A stall still going on: the sampler's tick is overdue (it runs after the timeout's timer).
      if (end - lastTick >= sampleMs + LATE_TICK_MS)
        blocked += Math.max(0, end - Math.max(lastTick + sampleMs, mark));
      return blocked >= stallMs && blocked * 2 >= end - mark;
    },
    stop: () => clearInterval(timer),
    sample,
  };
}

let shared: EventLoopStalls | undefined;

/** This process's sampler, started on first use (one timer for every Redis store). */
export function eventLoopStalls(): EventLoopStalls {
  shared ??= createEventLoopStalls();
  return shared;
}
