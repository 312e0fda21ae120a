import { useEffect, useState } from 'preact/hooks';

/** The console's base path: every view lives under it. */
export const BASE = '/console';

type Listener = () => void;
const listeners = new Set<Listener>();

/**
 * Counts visits: a link followed, back or forward; not an address replaced (a view keeping its own
 * choices in it). A view keyed by it starts afresh from its address on each visit, even to itself.
 */
let visits = 0;

/** Where the console is: the path under it (`/logs`), the query, and the visit (see `visits`). */
export interface ConsoleLocation {
  readonly path: string;
  readonly search: URLSearchParams;
  readonly visit: number;
}

/** The current location under the console (`/logs?model=x`), from the browser's address. */
export function currentLocation(): ConsoleLocation {
  const path = window.location.pathname.startsWith(BASE)
    ? window.location.pathname.slice(BASE.length) || '/'
    : '/';
  return { path, search: new URLSearchParams(window.location.search), visit: visits };
}

/** Goes to `to` (relative to the console), keeping history; `replace` for filter edits. */
export function navigate(to: string, replace = false): void {
  const url = `${BASE}${to}`;
  if (replace) window.history.replaceState(null, '', url);
  else {
    window.history.pushState(null, '', url);
    visits += 1;
  }
  for (const listener of listeners) listener();
}

/** Re-renders on navigation (links, back and forward). */
export function useLocation(): ConsoleLocation {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((tick) => tick + 1);
    const onPopState = () => {
      visits += 1;
      listener();
    };
    listeners.add(listener);
    window.addEventListener('popstate', onPopState);
    return () => {
      listeners.delete(listener);
      window.removeEventListener('popstate', onPopState);
    };
  }, []);
  return currentLocation();
}

/** A click on an in-console link: handled here (no page load) unless a modifier asks for a new tab. */
export function onLinkClick(event: MouseEvent, to: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
    return;
  event.preventDefault();
  navigate(to);
}
