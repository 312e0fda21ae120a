import { setFlagsFromString } from 'node:v8';

/**
 * Turns V8's allocation-site pretenuring off in this process, before the gateway makes its first
 * `process.nextTick` of note.
 *
 * Why: V8 decides per allocation site, after any collection, to allocate that site's objects straight
 * into the old generation when most of those made since the previous collection were still alive.
 * Node 20's `process.nextTick` makes every queued tick at one site (an object literal), and a
 * collection that falls while a burst of ticks is queued (start-up's work, the start-up collection,
 * a first burst of requests) can tip that decision; from then on every tick of the process is an
 * old-generation allocation: 300–800 instead of ~60 ns per tick, and Node's streams, sockets and HTTP
 * code queue about 15 ticks per request. Which start tips it depends on timing: the built gateway
 * probed 1.5 s after start measured 400–830 ns per tick in 5 of 24 starts with pretenuring, and 62–119
 * ns in all 22 starts without (`test/next-tick-after-startup.test.ts` asks the same). The gateway's
 * long-lived state (settings, caches, pools) is made once and promoted by the young generation's own
 * collections, so nothing it needs depends on pretenuring.
 *
 * Set here rather than on the command line so that every way of starting the gateway
 * (`pnpm start`, `node dist/server.js`, a container's entry point) gets it.
 */
export function turnOffAllocationSitePretenuring(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
