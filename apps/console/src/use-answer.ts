import { useEffect, useState } from 'preact/hooks';

/** What a view shows of an answer it asked for: still loading, the value, or the failure. */
export type Answer<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'done'; readonly value: T }
  | { readonly state: 'failed'; readonly error: unknown };

const LOADING = { state: 'loading' } as const;

/**
 * The answer of `load` for `key` (what was asked: an id, a grouping and period), or `null` while
 * `key` is `null` (nothing to ask yet). An answer is only ever shown for the key it was asked for:
 * from the first render after the key changes, the last key's value or failure gives way to
 * `loading`, and an answer that arrives after the key changed is dropped.
 */
export function useAnswer<T>(key: string | null, load: () => Promise<T>): Answer<T> | null {
  const [held, setHeld] = useState<{ readonly key: string; readonly answer: Answer<T> } | null>(null);
  useEffect(() => {
    if (key === null) return undefined;
    let current = true;
    load().then(
      (value) => current && setHeld({ key, answer: { state: 'done', value } }),
      (error: unknown) => current && setHeld({ key, answer: { state: 'failed', error } }),
    );
    return () => {
      current = false;
    };
  }, [key]);
  if (key === null) return null;
  return held !== null && held.key === key ? held.answer : LOADING;
}
