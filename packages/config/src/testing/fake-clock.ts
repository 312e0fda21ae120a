/** Options of {@link createFakeClock}. */
export interface FakeClockOptions {
  /** Virtual time at creation, in ms (default 0). Use a wall-clock value to test HTTP dates. */
  readonly startMs?: number;
  /**
   * Advance on its own (default true): whenever the program has nothing left to do but wait, the
   * earliest timer fires and virtual time jumps to it. Off, time only moves through `advance`.
   */
  readonly autoAdvance?: boolean;
}

/** A virtual clock whose `now` and `sleep` fit the engine's ports. No real time passes. */
export interface FakeClock {
  /** Virtual time, in ms. */
  now(): number;
  /** Resolves when virtual time reaches now + `ms`; rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Runs `fire` when virtual time reaches now + `ms`, unless the returned function cancels it first. */
  setTimer(ms: number, fire: () => void): () => void;
  /** Moves virtual time forward by `ms`, firing every timer due on the way, in order. */
  advance(ms: number): Promise<void>;
  /** Timers still waiting. */
  readonly pendingTimers: number;
}

interface Timer {
  readonly dueMs: number;
  readonly fire: () => void;
}

/** Lets every promise chain that can run, run (one macrotask turn; no time is involved). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A fake clock for deterministic tests of anything built on the engine's ports. Timers fire in due
 * order (ties in creation order). With `autoAdvance` (default), time jumps only when everything else
 * is waiting, which is detected with `setImmediate` (a turn of the event loop, not a delay), so "wait
 * 60 s, retry, fall back" runs in microseconds.
 */
export function createFakeClock(options: FakeClockOptions = {}): FakeClock {
  let nowMs = options.startMs ?? 0;
  let pumpScheduled = false;
  const timers: Timer[] = [];
  const autoAdvance = options.autoAdvance ?? true;

  function fireNext(): void {
    const timer = timers.shift();
    if (timer === undefined) return;
    nowMs = Math.max(nowMs, timer.dueMs);
    timer.fire();
  }

  function schedulePump(): void {
    if (!autoAdvance || pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      fireNext();
      if (timers.length > 0) schedulePump();
    });
  }

  function insert(timer: Timer): void {
    let index = timers.length;
    while (index > 0 && timers[index - 1]!.dueMs > timer.dueMs) index--;
    timers.splice(index, 0, timer);
    schedulePump();
  }

  function remove(timer: Timer): void {
    const index = timers.indexOf(timer);
    if (index >= 0) timers.splice(index, 1);
  }

  function setTimer(ms: number, fire: () => void): () => void {
    const timer: Timer = { dueMs: nowMs + Math.max(0, ms), fire };
    insert(timer);
    return () => remove(timer);
  }

  return {
    now: () => nowMs,
    get pendingTimers() {
      return timers.length;
    },
    setTimer,
    sleep(ms, signal) {
      if (signal?.aborted === true) return Promise.reject(signal.reason);
      return new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          cancel();
          reject(signal?.reason);
        };
        const cancel = setTimer(ms, () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    async advance(ms) {
      const targetMs = nowMs + ms;
      await settle();
      while (timers.length > 0 && timers[0]!.dueMs <= targetMs) {
        fireNext();
        await settle();
      }
      nowMs = Math.max(nowMs, targetMs);
    },
  };
}
