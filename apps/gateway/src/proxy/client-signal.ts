/**
 * The request's "the client went away" signal, without Node 20's `AbortController`.
 *
 * Why: in Node 20 every `new AbortController().signal` is made as an `EventTarget` whose prototype is
 * then swapped for `AbortSignal.prototype`, and V8 gives an object whose prototype was swapped a new
 * hidden class for each property added after it. So each signal costs three new hidden classes
 * (allocated in old space) and ~6 µs, and every inline cache that sees signals (undici's, the
 * engine's, `EventTarget`'s own) turns megamorphic. One was created per request.
 *
 * `ClientSignal` is a plain class with one hidden class for all of them: its `abort` listeners are an
 * array (a request has two or three: undici's and the engine's), not `EventTarget`'s maps and
 * listener records. It serves what the request path asks of a signal: `aborted`, `reason`,
 * `throwIfAborted`, `onabort`, and `addEventListener` / `removeEventListener` of `abort` listeners
 * (functions or `handleEvent` objects, `once` honoured, a listener added twice called once), which is
 * all undici and `timers/promises` use. It is not a native `AbortSignal` (`instanceof AbortSignal` is
 * false), so it must not be handed to `AbortSignal.any` or `fetch`: {@link nativeAbortSignal} makes a
 * linked native one for those.
 */
export class ClientSignal {
  aborted = false;
  reason: unknown = undefined;
  onabort: ((this: AbortSignal, event: Event) => unknown) | null = null;
  #listeners: AbortListener[] = [];

  /** Throws the reason once aborted, as `AbortSignal.prototype.throwIfAborted` does. */
  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  addEventListener(
    type: string,
    listener: AbortListenerInput | null,
    options?: boolean | { once?: boolean },
  ): void {
    if (type !== 'abort' || listener === null || this.aborted) return;
    if (this.#listeners.some((entry) => entry.listener === listener)) return;
    this.#listeners.push({ listener, once: typeof options === 'object' && options.once === true });
  }

  removeEventListener(type: string, listener: AbortListenerInput | null): void {
    if (type !== 'abort' || listener === null) return;
    const index = this.#listeners.findIndex((entry) => entry.listener === listener);
    if (index !== -1) this.#listeners.splice(index, 1);
  }

  /** Runs the `abort` listeners of a dispatched `abort` event (what `AbortSignal` allows of it). */
  dispatchEvent(event: Event): boolean {
    if (event.type !== 'abort') return true;
    const listeners = this.#listeners;
    this.#listeners = listeners.filter((entry) => !entry.once);
    for (const { listener } of listeners) {
      if (typeof listener === 'function') listener.call(this.asAbortSignal(), event);
      else listener.handleEvent(event);
    }
    this.onabort?.call(this.asAbortSignal(), event);
    return true;
  }

  /** Aborts with `reason` (once): `aborted` and `reason` are set, then the `abort` listeners run. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.dispatchEvent(new Event('abort'));
    this.#listeners = [];
  }

  /** This signal where an `AbortSignal` is expected (see the class comment for what it serves). */
  asAbortSignal(): AbortSignal {
    return this as unknown as AbortSignal;
  }
}

type AbortListenerInput = ((event: Event) => unknown) | { handleEvent(event: Event): unknown };

interface AbortListener {
  readonly listener: AbortListenerInput;
  readonly once: boolean;
}

/**
 * `signal` as a native `AbortSignal` (for `AbortSignal.any` and other brand-checking consumers): the
 * signal itself when it is one, else a native signal aborted with the same reason when it aborts.
 */
export function nativeAbortSignal(signal: AbortSignal): AbortSignal {
  // A `ClientSignal` passes as an `AbortSignal` to the type checker only: the check is at run time.
  if ((signal as unknown) instanceof AbortSignal) return signal;
  if (signal.aborted) return AbortSignal.abort(signal.reason);
  const controller = new AbortController();
  signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  return controller.signal;
}
