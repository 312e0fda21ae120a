import { useEffect, useState } from 'preact/hooks';

/** The console's base path: every view lives under it. */
export const BASE = '/console';

type Listener = () => void;
const listeners = new Set<Listener>();

/** The current location under the console (`/logs?model=x`), from the browser's address. */
export function currentLocation(): { path: string; search: URLSearchParams } {
  const path = window.location.pathname.startsWith(BASE)
    ? window.location.pathname.slice(BASE.length) || '/'
    : '/';
  return { path, search: new URLSearchParams(window.location.search) };
}

/** Goes to `to` (relative to the console), keeping history; `replace` for filter edits. */
export function navigate(to: string, replace = false): void {
  const url = `${BASE}${to}`;
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  for (const listener of listeners) listener();
}

/** Re-renders on navigation (links, back and forward). */
export function useLocation(): { path: string; search: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((tick) => tick + 1);
    listeners.add(listener);
    window.addEventListener('popstate', listener);
    return () => {
      listeners.delete(listener);
      window.removeEventListener('popstate', listener);
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
