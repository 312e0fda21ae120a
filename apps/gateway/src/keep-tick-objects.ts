import { createHook } from 'node:async_hooks';

/** The queued `process.nextTick` entries this process keeps referenced for its lifetime. */
const keptTickObjects: object[] = [];

/**
 * Keeps a few of Node's `process.nextTick` queue entries alive for the life of the process, so that
 * a memory-reducing garbage collection cannot retire their shape.
 *
 * Why: Node 20 builds each queued tick as an object literal with symbol keys. When V8 runs a
 * memory-reducing collection while no tick is queued (the gateway's own start-up collection, or
 * V8's memory reducer after ~15 s without traffic), the hidden classes of those literals die with
 * their transitions, and from then on every `process.nextTick` defines its four properties through
 * the runtime instead of the optimised code: ~260 instead of ~60 ns per tick in isolation, and ~10 %
 * of the gateway's instructions per request under callgrind (streams, sockets and HTTP call it about
 * 15 times per request). One live tick of each kind keeps the hidden classes, and the fast path, alive.
 *
 * The entries are taken from a one-shot async hook (its `init` sees each tick's resource), which is
 * disabled again at once. Returns how many were kept (0 where Node makes no `TickObject`, which
 * changes nothing).
 */
export function keepTickObjects(): number {
  if (keptTickObjects.length > 0) return keptTickObjects.length;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject') keptTickObjects.push(resource);
    },
  });
  hook.enable();
  try {
    // Without arguments (`args` undefined) and with them (`args` an array): both shapes Node makes.
    process.nextTick(ignore);
    process.nextTick(ignore, 0);
  } finally {
    hook.disable();
  }
  return keptTickObjects.length;
}

function ignore(): void {}
