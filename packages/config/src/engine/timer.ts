import type { EnginePorts } from './ports.js';

// Aborting with a ready-made reason: a reasonless abort builds a DOMException, which is slow.
const TIMER_STOPPED = new Error('timer stopped');

function ignore(): void {}

/**
 * Starts one of the engine's timers on the ports: `setTimer` when given, else a `sleep` cancelled
 * through an AbortController (slower, same behaviour). Returns the function that cancels it.
 */
export function startTimer(
  ports: Pick<EnginePorts<unknown, unknown, unknown>, 'setTimer' | 'sleep'>,
  ms: number,
  fire: () => void,
): () => void {
  if (ports.setTimer !== undefined) return ports.setTimer(ms, fire);
  const controller = new AbortController();
  ports.sleep(ms, controller.signal).then(fire, ignore);
  return () => controller.abort(TIMER_STOPPED);
}
