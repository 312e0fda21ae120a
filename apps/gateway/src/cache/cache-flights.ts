/** What a request waiting on another one's cache miss gets. */
export type FlightWait =
  /** The leader's answer, as the cache entry text it stores. */
  | { readonly kind: 'answered'; readonly entry: string }
  /** The leader ended without an answer the cache would store (a failure, an abort, a throw). */
  | { readonly kind: 'unanswered' }
  /** The waiter stopped waiting: its own signal fired, or its wait limit passed. */
  | { readonly kind: 'stopped' };

/** The request that went to the provider for a key: it ends the flight, once. */
export interface FlightLead {
  /** Hands `entry` to every waiter and ends the flight. */
  answer(entry: string): void;
  /** Ends the flight without an answer: every waiter goes on its own. */
  end(): void;
}

/** How long a waiter may wait. */
export interface FlightWaitOptions {
  /** The waiter's own signal (its client left): it stops waiting at once. */
  readonly signal?: AbortSignal | undefined;
  /** The most it waits, in ms (its own request timeout or deadline); none: until the flight ends. */
  readonly limitMs?: number | undefined;
}

/** Joining a key: the caller leads the flight, or waits for the one in progress. */
export type FlightJoin = { readonly lead: FlightLead } | { readonly wait: Promise<FlightWait> };

/**
 * The cache misses in flight in this process, by cache key (request coalescing, "single flight").
 * A request that misses joins its key: the first leads (calls the provider), the later ones wait for
 * the leader's answer. The map holds a key only while its flight is in progress: ending it (answer
 * or not) removes it, and a waiter that stops waiting leaves at once.
 */
export interface CacheFlights {
  join(key: string, options?: FlightWaitOptions): FlightJoin;
  /** Flights in progress. */
  readonly size: number;
}

type Waiter = (result: FlightWait) => void;

interface Flight {
  readonly waiters: Set<Waiter>;
}

const UNANSWERED: FlightWait = { kind: 'unanswered' };
const STOPPED: FlightWait = { kind: 'stopped' };

export function createCacheFlights(): CacheFlights {
  const flights = new Map<string, Flight>();

  const finish = (key: string, flight: Flight, result: FlightWait): void => {
    // A lead ends its own flight only (and only once).
    if (flights.get(key) !== flight) return;
    flights.delete(key);
    for (const waiter of [...flight.waiters]) waiter(result);
  };

  const waitFor = (flight: Flight, options: FlightWaitOptions | undefined): Promise<FlightWait> =>
    new Promise((resolve) => {
      const signal = options?.signal;
      if (signal?.aborted === true) {
        resolve(STOPPED);
        return;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle: Waiter = (result) => {
        flight.waiters.delete(settle);
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const onAbort = (): void => settle(STOPPED);
      flight.waiters.add(settle);
      signal?.addEventListener('abort', onAbort, { once: true });
      const limitMs = options?.limitMs;
      if (limitMs !== undefined) timer = setTimeout(() => settle(STOPPED), Math.max(0, limitMs));
    });

  return {
    get size() {
      return flights.size;
    },
    join(key, options) {
      const inFlight = flights.get(key);
      if (inFlight !== undefined) return { wait: waitFor(inFlight, options) };
      const flight: Flight = { waiters: new Set() };
      flights.set(key, flight);
      return {
        lead: {
          answer: (entry) => finish(key, flight, { kind: 'answered', entry }),
          end: () => finish(key, flight, UNANSWERED),
        },
      };
    },
  };
}
